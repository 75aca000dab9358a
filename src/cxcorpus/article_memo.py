"""Articles read by an earlier build, taken back when their file has not changed.

Reading (decoding, segmenting, detecting the language of every unit) is most of the cost of
a build that has nothing new to compute, so a build keeps each article it read, as JSON
beside the group's state, with the SHA-256 of the file's bytes; the next build's
``load_corpus`` gets that article instead of reading the file again when the bytes match.
The same memo lets a cold build read its files on the Dask workers first (``read_record``,
``candidates``): ``load_corpus`` then finds them read. Whatever the memo lacks or holds for
other bytes, ``load_corpus`` reads as usual, so its checks and errors stay the only ones.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import stat
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .model import Article, Unit


def file_digest(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read (read safely: a FIFO or a
    device is not opened for reading, see ``source.read_bytes``)."""
    from .errors import InputError
    from .source import read_bytes

    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except InputError:
        return None


def to_record(article: Article) -> dict[str, Any] | None:
    """An article as plain JSON data, or None if it would not come back equal."""
    record = dataclasses.asdict(article)
    record["published"] = article.published.isoformat() if article.published else None
    try:
        if from_record(record) != article:
            return None
    except (TypeError, ValueError):
        return None
    return record


def from_record(record: dict[str, Any]) -> Article:
    fields = dict(record)
    fields["units"] = [Unit(**u) for u in record["units"]]
    published = record.get("published")
    fields["published"] = dt.date.fromisoformat(published) if published else None
    return Article(**fields)


class ArticleMemo:
    """Articles by (path, id) with the digest of the bytes they were read from."""

    def __init__(self, root: str | Path, stats: Any = None,
                 record: Callable[[str, list[Any]], None] | None = None,
                 once: bool = False) -> None:
        self.root = str(root)  # paths are kept relative to it: a moved corpus still matches
        self.stats_before = stats or {}  # path -> stats, by ``get`` (a dict or StatsTable)
        self.record = record  # given what ``digest`` saw of each file, for the next build
        self.once = once  # each file's digest is asked for once: not kept
        self.known: dict[tuple[str, str | None], tuple[str, dict[str, Any], list[str]]] = {}
        self.read: dict[str, list[dict[str, Any]]] = {}
        self.reused = 0  # articles taken back from an earlier build
        self.taken: set[str] = set()  # their paths (relative to the root)
        self.fresh: set[tuple[str, str | None]] = set()  # read on the workers just now
        self.digests: dict[str, str | None] = {}  # this build's file digests, by path

    def digest(self, path: str | Path) -> str | None:
        """The file's digest, computed once per build (see ``file_digest``); taken from the
        previous build's ``stats`` without reading the file when its size, modification and
        change times and inode are the ones it had then (as git's index does: a write always
        changes the change time, which no tool can set back)."""
        if self.once:
            return self._digest(path)
        key = os.path.abspath(str(path))
        if key not in self.digests:
            self.digests[key] = self._digest(path)
        return self.digests[key]

    def _digest(self, path: str | Path) -> str | None:
        relative = self.relative(path)
        try:
            info = os.stat(path)
        except OSError:
            return file_digest(path)
        if not stat.S_ISREG(info.st_mode):
            return file_digest(path)
        seen = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
        before = self.stats_before.get(relative)
        if (isinstance(before, list) and len(before) == 5 and before[1:] == seen
                and isinstance(before[0], str)):
            digest = before[0]
        else:
            digest = file_digest(path)
        if digest is not None and self.record is not None:
            self.record(relative, [digest, *seen])
        return digest

    def add(self, entries: Any, fresh: bool = False) -> None:
        """Take the entries a group's state kept of its articles (see ``entries``), or
        (``fresh``) articles just read on the workers."""
        if not isinstance(entries, list):
            return
        for entry in entries:
            with contextlib.suppress(KeyError, TypeError):
                key = (entry["path"], entry["article_id"])
                if fresh:
                    self.fresh.add(key)
                self.known[key] = (entry["digest"], entry["article"],
                                   [str(m) for m in entry.get("warnings", [])])

    def entries(self, articles: list[Article]) -> list[dict[str, Any]]:
        """What a group's state keeps of its articles: each as read, before the corpus
        loader set its group or language."""
        return [entry for a in articles for entry in self.read.get(self.relative(a.path), [])]

    def all_taken(self, articles: list[Article]) -> bool:
        """Whether every one of ``articles`` was taken back from the earlier build (so what
        that build kept of them is still right)."""
        return all(self.relative(a.path) in self.taken for a in articles)

    def relative(self, path: str | Path) -> str:
        return os.path.relpath(str(path), self.root)

    def has(self, path: str | Path, article_id: str | None, digest: str | None) -> bool:
        stored = self.known.get((self.relative(path), article_id))
        return digest is not None and stored is not None and stored[0] == digest

    def reader(self, read_article: Any) -> Any:
        def read(path: str | Path, **kwargs: Any) -> Article:
            key = (self.relative(path), kwargs.get("article_id"))
            digest = self.digest(path)
            stored = self.known.get(key)
            if digest is not None and stored is not None and stored[0] == digest:
                with contextlib.suppress(KeyError, TypeError, ValueError):
                    article = from_record({**stored[1], "path": str(path)})
                    if key not in self.fresh:
                        self.reused += 1
                        self.taken.add(key[0])
                    self._remember(key, digest, stored[1], stored[2])
                    for message in stored[2]:  # what reading it said then, said again
                        warnings.warn(message, stacklevel=2)
                    return article
            with warnings.catch_warnings(record=True) as said:
                warnings.simplefilter("always")
                article = read_article(path, **kwargs)
            messages = [str(w.message) for w in said]
            for message in messages:
                warnings.warn(message, stacklevel=2)
            record = to_record(article) if digest is not None else None
            if record is not None:
                self._remember(key, digest, record, messages)
            return article

        return read

    def _remember(self, key: tuple[str, str | None], digest: str, record: dict,
                  messages: list[str]) -> None:
        self.read.setdefault(key[0], []).append(
            {"path": key[0], "article_id": key[1], "digest": digest, "article": record,
             "warnings": messages})


def candidates(corpus_path: Path) -> list[tuple[Path, str | None]]:
    """The files ``load_corpus`` will read in a folder without a manifest, with the id it
    will give them (a manifest's files are read by the groups' tasks instead)."""
    from .corpus import article_files
    from .read import article_id_from_path

    if not corpus_path.is_dir():
        return []
    root = corpus_path.resolve()
    try:
        files = article_files(corpus_path)
    except Exception:  # noqa: BLE001 - the loader reports it
        return []
    found: list[tuple[Path, str | None]] = []
    for file in files:
        relative = file.relative_to(corpus_path)
        stem = article_id_from_path(file)
        article_id = str(relative.parent / stem) if relative.parent != Path(".") else stem
        if _regular_inside(file, root):
            found.append((file, article_id))
    return found


def _regular_inside(path: Path, root: Path) -> bool:
    try:
        real = path.resolve()
        return root in real.parents and stat.S_ISREG(os.stat(real).st_mode)
    except (OSError, RuntimeError, ValueError):
        return False


def read_record(path: str, article_id: str | None, root: str) -> dict[str, Any] | None:
    """Read one article (on a worker) into a memo entry; None when it cannot be read (the
    loader will say why)."""
    from .read import read_article

    memo = ArticleMemo(root)
    kwargs = {"article_id": article_id} if article_id is not None else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # recorded by the reader, shown by the main process
            memo.reader(read_article)(path, **kwargs)
    except Exception:  # noqa: BLE001 - read again, and reported, by load_corpus
        return None
    entries = [e for found in memo.read.values() for e in found]
    return entries[0] if entries else None


def read_records(files: list[tuple[str, str | None]], root: str) -> list[dict[str, Any] | None]:
    """``read_record`` for each (path, id): one task's worth of files."""
    return [read_record(path, article_id, root) for path, article_id in files]
