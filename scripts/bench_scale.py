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

The corpus build as a user runs it (``--groups 100,1000``): generated 3-version groups (TR, IT,
and IT with 10 % of its paragraphs dropped), built by ``cxcorpus build`` with USE-m3 in fresh
processes: cold (empty cache and output), warm (nothing changed), one article changed; one
and two local workers; four workers of a ``dask scheduler`` + ``dask worker`` cluster on
127.0.0.1 over TCP (outputs compared byte for byte with one worker); and the 0.1.0 release
(``--old-venv``, default /work/main/.venv) on the same corpus. ``--per-article 100,1000,10000``
builds 3-version corpora of that many articles with the fake encoder in one process each
(the pipeline's own cost per article, and peak memory). Each line carries the load average:
the machine may be shared.

    .venv/bin/python scripts/bench_scale.py --groups 100 --per-article 300,3000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
MEASUREMENTS = ("align-fake", "align-real", "read", "read-20mb", "build-100", "build-1000")


class FakeEncoder:
    """A fixed random 256-dimensional vector per word, summed and normalised; instant.

    A word's vector comes from its hash, so it is the same whether kept or not; only the
    ``WORDS_KEPT`` words used last are kept. Kept for every word, they would grow with the
    corpus (each generated title has a number of its own: ~1 KB a group), and a build's
    peak memory, which this script measures, would count the encoder's vocabulary."""

    name, version, languages = "fake-words", "1", None
    WORDS_KEPT = 4096  # the generated corpora's own vocabulary is ~1 200 words

    def __init__(self) -> None:
        self._words: dict[str, object] = {}  # the least recently used first

    def encode(self, texts):
        import numpy as np

        rows = np.zeros((len(texts), 256), dtype=np.float32)
        for row, text in zip(rows, texts):
            for word in text.split():
                vector = self._words.pop(word, None)
                if vector is None:
                    seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(),
                                          "little")
                    vector = np.random.default_rng(seed).standard_normal(256).astype(np.float32)
                    if len(self._words) >= self.WORDS_KEPT:
                        del self._words[next(iter(self._words))]
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


def _write_version(folder: Path, name: str, lang: str, group: str, number: int,
                   paragraphs: list[str]) -> str:
    """Write one generated version (a title from its first paragraph, then the rest) and
    return its manifest entry."""
    title = f"{number}. " + " ".join(paragraphs[0].split()[:8])
    body = "\n\n".join(paragraphs[1:])
    (folder / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return f'[[article]]\nfile = "{name}"\nlang = "{lang}"\ngroup = "{group}"\n'


def make_corpus(folder: Path, articles: int, seed: int = 2) -> None:
    rng = random.Random(seed)
    pairs = seed_pairs()
    manifest = []
    for g in range(articles // 2):
        units = [rng.choice(pairs) for _ in range(rng.randint(8, 30))]
        for lang, side in (("tr", 0), ("it", 1)):
            manifest.append(_write_version(folder, f"article-{g:04d}.{lang}.txt", lang,
                                           f"article-{g:04d}", g, [u[side] for u in units]))
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


# --- the corpus build as a user runs it ---------------------------------------------------


def make_groups(folder: Path, groups: int, seed: int = 3) -> None:
    """``groups`` groups of three versions: TR, IT, and IT lacking 10 % of its paragraphs."""
    rng = random.Random(seed)
    pairs = seed_pairs()
    manifest = []
    for g in range(groups):
        units = [rng.choice(pairs) for _ in range(rng.randint(8, 20))]
        short = [units[0]] + [u for u in units[1:] if rng.random() > 0.1]
        for suffix, lang, side, chosen in (("tr", "tr", 0, units), ("it", "it", 1, units),
                                           ("v3", "it", 1, short)):
            manifest.append(_write_version(folder, f"g{g:05d}.{suffix}.txt", lang,
                                           f"g{g:05d}", g, [u[side] for u in chosen]))
    (folder / "manifest.toml").write_text("\n".join(manifest), encoding="utf-8")


_MEASURED = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=False)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": seconds, "peak_mb": peak, "cpu": cpu, "code": done.returncode,
                  "stderr": done.stderr[-3000:]}))
"""


def load() -> str:
    import os

    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f}"


def cli_build(command: list[str], corpus: Path, out: Path, cache: Path, *extra: str,
              env: dict | None = None) -> dict:
    """One ``cxcorpus build`` in a fresh process: wall time, largest process's peak RSS."""
    import os

    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                   **(env or {})}
    at = load()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *command, "build", str(corpus),
                           "-o", str(out), "--cache", str(cache), *extra],
                          capture_output=True, text=True, check=True, env=environment)
    result = json.loads(done.stdout)
    if result["code"]:
        raise SystemExit(f"build failed: {result['stderr']}")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    result.update(load_before=at, summary=summary)
    return result


def outputs(out: Path) -> dict[str, str]:
    """A digest of every file but summary.json (timings and counts of work differ) and the
    state's file stats (times and inodes)."""
    from cxcorpus.outdir import STATS

    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in out.rglob("*")
            if p.is_file() and p.name not in ("summary.json", STATS)}


def report(label: str, result: dict, articles: int, cold: float | None = None) -> None:
    inc = result["summary"].get("incremental", {})
    share = f"  {100 * result['seconds'] / cold:5.1f} % of cold" if cold else ""
    print(f"{label:<34} {result['seconds']:8.1f} s  {1000 * result['seconds'] / articles:7.1f} "
          f"ms/article  cpu {1000 * result['cpu'] / articles:6.1f} ms/article  peak {result['peak_mb']:6.0f} MB  computed {inc.get('recomputed', '-')}"
          f"{share}  [{result['load_before']}]", flush=True)


class TcpCluster:
    """``dask scheduler`` and ``dask worker`` processes on 127.0.0.1, stopped on exit."""

    def __init__(self, workers: int, port: int = 8799):
        self.address = f"tcp://127.0.0.1:{port}"
        self.port, self.workers, self.procs = port, workers, []

    def __enter__(self) -> str:
        import os
        import socket

        dask = str(Path(sys.executable).with_name("dask"))
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
        self.procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port",
                                            str(self.port), "--no-dashboard"], **quiet))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    break
            time.sleep(0.2)
        for _ in range(self.workers):
            self.procs.append(subprocess.Popen(
                [dask, "worker", self.address, "--nthreads", "1", "--no-dashboard",
                 "--host", "127.0.0.1"], **quiet))
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(self.workers, timeout=120)
        return self.address

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def corpus_suite(groups: int, old_venv: Path | None, tcp: bool,
                 old_src: Path | None = None) -> None:
    root = Path(tempfile.mkdtemp(prefix=f"bench-groups-{groups}-"))
    corpus = root / "corpus"
    corpus.mkdir()
    make_groups(corpus, groups)
    articles = 3 * groups
    new = [sys.executable, "-m", "cxcorpus.cli"]
    print(f"== {groups} groups, {articles} articles ({root}); {load()}", flush=True)
    one = cli_build(new, corpus, root / "out1", root / "cache1", "--workers", "1")
    report("new cold, 1 worker", one, articles)
    warm = cli_build(new, corpus, root / "out1", root / "cache1", "--workers", "1")
    report("new warm (nothing changed)", warm, articles, one["seconds"])
    changed = corpus / "g00000.it.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nUn paragrafo nuovo.\n",
                       encoding="utf-8")
    edit = cli_build(new, corpus, root / "out1", root / "cache1", "--workers", "1")
    report("new one article changed", edit, articles, one["seconds"])
    two = cli_build(new, corpus, root / "out2", root / "cache2", "--workers", "2")
    report("new cold, 2 local workers", two, articles)
    print(f"   2 workers vs 1: {one['seconds'] / two['seconds']:.2f}x; outputs identical: "
          f"{outputs(root / 'out2') == outputs(root / 'out1')}", flush=True)
    # warm and one changed run in-process whatever --workers says (one group or none to
    # compute), so the default build (a worker per core) pays them against this cold build
    print(f"   warm and one changed as a share of the 2-worker cold: "
          f"{100 * warm['seconds'] / two['seconds']:.1f} % and "
          f"{100 * edit['seconds'] / two['seconds']:.1f} %", flush=True)
    if tcp:
        with TcpCluster(4) as address:
            four = cli_build(new, corpus, root / "out4", root / "cache4", "--scheduler", address)
        report("new cold, 4 TCP workers", four, articles)
        print(f"   4 TCP workers: outputs identical to 1 worker: "
              f"{outputs(root / 'out4') == outputs(root / 'out1')}", flush=True)
    if old_venv is not None:
        command = ([str(old_venv / "bin" / "python"), "-m", "cxcorpus.cli"] if old_src
                   else [str(old_venv / "bin" / "cxcorpus")])
        env = {"PYTHONPATH": str(old_src)} if old_src else None
        old = cli_build(command, corpus, root / "out-old", root / "cache-old", env=env)
        report("0.1.0 cold", old, articles)
        print(f"   new 1 worker vs 0.1.0: {old['seconds'] / one['seconds']:.2f}x faster; "
              f"2 workers: {old['seconds'] / two['seconds']:.2f}x", flush=True)
        compared = ["tweets.jsonl", "gaps.jsonl", "gaps-nway.jsonl", "report/index.html",
                    *(p.relative_to(root / "out-old").as_posix()
                      for p in (root / "out-old").glob("alignments/*"))]
        differ = [f for f in compared if not (root / "out1" / f).is_file()
                  or (root / "out-old" / f).read_bytes() != (root / "out1" / f).read_bytes()]
        print(f"   files identical to 0.1.0: {len(compared) - len(differ)} of {len(compared)}"
              f"{'; differ: ' + ', '.join(differ[:5]) + f' (kept in {root})' if differ else ''}",
              flush=True)
        if differ:
            return
    shutil.rmtree(root, ignore_errors=True)


def measure_per_article(articles: int) -> dict:
    import warnings

    from cxcorpus.build import build

    root = Path(tempfile.mkdtemp(prefix="bench-per-article-"))
    corpus = root / "corpus"
    corpus.mkdir()
    make_groups(corpus, max(1, articles // 3))
    base = peak_mb()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = build(corpus, root / "out", FakeEncoder(), cache_dir=root / "cache")
    seconds = time.perf_counter() - start
    shutil.rmtree(root, ignore_errors=True)
    return {"articles": summary["counts"]["articles"], "seconds": seconds, "base_mb": base,
            "peak_mb": peak_mb(), "timings": summary["timings"]}


def per_article_suite(sizes: list[int]) -> None:
    first = None
    for size in sizes:
        at = load()
        done = subprocess.run([sys.executable, __file__, "--one-per-article", str(size)],
                              capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.splitlines()[-1])
        per = result["seconds"] / result["articles"]
        first = first or per
        print(f"fake encoder, {result['articles']:>6} articles: {result['seconds']:8.1f} s  "
              f"{1000 * per:6.1f} ms/article ({per / first:.2f}x the first)  peak "
              f"{result['peak_mb']:6.0f} MB  [{at}]", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="*", metavar="MEASUREMENT",
                        help=f"some of {', '.join(MEASUREMENTS)} (default: all but align-real)")
    parser.add_argument("--real", action="store_true", help="also align with USE-m3")
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--one-per-article", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--groups", help="comma-separated group counts for the build suite")
    parser.add_argument("--per-article", help="comma-separated article counts (fake encoder)")
    parser.add_argument("--old-venv", type=Path, default=Path("/work/main/.venv"),
                        help="the 0.1.0 release's venv ('' to skip it)")
    parser.add_argument("--old-src", type=Path, help="run the old release from this src/ "
                        "folder (e.g. `git archive v0.1.0 src`) with the old venv's Python")
    parser.add_argument("--no-tcp", action="store_true", help="skip the 4-worker TCP cluster")
    args = parser.parse_args()
    if args.one_per_article:
        print(json.dumps(measure_per_article(args.one_per_article)))
        return
    if args.groups or args.per_article:
        old = args.old_venv if str(args.old_venv) not in ("", ".") else None
        for groups in [int(g) for g in (args.groups or "").split(",") if g]:
            corpus_suite(groups, old, not args.no_tcp, args.old_src)
        if args.per_article:
            per_article_suite([int(n) for n in args.per_article.split(",")])
        return
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
