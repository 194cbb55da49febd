"""Trains the four tokenizers on the Brown train split and writes tokenizer.json files, plus a
fixture of Python encodings of held-out sentences that tests/unit/tiny-tokenizers.test.ts checks
@huggingface/tokenizers against."""
import random
import shutil

from . import corpus, tok_bert, tok_gpt2, tok_llama, tok_t5
from .common import MODELS, ROOT, WORK, write_json

FIXTURE = ROOT / 'tests' / 'fixtures' / 'tokenizers' / 'tiny-encodings.json'
N_FIXTURE_SENTENCES = 200


def build(seed=0):
    train = corpus.load('train')
    held = corpus.load('heldout')
    gpt2 = tok_gpt2.GPT2Tokenizer(tok_gpt2.train(train))
    gpt2.save()
    bert = tok_bert.BertTokenizer(tok_bert.train(train))
    bert.save()
    t5 = tok_t5.T5Tokenizer(tok_t5.train(train, seed=seed))
    t5.save()
    llama = tok_llama.build(train, seed=seed)
    write_fixture(gpt2, bert, t5, llama, held, seed)
    return gpt2, bert, t5, llama


def load_all():
    return (tok_gpt2.GPT2Tokenizer.load(), tok_bert.BertTokenizer.load(), tok_t5.T5Tokenizer.load(),
            tok_llama.LlamaTokenizer.load())


def write_fixture(gpt2, bert, t5, llama, held, seed):
    rng = random.Random(seed)
    sents = rng.sample(held, N_FIXTURE_SENTENCES)
    # A few hand-written cases for the edges: accents, specials, sentinels, odd spacing, a pair.
    extra = ['Café déjà vu, naïve résumé!', "It's 3.14 -- isn't it?  Yes<|endoftext|>No", '  padded   text  ',
             'The [MASK] sat on the mat.']
    cases = []
    for s in sents + extra:
        bert_ids, bert_tt = bert.encode(s)
        cases.append({'text': s, 'tiny-gpt2': gpt2.encode(s), 'tiny-bert': bert_ids, 'tiny-bert-type-ids': bert_tt,
                      'tiny-t5': t5.encode(s), 'tiny-llama': llama.encode(s)})
    pair = ('The jury said it.', 'It was late.')
    ids, tt = bert.encode(*pair)
    sentinel = 'The cat <extra_id_0> on the <extra_id_1>.'
    write_json(FIXTURE, {
        'about': 'Encodings computed by tools/train (Python) for held-out Brown sentences; '
                 'regenerate with /usr/bin/python3 -m tools.train.all --stages tokenizers',
        'cases': cases,
        'bert_pair': {'text': pair[0], 'text_pair': pair[1], 'ids': ids, 'type_ids': tt},
        't5_sentinel': {'text': sentinel, 'ids': t5.encode(sentinel)},
    }, indent=None)


def rewrite_fixture(seed=0):
    """The fixture from the tokenizers already written (no retraining)."""
    write_fixture(*load_all(), corpus.load('heldout'), seed)


if __name__ == '__main__':
    build()
