"""The HTML side-by-side report: one self-contained page per translation group.

Versions in columns (a table whose header row stays in view), one line per n-way row with
an anchor (``#r12``) and its labelled confidence, missing passages and low-confidence rows
marked, quoted tweets shown as tweets, a summary of the gaps, a filter to show only the
gaps (with a row of context on each side), and keys ``j``/``k`` (or buttons) to jump from
gap to gap. Inline CSS and JS only (a Content-Security-Policy forbids anything else);
every text is escaped, every cell carries its ``lang``. On a narrow screen the columns
stack, each cell labelled; printed, the colours stay, the header repeats on every page and
no row is split.
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
--low:#fde2e1;--lowline:#c0392b;--tweet:#f3f7fb;--bar:3rem;--accent:#1f5fbf}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);
margin:0;padding:1rem;max-width:1400px;margin-inline:auto}
h1{font-size:1.4rem;margin:.2rem 0 .6rem}
a{color:var(--accent)}
.meta{color:var(--muted);font-size:.85rem;margin:.2rem 0;word-break:break-word}
.back{font-size:.9rem}
table.summary,table.index{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
table.summary th,table.summary td,table.index th,table.index td{border:1px solid var(--line);
padding:.25rem .6rem;text-align:left;vertical-align:top}
table.summary td.n,table.index td.n{text-align:right;font-variant-numeric:tabular-nums}
table.index th button{all:unset;cursor:pointer;font-weight:600;white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}
table.index th button::after{content:" \\2195";color:var(--muted);font-weight:400}
table.index th[aria-sort=ascending] button::after{content:" \\25B2";color:var(--fg)}
table.index th[aria-sort=descending] button::after{content:" \\25BC";color:var(--fg)}
table.index th button:focus-visible{outline:2px solid var(--accent)}
.controls{position:sticky;top:0;background:#fff;padding:.45rem 0;z-index:3;display:flex;
flex-wrap:wrap;gap:.4rem .9rem;align-items:center;border-bottom:1px solid var(--line)}
.controls label{font-weight:600;cursor:pointer}
.controls button{font:inherit;font-size:.9rem;padding:.15rem .6rem;border:1px solid var(--line);
border-radius:.4rem;background:#f6f7f9;cursor:pointer}
.controls button:hover{background:#eef1f5}
.controls .pos{color:var(--muted);font-size:.85rem;font-variant-numeric:tabular-nums}
.controls kbd{font:inherit;font-size:.75rem;border:1px solid var(--line);border-radius:.25rem;
padding:0 .25rem;background:#fff}
table.grid{width:100%;border-collapse:separate;border-spacing:0;table-layout:fixed}
table.grid col.numcol{width:5.4rem}
table.grid th,table.grid td{vertical-align:top;text-align:left;padding:.5rem .6rem .5rem 0;
border-bottom:1px solid var(--line)}
table.grid thead th{position:sticky;top:var(--bar);background:#fff;z-index:2;
border-bottom:2px solid var(--fg);font-weight:600}
tr.body-row{scroll-margin-top:calc(var(--bar) + var(--head, 3rem) + 2px)}
tr.body-row:target>*,tr.body-row.current>*{box-shadow:inset 0 2px 0 var(--accent),
inset 0 -2px 0 var(--accent)}
tr.body-row.current>th{box-shadow:inset 4px 0 0 var(--accent),inset 0 2px 0 var(--accent),
inset 0 -2px 0 var(--accent)}
.num{color:var(--muted);font-size:.8rem;font-weight:400;padding-left:.5rem!important}
thead .num{color:var(--fg);font-size:inherit;font-weight:600}
.num a{color:var(--muted);text-decoration:none;font-weight:600}
.num a:hover{text-decoration:underline}
.num .score,.num .flag{display:block;white-space:nowrap}
.num .flag{color:var(--lowline);font-weight:600}
.cell.empty{color:var(--muted);font-size:.8rem}
.cell{min-width:0;overflow-wrap:anywhere}
.cell p{margin:0 0 .4rem}
.unit.title{font-weight:700;font-size:1.05rem}
.unit.heading{font-weight:700}
.cell.missing{background:var(--gap);border-left:4px solid var(--gapline);padding-left:.5rem;
font-style:italic;color:#6b5200}
tr.low>*{background:var(--low)}
tr.low .num{color:var(--lowline)}
.badge{display:inline-block;font-size:.75rem;font-style:normal;border-radius:.6rem;
padding:0 .45rem;margin:0 .2rem .2rem 0;background:var(--gap);border:1px solid var(--gapline)}
.badge.low{background:var(--low);border-color:var(--lowline)}
mark.sentence-gap{background:var(--gap);border-bottom:2px solid var(--gapline)}
blockquote.tweet{margin:0;padding:.5rem .7rem;background:var(--tweet);border:1px solid #c9d6e3;
border-radius:.6rem}
blockquote.tweet p{margin:0 0 .3rem}
blockquote.tweet footer{font-size:.85rem;color:var(--muted)}
.tweet .author{font-weight:600;color:var(--fg)}
.only-gaps tr.body-row:not(.gap):not(.ctx){display:none}
.only-gaps tr.body-row.ctx:not(.gap)>*{opacity:.55}
.only-gaps tr.body-row.skip>*{border-top:2px dashed var(--muted)}
.lang{display:none}
@media (max-width:700px){
body{padding:.6rem}
table.grid,table.grid tbody,table.grid tr,table.grid td,table.grid th{display:block;width:auto}
table.grid thead,table.grid colgroup{display:none}
table.grid th,table.grid td{border-bottom:0;padding:.2rem 0}
tr.body-row{border-bottom:1px solid var(--line);padding:.4rem 0}
.num .score,.num .flag{display:inline;margin-left:.5rem}
.lang{display:inline-block;font-size:.75rem;font-weight:700;color:var(--muted);margin-right:.3rem}
tr.body-row{scroll-margin-top:calc(var(--bar) + .5rem)}
tr.body-row.current>*,tr.body-row:target>*,tr.body-row.current>th{box-shadow:none}
tr.body-row.current,tr.body-row:target{box-shadow:inset 4px 0 0 var(--accent);padding-left:.6rem}
.controls .long,.controls kbd{display:none}
.controls button{padding:.15rem .9rem}
table.index{font-size:.8rem}
}
@media print{
body{padding:0;max-width:none;font-size:10pt}
.controls,.back,details.meta{display:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
table.grid thead{display:table-header-group}
table.grid thead th{position:static}
tr.body-row,blockquote.tweet,table.summary tr,table.index tr{break-inside:avoid}
.only-gaps tr.body-row:not(.gap):not(.ctx){display:none}
a{color:inherit;text-decoration:none}
}
"""

SCRIPT = """
(function () {
  var box = document.getElementById('only-gaps');
  var bar = document.querySelector('.controls');
  var head = document.querySelector('table.grid thead');
  var pos = document.getElementById('gap-pos');
  var rows = [].slice.call(document.querySelectorAll('tr.body-row.gap'));
  var at = -1;
  function fit() {
    var style = document.documentElement.style;
    style.setProperty('--bar', bar.offsetHeight + 'px');
    style.setProperty('--head', head.offsetHeight + 'px');
  }
  function show() {
    pos.textContent = rows.length === 0 ? 'no gaps'
      : (at < 0 ? rows.length + (rows.length === 1 ? ' gap' : ' gaps')
        : 'gap ' + (at + 1) + ' of ' + rows.length);
  }
  function edge() { return bar.offsetHeight + head.offsetHeight; }
  function inView(row) {
    var top = row.getBoundingClientRect().top;
    return top > edge() - 24 && top < window.innerHeight;
  }
  function target(step) {
    // From the gap last jumped to while it is still in view; else from where the reader
    // has scrolled: the first gap below the headers, or the last one above them.
    if (at >= 0 && inView(rows[at])) {
      return Math.max(0, Math.min(rows.length - 1, at + step));
    }
    var top = edge(), k;
    if (step > 0) {
      for (k = 0; k < rows.length; k++) {
        if (rows[k].getBoundingClientRect().top > top + 2) { return k; }
      }
      return rows.length - 1;
    }
    for (k = rows.length - 1; k >= 0; k--) {
      if (rows[k].getBoundingClientRect().top < top - 2) { return k; }
    }
    return 0;
  }
  function go(step) {
    if (!rows.length) { return; }
    if (at >= 0) { rows[at].classList.remove('current'); }
    at = target(step);
    var row = rows[at];
    row.classList.add('current');
    row.scrollIntoView({block: 'start'});
    history.replaceState(null, '', '#' + row.id);
    show();
  }
  function typing(el) {
    return /^(TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable ||
      (el.tagName === 'INPUT' && !/^(checkbox|radio|button)$/.test(el.type));
  }
  function apply() {
    document.body.classList.toggle('only-gaps', box.checked);
    fit();
    if (at >= 0) { rows[at].scrollIntoView({block: 'start'}); }  // keep the reader's place
  }
  box.addEventListener('change', apply);
  document.getElementById('next-gap').addEventListener('click', function () { go(1); });
  document.getElementById('prev-gap').addEventListener('click', function () { go(-1); });
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (e.key === 'j') { go(1); e.preventDefault(); }
    if (e.key === 'k') { go(-1); e.preventDefault(); }
  });
  window.addEventListener('resize', fit);
  apply();
  show();
})();
"""

INDEX_SCRIPT = """
(function () {
  var table = document.getElementById('groups');
  var heads = [].slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    th.querySelector('button').addEventListener('click', function () {
      var up = th.getAttribute('aria-sort') !== 'ascending';
      heads.forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = [].slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
        var nx = parseFloat(x), ny = parseFloat(y);
        var d = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
"""


def _csp(script: str) -> str:
    """The page's Content-Security-Policy: inline style, this one script, nothing else."""
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 missing sentence``, ``2 missing sentences``."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def from_alignment(alignment: Alignment, src: Article, tgt: Article) -> NwayAlignment:
    """A two-way alignment as a two-version NwayAlignment (to render it as a report)."""
    return NwayAlignment(
        rows=[(b.src, b.tgt) for b in alignment.beads], scores=[b.score for b in alignment.beads],
        ids=[src.id, tgt.id], langs=[src.lang, tgt.lang],
        texts=[alignment.src_texts, alignment.tgt_texts], signature=alignment.signature,
    )


def render_report(articles: list[Article], nway: NwayAlignment, pair_gaps: PairGaps,
                  tweets: list[Tweet] | None = None, title: str | None = None,
                  index_href: str | None = "index.html") -> str:
    """The report page as a string. ``pair_gaps[(i, j)]`` holds ``find_gaps`` records of
    versions i < j; ``tweets`` (default: ``extract_tweets`` of each version) give the
    author, handle and date shown under each quoted tweet; ``index_href`` is the link back
    to the index of all groups (None for a report that stands alone)."""
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
    lines: list[tuple[bool, str]] = []  # (is a gap, the row's opening-tag-less html)
    low_rows = 0
    for r, (row, score) in enumerate(zip(nway.rows, nway.scores)):
        # Low confidence as gaps.find_gaps judges it (the aligner's scores have their own scale).
        low = any(unit_gaps.get((a.id, u), {}).get("reason") == "low_confidence"
                  for a, cell in zip(articles, row) for u in cell)
        low_rows += low
        parts = display_rows(articles, row, unit_gaps)
        for part, cells in enumerate(parts):
            lines.append(_row_html(articles, r, part if len(parts) > 1 else None, cells, score,
                                   low, len(parts) == 1, unit_gaps, sentence_gaps, by_unit,
                                   labels))
    rows_html = _with_context(lines)
    head = "".join(f'<th scope="col" lang="{escape(a.lang)}">{escape(labels[a.id])} · '
                   f"{escape(a.id)}</th>" for a in articles)
    summary = _summary_html(articles, nway, unit_gaps, sentence_gaps, low_rows, labels)
    name = title or (articles[0].group or articles[0].id)
    versions = ", ".join(f"{labels[a.id]}: {a.id} ({plural(len(a.aligned_units), 'unit')})"
                         for a in articles)
    signature = nway.signature.format() if nway.signature else "-"
    back = (f'<p class="back"><a href="{escape(index_href)}">← all groups</a></p>'
            if index_href else "")
    cols = '<col class="numcol">' + "<col>" * len(articles)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{escape(_csp(SCRIPT))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(name)} — cxcorpus report</title><style>{CSS}</style></head>"
        f'<body>{back}<h1 id="top">{escape(name)}</h1><p class="meta">{escape(versions)}</p>'
        f'<details class="meta"><summary>signature</summary>{escape(signature)}'
        "</details>"
        f"{summary}"
        '<div class="controls"><label><input type="checkbox" id="only-gaps"> '
        "Show only gaps</label>"
        '<button type="button" id="prev-gap" title="previous gap (key k)" '
        'aria-label="previous gap">◀<span class="long"> previous gap</span> <kbd>k</kbd>'
        '</button><button type="button" id="next-gap" title="next gap (key j)" '
        'aria-label="next gap"><span class="long">next gap </span><kbd>j</kbd> ▶</button>'
        '<span class="pos" id="gap-pos" aria-live="polite"></span></div>'
        f'<table class="grid" style="--n:{len(articles)}"><colgroup>{cols}</colgroup>'
        f'<thead><tr class="row head"><th scope="col" class="num">row</th>{head}</tr></thead>'
        f'<tbody>{rows_html}</tbody></table>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def _with_context(lines: list[tuple[bool, str]]) -> str:
    """The rows' html, each non-gap row next to a gap marked ``ctx`` (shown with the gaps
    when only gaps are shown) and each row after a hidden stretch marked ``skip``."""
    gaps = [gap for gap, _ in lines]
    out = []
    for k, (gap, html) in enumerate(lines):
        ctx = not gap and ((k > 0 and gaps[k - 1]) or (k + 1 < len(gaps) and gaps[k + 1]))
        # A context row opens a stretch when the row above it is hidden (no gap next to it).
        skip = ctx and k > 0 and not gaps[k - 1] and not (k > 1 and gaps[k - 2])
        out.append(html.replace(' class="row body-row', ' class="row body-row'
                                + (" ctx" if ctx else "") + (" skip" if skip else ""), 1))
    return "".join(out)


def _row_html(articles: list[Article], r: int, part: int | None, cells: list[list[int]],
              score: float | None, low: bool, whole: bool, unit_gaps: dict,
              sentence_gaps: dict, by_unit: dict, labels: dict[str, str]) -> tuple[bool, str]:
    """One displayed line: the row number (an anchor) and its confidence, then a cell per
    version. Returns whether the line is a gap, and its html."""
    lacked = {i for a, cell in zip(articles, cells) for u in cell
              for i in unit_gaps.get((a.id, u), {}).get("lack", [])}
    html_cells, gap = [], low
    for a, cell in zip(articles, cells):
        label = escape(labels[a.id])
        attrs = f'data-lang="{label}" lang="{escape(a.lang)}"'
        if not cell:
            missing = a.id in lacked or whole
            gap = gap or missing
            note = f"missing in {label}" if missing else "—"
            html_cells.append(f'<td class="cell{" missing" if missing else " empty"}" {attrs}>'
                              f'<span class="lang">{label}</span>{note}</td>')
            continue
        units_html = []
        for u in cell:
            note = unit_gaps.get((a.id, u))
            marks = sentence_gaps.get((a.id, u), [])
            gap = gap or bool(note) or bool(marks)
            units_html.append(_unit_html(a.aligned_units[u], by_unit.get((a.id, u)),
                                         note, marks, labels))
        html_cells.append(f'<td class="cell" {attrs}>'
                          f'<span class="lang">{label}</span>{"".join(units_html)}</td>')
    classes = "row body-row" + (" gap" if gap else "") + (" low" if low else "")
    paired = sum(bool(cell) for cell in cells) > 1
    shown = ("" if score is None or not paired else
             f'<span class="score" title="alignment confidence, 0 to 1">conf. {score:.2f}</span>')
    flag = ('<span class="flag" title="low confidence: probably different texts">'
            "low</span>") if low else ""
    anchor = f"r{r}" if part is None else f"r{r}-{part + 1}"
    number = f"{r}" if part is None else f"{r}.{part + 1}"
    return gap, (f'<tr class="{classes}" id="{anchor}" data-row="{r}" data-part="{part or 0}">'
                 f'<th scope="row" class="num"><a href="#{anchor}" title="link to this row">'
                 f'{number}</a>{shown}{flag}</th>{"".join(html_cells)}</tr>')


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


def render_index(groups: list[dict[str, Any]], title: str = "cxcorpus build",
                 nway_gaps: list[dict[str, Any]] | None = None, *,
                 missing: dict[str, dict[str, int]] | None = None) -> str:
    """The index page: a table of the groups, linking each report, with the passages each
    language lacks and the missing sentences; a click on a column header sorts by it.

    The passages lacked come from the build's ``gaps-nway`` records (``nway_gaps``), or
    already counted per group as :func:`missing_by_lang` gives them (``missing``). The
    page is ``index_page``'s head, an ``index_row`` per group and its tail."""
    langs = sorted({lang for g in groups for lang in g.get("langs", [])})
    if nway_gaps is not None:
        missing = missing_by_lang(groups, nway_gaps)
    head, tail = index_page(title, len(groups), langs)
    rows = [index_row(g, langs, None if missing is None else missing.get(g["name"], {}))
            for g in groups]
    return head + "".join(rows) + tail


def index_page(title: str, groups: int, langs: list[str]) -> tuple[str, str]:
    """The index page around its rows (head, tail), for ``groups`` groups whose versions
    are in ``langs`` (sorted): a page can be written a row at a time between them."""
    head = ['<th scope="col"><button type="button">group</button></th>',
            '<th scope="col"><button type="button">versions</button></th>',
            '<th scope="col"><button type="button">rows</button></th>']
    head += [f'<th scope="col"><button type="button">missing in {escape(lang.upper())}'
             "</button></th>" for lang in langs]
    head += ['<th scope="col"><button type="button">missing sentences</button></th>',
             '<th scope="col"><button type="button">note</button></th>']
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(_csp(INDEX_SCRIPT))}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{escape(title)}</h1>"
        f'<p class="meta">{plural(groups, "group")}; click a column header to sort.</p>'
        f'<div class="scroll"><table class="index" id="groups"><thead><tr>{"".join(head)}'
        "</tr></thead><tbody>")
    return page, f"</tbody></table></div><script>{INDEX_SCRIPT}</script></body></html>\n"


def index_row(group: dict[str, Any], langs: list[str],
              missing: dict[str, int] | None) -> str:
    """One group's row of the index page (``group`` a summary entry with its
    ``report_file``); ``missing``: the passages each language's version lacks, None when
    not counted."""
    g = group
    name = escape(g["name"])
    link = (f'<a href="{escape(g["report_file"])}">{name}</a>' if g.get("report_file")
            else name)
    cells = [f'<td data-sort="{name}">{link}</td>',
             f'<td data-sort="{len(g["articles"])}">{escape(", ".join(g["articles"]))}</td>',
             _count_cell(g.get("rows"))]
    by_lang = missing or {}
    for lang in langs:
        present = lang in g.get("langs", [])
        aligned = bool(g.get("report_file")) and missing is not None
        cells.append(_count_cell(by_lang.get(lang, 0) if present and aligned else None))
    cells.append(_count_cell(g.get("lacked_sentences") if g.get("report_file") else None))
    note = ("" if g.get("report_file") else
            f"not aligned: {g['problem']}" if g.get("problem") else "single version")
    cells.append(f'<td data-sort="{escape(note)}">{escape(note)}</td>')
    return f"<tr>{''.join(cells)}</tr>"


def _count_cell(count: int | None) -> str:
    if count is None:  # sorts below every count
        return '<td class="n" data-sort="-1">–</td>'
    return f'<td class="n" data-sort="{int(count)}">{int(count)}</td>'


def missing_by_lang(groups: list[dict[str, Any]],
                    nway_gaps: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """{group: {language: passages its version lacks}} from ``nway_gaps`` records (which
    carry ``group``); a passage that several versions have counts once, as in the report."""
    lang_of = {a: lang for g in groups for a, lang in zip(g["articles"], g.get("langs", []))}
    per_row: dict[tuple[str, int, str], dict[str, int]] = {}
    for record in nway_gaps:
        for lacking in record["lack"]:
            key = (record.get("group", ""), record["row"], lacking)
            tally = per_row.setdefault(key, {})
            tally[record["article"]] = tally.get(record["article"], 0) + 1
    counts: dict[str, dict[str, int]] = {}
    for (group, _row, lacking), tally in per_row.items():
        lang = lang_of.get(lacking, lacking)
        by_lang = counts.setdefault(group, {})
        by_lang[lang] = by_lang.get(lang, 0) + max(tally.values())
    return counts
