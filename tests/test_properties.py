"""Properties of the reader and the tweet extractor, on text made of real seed lines.

Texts are the bundled corpus's lines shuffled and combined, date lines, tweet attribution
lines, random Unicode lines, with every kind of line break and blank between them. The
properties: reading a file and writing its units as JSON Lines loses no character except
white space (which is normalised), and invents none; every tweet field comes from the file.
(The tweets engineer's ``test_tweets.py`` checks the extractor on one unit; here it runs on
whole files through the reader, plain text and HTML embeds.)
"""

from __future__ import annotations

import html
import json
import os
import re
import tempfile
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cxcorpus.errors import InputError
from cxcorpus.export import write_jsonl
from cxcorpus.read import clean_leftovers, read_article, unit_records
from cxcorpus.tweets import extract_tweets, parse_embed, tweet_records

from .conftest import CORPUS, BagOfWords

SEED_LINES = [
    line.strip()
    for path in sorted(CORPUS.glob("*.txt"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
_LINES = re.compile(r"\r\n|[\n\r\u2028\u2029\x85\x0b\x0c]")  # the line breaks of read.py
ATTRIBUTIONS = [line for line in SEED_LINES if line.startswith("—")]
assert len(ATTRIBUTIONS) >= 24, "the seeds' quoted tweets are the attribution examples"

# Any character a UTF-8 text file can hold, but NUL (a binary file, refused) and lone
# surrogates (not encodable).
_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_random_line = st.text(_char, min_size=1, max_size=40)
_words = st.lists(st.sampled_from(" ".join(SEED_LINES).split()), min_size=1, max_size=12).map(
    " ".join)
_date = st.dates().map(lambda d: st.sampled_from([
    d.isoformat(), f"{d.day} Eylül {d.year}", f"{d.day}. Oktober {d.year}",
    f"{d.day} ottobre {d.year}", f"{d.day}.{d.month:02d}.{d.year}"]))
_date_line = st.tuples(
    st.sampled_from(["Yayınlanan", "Veröffentlicht", "Pubblicato", "Published on", "Datum"]),
    st.sampled_from([":", ": ", " : ", ":\t"]),
    _date.flatmap(lambda s: s),
    st.one_of(st.just(""), _words, _words.map(lambda w: " " + w)),
).map("".join)
_attribution = st.one_of(
    st.sampled_from(ATTRIBUTIONS),
    st.tuples(st.sampled_from(["— ", "—", "&mdash; ", "- "]), _words,
              st.from_regex(r"\(@[A-Za-z0-9_]{1,15}\)", fullmatch=True),
              _date.flatmap(lambda s: s)).map(lambda p: f"{p[0]}{p[1]} {p[2]} {p[3]}"),
)
_line = st.one_of(
    st.sampled_from(SEED_LINES),
    st.tuples(st.sampled_from(SEED_LINES), st.sampled_from(SEED_LINES)).map(" ".join),
    _words,
    _random_line,
    _date_line,
    _attribution,
    st.tuples(st.sampled_from(SEED_LINES), _random_line, st.sampled_from(SEED_LINES)).map(
        lambda p: p[0][: len(p[0]) // 2] + p[1] + p[0][len(p[0]) // 2:]),
)
_break = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\u2029", "\n\n", "\r\n\r\n",
                          "\n \t\n", "\n\u00a0\n", "\x85", "\x0c"])
_space = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", " \u2009 "])


@st.composite
def articles(draw) -> str:
    lines = draw(st.lists(_line, min_size=1, max_size=14))
    out = draw(st.sampled_from(["", " ", "\n", "\ufeff"]))
    for number, line in enumerate(lines):
        if number:
            out += draw(_break)
        if draw(st.booleans()):  # white space inside and around the line
            line = draw(_space) + line.replace(" ", draw(_space)) + draw(_space)
        out += line
    return out + draw(st.sampled_from(["", "\n", "\r\n", "\n\n"]))


def _nfc_no_space(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFC", text) if not c.isspace())


def _read_file(text: str, name: str = "article.tr.txt", encoding: str = "utf-8"):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(text.encode(encoding))
        article = read_article(path)
        out = Path(tmp) / "units.jsonl"
        records = unit_records(article)
        write_jsonl(records, out)
        back = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return article, records, back


# CXCORPUS_PROPERTY_EXAMPLES=5000 for a deeper run outside CI.
SETTINGS = settings(max_examples=int(os.environ.get("CXCORPUS_PROPERTY_EXAMPLES", "120")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(text=articles())
@example(text="()\n0()")  # a line of nothing but an empty leftover: kept aside, not lost
@example(text="()")  # nothing but a leftover: refused, and the error says so
@example(text="Bir paragraf.\n\n‒(@)()")  # what the attribution line loses stays with the tweet
@example(text="Başlık\n\nBir paragraf burada duruyor.\n\nMüşteri () ödülü kazananları\n0\n"
              "— Jenn Vande Zande (@jennvzande) 27 settembre 2019\n\nSon paragraf burada.\n")
def test_units_keep_every_character_but_white_space(text):
    if not _nfc_no_space(text.lstrip("\ufeff")):
        return  # only white space: refused, see test_bad_input.py
    try:
        _article, records, back = _read_file(text)
    except InputError as exc:  # only leftovers of stripped HTML: no text to keep
        assert "only what stripped HTML leaves behind" in str(exc)
        assert all(not clean_leftovers(line)[0].strip() for line in text.splitlines())
        return
    assert back == records, "JSON Lines give back the records exactly"
    expected = _nfc_no_space(text.lstrip("\ufeff"))  # a leading BOM is the encoding's mark
    shown = "".join(r["text"] for r in back)
    removed = "".join(x for r in back for x in r.get("data", {}).get("removed", []))
    if not removed:
        assert _nfc_no_space(shown) == expected
    else:  # stripped-HTML leftovers were cleaned: they are kept aside, nothing lost
        lost = Counter(expected) - Counter(_nfc_no_space(shown + removed))
        assert not lost, lost
    for record in back:
        assert record["text"] == record["text"].strip() and record["text"]
        assert "  " not in record["text"]
        assert record["kind"] == "tweet" or "\n" not in record["text"]
    indices = [r["index"] for r in back if r["index"] is not None]
    assert indices == list(range(len(indices)))
    assert all(r["kind"] == "metadata" for r in back if r["index"] is None)


@settings(SETTINGS, max_examples=max(1, SETTINGS.max_examples // 2))
@given(text=articles())
def test_units_are_the_same_whatever_the_line_breaks(text):
    """CRLF, CR, U+2028 and the rest give the units that plain LF gives."""
    if not _nfc_no_space(text.lstrip("\ufeff")):
        return
    plain = _LINES.sub("\n", text)
    kinds_texts = [(r["kind"], r["text"]) for r in _read_file(text)[1]]
    assert kinds_texts == [(r["kind"], r["text"]) for r in _read_file(plain)[1]]


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@SETTINGS
@given(text=articles())
def test_tweet_fields_come_from_the_file(text):
    if not _nfc_no_space(text.lstrip("\ufeff")):
        return
    article, _records, _back = _read_file(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tweets = extract_tweets(article)
    # The file as written, with its entity dashes read, and with stripped-HTML leftovers
    # cleaned the way the reader documents (``(@handle)`` rebuilt from the leftover link).
    cleaned = "\n".join(clean_leftovers(_flat(line))[0] for line in _LINES.split(text))
    sources = tuple(_flat(t) for t in (text, text.replace("&mdash;", "—"), cleaned))
    units = {u.index: u for u in article.units}
    for tweet, record in zip(tweets, tweet_records(tweets)):
        assert units[tweet.unit].kind == "tweet"
        for name in ("text", "author_name", "author_handle", "date_text", "status_id", "url"):
            value = record[name]
            assert value is None or any(_flat(value) in s for s in sources), (name, value)
        for name in ("hashtags", "mentions", "urls", "cashtags"):
            for value in record[name]:
                value = value["url"] if name == "urls" else value  # {url, expanded_url, ...}
                assert value in tweet.text, (name, value)
        if record["date"] is not None:
            assert record["date"][:4] in (record["date_text"] or "")


_plain = st.text(_char.filter(lambda c: c not in "<>&"), max_size=60)


@SETTINGS
@given(
    text=st.one_of(st.sampled_from(SEED_LINES), _plain),
    name=st.one_of(_words, _plain),
    handle=st.from_regex(r"[A-Za-z0-9_]{0,16}", fullmatch=True),
    date_text=st.one_of(_date.flatmap(lambda s: s), _plain),
    status=st.one_of(st.just(""), st.from_regex(r"[0-9]{1,19}", fullmatch=True)),
)
def test_embed_fields_come_from_the_embed(text, name, handle, date_text, status):
    embed = (
        '<blockquote class="twitter-tweet"><p lang="tr" dir="ltr">'
        f"{html.escape(text)}</p>&mdash; {html.escape(name)} (@{handle}) "
        f'<a href="https://twitter.com/{handle or "x"}/status/{status}">'
        f"{html.escape(date_text)}</a></blockquote>"
    )
    found = parse_embed(embed)
    visible = _flat(f"{text} — {name} (@{handle}) {date_text}")
    for key in ("text", "attribution", "author_name", "author_handle", "date_text"):
        value = found[key]
        assert value is None or _flat(value) in visible, (key, value)
    if found["status_id"] is not None:
        assert found["status_id"] == status
    if found["date"] is not None:
        assert found["date"][:4] in date_text


# --- alignment: what tests/test_align.py does not cover ---------------------------------
# test_align.py checks one edit at a time (delete, insert, merge, split, move). Missing
# there: a version that keeps only part of the other (an excerpt, a summary, a partial
# translation), and several edits at once.


def _units(sizes: list[int], salt: int) -> list[str]:
    """Units of 4-12 words that no other unit uses."""
    return [" ".join(f"x{salt}u{i}w{j}" for j in range(size)) for i, size in enumerate(sizes)]


_unit_sizes = st.lists(st.integers(4, 12), min_size=4, max_size=40)


@settings(max_examples=40, deadline=None)
@given(sizes=_unit_sizes, salt=st.integers(0, 10**6), data=st.data())
def test_an_excerpt_aligns_with_its_source(sizes, salt, data):
    """Keep some units of a document, in order: each kept unit links 1-1 to its original,
    every other unit of the full version is left without a counterpart."""
    from cxcorpus.align import align

    full = _units(sizes, salt)
    kept = sorted(data.draw(st.sets(st.integers(0, len(full) - 1), min_size=1,
                                    max_size=max(1, len(full) // 2))))
    alignment = align([full[i] for i in kept], full, BagOfWords())
    beads = {(b.src, b.tgt) for b in alignment.beads}
    expected = {((k,), (i,)) for k, i in enumerate(kept)}
    expected |= {((), (i,)) for i in range(len(full)) if i not in kept}
    assert beads == expected


@settings(max_examples=30, deadline=None)
@given(sizes=_unit_sizes, salt=st.integers(0, 10**6), data=st.data())
def test_several_edits_at_once(sizes, salt, data):
    """A unit deleted, one inserted and two merged, far apart: all three found, the rest 1-1."""
    from cxcorpus.align import align

    src = _units(sizes, salt)
    n = len(src)
    if n < 12:
        sizes = sizes + [6] * (12 - n)
        src = _units(sizes, salt)
        n = len(src)
    third = n // 3
    d = data.draw(st.integers(0, third - 2))
    m = data.draw(st.integers(third, 2 * third - 2))
    ins = data.draw(st.integers(max(2 * third, m + 3), n - 1))  # a unit after the merge
    tgt = src[:d] + src[d + 1:m] + [src[m] + " " + src[m + 1]] + src[m + 2:ins]
    tgt += [f"new{salt} words here that nobody wrote before"] + src[ins:]
    alignment = align(src, tgt, BagOfWords())
    beads = {(b.src, b.tgt) for b in alignment.beads}
    assert ((d,), ()) in beads
    assert ((m, m + 1), (m - 1,)) in beads
    assert ((), (ins - 2,)) in beads
    for i in set(range(n)) - {d, m, m + 1}:
        j = tgt.index(src[i])
        assert ((i,), (j,)) in beads


def test_a_unit_inserted_right_after_a_merge_is_left_out():
    """The first unit deleted, two units merged into one and a new unit right after it
    (hypothesis's seed 8 before the edits were kept apart): the size gain makes the DP take
    the four units as one 2-2; the split check leaves the new unit out (2-1 + 0-1) instead of
    keeping the 2-2 or cutting it into two 1-1 beads, one of them the new unit's."""
    from cxcorpus.align import align

    src = _units([4, 4, 4, 4] + [6] * 8, 934)
    tgt = src[1:6] + [src[6] + " " + src[7], "new934 words here that nobody wrote before"]
    tgt += src[8:]
    beads = {(b.src, b.tgt) for b in align(src, tgt, BagOfWords()).beads}
    assert {((0,), ()), ((6, 7), (5,)), ((), (6,))} <= beads
    assert all(((i,), (i - 1,)) in beads for i in range(1, 6))
    assert all(((i,), (i - 1,)) in beads for i in range(8, 12))


def test_a_real_excerpt_aligns_with_the_full_translation(tmp_path_factory):
    """Every third Turkish paragraph against the whole Italian translation (1-1 in full)."""
    from cxcorpus.align import align
    from cxcorpus.embed import CachedEncoder, get_encoder

    encoder = CachedEncoder(get_encoder(), tmp_path_factory.getbasetemp() / "embedding-cache")
    tr = [u.text for u in read_article(CORPUS / "cx-tweetchat.tr.txt").aligned_units]
    it = [u.text for u in read_article(CORPUS / "cx-tweetchat.it.txt").aligned_units]
    assert len(tr) == len(it)
    kept = list(range(0, len(tr), 3))
    beads = {(b.src, b.tgt) for b in align([tr[i] for i in kept], it, encoder).beads}
    linked = [i for k, i in enumerate(kept) if ((k,), (i,)) in beads]
    assert linked == kept
