"""Reference outputs for the TypeScript graph tests: for a few short fixed inputs per model, the
input ids, logits at every position and every attention probability, computed in float32, eval
mode, from the shipped model.safetensors. Format: tests/fixtures/goldens/README.md."""
import torch

from .common import GOLDENS, write_json
from .load import load_model
from .model_t5 import T5ForConditionalGeneration as T5
from .tok_bert import BertTokenizer
from .tok_gpt2 import GPT2Tokenizer
from .tok_llama import LlamaTokenizer
from .tok_t5 import T5Tokenizer

SIG = 6  # significant digits kept in the JSON


def r(x):
    """Nested lists of floats rounded to SIG significant digits."""
    if isinstance(x, torch.Tensor):
        x = x.tolist()
    if isinstance(x, list):
        return [r(v) for v in x]
    return float(f'{x:.{SIG}g}')


def att(probs, b):
    """list over layers of [B, H, Q, K] -> [layer][head][query][key] for batch row b."""
    return r([p[b] for p in probs])


GPT2_TEXTS = ['The jury said it was late.', 'He went to the store and', 'red blue green red blue green']
BERT_TEXTS = ['The capital is [MASK].']
BERT_PAIR = ('He ran.', 'She sat.')
BERT_BATCH = ['The dog ran.', 'A cat.']
LLAMA_TEXTS = ['The jury said it was late.', 'He went to the store and', 'red blue green red blue green',
               'Café déjà vu']  # the last one takes the byte-fallback pieces
T5_GREEDY = ['reverse: green house water', 'reverse: apple house green window', 'The jury <extra_id_0> the election.']
T5_FORCED = ('reverse: the old man', 'man old the')


@torch.no_grad()
def gpt2_goldens():
    m, cfg = load_model('tiny-gpt2')
    tok = GPT2Tokenizer.load()
    cases = []
    for text in GPT2_TEXTS:
        ids = tok.encode(text)
        logits, probs = m(torch.tensor([ids]), output_attentions=True)
        cases.append({'name': text, 'text': text, 'input_ids': ids, 'logits': r(logits[0]), 'attentions': att(probs, 0)})
    return {'model': 'tiny-gpt2', 'model_type': 'gpt2', 'cases': cases}


@torch.no_grad()
def bert_goldens():
    m, cfg = load_model('tiny-bert')
    tok = BertTokenizer.load()
    cases = []
    for text in BERT_TEXTS:
        ids, tt = tok.encode(text)
        logits, probs = m(torch.tensor([ids]), token_type_ids=torch.tensor([tt]), output_attentions=True)
        cases.append({'name': text, 'text': text, 'input_ids': ids, 'token_type_ids': tt,
                      'logits': r(logits[0]), 'attentions': att(probs, 0)})
    ids, tt = tok.encode(*BERT_PAIR)
    logits, probs = m(torch.tensor([ids]), token_type_ids=torch.tensor([tt]), output_attentions=True)
    cases.append({'name': 'sentence pair', 'text': BERT_PAIR[0], 'text_pair': BERT_PAIR[1], 'input_ids': ids,
                  'token_type_ids': tt, 'logits': r(logits[0]), 'attentions': att(probs, 0)})
    # A right-padded batch of two: padding keys get finfo.min added, so their probabilities are 0.
    enc = [tok.encode(t)[0] for t in BERT_BATCH]
    t = max(len(e) for e in enc)
    ids = [e + [0] * (t - len(e)) for e in enc]
    mask = [[1] * len(e) + [0] * (t - len(e)) for e in enc]
    logits, probs = m(torch.tensor(ids), attention_mask=torch.tensor(mask), output_attentions=True)
    cases.append({'name': 'padded batch', 'texts': BERT_BATCH, 'input_ids': ids, 'attention_mask': mask,
                  'token_type_ids': [[0] * t for _ in ids], 'logits': r(logits),
                  'attentions': [att(probs, b) for b in range(len(ids))]})
    return {'model': 'tiny-bert', 'model_type': 'bert', 'cases': cases}


@torch.no_grad()
def llama_goldens():
    m, cfg = load_model('tiny-llama')
    tok = LlamaTokenizer.load()
    cases = []
    for text in LLAMA_TEXTS:
        ids = tok.encode(text)  # <s> first, as tokenizer.json's post-processor adds it
        logits, probs = m(torch.tensor([ids]), output_attentions=True)
        cases.append({'name': text, 'text': text, 'input_ids': ids, 'logits': r(logits[0]), 'attentions': att(probs, 0)})
    return {'model': 'tiny-llama', 'model_type': 'llama', 'cases': cases}


def t5_case(m, name, text, input_ids, labels, generated=None):
    dec = T5.shift_right(torch.tensor([labels]))
    logits, a = m(torch.tensor([input_ids]), dec, output_attentions=True)
    c = {'name': name, 'text': text, 'input_ids': input_ids, 'decoder_input_ids': dec[0].tolist(), 'labels': labels,
         'logits': r(logits[0]), 'encoder_attentions': att(a['encoder'], 0), 'decoder_attentions': att(a['decoder'], 0),
         'cross_attentions': att(a['cross'], 0)}
    if generated is not None:
        c['generated_ids'] = generated
    return c


@torch.no_grad()
def t5_goldens():
    m, cfg = load_model('tiny-t5')
    tok = T5Tokenizer.load()
    cases = []
    for text in T5_GREEDY:
        ids = tok.encode(text)
        out = m.greedy(torch.tensor([ids]), max_len=24)[0].tolist()
        out = out[:out.index(1) + 1] if 1 in out else out
        cases.append(t5_case(m, f'greedy: {text}', text, ids, out, generated=out))
    text, target = T5_FORCED
    cases.append(t5_case(m, f'teacher-forced: {text} -> {target}', text, tok.encode(text), tok.encode(target)))
    return {'model': 'tiny-t5', 'model_type': 't5', 'cases': cases}


BUILDERS = {'tiny-gpt2': gpt2_goldens, 'tiny-bert': bert_goldens, 'tiny-t5': t5_goldens, 'tiny-llama': llama_goldens}


def build(models=None):
    for mid, fn in BUILDERS.items():
        if models and mid not in models:
            continue
        g = fn()
        g['about'] = ('PyTorch float32, eval mode, from static/models/%s/model.safetensors; written by '
                      'tools/train/goldens.py. Format: tests/fixtures/goldens/README.md.' % g['model'])
        g['significant_digits'] = SIG
        write_json(GOLDENS / f"{g['model']}.json", g, indent=None)


if __name__ == '__main__':
    import sys
    build(sys.argv[1:] or None)
