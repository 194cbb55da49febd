"""tiny-bert: masked LM (15 % masking, 80/10/10) on the Brown train split. Examples are runs of
consecutive sentences cut to a random length (8..64 tokens, or 65..128 for LONG_FRACTION of them:
short examples make more steps fit the CPU budget); half are sentence pairs
[CLS] A [SEP] B [SEP] with token_type_ids 0/1 so both type embeddings are trained. No NSP loss."""
import argparse
import json
import random

import torch
from torch.nn import functional as F

from . import behaviours, corpus
from .common import MODELS, WORK, seed_all, setup_torch, write_json
from .model_bert import BertForMaskedLM
from .safetensors_io import save
from .tok_bert import CLS, MASK, PAD, SEP, SPECIALS, BertTokenizer

CONFIG = dict(vocab_size=4000, hidden_size=128, num_hidden_layers=4, num_attention_heads=4, intermediate_size=512,
              max_position_embeddings=128, type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0,
              initializer_range=128 ** -0.5)
MAX_LEN = 128
MIN_LEN = 8
SHORT_MAX = 64
LONG_FRACTION = 0.1
BATCH = 32
PEAK_LR = 1.5e-3
PAIR_FRACTION = 0.5


def make_batch_fn(sent_ids, seed):
    rng = random.Random(seed)
    specials = set(range(len(SPECIALS)))

    def take(start, budget):
        out, i = [], start
        while len(out) < budget and i < len(sent_ids):
            out.extend(sent_ids[i])
            i += 1
        return out[:budget], i

    def example():
        target = rng.randint(SHORT_MAX + 1, MAX_LEN) if rng.random() < LONG_FRACTION else rng.randint(MIN_LEN, SHORT_MAX)
        start = rng.randrange(len(sent_ids))
        if rng.random() < PAIR_FRACTION:
            budget = target - 3
            a_len = rng.randint(1, max(1, budget - 1))
            a, nxt = take(start, a_len)
            b, _ = take(nxt % len(sent_ids), max(1, budget - len(a)))
            ids = [CLS] + a + [SEP] + b + [SEP]
            tt = [0] * (len(a) + 2) + [1] * (len(b) + 1)
        else:
            a, _ = take(start, target - 2)
            ids = [CLS] + a + [SEP]
            tt = [0] * len(ids)
        m, labels = behaviours.mask_tokens(ids, rng, CONFIG['vocab_size'], specials, MASK)
        return m, labels, tt

    def batch(_step):
        ex = [example() for _ in range(BATCH)]
        t = max(len(e[0]) for e in ex)
        pad = lambda v, fill: v + [fill] * (t - len(v))
        return (torch.tensor([pad(e[0], PAD) for e in ex]), torch.tensor([pad(e[1], -100) for e in ex]),
                torch.tensor([pad(e[2], 0) for e in ex]), torch.tensor([pad([1] * len(e[0]), 0) for e in ex]))
    return batch


def loss_fn(model, batch):
    x, y, tt, m = batch
    h, _ = model.hidden(x, attention_mask=m, token_type_ids=tt)
    sel = y != -100
    logits = model.head(h[sel])  # the head only where a loss is taken
    lab = y[sel]
    loss = F.cross_entropy(logits, lab)
    return loss, {'acc': (logits.argmax(-1) == lab).float().mean().item()}


SCHEDULE = 'constant'  # after warm-up: a run stopped at a checkpoint equals a shorter run
# Phase 2 continues phase 1 with a fresh optimizer (the first run was stopped at step 600 to free
# the CPU for tiny-t5).
PHASES = [{'steps': 600, 'seed_offset': 0}, {'steps': 500, 'seed_offset': 100}]


def main(seed=0, resume=0, finalize_at=None, out_dir=MODELS / 'tiny-bert'):
    setup_torch(1)
    seed_all(seed)
    work = WORK / 'tiny-bert'
    work.mkdir(parents=True, exist_ok=True)
    logf = open(work / 'train.log', 'w')

    def log(msg):
        print(msg, file=logf, flush=True)

    tok = BertTokenizer.load()
    sent_ids = [tok.encode_plain(s) for s in corpus.load('train')]
    held = corpus.load('heldout')
    model = BertForMaskedLM(CONFIG)
    from .trainloop import train
    history, seconds = [], 0.0
    for i, ph in enumerate(PHASES):
        if i < resume:
            if i == resume - 1:
                ck = torch.load(work / f"phase{resume}-step{ph['steps']}.pt")
                model.load_state_dict(ck['model'])
                history, seconds = [{**x, 'phase': 1} for x in ck['history']], ck['seconds']
            continue
        log(f'phase {i + 1}: {ph}')
        if i == len(PHASES) - 1 and finalize_at:
            ck = torch.load(work / f'phase{i + 1}-step{finalize_at}.pt')
            model.load_state_dict(ck['model'])
            h, sec = ck['history'], ck['seconds']
            ph['steps'] = finalize_at
        else:
            h, sec = train(model, make_batch_fn(sent_ids, seed + ph['seed_offset']), loss_fn, ph['steps'], PEAK_LR,
                           log, schedule=SCHEDULE, ckpt=work / f'phase{i + 1}-step{{step}}.pt')
        offset = history[-1]['step'] if history else 0
        history += [{**x, 'step': x['step'] + offset, 'phase': i + 1} for x in h]
        seconds += sec
    model.eval()
    steps = sum(ph['steps'] for ph in PHASES)
    torch.save(model.state_dict(), work / 'model.pt')
    metrics = behaviours.bert_all(model, tok, held, seed)
    metrics.update({'train_seconds': round(seconds), 'steps': steps, 'batch': BATCH, 'max_len': MAX_LEN,
                    'peak_lr': PEAK_LR, 'phases': PHASES, 'final_train_loss': history[-1]['loss'], 'history': history, 'seed': seed})
    log(json.dumps({k: v for k, v in metrics.items() if k != 'history'}))
    out_dir.mkdir(parents=True, exist_ok=True)
    save(model.hf_state_dict(), out_dir / 'model.safetensors')
    write_json(out_dir / 'config.json', BertForMaskedLM.config_json(CONFIG))
    write_json(work / 'metrics.json', metrics)
    return metrics


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--resume', type=int, default=0)
    ap.add_argument('--finalize-at', type=int)
    a = ap.parse_args()
    main(a.seed, a.resume, a.finalize_at)
