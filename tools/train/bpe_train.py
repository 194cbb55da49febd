"""A small, exact BPE merge learner shared by the byte-level BPE and WordPiece trainers.

Input: a dict word -> count, where each word is already a tuple of initial symbols.
Each step merges the most frequent adjacent pair (ties: the lexicographically smallest pair,
so a run is deterministic). A lazy max-heap keeps each step cheap.
"""
import heapq
from collections import defaultdict


def learn_merges(word_counts, n_merges, join=lambda a, b: a + b, min_count=2):
    words = [list(w) for w in word_counts]
    counts = list(word_counts.values())
    pair_count = defaultdict(int)
    where = defaultdict(set)
    for i, (w, c) in enumerate(zip(words, counts)):
        for a, b in zip(w, w[1:]):
            pair_count[(a, b)] += c
            where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < n_merges and heap:
        negc, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -negc:
            continue  # stale entry
        if -negc < min_count:
            break
        merges.append(pair)
        a, b = pair
        new = join(a, b)
        touched = set()
        for i in list(where[pair]):
            w, c = words[i], counts[i]
            for x, y in zip(w, w[1:]):
                pair_count[(x, y)] -= c
                touched.add((x, y))
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == a and w[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            for x, y in zip(w, w[1:]):
                where[(x, y)].discard(i)
            words[i] = out
            for x, y in zip(out, out[1:]):
                pair_count[(x, y)] += c
                where[(x, y)].add(i)
                touched.add((x, y))
        del pair_count[pair]
        where.pop(pair, None)
        for p in touched:
            if p != pair and pair_count.get(p, 0) > 0:
                heapq.heappush(heap, (-pair_count[p], p))
            elif pair_count.get(p, 1) == 0:
                del pair_count[p]
    return merges
