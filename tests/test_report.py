"""The side-by-side report, opened in a real headless Chromium (Debian's, via Playwright)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxcorpus.align import align_nway, pairwise
from cxcorpus.embed import CachedEncoder, get_encoder
from cxcorpus.gaps import find_gaps
from cxcorpus.read import parse_article
from cxcorpus.report import render_report, write_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TR, DE, IT = "cx-tweetchat.tr", "cx-tweetchat.de", "cx-tweetchat.it"

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
            f".body-row > div:nth-child({k}) [data-unit]", "els => els.map(e => +e.dataset.unit)")
        assert shown == list(range(len(article.aligned_units)))
    tr = articles[0]
    tweets = [u.index for u in tr.aligned_units if u.kind == "tweet"]
    for unit in tweets:  # each TR tweet sits in a gap row that says DE lacks it
        row = page.locator(".body-row", has=page.locator(
            f'div.cell[data-lang="TR"] [data-unit="{unit}"]'))
        assert "gap" in row.get_attribute("class")
        marked = row.locator('.cell.missing[data-lang="DE"]').count() + row.locator(
            f'div.cell[data-lang="TR"] [data-unit="{unit}"] .badge').count()
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
    tweet = page.locator('div.cell[data-lang="TR"] blockquote.tweet').first
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
        ".body-row", "els => els.filter(e => e.offsetParent !== null).length")
    assert visible == gaps
    assert all(gap_rows.nth(i).is_visible() for i in range(gaps))
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
    label = page.locator('.body-row div.cell[data-lang="DE"] .lang').first
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
