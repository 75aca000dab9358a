#!/usr/bin/env python3
"""Memory and time at scale: aligning two 10 000-paragraph documents, reading a
10 000-paragraph file, building a corpus of 100 and 1 000 generated articles.

    .venv/bin/python scripts/bench_scale.py                      # everything, fake encoder
    .venv/bin/python scripts/bench_scale.py --real               # + the real USE-m3 encoder
    .venv/bin/python scripts/bench_scale.py align-fake read      # some of them
    .venv/bin/python scripts/bench_scale.py --paragraphs 3000 align-real

Each measurement runs in a fresh process, so its peak resident memory (``ru_maxrss``) is its
own; ``base`` is that process's peak just before the measured call (Python, numpy, the
generated input), ``peak`` the peak after it, ``added`` the difference.

The documents are made of the bundled corpus's paragraphs: the Turkish and Italian versions
of cx-tweetchat are 1-1, so a source paragraph is 1-3 Turkish units picked at random and
its target is the same units in Italian; then 5 % of the target paragraphs are dropped and
5 % merged with their neighbour. The known mapping gives the share of source paragraphs
linked right (a sanity check, not an accuracy benchmark). With the fake encoder (a fixed
random vector per word, instant) the target stays Turkish, so the path is the real one.

Built corpora: groups of a Turkish and an Italian version made the same way (8-30
paragraphs each), named in a manifest, built with the fake encoder; 100 and 1 000 articles.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
MEASUREMENTS = ("align-fake", "align-real", "read", "read-20mb", "build-100", "build-1000")


class FakeEncoder:
    """A fixed random 256-dimensional vector per word, summed and normalised; instant."""

    name, version, languages = "fake-words", "1", None

    def __init__(self) -> None:
        self._words: dict[str, object] = {}

    def encode(self, texts):
        import numpy as np

        rows = np.zeros((len(texts), 256), dtype=np.float32)
        for row, text in zip(rows, texts):
            for word in text.split():
                vector = self._words.get(word)
                if vector is None:
                    seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(),
                                          "little")
                    vector = np.random.default_rng(seed).standard_normal(256).astype(np.float32)
                    self._words[word] = vector
                row += vector
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms == 0, 1, norms)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def seed_pairs() -> list[tuple[str, str]]:
    from cxcorpus.read import read_article

    tr = [u.text for u in read_article(CORPUS / "cx-tweetchat.tr.txt").aligned_units]
    it = [u.text for u in read_article(CORPUS / "cx-tweetchat.it.txt").aligned_units]
    assert len(tr) == len(it), "the Turkish and Italian versions are 1-1"
    return list(zip(tr, it))


def documents(n: int, same_language: bool, seed: int = 0):
    """(source paragraphs, target paragraphs, expected source -> target index or None)."""
    rng = random.Random(seed)
    pairs = seed_pairs()
    src, tgt, expected = [], [], []
    for _ in range(n):
        picked = [rng.choice(pairs) for _ in range(rng.randint(1, 3))]
        src.append(" ".join(p[0] for p in picked))
        tgt.append(" ".join(p[0 if same_language else 1] for p in picked))
    out, mapping, i = [], {}, 0
    while i < n:
        roll = rng.random()
        if roll < 0.05:  # dropped from the target
            i += 1
            continue
        if roll < 0.10 and i + 1 < n:  # merged with the next one
            out.append(tgt[i] + " " + tgt[i + 1])
            i += 2
            continue
        mapping[i] = len(out)
        out.append(tgt[i])
        i += 1
    expected = [mapping.get(i) for i in range(n)]
    return src, out, expected


def measure_align(n: int, real: bool) -> dict:
    from cxcorpus.align import align

    if real:
        from cxcorpus.embed import get_encoder

        encoder = get_encoder()
        encoder.encode(["warm up"])  # the model loads outside the measured call
    else:
        encoder = FakeEncoder()
    src, tgt, expected = documents(n, same_language=not real)
    base = peak_mb()
    start = time.perf_counter()
    alignment = align(src, tgt, encoder)
    seconds = time.perf_counter() - start
    beads = {(b.src, b.tgt) for b in alignment.beads}
    one_to_one = [i for i, j in enumerate(expected) if j is not None]
    right = sum(((i,), (expected[i],)) in beads for i in one_to_one)
    return {"encoder": encoder.name, "src": len(src), "tgt": len(tgt), "seconds": seconds,
            "base_mb": base, "peak_mb": peak_mb(), "beads": len(alignment.beads),
            "one_to_one_right": right / max(1, len(one_to_one)),
            "full_matrix_mb": (len(src) + 1) * (len(tgt) + 1) * 8 / 2**20}


def measure_read(n: int, big_line: bool = False) -> dict:
    from cxcorpus.read import read_article

    rng = random.Random(1)
    lines = [line.strip() for path in sorted(CORPUS.glob("*.txt"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    folder = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    path = folder / "big.tr.txt"
    if big_line:
        parts, size = [], 0
        while size < 20_000_000:
            parts.append(rng.choice(lines))
            size += len(parts[-1].encode()) + 1
        path.write_text(" ".join(parts) + "\n", encoding="utf-8")
    else:
        body = "\n\n".join(f"{i}. {rng.choice(lines)}" for i in range(n))
        path.write_text("Başlık\n\n" + body + "\n", encoding="utf-8")
    base = peak_mb()
    start = time.perf_counter()
    article = read_article(path)
    seconds = time.perf_counter() - start
    return {"bytes": path.stat().st_size, "units": len(article.units), "seconds": seconds,
            "base_mb": base, "peak_mb": peak_mb()}


def make_corpus(folder: Path, articles: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    pairs = seed_pairs()
    manifest = []
    for g in range(articles // 2):
        units = [rng.choice(pairs) for _ in range(rng.randint(8, 30))]
        for lang, side in (("tr", 0), ("it", 1)):
            name = f"article-{g:04d}.{lang}.txt"
            title = f"{g}. " + " ".join(units[0][side].split()[:8])
            body = "\n\n".join(u[side] for u in units[1:])
            (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
            manifest.append(f'[[article]]\nfile = "{name}"\nlang = "{lang}"\n'
                            f'group = "article-{g:04d}"\n')
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")


def measure_build(articles: int) -> dict:
    import warnings

    from cxcorpus.build import build

    root = Path(tempfile.mkdtemp(prefix="bench-scale-build-"))
    corpus = root / "corpus"
    corpus.mkdir()
    make_corpus(corpus, articles)
    base = peak_mb()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tweets without attribution etc.: not measured here
        summary = build(corpus, root / "out", FakeEncoder(), cache_dir=root / "cache")
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in (root / "out").rglob("*") if p.is_file())
    return {"articles": summary["counts"]["articles"], "groups": summary["counts"]["groups"],
            "units": summary["counts"]["units"], "seconds": seconds, "base_mb": base,
            "peak_mb": peak_mb(), "output_mb": size / 2**20, "timings": summary["timings"]}


def run_one(name: str, paragraphs: int) -> dict:
    if name == "align-fake":
        return measure_align(paragraphs, real=False)
    if name == "align-real":
        return measure_align(paragraphs, real=True)
    if name == "read":
        return measure_read(paragraphs)
    if name == "read-20mb":
        return measure_read(0, big_line=True)
    return measure_build(int(name.split("-")[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="*", metavar="MEASUREMENT",
                        help=f"some of {', '.join(MEASUREMENTS)} (default: all but align-real)")
    parser.add_argument("--real", action="store_true", help="also align with USE-m3")
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    unknown = set(args.what) - set(MEASUREMENTS)
    if unknown:
        parser.error(f"unknown measurement(s): {', '.join(sorted(unknown))}")
    if args.one:
        print(json.dumps(run_one(args.one, args.paragraphs)))
        return
    what = args.what or [m for m in MEASUREMENTS if m != "align-real" or args.real]
    for name in what:
        command = [sys.executable, __file__, "--one", name, "--paragraphs", str(args.paragraphs)]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        if done.returncode:
            print(f"{name}: failed ({done.returncode})\n{done.stderr[-2000:]}")
            continue
        result = json.loads(done.stdout.splitlines()[-1])
        added = result["peak_mb"] - result["base_mb"]
        extra = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in result.items()
                 if k not in ("seconds", "base_mb", "peak_mb")}
        print(f"{name:<11} {result['seconds']:8.1f} s  peak {result['peak_mb']:7.0f} MB  "
              f"base {result['base_mb']:6.0f} MB  added {added:6.0f} MB  (process {wall:.0f} s)"
              f"  {json.dumps(extra)}", flush=True)


if __name__ == "__main__":
    main()
