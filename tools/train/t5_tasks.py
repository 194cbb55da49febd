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


# Phase 6 onwards: words of every length in pieces, drawn by piece count (PIECE_WEIGHTS) so that
# long words are not swamped by the many short ones nor the other way round.
MAX_TRAIN_PIECES = 6
PIECE_WEIGHTS = {1: 0.2, 2: 0.25, 3: 0.25, 4: 0.18, 5: 0.08, 6: 0.04}
# The unseen-word evaluation: words of the held-out files that never occur, in any case, in the
# training files (so no phase, no task and not the tokenizer ever saw them), of 1..MAX_TEST_PIECES pieces.
MAX_TEST_PIECES = 4


def training_words(sentences):
    """Every word of the training files, lower-cased, that is alphabetic: the words any training
    example (reverse or span corruption, any phase) can contain. Written to
    tests/fixtures/tiny-t5-train-words.txt so that tests can build inputs from words outside it."""
    return sorted({w.lower() for s in sentences for w in s.split() if re.fullmatch(r'[a-z]+', w.lower())})


def unseen_words(heldout_sentences, train_words, tok, max_pieces=MAX_TEST_PIECES):
    """Lower-case alphabetic words of the held-out files not in train_words, of <= max_pieces pieces."""
    seen = set(train_words)
    words = sorted({w for s in heldout_sentences for w in s.split() if re.fullmatch(r'[a-z]+', w) and w not in seen})
    return [w for w in words if len(tok.sp.encode(w)) <= max_pieces]


def all_words_pool(sentences, tok, max_pieces=MAX_TRAIN_PIECES):
    """Lower-case alphabetic words of the sentences (any count), of <= max_pieces pieces."""
    words = sorted({w for s in sentences for w in s.split() if re.fullmatch(r'[a-z]+', w)})
    return [w for w in words if len(tok.sp.encode(w)) <= max_pieces]


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
        starts = [src_word.index(i) for i in range(len(words))]
        tgt, tgt_word, tgt_src = [], [], []
        for i in reversed(range(len(words))):
            ids = self.word_ids(words[i])
            tgt += ids
            tgt_word += [i] * len(ids)
            tgt_src += [starts[i] + j for j in range(len(ids))]
        tgt.append(EOS)
        tgt_word.append(-1)
        tgt_src.append(-1)
        # tgt_src: the source position of the very piece each target token copies.
        return {'words': words, 'input_ids': src, 'labels': tgt, 'src_word': src_word, 'tgt_word': tgt_word,
                'tgt_src': tgt_src}


class BalancedReverseTask(ReverseTask):
    """ReverseTask whose words are drawn by piece count first (weights), then uniformly within it;
    a share `single_piece_lists` of the examples has single-piece words only (lists of short common
    words, which the mixed lists almost never are)."""

    def __init__(self, tok, words, weights=None, single_piece_lists=0.0):
        super().__init__(tok, words)
        self.single_piece_lists = single_piece_lists
        self.buckets = {}
        for w in words:
            self.buckets.setdefault(len(self.word_ids(w)), []).append(w)
        weights = weights or PIECE_WEIGHTS
        self.counts = [k for k in sorted(self.buckets) if weights.get(k, 0) > 0]
        self.weights = [weights[k] for k in self.counts]

    def example(self, rng):
        n = rng.randint(MIN_WORDS, MAX_WORDS)
        if self.single_piece_lists and rng.random() < self.single_piece_lists:
            return self.build([rng.choice(self.buckets[1]) for _ in range(n)])
        words = [rng.choice(self.buckets[rng.choices(self.counts, self.weights)[0]]) for _ in range(n)]
        return self.build(words)


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
