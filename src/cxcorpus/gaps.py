"""What one version has and another lacks: missing units, missing sentences, and pairs
so unlike that they are probably different texts.

A unit is missing on the other side when it sits in a 1-0/0-1 bead, or when it is peeled
off a merged bead (an aligner may fold a quoted tweet into the paragraph next to it; the
bead matches better without it). What is left of a paired bead is either probably not a
translation at all (``low_confidence``), or its sentences are aligned with the same
aligner and those without a counterpart are reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .model import Alignment, Article, Bead, NwayAlignment

# Paired units whose confidence (see ``Confidence``) is below this are probably two
# different texts, not a translation. Chosen from the seeds (scripts/bench_build.py prints
# the figures): the TR-IT unit pairs, true translations, score 0.40 at least (5th
# percentile 0.51); a TR unit scored against a wrong IT unit of the same article scores
# 0.21 at the 95th and 0.32 at the 99th percentile.
LOW_CONFIDENCE = 0.3
# A unit is peeled off a merged bead when dropping it raises the cosine by this much.
PEEL_MARGIN = 0.01
# Beads with at most this many units a side are peeled by trying every subset.
PEEL_EXHAUSTIVE = 6
# Sentences that pair off plainly (see ``_plain_pairs``) are this similar at least.
PLAIN_PAIR = 0.5


def find_gaps(src: Article, tgt: Article, alignment: Alignment | None = None,
              encoder: Any = None, *, sentences: bool = True,
              low_confidence: float = LOW_CONFIDENCE) -> list[dict[str, Any]]:
    """Every passage that one of two versions has and the other lacks, in reading order.

    Records: ``{"side", "level", "unit", "text", "kind", "article", "lang", "reason",
    "score"}`` plus ``sentence`` (index inside the unit) at sentence level. ``reason`` is
    ``"no_counterpart"`` or ``"low_confidence"`` (a paired unit that is probably a
    different text). ``sentences=False`` skips the sentence-level pass.
    """
    from .align import align_articles
    from .embed import default_encoder

    encoder = encoder or default_encoder()
    if alignment is None:
        alignment = align_articles(src, tgt, encoder)
    sides = {"src": src, "tgt": tgt}
    judge = Confidence(encoder, _texts(src, range(len(src.aligned_units))),
                       _texts(tgt, range(len(tgt.aligned_units))))
    records: list[dict[str, Any]] = []
    for bead in alignment.beads:
        if not bead.src or not bead.tgt:
            for side, units in (("src", bead.src), ("tgt", bead.tgt)):
                records += [_unit_record(sides[side], side, u, "no_counterpart", None)
                            for u in units]
            continue
        records += _inside_bead(src, tgt, bead, encoder, judge, low_confidence, sentences)
    return records


class Confidence:
    """How surely two texts translate each other, in [0, 1], whatever the aligner's scale.

    Vecalign's normalisation: ``1 - (1 - cos) / m``, where ``m`` is the mean of each
    text's ``1 - cos`` against every unit of the other document; a translation scores
    ~0.4-0.8, a stranger from the same article ~0-0.3.
    """

    def __init__(self, encoder: Any, src_texts: list[str], tgt_texts: list[str]):
        self.encoder = encoder
        self.src_mean = encoder.encode(src_texts).mean(0) if src_texts else None
        self.tgt_mean = encoder.encode(tgt_texts).mean(0) if tgt_texts else None

    def __call__(self, src_text: str, tgt_text: str) -> float:
        x, y = self.encoder.encode([src_text, tgt_text])
        norm = 0.5 * ((1.0 - float(x @ self.tgt_mean)) + (1.0 - float(y @ self.src_mean)))
        return min(1.0, max(0.0, 1.0 - (1.0 - float(x @ y)) / max(norm, 1e-3)))


def _inside_bead(src: Article, tgt: Article, bead: Any, encoder: Any, judge: Confidence,
                 low_confidence: float, sentences: bool) -> list[dict[str, Any]]:
    """Peel off the units a merged bead does not need; flag a core that is no translation;
    else align the core's sentences. Units peeled off both sides that translate each other
    (two versions' tweets in one n-way row) are a pair of their own, not gaps."""
    s_texts, t_texts = _texts(src, bead.src), _texts(tgt, bead.tgt)
    s_keep, t_keep = peel(s_texts, t_texts, encoder)
    s_core = tuple(bead.src[k] for k in s_keep)
    t_core = tuple(bead.tgt[k] for k in t_keep)
    s_rest = tuple(u for u in bead.src if u not in s_core)
    t_rest = tuple(u for u in bead.tgt if u not in t_core)
    records = []
    if s_rest and t_rest and judge(" ".join(_texts(src, s_rest)),
                                   " ".join(_texts(tgt, t_rest))) >= low_confidence:
        records += _inside_bead(src, tgt, Bead(s_rest, t_rest), encoder, judge,
                                low_confidence, sentences)
    else:
        records += [_unit_record(src, "src", u, "no_counterpart", None) for u in s_rest]
        records += [_unit_record(tgt, "tgt", u, "no_counterpart", None) for u in t_rest]
    score = judge(" ".join(s_texts[k] for k in s_keep), " ".join(t_texts[k] for k in t_keep))
    if score < low_confidence:
        records += _low(src, tgt, s_core, t_core, score)
    elif sentences:
        records += _missing_sentences(src, tgt, s_core, t_core, encoder)
    return sorted(records, key=lambda r: (r["side"] != "src", r["unit"], r.get("sentence", -1)))


def peel(src_texts: list[str], tgt_texts: list[str], encoder: Any,
         margin: float = PEEL_MARGIN) -> tuple[list[int], list[int]]:
    """The units of a merged bead worth keeping: positions on each side.

    Of all the ways to keep some units on each side (at least one a side), the one whose
    joined texts have the highest cosine, less ``margin`` for every unit dropped. A quoted
    tweet folded into a paragraph is dropped; half of a split paragraph is not. Sides of
    more than ``PEEL_EXHAUSTIVE`` units are peeled greedily, one unit at a time.
    """
    import itertools

    import numpy as np

    a, b = len(src_texts), len(tgt_texts)
    if a * b == 1:
        return [0], [0]
    if max(a, b) > PEEL_EXHAUSTIVE:
        return _peel_greedy(src_texts, tgt_texts, encoder, margin)

    def subsets(n: int) -> list[tuple[int, ...]]:
        return [c for k in range(n, 0, -1) for c in itertools.combinations(range(n), k)]

    s_sets, t_sets = subsets(a), subsets(b)
    vecs = encoder.encode([" ".join(src_texts[k] for k in c) for c in s_sets]
                          + [" ".join(tgt_texts[k] for k in c) for c in t_sets])
    dropped = (a - np.array([len(c) for c in s_sets]))[:, None] + (
        b - np.array([len(c) for c in t_sets]))[None, :]
    scores = vecs[:len(s_sets)] @ vecs[len(s_sets):].T - margin * dropped
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)  # first: keep all on ties
    return list(s_sets[i]), list(t_sets[j])


def _peel_greedy(src_texts: list[str], tgt_texts: list[str], encoder: Any,
                 margin: float) -> tuple[list[int], list[int]]:
    import numpy as np

    keep = [list(range(len(src_texts))), list(range(len(tgt_texts)))]
    texts = [src_texts, tgt_texts]

    def sims(options: list[list[list[int]]]) -> np.ndarray:
        joined = [" ".join(texts[0][k] for k in s) for s, _ in options]
        joined += [" ".join(texts[1][k] for k in t) for _, t in options]
        vecs = encoder.encode(joined)
        n = len(options)
        return np.einsum("ij,ij->i", vecs[:n], vecs[n:])

    current = float(sims([keep])[0])
    while len(keep[0]) + len(keep[1]) > 2:
        options = []
        for side in (0, 1):
            for drop in keep[side] if len(keep[side]) > 1 else []:
                option = [list(keep[0]), list(keep[1])]
                option[side].remove(drop)
                options.append(option)
        scores = sims(options)
        best = int(np.argmax(scores))
        if scores[best] < current + margin:
            break
        keep, current = options[best], float(scores[best])
    return keep[0], keep[1]


def _missing_sentences(src: Article, tgt: Article, s_units: tuple[int, ...],
                       t_units: tuple[int, ...], encoder: Any) -> list[dict[str, Any]]:
    """Sentences of paired units left in 1-0/0-1 beads when the units' sentences are
    aligned; a unit none of whose sentences has a counterpart is missing as a whole."""
    from .align import align

    s_sents = _sentences(src, s_units)
    t_sents = _sentences(tgt, t_units)
    if len(s_sents) == 1 and len(t_sents) == 1:
        return []
    s_texts, t_texts = [s for _, _, s in s_sents], [t for _, _, t in t_sents]
    if _plain_pairs(s_texts, t_texts, encoder):
        return []  # every sentence has its counterpart: nothing to look for
    inner = align(s_texts, t_texts, encoder)
    # A short line the aligner folded into a merged bead (a date, a call to action) is
    # peeled off it, as merged units are: paired are only the sentences the bead needs.
    paired_sides: dict[str, set[int]] = {"src": set(), "tgt": set()}
    for b in inner.beads:
        if not (b.src and b.tgt):
            continue
        s_keep, t_keep = peel([s_texts[k] for k in b.src], [t_texts[k] for k in b.tgt], encoder)
        paired_sides["src"].update(b.src[k] for k in s_keep)
        paired_sides["tgt"].update(b.tgt[k] for k in t_keep)
    records = []
    for side, article, sents, units in (("src", src, s_sents, s_units),
                                        ("tgt", tgt, t_sents, t_units)):
        paired = paired_sides[side]
        for unit in units:
            mine = [k for k, (u, _, _) in enumerate(sents) if u == unit]
            if not any(k in paired for k in mine):
                records.append(_unit_record(article, side, unit, "no_counterpart", None))
                continue
            for k in mine:
                if k not in paired:
                    record = _unit_record(article, side, unit, "no_counterpart", None)
                    record.update(level="sentence", sentence=sents[k][1], text=sents[k][2])
                    records.append(record)
    return records


def _plain_pairs(src: list[str], tgt: list[str], encoder: Any) -> bool:
    """Whether two lists of sentences pair off one to one, plainly: as many on each side,
    each sentence's most similar on the other side is the one in its own position (both
    ways), and every such pair at least ``PLAIN_PAIR`` similar. The aligner pairs these so
    (in every case of the bundled corpus and 40 generated groups: 1 099 lists of units or
    sentences);
    it runs only where this does not hold, which saves most of the gap finder's time."""
    if len(src) != len(tgt):
        return False
    vecs = encoder.encode(src + tgt)
    sims = vecs[:len(src)] @ vecs[len(src):].T
    order = range(len(src))
    return (bool((sims.argmax(axis=1) == order).all() and (sims.argmax(axis=0) == order).all())
            and float(sims.diagonal().min()) >= PLAIN_PAIR)


def _texts(article: Article, units: Iterable[int]) -> list[str]:
    aligned = article.aligned_units
    return [_body_text(aligned[u]) for u in units]


def _sentences(article: Article, units: tuple[int, ...]) -> list[tuple[int, int, str]]:
    """(unit index, sentence number, text) for the sentences of some units, in order."""
    from .segment import split_sentences

    aligned = article.aligned_units
    found = []
    for u in units:
        parts = split_sentences(_body_text(aligned[u]), article.lang) or [aligned[u].text]
        found += [(u, k, text) for k, text in enumerate(parts)]
    return found


def _body_text(unit: Any) -> str:
    """A tweet's own text, without its attribution line (which has no translation)."""
    if unit.kind == "tweet" and unit.data.get("tweet_text"):
        return unit.data["tweet_text"]
    return unit.text


def _low(src: Article, tgt: Article, s_units: tuple[int, ...], t_units: tuple[int, ...],
         score: float | None) -> list[dict[str, Any]]:
    return ([_unit_record(src, "src", u, "low_confidence", score) for u in s_units]
            + [_unit_record(tgt, "tgt", u, "low_confidence", score) for u in t_units])


def _unit_record(article: Article, side: str, unit: int, reason: str,
                 score: float | None) -> dict[str, Any]:
    u = article.aligned_units[unit]
    return {"side": side, "level": "unit", "unit": unit, "text": u.text, "kind": u.kind,
            "article": article.id, "lang": article.lang, "reason": reason,
            "score": None if score is None else round(float(score), 4)}


def nway_gaps(nway: NwayAlignment, articles: list[Article], encoder: Any = None, *,
              pair_gaps: dict[tuple[int, int], list[dict[str, Any]]] | None = None,
              ) -> list[dict[str, Any]]:
    """For every unit some version lacks: which versions have it and which lack it.

    Compares each pair of versions (``pair_gaps[(i, j)]``, the :func:`find_gaps` records
    of versions i < j; computed from ``pairwise`` projections of ``nway`` when not given).
    One record per (version, unit): ``{"article", "lang", "unit", "kind", "text", "row",
    "have": [ids], "lack": [ids], "reason"}``; ``have`` includes the version itself.
    """
    from .align import pairwise

    if pair_gaps is None:
        pair_gaps = {(i, j): find_gaps(articles[i], articles[j], pairwise(nway, i, j), encoder)
                     for i in range(len(articles)) for j in range(i + 1, len(articles))}
    row_of = [{u: r for r, row in enumerate(nway.rows) for u in row[k]}
              for k in range(len(articles))]
    lacks: dict[tuple[int, int], dict[str, set]] = {}
    for (i, j), gaps in pair_gaps.items():
        for gap in gaps:
            if gap["level"] != "unit":
                continue
            k, other = (i, j) if gap["side"] == "src" else (j, i)
            entry = lacks.setdefault((k, gap["unit"]), {"lack": set(), "reason": set()})
            entry["lack"].add(other)
            entry["reason"].add(gap["reason"])
    records = []
    for (k, unit), entry in sorted(lacks.items(), key=lambda e: (row_of[e[0][0]][e[0][1]], e[0])):
        article = articles[k]
        u = article.aligned_units[unit]
        records.append({
            "article": article.id, "lang": article.lang, "unit": unit, "kind": u.kind,
            "text": u.text, "row": row_of[k][unit],
            "have": [a.id for n, a in enumerate(articles) if n not in entry["lack"]],
            "lack": [articles[n].id for n in sorted(entry["lack"])],
            "reason": "no_counterpart" if "no_counterpart" in entry["reason"] else "low_confidence",
        })
    return records


def gap_summary(gaps: list[dict[str, Any]]) -> dict[str, int]:
    """Counts by ``level:reason:kind`` (e.g. ``unit:no_counterpart:tweet``)."""
    counts: dict[str, int] = {}
    for gap in gaps:
        key = f"{gap['level']}:{gap.get('reason', 'no_counterpart')}:{gap['kind']}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items()))

