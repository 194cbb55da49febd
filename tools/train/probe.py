"""Quick look at a training checkpoint's behaviour figures (smaller samples than behaviours.py's
final measurement), to decide when a run has done its job:
    /usr/bin/python3 -m tools.train.probe tiny-gpt2 tools/train/work/tiny-gpt2/phase2-step300.pt"""
import json
import random
import sys

import torch

from . import behaviours, corpus
from .common import setup_torch


N_T5 = 100  # reverse examples per word pool


def main(model_id, path):
    setup_torch(1)
    ck = torch.load(path)
    sd = ck['model'] if 'model' in ck else ck
    held = corpus.load('heldout')
    behaviours.N_SENTENCES = 40
    behaviours.INDUCTION_TRIALS = 20
    if model_id == 'tiny-gpt2':
        from .train_gpt2 import CONFIG
        from .model_gpt2 import GPT2LMHeadModel
        from .tok_gpt2 import GPT2Tokenizer
        m = GPT2LMHeadModel(CONFIG)
        m.load_state_dict(sd)
        m.eval()
        tok = GPT2Tokenizer.load()
        out = {'previous_token': behaviours.gpt2_previous_token(m, tok, held, 0)['best'],
               'induction': {k: v for k, v in behaviours.gpt2_induction(m, 0).items() if k != 'scores'}}
    elif model_id == 'tiny-llama':
        from .train_llama import CONFIG
        from .model_llama import LlamaForCausalLM
        from .tok_llama import LlamaTokenizer
        m = LlamaForCausalLM(CONFIG)
        m.load_state_dict(sd)
        m.eval()
        p = behaviours.llama_patterns(m, LlamaTokenizer.load(), held, 0)
        out = {'previous_token': p['previous_token']['best'], 'sink_layer_means': p['sink']['layer_means'],
               'induction': {k: v for k, v in behaviours.llama_induction(m, 0).items() if k != 'scores'}}
    elif model_id == 'tiny-bert':
        from .train_bert import CONFIG
        from .model_bert import BertForMaskedLM
        from .tok_bert import BertTokenizer
        m = BertForMaskedLM(CONFIG)
        m.load_state_dict(sd)
        m.eval()
        a = behaviours.bert_prev_next(m, BertTokenizer.load(), held, 0)
        out = {'previous': a['previous']['best'], 'next': a['next']['best']}
    else:
        from . import t5_tasks
        from .train_t5 import CONFIG
        from .model_t5 import T5ForConditionalGeneration
        from .tok_t5 import T5Tokenizer
        m = T5ForConditionalGeneration(CONFIG)
        m.load_state_dict(sd)
        m.eval()
        tok = T5Tokenizer.load()
        keys = ('exact_match', 'exact_match_by_words', 'alignment_best_head', 'piece_alignment_of_best_head')
        out = {}
        # The single-piece held-out words of phases 2-5, and words no training file contains (phase 6).
        unseen = t5_tasks.unseen_words(held, t5_tasks.training_words(corpus.load('train')), tok)
        for name, words in (('single-piece', t5_tasks.word_pool(held, tok)), ('unseen', unseen)):
            task = t5_tasks.ReverseTask(tok, words)
            rng = random.Random(99)
            r = behaviours.t5_reverse(m, [task.example(rng) for _ in range(N_T5)])
            out[name] = {k: r[k] for k in keys}
    print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
