"""The main job: a corpus folder -> alignments, tweets, gaps, reports and a summary.

Everything is written into a temporary folder beside the output and swapped in by rename
at the end, so an interrupted run leaves the previous output as it was. A lock file
beside the output refuses a second build writing to the same place.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import CxcorpusError

# Aligner options for the build (none: the aligner's defaults, recorded in the signature).
ALIGN_OPTIONS: dict[str, Any] = {}


class BuildError(CxcorpusError):
    """The output folder cannot be used (locked by another build, not a build output...)."""


def build(corpus_path: str | Path, out_dir: str | Path, encoder: Any = None, *,
          cache_dir: str | Path | None = None, align_options: dict[str, Any] | None = None,
          sentences: bool = True) -> dict[str, Any]:
    """Build everything for a corpus into ``out_dir``; returns the summary (also written).

    ``encoder`` defaults to ``get_encoder()``; it is wrapped in a ``CachedEncoder`` under
    ``cache_dir`` (default ``$CXCORPUS_CACHE`` or ``~/.cache/cxcorpus``), so a second run
    on an unchanged corpus embeds nothing. ``align_options`` go to ``align_nway``.
    """
    from .embed import CachedEncoder, get_encoder
    from .export import current_umask

    # Absolute, so that "." or "out/" have a parent and a name; errors name it as given.
    corpus_path, out, shown = Path(corpus_path), Path(os.path.abspath(out_dir)), str(out_dir)
    _check_places(corpus_path, out, shown)
    encoder = encoder or get_encoder()
    if not isinstance(encoder, CachedEncoder):
        encoder = CachedEncoder(encoder, cache_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out, shown):
        _recover(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
        tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the output should not be
        try:
            summary = _build_into(corpus_path, tmp, encoder, align_options, sentences)
            summary["out"] = shown
            _write_json(summary, tmp / "summary.json")
            _swap(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return summary


def _build_into(corpus_path: Path, tmp: Path, encoder: Any, align_options: dict | None,
                sentences: bool) -> dict[str, Any]:
    from .corpus import load_corpus
    from .export import write_jsonl
    from .gaps import gap_summary
    from .model import Signature
    from .progress import progress
    from .report import render_index, write_report
    from .tweets import extract_tweets, link_quotes, tweet_records

    options = {**ALIGN_OPTIONS, **(align_options or {})}
    timings: dict[str, float] = {}
    start = time.perf_counter()
    corpus = load_corpus(corpus_path, encoder=encoder)
    timings["load"] = time.perf_counter() - start
    for folder in ("alignments", "report"):
        (tmp / folder).mkdir()
    all_tweets, all_gaps, all_nway_gaps, groups = [], [], [], []
    signature = None
    for phase in ("align", "gaps", "tweets", "report"):
        timings[phase] = 0.0
    for name in progress(list(corpus.groups), desc="building", unit="group"):
        articles = corpus.group_articles(name)
        ids = [a.id for a in articles]
        entry: dict[str, Any] = {
            "name": name, "articles": ids, "langs": [a.lang for a in articles],
            "units": {a.id: len(a.aligned_units) for a in articles}, "aligned": len(ids) > 1,
            "pairs": [], "report": None,
        }
        t = time.perf_counter()
        by_article = {a.id: extract_tweets(a) for a in articles}
        timings["tweets"] += time.perf_counter() - t
        problem = _uncovered(articles, encoder)
        if problem:  # listed in the summary; the rest of the corpus is still built
            entry.update(aligned=False, problem=problem)
        if len(articles) > 1 and not problem:
            gaps, group_nway, signature = _align_group(
                name, articles, by_article, tmp, encoder, options, sentences, entry, timings)
            all_gaps += gaps
            all_nway_gaps += group_nway
        else:
            link_quotes(by_article)
        entry["tweets"] = {a.id: len(by_article[a.id]) for a in articles}
        all_tweets += [tw for a in articles for tw in by_article[a.id]]
        groups.append(entry)
    write_jsonl(tweet_records(all_tweets), tmp / "tweets.jsonl")
    write_jsonl(all_gaps, tmp / "gaps.jsonl")
    write_jsonl(all_nway_gaps, tmp / "gaps-nway.jsonl")
    index = render_index(groups, title=f"cxcorpus build of {corpus_path}",
                         nway_gaps=all_nway_gaps)
    write_report(index, tmp / "report" / "index.html")
    for g in groups:
        g.pop("report_file", None)
    if signature is None:
        signature = Signature(encoder.name, encoder.version, dict(options))
    timings["total"] = time.perf_counter() - start
    return {
        "corpus": str(corpus_path),
        "grouped_by": corpus.grouped_by,
        "counts": {
            "articles": len(corpus.articles),
            "groups": len(groups),
            "aligned_groups": sum(g["aligned"] for g in groups),
            "alignments": sum(len(g["pairs"]) for g in groups),
            "units": sum(len(a.aligned_units) for a in corpus.articles),
            "tweets": len(all_tweets),
            "quotes": len({tw.quote_id for tw in all_tweets}),
            "gaps": len(all_gaps),
            "gaps_by_kind": gap_summary(all_gaps),
            "nway_gaps": len(all_nway_gaps),
        },
        "groups": groups,
        "cache": {"dir": str(encoder.dir), "hits": encoder.hits, "misses": encoder.misses},
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "signature": {**signature.to_dict(), "format": signature.format()},
    }


def _align_group(name: str, articles: list[Any], by_article: dict[str, list[Any]], tmp: Path,
                 encoder: Any, options: dict[str, Any], sentences: bool,
                 entry: dict[str, Any], timings: dict[str, float]) -> tuple[list, list, Any]:
    """Align one group n-way; write its pairwise alignments and report; link its quotes.

    Fills ``entry`` (the group's summary) and ``timings``; returns the pairwise gap
    records, the n-way gap records and the alignment's signature.
    """
    from .align import align_nway, pairwise
    from .export import write_alignment
    from .gaps import find_gaps, gap_summary, nway_gaps
    from .report import render_report, write_report
    from .tweets import link_quotes, unit_map_from_alignment

    t = time.perf_counter()
    # The pivot: the most complete version (fewest units it lacks); then back to the
    # corpus's order, so that files and columns follow the manifest.
    order = sorted(range(len(articles)), key=lambda k: -len(articles[k].aligned_units))
    nway = _reorder(align_nway([articles[k] for k in order], encoder, **options),
                    [order.index(k) for k in range(len(articles))])
    pairs = {(i, j): pairwise(nway, i, j)
             for i in range(len(articles)) for j in range(i + 1, len(articles))}
    for (i, j), pair in pairs.items():
        stem = f"{_safe(articles[i].id)}__{_safe(articles[j].id)}"
        for fmt in ("jsonl", "tmx"):
            write_alignment(pair, tmp / "alignments" / f"{stem}.{fmt}", fmt,
                            src_lang=articles[i].lang, tgt_lang=articles[j].lang)
        entry["pairs"].append({"src": articles[i].id, "tgt": articles[j].id,
                               "alignment": f"alignments/{stem}", "beads": len(pair.beads)})
    timings["align"] += time.perf_counter() - t

    t = time.perf_counter()
    pair_gaps = {(i, j): find_gaps(articles[i], articles[j], pair, encoder, sentences=sentences)
                 for (i, j), pair in pairs.items()}
    group_nway = [{**g, "group": name}
                  for g in nway_gaps(nway, articles, pair_gaps=pair_gaps)]
    timings["gaps"] += time.perf_counter() - t
    all_gaps = []
    for record, ((i, j), gaps) in zip(entry["pairs"], pair_gaps.items()):
        for gap in gaps:
            gap.update(group=name, pair=[articles[i].id, articles[j].id])
        record["gaps"] = gap_summary(gaps)
        all_gaps += gaps
    entry["rows"] = len(nway.rows)
    entry["lacked_units"] = len(group_nway)
    entry["lacked_sentences"] = sum(g["level"] == "sentence" for g in all_gaps)

    t = time.perf_counter()
    link_quotes(by_article, unit_map_from_alignment(nway))
    timings["tweets"] += time.perf_counter() - t

    t = time.perf_counter()
    report_file = f"{_safe(name)}.html"
    tweets = [tw for a in articles for tw in by_article[a.id]]
    write_report(render_report(articles, nway, pair_gaps, tweets, title=name),
                 tmp / "report" / report_file)
    entry["report"] = f"report/{report_file}"
    entry["report_file"] = report_file
    timings["report"] += time.perf_counter() - t
    return all_gaps, group_nway, nway.signature


def _reorder(nway: Any, columns: list[int]) -> Any:
    """The same n-way alignment with its versions in another order (``columns[k]`` is the
    current position of the version that goes to position k)."""
    from dataclasses import replace

    return replace(nway, rows=[tuple(row[c] for c in columns) for row in nway.rows],
                   ids=[nway.ids[c] for c in columns], langs=[nway.langs[c] for c in columns],
                   texts=[nway.texts[c] for c in columns])


def _uncovered(articles: list[Any], encoder: Any) -> str | None:
    """Why a group cannot be aligned with this encoder (a language it does not cover)."""
    from .embed import check_languages
    from .errors import LanguageError

    if len(articles) < 2:
        return None
    try:
        for article in articles:
            check_languages(encoder, [article.lang], article.path)
    except LanguageError as exc:
        return str(exc)
    return None


def _safe(name: str) -> str:
    """An id as a file name: path separators and odd characters become ``_``."""
    return re.sub(r"[^\w.\-]", "_", name)


def _write_json(data: dict[str, Any], path: Path) -> None:
    from .export import atomic_open

    with atomic_open(path) as out:
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")


def _check_places(corpus_path: Path, out: Path, shown: str) -> None:
    """Refuse outputs that would destroy something or be read back as articles."""
    if not corpus_path.exists():
        raise BuildError(corpus_path, "no such file or folder")
    if out.exists() and not out.is_dir():
        raise BuildError(shown, "exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "summary.json").exists():
        raise BuildError(shown, "is a folder with other files in it, not a cxcorpus build "
                              "output; choose a new or empty folder")
    root = corpus_path.resolve() if corpus_path.is_dir() else corpus_path.resolve().parent
    if corpus_path.is_dir() and (out.resolve() == root or root in out.resolve().parents):
        raise BuildError(shown, "is inside the corpus folder; its HTML reports would be read "
                              "as articles next time")


@contextlib.contextmanager
def _lock(out: Path, shown: str | None = None) -> Iterator[None]:
    """Hold ``.OUT.lock`` beside ``out``; refuse when another build holds it.

    An OS lock (``flock``), released when the process ends however it ends, so a killed
    build never leaves a stale lock behind.
    """
    import fcntl

    path = out.parent / f".{out.name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(shown or out, "another build is writing here") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def _recover(out: Path) -> None:
    """Undo what an interrupted build left: temporary folders, or a half-done swap."""
    old = out.parent / f".{out.name}.old"
    if old.is_dir() and not out.exists():
        os.replace(old, out)  # killed between the two renames of _swap
    shutil.rmtree(old, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.*.tmp"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished folder in place of the old output."""
    old = out.parent / f".{out.name}.old"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def format_summary(summary: dict[str, Any]) -> str:
    """A short table of the summary: one line per group, then the totals and timings."""
    header = (f"{'group':<32} {'versions':<10} {'rows':>5} {'tweets':>6} {'lacked':>6} "
              f"{'sent.':>5}  report")
    lines = [header]
    for g in summary["groups"]:
        langs = ",".join(g["langs"])
        rows = str(g.get("rows", "-"))
        tweets = sum(g["tweets"].values())
        lacked = str(g.get("lacked_units", "-"))
        sentences = str(g.get("lacked_sentences", "-"))
        lines.append(f"{g['name']:<32} {langs:<10} {rows:>5} {tweets:>6} {lacked:>6} "
                     f"{sentences:>5}  {g['report'] or g.get('problem') or '-'}")
    c, t, cache = summary["counts"], summary["timings"], summary["cache"]
    lines.append(f"{c['articles']} articles, {c['groups']} groups, {c['alignments']} alignments, "
                 f"{c['tweets']} tweets, {c['gaps']} pairwise gap records; embedded "
                 f"{cache['misses']} texts ({cache['hits']} from cache); {t['total']:.1f} s")
    lines.append("lacked: units some other version lacks; sent.: sentences missing inside "
                 "aligned units")
    lines.append(f"signature: {summary['signature']['format']}")
    return "\n".join(lines)
