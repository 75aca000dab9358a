"""Time ``cxcorpus build`` on a corpus, cold (empty embedding cache) and warm, each as a
fresh process as a user runs it; print the gaps threshold's figures on the seeds; save a
screenshot of the report when Chromium is installed.

    .venv/bin/python scripts/bench_build.py [corpus/] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")


def run_build(corpus: Path, out: Path, cache: Path) -> tuple[float, dict]:
    command = [sys.executable, "-m", "cxcorpus.cli", "build", str(corpus), "-o", str(out),
               "--cache", str(cache)]
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def threshold_figures(corpus: Path, cache: Path) -> None:
    """Confidence of the TR-IT translation pairs against wrong pairs of the same article."""
    import numpy as np

    from cxcorpus.corpus import load_corpus
    from cxcorpus.embed import CachedEncoder, get_encoder
    from cxcorpus.gaps import LOW_CONFIDENCE, Confidence

    loaded = load_corpus(corpus)
    tr, it = loaded.article("cx-tweetchat.tr"), loaded.article("cx-tweetchat.it")
    trt, itt = [u.text for u in tr.aligned_units], [u.text for u in it.aligned_units]
    judge = Confidence(CachedEncoder(get_encoder(), cache), trt, itt)
    true = np.array([judge(a, b) for a, b in zip(trt, itt)])
    wrong = np.array([judge(a, b) for i, a in enumerate(trt) for j, b in enumerate(itt) if i != j])
    print(f"gaps threshold LOW_CONFIDENCE = {LOW_CONFIDENCE}")
    print(f"  TR-IT translations ({len(true)}): min {true.min():.3f}  p5 "
          f"{np.percentile(true, 5):.3f}  median {np.median(true):.3f}")
    print(f"  TR-IT wrong pairs ({len(wrong)}): median {np.median(wrong):.3f}  p95 "
          f"{np.percentile(wrong, 95):.3f}  p99 {np.percentile(wrong, 99):.3f}  max "
          f"{wrong.max():.3f}; below threshold {np.mean(wrong < LOW_CONFIDENCE):.1%}")


def screenshot(report: Path, png: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.goto(report.as_uri())
        page.screenshot(path=str(png))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT / "corpus"))
    parser.add_argument("--keep", help="keep the output, cache and screenshots in this folder")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    cache, out = work / "cache", work / "out"
    shutil.rmtree(cache, ignore_errors=True)
    try:
        cold, first = run_build(Path(args.corpus), out, cache)
        warm, second = run_build(Path(args.corpus), out, cache)
        c = first["counts"]
        print(f"corpus: {args.corpus}: {c['articles']} articles, {c['groups']} groups, "
              f"{c['units']} units, {c['tweets']} tweets, {c['gaps']} gaps")
        print(f"cold build (empty cache): {cold:.2f} s wall, embedded {first['cache']['misses']} "
              f"texts; in-process {first['timings']}")
        print(f"warm build: {warm:.2f} s wall, embedded {second['cache']['misses']} texts "
              f"({second['cache']['hits']} from cache); in-process {second['timings']}")
        threshold_figures(Path(args.corpus), cache)
        if CHROMIUM.exists():
            for group in second["groups"]:
                if group["report"]:
                    for width in (1280, 390):
                        png = work / f"{group['name']}-{width}.png"
                        screenshot(out / group["report"], png, width)
                        print(f"screenshot: {png}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
