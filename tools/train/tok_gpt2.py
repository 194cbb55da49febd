"""tiny-gpt2 tokenizer: GPT-2-style byte-level BPE, trained here on the Brown train split.

Vocabulary: ids 0..255 are the 256 byte symbols (in GPT-2's bytes_to_unicode order), then one
token per merge in rank order, then <|endoftext|> last (as GPT-2 puts it at 50256).
"""
import re
from collections import Counter

from .bpe_train import learn_merges
from .common import MODELS, write_json

VOCAB_SIZE = 4000
EOT = '<|endoftext|>'
# GPT-2's pattern with \p{L} -> [^\W\d_] and \p{N} -> \d (Python's re has no \p{..}); identical
# on ASCII text, which the Brown Corpus is (checked in corpus.py's output by the Node test).
GPT2_PATTERN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


BYTE_ENCODER = bytes_to_unicode()


def pretokenize(text):
    return [''.join(BYTE_ENCODER[b] for b in m.encode('utf-8')) for m in GPT2_PATTERN.findall(text)]


def train(sentences):
    counts = Counter()
    for s in sentences:
        # In the LM stream sentences follow each other with a space, so words carry their Ġ.
        counts.update(pretokenize(' ' + s))
    word_counts = {tuple(w): c for w, c in counts.items()}
    n_merges = VOCAB_SIZE - 256 - 1
    merges = learn_merges(word_counts, n_merges)
    return merges


class GPT2Tokenizer:
    def __init__(self, merges):
        self.merges = merges
        self.vocab = {ch: i for i, ch in enumerate(BYTE_ENCODER.values())}
        for a, b in merges:
            self.vocab[a + b] = len(self.vocab)
        self.vocab[EOT] = len(self.vocab)
        self.eot_id = self.vocab[EOT]
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.cache = {}

    @classmethod
    def load(cls, path=MODELS / 'tiny-gpt2' / 'tokenizer.json'):
        import json
        tj = json.load(open(path, encoding='utf-8'))
        return cls([tuple(m.split(' ')) for m in tj['model']['merges']])

    def bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best = min(((self.ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))))
            if best[0] == 1 << 30:
                break
            a, b = self.merges[best[0]]
            out, j = [], 0
            while j < len(parts):
                if j + 1 < len(parts) and parts[j] == a and parts[j + 1] == b:
                    out.append(a + b)
                    j += 2
                else:
                    out.append(parts[j])
                    j += 1
            parts = out
        self.cache[word] = parts
        return parts

    def encode(self, text):
        ids = []
        for chunk in re.split(f'({re.escape(EOT)})', text):
            if chunk == EOT:
                ids.append(self.eot_id)
            elif chunk:
                for w in pretokenize(chunk):
                    ids.extend(self.vocab[p] for p in self.bpe(w))
        return ids

    def decode(self, ids):
        dec = {v: k for k, v in BYTE_ENCODER.items()}
        text = ''.join(self.id_to_token[i] for i in ids)
        out = bytearray()
        for ch in text:
            if ch in dec:
                out.append(dec[ch])
            else:
                out.extend(ch.encode('utf-8'))
        return out.decode('utf-8', errors='replace')

    def tokenizer_json(self):
        return {
            'version': '1.0',
            'truncation': None,
            'padding': None,
            'added_tokens': [{'id': self.eot_id, 'content': EOT, 'single_word': False, 'lstrip': False,
                              'rstrip': False, 'normalized': True, 'special': True}],
            'normalizer': None,
            'pre_tokenizer': {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True},
            'post_processor': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': False, 'use_regex': True},
            'decoder': {'type': 'ByteLevel', 'add_prefix_space': True, 'trim_offsets': True, 'use_regex': True},
            'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': '',
                      'end_of_word_suffix': '', 'fuse_unk': False, 'byte_fallback': False, 'ignore_merges': False,
                      'vocab': self.vocab, 'merges': [f'{a} {b}' for a, b in self.merges]},
        }

    def save(self, out_dir=MODELS / 'tiny-gpt2'):
        write_json(out_dir / 'tokenizer.json', self.tokenizer_json(), indent=None)
        write_json(out_dir / 'tokenizer_config.json', {
            'tokenizer_class': 'GPT2Tokenizer', 'model_max_length': 256, 'bos_token': EOT, 'eos_token': EOT,
            'unk_token': EOT, 'add_prefix_space': False, 'clean_up_tokenization_spaces': False})
