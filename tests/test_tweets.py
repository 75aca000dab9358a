"""Quoted tweets on the real seeds, on hand-written embeds, and on broken input."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import warnings
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcorpus.cli import main
from cxcorpus.model import Alignment, Article, Bead, Signature, Unit
from cxcorpus.read import parse_article, read_article
from cxcorpus.tweets import (
    TWEET_FIELDS,
    TweetWarning,
    article_mentions,
    extract_tweets,
    link_quotes,
    parse_attribution,
    parse_embed,
    split_inline_attribution,
    tweet_records,
    unit_map_from_alignment,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
EMBEDS = Path(__file__).parent / "data/tweets/embeds.html"

# Read off corpus/cx-tweetchat.tr.txt and .it.txt: (line of the tweet's text, author,
# handle, hashtags of the Turkish text, hashtags of the Italian text). Every attribution
# line is dated 27 September 2019: "27 Eylül 2019" in Turkish, "27 settembre 2019" in Italian.
SEED_TWEETS = [
    (6, "Jenn Vande Zande", "jennvzande", ["CXtweetchat"], ["CXtweetchat"]),
    (10, "Jason Rose", "rosejason", ["CXTweetchat"], ["CXTweetchat"]),
    (14, "Ratul Shah", "Ratul", [], []),
    (17, "Jenn Vande Zande", "jennvzande", ["cxtweetchat"], ["cxtweetchat"]),
    (20, "Stephanie Thum, CCXP", "stephaniethum", ["CXTweetchat"], ["CXTweetchat"]),
    (23, "Tracey Wallace", "TraceWall", ["CXTweetchat"], ["CXTweetchat"]),
    (28, "Federica De Monte", "federicademonte", ["CXTweetchat"], ["CXTweetchat"]),
    (32, "Michael Joseph", "LoneDigiMarketr", ["CXTweetSohbet"], ["CXTweetChat"]),
    (36, "Shalini Mitha", "shalinimitha", ["cxtweetchat"], ["cxtweetchat"]),
    (39, "Michael Joseph", "LoneDigiMarketr", ["CXTweetSohbet"], ["CXTweetChat"]),
    (43, "Tracey Wallace", "TraceWall", ["CXTweetchat"], ["CXTweetchat"]),
    (46, "Shalini Mitha", "shalinimitha", ["CXTweetchat", "SAP_CX"], ["CXTweetchat", "SAP_CX"]),
]
DATE_TEXT = {"tr": "27 Eylül 2019", "it": "27 settembre 2019"}


@pytest.fixture(scope="module")
def seeds():
    return {p.name[:-4]: read_article(p) for p in sorted(CORPUS.glob("*.txt"))}


@pytest.mark.parametrize("article_id,count", [
    ("cx-tweetchat.tr", 12), ("cx-tweetchat.it", 12), ("cx-tweetchat.de", 0),
    ("twitter-customer-conversation.tr", 0), ("customer-always-right.tr", 0),
])
def test_number_of_tweets_per_seed(seeds, article_id, count):
    assert len(extract_tweets(seeds[article_id])) == count


@pytest.mark.parametrize("lang", ["tr", "it"])
def test_seed_tweets_author_handle_date_hashtags(seeds, lang):
    article = seeds[f"cx-tweetchat.{lang}"]
    lines = (CORPUS / f"cx-tweetchat.{lang}.txt").read_text("utf-8").splitlines()
    tweets = extract_tweets(article)
    units = {u.index: u for u in article.units}
    for order, (tweet, row) in enumerate(zip(tweets, SEED_TWEETS, strict=True)):
        line, name, handle, tags_tr, tags_it = row
        assert tweet.order == order
        assert units[tweet.unit].kind == "tweet" and units[tweet.unit].line == line
        assert tweet.text == lines[line - 1]
        assert (tweet.author_name, tweet.author_handle) == (name, handle)
        assert (tweet.date, tweet.date_text) == ("2019-09-27", DATE_TEXT[lang])
        assert tweet.hashtags == (tags_tr if lang == "tr" else tags_it)
        assert tweet.article == f"cx-tweetchat.{lang}" and tweet.lang == lang
        assert tweet.status_id is None and tweet.url is None  # plain text has no links


def test_seed_tweet_mentions_and_urls(seeds):
    tweets = extract_tweets(seeds["cx-tweetchat.tr"])
    assert tweets[2].mentions == ["stephaniethum"]  # "Merhaba @stephaniethum."
    assert tweets[5].mentions == ["renttherunway", "SAP_CX"]
    assert tweets[10].mentions == ["everlane", "andieswim", "SAP_CX"]  # "⁰@SAP_CX" too
    assert tweets[4].urls == [{"url": "https://t.co/5etj3ZvTtB",
                               "expanded_url": "https://t.co/5etj3ZvTtB",
                               "display_url": "t.co/5etj3ZvTtB"}]
    assert [t for t in tweets if t.cashtags] == []


def test_records_follow_the_contract(seeds):
    records = tweet_records(extract_tweets(seeds["cx-tweetchat.it"]))
    assert all(list(r) == TWEET_FIELDS for r in records)
    assert json.loads(json.dumps(records[0]))["author_handle"] == "jennvzande"


def test_link_quotes_across_translations(seeds):
    group = {i: extract_tweets(seeds[i]) for i in
             ("cx-tweetchat.tr", "cx-tweetchat.de", "cx-tweetchat.it")}
    quotes = link_quotes(group)
    assert len(quotes) == 12
    for quote, tr, it in zip(quotes, group["cx-tweetchat.tr"], group["cx-tweetchat.it"],
                             strict=True):
        assert quote["present"] == ["cx-tweetchat.tr", "cx-tweetchat.it"]
        assert quote["missing"] == ["cx-tweetchat.de"]
        assert tr.quote_id == it.quote_id == quote["quote_id"]
        assert tr.order == it.order and tr.author_handle == it.author_handle
    assert len({q["quote_id"] for q in quotes}) == 12


def test_link_quotes_prefers_status_id_then_alignment(seeds):
    tr = extract_tweets(seeds["cx-tweetchat.tr"])
    it = extract_tweets(seeds["cx-tweetchat.it"])
    # The Italian version lost the year of the first date: handle+date+occurrence no longer
    # agree for Jenn's two tweets, but an alignment of the units still links them.
    it[0].date = None
    tr[4].status_id = "1177000000000000001"  # known in one version only
    beads = [Bead((i,), (i,), 0.9) for i in range(len(seeds["cx-tweetchat.tr"].aligned_units))]
    alignment = Alignment(beads, [], [], Signature("test", "0"), "cx-tweetchat.tr",
                          "cx-tweetchat.it")
    quotes = link_quotes({"cx-tweetchat.tr": tr, "cx-tweetchat.it": it},
                         unit_map_from_alignment(alignment))
    assert len(quotes) == 12
    assert [t.quote_id for t in tr] == [t.quote_id for t in it]
    assert tr[4].quote_id == "q-1177000000000000001"


def test_link_quotes_with_an_nway_alignment(seeds):
    from types import SimpleNamespace

    tr = extract_tweets(seeds["cx-tweetchat.tr"])
    it = extract_tweets(seeds["cx-tweetchat.it"])
    for tweet in it:  # no handle+date key to fall back on: only the alignment links them
        tweet.author_handle = tweet.author_name = tweet.date = None
    n = len(seeds["cx-tweetchat.tr"].aligned_units)
    rows = [((i,), (), (i,)) for i in range(n)]  # the German version has nothing in these rows
    nway = SimpleNamespace(rows=rows, ids=["cx-tweetchat.tr", "cx-tweetchat.de",
                                           "cx-tweetchat.it"])
    unit_map = unit_map_from_alignment(nway)
    assert unit_map["cx-tweetchat.de"] == {}
    quotes = link_quotes({"cx-tweetchat.tr": tr, "cx-tweetchat.de": [], "cx-tweetchat.it": it},
                         unit_map)
    assert len(quotes) == 12 and all(q["missing"] == ["cx-tweetchat.de"] for q in quotes)
    assert [t.quote_id for t in tr] == [t.quote_id for t in it]
    assert link_quotes({"cx-tweetchat.tr": tr, "cx-tweetchat.it": it}).__len__() == 24


def test_link_never_joins_two_tweets_of_one_article(seeds):
    tr = extract_tweets(seeds["cx-tweetchat.tr"])
    for tweet in tr:
        tweet.status_id = "1"  # nonsense: every tweet claims one status id
    quotes = link_quotes({"cx-tweetchat.tr": tr})
    assert len(quotes) == 12


def test_article_mentions_from_cleaned_html_leftovers(seeds):
    found = article_mentions(seeds["twitter-customer-conversation.tr"])
    assert [(m["handle"], m["line"]) for m in found] == [("JonSymons", 49)]
    assert found[0]["url"] == "https://twitter.com/intent/user?screen_name=JonSymons"
    unit = next(u for u in seeds["twitter-customer-conversation.tr"].units if u.line == 49)
    start, end = found[0]["indices"]
    assert unit.text[start:end] == "@JonSymons"
    assert article_mentions(seeds["cx-tweetchat.tr"]) == []  # its @s are all in tweets


# --- attribution lines -----------------------------------------------------------------


@pytest.mark.parametrize("line,name,handle,date_text,date", [
    ("— Jenn Vande Zande (@jennvzande) 27 Eylül 2019", "Jenn Vande Zande", "jennvzande",
     "27 Eylül 2019", dt.date(2019, 9, 27)),
    ("&mdash; Jason Rose (@rosejason) 27 settembre 2019", "Jason Rose", "rosejason",
     "27 settembre 2019", dt.date(2019, 9, 27)),
    ("-Ratul Shah (@Ratul) September 27, 2019", "Ratul Shah", "Ratul", "September 27, 2019",
     dt.date(2019, 9, 27)),
    ("– Müller, Jörg 🚀 [CX] @ Home (@old) (@joerg_cx) 27. September 2019",
     "Müller, Jörg 🚀 [CX] @ Home (@old)", "joerg_cx", "27. September 2019",
     dt.date(2019, 9, 27)),
    ("—Ana (@ana_cx)3 de septiembre de 2019", "Ana", "ana_cx", "3 de septiembre de 2019",
     dt.date(2019, 9, 3)),
    ("— Ana (@ana_cx)", "Ana", "ana_cx", None, None),
])
def test_parse_attribution(line, name, handle, date_text, date):
    parts = parse_attribution(line)
    assert (parts.name, parts.handle, parts.date_text, parts.date) == (
        name, handle, date_text, date)


@pytest.mark.parametrize("line", [
    "- a list item that mentions @someone in passing",
    "- see (@handle) for more on this topic, which we discuss below",
    "- call our team (@support) at 5",
    "Jenn Vande Zande (@jennvzande) 27 Eylül 2019",  # no dash
    "— Jenn Vande Zande 27 Eylül 2019",  # no handle
    "Significa ammettere di aver sbagliato — via e-mail, social, telefonata.",
])
def test_prose_is_no_attribution(line):
    assert parse_attribution(line) is None


def test_attribution_problems_are_named_not_guessed():
    bad = parse_attribution("— Jenn (@jenn-vz!) 27 Eylül 2019")
    assert bad.handle is None and bad.name == "Jenn" and bad.date == dt.date(2019, 9, 27)
    assert any("malformed handle" in p for p in bad.problems)
    odd = parse_attribution("— Jenn (@jennvzande) 27 Foo 2019")
    assert odd.date is None and odd.date_text == "27 Foo 2019"
    assert any("not understood" in p for p in odd.problems)


# --- embeds ----------------------------------------------------------------------------


def _embeds():
    soup = BeautifulSoup(EMBEDS.read_text("utf-8"), "html.parser")
    return [parse_embed(b) for b in soup.find_all("blockquote", class_="twitter-tweet")]


def test_parse_embed_in_four_date_languages():
    tr, de, it, en, es, cut = _embeds()
    assert tr["author_name"] == "Ayşe Yılmaz, CX Lead 🚀"
    assert tr["author_handle"] == "AyseYilmaz"
    assert tr["text"] == ("Müşteri deneyimi bir takım sporudur #CXDay\n"
                          "Ekip: @ayse_cx https://t.co/AbC123xyZ")
    assert tr["status_id"] == "1177638422134583296"
    assert tr["status_url"] == "https://twitter.com/AyseYilmaz/status/1177638422134583296"
    assert de["author_name"] == "Jörg [CX] @ Home"
    assert de["status_url"] == de["url"] == (
        "https://twitter.com/joerg_cx/status/1177640012345678901")  # x.com link made canonical
    dates = [(e["date_text"], e["date"], e["lang"]) for e in (tr, de, it, en, es)]
    assert dates == [
        ("27 Eylül 2019", "2019-09-27", "tr"),
        ("27. September 2019", "2019-09-27", "de"),
        ("27 settembre 2019", "2019-09-27", "it"),
        ("September 27, 2019", "2019-09-27", "en"),
        ("3 de septiembre de 2019", "2019-09-03", "es"),
    ]
    assert es["status_id"] is None and "no status link" in es["problems"]
    assert cut["text"] == "This tweet was cut off before its attribution"
    assert cut["author_handle"] is None and cut["date"] is None and cut["attribution"] is None


def test_parse_embed_from_a_string_and_leaves_the_tag_alone():
    html = ('<blockquote class="twitter-tweet"><p lang="en">a<br>b</p>&mdash; X (@x) '
            '<a href="https://x.com/x/status/42?s=20">May 1, 2020</a></blockquote>')
    found = parse_embed(html)
    assert (found["text"], found["status_id"], found["date"]) == ("a\nb", "42", "2020-05-01")
    tag = BeautifulSoup(html, "html.parser").blockquote
    parse_embed(tag)
    assert tag.find("br") is not None


def test_embeds_through_the_reader():
    with pytest.warns(TweetWarning, match=r"embeds\.html:\d+: tweet no attribution"):
        tweets = extract_tweets(read_article(EMBEDS))
    assert [t.author_handle for t in tweets] == [
        "AyseYilmaz", "joerg_cx", "federicademonte", "shalinimitha", "ana_cx", None]
    assert tweets[0].hashtags == ["CXDay"] and tweets[0].mentions == ["ayse_cx"]
    assert tweets[1].cashtags == ["SAP"]
    assert tweets[0].quote_id == "q-1177638422134583296"


# --- bad input -------------------------------------------------------------------------

BAD = """Başlık
Bu yazı kötü alıntılar içeriyor.
Tarihsiz bir tweet #CX
— Jenn Vande Zande (@jennvzande)
Ara paragraf, noktalı.
Kötü kullanıcı adı
— Jenn (@jenn-vz!) 27 Eylül 2019
Bir paragraf daha, noktalı.
Garip tarih
— Jenn (@jennvzande) 27 Foo 2019
"""


def test_bad_attributions_warn_with_article_and_line():
    article = parse_article(BAD, path="bad.tr.txt", article_id="bad.tr")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tweets = extract_tweets(article)
    messages = [str(w.message) for w in caught if w.category is TweetWarning]
    assert len(tweets) == 3
    assert (tweets[0].date, tweets[0].date_text, tweets[0].author_handle) == (
        None, None, "jennvzande")
    assert tweets[1].author_handle is None and tweets[1].author_name == "Jenn"
    assert (tweets[2].date, tweets[2].date_text) == (None, "27 Foo 2019")
    assert any(m.startswith("bad.tr.txt:3:") and "no date" in m for m in messages)
    assert any(m.startswith("bad.tr.txt:6:") and "malformed handle" in m for m in messages)
    assert any(m.startswith("bad.tr.txt:9:") and "not understood" in m for m in messages)


def test_truncated_blockquote_does_not_crash():
    found = parse_embed('<blockquote class="twitter-tweet"><p lang="tr" dir="ltr">Yarım')
    assert found["text"] == "Yarım" and found["author_name"] is None
    assert parse_embed("<blockquote")["text"] is None


# --- nothing invented ------------------------------------------------------------------

_line_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=60)


@settings(max_examples=150, deadline=None)
@given(
    text=_line_text,
    name=_line_text,
    handle=st.text("abcXYZ_09-!é", min_size=0, max_size=22),
    date_text=st.one_of(
        st.just(""),
        st.dates().map(lambda d: f"{d.day} Eylül {d.year}"),
        st.dates().map(lambda d: f"{d.day}. September {d.year}"),
        _line_text,
    ),
    dash=st.sampled_from(["—", "&mdash;", "-", "–", "— "]),
)
def test_extractor_never_returns_a_value_not_in_the_input(text, name, handle, date_text, dash):
    attribution = f"{dash}{name} (@{handle}) {date_text}".strip()
    source = f"{text}\n{attribution}"
    unit = Unit("tweet", source, index=0, line=1,
                data={"tweet_text": text, "attribution": attribution})
    article = Article("a.tr", "a.tr.txt", "tr", None, None, [unit])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (tweet,) = extract_tweets(article)
    for field in ("text", "author_name", "author_handle", "date_text", "status_id", "url"):
        value = getattr(tweet, field)
        assert value is None or value in source, field
    for field in ("hashtags", "mentions", "cashtags"):
        assert all(value in text for value in getattr(tweet, field)), field
    assert all(url["url"] in text and url["display_url"] in text for url in tweet.urls)
    if tweet.date is not None:  # a date only where a date was written
        assert tweet.date_text is not None
        day = dt.date.fromisoformat(tweet.date)
        assert str(day.year) in tweet.date_text


# --- CLI -------------------------------------------------------------------------------


def test_cli_tweets_jsonl_and_group(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["tweets", str(CORPUS / "cx-tweetchat.tr.txt"),
                                  str(CORPUS / "cx-tweetchat.de.txt"),
                                  str(CORPUS / "cx-tweetchat.it.txt")])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 24 and all(list(r) == TWEET_FIELDS for r in rows)
    assert [r["article"] for r in rows] == ["cx-tweetchat.tr"] * 12 + ["cx-tweetchat.it"] * 12
    out = tmp_path / "quotes.csv"
    result = runner.invoke(main, ["tweets", str(CORPUS), "--group", "--format", "csv",
                                  "-o", str(out)])
    assert result.exit_code == 0, result.output
    import csv

    quotes = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(quotes) == 12
    assert all(q["missing"] == "cx-tweetchat.de" and q["text_de"] == "" for q in quotes)
    assert quotes[4]["author_name"] == "Stephanie Thum, CCXP"
    assert quotes[4]["text_it"].startswith("Cavolo, sì.")


def test_cli_parquet_needs_an_output_file():
    result = CliRunner().invoke(main, ["tweets", str(CORPUS), "--format", "parquet"])
    assert result.exit_code == 2 and "needs a file" in result.output


@settings(max_examples=100, deadline=None)
@given(text=_line_text, name=_line_text, handle=st.text("abcXYZ_09-!é", max_size=22),
       date_text=st.one_of(st.just(""), st.dates().map(lambda d: d.strftime("%B %d, %Y")),
                           _line_text),
       link=st.booleans())
def test_parse_embed_never_returns_a_value_not_in_the_input(text, name, handle, date_text,
                                                            link):
    from html import escape

    anchor = (f'<a href="https://twitter.com/{escape(handle)}/status/123">{escape(date_text)}</a>'
              if link else escape(date_text))
    page = (f'<blockquote class="twitter-tweet"><p lang="en">{escape(text)}</p>'
            f"&mdash; {escape(name)} (@{escape(handle)}) {anchor}</blockquote>")
    found = parse_embed(page)
    # The reader keeps text in NFC (a compatibility ideograph comes back canonical).
    text, name, date_text = (unicodedata.normalize("NFC", x) for x in (text, name, date_text))
    source = " ".join(f"{text} — {name} (@{handle}) {date_text} 123".split())
    for key in ("author_name", "author_handle", "date_text", "status_id"):
        value = found[key]
        assert value is None or " ".join(value.split()) in source, key
    if found["text"]:
        assert " ".join(found["text"].split()) in " ".join(text.split())
    if found["date"]:
        assert found["date_text"] and found["date"][:4] in found["date_text"]


# --- quotes from the wild: embeds and scraped text in many languages -----------------------

WILD = Path(__file__).parent / "data/tweets/wild"
WILD_GOLD = json.loads((WILD / "expected.json").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(WILD_GOLD))
def test_wild_inputs_every_tweet_and_field(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TweetWarning)
        tweets = extract_tweets(read_article(WILD / name))
    assert len(tweets) == len(WILD_GOLD[name])
    for tweet, gold in zip(tweets, WILD_GOLD[name]):
        assert {k: getattr(tweet, k) for k in gold} == gold


def test_wild_gold_covers_the_languages_and_cases():
    langs = {name.split(".")[1] for name in WILD_GOLD if name.startswith("scraped")}
    assert {"en", "tr", "ja", "ko", "es", "fr", "it", "ar", "de"} <= langs
    embeds = WILD_GOLD["embeds.html"]
    assert len(embeds) == 10 and all(t["status_id"] and t["date"] for t in embeds)


def test_embed_text_as_a_browser_shows_it():
    found = parse_embed('<blockquote class="twitter-tweet"><p lang="de">Zeile   eins\n'
                        '    geht weiter <br>\n  zwei&nbsp;x<br><br>drei <!-- nicht --></p>'
                        '&mdash; A (@a) <a href="https://twitter.com/a/status/1">1. Mai 2020</a>'
                        "</blockquote>")
    assert found["text"] == "Zeile eins geht weiter\nzwei\u00a0x\n\ndrei"


def test_embed_entities_come_from_its_links():
    found = parse_embed(
        '<blockquote class="twitter-tweet"><p lang="en">Try #module<a href="https://t.co/Ab1">'
        'https://t.co/Ab1</a> by <a href="https://twitter.com/dev_x">@dev_x</a> '
        '<a href="https://twitter.com/hashtag/py?src=hash">#py</a> '
        '<a href="https://t.co/Cd2">example.com/a-long-pa…</a></p>&mdash; X (@x) '
        '<a href="https://twitter.com/x/status/5">May 1, 2020</a></blockquote>')
    entities = found["entities"]
    assert entities["hashtags"] == ["module", "py"]  # "#module" glued to the link is kept
    assert entities["mentions"] == ["dev_x"]
    assert entities["urls"] == [
        {"url": "https://t.co/Ab1", "expanded_url": "https://t.co/Ab1",
         "display_url": "https://t.co/Ab1"},
        {"url": "https://t.co/Cd2", "expanded_url": "https://t.co/Cd2",
         "display_url": "example.com/a-long-pa…"},
    ]


def test_unclosed_p_keeps_the_attribution_out_of_the_text():
    found = parse_embed('<blockquote class="twitter-tweet"><p lang="fr">Bravo #SAV &mdash; '
                        'Claire (@claire_ex) <a href="https://twitter.com/claire_ex/status/9">'
                        "1 octobre 2019</a></blockquote>")
    assert found["text"] == "Bravo #SAV"
    assert (found["author_name"], found["author_handle"], found["date"], found["status_id"]) == (
        "Claire", "claire_ex", "2019-10-01", "9")
    assert found["entities"]["mentions"] == []


def test_unclosed_p_with_a_comment_after_the_status_link_keeps_its_attribution():
    # the last dash was looked for in comments too (a processing instruction's: fuzz_tweets.py)
    found = parse_embed('<blockquote class="twitter-tweet"><p lang="en">Great service! &mdash; '
                        'Jane Doe (@jane) <a href="https://twitter.com/jane/status/123">May 1, '
                        "2019</a> <!-- embed \u2014 v2 --></blockquote>")
    assert (found["text"], found["author_handle"], found["date"], found["problems"]) == (
        "Great service!", "jane", "2019-05-01", [])


def test_a_processing_instruction_is_neither_text_nor_attribution():
    found = parse_embed('<blockquote class="twitter-tweet"><p lang="en">Great service! '
                        '<?php echo "\u2014 x (@y)" ?> thanks</blockquote>')
    assert (found["text"], found["attribution"], found["author_handle"]) == (
        "Great service! thanks", None, None)


def test_attribution_without_handle_takes_it_from_the_status_link():
    found = parse_embed('<blockquote class="twitter-tweet" data-lang="ja"><p lang="ja">やった'
                        "</p>&mdash; わさびず <a href=\"https://twitter.com/wasabi_z/status/7\">"
                        "2015年12月29日</a></blockquote>")
    assert (found["author_name"], found["author_handle"], found["date"], found["date_text"]) == (
        "わさびず", "wasabi_z", "2015-12-29", "2015年12月29日")


@pytest.mark.parametrize("line,text,attribution", [
    ("Still no answer #cx — Jane Sample (@jane_s) September 27, 2019",
     "Still no answer #cx", "— Jane Sample (@jane_s) September 27, 2019"),
    ("Look pic.twitter.com/AbC— Jane (@jane_s) 27 Sep 2019",
     "Look pic.twitter.com/AbC", "— Jane (@jane_s) 27 Sep 2019"),
    ("ありがとう！— たまご (@tamago) 2016年3月9日", "ありがとう！", "— たまご (@tamago) 2016年3月9日"),
    ("Done.— Jean-Paul Exemple (@jp) 1 octobre 2019", "Done.",
     "— Jean-Paul Exemple (@jp) 1 octobre 2019"),
    ("Great event – thanks all - see you — CX Team (@cx) 27. September 2019",
     "Great event – thanks all - see you", "— CX Team (@cx) 27. September 2019"),
    ("Promise kept. — Air (@air) https://twitter.com/air/status/42", "Promise kept.",
     "— Air (@air) https://twitter.com/air/status/42"),
])
def test_inline_attribution(line, text, attribution):
    assert split_inline_attribution(line) == (text, attribution)


def _seed_lines():
    return [line for path in sorted(CORPUS.glob("*.txt"))
            for line in path.read_text("utf-8").splitlines()]


@pytest.mark.parametrize("line", [
    "A spokesperson – Maria Example (@mariaex) – said the case was under review.",
    "Record year for complaints — Example Air (@ExampleAir) 2019",
    "Experts — such as Dana Lee (@dana) — say speed matters more than tone.",
    "The team — see our guide (@cxguide on Twitter) from 27 September 2019.",
    "Le service — dirigé par Jean-Paul (@jp) depuis 2018 — compte vingt personnes.",
    "Call us - our team (@support) answers at 5",
    "x — " + "N" * 51 + " (@name) September 27, 2019",  # no display name is that long
])
def test_prose_with_a_dash_and_a_parenthesis_is_no_inline_attribution(line):
    assert split_inline_attribution(line) is None


def test_no_seed_line_holds_an_inline_attribution():
    lines = _seed_lines()
    assert len(lines) > 150
    assert [line for line in lines if split_inline_attribution(line)] == []


@settings(max_examples=150, deadline=None)
@given(text=_line_text, name=_line_text, handle=st.text("abcXYZ_09-!é", max_size=22),
       rest=st.one_of(_line_text, st.dates().map(lambda d: d.strftime("%B %d, %Y"))),
       dash=st.sampled_from(["—", "–", " - ", "—", "&mdash;"]))
def test_inline_split_keeps_every_character_and_only_certain_attributions(text, name, handle,
                                                                           rest, dash):
    line = f"{text}{dash}{name} (@{handle}) {rest}"
    found = split_inline_attribution(line)
    if found:
        head, attribution = found
        assert "".join(f"{head}{attribution}".split()) == "".join(line.split())
        assert line.startswith(head)
        parts = parse_attribution(attribution)
        assert parts.handle and parts.name and len(parts.name) <= 50
        assert parts.date is not None or parts.status_url is not None


SPACED = """Titel der Seite

Veröffentlicht: 2019-10-01

Ein Absatz, der mit einem Punkt endet.

Erste Zeile des Tweets
zweite Zeile

dritter Absatz #tag— Greta (@greta) 27. September 2019

Ein Absatz danach.
"""


def test_multi_line_and_multi_paragraph_tweet_in_plain_text():
    article = parse_article(SPACED, path="s.de.txt", article_id="s.de")
    (tweet,) = extract_tweets(article)
    assert tweet.text == "Erste Zeile des Tweets\nzweite Zeile\n\ndritter Absatz #tag"
    assert (tweet.author_handle, tweet.date, tweet.hashtags) == ("greta", "2019-09-27", ["tag"])
    kinds = [u.kind for u in article.units]
    assert kinds == ["title", "metadata", "body", "tweet", "body"]


def test_plain_text_link_glued_to_a_hashtag():
    article = parse_article("T\nJetzt #modulhttps://t.co/Ab1 lesen\n— A (@a) 1. Mai 2020\n",
                            path="g.de.txt", article_id="g.de")
    (tweet,) = extract_tweets(article)
    assert tweet.hashtags == ["modul"]
    assert [u["url"] for u in tweet.urls] == ["https://t.co/Ab1"]


def test_tweets_module_imports_no_reader_or_corpus():
    import subprocess
    import sys

    code = ("import sys, cxcorpus.tweets; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('cxcorpus'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    # entities (twitter-text's patterns, ~0.25 s to compile) loads on first use
    assert done.stdout.split() == ["cxcorpus", "cxcorpus.dates", "cxcorpus.model",
                                   "cxcorpus.tweets"]


def test_weighted_length_counts_as_twitter_does():
    from cxcorpus.tweets import weighted_length

    assert weighted_length("abc") == 3
    assert weighted_length("ありがとう") == 10  # CJK weighs 2
    assert weighted_length("see https://example.com/a/very/long/path/indeed") == 4 + 23
