"""One command that rebuilds everything from a seed:

    /usr/bin/python3 -m tools.train.all --seed 0          (or tools/train/run.sh)

corpus (+ the held-out fixture) -> tokenizers (+ Node fixture) -> the four models, trained in
parallel, one torch thread each -> goldens -> model cards -> `npm run models:check` (the app's own
measurement, written into the cards). Logs go to tools/train/work/runs/. --stages picks a subset."""
import argparse
import os
import subprocess
import sys
import time

from .common import ROOT, WORK, write_json

STAGES = ['corpus', 'tokenizers', 'train', 'goldens', 'cards', 'check']
MODELS = {'tiny-gpt2': 'train_gpt2', 'tiny-bert': 'train_bert', 'tiny-t5': 'train_t5', 'tiny-llama': 'train_llama'}
ENV = {'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1',
       'GLIBC_TUNABLES': 'glibc.malloc.mmap_threshold=4294967296:glibc.malloc.trim_threshold=17179869184'}


def train_all(seed, only=None):
    runs = WORK / 'runs'
    runs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **ENV}
    procs = {}
    t0 = time.time()
    for mid, mod in MODELS.items():
        if only and mid not in only:
            continue
        out = open(runs / f'{mid}.out', 'w')
        procs[mid] = subprocess.Popen([sys.executable, '-m', f'tools.train.{mod}', '--seed', str(seed)],
                                      cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        print(f'training {mid} (pid {procs[mid].pid}), log tools/train/work/{mid}/train.log', file=sys.stderr)
    failed = [mid for mid, p in procs.items() if p.wait() != 0]
    write_json(runs / 'wall.json', {'seconds': round(time.time() - t0), 'models': list(procs)})
    if failed:
        raise SystemExit(f'training failed: {failed}; see tools/train/work/runs/')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--stages', nargs='+', choices=STAGES, default=STAGES)
    ap.add_argument('--models', nargs='+', choices=list(MODELS), help='train, golden and check only these')
    a = ap.parse_args()
    if 'corpus' in a.stages:
        from . import corpus
        corpus.build()
        # The held-out sentences, for the app's own measurements (tests/unit/model-behaviour.test.ts).
        (ROOT / 'tests' / 'fixtures' / 'brown-heldout.txt').write_text((WORK / 'corpus' / 'heldout.txt').read_text(encoding='utf-8'), encoding='utf-8')
    if 'tokenizers' in a.stages:
        from . import tokenizers
        tokenizers.build(a.seed)
    if 'train' in a.stages:
        train_all(a.seed, a.models)
    if 'goldens' in a.stages:
        from . import goldens
        goldens.build(a.models)
    if 'cards' in a.stages:
        from . import cards
        cards.build()
    if 'check' in a.stages:
        # Exit status 1 means a behaviour target is not met; the table says which.
        only = [x for mid in (a.models or []) for x in ('--model', mid)]
        subprocess.run(['npm', 'run', '--silent', 'models:check', *(['--', *only] if only else [])], cwd=ROOT, check=False)


if __name__ == '__main__':
    main()
