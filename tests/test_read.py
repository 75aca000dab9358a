"""The reader on the real seeds: titles, dates, unit kinds, languages, nothing lost."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

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
