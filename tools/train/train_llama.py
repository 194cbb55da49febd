"""tiny-llama: causal LM on the Brown train split, with tiny-gpt2's synthetic windows mixed in so
that a previous-token head and an induction head form within the CPU budget: windows that
alternate two random tokens (x y x y …, whose next token is the one before the current one, which
only a previous-token head sees) and windows that repeat a random span (induction).

Every window starts with <s> (as every LLaMA document does), so position 0 always holds the same
token: the place where an attention sink can form. Text windows are <s> + 128 consecutive tokens of
the stream of training sentences, each encoded by SentencePiece (dummy prefix "▁", no specials)
and concatenated; a synthetic window keeps <s> and a text prefix of 0–32 tokens.

Phases run in order, each with a fresh optimizer; constant learning rate after warm-up except the
last, so a run stopped at a checkpoint equals a shorter run. `--resume K` starts after phase K from
its last checkpoint; `--finalize-at N` takes the last phase's checkpoint at step N instead of
training it."""
import argparse
import json
import random

import numpy as np
import torch
from torch.nn import functional as F

from . import behaviours, corpus
from .common import MODELS, start_run, write_json
from .model_llama import LlamaForCausalLM
from .safetensors_io import save
from .tok_llama import BOS, EOS, FIRST_LEARNED, VOCAB_SIZE, LlamaTokenizer
from .trainloop import run_phases

CONFIG = dict(vocab_size=VOCAB_SIZE, hidden_size=128, intermediate_size=352, num_hidden_layers=4,
              num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5,
              rope_theta=10000.0, bos_token_id=BOS, eos_token_id=EOS, initializer_range=128 ** -0.5)
SEQ = 128
BATCH = 16
PEAK_LR = 2e-3
PHASES = [
    # Phase 1: natural text only.
    {'steps': 300, 'synth_fraction': 0.0, 'alternate_fraction': 0.0, 'seed_offset': 0, 'schedule': 'constant'},
    # Phase 2: tiny-gpt2's last mix from the start (its first 1,300 steps with repeated spans alone
    # left attention near uniform): 30 % repeated spans, 25 % alternating pairs, the rest text.
    {'steps': 1500, 'synth_fraction': 0.3, 'alternate_fraction': 0.25, 'seed_offset': 100, 'schedule': 'constant'},
    # (probe: previous-token 0.43 / induction 0.05 at step 300, 0.84 / 0.88 at 700, 0.95 / 0.97 at 1,500)
    # Phase 3: the same mix, decaying the learning rate.
    {'steps': 800, 'synth_fraction': 0.3, 'alternate_fraction': 0.25, 'seed_offset': 200, 'schedule': 'cosine'},
]
SYNTH_SPAN = (8, 40)  # length range of a random span; it is repeated until the window is full
FIRST_RANDOM = FIRST_LEARNED  # random tokens are learned pieces, not specials or byte pieces


def encode_stream(tok, sentences):
    ids = []
    for s in sentences:
        ids.extend(tok.encode_plain(s))
    return np.array(ids, dtype=np.int64)


def synthetic_window(rng, n_text_prefix, text):
    span = [rng.randrange(FIRST_RANDOM, VOCAB_SIZE) for _ in range(rng.randint(*SYNTH_SPAN))]
    out = [BOS] + list(text[:n_text_prefix])
    while len(out) < SEQ + 1:
        out.extend(span)
    return out[:SEQ + 1]


def alternating_window(rng, n_text_prefix, text):
    x, y = rng.sample(range(FIRST_RANDOM, VOCAB_SIZE), 2)
    out = [BOS] + list(text[:n_text_prefix])
    while len(out) < SEQ + 1:
        out.extend([x, y])
    return out[:SEQ + 1]


def make_batch_fn(stream, seed, synth_fraction, alternate_fraction=0.0):
    rng = random.Random(seed)

    def batch(_step):
        rows = []
        for _ in range(BATCH):
            start = rng.randrange(0, len(stream) - SEQ)
            text = stream[start:start + SEQ].tolist()
            r = rng.random()
            if r < synth_fraction:
                window = synthetic_window(rng, rng.randint(0, 32), text)
            elif r < synth_fraction + alternate_fraction:
                window = alternating_window(rng, rng.randint(0, 32), text)
            else:
                window = [BOS] + text
            rows.append(window)
        return torch.tensor(rows)
    return batch


def loss_fn(model, batch):
    logits = model(batch[:, :-1])
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1)), {}


def main(seed=0, resume=0, finalize_at=None, out_dir=MODELS / 'tiny-llama'):
    work, log = start_run('tiny-llama', seed)
    tok = LlamaTokenizer.load()
    train_stream = encode_stream(tok, corpus.load('train'))
    held = corpus.load('heldout')
    log(f'train stream {len(train_stream)} tokens')
    model = LlamaForCausalLM(CONFIG)
    history, seconds = run_phases(
        model, PHASES, work, log, resume=resume, finalize_at=finalize_at,
        train_phase=lambda i, ph: torch_train(model, make_batch_fn(train_stream, seed + ph['seed_offset'], ph['synth_fraction'], ph.get('alternate_fraction', 0.0)),
                                              ph['steps'], log, schedule=ph.get('schedule', 'cosine'), ckpt=work / f'phase{i + 1}-step{{step}}.pt'))
    steps = sum(ph['steps'] for ph in PHASES)
    torch.save(model.state_dict(), work / 'model.pt')
    write_model(model, out_dir)
    metrics = behaviours.llama_all(model, tok, held, seed)
    metrics.update({'train_seconds': round(seconds), 'steps': steps, 'batch': BATCH, 'seq': SEQ, 'peak_lr': PEAK_LR, 'phases': PHASES,
                    'final_train_loss': history[-1]['loss'], 'history': history, 'seed': seed,
                    'train_tokens': int(len(train_stream))})
    log(json.dumps({k: v for k, v in metrics.items() if k != 'history'}))
    write_json(work / 'metrics.json', metrics)
    return metrics


def write_model(model, out_dir=MODELS / 'tiny-llama'):
    out_dir.mkdir(parents=True, exist_ok=True)
    save(model.hf_state_dict(), out_dir / 'model.safetensors')
    write_json(out_dir / 'config.json', LlamaForCausalLM.config_json(CONFIG))
    write_json(out_dir / 'generation_config.json', {'bos_token_id': BOS, 'eos_token_id': EOS})


def torch_train(model, batch_fn, steps, log, schedule='cosine', ckpt=None):
    from .trainloop import train
    return train(model, batch_fn, loss_fn, steps, PEAK_LR, log, schedule=schedule, ckpt=ckpt)


if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--resume', type=int, default=0)
    ap.add_argument('--finalize-at', type=int)
    a = ap.parse_args()
    main(a.seed, a.resume, a.finalize_at)
