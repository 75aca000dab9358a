"""The summary's long lists (its group entries and its warnings), kept in files of the
build's state rather than in memory.

A build appends each group's entry (and the passages its versions lack, for the index
page), and each warning, as one JSON line while the groups stream (``GroupsWriter``,
``LinesWriter``); the index page, summary.json and the summary ``build`` returns read
them back from there (``SummaryLines``), so the building process holds no group's entry
or warning for long, however many groups the corpus has.
"""

from __future__ import annotations

import json
import os
import weakref
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

GROUPS = "groups.jsonl"  # in the state folder: one line per group, in corpus order
WARNINGS = "warnings.jsonl"  # in the state folder: one line (a JSON string) per warning


class LinesWriter:
    """Appends values as JSON lines to ``handle`` (the open file ``path``)."""

    def __init__(self, handle: IO[bytes], path: Path):
        self.handle, self.path = handle, path
        self.offsets = array("q", [0])  # where each line starts, then the end

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def add(self, value: Any) -> None:
        """One value, as a line of ASCII JSON."""
        # ASCII: a name with undecodable bytes (lone surrogates) comes back as it was
        line = json.dumps(value).encode("ascii") + b"\n"
        self.handle.write(line)
        self.offsets.append(self.offsets[-1] + len(line))

    def entries(self) -> SummaryLines:
        """The values as a read-only sequence (the file written whole)."""
        return SummaryLines(self.path, self.offsets)


class GroupsWriter(LinesWriter):
    """The groups file: a line per group, its entry and what its languages lack."""

    def add(self, entry: dict[str, Any], missing: dict[str, int] | None) -> None:  # type: ignore[override]
        """One group's summary entry and the passages each of its languages lacks."""
        super().add({"entry": entry, "missing": missing})

    def lines(self) -> Iterator[tuple[dict[str, Any], dict[str, int] | None]]:
        """Every group's (entry, missing), in the order added (the file written whole)."""
        with open(self.path, "rb") as handle:
            for line in handle:
                group = json.loads(line)
                yield group["entry"], group["missing"]

    def entries(self) -> SummaryLines:
        """The entries as the summary's ``groups`` (the file written whole)."""
        return SummaryLines(self.path, self.offsets, field="entry")


class SummaryLines(Sequence):
    """A summary's ``groups`` or ``warnings``: a read-only sequence of values, each read
    from the build's state file when it is used (a fresh object each time: changing one
    changes nothing here), so a summary of a million groups costs its caller eight bytes
    a group. ``field`` picks one key of each line's object (``"entry"`` for the groups).

    The file is held open from the start, so the values stay readable when the output is
    moved, rebuilt or removed. It equals any sequence of the same values; it is not a
    list for ``json.dumps`` (give ``default=list``), and copied or pickled it becomes one.
    """

    def __init__(self, path: str | Path, offsets: array, field: str | None = None):
        self._offsets, self._field = offsets, field
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        weakref.finalize(self, os.close, self._fd)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        k = range(len(self))[index]  # a negative index counts from the end; IndexError
        start, end = self._offsets[k], self._offsets[k + 1]
        value = json.loads(os.pread(self._fd, end - start, start))
        return value if self._field is None else value[self._field]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which have none

    def __reduce__(self) -> tuple[Any, ...]:
        return list, (list(self),)

    def __repr__(self) -> str:
        return f"<SummaryLines: {len(self)} lines>"
