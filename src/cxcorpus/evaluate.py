"""Strict and lax precision, recall and F1 of alignments against gold, as Vecalign's
``score.py`` defines them (after Sennrich & Volk 2011), summed over all file pairs.

Strict: a test bead counts only if the same bead is in the gold. Lax: a test bead also
counts if one of its source units is linked to one of its target units in the gold.
Precision is over test beads (gold 1-0/0-1 included); recall swaps the roles, with
1-0/0-1 beads left out of both sides.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .source import read_text, shown

BeadPair = tuple[tuple[int, ...], tuple[int, ...]]


def parse_beads(lines: Iterable[str], path: object = None) -> list[BeadPair]:
    """Beads from lines ``[src ids]:[tgt ids]`` with an optional ``:score``.

    Ids must be non-negative integers; any other line is an error naming its number.
    """
    beads = []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            src, tgt = line.split(":")[:2]
            bead = (_ids(json.loads(src)), _ids(json.loads(tgt)))
        except (ValueError, TypeError, RecursionError) as exc:
            raise InputError(path, f"line {number}: not '[ids]:[ids]': {line[:60]!r}") from exc
        beads.append(bead)
    return beads


def _ids(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in value
    ):
        raise ValueError("not a list of unit numbers")
    return tuple(value)


MAX_ALIGNMENT_BYTES = 256 * 1024 * 1024


def read_gold(path: str | Path) -> list[BeadPair]:
    """Read a gold alignment file (Vecalign/Bertalign format), safely (regular UTF-8 files
    only; a FIFO, a folder or a binary file is an error, never a hang)."""
    text = read_text(path, max_bytes=MAX_ALIGNMENT_BYTES, what="an alignment file")
    return parse_beads(text.splitlines(), shown(path))


read_vecalign = read_gold  # test files have the same format, with scores that are ignored


def _counts(gold: Sequence[BeadPair], test: Sequence[BeadPair]) -> tuple[int, int, int, int]:
    """(strict hits, strict misses, lax hits, lax misses) of ``test`` beads against ``gold``."""
    gold_set = {(tuple(s), tuple(t)) for s, t in gold if s or t}
    test_set = {(tuple(s), tuple(t)) for s, t in test if s or t}
    linked: dict[int, set[int]] = defaultdict(set)
    for src, tgt in gold_set:
        for i in src:
            linked[i].update(tgt)
    tp_strict = fp_strict = tp_lax = fp_lax = 0
    for src, tgt in test_set:
        if (src, tgt) in gold_set:
            tp_strict += 1
            tp_lax += 1
            continue
        fp_strict += 1
        gold_targets = set().union(*(linked[i] for i in src)) if src else set()
        if gold_targets & set(tgt):
            tp_lax += 1
        else:
            fp_lax += 1
    return tp_strict, fp_strict, tp_lax, fp_lax


def _ratio(hits: int, misses: int) -> float:
    return hits / (hits + misses) if hits + misses else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    """Strict and lax P/R/F1, with what produced the test alignments."""

    precision_strict: float
    recall_strict: float
    precision_lax: float
    recall_lax: float
    files: int
    signature: str | None = field(default=None)

    @property
    def f1_strict(self) -> float:
        return _f1(self.precision_strict, self.recall_strict)

    @property
    def f1_lax(self) -> float:
        return _f1(self.precision_lax, self.recall_lax)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision_strict": self.precision_strict, "recall_strict": self.recall_strict,
            "f1_strict": self.f1_strict, "precision_lax": self.precision_lax,
            "recall_lax": self.recall_lax, "f1_lax": self.f1_lax, "files": self.files,
            "signature": self.signature,
        }

    def format(self, fmt: str = "text") -> str:
        """A small table (``text``) or one JSON object (``json``)."""
        if fmt == "json":
            return json.dumps(self.to_dict(), ensure_ascii=False)
        lines = [
            "           strict    lax",
            f"precision  {self.precision_strict:.3f}   {self.precision_lax:.3f}",
            f"recall     {self.recall_strict:.3f}   {self.recall_lax:.3f}",
            f"f1         {self.f1_strict:.3f}   {self.f1_lax:.3f}",
            f"files      {self.files}",
        ]
        if self.signature:
            lines.append(f"signature  {self.signature}")
        return "\n".join(lines)


def score_alignments(gold_list: Sequence[Sequence[BeadPair]], test_list: Sequence[Sequence[BeadPair]],
                     signature: str | None = None) -> Scores:
    """Score test alignments against gold ones, pair by pair, counts summed over pairs."""
    if len(gold_list) != len(test_list):
        raise ValueError(f"{len(gold_list)} gold alignments but {len(test_list)} test ones")
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold, test in zip(gold_list, test_list):
        p = [x + y for x, y in zip(p, _counts(gold, test))]
        # Recall is precision with the roles swapped, 1-0/0-1 beads left out.
        gold_links = [(s, t) for s, t in gold if s and t]
        test_links = [(s, t) for s, t in test if s and t]
        r = [x + y for x, y in zip(r, _counts(test_links, gold_links))]
    return Scores(
        precision_strict=_ratio(p[0], p[1]), recall_strict=_ratio(r[0], r[1]),
        precision_lax=_ratio(p[2], p[3]), recall_lax=_ratio(r[2], r[3]),
        files=len(gold_list), signature=signature,
    )


def evaluate_files(gold_paths: Sequence[str | Path], test_paths: Sequence[str | Path]) -> Scores:
    """Read and score gold/test file pairs (matched by position)."""
    if len(gold_paths) != len(test_paths):
        raise InputError(None, f"{len(gold_paths)} gold files but {len(test_paths)} test files")
    return score_alignments([read_gold(p) for p in gold_paths], [read_vecalign(p) for p in test_paths])
