"""Articles read by an earlier build, taken back when their file has not changed.

Reading (decoding, segmenting, detecting the language of every unit) is most of the cost of
a build that has nothing new to compute, so a build keeps each article it read, as JSON
beside the group's state, with the SHA-256 of the file's bytes; the next build's
``load_corpus`` gets that article instead of reading the file again when the bytes match.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .model import Article, Unit


def file_digest(path: str | Path) -> str | None:
    """SHA-256 of a file's bytes, or None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


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

    def __init__(self, root: str | Path) -> None:
        self.root = str(root)  # paths are kept relative to it: a moved corpus still matches
        self.known: dict[tuple[str, str | None], tuple[str, dict[str, Any]]] = {}
        self.read: dict[str, list[dict[str, Any]]] = {}
        self.reused = 0

    def add(self, entries: Any) -> None:
        """Take the entries a group's state kept of its articles (see ``entries``)."""
        if not isinstance(entries, list):
            return
        for entry in entries:
            with contextlib.suppress(KeyError, TypeError):
                key = (entry["path"], entry["article_id"])
                self.known[key] = (entry["digest"], entry["article"])

    def entries(self, articles: list[Article]) -> list[dict[str, Any]]:
        """What a group's state keeps of its articles: each as read, before the corpus
        loader set its group or language."""
        return [entry for a in articles for entry in self.read.get(self._relative(a.path), [])]

    def _relative(self, path: str | Path) -> str:
        return os.path.relpath(str(path), self.root)

    def reader(self, read_article: Any) -> Any:
        def read(path: str | Path, **kwargs: Any) -> Article:
            key = (self._relative(path), kwargs.get("article_id"))
            digest = file_digest(path)
            stored = self.known.get(key)
            if digest is not None and stored is not None and stored[0] == digest:
                with contextlib.suppress(KeyError, TypeError, ValueError):
                    article = from_record({**stored[1], "path": str(path)})
                    self.reused += 1
                    self._remember(key, digest, stored[1])
                    return article
            article = read_article(path, **kwargs)
            record = to_record(article) if digest is not None else None
            if record is not None:
                self._remember(key, digest, record)
            return article

        return read

    def _remember(self, key: tuple[str, str | None], digest: str, record: dict) -> None:
        self.read.setdefault(key[0], []).append(
            {"path": key[0], "article_id": key[1], "digest": digest, "article": record})


@contextlib.contextmanager
def remembered_reads(memo: ArticleMemo) -> Iterator[None]:
    """``load_corpus`` reading through ``memo`` while the block runs (this process only)."""
    from . import corpus

    original = corpus.read_article
    corpus.read_article = memo.reader(original)
    try:
        yield
    finally:
        corpus.read_article = original
