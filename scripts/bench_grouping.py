#!/usr/bin/env python3
"""Grouping without a manifest, at scale: ``corpus.find_groups`` on n generated one-line
articles, timed, and checked against the all-pairs reference (the 0.1.0 algorithm) where
that one still finishes.

    .venv/bin/python scripts/bench_grouping.py                  # 1 000, 5 000, 20 000 articles
    .venv/bin/python scripts/bench_grouping.py --sizes 500 5000 --reference-up-to 1000

Articles come in groups of three versions (tr, de, it) of one text, most with a
publication date, some without; each is one line of the bundled corpus. The encoder is a
stand-in: every group has a random direction, every version that direction plus its own
noise (cosine ~0.86 to its siblings, ~0 to others), so the groups are known and the time is
the grouping's, not an encoder's. The figures: seconds per size, and whether the groups
equal the reference's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

# One BLAS thread, as the build runs (issue 13): with OpenBLAS's default threads spinning
# on a shared machine, the block products take 10x longer. --blas-threads to compare.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cxcorpus import corpus as corpus_module
from cxcorpus.model import Article, Unit

DIM = 64
LANGS = ("tr", "de", "it")


class GroupEncoder:
    """A vector per text, looked up from the generated groups (no model)."""

    def __init__(self, vectors: dict[str, np.ndarray]):
        self.vectors = vectors

    def encode(self, texts):
        return np.stack([self.vectors[t] for t in texts])


def generate(n: int, seed: int = 0, dated: float = 0.8) -> tuple[list[Article], GroupEncoder]:
    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    lines = [line.strip() for p in sorted((ROOT / "corpus").glob("*.txt"))
             for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles, vectors = [], {}
    for k in range(n):
        group, lang = divmod(k, len(LANGS))
        if lang == 0:
            base = nprng.standard_normal(DIM)
            base /= np.linalg.norm(base)
            date = (dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(60))
                    if rng.random() < dated else None)
        text = f"{group}-{LANGS[lang]} {rng.choice(lines)}"
        noise = nprng.standard_normal(DIM)
        vectors[text] = base + 0.4 * noise / np.linalg.norm(noise)
        articles.append(Article(
            id=f"g{group:06d}.{LANGS[lang]}", path=f"g{group:06d}.{LANGS[lang]}.txt",
            lang=LANGS[lang], title=None, published=date,
            units=[Unit("body", text, index=0, lang=LANGS[lang])]))
    return articles, GroupEncoder(vectors)


def reference_groups(articles: list[Article], encoder) -> list[list[str]]:
    """The 0.1.0 algorithm: all pairs, then a union that rescans every article per pair."""
    vectors = []
    for article in articles:
        mean = np.asarray(encoder.encode([u.text for u in article.aligned_units]),
                          dtype=np.float32).mean(axis=0)
        vectors.append(mean / (np.linalg.norm(mean) or 1.0))
    parent = list(range(len(articles)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = []
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            a, b = articles[i], articles[j]
            if a.lang == b.lang or (a.published and b.published and a.published != b.published):
                continue
            similarity = float(vectors[i] @ vectors[j])
            if similarity >= corpus_module.GROUP_SIMILARITY:
                pairs.append((similarity, i, j))
    for _s, i, j in sorted(pairs, reverse=True):
        ri, rj = root(i), root(j)
        langs_i = {articles[k].lang for k in range(len(articles)) if root(k) == ri}
        langs_j = {articles[k].lang for k in range(len(articles)) if root(k) == rj}
        if ri != rj and not langs_i & langs_j:
            parent[rj] = ri
    members: dict[int, list[str]] = {}
    for k, article in enumerate(articles):
        members.setdefault(root(k), []).append(article.id)
    return sorted(members.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000, 20_000])
    parser.add_argument("--reference-up-to", type=int, default=1_000,
                        help="run the all-pairs reference for sizes up to this")
    parser.add_argument("--exact-up-to", type=int, default=50_000,
                        help="above EXACT_LIMIT, also run the exact search for sizes up to "
                             "this and count the groups the index missed")
    parser.add_argument("--undated", action="store_true",
                        help="no article has a date (no blocking by date: the hardest case)")
    args = parser.parse_args()
    print(f"{'articles':>9} {'seconds':>8} {'groups':>7} {'of 3':>6}  reference")
    for n in args.sizes:
        articles, encoder = generate(n, dated=0.0 if args.undated else 0.8)
        start = time.perf_counter()
        groups = corpus_module.find_groups(articles, encoder=encoder)
        seconds = time.perf_counter() - start
        full = sum(len(g) == 3 for g in groups.values())
        verdict = "-"
        if n <= args.reference_up_to:
            ref_start = time.perf_counter()
            same = reference_groups(articles, encoder) == sorted(groups.values())
            verdict = (f"{'same groups' if same else 'DIFFERENT'} as all pairs "
                       f"({time.perf_counter() - ref_start:.1f} s)")
        elif corpus_module.EXACT_LIMIT < n <= args.exact_up_to:
            limit, corpus_module.EXACT_LIMIT = corpus_module.EXACT_LIMIT, n
            ref_start = time.perf_counter()
            exact = corpus_module.find_groups(articles, encoder=encoder)
            corpus_module.EXACT_LIMIT = limit
            missed = len(set(map(tuple, exact.values())) - set(map(tuple, groups.values())))
            verdict = (f"{missed} of {len(exact)} exact groups missed by the index "
                       f"(exact search {time.perf_counter() - ref_start:.1f} s)")
        print(f"{n:>9} {seconds:>8.2f} {len(groups):>7} {full:>6}  {verdict}", flush=True)


if __name__ == "__main__":
    main()
