"""tiny-t5's two text-to-text tasks, built directly as token ids with the SentencePiece model.

reverse: the input is "reverse: w1 w2 ... wn" (3..10 words), the target "wn ... w1" + </s>.
  Words are lower-case alphabetic corpus words seen >= 5 times (train split for training, held-out split for evaluation).
  Every word is encoded on its own (SentencePiece splits at spaces, so this equals encoding the
  whole string), which gives the token -> word map: a word is the run of pieces from one starting
  with '\u2581' up to the next such piece.
span corruption (no prefix, as in T5 pre-training): ~15 % of a sentence's tokens in spans of mean
  length 3 are replaced by <extra_id_0>, <extra_id_1>, ...; the target lists each sentinel followed
  by the tokens it replaced, then one closing sentinel and </s>.
"""
import random
import re
from collections import Counter

from .tok_t5 import EOS

PREFIX = 'reverse:'
MIN_WORDS, MAX_WORDS = 3, 10
MIN_WORD_COUNT = 5  # a word must occur this often in its split to be used
NOISE_DENSITY = 0.15
MEAN_SPAN = 3.0
MAX_SPAN_SENTENCE = 48


def word_pool(sentences, single_piece_tok=None):
    """Lower-case alphabetic words seen >= MIN_WORD_COUNT times; with a tokenizer, only the words
    that are one SentencePiece piece ('\u2581word')."""
    counts = Counter(w for s in sentences for w in s.split() if re.fullmatch(r'[a-z]+', w))
    pool = sorted(w for w, c in counts.items() if c >= MIN_WORD_COUNT)
    if single_piece_tok is not None:
        pool = [w for w in pool if len(single_piece_tok.sp.encode(w)) == 1]
    return pool


class ReverseTask:
    def __init__(self, tok, words):
        self.tok = tok
        self.words = words
        self.prefix_ids = tok.sp.encode(PREFIX)
        self.cache = {}

    def word_ids(self, w):
        if w not in self.cache:
            self.cache[w] = self.tok.sp.encode(w)
        return self.cache[w]

    def example(self, rng):
        n = rng.randint(MIN_WORDS, MAX_WORDS)
        words = [rng.choice(self.words) for _ in range(n)]
        return self.build(words)

    def build(self, words):
        src, src_word = list(self.prefix_ids), [-1] * len(self.prefix_ids)
        for i, w in enumerate(words):
            ids = self.word_ids(w)
            src += ids
            src_word += [i] * len(ids)
        src.append(EOS)
        src_word.append(-1)
        tgt, tgt_word = [], []
        for i in reversed(range(len(words))):
            ids = self.word_ids(words[i])
            tgt += ids
            tgt_word += [i] * len(ids)
        tgt.append(EOS)
        tgt_word.append(-1)
        return {'words': words, 'input_ids': src, 'labels': tgt, 'src_word': src_word, 'tgt_word': tgt_word}


def span_corruption(ids, rng, first_sentinel):
    n = len(ids)
    n_noise = max(1, round(n * NOISE_DENSITY))
    n_spans = max(1, round(n_noise / MEAN_SPAN))
    # Random span lengths summing to n_noise, placed at random non-overlapping starts.
    cuts = sorted(rng.sample(range(1, n_noise), n_spans - 1)) if n_spans > 1 and n_noise > n_spans else []
    lengths = [b - a for a, b in zip([0] + cuts, cuts + [n_noise])] if cuts else [n_noise]
    n_spans = len(lengths)
    gaps_total = n - n_noise
    gap_cuts = sorted(rng.sample(range(0, gaps_total + 1), n_spans)) if gaps_total + 1 >= n_spans else [0] * n_spans
    inp, tgt, pos, prev = [], [], 0, 0
    for k, (g, ln) in enumerate(zip(gap_cuts, lengths)):
        keep = g - prev
        prev = g
        inp += ids[pos:pos + keep]
        pos += keep
        inp.append(first_sentinel + k)
        tgt.append(first_sentinel + k)
        tgt += ids[pos:pos + ln]
        pos += ln
    inp += ids[pos:]
    tgt.append(first_sentinel + n_spans)
    return inp + [EOS], tgt + [EOS]
