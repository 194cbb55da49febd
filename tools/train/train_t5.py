"""tiny-t5: text-to-text training on a mixture of `reverse:` examples (REVERSE_FRACTION) and T5 span
corruption of Brown train sentences."""
import argparse
import json
import random

import torch
from torch.nn import functional as F

from . import behaviours, corpus, t5_tasks
from .common import MODELS, WORK, seed_all, setup_torch, write_json
from .model_t5 import T5ForConditionalGeneration
from .safetensors_io import save
from .tok_t5 import T5Tokenizer, VOCAB_SIZE, N_SENTINELS

CONFIG = dict(vocab_size=VOCAB_SIZE, d_model=128, d_kv=32, d_ff=384, num_layers=3, num_decoder_layers=3, num_heads=4,
              relative_attention_num_buckets=32, relative_attention_max_distance=128, layer_norm_epsilon=1e-6)
BATCH = 32
PEAK_LR = 2e-3
REVERSE_FRACTION = 0.7
FIRST_SENTINEL = VOCAB_SIZE - N_SENTINELS
SPAN_EVAL = 500


def sentence_ids(tok, sentences):
    out = []
    for s in sentences:
        ids = tok.sp.encode(s)
        if len(ids) >= 4:
            out.append(ids[:t5_tasks.MAX_SPAN_SENTENCE])
    return out


def make_batch_fn(task, sents, seed):
    rng = random.Random(seed)

    def batch(_step):
        rows = []
        for _ in range(BATCH):
            if rng.random() < REVERSE_FRACTION:
                e = task.example(rng)
                rows.append((e['input_ids'], e['labels']))
            else:
                rows.append(t5_tasks.span_corruption(rng.choice(sents), rng, FIRST_SENTINEL))
        x, m = behaviours._pad([r[0] for r in rows])
        y, _ = behaviours._pad([r[1] for r in rows], fill=-100)
        return x, m, y
    return batch


def loss_fn(model, batch):
    x, m, y = batch
    logits = model(x, T5ForConditionalGeneration.shift_right(y), attention_mask=m)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100), {}


def main(seed=0, steps=2500, out_dir=MODELS / 'tiny-t5'):
    setup_torch(1)
    seed_all(seed)
    work = WORK / 'tiny-t5'
    work.mkdir(parents=True, exist_ok=True)
    logf = open(work / 'train.log', 'w')

    def log(msg):
        print(msg, file=logf, flush=True)

    tok = T5Tokenizer.load()
    train_s, held_s = corpus.load('train'), corpus.load('heldout')
    task = t5_tasks.ReverseTask(tok, t5_tasks.word_pool(train_s))
    held_task = t5_tasks.ReverseTask(tok, t5_tasks.word_pool(held_s))
    log(f'word pools: train {len(task.words)}, held-out {len(held_task.words)}')
    model = T5ForConditionalGeneration(CONFIG)
    from .trainloop import train
    history, seconds = train(model, make_batch_fn(task, sentence_ids(tok, train_s), seed), loss_fn, steps, PEAK_LR, log)
    torch.save(model.state_dict(), work / 'model.pt')
    metrics = evaluate(model, tok, held_s, held_task, seed)
    metrics.update({'train_seconds': round(seconds), 'steps': steps, 'batch': BATCH, 'peak_lr': PEAK_LR,
                    'reverse_fraction': REVERSE_FRACTION, 'final_train_loss': history[-1]['loss'],
                    'history': history, 'seed': seed})
    log(json.dumps({k: v for k, v in metrics.items() if k not in ('history',)}))
    out_dir.mkdir(parents=True, exist_ok=True)
    save(model.hf_state_dict(), out_dir / 'model.safetensors')
    write_json(out_dir / 'config.json', T5ForConditionalGeneration.config_json(CONFIG))
    write_json(out_dir / 'generation_config.json', {'decoder_start_token_id': 0, 'eos_token_id': 1,
                                                    'pad_token_id': 0})
    write_json(work / 'metrics.json', metrics)
    return metrics


def evaluate(model, tok, held_s, held_task, seed):
    model.eval()
    rng = random.Random(seed + 5)
    span_ex = [t5_tasks.span_corruption(s, rng, FIRST_SENTINEL) for s in sentence_ids(tok, held_s)[:SPAN_EVAL]]
    return {'reverse': behaviours.t5_reverse(model, behaviours.reverse_eval_set(held_task, seed)),
            'span_corruption': behaviours.t5_span_loss(model, span_ex)}


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--steps', type=int, default=2500)
    a = ap.parse_args()
    main(a.seed, a.steps)
