"""The HTML side-by-side report: one self-contained page per translation group.

Versions in columns, one line per n-way row, missing passages and low-confidence rows
marked, quoted tweets shown as tweets, a summary of the gaps, and a filter to show only
the gaps. Inline CSS and JS only (a Content-Security-Policy forbids anything else);
every text is escaped. On a narrow screen the columns stack, each cell labelled.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from pathlib import Path
from typing import Any

from .model import Alignment, Article, NwayAlignment, Tweet

PairGaps = dict[tuple[int, int], list[dict[str, Any]]]

CSS = """
:root{--fg:#1d2330;--muted:#5b6472;--line:#d9dde3;--gap:#fff3cd;--gapline:#e0a800;
--low:#fde2e1;--lowline:#c0392b;--tweet:#f3f7fb}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
margin:0;padding:1rem;max-width:1400px;margin-inline:auto}
h1{font-size:1.4rem;margin:.2rem 0 .6rem}
.meta{color:var(--muted);font-size:.85rem;margin:.2rem 0;word-break:break-word}
table.summary{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
table.summary th,table.summary td{border:1px solid var(--line);padding:.25rem .6rem;text-align:left}
table.summary td.n{text-align:right;font-variant-numeric:tabular-nums}
.controls{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid var(--line);
z-index:2}
.controls label{font-weight:600;cursor:pointer}
.row{display:grid;grid-template-columns:3.2rem repeat(var(--n),minmax(0,1fr));gap:.6rem;
border-bottom:1px solid var(--line);padding:.5rem 0}
.row.head{font-weight:600;border-bottom:2px solid var(--fg)}
.num{color:var(--muted);font-size:.8rem}
.num span{display:block}
.cell.empty{color:var(--muted);font-size:.8rem}
.cell{min-width:0;overflow-wrap:anywhere}
.cell p{margin:0 0 .4rem}
.unit.title{font-weight:700;font-size:1.05rem}
.unit.heading{font-weight:700}
.cell.missing{background:var(--gap);border-left:4px solid var(--gapline);padding:.3rem .5rem;
font-style:italic;color:#6b5200}
.row.low{background:var(--low)}
.row.low .num{color:var(--lowline);font-weight:600}
.badge{display:inline-block;font-size:.75rem;font-style:normal;border-radius:.6rem;
padding:0 .45rem;margin:0 .2rem .2rem 0;background:var(--gap);border:1px solid var(--gapline)}
.badge.low{background:var(--low);border-color:var(--lowline)}
mark.sentence-gap{background:var(--gap);border-bottom:2px solid var(--gapline)}
blockquote.tweet{margin:0;padding:.5rem .7rem;background:var(--tweet);border:1px solid #c9d6e3;
border-radius:.6rem}
blockquote.tweet p{margin:0 0 .3rem}
blockquote.tweet footer{font-size:.85rem;color:var(--muted)}
.tweet .author{font-weight:600;color:var(--fg)}
.only-gaps .row.body-row:not(.gap){display:none}
.lang{display:none}
@media (max-width:700px){
body{padding:.6rem}
.row{grid-template-columns:minmax(0,1fr);gap:.3rem}
.row.head{display:none}
.lang{display:inline-block;font-size:.75rem;font-weight:700;color:var(--muted);margin-right:.3rem}
.num span{display:inline;margin-left:.4rem}

}
"""

SCRIPT = """
var box = document.getElementById('only-gaps');
function apply() { document.body.classList.toggle('only-gaps', box.checked); }
box.addEventListener('change', apply);
apply();
"""


def from_alignment(alignment: Alignment, src: Article, tgt: Article) -> NwayAlignment:
    """A two-way alignment as a two-version NwayAlignment (to render it as a report)."""
    return NwayAlignment(
        rows=[(b.src, b.tgt) for b in alignment.beads], scores=[b.score for b in alignment.beads],
        ids=[src.id, tgt.id], langs=[src.lang, tgt.lang],
        texts=[alignment.src_texts, alignment.tgt_texts], signature=alignment.signature,
    )


def render_report(articles: list[Article], nway: NwayAlignment, pair_gaps: PairGaps,
                  tweets: list[Tweet] | None = None, title: str | None = None) -> str:
    """The report page as a string. ``pair_gaps[(i, j)]`` holds ``find_gaps`` records of
    versions i < j; ``tweets`` (default: ``extract_tweets`` of each version) give the
    author, handle and date shown under each quoted tweet."""
    from .gaps import nway_gaps

    if tweets is None:
        from .tweets import extract_tweets

        tweets = [t for a in articles for t in extract_tweets(a)]
    by_unit = {(t.article, t.unit): t for t in tweets}
    labels = _labels(articles)
    unit_gaps = {(g["article"], g["unit"]): g
                 for g in nway_gaps(nway, articles, pair_gaps=pair_gaps)}
    sentence_gaps: dict[tuple[str, int], list[tuple[str, str]]] = {}
    for (i, j), gaps in pair_gaps.items():
        for g in gaps:
            if g["level"] == "sentence":
                other = articles[j] if g["side"] == "src" else articles[i]
                sentence_gaps.setdefault((g["article"], g["unit"]), []).append(
                    (g["text"], labels[other.id]))
    rows_html = []
    low_rows = 0
    for r, (row, score) in enumerate(zip(nway.rows, nway.scores)):
        # Low confidence as gaps.find_gaps judges it (the aligner's scores have their own scale).
        low = any(unit_gaps.get((a.id, u), {}).get("reason") == "low_confidence"
                  for a, cell in zip(articles, row) for u in cell)
        low_rows += low
        parts = display_rows(articles, row, unit_gaps)
        for part, cells in enumerate(parts):
            rows_html.append(_row_html(articles, r, part, cells, score, low, len(parts) == 1,
                                       unit_gaps, sentence_gaps, by_unit, labels))
    head = "".join(f'<div>{escape(labels[a.id])} · {escape(a.id)}</div>' for a in articles)
    summary = _summary_html(articles, nway, unit_gaps, sentence_gaps, low_rows, labels)
    name = title or (articles[0].group or articles[0].id)
    script_hash = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
           "img-src 'none'; base-uri 'none'; form-action 'none'")
    versions = ", ".join(f"{labels[a.id]}: {a.id} ({len(a.aligned_units)} units)" for a in articles)
    signature = nway.signature.format() if nway.signature else "-"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{escape(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(name)} — cxcorpus report</title><style>{CSS}</style></head>"
        f'<body><h1>{escape(name)}</h1><p class="meta">{escape(versions)}</p>'
        f'<details class="meta"><summary>signature</summary>{escape(signature)}'
        "</details>"
        f"{summary}"
        '<div class="controls"><label><input type="checkbox" id="only-gaps"> '
        "Show only gaps</label></div>"
        f'<div class="grid" style="--n:{len(articles)}">'
        f'<div class="row head"><div>row</div>{head}</div>{"".join(rows_html)}</div>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def _row_html(articles: list[Article], r: int, part: int, cells: list[list[int]],
              score: float | None, low: bool, whole: bool, unit_gaps: dict,
              sentence_gaps: dict, by_unit: dict, labels: dict[str, str]) -> str:
    """One displayed line: the row number and score, then a cell per version."""
    lacked = {i for a, cell in zip(articles, cells) for u in cell
              for i in unit_gaps.get((a.id, u), {}).get("lack", [])}
    html_cells, gap = [], low
    for a, cell in zip(articles, cells):
        label = escape(labels[a.id])
        if not cell:
            missing = a.id in lacked or whole
            gap = gap or missing
            note = f"missing in {label}" if missing else "—"
            html_cells.append(f'<div class="cell{" missing" if missing else " empty"}" '
                              f'data-lang="{label}"><span class="lang">{label}</span>'
                              f"{note}</div>")
            continue
        units_html = []
        for u in cell:
            note = unit_gaps.get((a.id, u))
            marks = sentence_gaps.get((a.id, u), [])
            gap = gap or bool(note) or bool(marks)
            units_html.append(_unit_html(a.aligned_units[u], by_unit.get((a.id, u)),
                                         note, marks, labels))
        html_cells.append(f'<div class="cell" data-lang="{label}">'
                          f'<span class="lang">{label}</span>{"".join(units_html)}</div>')
    classes = "row body-row" + (" gap" if gap else "") + (" low" if low else "")
    paired = sum(bool(cell) for cell in cells) > 1
    shown = "" if score is None or not paired else f' <span class="score">{score:.2f}</span>'
    flag = (' <span class="flag" title="low confidence: probably different texts">'
            "low</span>") if low else ""
    return (f'<div class="{classes}" data-row="{r}" data-part="{part}">'
            f'<div class="num">{r}{shown}{flag}</div>{"".join(html_cells)}</div>')


def display_rows(articles: list[Article], row: tuple[tuple[int, ...], ...],
                 unit_gaps: dict[tuple[str, int], dict[str, Any]]) -> list[list[list[int]]]:
    """Split one n-way row so that passages some version lacks get lines of their own.

    The row's core is the units no version lacks (failing those, the units at least one
    other version in the row has). Each version's units before its first core unit go to
    a line above, those after its last (or all of them, when it has none) to a line
    below. A row without a core stays whole.
    """
    present = {a.id for a, cell in zip(articles, row) if cell}

    def complete(article_id: str, unit: int) -> bool:
        return (article_id, unit) not in unit_gaps

    def shared(article_id: str, unit: int) -> bool:
        note = unit_gaps.get((article_id, unit))
        return note is None or bool(present - {article_id} - set(note["lack"]))

    for in_core in (complete, shared):
        pre, core, post = [], [], []
        for a, cell in zip(articles, row):
            matched = [k for k, u in enumerate(cell) if in_core(a.id, u)]
            if not matched:
                pre.append([])
                core.append([])
                post.append(list(cell))
                continue
            pre.append(list(cell[:matched[0]]))
            core.append(list(cell[matched[0]:matched[-1] + 1]))
            post.append(list(cell[matched[-1] + 1:]))
        if any(core):
            return [part for part in (pre, core, post) if any(part)]
    return [[list(cell) for cell in row]]


def _labels(articles: list[Article]) -> dict[str, str]:
    """Column labels: the language in capitals, or the id when two versions share one."""
    langs = [a.lang for a in articles]
    return {a.id: a.lang.upper() if langs.count(a.lang) == 1 else a.id for a in articles}


def _unit_html(unit: Any, tweet: Tweet | None, note: dict[str, Any] | None,
               marks: list[tuple[str, str]], labels: dict[str, str]) -> str:
    badges = ""
    if note:
        lacking = ", ".join(labels[i] for i in note["lack"])
        if note["reason"] == "low_confidence":
            badges = ('<span class="badge low">probably a different text than '
                      f"{escape(lacking)}</span>")
        else:
            badges = f'<span class="badge">not in {escape(lacking)}</span>'
    if unit.kind == "tweet":
        text = tweet.text if tweet else unit.data.get("tweet_text", unit.text)
        who = []
        if tweet and tweet.author_name:
            who.append(f'<span class="author">{escape(tweet.author_name)}</span>')
        if tweet and tweet.author_handle:
            who.append(f'<span class="handle">@{escape(tweet.author_handle)}</span>')
        if tweet and (tweet.date or tweet.date_text):
            who.append(f'<time datetime="{escape(tweet.date or "")}">'
                       f'{escape(tweet.date_text or tweet.date or "")}</time>')
        if not who:
            who.append(escape(unit.data.get("attribution", "")))
        return (f'<blockquote class="unit tweet" data-unit="{unit.index}">{badges}'
                f'<p>{_marked(text, marks)}</p><footer>{" · ".join(who)}</footer></blockquote>')
    return (f'<p class="unit {escape(unit.kind)}" data-unit="{unit.index}">{badges}'
            f"{_marked(unit.text, marks)}</p>")


def _marked(text: str, marks: list[tuple[str, str]]) -> str:
    """Escaped text with each missing sentence wrapped in a ``<mark>``."""
    spans = []
    for sentence, lacking in marks:
        start = text.find(sentence)
        if start >= 0 and all(start >= e or start + len(sentence) <= s for s, e, _ in spans):
            spans.append((start, start + len(sentence), lacking))
    out, pos = [], 0
    for start, end, lacking in sorted(spans):
        out.append(escape(text[pos:start]))
        out.append(f'<mark class="sentence-gap" title="not in {escape(lacking)}">'
                   f"{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def _summary_html(articles: list[Article], nway: NwayAlignment, unit_gaps: dict,
                  sentence_gaps: dict, low_rows: int, labels: dict[str, str]) -> str:
    """Counts of missing passages by kind and by the version that lacks them."""
    counts = gap_counts(articles, nway, unit_gaps)
    sentences = {labels[a.id]: 0 for a in articles}
    for marks in sentence_gaps.values():
        for _text, lacking in marks:
            sentences[lacking] = sentences.get(lacking, 0) + 1
    cols = [labels[a.id] for a in articles]
    head = "".join(f"<th>missing in {escape(c)}</th>" for c in cols)
    body = []
    for kind, by_lang in sorted(counts.items()):
        cells = "".join(f'<td class="n">{by_lang.get(c, 0)}</td>' for c in cols)
        body.append(f"<tr><td>{escape(kind)}</td>{cells}</tr>")
    cells = "".join(f'<td class="n">{sentences.get(c, 0)}</td>' for c in cols)
    body.append(f"<tr><td>sentences inside aligned units</td>{cells}</tr>")
    return (f'<table class="summary" id="summary"><tr><th>passages</th>{head}</tr>'
            f'{"".join(body)}</table><p class="meta">rows: {len(nway.rows)}; '
            f"low-confidence rows (probably different texts): {low_rows}</p>")


def gap_counts(articles: list[Article], nway: NwayAlignment,
               unit_gaps: dict[tuple[str, int], dict[str, Any]]) -> dict[str, dict[str, int]]:
    """{unit kind: {label of the version lacking it: passages}}; a passage found in several
    versions (a tweet in TR and IT that DE lacks) counts once."""
    labels = _labels(articles)
    counts: dict[str, dict[str, int]] = {}
    for row in nway.rows:
        per: dict[tuple[str, str], list[int]] = {}
        for a, cell in zip(articles, row):
            tally: dict[tuple[str, str], int] = {}
            for u in cell:
                note = unit_gaps.get((a.id, u))
                for lacking in (note or {}).get("lack", []):
                    key = (a.aligned_units[u].kind, labels[lacking])
                    tally[key] = tally.get(key, 0) + 1
            for key, n in tally.items():
                per.setdefault(key, []).append(n)
        for (kind, lacking), ns in per.items():
            counts.setdefault(kind, {})
            counts[kind][lacking] = counts[kind].get(lacking, 0) + max(ns)
    return counts


def write_report(html: str, path: str | Path) -> None:
    """Write a rendered page atomically."""
    from .export import atomic_open

    with atomic_open(path) as out:
        out.write(html)


def render_index(groups: list[dict[str, Any]], title: str = "cxcorpus build") -> str:
    """A plain index page: one line per group, linking its report when it has one."""
    items = []
    for g in groups:
        name = escape(g["name"])
        versions = escape(", ".join(g["articles"]))
        link = (f'<a href="{escape(g["report_file"])}">{name}</a>' if g.get("report_file")
                else name)
        extra = (f" — {g['lacked_units']} units some version lacks, "
                 f"{g['lacked_sentences']} missing sentences") if g.get("report_file") else (
                 f" — not aligned: {g['problem']}" if g.get("problem") else " — single version")
        items.append(f"<li>{link} ({versions}){escape(extra)}</li>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1><ul>{''.join(items)}</ul></body></html>\n"
    )
