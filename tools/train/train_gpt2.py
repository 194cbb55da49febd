"""tiny-gpt2: causal LM on the Brown train split, with synthetic repeated random spans mixed in
(SYNTH_FRACTION of the sequences) so that induction heads form within the CPU budget."""
import argparse
import json
import random
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

from . import behaviours, corpus
from .common import MODELS, WORK, seed_all, setup_torch, write_json
from .model_gpt2 import GPT2LMHeadModel
from .safetensors_io import save
from .tok_gpt2 import GPT2Tokenizer

CONFIG = dict(vocab_size=4000, n_positions=128, n_embd=128, n_layer=4, n_head=4, layer_norm_epsilon=1e-5,
              eos_token_id=3999)
SEQ = 128
BATCH = 16
PEAK_LR = 2e-3
SYNTH_FRACTION = 0.25
SYNTH_SPAN = (8, 40)  # length range of a random span; it is repeated until the window is full
FIRST_NON_BYTE = 256  # random spans use merged tokens, not the raw byte symbols


def encode_stream(tok, sentences):
    ids = []
    for s in sentences:
        ids.extend(tok.encode(' ' + s))
    return np.array(ids, dtype=np.int64)


def synthetic_window(rng, n_text_prefix, text):
    span = [rng.randrange(FIRST_NON_BYTE, CONFIG['eos_token_id']) for _ in range(rng.randint(*SYNTH_SPAN))]
    out = list(text[:n_text_prefix])
    while len(out) < SEQ + 1:
        out.extend(span)
    return out[:SEQ + 1]


def make_batch_fn(stream, seed):
    rng = random.Random(seed)

    def batch(_step):
        rows = []
        for _ in range(BATCH):
            start = rng.randrange(0, len(stream) - SEQ - 1)
            window = stream[start:start + SEQ + 1].tolist()
            if rng.random() < SYNTH_FRACTION:
                window = synthetic_window(rng, rng.randint(0, 32), window)
            rows.append(window)
        return torch.tensor(rows)
    return batch


def loss_fn(model, batch):
    logits = model(batch[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1)), {}


def main(seed=0, steps=2000, out_dir=MODELS / 'tiny-gpt2'):
    setup_torch(1)
    seed_all(seed)
    work = WORK / 'tiny-gpt2'
    work.mkdir(parents=True, exist_ok=True)
    logf = open(work / 'train.log', 'w')

    def log(msg):
        print(msg, file=logf, flush=True)

    tok = GPT2Tokenizer.load()
    train_stream = encode_stream(tok, corpus.load('train'))
    held = corpus.load('heldout')
    log(f'train stream {len(train_stream)} tokens')
    model = GPT2LMHeadModel(CONFIG)
    history, seconds = torch_train(model, make_batch_fn(train_stream, seed), steps, log)
    torch.save(model.state_dict(), work / 'model.pt')
    metrics = behaviours.gpt2_all(model, tok, held, seed)
    metrics.update({'train_seconds': round(seconds), 'steps': steps, 'batch': BATCH, 'seq': SEQ, 'peak_lr': PEAK_LR,
                    'final_train_loss': history[-1]['loss'], 'history': history, 'seed': seed,
                    'train_tokens': int(len(train_stream))})
    log(json.dumps({k: v for k, v in metrics.items() if k != 'history'}))
    out_dir.mkdir(parents=True, exist_ok=True)
    save(model.hf_state_dict(), out_dir / 'model.safetensors')
    write_json(out_dir / 'config.json', GPT2LMHeadModel.config_json(CONFIG))
    write_json(out_dir / 'generation_config.json', {'bos_token_id': CONFIG['eos_token_id'],
                                                    'eos_token_id': CONFIG['eos_token_id']})
    write_json(work / 'metrics.json', metrics)
    return metrics


def torch_train(model, batch_fn, steps, log):
    from .trainloop import train
    return train(model, batch_fn, loss_fn, steps, PEAK_LR, log)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--steps', type=int, default=2000)
    a = ap.parse_args()
    main(a.seed, a.steps)
