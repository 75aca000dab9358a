"""How a build tells a file unchanged without reading it.

A file is taken as unchanged when its size, times and inode are the ones it had when the
previous build saw it (as ``make`` and git's index do); else its bytes are hashed. The
stats, with each file's SHA-256, are kept in one machine-local SQLite file of the
output's state (``STATS``): the corpus files a build read (``inputs``, see
``ArticleMemo.digest``) and the files it wrote (``outputs``). A build looks them up one
at a time and writes the next build's as it goes, so none are held in memory: a JSON file
read whole cost ~350 bytes a file, ~1 GB for a million articles.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .outdir import STATE, STATS, BuildError

# A file's path (UTF-8, undecodable bytes of its name kept: a BLOB), and its stats as the
# JSON list the build compares: [sha256, size, mtime_ns, (ctime_ns,) inode].
_SCHEMA = """
CREATE TABLE inputs (path BLOB PRIMARY KEY, stats TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE outputs (path BLOB PRIMARY KEY, stats TEXT NOT NULL) WITHOUT ROWID;
"""


class StatsTable:
    """One table of the previous build's stats, read-only: ``get(path)`` is the stats
    list it kept for ``path``, or None (also when the file is missing or damaged: the file
    is then hashed, never trusted)."""

    def __init__(self, db: sqlite3.Connection | None, table: str):
        self._db = db
        self._query = f"SELECT stats FROM {table} WHERE path = ?"

    def get(self, path: str) -> list[Any] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(self._query, (_key(path),)).fetchone()
            stats = json.loads(row[0]) if row is not None else None
        except (sqlite3.Error, ValueError, TypeError):
            return None
        return stats if isinstance(stats, list) else None


class FileStats:
    """The previous output's stats (in ``out``), and the new output's (in ``tmp``) while
    ``recording``; ``save`` completes the new file."""

    def __init__(self, out: Path, tmp: Path):
        self.out, self.tmp = out, tmp
        self.path = tmp / STATE / STATS  # the new output's
        self._old = _open_previous(out / STATE / STATS)
        self.inputs = StatsTable(self._old, "inputs")
        self.outputs = StatsTable(self._old, "outputs")
        self._new: sqlite3.Connection | None = None

    def stats_if_unchanged(self, relative: str, digest: Any) -> list[Any] | None:
        """The stats of the previous output's file when it holds the bytes of SHA-256
        ``digest`` (None when it does not): ``[digest, size, mtime_ns, inode]``."""
        if not isinstance(digest, str):
            return None
        path = os.path.join(self.out, relative)
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                return None
            seen = [digest, info.st_size, info.st_mtime_ns, info.st_ino]
            return seen if self.outputs.get(relative) == seen or sha256(path) == digest else None
        except OSError:
            return None

    def take(self, files: dict[str, Any], allowed: Callable[[Any], bool]) -> list[str]:
        """Link the previous output's ``files`` (path in OUT -> SHA-256) into the new one,
        each an ``allowed`` name and unchanged; the paths linked. Raises ValueError or
        OSError when one is not, with what it linked undone."""
        linked: list[str] = []
        try:
            for relative, digest in files.items():
                seen = self.stats_if_unchanged(relative, digest) if allowed(relative) else None
                if seen is None:
                    raise ValueError(relative)
                target = os.path.join(self.tmp, relative)
                if link(os.path.join(self.out, relative), target):
                    self._add("outputs", relative, seen)  # the same inode, size and time
                else:
                    self.note(relative, digest)
                linked.append(target)
        except (OSError, ValueError):
            unlink_all(linked)
            raise
        return linked

    def note(self, relative: str, digest: str) -> None:
        """Remember a file just written (or copied) into the new output."""
        info = os.stat(os.path.join(self.tmp, relative))
        self._add("outputs", relative, [digest, info.st_size, info.st_mtime_ns, info.st_ino])

    def note_input(self, relative: str, seen: list[Any]) -> None:
        """Remember a corpus file's digest and stats (``ArticleMemo``'s ``record``)."""
        self._add("inputs", relative, seen)

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        """While this lasts, ``take``, ``note`` and ``note_input`` record the new output's
        stats (and ``save`` completes them)."""
        try:
            # Only this build writes it, and a build that stops leaves its temporary
            # folder (and this file) behind unused: no journal, no syncing.
            self._new = sqlite3.connect(self.path, isolation_level=None)
            self._new.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                                    + _SCHEMA + "BEGIN;")
        except sqlite3.Error as exc:
            raise self._cannot_write(exc) from None
        try:
            yield
        finally:
            self._new.close()
            self._new = None
            if self._old is not None:
                self._old.close()
                self._old = None

    def save(self) -> None:
        """The new output's stats complete (a file recorded twice keeps its last)."""
        assert self._new is not None, "recording() first"
        try:
            self._new.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._cannot_write(exc) from None

    def _add(self, table: str, relative: str, seen: list[Any]) -> None:
        assert self._new is not None, "recording() first"
        try:
            self._new.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)",
                              (_key(relative), json.dumps(seen)))
        except sqlite3.Error as exc:
            raise self._cannot_write(exc) from None

    def _cannot_write(self, exc: sqlite3.Error) -> BuildError:
        return BuildError(self.path, f"cannot write: {exc}")


def _open_previous(path: Path) -> sqlite3.Connection | None:
    """The previous build's stats, read-only (immutable: the build holds the output's
    lock); None when there are none (a first build, or an older cxcorpus's JSON file)."""
    if not path.is_file():
        return None
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                               check_same_thread=False)
    except (sqlite3.Error, ValueError):
        return None


def _key(relative: str) -> bytes:
    return relative.encode("utf-8", "surrogatepass")


def link(source: str | Path, target: str | Path) -> bool:
    """A hard link to ``source`` at ``target`` (True), or a copy across file systems."""
    try:
        os.link(source, target)
        return True
    except FileNotFoundError:  # the folder first (most links go into existing folders)
        os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(source, target)
        return True
    except OSError:
        shutil.copyfile(source, target)
        return False


def unlink_all(paths: list[Any]) -> None:
    """Remove ``paths``, those that are there."""
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


def sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
