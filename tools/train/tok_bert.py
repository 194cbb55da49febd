"""tiny-bert tokenizer: uncased WordPiece, trained here on the Brown train split.

Training learns BPE-style merges over words split into a first character and '##'-prefixed
continuation characters (as Hugging Face's WordPiece trainer does); the vocabulary is then used
with WordPiece's greedy longest-match-first encoding, which is what the encoder below and
tokenizer.json's WordPiece model both run.
"""
import re
import unicodedata
from collections import Counter

from .bpe_train import learn_merges
from .common import MODELS, write_json

VOCAB_SIZE = 4000
SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']
PAD, UNK, CLS, SEP, MASK = range(5)
SPECIAL_RE = re.compile('(' + '|'.join(re.escape(t) for t in SPECIALS) + ')')
MAX_CHARS_PER_WORD = 100


def _is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith('P')


def _is_control(ch):
    if ch in '\t\n\r':
        return False
    return unicodedata.category(ch) in ('Cc', 'Cf', 'Co', 'Cs')


def normalize(text):
    """BertNormalizer(clean_text, handle_chinese_chars, lowercase, strip_accents)."""
    out = []
    for ch in text:
        if ord(ch) in (0, 0xFFFD) or _is_control(ch):
            continue
        out.append(' ' if ch.isspace() else ch)
    text = ''.join(out).lower()
    text = unicodedata.normalize('NFD', text)
    return ''.join(ch for ch in text if unicodedata.category(ch) != 'Mn')


def pretokenize(text):
    """BertPreTokenizer: split on whitespace, each punctuation character its own word."""
    words, cur = [], []
    for ch in text:
        if ch.isspace() or _is_punct(ch):
            if cur:
                words.append(''.join(cur))
                cur = []
            if not ch.isspace():
                words.append(ch)
        else:
            cur.append(ch)
    if cur:
        words.append(''.join(cur))
    return words


def train(sentences):
    counts = Counter()
    for s in sentences:
        counts.update(pretokenize(normalize(s)))
    alphabet = sorted({ch for w in counts for ch in w})
    initial = alphabet + ['##' + ch for ch in alphabet]
    word_counts = {tuple([w[0]] + ['##' + ch for ch in w[1:]]): c for w, c in counts.items()}
    n_merges = VOCAB_SIZE - len(SPECIALS) - len(initial)
    merges = learn_merges(word_counts, n_merges, join=lambda a, b: a + b[2:])
    vocab = SPECIALS + initial
    seen = set(vocab)
    for a, b in merges:
        t = a + b[2:]
        if t not in seen:
            seen.add(t)
            vocab.append(t)
    return vocab


class BertTokenizer:
    def __init__(self, vocab_list):
        self.vocab = {t: i for i, t in enumerate(vocab_list)}
        self.id_to_token = list(vocab_list)

    @classmethod
    def load(cls, path=MODELS / 'tiny-bert' / 'tokenizer.json'):
        import json
        v = json.load(open(path, encoding='utf-8'))['model']['vocab']
        return cls(sorted(v, key=v.get))

    def wordpiece(self, word):
        if len(word) > MAX_CHARS_PER_WORD:
            return [UNK]
        ids, start = [], 0
        while start < len(word):
            end, cur = len(word), None
            while start < end:
                sub = word[start:end] if start == 0 else '##' + word[start:end]
                if sub in self.vocab:
                    cur = self.vocab[sub]
                    break
                end -= 1
            if cur is None:
                return [UNK]
            ids.append(cur)
            start = end
        return ids

    def encode_plain(self, text):
        """Special tokens written in the text ("[MASK]") are matched first, as added tokens are."""
        ids = []
        for k, part in enumerate(SPECIAL_RE.split(text)):
            if k % 2 == 1:
                ids.append(self.vocab[part])
                continue
            for w in pretokenize(normalize(part)):
                ids.extend(self.wordpiece(w))
        return ids

    def encode(self, text, pair=None):
        """With special tokens; returns (ids, token_type_ids)."""
        a = [CLS] + self.encode_plain(text) + [SEP]
        tt = [0] * len(a)
        if pair is not None:
            b = self.encode_plain(pair) + [SEP]
            a += b
            tt += [1] * len(b)
        return a, tt

    def tokenizer_json(self):
        return {
            'version': '1.0',
            'truncation': None,
            'padding': None,
            'added_tokens': [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
                              'normalized': False, 'special': True} for i, t in enumerate(SPECIALS)],
            'normalizer': {'type': 'BertNormalizer', 'clean_text': True, 'handle_chinese_chars': True,
                           'strip_accents': None, 'lowercase': True},
            'pre_tokenizer': {'type': 'BertPreTokenizer'},
            'post_processor': {
                'type': 'TemplateProcessing',
                'single': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                           {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}],
                'pair': [{'SpecialToken': {'id': '[CLS]', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                         {'SpecialToken': {'id': '[SEP]', 'type_id': 0}}, {'Sequence': {'id': 'B', 'type_id': 1}},
                         {'SpecialToken': {'id': '[SEP]', 'type_id': 1}}],
                'special_tokens': {'[CLS]': {'id': '[CLS]', 'ids': [CLS], 'tokens': ['[CLS]']},
                                   '[SEP]': {'id': '[SEP]', 'ids': [SEP], 'tokens': ['[SEP]']}},
            },
            'decoder': {'type': 'WordPiece', 'prefix': '##', 'cleanup': True},
            'model': {'type': 'WordPiece', 'unk_token': '[UNK]', 'continuing_subword_prefix': '##',
                      'max_input_chars_per_word': MAX_CHARS_PER_WORD, 'vocab': self.vocab},
        }

    def save(self, out_dir=MODELS / 'tiny-bert'):
        write_json(out_dir / 'tokenizer.json', self.tokenizer_json(), indent=None)
        write_json(out_dir / 'tokenizer_config.json', {
            'tokenizer_class': 'BertTokenizer', 'do_lower_case': True, 'model_max_length': 128,
            'unk_token': '[UNK]', 'sep_token': '[SEP]', 'pad_token': '[PAD]', 'cls_token': '[CLS]',
            'mask_token': '[MASK]', 'strip_accents': None, 'tokenize_chinese_chars': True,
            'clean_up_tokenization_spaces': True})
