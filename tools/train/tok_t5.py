"""tiny-t5 tokenizer: SentencePiece Unigram (sentencepiece's own trainer) converted to tokenizer.json.

Layout as T5: <pad>=0, </s>=1, <unk>=2, then the learned pieces, then the sentinels
<extra_id_0>..<extra_id_31> at the end of the vocabulary. The SentencePiece model uses the
'identity' normalisation rule, so tokenizer.json needs no precompiled charsmap: its normalizer only
strips the ends and collapses runs of spaces (what SentencePiece's remove_extra_whitespaces does).
"""
import re

import sentencepiece as spm

from .common import MODELS, WORK, write_json

VOCAB_SIZE = 4000
N_SENTINELS = 32
SP_VOCAB = VOCAB_SIZE - N_SENTINELS
PAD, EOS, UNK = 0, 1, 2
SENTINEL_RE = re.compile(r'<extra_id_(\d+)>')


def train(sentences, seed=0, work=WORK / 'tok_t5'):
    work.mkdir(parents=True, exist_ok=True)
    inp = work / 'train.txt'
    inp.write_text('\n'.join(sentences) + '\n', encoding='utf-8')
    spm.SentencePieceTrainer.train(
        input=str(inp), model_prefix=str(work / 'sp'), model_type='unigram', vocab_size=SP_VOCAB,
        pad_id=PAD, eos_id=EOS, unk_id=UNK, bos_id=-1, normalization_rule_name='identity',
        character_coverage=1.0, num_threads=1, input_sentence_size=0,
        shuffle_input_sentence=False, minloglevel=2, split_digits=False, byte_fallback=False)
    return (work / 'sp.model').read_bytes()


class T5Tokenizer:
    def __init__(self, sp_model_bytes):
        self.sp = spm.SentencePieceProcessor(model_proto=sp_model_bytes)
        assert self.sp.get_piece_size() == SP_VOCAB
        self.pieces = [(self.sp.id_to_piece(i), self.sp.get_score(i)) for i in range(SP_VOCAB)]
        self.pieces += [(f'<extra_id_{i}>', 0.0) for i in range(N_SENTINELS)]
        self.id_to_token = [p for p, _ in self.pieces]
        self.vocab = {p: i for i, p in enumerate(self.id_to_token)}

    @classmethod
    def load(cls, path=WORK / 'tok_t5' / 'sp.model'):
        return cls(path.read_bytes())

    def sentinel(self, i):
        return VOCAB_SIZE - N_SENTINELS + i

    def encode_plain(self, text):
        """Token ids without </s>; sentinels in the text map to their ids (stripping spaces around them)."""
        ids = []
        for k, part in enumerate(SENTINEL_RE.split(text)):
            if k % 2 == 1:
                ids.append(self.sentinel(int(part)))
            elif part.strip():
                ids.extend(self.sp.encode(part.strip()))
        return ids

    def encode(self, text):
        return self.encode_plain(text) + [EOS]

    def decode(self, ids):
        return self.sp.decode([i for i in ids if i < SP_VOCAB])

    def tokenizer_json(self):
        added = [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
                  'normalized': False, 'special': True} for i, t in [(PAD, '<pad>'), (EOS, '</s>'), (UNK, '<unk>')]]
        added += [{'id': self.sentinel(i), 'content': f'<extra_id_{i}>', 'single_word': False, 'lstrip': True,
                   'rstrip': True, 'normalized': False, 'special': True} for i in range(N_SENTINELS)]
        metaspace = {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always', 'split': True}
        return {
            'version': '1.0',
            'truncation': None,
            'padding': None,
            'added_tokens': added,
            'normalizer': {'type': 'Sequence', 'normalizers': [
                {'type': 'Strip', 'strip_left': True, 'strip_right': True},
                {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '}]},
            'pre_tokenizer': metaspace,
            'post_processor': {
                'type': 'TemplateProcessing',
                'single': [{'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
                'pair': [{'Sequence': {'id': 'A', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                         {'Sequence': {'id': 'B', 'type_id': 0}}, {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
                'special_tokens': {'</s>': {'id': '</s>', 'ids': [EOS], 'tokens': ['</s>']}},
            },
            'decoder': metaspace,
            'model': {'type': 'Unigram', 'unk_id': UNK, 'vocab': [[p, s] for p, s in self.pieces], 'byte_fallback': False},
        }

    def save(self, out_dir=MODELS / 'tiny-t5'):
        write_json(out_dir / 'tokenizer.json', self.tokenizer_json(), indent=None)
        write_json(out_dir / 'tokenizer_config.json', {
            'tokenizer_class': 'T5Tokenizer', 'model_max_length': 128, 'eos_token': '</s>', 'unk_token': '<unk>',
            'pad_token': '<pad>', 'extra_ids': N_SENTINELS,
            'additional_special_tokens': [f'<extra_id_{i}>' for i in range(N_SENTINELS)],
            'clean_up_tokenization_spaces': True})
