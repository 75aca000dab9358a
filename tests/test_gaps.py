"""Missing passages between the three versions of the bundled article, checked against
what reading the files shows: DE lacks the 12 quoted tweets and has four closing lines
(a heading and three short lines, from line 47 on) that TR and IT lack; TR and IT
correspond paragraph by paragraph and sentence by sentence."""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from cxcorpus.align import align_nway, pairwise
from cxcorpus.cli import main
from cxcorpus.embed import CachedEncoder, get_encoder
from cxcorpus.gaps import LOW_CONFIDENCE, Confidence, find_gaps, nway_gaps, peel
from cxcorpus.model import Alignment, Bead
from cxcorpus.segment import split_sentences

TR, DE, IT = "cx-tweetchat.tr", "cx-tweetchat.de", "cx-tweetchat.it"


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    # One cache for all of this session's gap/report/build tests: the cold cost is paid once.
    return CachedEncoder(get_encoder(), tmp_path_factory.getbasetemp() / "embedding-cache")


@pytest.fixture(scope="module")
def group(seed_articles, encoder):
    """The three versions, their n-way alignment and the gaps of each pair (as build does)."""
    articles = [seed_articles[TR], seed_articles[DE], seed_articles[IT]]
    nway = align_nway(articles, encoder)
    pair_gaps = {(i, j): find_gaps(articles[i], articles[j], pairwise(nway, i, j), encoder)
                 for i in range(3) for j in range(i + 1, 3)}
    return articles, nway, pair_gaps


def _tweet_units(article):
    return {u.index for u in article.aligned_units if u.kind == "tweet"}


def _closing_units(article):
    """DE's own closing lines: everything from 'Nehmen Sie an unserem nächsten ...' on."""
    start = next(u.line for u in article.aligned_units if u.text.startswith("Nehmen Sie an"))
    return {u.index for u in article.aligned_units if u.line >= start}


def _units(gaps, side):
    return {g["unit"] for g in gaps if g["side"] == side and g["level"] == "unit"}


def test_tr_de_tweets_missing_in_de_closing_lines_missing_in_tr(group):
    (tr, de, _), _, pair_gaps = group
    gaps = pair_gaps[(0, 1)]
    assert len(_tweet_units(tr)) == 12
    assert _units(gaps, "src") == _tweet_units(tr)
    assert len(_closing_units(de)) == 4
    assert _units(gaps, "tgt") == _closing_units(de)
    assert {g["kind"] for g in gaps if g["side"] == "tgt"} == {"heading", "body"}


def test_de_it_mirror_tr_de(group):
    (_, de, it), _, pair_gaps = group
    gaps = pair_gaps[(1, 2)]
    assert _units(gaps, "src") == _closing_units(de)
    assert _units(gaps, "tgt") == _tweet_units(it)


def test_tr_it_have_no_gaps_at_all(group):
    """Read side by side, every TR paragraph and sentence has its IT counterpart."""
    _, _, pair_gaps = group
    assert pair_gaps[(0, 2)] == []


def test_no_sentence_gaps_where_reading_finds_none(group):
    """The DE paragraphs carry the same sentences as TR's (checked by reading)."""
    _, _, pair_gaps = group
    for gaps in pair_gaps.values():
        assert [g for g in gaps if g["level"] == "sentence"] == []


def test_records_follow_the_contract(group):
    (tr, de, _), _, pair_gaps = group
    for gap in pair_gaps[(0, 1)]:
        article = tr if gap["side"] == "src" else de
        unit = article.aligned_units[gap["unit"]]
        assert gap["level"] == "unit" and gap["kind"] == unit.kind and gap["text"] == unit.text
        assert gap["article"] == article.id and gap["lang"] == article.lang
        assert gap["reason"] in ("no_counterpart", "low_confidence")
        json.dumps(gap)


def test_nway_says_who_has_and_who_lacks(group):
    articles, nway, pair_gaps = group
    records = nway_gaps(nway, articles, pair_gaps=pair_gaps)
    by_unit = {(r["article"], r["unit"]): r for r in records}
    tr, de, it = articles
    for version in (tr, it):
        for unit in _tweet_units(version):
            assert by_unit[(version.id, unit)]["have"] == [TR, IT]
            assert by_unit[(version.id, unit)]["lack"] == [DE]
    for unit in _closing_units(de):
        assert by_unit[(DE, unit)]["have"] == [DE]
        assert by_unit[(DE, unit)]["lack"] == [TR, IT]
    assert len(records) == 12 + 12 + 4


def test_a_dropped_sentence_is_found(seed_articles, encoder):
    """Drop the second sentence of a four-sentence IT paragraph: TR's is reported."""
    tr, it = seed_articles[TR], copy.deepcopy(seed_articles[IT])
    unit = next(u for u in it.aligned_units
                if u.kind == "body" and len(split_sentences(u.text, "it")) >= 4)
    parts = split_sentences(unit.text, "it")
    unit.text = " ".join(parts[:1] + parts[2:])
    gaps = find_gaps(tr, it, encoder=encoder)
    assert [g["level"] for g in gaps] == ["sentence"]
    gap = gaps[0]
    assert (gap["side"], gap["unit"], gap["sentence"]) == ("src", unit.index, 1)
    assert gap["text"] == split_sentences(tr.aligned_units[unit.index].text, "tr")[1]


def test_a_paired_paragraph_that_is_another_text_is_low_confidence(seed_articles, encoder):
    """Pair every TR unit with its IT unit, but put another article's paragraph in one."""
    tr, it = seed_articles[TR], copy.deepcopy(seed_articles[IT])
    stranger = next(u.text for u in seed_articles["customer-always-right.tr"].aligned_units
                    if u.kind == "body" and len(u.text) > 200)
    target = next(u for u in it.aligned_units if u.kind == "body" and u.index > 5)
    target.text = stranger
    n = len(tr.aligned_units)
    beads = [Bead((i,), (i,), 0.5) for i in range(n)]
    alignment = Alignment(beads, [u.text for u in tr.aligned_units],
                          [u.text for u in it.aligned_units], None, tr.id, it.id)
    gaps = find_gaps(tr, it, alignment, encoder)
    assert {(g["side"], g["unit"], g["reason"]) for g in gaps} == {
        ("src", target.index, "low_confidence"), ("tgt", target.index, "low_confidence")}
    assert all(g["score"] < LOW_CONFIDENCE for g in gaps)


def test_threshold_separates_translations_from_strangers(seed_articles, encoder):
    """Every TR unit scores >= the threshold with its IT translation; paired with the
    next IT unit instead (same article, often the same topic) most score below it."""
    tr, it = seed_articles[TR], seed_articles[IT]
    trt = [u.text for u in tr.aligned_units]
    itt = [u.text for u in it.aligned_units]
    judge = Confidence(encoder, trt, itt)
    true = [judge(a, b) for a, b in zip(trt, itt)]
    wrong = [judge(a, b) for a, b in zip(trt, itt[1:])]
    assert min(true) >= LOW_CONFIDENCE
    assert sum(w < LOW_CONFIDENCE for w in wrong) >= 0.9 * len(wrong)


def test_peel_drops_a_folded_tweet_but_keeps_a_split_paragraph(seed_articles, encoder):
    tr, de = seed_articles[TR], seed_articles[DE]
    # TR paragraph + the tweet quoted after it, against the DE paragraph alone.
    k = next(u.index for u in tr.aligned_units
             if u.kind == "tweet" and tr.aligned_units[u.index - 1].kind == "body")
    body, tweet = tr.aligned_units[k - 1], tr.aligned_units[k]
    de_body = next(u.text for u in de.aligned_units if u.text.startswith("Denn früher"))
    assert body.text.startswith("Çünkü o günün")
    assert peel([body.text, tweet.data["tweet_text"]], [de_body], encoder) == ([0], [0])
    # A DE paragraph cut in two halves is still one translation of the TR paragraph.
    long_de = next(u for u in de.aligned_units if len(split_sentences(u.text, "de")) >= 4)
    parts = split_sentences(long_de.text, "de")
    halves = [" ".join(parts[:2]), " ".join(parts[2:])]
    tr_text = tr.aligned_units[_tr_index_of(tr, de, long_de.index)].text
    assert peel([tr_text], halves, encoder) == ([0], [0, 1])


def _tr_index_of(tr, de, de_index):
    """TR's counterpart of a DE body unit: DE lacks the tweets, so count body units."""
    de_bodies = [u.index for u in de.aligned_units if u.kind in ("title", "body")]
    tr_bodies = [u.index for u in tr.aligned_units if u.kind in ("title", "body")]
    return tr_bodies[de_bodies.index(de_index)]


def test_cli_gaps_jsonl_and_html(corpus_dir, tmp_path):
    runner = CliRunner()
    args = ["gaps", str(corpus_dir / f"{TR}.txt"), str(corpus_dir / f"{DE}.txt"),
            "--cache", str(tmp_path / "cache")]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"side", "level", "unit", "text", "kind"} <= set(records[0])
    units = sum(r["level"] == "unit" for r in records)
    assert result.stderr == (f"{units} missing units, {len(records) - units} missing "
                             f"sentence{'' if len(records) - units == 1 else 's'}\n")
    assert sum(r["side"] == "src" and r["kind"] == "tweet" for r in records) == 12
    assert sum(r["side"] == "tgt" for r in records) == 4
    out = tmp_path / "gaps.html"
    result = runner.invoke(main, args + ["--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "missing in DE" in page or "not in DE" in page
    assert "Jenn Vande Zande" in page and "<script>" in page
    assert 'class="back"' not in page  # a page of its own: no index to go back to


def test_tweets_folded_into_paragraphs_are_still_found(seed_articles, encoder):
    """An aligner that folds every TR tweet into the bead before it, and DE's closing lines
    into the last bead: the same passages come out missing."""
    tr, de = seed_articles[TR], seed_articles[DE]
    tweets, closing = _tweet_units(tr), _closing_units(de)
    prose = [u.index for u in tr.aligned_units if u.index not in tweets]
    de_prose = [u.index for u in de.aligned_units if u.index not in closing]
    assert len(prose) == len(de_prose)
    beads = []
    for k, (i, j) in enumerate(zip(prose, de_prose)):
        end = prose[k + 1] if k + 1 < len(prose) else len(tr.aligned_units)
        tgt = (j,) if k + 1 < len(prose) else (j, *sorted(closing))
        beads.append(Bead(tuple(range(i, end)), tgt, 0.5))
    assert sum(len(b.src) > 1 for b in beads) == 12
    alignment = Alignment(beads, [u.text for u in tr.aligned_units],
                          [u.text for u in de.aligned_units], None, tr.id, de.id)
    gaps = find_gaps(tr, de, alignment, encoder)
    assert _units(gaps, "src") == tweets
    assert _units(gaps, "tgt") == closing
    assert {g["reason"] for g in gaps} == {"no_counterpart"}


def test_plain_pairs_agree_with_the_aligner_on_every_paired_paragraph(group, encoder):
    """The gap finder skips the sentence aligner where sentences pair off plainly: on every
    paired paragraph of the three versions, where that holds the aligner pairs them one to
    one too; it holds for most TR-IT paragraphs, and fails when a sentence is dropped or
    the order broken."""
    from cxcorpus.align import align
    from cxcorpus.gaps import _plain_pairs

    articles, nway, _ = group
    plain = checked = 0
    for i in range(3):
        for j in range(i + 1, 3):
            src, tgt = articles[i], articles[j]
            for bead in pairwise(nway, i, j).beads:
                if len(bead.src) != 1 or len(bead.tgt) != 1:
                    continue
                s = split_sentences(src.aligned_units[bead.src[0]].text, src.lang)
                t = split_sentences(tgt.aligned_units[bead.tgt[0]].text, tgt.lang)
                if len(s) < 2 or len(s) != len(t):
                    continue
                checked += 1
                if _plain_pairs(s, t, encoder):
                    plain += 1
                    inner = align(s, t, encoder)
                    assert [(b.src, b.tgt) for b in inner.beads] == [
                        ((k,), (k,)) for k in range(len(s))]
                    assert not _plain_pairs(s, t[:-1], encoder)
                    assert not _plain_pairs(s, t[1:] + t[:1], encoder)
    assert checked >= 40 and plain >= 0.8 * checked, (checked, plain)
