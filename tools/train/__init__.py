"""Rebuilds the embedded tiny models (tiny-gpt2, tiny-bert, tiny-t5) from a seed."""
