"""Held-out measurements of the behaviours each tiny model must show. Recipes are written out in
tools/train/README.md so that the TypeScript `npm run models:check` can repeat them."""
import math
import random

import numpy as np
import torch
from torch.nn import functional as F

N_SENTENCES = 200        # held-out sentences for attention-pattern figures
INDUCTION_TRIALS = 100   # random repeated sequences for the induction score
INDUCTION_SPAN = 40      # length of the random span (repeated once)


def _sample_sentences(held, seed, n=N_SENTENCES):
    rng = random.Random(seed + 1)
    return rng.sample(held, n)


def _best(scores, min_layer=0):
    """scores[layer][head] -> (layer, head, value) of the best head in layers >= min_layer."""
    best = (-1, -1, -1.0)
    for l, row in enumerate(scores):
        for h, v in enumerate(row):
            if l >= min_layer and v > best[2]:
                best = (l, h, float(v))
    return {'layer': best[0], 'head': best[1], 'value': round(best[2], 4)}


# ---------------------------------------------------------------- tiny-gpt2

@torch.no_grad()
def gpt2_perplexity(model, tok, held, seq=128):
    """Held-out sentences encoded each with a leading space and concatenated (as in training), cut
    into non-overlapping windows of `seq` tokens; mean next-token cross-entropy over every position
    that has a predecessor in its window; perplexity = exp(mean)."""
    ids = []
    for s in held:
        ids.extend(tok.encode(' ' + s))
    total, count = 0.0, 0
    for i in range(0, len(ids) - 1, seq * 16):
        rows = [ids[j:j + seq] for j in range(i, min(i + seq * 16, len(ids)), seq)]
        rows = [r for r in rows if len(r) == seq]
        if not rows:
            break
        x = torch.tensor(rows)
        logits = model(x)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1), reduction='sum')
        total += loss.item()
        count += x[:, 1:].numel()
    return {'loss': round(total / count, 4), 'perplexity': round(math.exp(total / count), 2), 'tokens': count}


@torch.no_grad()
def gpt2_previous_token(model, tok, held, seed):
    """For each head: mean over held-out sentences (encoded alone, no special tokens, up to 128
    tokens) and over query positions i >= 1 of the attention probability on key i-1."""
    sums, n = None, 0
    for s in _sample_sentences(held, seed):
        ids = tok.encode(s)[:128]
        if len(ids) < 2:
            continue
        _, probs = model(torch.tensor([ids]), output_attentions=True)
        a = torch.stack([p[0] for p in probs])  # [L, H, T, T]
        t = a.shape[-1]
        prev = a[:, :, torch.arange(1, t), torch.arange(0, t - 1)]  # [L, H, T-1]
        sums = prev.sum(-1) if sums is None else sums + prev.sum(-1)
        n += t - 1
    scores = (sums / n).tolist()
    return {'best': _best(scores), 'scores': [[round(v, 4) for v in r] for r in scores]}


@torch.no_grad()
def gpt2_induction(model, seed, vocab_lo=256, vocab_hi=3999, eot=3999):
    """INDUCTION_TRIALS sequences: <|endoftext|> then a span of INDUCTION_SPAN tokens drawn uniformly
    (without replacement) from ids [256, 3999), then the same span again. For each query position in
    the second copy (token r_j at position 1+L+j), the score is the attention on position 1+j+1, the
    token right after r_j's first occurrence; averaged over j = 0..L-1 and trials. Also reports the
    loss on the second copy (low = the model copies)."""
    rng = random.Random(seed + 2)
    L = INDUCTION_SPAN
    sums, copy_loss = None, 0.0
    for _ in range(INDUCTION_TRIALS):
        span = rng.sample(range(vocab_lo, vocab_hi), L)
        ids = [eot] + span + span
        logits, probs = model(torch.tensor([ids]), output_attentions=True)
        a = torch.stack([p[0] for p in probs])
        q = torch.arange(1 + L, 1 + 2 * L)
        k = torch.arange(2, 2 + L)
        s = a[:, :, q, k].mean(-1)
        sums = s if sums is None else sums + s
        x = torch.tensor(ids)
        copy_loss += F.cross_entropy(logits[0, L:-1], x[L + 1:]).item()
    scores = (sums / INDUCTION_TRIALS).tolist()
    return {'best_layer_ge_1': _best(scores, min_layer=1), 'scores': [[round(v, 4) for v in r] for r in scores],
            'second_copy_loss': round(copy_loss / INDUCTION_TRIALS, 4)}


def gpt2_all(model, tok, held, seed):
    model.eval()
    return {'heldout': gpt2_perplexity(model, tok, held), 'previous_token': gpt2_previous_token(model, tok, held, seed),
            'induction': gpt2_induction(model, seed)}


# ---------------------------------------------------------------- tiny-bert

def mask_tokens(ids, rng, vocab_size, specials, mask_id, rate=0.15):
    """BERT masking: each non-special token is chosen with probability `rate` (at least one per
    sequence); a chosen token becomes [MASK] 80 %, a random non-special token 10 %, itself 10 %."""
    ids = list(ids)
    labels = [-100] * len(ids)
    cand = [i for i, t in enumerate(ids) if t not in specials]
    chosen = [i for i in cand if rng.random() < rate]
    if not chosen and cand:
        chosen = [rng.choice(cand)]
    for i in chosen:
        labels[i] = ids[i]
        r = rng.random()
        if r < 0.8:
            ids[i] = mask_id
        elif r < 0.9:
            ids[i] = rng.randrange(len(specials), vocab_size)
    return ids, labels


@torch.no_grad()
def bert_mlm(model, tok, held, seed, vocab_size=4000, max_len=128):
    """Every held-out sentence, encoded alone as [CLS] s [SEP] (cut to 128 tokens), masked with
    mask_tokens(random.Random(seed + 3)) in file order; top-1/top-5 accuracy of the logits at the
    chosen positions against the original tokens."""
    from .tok_bert import MASK, SPECIALS
    rng = random.Random(seed + 3)
    top1 = top5 = n = 0
    loss = 0.0
    batch = []

    def flush():
        nonlocal top1, top5, n, loss
        t = max(len(b[0]) for b in batch)
        x = torch.tensor([b[0] + [0] * (t - len(b[0])) for b in batch])
        y = torch.tensor([b[1] + [-100] * (t - len(b[1])) for b in batch])
        m = torch.tensor([[1] * len(b[0]) + [0] * (t - len(b[0])) for b in batch])
        logits = model(x, attention_mask=m)
        sel = y != -100
        lg, lab = logits[sel], y[sel]
        loss += F.cross_entropy(lg, lab, reduction='sum').item()
        top = lg.topk(5, -1).indices
        top1 += (top[:, 0] == lab).sum().item()
        top5 += (top == lab[:, None]).any(-1).sum().item()
        n += lab.numel()
        batch.clear()

    for s in held:
        ids, _ = tok.encode(s)
        ids = ids[:max_len - 1] + [ids[-1]] if len(ids) > max_len else ids
        batch.append(mask_tokens(ids, rng, vocab_size, set(range(len(SPECIALS))), MASK))
        if len(batch) == 64:
            flush()
    if batch:
        flush()
    return {'top1': round(top1 / n, 4), 'top5': round(top5 / n, 4), 'loss': round(loss / n, 4), 'masked_tokens': n}


@torch.no_grad()
def bert_prev_next(model, tok, held, seed):
    """For each head: over N_SENTENCES held-out sentences encoded as [CLS] s [SEP] (no masking), mean
    over non-special query positions i of the attention on key i-1 (previous) and on key i+1 (next).
    Neighbours may be [CLS]/[SEP]."""
    prev_sum = next_sum = None
    n = 0
    for s in _sample_sentences(held, seed):
        ids, _ = tok.encode(s)
        ids = ids[:128]
        if len(ids) < 3:
            continue
        _, probs = model(torch.tensor([ids]), output_attentions=True)
        a = torch.stack([p[0] for p in probs])
        q = torch.arange(1, len(ids) - 1)
        p_ = a[:, :, q, q - 1].sum(-1)
        n_ = a[:, :, q, q + 1].sum(-1)
        prev_sum = p_ if prev_sum is None else prev_sum + p_
        next_sum = n_ if next_sum is None else next_sum + n_
        n += len(q)
    prev, nxt = (prev_sum / n).tolist(), (next_sum / n).tolist()
    return {'previous': {'best': _best(prev), 'scores': [[round(v, 4) for v in r] for r in prev]},
            'next': {'best': _best(nxt), 'scores': [[round(v, 4) for v in r] for r in nxt]}}


def bert_all(model, tok, held, seed):
    model.eval()
    return {'mlm': bert_mlm(model, tok, held, seed), 'attention': bert_prev_next(model, tok, held, seed)}


# ---------------------------------------------------------------- tiny-t5

REVERSE_EVAL = 500  # held-out reverse examples


def reverse_eval_set(task, seed):
    rng = random.Random(seed + 4)
    return [task.example(rng) for _ in range(REVERSE_EVAL)]


def _pad(rows, fill=0):
    t = max(len(r) for r in rows)
    return torch.tensor([r + [fill] * (t - len(r)) for r in rows]), torch.tensor([[1] * len(r) + [0] * (t - len(r)) for r in rows])


@torch.no_grad()
def t5_reverse(model, examples, batch=100):
    """Exact match: greedy decoding (decoder_start_token_id 0, stop at </s>, at most 64 steps) must
    reproduce the target ids exactly, </s> included.
    Alignment: teacher-forced on the gold target (decoder input = [0] + labels[:-1]); the query at
    decoder position t predicts labels[t]; for every non-</s> target token, the argmax over source
    positions of the cross-attention must land on a source token of the same word (word map in
    t5_tasks). Reported per head, per layer with heads averaged, and the best of each.
    Piece alignment: the same argmax must land on the very source piece the target token copies
    (e['tgt_src']); reported for the head with the best word alignment and for the best head.
    Exact match is also reported by number of words, 3-6 and 7-10."""
    from .model_t5 import T5ForConditionalGeneration as T5
    exact = 0
    n_layers = model.cfg['num_decoder_layers']
    n_heads = model.cfg['num_heads']
    hits_head = torch.zeros(n_layers, n_heads)
    hits_layer = torch.zeros(n_layers)
    hits_piece = torch.zeros(n_layers, n_heads)
    count = 0
    buckets = {'3-6': [0, 0], '7-10': [0, 0]}
    for i in range(0, len(examples), batch):
        ex = examples[i:i + batch]
        x, m = _pad([e['input_ids'] for e in ex])
        out = model.greedy(x, max_len=64, attention_mask=m).tolist()
        for e, o in zip(ex, out):
            o = o[:o.index(1) + 1] if 1 in o else o
            exact += int(o == e['labels'])
            b = buckets['3-6' if len(e['words']) <= 6 else '7-10']
            b[0] += int(o == e['labels'])
            b[1] += 1
        y, _ = _pad([e['labels'] for e in ex])
        dec = T5.shift_right(y)
        _, att = model(x, dec, attention_mask=m, output_attentions=True)
        cross = torch.stack(att['cross'], 1)  # [B, L, H, T, S]
        for b, e in enumerate(ex):
            src_word = torch.tensor(e['src_word'])
            for t, w in enumerate(e['tgt_word']):
                if w < 0:
                    continue
                count += 1
                a = cross[b, :, :, t, :len(e['input_ids'])]  # [L, H, S]
                hits_head += (src_word[a.argmax(-1)] == w).float()
                if 'tgt_src' in e:
                    hits_piece += (a.argmax(-1) == e['tgt_src'][t]).float()
                hits_layer += (src_word[a.mean(1).argmax(-1)] == w).float()
    head = (hits_head / count).tolist()
    layer = (hits_layer / count).tolist()
    best_layer = max(range(n_layers), key=lambda l: layer[l])
    piece = (hits_piece / count).tolist()
    bh = _best(head)
    return {'exact_match': round(exact / len(examples), 4), 'examples': len(examples), 'target_tokens': count,
            'exact_match_by_words': {k: {'value': round(a / max(1, n), 4), 'examples': n} for k, (a, n) in buckets.items()},
            'piece_alignment_of_best_head': {'layer': bh['layer'], 'head': bh['head'],
                                             'value': round(piece[bh['layer']][bh['head']], 4)},
            'piece_alignment_best_head': _best(piece),
            'alignment_best_head': _best(head),
            'alignment_best_layer_mean': {'layer': best_layer, 'value': round(layer[best_layer], 4)},
            'alignment_head': [[round(v, 4) for v in r] for r in head],
            'alignment_layer_mean': [round(v, 4) for v in layer]}


@torch.no_grad()
def t5_span_loss(model, examples, batch=64):
    """Mean token cross-entropy (and token accuracy) on held-out span-corruption examples."""
    from .model_t5 import T5ForConditionalGeneration as T5
    tot = acc = n = 0.0
    for i in range(0, len(examples), batch):
        ex = examples[i:i + batch]
        x, m = _pad([e[0] for e in ex])
        y, ym = _pad([e[1] for e in ex], fill=-100)
        logits = model(x, T5.shift_right(y), attention_mask=m)
        sel = y != -100
        tot += F.cross_entropy(logits[sel], y[sel], reduction='sum').item()
        acc += (logits[sel].argmax(-1) == y[sel]).sum().item()
        n += sel.sum().item()
    return {'loss': round(tot / n, 4), 'token_accuracy': round(acc / n, 4), 'target_tokens': int(n)}


# ---------------------------------------------------------------- tiny-llama

LLAMA_BOS = 1
LLAMA_FIRST_LEARNED = 259  # after <unk>, <s>, </s> and the 256 byte pieces


@torch.no_grad()
def llama_perplexity(model, tok, held, seq=128):
    """Held-out sentences encoded by SentencePiece (dummy prefix, no specials) and concatenated, as
    in training; cut into consecutive windows of seq - 1 tokens, each run behind <s> (seq tokens in
    all); mean cross-entropy of every window token given <s> and the window's tokens before it."""
    ids = []
    for s in held:
        ids.extend(tok.encode_plain(s))
    n = seq - 1
    rows = [[LLAMA_BOS] + ids[j:j + n] for j in range(0, len(ids) - n + 1, n)]
    total, count = 0.0, 0
    for i in range(0, len(rows), 16):
        x = torch.tensor(rows[i:i + 16])
        logits = model(x)
        total += F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1), reduction='sum').item()
        count += x[:, 1:].numel()
    return {'loss': round(total / count, 4), 'perplexity': round(math.exp(total / count), 2), 'tokens': count,
            'windows': len(rows)}


@torch.no_grad()
def llama_patterns(model, tok, held, seed):
    """The 200 sampled held-out sentences, each encoded alone as tokenizer.json does (<s> first, up to
    128 tokens). Previous-token score per head: mean over query positions i >= 2 of attn[i][i-1]
    (i = 1 is left out: its previous token is <s>, where a sink head looks anyway). Sink share per
    head: mean over query positions i >= 1 of attn[i][0], the weight on <s>."""
    prev_sum = sink_sum = None
    n_prev = n_sink = 0
    for s in _sample_sentences(held, seed):
        ids = tok.encode(s)[:128]
        if len(ids) < 3:
            continue
        _, probs = model(torch.tensor([ids]), output_attentions=True)
        a = torch.stack([p[0] for p in probs])  # [L, H, T, T]
        t = a.shape[-1]
        prev = a[:, :, torch.arange(2, t), torch.arange(1, t - 1)].sum(-1)
        sink = a[:, :, 1:, 0].sum(-1)
        prev_sum = prev if prev_sum is None else prev_sum + prev
        sink_sum = sink if sink_sum is None else sink_sum + sink
        n_prev += t - 2
        n_sink += t - 1
    prev = (prev_sum / n_prev).tolist()
    sink = (sink_sum / n_sink).tolist()
    rnd = lambda m: [[round(v, 4) for v in r] for r in m]
    return {'previous_token': {'best': _best(prev), 'scores': rnd(prev)},
            'sink': {'best': _best(sink), 'scores': rnd(sink),
                     'layer_means': [round(sum(r) / len(r), 4) for r in sink]}}


def llama_induction(model, seed, vocab_size=4000):
    """As gpt2_induction, behind <s>, with spans of learned pieces (ids 259..3999)."""
    return gpt2_induction(model, seed, vocab_lo=LLAMA_FIRST_LEARNED, vocab_hi=vocab_size, eot=LLAMA_BOS)


def llama_all(model, tok, held, seed):
    model.eval()
    return {'heldout': llama_perplexity(model, tok, held), **llama_patterns(model, tok, held, seed),
            'induction': llama_induction(model, seed)}
