"""tiny-llama tokenizer: SentencePiece BPE with byte fallback (sentencepiece's own trainer, as
LLaMA 2's tokenizer was made) converted to a Hugging Face tokenizer.json in LLaMA's layout.

Ids: <unk>=0, <s>=1, </s>=2, then the 256 byte pieces <0x00>..<0xFF>, then the learned pieces
(merged pieces by rank, then the single characters). Normalisation is 'identity' with the dummy
prefix and without whitespace collapsing (remove_extra_whitespaces=False), as LLaMA's: so
tokenizer.json's normalizer is Prepend("▁") + Replace(" " → "▁") and there is no pre-tokenizer.
Not as LLaMA: split_digits and allow_whitespace_only_pieces stay off (Brown has no runs of spaces,
and with both off every piece but "▁" has no "▁" after its first character, so a BPE over the whole
string cannot merge across a word boundary that SentencePiece keeps).

The merges are derived from the vocabulary as transformers' SentencePieceExtractor does: every
split of a piece into two pieces of the vocabulary is a merge, ranked by the merged piece's score
(SentencePiece BPE merges the adjacent pair whose union has the highest score). The Python side
encodes with the SentencePiece model in work/tok_llama/sp.model; tests/unit/tiny-tokenizers.test.ts
checks that @huggingface/tokenizers gives the same ids.
"""
import sentencepiece as spm

from .common import MODELS, WORK, write_json

VOCAB_SIZE = 4000
UNK, BOS, EOS = 0, 1, 2
N_BYTES = 256
FIRST_LEARNED = 3 + N_BYTES  # 259: the first merged piece


def train(sentences, seed=0, work=WORK / 'tok_llama'):
    work.mkdir(parents=True, exist_ok=True)
    inp = work / 'train.txt'
    inp.write_text('\n'.join(sentences) + '\n', encoding='utf-8')
    spm.SentencePieceTrainer.train(
        input=str(inp), model_prefix=str(work / 'sp'), model_type='bpe', vocab_size=VOCAB_SIZE,
        unk_id=UNK, bos_id=BOS, eos_id=EOS, pad_id=-1, byte_fallback=True,
        normalization_rule_name='identity', add_dummy_prefix=True, remove_extra_whitespaces=False,
        split_digits=False, allow_whitespace_only_pieces=False,
        character_coverage=1.0, num_threads=1, input_sentence_size=0, shuffle_input_sentence=False,
        minloglevel=2, seed_sentencepiece_size=1000000)
    return (work / 'sp.model').read_bytes()


class LlamaTokenizer:
    def __init__(self, sp_model_bytes):
        self.sp = spm.SentencePieceProcessor(model_proto=sp_model_bytes)
        assert self.sp.get_piece_size() == VOCAB_SIZE
        self.id_to_token = [self.sp.id_to_piece(i) for i in range(VOCAB_SIZE)]
        self.scores = [self.sp.get_score(i) for i in range(VOCAB_SIZE)]
        self.vocab = {p: i for i, p in enumerate(self.id_to_token)}
        assert self.id_to_token[:3] == ['<unk>', '<s>', '</s>'] and self.id_to_token[3] == '<0x00>'
        assert self.id_to_token[3 + 255] == '<0xFF>'

    @classmethod
    def load(cls, path=WORK / 'tok_llama' / 'sp.model'):
        return cls(path.read_bytes())

    def encode_plain(self, text):
        """Ids without <s> (SentencePiece adds the dummy prefix "▁")."""
        return self.sp.encode(text)

    def encode(self, text):
        """As tokenizer.json with add_special_tokens: <s> first."""
        return [BOS] + self.sp.encode(text)

    def decode(self, ids):
        return self.sp.decode([i for i in ids if i > EOS])

    def merges(self):
        """transformers' SentencePieceExtractor: (left, right) for every split of a learned piece into
        two vocabulary pieces, ordered by the merged piece's score (highest first), ties by the ids of
        (left, right). Specials and byte pieces take part in no merge."""
        learned = {p: i for p, i in self.vocab.items() if i >= FIRST_LEARNED}
        out = []
        for piece, pid in learned.items():
            local = []
            for k in range(1, len(piece)):
                l, r = piece[:k], piece[k:]
                if l in learned and r in learned:
                    local.append((learned[l], learned[r], l, r))
            local.sort()
            out.extend((-self.scores[pid], pid, a, b, l, r) for a, b, l, r in local)
        out.sort(key=lambda x: (x[0], x[1], x[2], x[3]))
        return [(l, r) for *_, l, r in out]

    def tokenizer_json(self):
        added = [{'id': i, 'content': t, 'single_word': False, 'lstrip': False, 'rstrip': False,
                  'normalized': False, 'special': True} for i, t in [(UNK, '<unk>'), (BOS, '<s>'), (EOS, '</s>')]]
        return {
            'version': '1.0',
            'truncation': None,
            'padding': None,
            'added_tokens': added,
            'normalizer': {'type': 'Sequence', 'normalizers': [
                {'type': 'Prepend', 'prepend': '\u2581'},
                {'type': 'Replace', 'pattern': {'String': ' '}, 'content': '\u2581'}]},
            'pre_tokenizer': None,
            'post_processor': {
                'type': 'TemplateProcessing',
                'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}}],
                'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}}, {'Sequence': {'id': 'A', 'type_id': 0}},
                         {'SpecialToken': {'id': '<s>', 'type_id': 1}}, {'Sequence': {'id': 'B', 'type_id': 1}}],
                'special_tokens': {'<s>': {'id': '<s>', 'ids': [BOS], 'tokens': ['<s>']}},
            },
            'decoder': {'type': 'Sequence', 'decoders': [
                {'type': 'Replace', 'pattern': {'String': '\u2581'}, 'content': ' '},
                {'type': 'ByteFallback'}, {'type': 'Fuse'},
                {'type': 'Strip', 'content': ' ', 'start': 1, 'stop': 0}]},
            'model': {'type': 'BPE', 'dropout': None, 'unk_token': '<unk>', 'continuing_subword_prefix': None,
                      'end_of_word_suffix': None, 'fuse_unk': True, 'byte_fallback': True,
                      'vocab': self.vocab, 'merges': [f'{a} {b}' for a, b in self.merges()]},
        }

    def save(self, out_dir=MODELS / 'tiny-llama'):
        write_json(out_dir / 'tokenizer.json', self.tokenizer_json(), indent=None)
        write_json(out_dir / 'tokenizer_config.json', {
            'tokenizer_class': 'LlamaTokenizer', 'model_max_length': 128, 'bos_token': '<s>', 'eos_token': '</s>',
            'unk_token': '<unk>', 'pad_token': None, 'add_bos_token': True, 'add_eos_token': False,
            'legacy': False, 'clean_up_tokenization_spaces': False})
        write_json(out_dir / 'special_tokens_map.json', {'bos_token': '<s>', 'eos_token': '</s>', 'unk_token': '<unk>'})


def build(sentences, seed=0):
    tok = LlamaTokenizer(train(sentences, seed=seed))
    tok.save()
    return tok


if __name__ == '__main__':
    from . import corpus
    build(corpus.load('train'))
