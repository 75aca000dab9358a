"""A build's plan: its groups in corpus order, kept in a file rather than in memory.

Before anything is computed, a build decides for each group whether it is taken unchanged
from the previous output or computed, and by which key (``pipeline.group_key``). The plan
keeps that, one JSON line per group, in a nameless temporary file, with the articles a
manifest lists for the group (read by its task, never by the building process). The build
then reads the plan back, in order, as often as it needs: once for the tasks to run and
once for the corpus-wide files, so the building process holds no group for longer than
it is in flight, however many groups the corpus has.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .corpus import ListedArticle

if TYPE_CHECKING:
    from typing_extensions import Self


@dataclass(frozen=True)
class PlannedGroup:
    """One group of the plan: its name, its key, whether it is taken from the previous
    output (``reused``), and the articles a manifest lists for it (None when the build read
    them itself and holds them, or when the group is taken: its articles are not read)."""

    name: str
    key: str
    reused: bool
    listed: list[ListedArticle] | None


class GroupPlan:
    """The plan, written group by group (``add``) and read back in order (``groups``).

    Manifest articles share their folder and ``allow_outside``, given here once.
    """

    def __init__(self, folder: str | Path, root: str | Path, allow_outside: bool = False):
        self.root, self.allow_outside = Path(root), allow_outside
        self._file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by close()
        self._end = 0
        self.groups = self.articles = 0  # all of them
        self.todo = self.todo_articles = 0  # the ones to compute

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, name: str, key: str, reused: bool, articles: list[Any],
            listed: bool) -> None:
        """One group, after the ones added before; ``listed``: its ``articles`` are a
        manifest's ``ListedArticle``s, kept here (else the caller holds them) unless the
        group is ``reused`` (then its articles are not read)."""
        kept = ([[str(a.path), a.id, a.group, a.lang] for a in articles]
                if listed and not reused else None)
        # ASCII: a name or path with undecodable bytes (lone surrogates) comes back as it was
        line = json.dumps([name, key, reused, kept]).encode("ascii") + b"\n"
        self._file.write(line)
        self._end += len(line)
        self.groups += 1
        self.articles += len(articles)
        if not reused:
            self.todo += 1
            self.todo_articles += len(articles)

    def __iter__(self) -> Iterator[PlannedGroup]:
        """The groups in the order added; each iteration reads the file anew, from its own
        position, so several can run side by side (and alongside ``add``)."""
        self._file.flush()
        fd, end, offset, rest = self._file.fileno(), self._end, 0, b""
        while offset < end:
            block = os.pread(fd, min(1 << 16, end - offset), offset)
            if not block:
                raise OSError(f"the build's plan ends at {offset} bytes, not {end}")
            offset += len(block)
            *lines, rest = (rest + block).split(b"\n")
            for line in lines:
                yield self._group(line)

    def _group(self, line: bytes) -> PlannedGroup:
        name, key, reused, kept = json.loads(line)
        listed = None if kept is None else [
            ListedArticle(Path(path), article_id, group, self.root, lang, self.allow_outside)
            for path, article_id, group, lang in kept]
        return PlannedGroup(name, key, reused, listed)
