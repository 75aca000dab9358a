"""The side-by-side report, opened in a real headless Chromium (Debian's, via Playwright)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxcorpus.align import align_nway, pairwise
from cxcorpus.embed import CachedEncoder, get_encoder
from cxcorpus.gaps import find_gaps
from cxcorpus.read import parse_article
from cxcorpus.report import render_report, write_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TR, DE, IT = "cx-tweetchat.tr", "cx-tweetchat.de", "cx-tweetchat.it"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the report test needs Debian's chromium "
                    "(apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def group(seed_articles, tmp_path_factory):
    encoder = CachedEncoder(get_encoder(), tmp_path_factory.getbasetemp() / "embedding-cache")
    articles = [seed_articles[TR], seed_articles[DE], seed_articles[IT]]
    nway = align_nway(articles, encoder)
    pair_gaps = {(i, j): find_gaps(articles[i], articles[j], pairwise(nway, i, j), encoder)
                 for i in range(3) for j in range(i + 1, 3)}
    return articles, nway, pair_gaps


@pytest.fixture(scope="module")
def report_file(group, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "cx-tweetchat.html"
    write_report(render_report(*group, title="cx-tweetchat"), path)
    return path


def _open(browser, path: Path, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (requests.append(f"dialog:{d.message}"), d.dismiss()))
    page.goto(path.as_uri())
    return page, requests


def test_rows_hold_every_unit_once_and_mark_the_gaps(browser, report_file, group):
    articles, _, _ = group
    page, requests = _open(browser, report_file)
    assert requests == [report_file.as_uri()]  # nothing else loaded: no network resources
    for k, article in enumerate(articles, start=2):  # column 1 is the row number
        shown = page.eval_on_selector_all(
            f".body-row > :nth-child({k}) [data-unit]", "els => els.map(e => +e.dataset.unit)")
        assert shown == list(range(len(article.aligned_units)))
    tr = articles[0]
    tweets = [u.index for u in tr.aligned_units if u.kind == "tweet"]
    for unit in tweets:  # each TR tweet sits in a gap row that says DE lacks it
        row = page.locator(".body-row", has=page.locator(
            f'td.cell[data-lang="TR"] [data-unit="{unit}"]'))
        assert "gap" in row.get_attribute("class")
        marked = row.locator('.cell.missing[data-lang="DE"]').count() + row.locator(
            f'td.cell[data-lang="TR"] [data-unit="{unit}"] .badge').count()
        assert marked >= 1
    missing_de = page.locator('.cell.missing[data-lang="DE"]')
    assert missing_de.count() >= 1 and missing_de.first.inner_text().endswith("missing in DE")
    # The summary: 12 tweets missing in DE, DE's heading and three closing lines elsewhere.
    cells = page.eval_on_selector_all(
        "#summary tr", "rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))")
    table = {row[0]: row[1:] for row in cells[1:]}
    assert cells[0][1:] == ["missing in TR", "missing in DE", "missing in IT"]
    assert table["tweet"] == ["0", "12", "0"]
    assert table["heading"] == ["1", "0", "1"] and table["body"] == ["3", "0", "3"]
    page.close()


def test_tweets_show_author_handle_and_date(browser, report_file):
    page, _ = _open(browser, report_file)
    tweet = page.locator('td.cell[data-lang="TR"] blockquote.tweet').first
    footer = tweet.locator("footer")
    assert footer.locator(".author").inner_text() == "Jenn Vande Zande"
    assert footer.locator(".handle").inner_text() == "@jennvzande"
    assert footer.locator("time").get_attribute("datetime") == "2019-09-27"
    assert footer.locator("time").inner_text() == "27 Eylül 2019"
    assert "— Jenn" not in tweet.locator("p").inner_text()
    page.close()


def test_filter_shows_only_gaps_and_screenshots(browser, report_file, tmp_path):
    page, _ = _open(browser, report_file)
    rows = page.locator(".body-row")
    gap_rows = page.locator(".body-row.gap")
    total, gaps = rows.count(), gap_rows.count()
    assert 0 < gaps < total
    page.screenshot(path=str(tmp_path / "report-wide.png"), full_page=True)
    page.locator("#only-gaps").check()
    visible = page.eval_on_selector_all(
        ".body-row", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")
    context = page.eval_on_selector_all(".body-row.ctx:not(.gap)", "els => els.map(e => e.id)")
    assert 0 < len(context) and len(visible) == gaps + len(context)
    assert all(gap_rows.nth(i).is_visible() for i in range(gaps))
    # Each context row sits right next to a gap row, and each gap has one on each side
    # (unless it has gap neighbours, or is first or last).
    ids = page.eval_on_selector_all(".body-row", "els => els.map(e => [e.id, "
                                    "e.classList.contains('gap')])")
    is_gap = dict(ids)
    order = [i for i, _ in ids]
    for row in context:
        k = order.index(row)
        assert is_gap.get(order[k - 1]) or (k + 1 < len(order) and is_gap[order[k + 1]])
    for k, row in enumerate(order):
        if is_gap[row] and 0 < k < len(order) - 1:
            assert order[k - 1] in visible and order[k + 1] in visible
    page.screenshot(path=str(tmp_path / "report-gaps.png"), full_page=True)
    page.locator("#only-gaps").uncheck()
    assert page.eval_on_selector_all(
        ".body-row", "els => els.filter(e => e.offsetParent !== null).length") == total
    page.close()
    for name in ("report-wide.png", "report-gaps.png"):
        assert (tmp_path / name).stat().st_size > 10_000


def test_phone_width_stacks_columns_without_sideways_scrolling(browser, report_file, tmp_path):
    page, _ = _open(browser, report_file, width=390)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    label = page.locator('.body-row td.cell[data-lang="DE"] .lang').first
    assert label.is_visible() and label.inner_text() == "DE"
    page.screenshot(path=str(tmp_path / "report-phone.png"))
    assert (tmp_path / "report-phone.png").stat().st_size > 10_000
    page.close()


def test_text_is_escaped_not_run(browser, tmp_path):
    """Markup in an article shows as text; no script of the article's runs."""
    evil = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    src = parse_article(f"Title\n\nA paragraph with {evil} inside it.\n",
                        article_id="evil.en", path="evil.en.txt")
    tgt = parse_article("Titel\n\nEin Absatz mit \"Anführungszeichen\" & Zeichen.\n",
                        article_id="evil.de", path="evil.de.txt")
    from cxcorpus.model import NwayAlignment, Signature

    nway = NwayAlignment([((0,), (0,)), ((1,), (1,))], [0.9, 0.9], [src.id, tgt.id],
                         [src.lang, tgt.lang], [[u.text for u in a.aligned_units]
                                                for a in (src, tgt)], Signature("test", "0"))
    path = tmp_path / "evil.html"
    write_report(render_report([src, tgt], nway, {(0, 1): []}, tweets=[]), path)
    page, requests = _open(browser, path)
    assert page.evaluate("window.pwned === undefined")
    shown = src.aligned_units[1].text  # as the reader kept it (it drops stray attributes)
    assert "<script>" in shown and "<img" in shown
    assert shown in page.locator("body").inner_text()
    assert page.locator("img").count() == 0
    assert requests == [path.as_uri()]  # no image fetched, no dialog opened
    page.close()


def test_a_missing_sentence_is_highlighted(browser, seed_articles, tmp_path, tmp_path_factory):
    """Drop one sentence of an IT paragraph: TR's sentence is marked and counted."""
    import copy

    from cxcorpus.align import align_articles
    from cxcorpus.report import from_alignment
    from cxcorpus.segment import split_sentences

    encoder = CachedEncoder(get_encoder(), tmp_path_factory.getbasetemp() / "embedding-cache")
    tr, it = seed_articles[TR], copy.deepcopy(seed_articles[IT])
    unit = next(u for u in it.aligned_units
                if u.kind == "body" and len(split_sentences(u.text, "it")) >= 4)
    parts = split_sentences(unit.text, "it")
    unit.text = " ".join(parts[:2] + parts[3:])
    alignment = align_articles(tr, it, encoder)
    gaps = find_gaps(tr, it, alignment, encoder)
    path = tmp_path / "sentence.html"
    write_report(render_report([tr, it], from_alignment(alignment, tr, it), {(0, 1): gaps}), path)
    page, _ = _open(browser, path)
    marks = page.locator("mark.sentence-gap")
    assert marks.count() == 1
    assert marks.first.get_attribute("title") == "not in IT"
    dropped = split_sentences(tr.aligned_units[unit.index].text, "tr")[2]
    assert marks.first.inner_text() == dropped
    row = page.locator("#summary tr", has_text="sentences inside aligned units")
    assert row.locator("td").all_inner_texts()[1:] == ["0", "1"]
    page.close()


def test_display_rows_give_missing_passages_lines_of_their_own(seed_articles):
    """However the aligner grouped them, a passage DE lacks gets a line with DE empty."""
    from cxcorpus.report import display_rows

    articles = [seed_articles[TR], seed_articles[DE], seed_articles[IT]]
    tr, de, _ = articles
    assert (tr.aligned_units[4].kind, tr.aligned_units[5].kind) == ("body", "tweet")
    tweet_gaps = {(TR, 5): {"lack": [DE]}, (IT, 5): {"lack": [DE]}}
    assert display_rows(articles, ((4, 5), (4,), (4, 5)), tweet_gaps) == [
        [[4], [4], [4]], [[5], [], [5]]]
    assert display_rows(articles, ((5, 6), (5,), (5, 6)), tweet_gaps) == [
        [[5], [], [5]], [[6], [5], [6]]]
    last = len(tr.aligned_units) - 1
    closing = list(range(len(de.aligned_units) - 4, len(de.aligned_units)))
    gaps = {(TR, last): {"lack": [DE]}, (IT, last): {"lack": [DE]},
            **{(DE, u): {"lack": [TR, IT]} for u in closing}}
    assert display_rows(articles, ((last,), tuple(closing), (last,)), gaps) == [
        [[last], [], [last]], [[], closing, []]]
    both = {(TR, 3): {"lack": [DE]}, (DE, 3): {"lack": [TR]}}
    assert display_rows(articles[:2], ((3,), (3,)), both) == [[[3], [3]]]


def test_a_paragraph_that_is_another_text_is_a_low_confidence_row(
        browser, seed_articles, tmp_path, tmp_path_factory):
    import copy

    from cxcorpus.model import Alignment, Bead
    from cxcorpus.report import from_alignment

    encoder = CachedEncoder(get_encoder(), tmp_path_factory.getbasetemp() / "embedding-cache")
    tr, it = seed_articles[TR], copy.deepcopy(seed_articles[IT])
    target = next(u for u in it.aligned_units if u.kind == "body" and u.index > 5)
    target.text = next(u.text for u in seed_articles["customer-always-right.tr"].aligned_units
                       if u.kind == "body" and len(u.text) > 200)
    beads = [Bead((i,), (i,), 0.5) for i in range(len(tr.aligned_units))]
    alignment = Alignment(beads, [u.text for u in tr.aligned_units],
                          [u.text for u in it.aligned_units], tr_signature(encoder), tr.id, it.id)
    gaps = find_gaps(tr, it, alignment, encoder)
    path = tmp_path / "low.html"
    write_report(render_report([tr, it], from_alignment(alignment, tr, it), {(0, 1): gaps}), path)
    page, _ = _open(browser, path)
    low = page.locator(".body-row.low")
    assert low.count() == 1
    assert low.get_attribute("data-row") == str(target.index)
    assert low.locator(".badge.low").count() == 2
    assert "low-confidence rows (probably different texts): 1" in page.inner_text("body")
    page.close()


def tr_signature(encoder):
    """A signature for hand-made beads."""
    from cxcorpus.model import Signature

    return Signature(encoder.name, encoder.version, {"test": "identity beads"})


# --- an editor's main screen: navigation, anchors, sticky headers, print, index ----------

def _top(page, selector: str) -> float:
    return page.eval_on_selector(selector, "e => e.getBoundingClientRect().top")


def test_keys_and_buttons_walk_through_the_gaps(browser, report_file):
    page, _ = _open(browser, report_file)
    gaps = page.eval_on_selector_all(".body-row.gap", "els => els.map(e => e.id)")
    assert len(gaps) >= 10 and page.inner_text("#gap-pos") == f"{len(gaps)} gaps"
    page.keyboard.press("j")
    assert page.eval_on_selector(".body-row.current", "e => e.id") == gaps[0]
    assert page.evaluate("location.hash") == f"#{gaps[0]}"
    assert page.inner_text("#gap-pos") == f"gap 1 of {len(gaps)}"
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.eval_on_selector(".body-row.current", "e => e.id") == gaps[2]
    page.keyboard.press("k")
    assert page.eval_on_selector(".body-row.current", "e => e.id") == gaps[1]
    assert page.locator(".body-row.current").count() == 1
    # The current gap sits just under the sticky headers, fully in view.
    head_bottom = page.eval_on_selector("table.grid thead th", "e => e.getBoundingClientRect().bottom")
    assert abs(_top(page, ".body-row.current") - head_bottom) < 6
    page.locator("#next-gap").click()
    page.locator("#next-gap").click()
    assert page.eval_on_selector(".body-row.current", "e => e.id") == gaps[3]
    page.locator("#prev-gap").click()
    assert page.eval_on_selector(".body-row.current", "e => e.id") == gaps[2]
    # With the filter on (and the checkbox focused), the keys still work.
    page.locator("#only-gaps").check()
    page.keyboard.press("j")
    assert page.eval_on_selector(".body-row.current", "e => e.id") == gaps[3]
    for _ in range(len(gaps) + 2):  # stops at the last gap
        page.keyboard.press("j")
    assert page.eval_on_selector(".body-row.current", "e => e.id") == gaps[-1]
    page.close()


def test_next_gap_starts_from_where_the_reader_scrolled(browser, report_file):
    page, _ = _open(browser, report_file)
    gaps = page.eval_on_selector_all(".body-row.gap", "els => els.map(e => e.id)")
    middle = gaps[len(gaps) // 2]
    page.evaluate(f"document.getElementById('{middle}').scrollIntoView({{block: 'center'}})")
    page.keyboard.press("j")
    current = page.eval_on_selector(".body-row.current", "e => e.id")
    assert gaps.index(current) >= len(gaps) // 2 - 1
    page.close()


def test_rows_have_anchors_labelled_confidence_and_languages(browser, report_file, group):
    articles, _, _ = group
    page, _ = _open(browser, report_file)
    ids = page.eval_on_selector_all(".body-row", "els => els.map(e => e.id)")
    assert len(ids) == len(set(ids)) and all(i.startswith("r") for i in ids)
    assert page.get_attribute("#r0 .num a", "href") == "#r0"
    assert page.inner_text("#r0 .num .score").startswith("conf. ")
    assert "confidence" in page.get_attribute("#r0 .num .score", "title")
    langs = page.eval_on_selector_all("#r0 td.cell", "els => els.map(e => e.lang)")
    assert langs == [a.lang for a in articles]
    assert page.eval_on_selector_all("thead th[lang]", "els => els.map(e => e.lang)") == langs
    page.goto(report_file.as_uri() + "#r20")
    assert abs(_top(page, "#r20") - page.eval_on_selector(
        "table.grid thead th", "e => e.getBoundingClientRect().bottom")) < 6
    assert page.get_attribute(".back a", "href") == "index.html"
    page.close()


def test_column_headers_stay_in_view_after_scrolling(browser, report_file):
    page, _ = _open(browser, report_file)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight / 2)")
    heads = page.locator("table.grid thead th")
    controls_bottom = page.eval_on_selector(".controls", "e => e.getBoundingClientRect().bottom")
    for k in range(heads.count()):
        box = heads.nth(k).bounding_box()
        assert 0 <= box["y"] and abs(box["y"] - controls_bottom) < 2
    # Nothing is drawn over them: the element at a header's centre is that header.
    assert page.evaluate("""() => {
        const th = document.querySelectorAll('table.grid thead th')[2];
        const r = th.getBoundingClientRect();
        return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === th;
    }""")
    assert page.locator("#next-gap").is_visible()
    page.close()


def test_print_keeps_colours_repeats_headers_and_does_not_split_rows(browser, report_file,
                                                                      tmp_path):
    page, _ = _open(browser, report_file)
    page.emulate_media(media="print")
    assert not page.locator(".controls").is_visible()
    style = page.evaluate("""() => {
        const s = e => getComputedStyle(document.querySelector(e));
        return {head: s('table.grid thead').display, row: s('tr.body-row').breakInside,
                colour: s('.cell.missing').printColorAdjust,
                background: s('.cell.missing').backgroundColor,
                sticky: s('table.grid thead th').position};
    }""")
    assert style == {"head": "table-header-group", "row": "avoid", "colour": "exact",
                     "background": "rgb(255, 243, 205)", "sticky": "static"}
    page.pdf(path=str(tmp_path / "report.pdf"))
    page.close()
    import pypdf

    pages = [p.extract_text() for p in pypdf.PdfReader(tmp_path / "report.pdf").pages]
    assert len(pages) >= 4
    head = "row TR · cx-tweetchat.tr DE · cx-tweetchat.de IT · cx-tweetchat.it\n"
    for text in pages[1:]:  # the headers on every page, then a row that starts there
        assert text.startswith(head)
        assert re.match(r"\d+(\.\d+)?\b", text[len(head):])


def test_screenshots_at_desktop_and_phone_width(browser, report_file, tmp_path):
    """Kept in the test's tmp folder for a person to look at (see the PR notes)."""
    for width in (1280, 390):
        page, _ = _open(browser, report_file, width=width)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.keyboard.press("j")
        page.screenshot(path=str(tmp_path / f"report-{width}.png"))
        page.locator("#only-gaps").check()
        page.screenshot(path=str(tmp_path / f"report-gaps-{width}.png"))
        assert (tmp_path / f"report-{width}.png").stat().st_size > 10_000
        page.close()


@pytest.fixture(scope="module")
def index_file(tmp_path_factory):
    from cxcorpus.cli import main

    out = tmp_path_factory.mktemp("build") / "out"
    cache = tmp_path_factory.getbasetemp() / "embedding-cache"
    result = CliRunner().invoke(main, ["build", str(CORPUS), "-o", str(out), "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    return out / "report" / "index.html"


def test_index_counts_missing_passages_per_language_and_sorts(browser, index_file):
    page, requests = _open(browser, index_file)
    assert requests == [index_file.as_uri()]
    heads = page.eval_on_selector_all("#groups thead th", "els => els.map(e => e.innerText)")
    assert heads[:3] == ["group", "versions", "rows"]
    assert [h for h in heads if h.startswith("missing in")] == [
        "missing in DE", "missing in IT", "missing in TR"]

    def column(name):
        k = heads.index(name)
        return page.eval_on_selector_all(
            "#groups tbody tr", f"rows => rows.map(r => r.cells[{k}].innerText)")

    groups = column("group")
    row = groups.index("cx-tweetchat")
    # As the group's report counts them: 12 tweets DE lacks; a heading and 3 body units
    # (DE's own) that TR and IT lack.
    assert (column("missing in DE")[row], column("missing in TR")[row],
            column("missing in IT")[row]) == ("12", "4", "4")
    assert page.get_attribute("#groups a", "href") == "cx-tweetchat.html"
    page.locator("#groups thead th", has_text="group").locator("button").click()
    assert column("group") == sorted(groups)
    assert page.get_attribute("#groups thead th >> nth=0", "aria-sort") == "ascending"
    page.locator("#groups thead th", has_text="group").locator("button").click()
    assert column("group") == sorted(groups, reverse=True)
    page.locator("#groups thead th", has_text="missing in DE").locator("button").click()
    assert column("missing in DE")[-1] == "12"  # numbers sort as numbers, dashes first
    page.locator("#groups thead th", has_text="missing in DE").locator("button").click()
    assert column("missing in DE")[0] == "12"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.close()
    phone, _ = _open(browser, index_file, width=390)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()
