"""The summary's group entries, kept in a file of the build's state rather than in memory.

A build appends each group's entry (and the passages its versions lack, for the index
page) as one JSON line while the groups stream (``GroupsWriter``); the index page,
summary.json and the summary ``build`` returns read them back from there
(``SummaryGroups``), so the building process holds no group's entry for long, however
many groups the corpus has.
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


class GroupsWriter:
    """Appends groups' lines to ``handle`` (the open file ``path``)."""

    def __init__(self, handle: IO[bytes], path: Path):
        self.handle, self.path = handle, path
        self.offsets = array("q", [0])  # where each line starts, then the end

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def add(self, entry: dict[str, Any], missing: dict[str, int] | None) -> None:
        """One group's summary entry and the passages each of its languages lacks."""
        # ASCII: a name with undecodable bytes (lone surrogates) comes back as it was
        line = json.dumps({"entry": entry, "missing": missing}).encode("ascii") + b"\n"
        self.handle.write(line)
        self.offsets.append(self.offsets[-1] + len(line))

    def lines(self) -> Iterator[tuple[dict[str, Any], dict[str, int] | None]]:
        """Every group's (entry, missing), in the order added (the file written whole)."""
        with open(self.path, "rb") as handle:
            for line in handle:
                group = json.loads(line)
                yield group["entry"], group["missing"]

    def entries(self) -> SummaryGroups:
        """The entries as the summary's ``groups`` (the file written whole)."""
        return SummaryGroups(self.path, self.offsets)


class SummaryGroups(Sequence):
    """The summary's ``groups``: a read-only sequence of the group entries, each read from
    the build's groups file when it is used (a fresh dict each time: changing one changes
    nothing here), so a summary of a million groups costs its caller eight bytes a group.

    The file is held open from the start, so the entries stay readable when the output
    is moved, rebuilt or removed. It equals any sequence of the same entries; it is not a
    list for ``json.dumps`` (give ``default=list``), and copied or pickled it becomes one.
    """

    def __init__(self, path: str | Path, offsets: array):
        self._offsets = offsets
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        weakref.finalize(self, os.close, self._fd)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        k = range(len(self))[index]  # a negative index counts from the end; IndexError
        start, end = self._offsets[k], self._offsets[k + 1]
        return json.loads(os.pread(self._fd, end - start, start))["entry"]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # equal to lists, which have none

    def __reduce__(self) -> tuple[Any, ...]:
        return list, (list(self),)

    def __repr__(self) -> str:
        return f"<SummaryGroups: {len(self)} groups>"
