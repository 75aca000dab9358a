"""The aligner: dynamic programming over beads, two-way and n-way.

Two passes, after Bertalign (Liu & Zhu 2022), with ideas from Vecalign (Thompson & Koehn 2019):

1. a 1-1/1-0/0-1 pass over single-unit embeddings finds the rough path; for long
   documents it runs coarse-to-fine (units averaged in pairs, aligned recursively, the
   path projected back and searched in a band), so no n x m table is ever built;
2. a pass with every bead type up to ``max_merge`` units per side, in a band around
   that path. A merged run is scored by the embedding of its concatenated text. Runs
   are first scored by the normalised sum of their units' vectors (free); a forward and
   a backward DP then find the runs in a bead of some path within ``EMBED_MARGIN`` of
   the best, only those are embedded for real, and the band is searched once more. On
   Text+Berg this embeds ~700 of the ~9 000 runs and scores as well as embedding all.

A bead scores ``(cos(x, y) - MARGIN_WEIGHT * nb) * log2(1 + r) ** p``: ``nb`` is the mean
cosine of each side with the units just outside the other side's run (Bertalign's margin,
Liu & Zhu 2022: a pairing counts for how much better it is than its neighbours), ``r`` the
ratio of the shorter to the longer side in UTF-8 bytes (after scaling by the documents'
ratio; bytes, so a Chinese character weighs about what the Latin letters translating it
do), ``p`` from ``LENGTH_POWER`` for sentences up to 1 for paragraphs (a length ratio
means more the longer the texts), less a length prior ``LENGTH_WEIGHT * log(r)**2``
(Gale & Church 1993 in spirit). A merged bead can also pay ``ATTACH_WEIGHT`` (0: off by
default) times the evidence that an edge unit of a merged side belongs to the neighbouring
bead: how much more it resembles the other side's unit just outside the bead than the
bead's own other side (the DP weighs a merge only against leaving the unit out, not against
handing it to the next bead). A bead of four units or more counts its similarity
``((a + b) / 2) ** SIZE_GAIN`` times: the path sums one score per bead, so a passage
translated as one block would otherwise score more cut into smaller beads. A run of k units
left out costs ``skip * (1 + (k - 1) * SKIP_EXTEND)`` (affine gaps). The path maximises the
total. Its a-b beads with two units or more a side are then split in two where the two
score better by plain similarity (``SPLIT_MARGIN``): the margin counts each of two
consecutive 1-1 beads' neighbour against it, and so favours the 2-2 holding both; or an
edge unit is left out, where the rest scores better without it (a unit inserted next to a
merge). A final bead whose confidence (``1 - (1 - cos) / (1 - cos to the other document's
mean)``, in [0, 1]) is below ``min_confidence`` is split into gaps: the objective always
prefers a weak pairing to none.

The constants were chosen across two development corpora of other genres and pairs
(Text+Berg de-fr, MAC-Dev zh-en) by ``scripts/tune_align.py``: the setting with the best
mean strict F1 over both among those with lax F1 >= 0.99 on each, leave-one-corpus-out
figures beside it; settings that break the invariants of ``tests/test_properties.py`` (a
deleted unit left out, an excerpt's units linked 1-1) are not candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise as pairwise_
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from .embed import Encoder, check_languages, default_encoder, normalise
from .model import Alignment, Article, Bead, NwayAlignment, Signature

SOLO_KINDS = ("title", "heading", "tweet")
FULL_CELLS = 250_000  # above this many DP cells the first pass goes coarse-to-fine
# skip 0.17 (with LENGTH_POWER 0.35) scores 0.002-0.004 higher on the development sets, but
# merges a deleted unit with its neighbour (tests/test_properties.py's edits, seeds 1 and 8):
# an aligner that breaks that invariant would do so on text nobody has checked.
# A skip cost of 0.25-0.4 times each document's median 1-1 score, instead of one for all,
# loses 0.009-0.023 strict F1 on MAC-Dev and gains at most 0.001 on Text+Berg.
# A merge across a unit that does not end a sentence (no ``. ! ? 。`` at its end, as an OCR
# line cut mid-sentence, ``Und nun zum Hüttenwart :``) made 0.03-0.1 cheaper per such unit:
# Text+Berg 0.921-0.927, MAC-Dev 0.883-0.890. Captions and headings end so too, and stand alone.
DEFAULTS = {"max_merge": 6, "skip": 0.15, "merge_penalty": 0.0, "band": 6, "min_confidence": 0.0}
# Merged runs are embedded for real when in a bead of a path within this of the best
# (scored by summed vectors); from 0.25 up Text+Berg scores as with every run embedded.
EMBED_MARGIN = 0.3
# Weight of the length prior. 0.02 to 0.05 score alike on both development corpora; at
# 0.05 a paragraph is no longer merged with unmatched neighbours several times its length
# (an excerpt against a full translation, tests/test_properties.py).
LENGTH_WEIGHT = 0.05
# Paragraphs are long enough for a weak score to mean "no counterpart"; sentences are not.
PARAGRAPH_MIN_CONFIDENCE = 0.2
# Weight of the neighbour margin: a bead's cosine less this times the mean cosine of each
# side with the units right next to the other side's run (Bertalign's margin, scaled).
# A document-wide margin as well (the mean cosine of each unit with its 2-8 nearest units
# of the other document, weight 0.05-0.3) changes strict F1 by -0.007 to +0.003 on the
# development corpora and gains nothing leave-one-corpus-out; it also needs the n x m table.
MARGIN_WEIGHT = 0.5
# A merged bead of two units or more a side is split in two where the two score better
# by plain similarity (no margin) by at least this (``_split_merged``): the margin, which
# subtracts what a unit shares with the very next units, penalises two consecutive 1-1
# beads of one coherent passage more than the 2-2 bead holding both. The other way, joining
# two 1-1 beads into a 2-2 where a clause of one side resembles the other bead's unit more
# than its own, does not separate the two: that lead is above 0.185 for 5 % of the correct
# pairs of consecutive 1-1 beads of MAC-Dev and below 0.22 for half of its gold 2-2 beads.
SPLIT_MARGIN = 0.02
# Affine gaps: a run of k units left out in one bead costs ``skip * (1 + (k - 1) *
# SKIP_EXTEND)``, so a block of lines one side lacks (an advertisement, a caption) is left
# out together instead of being swallowed into a neighbouring bead, while a single stray
# unit still costs the full ``skip``. Runs up to ``max_merge`` units.
SKIP_EXTEND = 0.5
# The length agreement weighs a bead's similarity by ``log2(1 + r) ** p``: ``p`` is
# LENGTH_POWER for short units and grows to 1 as the two sides' mean length reaches
# LENGTH_FULL bytes. A length ratio says little between two short sentences (a half
# sentence of a split is short) and much between two paragraphs (Gale & Church 1993: the
# spread of the length difference grows slower than the length).
LENGTH_POWER = 0.5
LENGTH_FULL = 300
# Texts are embedded from their first this many characters (Vecalign does the same): a 1 MB
# paragraph is as recognisable from its start, and the encoder's memory stays bounded.
MAX_EMBED_CHARS = 10_000
# Texts are embedded as given. Undoing a tokeniser's spaces first (``d' alpage``, ``( GL )``,
# `` ,``) scores Text+Berg 0.932 strict (0.933 as given) and leaves MAC-Dev at 0.890.
# Centring each document's vectors on their mean gains nothing either: Text+Berg 0.924-0.930,
# MAC-Dev 0.876-0.891 over weights 0.5-1 and skip 0.10-0.22 (re-tuned: centred cosines are lower).
# A merged bead pays this times how much its edge units resemble the unit just outside the
# bead on the other side more than the bead's own other side (``_Scorer._misattached``).
# Off by default: 0.25 gains 0.006 strict F1 on MAC-Dev but costs Text+Berg's lax F1 its
# 0.99 (0.991 -> 0.989; scripts/tune_align.py keeps lax F1 >= 0.99 on every corpus).
ATTACH_WEIGHT = 0.0
# A unit's letters weigh fully in that test from this many UTF-8 bytes of letters on: an OCR
# scrap (``V``, ``» .``) has a vector that resembles anything a little, and says nothing.
CONTENT_FULL = 20
# The size gain of beads of four units or more (2-2, 1-3, 3-1 ...): Text+Berg 0.929 -> 0.933
# strict, MAC-Dev 0.888 -> 0.890. Leave-one-corpus-out it is chosen with MAC-Dev held out
# (0.05), not with Text+Berg held out (0.03, with ATTACH_WEIGHT 0.25: 0.929). The tuning
# script's rule ties 0.05 and 0.07 (mean strict F1 0.911) and breaks the tie by lax F1
# (0.07, by 0.0005); 0.05 is kept: not below 0.07 on either corpus, and 0.07 breaks the
# property of an edit next to a merge on 40 of 100 seeds, 0.05 on 38 as without the gain.
# Only with the split check's edge units: without them a merged unit and a unit inserted
# right after it become a 2-2, cut into two wrong 1-1 beads (74 of 100 seeds).
SIZE_GAIN = 0.05


def text_length(text: str) -> int:
    """A unit's length for the length scores: UTF-8 bytes, so that a Chinese character (3
    bytes) weighs about what the several Latin letters that translate it do."""
    return len(text.encode("utf-8", "surrogatepass"))


_NOT_LETTERS = re.compile(r"[\W\d_]+")


def content_weight(text: str) -> float:
    """How much a unit's vector says, in [0, 1]: its letters' UTF-8 bytes over
    ``CONTENT_FULL`` (a Chinese character weighs about what the Latin letters translating it
    do); 0 for a page number or an OCR scrap such as ``.-^ !``."""
    letters = len(_NOT_LETTERS.sub("", text).encode("utf-8", "surrogatepass"))
    return min(letters / CONTENT_FULL, 1.0)


def _embeddable(texts: Sequence[str]) -> list[str]:
    return [t[:MAX_EMBED_CHARS] for t in texts]


@dataclass
class _Side:
    """Run embeddings of one side: ``vecs[k][s]`` is the run of ``k`` units from ``s``."""

    texts: list[str]
    vecs: dict[int, np.ndarray]
    exact: dict[int, np.ndarray]
    chars: dict[int, np.ndarray]
    mergeable: dict[int, np.ndarray]
    encoder: Encoder | None = None
    content: np.ndarray | None = None  # per unit, ``content_weight``

    @classmethod
    def build(cls, texts: list[str], unit_vecs: np.ndarray, kmax: int,
              encoder: Encoder | None = None, lengths: np.ndarray | None = None,
              solo: Sequence[bool] | None = None) -> _Side:
        n = len(unit_vecs)
        if lengths is None:
            lengths = np.array([text_length(t) for t in texts], dtype=np.float64)
        csum_v = np.vstack([np.zeros((1, unit_vecs.shape[1]), np.float32), np.cumsum(unit_vecs, 0)])
        csum_c = np.concatenate([[0.0], np.cumsum(lengths)])
        csum_s = np.concatenate([[0], np.cumsum(np.asarray(solo if solo is not None else
                                                             np.zeros(n), dtype=int))])
        vecs, exact, chars, mergeable = {}, {}, {}, {}
        for k in range(1, min(kmax, n) + 1):
            vecs[k] = unit_vecs.copy() if k == 1 else normalise(csum_v[k:] - csum_v[:-k])
            exact[k] = np.full(n - k + 1, k == 1)
            chars[k] = csum_c[k:] - csum_c[:-k] + (k - 1)
            mergeable[k] = (k == 1) | (csum_s[k:] - csum_s[:-k] == 0)
        content = np.array([content_weight(t) for t in texts], dtype=np.float64)
        return cls(list(texts), vecs, exact, chars, mergeable, encoder, content)

    def missing(self, k: int, starts: Sequence[int]) -> list[tuple[int, int]]:
        """The ``(k, start)`` runs among ``starts`` that still have approximate vectors."""
        if k not in self.vecs or self.encoder is None:
            return []
        return [(k, s) for s in sorted(set(starts))
                if 0 <= s < len(self.exact[k]) and not self.exact[k][s]]

    def text(self, k: int, start: int) -> str:
        return " ".join(self.texts[start:start + k])

    def store(self, runs: list[tuple[int, int]], vectors: np.ndarray) -> None:
        for (k, start), vector in zip(runs, vectors):
            self.vecs[k][start] = vector
            self.exact[k][start] = True


def bead_types(max_merge: int) -> list[tuple[int, int]]:
    """1-0, 0-1 and every a-b with at most ``max_merge`` units a side, ``max_merge + 1`` in all."""
    types = [(1, 0), (0, 1)]
    types += [(a, b) for a in range(1, max_merge + 1) for b in range(1, max_merge + 1)
              if a + b <= max_merge + 1]
    return types


def gap_types(max_merge: int) -> list[tuple[int, int]]:
    """k-0 and 0-k for k from 2 to ``max_merge``: runs of units left out as one bead."""
    return [t for k in range(2, max_merge + 1) for t in ((k, 0), (0, k))]


def _skip_cost(k: int, skip: float) -> float:
    return skip * (1.0 + (k - 1) * SKIP_EXTEND)


class _Band:
    """The cells of a band (rows' column ranges ``[lo[i], hi[i]]``) as one flat array, row
    by row: every DP quantity is a vector over these cells plus one cell past the end that
    stands for "outside the band" (its cost stays infinite). Memory is the band's size."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray):
        self.lo, self.hi = np.asarray(lo, np.int64), np.asarray(hi, np.int64)
        widths = self.hi - self.lo + 1
        self.off = np.concatenate([[0], np.cumsum(widths)])
        self.size = int(self.off[-1])
        self.rows = np.repeat(np.arange(len(widths)), widths)
        self.cols = np.arange(self.size) - self.off[self.rows] + self.lo[self.rows]

    def index(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Flat index of each ``(row, col)``; ``size`` (the outside cell) when not in the band."""
        n = len(self.lo) - 1
        r = np.clip(rows, 0, n)
        inside = (rows >= 0) & (rows <= n) & (cols >= self.lo[r]) & (cols <= self.hi[r])
        return np.where(inside, self.off[r] + cols - self.lo[r], self.size)

    def split(self, flat: np.ndarray) -> list[np.ndarray]:
        return [flat[self.off[i]:self.off[i + 1]] for i in range(len(self.lo))]


def _pair_dots(x: np.ndarray, y: np.ndarray, rows: np.ndarray, cols: np.ndarray,
               block: int = 1024) -> np.ndarray:
    """``x[rows[k]] @ y[cols[k]]`` for every k, by small dense products over blocks of
    consecutive cells (a band's block spans few rows and columns), never gathering k vectors."""
    out = np.empty(len(rows), np.float64)
    for s in range(0, len(rows), block):
        r, c = rows[s:s + block], cols[s:s + block]
        if not len(r):
            continue
        r0, c0 = int(r.min()), int(c.min())
        dense = x[r0:int(r.max()) + 1] @ y[c0:int(c.max()) + 1].T
        out[s:s + block] = dense[r - r0, c - c0]
    return out


class _Scorer:
    """Costs of every bead type at every cell of a band, from run vectors."""

    def __init__(self, src: _Side, tgt: _Side, params: dict):
        self.src, self.tgt, self.p = src, tgt, params
        self._band: _Band | None = None
        self._dots: dict[tuple[int, int, int, int], np.ndarray] = {}
        self.src_mean = src.vecs[1].mean(0)
        self.tgt_mean = tgt.vecs[1].mean(0)
        self.char_ratio = _plausible_ratio(src.chars[1].sum(), tgt.chars[1].sum())

    @staticmethod
    def _rand(side: _Side, k: int, start: int, other_mean: np.ndarray) -> float:
        # Mean of 1 - cos against every unit of the other side, as one dot product.
        return max(1.0 - float(side.vecs[k][start] @ other_mean), 1e-3)

    def band_costs(self, band: _Band, types: list[tuple[int, int]], skip: float,
                   only: set[tuple[int, int]] | None = None,
                   costs: np.ndarray | None = None) -> np.ndarray:
        """``costs[t, cell]``: cost (negative score) of a bead of type ``types[t]`` ending at
        the cell; infinite where it cannot end there. ``only`` recomputes those types alone."""
        if costs is None:
            costs = np.full((len(types), band.size + 1), np.inf)
        self._band, self._dots = band, {}
        for t, (a, b) in enumerate(types):
            if only is not None and (a, b) not in only:
                continue
            r, c = band.rows - a, band.cols - b
            ok = (r >= 0) & (c >= 0)
            if a and b:
                if a not in self.src.vecs or b not in self.tgt.vecs:  # runs longer than a side
                    costs[t, :-1] = np.inf
                    continue
                ok[ok] = self.src.mergeable[a][r[ok]] & self.tgt.mergeable[b][c[ok]]
                row = np.full(band.size, np.inf)
                row[ok] = self._cost(a, b, r[ok], c[ok], ok)
            else:
                row = np.where(ok, _skip_cost(a + b, skip), np.inf)
            costs[t, :-1] = row
        self._band, self._dots = None, {}
        return costs

    def _band_dots(self, ka: int, da: int, kb: int, db: int) -> np.ndarray:
        """``src.vecs[ka][row - da] @ tgt.vecs[kb][col - db]`` at every cell of the band
        being scored (indices clipped: the caller masks cells where they do not exist).
        Bead types share most of these, so each is computed once per band."""
        key = (ka, da, kb, db)
        if key not in self._dots:
            xs, ys = self.src.vecs[ka], self.tgt.vecs[kb]
            self._dots[key] = _pair_dots(xs, ys, np.clip(self._band.rows - da, 0, len(xs) - 1),
                                         np.clip(self._band.cols - db, 0, len(ys) - 1))
        return self._dots[key]

    def _cost(self, a: int, b: int, r: np.ndarray, c: np.ndarray,
              cells: np.ndarray | None = None) -> np.ndarray:
        """Costs of a-b beads of source run ``(a, r[k])`` and target run ``(b, c[k])``
        (ending at the band's ``cells`` when called by ``band_costs``)."""
        xs, ys = self.src.vecs[a], self.tgt.vecs[b]
        sim = _pair_dots(xs, ys, r, c)
        weight = self.p.get("margin_weight", 0.0)
        if weight:
            sim = sim - weight * self._margin(a, b, r, c, cells)
        lx = self.src.chars[a][r]
        ly = self.tgt.chars[b][c] * self.char_ratio
        ratio = np.minimum(lx, ly) / np.maximum(np.maximum(lx, ly), 1)
        power = LENGTH_POWER + (1 - LENGTH_POWER) * np.minimum((lx + ly) / (2 * LENGTH_FULL), 1)
        gain = self.p.get("size_gain", 0.0)
        if gain and a + b >= 4:
            sim = sim * (0.5 * (a + b)) ** gain
        cost = (-sim * np.log2(1 + ratio) ** power + _length_cost(lx, ly)
                + self.p["merge_penalty"] * (a + b - 2))
        if a > 1 or b > 1:
            weight = self.p.get("attach_weight", 0.0)
            if weight:
                cost = cost + weight * self._misattached(a, b, r, c, cells)
        return cost

    def _misattached(self, a: int, b: int, r: np.ndarray, c: np.ndarray,
                     cells: np.ndarray | None = None) -> np.ndarray:
        """Evidence that a merged bead took in a unit of its neighbour: for each end unit of
        a merged side, how much more it resembles the other side's unit just outside the
        bead than the bead's own other side (0 when less), weighted by its content. The
        DP weighs a merge against a 1-1 plus a gap, never against handing the edge unit to
        the next bead; this compares the two directly."""
        if cells is not None:
            return self._misattached_in_band(a, b, r, c, cells)
        total = np.zeros(len(r))
        for side, other, k, own, other_k, other_at in (
                (self.src, self.tgt, a, r, b, c), (self.tgt, self.src, b, c, a, r)):
            if k < 2:
                continue
            units, outside = side.vecs[1], other.vecs[1]
            for unit, neighbour in ((own, other_at - 1), (own + k - 1, other_at + other_k)):
                has = (neighbour >= 0) & (neighbour < len(outside))
                near = _pair_dots(units, outside, unit, np.clip(neighbour, 0, len(outside) - 1))
                mine = _pair_dots(units, other.vecs[other_k], unit, other_at)
                total += np.where(has, np.maximum(near - mine, 0.0) * side.content[unit], 0.0)
        return total

    def _margin_in_band(self, a: int, b: int, r: np.ndarray, c: np.ndarray,
                        cells: np.ndarray) -> np.ndarray:
        """``_margin`` for the beads ending at the band's ``cells`` (see ``_band_dots``)."""
        n, m = len(self.src.vecs[1]), len(self.tgt.vecs[1])
        dots = self._band_dots

        def mean(before, after, has_before, has_after):
            total = np.where(has_before, before[cells], 0.0) + np.where(has_after, after[cells], 0.0)
            return total / np.maximum(has_before.astype(float) + has_after, 1.0)

        tgt_side = mean(dots(a, a, 1, b + 1), dots(a, a, 1, 0), c >= 1, c + b < m)
        src_side = mean(dots(1, a + 1, b, b), dots(1, 0, b, b), r >= 1, r + a < n)
        return 0.5 * (tgt_side + src_side)

    def _misattached_in_band(self, a: int, b: int, r: np.ndarray, c: np.ndarray,
                             cells: np.ndarray) -> np.ndarray:
        """``_misattached`` for the beads ending at the band's ``cells``, from dot products
        shared between bead types (a bead ends at (row, col): r = row - a, c = col - b)."""
        n, m = len(self.src.vecs[1]), len(self.tgt.vecs[1])
        dots = self._band_dots
        total = np.zeros(len(r))
        if a > 1:  # source units r and r + a - 1 against target units c - 1 and c + b
            for near, mine, has, unit in (
                    (dots(1, a, 1, b + 1), dots(1, a, b, b), c >= 1, r),
                    (dots(1, 1, 1, 0), dots(1, 1, b, b), c + b < m, r + a - 1)):
                gap = np.maximum(near[cells] - mine[cells], 0.0) * self.src.content[unit]
                total += np.where(has, gap, 0.0)
        if b > 1:  # target units c and c + b - 1 against source units r - 1 and r + a
            for near, mine, has, unit in (
                    (dots(1, a + 1, 1, b), dots(a, a, 1, b), r >= 1, c),
                    (dots(1, 0, 1, 1), dots(a, a, 1, 1), r + a < n, c + b - 1)):
                gap = np.maximum(near[cells] - mine[cells], 0.0) * self.tgt.content[unit]
                total += np.where(has, gap, 0.0)
        return total

    def _margin(self, a: int, b: int, r: np.ndarray, c: np.ndarray,
                cells: np.ndarray | None = None) -> np.ndarray:
        """Mean cosine of each side's run with the units just outside the other side's run."""
        if cells is not None:
            return self._margin_in_band(a, b, r, c, cells)
        sv, tv = self.src.vecs[1], self.tgt.vecs[1]
        xs, ys = self.src.vecs[a], self.tgt.vecs[b]
        n, m = len(sv), len(tv)

        def around(run_vecs, units, runs, before, after, size):
            has_before, has_after = before >= 0, after < size
            total = (np.where(has_before, _pair_dots(run_vecs, units, runs,
                                                     np.maximum(before, 0)), 0.0)
                     + np.where(has_after, _pair_dots(run_vecs, units, runs,
                                                      np.minimum(after, size - 1)), 0.0))
            return total / np.maximum(has_before.astype(float) + has_after, 1.0)

        tgt_side = around(xs, tv, r, c - 1, c + b, m)
        src_side = around(ys, sv, c, r - 1, r + a, n)
        return 0.5 * (tgt_side + src_side)

    def confidence(self, src: tuple[int, ...], tgt: tuple[int, ...]) -> float:
        a, b = len(src), len(tgt)
        x, y = self.src.vecs[a][src[0]], self.tgt.vecs[b][tgt[0]]
        norm = 0.5 * (self._rand(self.src, a, src[0], self.tgt_mean)
                      + self._rand(self.tgt, b, tgt[0], self.src_mean))
        return float(np.clip(1.0 - (1.0 - float(x @ y)) / norm, 0.0, 1.0))


def _length_cost(lx: np.ndarray, ly: np.ndarray) -> np.ndarray:
    """Gale-Church-style length prior: ``LENGTH_WEIGHT`` times the squared log ratio of
    the two sides' (scaled) lengths, so a lopsided bead costs more the more lopsided."""
    return LENGTH_WEIGHT * np.log((lx + 1) / (ly + 1)) ** 2


def _row_moves(best: np.ndarray, back: np.ndarray | None, types: list[tuple[int, int]],
               skip: float, reverse: bool = False) -> np.ndarray:
    """Relax one row with its 0-k beads (target units left out), which move along the row:
    forward, ``best[j] = min(best[j], best[j - k] + skip_k)``; ``reverse`` for costs to the end."""
    if reverse:
        best = best[::-1].copy()
    t01 = types.index((0, 1))
    gaps = [(t, b, _skip_cost(b, skip)) for t, (a, b) in enumerate(types) if a == 0 and b > 1]
    offs = np.arange(len(best)) * skip
    while True:
        # 0-1 beads: best[j] = min over k <= j of best[k] + (j - k) * skip.
        run = np.minimum.accumulate(best - offs) + offs
        moved = run < best - 1e-12
        best = np.where(moved, run, best)
        if back is not None:
            back[moved] = t01
        changed = False
        for t, k, step in gaps:
            if k >= len(best):
                continue
            cand = best[:-k] + step
            better = cand < best[k:] - 1e-12
            if better.any():
                idx = np.flatnonzero(better) + k
                best[idx] = cand[better]
                if back is not None:
                    back[idx] = t
                changed = True
        if not changed:
            break
    return best[::-1] if reverse else best


# The path is the best-scoring one (Viterbi). Decoding by posteriors instead (forward-
# backward over the same band with scores -cost / T, then the path of most expected correct
# beads less a price per bead) never scores above it: Text+Berg 0.900-0.933 strict over T
# 0.02-0.2 and a price of 0-0.6, 0.933 only where T is so low that it is Viterbi again;
# MAC-Dev 0.887 (Viterbi 0.890) at T 0.05 and a price of 0.6, the best setting below that.
def _forward(band: _Band, costs: np.ndarray, types: list[tuple[int, int]],
             skip: float) -> tuple[np.ndarray, np.ndarray]:
    """Cheapest cost from (0, 0) to each cell of the band, and the bead type ending there.
    One vector operation per row over all bead types that come from an earlier row."""
    steps = [t for t, (a, _) in enumerate(types) if a > 0]
    kinds = np.array(steps, dtype=np.int8)
    prev = np.stack([band.index(band.rows - types[t][0], band.cols - types[t][1])
                     for t in steps])
    step_costs = costs[steps]
    ahead = np.full(band.size + 1, np.inf)
    back = np.full(band.size, -1, dtype=np.int8)
    for i in range(len(band.lo)):
        s, e = band.off[i], band.off[i + 1]
        if i == 0:
            best = np.full(e - s, np.inf)
            best[0] = 0.0  # lo[0] is 0: the path starts at (0, 0)
            kind = np.full(e - s, -1, dtype=np.int8)
        else:
            cand = ahead[prev[:, s:e]] + step_costs[:, s:e]
            arg = cand.argmin(0)
            best = cand[arg, np.arange(e - s)]
            kind = np.where(np.isfinite(best), kinds[arg], -1).astype(np.int8)
        ahead[s:e] = _row_moves(best, kind, types, skip)
        back[s:e] = kind
    return ahead, back


def _backward(band: _Band, costs: np.ndarray, types: list[tuple[int, int]],
              skip: float) -> np.ndarray:
    """Cheapest cost from each cell of the band to (n, m)."""
    steps = [t for t, (a, _) in enumerate(types) if a > 0]
    after = np.stack([band.index(band.rows + types[t][0], band.cols + types[t][1])
                      for t in steps])
    step_costs = np.stack([costs[t][after[k]] for k, t in enumerate(steps)])
    behind = np.full(band.size + 1, np.inf)
    n = len(band.lo) - 1
    for i in range(n, -1, -1):
        s, e = band.off[i], band.off[i + 1]
        if i == n:
            best = np.full(e - s, np.inf)
            best[-1] = 0.0  # hi[n] is m
        else:
            best = (behind[after[:, s:e]] + step_costs[:, s:e]).min(0)
        behind[s:e] = _row_moves(best, None, types, skip, reverse=True)
    return behind


def _path(band: _Band, back: np.ndarray, types: list[tuple[int, int]]) -> list[tuple[int, int]]:
    n = len(band.lo) - 1
    i, j = n, int(band.hi[n])
    path = []
    while i > 0 or j > 0:
        k = int(band.index(np.array([i]), np.array([j]))[0])
        if k == band.size or back[k] < 0:
            raise RuntimeError("alignment band does not reach the end")  # a bug, not a user error
        a, b = types[back[k]]
        path.append((a, b))
        i, j = i - a, j - b
    return path[::-1]


def _table(scorer: _Scorer, lo: np.ndarray, hi: np.ndarray, types: list[tuple[int, int]],
           skip: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward DP inside rows' column ranges ``[lo[i], hi[i]]``: per row, the cheapest cost
    from (0, 0) to each column and the bead type that ends there."""
    band = _Band(lo, hi)
    ahead, back = _forward(band, scorer.band_costs(band, types, skip), types, skip)
    return band.split(ahead[:-1]), band.split(back)


def _costs_to_end(scorer: _Scorer, lo: np.ndarray, hi: np.ndarray,
                  types: list[tuple[int, int]], skip: float) -> list[np.ndarray]:
    """Per row, the cheapest cost from each column of the band to (n, m)."""
    band = _Band(lo, hi)
    return band.split(_backward(band, scorer.band_costs(band, types, skip), types, skip)[:-1])


def _dp(scorer: _Scorer, lo: np.ndarray, hi: np.ndarray, types: list[tuple[int, int]],
        skip: float) -> list[tuple[int, int]]:
    """Cheapest path from (0, 0) to (n, m) inside rows' column ranges ``[lo[i], hi[i]]``.

    Returns the bead types along the path, in order.
    """
    band = _Band(lo, hi)
    _, back = _forward(band, scorer.band_costs(band, types, skip), types, skip)
    return _path(band, back, types)


def _near_best(band: _Band, costs: np.ndarray, types: list[tuple[int, int]], skip: float,
               margin: float) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    ahead, _ = _forward(band, costs, types, skip)
    behind = _backward(band, costs, types, skip)
    limit = ahead[band.index(np.array([len(band.lo) - 1]), band.hi[-1:])[0]] + margin
    need_src: dict[int, set[int]] = {}
    need_tgt: dict[int, set[int]] = {}
    for t, (a, b) in enumerate(types):
        if a == 0 or b == 0 or a + b == 2:
            continue
        prev = band.index(band.rows - a, band.cols - b)
        total = ahead[prev] + behind[:-1] + costs[t, :-1]
        near = total <= limit
        if not near.any():
            continue
        if a > 1:
            need_src.setdefault(a, set()).update((band.rows[near] - a).tolist())
        if b > 1:
            need_tgt.setdefault(b, set()).update((band.cols[near] - b).tolist())
    return need_src, need_tgt


def _runs_near_best(scorer: _Scorer, lo: np.ndarray, hi: np.ndarray,
                    types: list[tuple[int, int]], skip: float,
                    margin: float) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Merged runs that sit in a bead of some path costing at most ``margin`` more than
    the cheapest, as ``{run length: starts}`` per side: the runs whose real vectors
    could change the path (forward and backward DP, as in forward-backward pruning)."""
    band = _Band(lo, hi)
    return _near_best(band, scorer.band_costs(band, types, skip), types, skip, margin)


def _points(path: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pts, i, j = [(0, 0)], 0, 0
    for a, b in path:
        i, j = i + a, j + b
        pts.append((i, j))
    return pts


def _band(points: list[tuple[int, int]], n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Column range per row: the path's columns near that row, widened by ``width``."""
    jmin = np.full(n + 1, m, dtype=np.int64)
    jmax = np.zeros(n + 1, dtype=np.int64)
    for (i0, j0), (i1, j1) in zip(points, points[1:] + [points[-1]]):
        rows = np.arange(i0, i1 + 1)
        jmin[rows] = np.minimum(jmin[rows], min(j0, j1))
        jmax[rows] = np.maximum(jmax[rows], max(j0, j1))
    lo, hi = jmin.copy(), jmax.copy()
    for d in range(1, width + 1):
        lo[d:] = np.minimum(lo[d:], jmin[:-d])
        lo[:-d] = np.minimum(lo[:-d], jmin[d:])
        hi[d:] = np.maximum(hi[d:], jmax[:-d])
        hi[:-d] = np.maximum(hi[:-d], jmax[d:])
    lo = np.clip(lo - width, 0, m)
    hi = np.clip(hi + width, 0, m)
    lo[0], hi[n] = 0, m
    return lo, hi


def _coarse(vecs: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(vecs)
    pad = n % 2
    v = np.vstack([vecs, np.zeros((pad, vecs.shape[1]), np.float32)]) if pad else vecs
    ln = np.concatenate([lengths, np.zeros(pad)]) if pad else lengths
    return normalise(v[0::2] + v[1::2]), ln[0::2] + ln[1::2]


def _first_pass(sv: np.ndarray, tv: np.ndarray, sl: np.ndarray, tl: np.ndarray,
                params: dict) -> list[tuple[int, int]]:
    """Path points of a 1-1/1-0/0-1 alignment, coarse-to-fine when the table is large."""
    n, m = len(sv), len(tv)
    types = [(1, 0), (0, 1), (1, 1)]
    src = _Side.build([""] * n, sv, 1, lengths=sl)
    tgt = _Side.build([""] * m, tv, 1, lengths=tl)
    # The rough path only needs plain similarity; the margin refines the second pass.
    scorer = _Scorer(src, tgt, {**params, "margin_weight": 0.0})
    if (n + 1) * (m + 1) <= FULL_CELLS or min(n, m) < 8:
        lo, hi = np.zeros(n + 1, np.int64), np.full(n + 1, m, np.int64)
    else:
        csv, csl = _coarse(sv, sl)
        ctv, ctl = _coarse(tv, tl)
        coarse = _first_pass(csv, ctv, csl, ctl, params)
        fine = [(min(2 * i, n), min(2 * j, m)) for i, j in coarse]
        lo, hi = _band(fine, n, m, 2 * params["band"])
    return _points(_dp(scorer, lo, hi, types, params["skip"]))


def _plausible_ratio(src_chars: float, tgt_chars: float) -> float:
    """Source/target length ratio, kept within what translations show (0.5 to 2): a one-line
    title against a whole article must not make every pairing look wrong."""
    return float(np.clip((src_chars + 1) / (tgt_chars + 1), 0.5, 2.0))


def _char_ratio(points: list[tuple[int, int]], sl: np.ndarray, tl: np.ndarray) -> float:
    """Source/target length ratio over the rough path's 1-1 links (the whole documents'
    ratio would be skewed by what one side lacks)."""
    pairs = [(i0, j0) for (i0, j0), (i1, j1) in pairwise_(points)
             if i1 - i0 == 1 and j1 - j0 == 1]
    if not pairs:
        return _plausible_ratio(sl.sum(), tl.sum())
    src_chars = sum(sl[i] for i, _ in pairs)
    tgt_chars = sum(tl[j] for _, j in pairs)
    return float((src_chars + 1) / (tgt_chars + 1))


def _search(src_texts: list[str], tgt_texts: list[str], sv: np.ndarray, tv: np.ndarray,
            sl: np.ndarray, tl: np.ndarray, params: dict, encoder: Encoder | None,
            src_solo: Sequence[bool] | None,
            tgt_solo: Sequence[bool] | None) -> tuple[list[tuple[int, int]], _Scorer]:
    """The two passes: the rough path, then every bead type in a band around it (merged runs
    near the best path embedded for real when ``encoder`` is given). Returns the bead types
    along the path and the scorer."""
    n, m = len(sv), len(tv)
    max_merge, skip, band = params["max_merge"], params["skip"], params["band"]
    rough = _first_pass(sv, tv, sl, tl, params)

    src = _Side.build(src_texts, sv, max_merge, encoder, solo=src_solo)
    tgt = _Side.build(tgt_texts, tv, max_merge, encoder, solo=tgt_solo)
    scorer = _Scorer(src, tgt, params)
    scorer.char_ratio = _char_ratio(rough, sl, tl)
    types = bead_types(max_merge) + (gap_types(max_merge) if SKIP_EXTEND < 1 else [])
    cells = _Band(*_band(rough, n, m, band))
    costs = scorer.band_costs(cells, types, skip)
    if encoder is not None:
        need = _near_best(cells, costs, types, skip, EMBED_MARGIN)
        if _embed_runs(src, tgt, *need):
            merged = {(a, b) for a, b in types if a > 1 or b > 1}
            costs = scorer.band_costs(cells, types, skip, only=merged, costs=costs)
    path = _path(cells, _forward(cells, costs, types, skip)[1], types)
    path = _split_merged(path, scorer)
    return path, scorer


def _split_merged(path: list[tuple[int, int]], scorer: _Scorer) -> list[tuple[int, int]]:
    """Split an a-b bead (a, b >= 2) into two smaller ones, or into a bead and an edge unit
    left out, where they score better than it by plain similarity (no neighbour margin, no
    size gain)."""
    plain = _Scorer(scorer.src, scorer.tgt, {**scorer.p, "margin_weight": 0.0,
                                              "attach_weight": 0.0, "size_gain": 0.0})
    plain.char_ratio = scorer.char_ratio
    left_out = _skip_cost(1, scorer.p["skip"])

    def cost(a: int, b: int, i: int, j: int) -> float:
        return float(plain._cost(a, b, np.array([i]), np.array([j]))[0])

    out, i, j = [], 0, 0
    for a, b in path:
        best, split = None, None
        if a >= 2 and b >= 2:
            best = cost(a, b, i, j) - SPLIT_MARGIN
            for a1 in range(1, a):
                for b1 in range(1, b):
                    total = cost(a1, b1, i, j) + cost(a - a1, b - b1, i + a1, j + b1)
                    if total < best:
                        best, split = total, [(a1, b1), (a - a1, b - b1)]
            # the first or last unit of either side left out, the rest one bead
            for pieces, rest, at in (([(0, 1), (a, b - 1)], (a, b - 1), (i, j + 1)),
                                     ([(a, b - 1), (0, 1)], (a, b - 1), (i, j)),
                                     ([(1, 0), (a - 1, b)], (a - 1, b), (i + 1, j)),
                                     ([(a - 1, b), (1, 0)], (a - 1, b), (i, j))):
                total = left_out + cost(*rest, *at)
                if total < best:
                    best, split = total, pieces
        out += split or [(a, b)]
        i, j = i + a, j + b
    return out


def _check_cover(beads: list[Bead], n: int, m: int) -> None:
    src = [i for bead in beads for i in bead.src]
    tgt = [j for bead in beads for j in bead.tgt]
    assert src == list(range(n)) and tgt == list(range(m)), "beads must cover each unit once"


def align(src_texts: Sequence[str], tgt_texts: Sequence[str], encoder: Encoder | None = None,
          *, max_merge: int = DEFAULTS["max_merge"], skip: float = DEFAULTS["skip"],
          merge_penalty: float = DEFAULTS["merge_penalty"], band: int = DEFAULTS["band"],
          min_confidence: float = DEFAULTS["min_confidence"], exact_merges: bool = True,
          src_solo: Sequence[bool] | None = None, tgt_solo: Sequence[bool] | None = None,
          src_id: str | None = None, tgt_id: str | None = None) -> Alignment:
    """Align two lists of texts (units or sentences) into beads.

    ``max_merge`` bounds the units on one side of a bead (``max_merge + 1`` in all);
    ``skip`` is the cost of leaving a unit out; ``merge_penalty`` is added per extra
    unit in a bead; ``band`` is the second pass's half-width around the rough path;
    ``exact_merges=False`` scores merged runs by summed vectors only (no extra
    embedding, less exact); ``src_solo``/``tgt_solo`` flag units that never merge
    with a neighbour (a quoted tweet).
    """
    if max_merge < 1:
        raise ValueError("max_merge must be at least 1")
    encoder = encoder or default_encoder()
    src_texts, tgt_texts = list(src_texts), list(tgt_texts)
    n, m = len(src_texts), len(tgt_texts)
    params = {"max_merge": max_merge, "skip": skip, "merge_penalty": merge_penalty,
              "band": band, "min_confidence": min_confidence, "exact_merges": exact_merges,
              "length_weight": LENGTH_WEIGHT, "length_power": LENGTH_POWER,
              "length_full": LENGTH_FULL, "embed_margin": EMBED_MARGIN,
              "margin_weight": MARGIN_WEIGHT, "skip_extend": SKIP_EXTEND,
              "attach_weight": ATTACH_WEIGHT, "content_full": CONTENT_FULL,
              "split_margin": SPLIT_MARGIN, "size_gain": SIZE_GAIN}
    signature = Signature(encoder.name, encoder.version, params)
    if n == 0 or m == 0:
        beads = [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
        return Alignment(beads, src_texts, tgt_texts, signature, src_id, tgt_id)

    vecs = encoder.encode(_embeddable(src_texts + tgt_texts))
    sv, tv = vecs[:n], vecs[n:]
    sl = np.array([text_length(t) for t in src_texts], dtype=np.float64)
    tl = np.array([text_length(t) for t in tgt_texts], dtype=np.float64)
    # The scoring's many small matrix products run fastest on one BLAS thread; more threads
    # on a busy machine made them 10-30x slower (OpenBLAS threads wait for a free core).
    with threadpool_limits(limits=1, user_api="blas"):
        path, scorer = _search(src_texts, tgt_texts, sv, tv, sl, tl, params,
                               encoder if exact_merges else None, src_solo, tgt_solo)

    beads, i, j = [], 0, 0
    for a, b in path:
        s, t = tuple(range(i, i + a)), tuple(range(j, j + b))
        score = scorer.confidence(s, t) if a and b else None
        if score is None or score < min_confidence:
            # A run left out is one bead per unit. The DP prefers any pairing to none; a
            # pairing this weak is gaps too.
            beads += [Bead((k,), ()) for k in s] + [Bead((), (k,)) for k in t]
        else:
            beads.append(Bead(s, t, score))
        i, j = i + a, j + b
    _check_cover(beads, n, m)
    return Alignment(beads, src_texts, tgt_texts, signature, src_id, tgt_id)


def _embed_runs(src: _Side, tgt: _Side, need_src: dict[int, set[int]],
                need_tgt: dict[int, set[int]]) -> int:
    """Replace the summed vectors of the needed runs by their texts' embeddings; count them."""
    src_runs = [r for k, starts in need_src.items() for r in src.missing(k, starts)]
    tgt_runs = [r for k, starts in need_tgt.items() for r in tgt.missing(k, starts)]
    if not src_runs and not tgt_runs:
        return 0
    encoder = src.encoder or tgt.encoder
    vectors = encoder.encode(_embeddable([src.text(*r) for r in src_runs]
                                         + [tgt.text(*r) for r in tgt_runs]))
    src.store(src_runs, vectors[:len(src_runs)])
    tgt.store(tgt_runs, vectors[len(src_runs):])
    return len(src_runs) + len(tgt_runs)


def align_articles(src: Article, tgt: Article, encoder: Encoder | None = None, *,
                   level: str = "paragraph", **options) -> Alignment:
    """Align two articles' aligned units (``level="paragraph"``) or their sentences.

    At sentence level the texts are the sentences of each unit in order (see
    ``segment.split_sentences``); bead indices then count sentences.
    """
    encoder = encoder or default_encoder()
    check_languages(encoder, [src.lang], src.path)
    check_languages(encoder, [tgt.lang], tgt.path)
    if level == "paragraph":
        src_texts = [u.text for u in src.aligned_units]
        tgt_texts = [u.text for u in tgt.aligned_units]
        # A quoted tweet, a title or a heading is a piece of its own, never half of a bead.
        options.setdefault("src_solo", [u.kind in SOLO_KINDS for u in src.aligned_units])
        options.setdefault("tgt_solo", [u.kind in SOLO_KINDS for u in tgt.aligned_units])
        options.setdefault("min_confidence", PARAGRAPH_MIN_CONFIDENCE)
    elif level == "sentence":
        from .segment import article_sentences

        src_texts = article_sentences(src)
        tgt_texts = article_sentences(tgt)
    else:
        raise ValueError(f"level must be 'paragraph' or 'sentence', not {level!r}")
    result = align(src_texts, tgt_texts, encoder, src_id=src.id, tgt_id=tgt.id, **options)
    result.signature.params["level"] = level
    result.src_lang, result.tgt_lang = src.lang, tgt.lang
    return result


def translation_score(alignment: Alignment, threshold: float = 0.5) -> float:
    """Share of the shorter side's units that sit in a bead of confidence >= ``threshold``.

    Near 1 for a translation, near 0 for two unrelated texts.
    """
    n, m = len(alignment.src_texts), len(alignment.tgt_texts)
    if min(n, m) == 0:
        return 0.0
    confident = [b for b in alignment.beads if b.score is not None and b.score >= threshold]
    src = sum(len(b.src) for b in confident) / n
    tgt = sum(len(b.tgt) for b in confident) / m
    return src if n < m else tgt if m < n else min(src, tgt)


def is_probably_translation(alignment: Alignment, threshold: float = 0.5) -> bool:
    """True when at least half of the shorter side aligns with confidence (see ``translation_score``)."""
    return translation_score(alignment) >= threshold


def align_nway(articles: Sequence[Article], encoder: Encoder | None = None, *,
               level: str = "paragraph", **options) -> NwayAlignment:
    """Align n versions of an article through the first one (the pivot).

    Each version is aligned with the pivot; a row ends only where every pairwise
    alignment has a bead boundary, so all projections agree. Units of a version that
    the pivot lacks become rows of their own (or join the row they fall inside).
    """
    if len(articles) < 2:
        raise ValueError("align_nway needs at least two articles")
    encoder = encoder or default_encoder()
    pivot = articles[0]
    pairs = [align_articles(pivot, other, encoder, level=level, **options) for other in articles[1:]]
    texts = [pairs[0].src_texts] + [p.tgt_texts for p in pairs]
    n = len(texts[0])
    # A boundary after pivot unit p survives only if no pairwise bead spans it.
    cut = np.ones(n + 1, dtype=bool)
    for pair in pairs:
        for bead in pair.beads:
            for p in bead.src[:-1]:
                cut[p + 1] = False
    group_of = np.cumsum(cut[:n]) - 1 if n else np.zeros(0, int)  # pivot unit -> pivot group
    n_groups = int(group_of[-1]) + 1 if n else 0
    grouped = [[[] for _ in articles] for _ in range(n_groups)]
    gscores: list[list[float]] = [[] for _ in range(n_groups)]
    for p in range(n):
        grouped[group_of[p]][0].append(p)
    # Non-pivot units: inside a group (merged with pivot units) or between groups (own row).
    extra: dict[tuple[float, int], list[list[int]]] = {}
    for k, pair in enumerate(pairs, start=1):
        groups = [int(group_of[b.src[0]]) if b.src else None for b in pair.beads]
        last_group = -1
        for pos, bead in enumerate(pair.beads):
            if bead.src:
                last_group = groups[pos]
                grouped[last_group][k].extend(bead.tgt)
                if bead.score is not None:
                    gscores[last_group].append(bead.score)
                continue
            following = next((g for g in groups[pos:] if g is not None), None)
            if following == last_group:  # inside a group: merge into it
                grouped[last_group][k].extend(bead.tgt)
            else:
                # A row of its own per version: two versions' extras need not match.
                extra.setdefault((last_group + 0.5, k), [[] for _ in articles])[k].extend(bead.tgt)
    order = sorted([((float(g), 0), grouped[g], gscores[g]) for g in range(n_groups)]
                   + [(pos, cells, []) for pos, cells in extra.items()], key=lambda r: r[0])
    result_rows = [tuple(tuple(sorted(c)) for c in cells) for _, cells, _ in order]
    row_scores = [float(np.mean(sc)) if sc else None for _, _, sc in order]
    nway = NwayAlignment(
        rows=result_rows, scores=row_scores, ids=[a.id for a in articles],
        langs=[a.lang for a in articles], texts=texts, signature=pairs[0].signature,
    )
    for k in range(len(articles)):
        flat = [i for row in nway.rows for i in row[k]]
        assert flat == list(range(len(texts[k]))), "n-way rows must cover each unit once"
    return nway


def pairwise(nway: NwayAlignment, i: int, j: int) -> Alignment:
    """The two-way alignment of versions ``i`` and ``j`` that ``nway`` implies."""
    beads = []
    for row, score in zip(nway.rows, nway.scores):
        src, tgt = row[i], row[j]
        if src or tgt:
            # A row can hold units that met no partner's bead: no evidence, confidence 0.
            beads.append(Bead(src, tgt, (score or 0.0) if src and tgt else None))
    return Alignment(beads, nway.texts[i], nway.texts[j], nway.signature, nway.ids[i], nway.ids[j],
                     nway.langs[i], nway.langs[j])


def align_files(src_path: str | Path, tgt_path: str | Path, encoder: Encoder | None = None, *,
                presplit: bool = False, level: str = "paragraph",
                **options) -> tuple[Alignment, str, str]:
    """Align two files: articles (read by ``read_article``) or, with ``presplit``, one unit
    per line. Returns the alignment and the two languages (``und`` when presplit)."""
    if presplit:
        from .source import read_lines

        result = align(read_lines(src_path), read_lines(tgt_path), encoder,
                       src_id=Path(src_path).name, tgt_id=Path(tgt_path).name, **options)
        result.signature.params["level"] = "presplit"
        return result, "und", "und"
    from .read import read_article

    src, tgt = read_article(src_path), read_article(tgt_path)
    return align_articles(src, tgt, encoder, level=level, **options), src.lang, tgt.lang
