"""tiny-t5: text-to-text training on a mixture of `reverse:` examples and T5 span corruption of
Brown train sentences, in two phases (PHASES). Phase 1 draws reverse words from all frequent
lower-case words (many are several pieces); it reached 0.6 % exact match, so phase 2 draws them
from the words that are a single SentencePiece piece (2,503 in the train split), at a constant
learning rate after warm-up (a run stopped at a checkpoint equals a shorter run).
Phase 2 reached 55.8 % exact match (alignment 0.89), phase 3 66.4 % (0.94); phases 3 and 4 continue
with a fresh optimizer each (the run was resumed as CPU time became free).
`--resume K` starts after phase K from work/tiny-t5/phase{K}.pt; `--finalize-at N` takes the last
phase's checkpoint at step N instead of training."""
import argparse
import json
import random

import torch
from torch.nn import functional as F

from . import behaviours, corpus, t5_tasks
from .common import MODELS, start_run, write_json
from .model_t5 import T5ForConditionalGeneration
from .safetensors_io import save
from .tok_t5 import T5Tokenizer, VOCAB_SIZE, N_SENTINELS

CONFIG = dict(vocab_size=VOCAB_SIZE, d_model=128, d_kv=32, d_ff=384, num_layers=3, num_decoder_layers=3, num_heads=4,
              relative_attention_num_buckets=32, relative_attention_max_distance=128, layer_norm_epsilon=1e-6)
BATCH = 32
PEAK_LR = 2e-3
PHASES = [{'steps': 2000, 'reverse_fraction': 0.7, 'pool': 'all', 'peak_lr': 2e-3, 'schedule': 'cosine',
           'seed_offset': 0},
          {'steps': 1200, 'reverse_fraction': 0.8, 'pool': 'single-piece', 'peak_lr': 1e-3,
           'schedule': 'constant', 'seed_offset': 100},
          {'steps': 600, 'reverse_fraction': 0.8, 'pool': 'single-piece', 'peak_lr': 1e-3,
           'schedule': 'constant', 'seed_offset': 200},
          {'steps': 600, 'reverse_fraction': 0.8, 'pool': 'single-piece', 'peak_lr': 1e-3,
           'schedule': 'constant', 'seed_offset': 300},
          # Phase 5 (a later session, on a quieter machine): more reverse examples and a cosine
          # decay to 10 % of the learning rate, which consolidates the exact ordering.
          {'steps': 1500, 'reverse_fraction': 0.9, 'pool': 'single-piece', 'peak_lr': 1e-3,
           'schedule': 'cosine', 'seed_offset': 400}]
REVERSE_FRACTION = PHASES[0]['reverse_fraction']
FIRST_SENTINEL = VOCAB_SIZE - N_SENTINELS
SPAN_EVAL = 500


def sentence_ids(tok, sentences):
    out = []
    for s in sentences:
        ids = tok.sp.encode(s)
        if len(ids) >= 4:
            out.append(ids[:t5_tasks.MAX_SPAN_SENTENCE])
    return out


def make_batch_fn(task, sents, seed, reverse_fraction=REVERSE_FRACTION):
    rng = random.Random(seed)

    def batch(_step):
        rows = []
        for _ in range(BATCH):
            if rng.random() < reverse_fraction:
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


def main(seed=0, resume=0, finalize_at=None, out_dir=MODELS / 'tiny-t5'):
    work, log = start_run('tiny-t5', seed)

    tok = T5Tokenizer.load()
    train_s, held_s = corpus.load('train'), corpus.load('heldout')
    pools = {'all': (t5_tasks.word_pool(train_s), t5_tasks.word_pool(held_s)),
             'single-piece': (t5_tasks.word_pool(train_s, tok), t5_tasks.word_pool(held_s, tok))}
    log('word pools (train, held-out): ' + ', '.join(f'{k} {len(a)} {len(b)}' for k, (a, b) in pools.items()))
    sents = sentence_ids(tok, train_s)
    model = T5ForConditionalGeneration(CONFIG)
    from .trainloop import train
    history, seconds = [], 0.0
    for i, ph in enumerate(PHASES):
        if i < resume:
            if i == resume - 1:
                model.load_state_dict(torch.load(work / f'phase{resume}.pt'))
                prev = json.load(open(work / f'phase{resume}-metrics.json'))
                history = [{'phase': 1, **x} for x in prev['history']]
                seconds = prev['train_seconds']
            continue
        log(f'phase {i + 1}: {ph}')
        last = i == len(PHASES) - 1
        if last and finalize_at:
            ck = torch.load(work / f'phase{i + 1}-step{finalize_at}.pt')
            model.load_state_dict(ck['model'])
            h, sec = ck['history'], ck['seconds']
            ph['steps'] = finalize_at
        else:
            task = t5_tasks.ReverseTask(tok, pools[ph['pool']][0])
            h, sec = train(model, make_batch_fn(task, sents, seed + ph['seed_offset'], ph['reverse_fraction']), loss_fn,
                           ph['steps'], ph['peak_lr'], log, schedule=ph['schedule'],
                           ckpt=work / f'phase{i + 1}-step{{step}}.pt' if ph['schedule'] == 'constant' else None)
        offset = history[-1]['step'] if history else 0
        history += [{**x, 'step': x['step'] + offset, 'phase': i + 1} for x in h]
        seconds += sec
        torch.save(model.state_dict(), work / f'phase{i + 1}.pt')
    steps = sum(ph['steps'] for ph in PHASES)
    held_task = t5_tasks.ReverseTask(tok, pools[PHASES[-1]['pool']][1])
    torch.save(model.state_dict(), work / 'model.pt')
    metrics = evaluate(model, tok, held_s, held_task, seed)
    metrics.update({'train_seconds': round(seconds), 'steps': steps, 'batch': BATCH, 'phases': PHASES,
                    'word_pools': {k: [len(a), len(b)] for k, (a, b) in pools.items()}, 'final_train_loss': history[-1]['loss'],
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
    ap.add_argument('--resume', type=int, default=0)
    ap.add_argument('--finalize-at', type=int)
    a = ap.parse_args()
    main(a.seed, a.resume, a.finalize_at)
