"""The reader on the real seeds: titles, dates, unit kinds, languages, nothing lost."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcorpus.errors import EncodingError, InputError
from cxcorpus.read import decode, parse_article, read_article

from .conftest import CORPUS, DATA

# Worked out by reading the files (see the note in each row).
SEEDS = {
    # 46 non-blank lines: title, date line with a glued sentence, 12 tweets of 2 lines each,
    # 20 more body lines.
    "cx-tweetchat.tr": {
        "lang": "tr",
        "published": dt.date(2019, 10, 25),
        "title": "#CXTweetChat perakendenin işini doğru yaptığını, sosyal platformların "
        "gevşemesini sağladı",
        "kinds": {"title": 1, "heading": 0, "body": 21, "tweet": 12, "metadata": 1},
    },
    # title, date line, 21 paragraphs, then four closing lines of its own (the first a heading).
    "cx-tweetchat.de": {
        "lang": "de",
        "published": dt.date(2019, 10, 25),
        "title": "#CXTweetChat enthüllt den Einzelhandel, der es richtig macht, und soziale "
        "Plattformen, die loslassen",
        "kinds": {"title": 1, "heading": 1, "body": 24, "tweet": 0, "metadata": 1},
    },
    # Same shape as the Turkish version, plus one stray blank line.
    "cx-tweetchat.it": {
        "lang": "it",
        "published": dt.date(2019, 10, 25),
        "title": "#CXTweetChat svela la vendita al dettaglio che fa bene, le piattaforme social "
        "che si scatenano",
        "kinds": {"title": 1, "heading": 0, "body": 21, "tweet": 12, "metadata": 1},
    },
    # 42 paragraphs: the kicker "Perspektif" as title, 4 section headings, 37 paragraphs.
    "twitter-customer-conversation.tr": {
        "lang": "tr",
        "published": None,
        "title": "Perspektif",
        "kinds": {"title": 1, "heading": 4, "body": 37, "tweet": 0, "metadata": 0},
    },
    # 37 lines; the first is a full paragraph (no title survived), 6 section headings.
    "customer-always-right.tr": {
        "lang": "tr",
        "published": None,
        "title": None,
        "kinds": {"title": 0, "heading": 6, "body": 31, "tweet": 0, "metadata": 0},
    },
}

WORD = re.compile(r"[^\W\d_]+|\d+")  # letters and digits apart: "2019-10-25Henüz"


@pytest.mark.parametrize("article_id", sorted(SEEDS))
def test_seed_title_date_kinds_language(seed_articles, article_id):
    article = seed_articles[article_id]
    expected = SEEDS[article_id]
    assert article.title == expected["title"]
    assert article.published == expected["published"]
    assert article.kind_counts() == expected["kinds"]
    assert article.lang == expected["lang"]
    assert [u.index for u in article.aligned_units] == list(range(len(article.aligned_units)))


@pytest.mark.parametrize("article_id", sorted(SEEDS))
def test_seed_keeps_every_word(seed_articles, article_id):
    """Unit texts plus removed HTML leftovers give back every word of the file, no more."""
    article = seed_articles[article_id]
    source = Counter(WORD.findall((CORPUS / f"{article_id}.txt").read_text(encoding="utf-8")))
    shown = Counter()
    for unit in article.units:
        shown.update(WORD.findall(unit.text))
        shown.update(WORD.findall(" ".join(unit.data.get("removed", []))))
        shown.subtract(unit.data.get("handles", []))  # recovered handles are shown again
    assert +shown == source


def test_glued_date_becomes_metadata_and_a_unit(seed_articles):
    article = seed_articles["cx-tweetchat.tr"]
    meta = [u for u in article.units if u.kind == "metadata"]
    assert [u.text for u in meta] == ["Yayınlanan: 2019-10-25"]
    assert meta[0].index is None
    assert article.aligned_units[1].text.startswith("Henüz bir #CXTweetChat'e katıldınız mı?")
    assert article.aligned_units[1].kind == "body"


def test_tweet_unit_joins_text_and_attribution(seed_articles):
    tweets = [u for u in seed_articles["cx-tweetchat.it"].units if u.kind == "tweet"]
    first = tweets[0]
    assert first.data["attribution"] == "— Jenn Vande Zande (@jennvzande) 27 settembre 2019"
    assert first.data["tweet_text"].startswith("Domanda interessante visto che FB")
    assert first.text == first.data["tweet_text"] + "\n" + first.data["attribution"]
    assert tweets[-1].data["attribution"] == "— Shalini Mitha (@shalinimitha) 27 settembre 2019"


def test_html_leftovers_cleaned_and_recovered(seed_articles):
    article = seed_articles["twitter-customer-conversation.tr"]
    symons = next(u for u in article.units if "Jon Symons" in u.text)
    assert "Jon Symons (@JonSymons)," in symons.text
    assert "href" not in symons.text and "_blank" not in symons.text
    assert symons.data["handles"] == ["JonSymons"]
    assert symons.data["urls"] == ["https://twitter.com/intent/user?screen_name=JonSymons"]
    texts = " ".join(u.text for u in article.units)
    assert "()" not in texts and '(")' not in texts
    assert "Emily Yellin, müşteri" in texts
    assert "Dr. Jillian Ney, aslında" in texts


def test_headings_of_the_stripped_articles(seed_articles):
    headings = [u.text for u in seed_articles["customer-always-right.tr"].units
                if u.kind == "heading"]
    assert headings[0] == "“Müşteri her zaman haklıdır” üzerine kısa bir tarihçe"
    assert headings[-1] == "Müşterilere en iyisini sunmak"
    assert "Tek bir müşteri çeşidi yoktur." not in headings


def test_unit_languages_are_deterministic(seed_articles):
    again = read_article(CORPUS / "cx-tweetchat.it.txt")
    assert [u.lang for u in again.units] == [u.lang for u in seed_articles["cx-tweetchat.it"].units]
    assert all(u.lang == "it" for u in again.units if len(u.text) > 80)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("customer-always-right.tr", "cp1254"), ("twitter-customer-conversation.tr", "cp1254"),
     ("cx-tweetchat.tr", "utf-16"), ("cx-tweetchat.de", "cp1252"), ("cx-tweetchat.tr", "utf-8-sig")],
)
def test_reencoded_file_reads_identically(tmp_path, seed_articles, name, encoding):
    original = seed_articles[name]
    copy = tmp_path / f"{name}.txt"
    copy.write_bytes((CORPUS / f"{name}.txt").read_text(encoding="utf-8").encode(encoding))
    again = read_article(copy)
    assert [(u.kind, u.text) for u in again.units] == [(u.kind, u.text) for u in original.units]
    assert (again.title, again.published, again.lang) == (
        original.title, original.published, original.lang)


def test_crlf_and_unicode_line_separators(seed_articles):
    text = (CORPUS / "cx-tweetchat.de.txt").read_text(encoding="utf-8")
    for newline in ("\r\n", "\r", "\u2028"):
        article = parse_article(text.replace("\n", newline), article_id="cx-tweetchat.de")
        assert [u.text for u in article.units] == [
            u.text for u in seed_articles["cx-tweetchat.de"].units]


def test_html_reads_into_the_same_units():
    plain = read_article(DATA / "html" / "cx-tweetchat-part.tr.txt")
    page = read_article(DATA / "html" / "cx-tweetchat-part.tr.html")
    assert [(u.kind, u.text) for u in page.units] == [(u.kind, u.text) for u in plain.units]
    assert page.title == plain.title
    assert page.published == dt.date(2019, 10, 25)
    tweets = [u for u in page.units if u.kind == "tweet"]
    assert len(tweets) == 2
    assert tweets[0].data["status_id"] == "1177638422134583296"
    assert tweets[1].data["status_url"].endswith("/rosejason/status/1177640012345678901")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"  \n\t\n   \n", "no text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file (a PNG image)"),
        (b"PK\x03\x04\x14\x00\x00\x00", "binary file (a zip archive)"),
        (b"some text\x00with a NUL byte\x00\x01\x02", "binary file"),
        ("Yayınlanan: güzel ".encode() + b"\xff\xfe broken", "invalid UTF-8 at byte"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path, content, problem):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_article(bad)
    assert problem in info.value.problem
    assert info.value.path == str(bad)


def test_undecodable_bytes_name_the_encoding_problem(tmp_path):
    with pytest.raises(EncodingError):
        decode("çok güzel bir metin ".encode() + b"\xc3\x28", tmp_path / "x.txt")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_article(tmp_path)


# --- safe input (cxcorpus.source) --------------------------------------------------------


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes, unless O_NONBLOCK: no writer
    ever comes here, so a blocking open would hang this test rather than fail it."""
    import os

    from cxcorpus.source import read_bytes

    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match=r"is a FIFO \(named pipe\), not a regular file"):
        read_bytes(pipe)


def test_reads_are_bounded(tmp_path):
    from cxcorpus.source import read_bytes

    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 101)
    assert read_bytes(path, max_bytes=101) == b"x" * 101
    with pytest.raises(InputError, match=r"too large \(101 bytes; the limit for a file is 100\)"):
        read_bytes(path, max_bytes=100)


def test_a_link_out_of_the_root_is_refused_unless_allowed(tmp_path):
    from cxcorpus.source import read_bytes

    (tmp_path / "outside.txt").write_text("secret\n")
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "inside.txt").write_text("fine\n")
    (root / "leak.txt").symlink_to(tmp_path / "outside.txt")
    assert read_bytes(root / "inside.txt", root=root) == b"fine\n"
    with pytest.raises(InputError, match="resolves outside the corpus folder"):
        read_bytes(root / "leak.txt", root=root)
    with pytest.raises(InputError, match="resolves outside the corpus folder"):
        read_article(root / ".." / "outside.txt", root=root)
    assert read_bytes(root / "leak.txt", root=root, allow_outside=True) == b"secret\n"


def test_a_name_that_is_not_utf8_is_refused_before_reading(tmp_path):
    import os

    from cxcorpus.source import check_name

    path = tmp_path / os.fsdecode(b"caf\xe9.txt")
    with pytest.raises(InputError, match="not valid UTF-8") as info:
        check_name(path)
    assert info.value.path.endswith("caf\\xe9.txt")  # printable, names the byte


# --- decoding by language evidence -------------------------------------------------------

TR_SEED = (CORPUS / "cx-tweetchat.tr.txt").read_text(encoding="utf-8").splitlines()


@given(st.lists(st.sampled_from([line for line in TR_SEED if line.strip()]),
                min_size=1, max_size=4))
@settings(max_examples=25, deadline=None)
def test_legacy_turkish_decodes_exactly(lines):
    """Seed lines saved as cp1254 or ISO-8859-9 (what cannot be encoded dropped) come back
    letter for letter."""
    text = "\n".join(lines) + "\n"
    for encoding in ("cp1254", "iso8859_9"):
        data = text.encode(encoding, "ignore")
        if data.isascii():
            continue
        assert decode(data, "x.txt")[0] == data.decode(encoding)


def test_a_declared_charset_wins_only_when_its_text_reads_as_language():
    line = "Şikâyetler hızla yanıtlanmalı, müşteri ilişkileri güçlenir.\n"
    lying = f'<meta charset="koi8-r"><p>{line}</p>'.encode("cp1254")
    text, encoding = decode(lying, "x.html", html=True)
    assert line in text and encoding == "cp1254"
    honest = f'<meta charset="iso-8859-9"><p>{line}</p>'.encode("iso8859_9")
    assert decode(honest, "x.html", html=True) == (honest.decode("iso8859_9"), "iso8859-9")


# --- HTML: every text node exactly once ------------------------------------------------

_BLOCKS = ["p", "div", "li", "td", "dd", "pre", "h2", "section", "blockquote"]
_INLINE = ["b", "i", "span", "a"]


@st.composite
def _html_tree(draw, depth=0):
    """Random nested markup of numbered words, and the words it holds."""
    parts, words = [], []
    for _ in range(draw(st.integers(1, 3))):
        choice = draw(st.integers(0, 2 if depth < 4 else 0))
        if choice == 0:
            word = f"kelime{draw(st.integers(0, 10_000))}"
            parts.append(word + " ")
            words.append(word)
        else:
            tag = draw(st.sampled_from(_BLOCKS if choice == 1 else _INLINE))
            inner, inner_words = draw(_html_tree(depth + 1))
            closed = draw(st.booleans()) or tag not in ("p", "li")
            parts.append(f"<{tag}>{inner}" + (f"</{tag}> " if closed else " "))
            words.extend(inner_words)
    return "".join(parts), words


@given(_html_tree())
@settings(max_examples=80, deadline=None)
def test_every_html_text_node_is_kept_exactly_once(tree):
    markup, words = tree
    article = parse_article(f"<html><body>{markup}</body></html>", html=True)
    shown = Counter(w for u in article.units for w in u.text.split())
    assert shown == Counter(words)


def test_leftover_cleaning_keeps_calls_and_removes_scraper_parens():
    from cxcorpus.read import clean_leftovers

    assert clean_leftovers("Use print() or obj.run() here.")[0] == "Use print() or obj.run() here."
    cleaned, data = clean_leftovers('Emily Yellin(") and Dr. Jillian Ney() spoke.')
    assert cleaned == "Emily Yellin and Dr. Jillian Ney spoke."
    assert data["removed"] == ['(")', "()"]


def test_a_date_line_in_the_body_stays_body_text():
    article = parse_article("Başlık\nYayınlanan: 2019-10-25\nİlk paragraf burada, uzun.\n"
                            "Tarih: 29.05.1453 günü şehir fethedildi.\n")
    assert [u.kind for u in article.units] == ["title", "metadata", "body", "body"]
    assert article.units[-1].text == "Tarih: 29.05.1453 günü şehir fethedildi."
    assert str(article.published) == "2019-10-25"


def test_leftovers_on_a_metadata_line_are_kept_aside():
    """Found by hypothesis: ``()`` glued to a date line was dropped without a trace."""
    from cxcorpus.read import parse_article

    article = parse_article("0()\nYAYIMLANAN:0001-01-01()")
    meta = [u for u in article.units if u.kind == "metadata"]
    assert len(meta) == 1 and meta[0].data["date"] == "0001-01-01"
    assert meta[0].data["removed"] == ["()"]


_READ_SEEDS = """
import dataclasses, json, sys
from cxcorpus.read import read_article, warm_up
if sys.argv[2] == "warm":
    warm_up()
print(json.dumps([dataclasses.asdict(read_article(p)) for p in sys.argv[3:]], default=str))
"""


@pytest.mark.parametrize("name", ["cx-tweetchat", "twitter-customer-conversation"])
def test_warming_up_leaves_what_a_first_read_gives_unchanged(name):
    """A build warms up the reader in a thread (``read.warm_up``); the articles it then
    reads, first in their process, are the ones a cold process reads."""
    import subprocess
    import sys

    files = [str(p) for p in sorted(CORPUS.glob(f"{name}.*.txt"))]
    read = {how: subprocess.run([sys.executable, "-c", _READ_SEEDS, "", how, *files],
                                capture_output=True, text=True, check=True).stdout
            for how in ("cold", "warm")}
    assert read["warm"] == read["cold"]
    assert len(json.loads(read["cold"])) == len(files) and "tweet" in read["cold"]
