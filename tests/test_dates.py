"""Localised date parsing: tweet attribution dates and article publication lines."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxcorpus.dates import find_date, month_number, parse_date

D = dt.date

# (text, lang hint, expected date) as written on pages in each language.
TABLE = [
    ("27 Eylül 2019", "tr", D(2019, 9, 27)),
    ("3 Mayıs 2020", "tr", D(2020, 5, 3)),
    ("27 EYLÜL 2019", None, D(2019, 9, 27)),
    ("1 NİSAN 2021", "tr", D(2021, 4, 1)),
    ("27. September 2019", "de", D(2019, 9, 27)),
    ("3. März 2020", None, D(2020, 3, 3)),
    ("27. Sept. 2019", "de", D(2019, 9, 27)),
    ("27 settembre 2019", "it", D(2019, 9, 27)),
    ("September 27, 2019", "en", D(2019, 9, 27)),
    ("Sep 27, 2019", None, D(2019, 9, 27)),
    ("27 Sep 2019", "en", D(2019, 9, 27)),
    ("1er septembre 2019", "fr", D(2019, 9, 1)),
    ("27 août 2019", "fr", D(2019, 8, 27)),
    ("3 de septiembre de 2019", "es", D(2019, 9, 3)),
    ("3 de setembro de 2019", "pt", D(2019, 9, 3)),
    ("27 september 2019", "nl", D(2019, 9, 27)),
    ("27 oktober 2019", None, D(2019, 10, 27)),
    ("27 сентября 2019", "ru", D(2019, 9, 27)),
    ("2019-10-25", None, D(2019, 10, 25)),
    ("27.09.2019", "de", D(2019, 9, 27)),
    ("  27 Eylül 2019.", "tr", D(2019, 9, 27)),
]


@pytest.mark.parametrize("text,lang,expected", TABLE)
def test_parse_date_in_many_languages(text, lang, expected):
    assert parse_date(text, lang) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31 Şubat 2019",  # no such day
        "27 Foo 2019",  # not a month
        "27 Eylül",  # no year: never guess one
        "Eylül 2019",  # no day
        "2019-13-01",
        "27/09/2019",  # slash order differs by country: not read
        "27 Eylül 2019 tarihinde",  # parse_date wants the whole text to be the date
        "",
    ],
)
def test_unreadable_dates_give_none(text):
    assert parse_date(text) is None


def test_find_date_at_start_with_text_glued_behind():
    # The Turkish seed's second line: "Yayınlanan: 2019-10-25Henüz bir #CXTweetChat'e ..."
    rest = "2019-10-25Henüz bir #CXTweetChat'e katıldınız mı?"
    assert find_date(rest, "tr") == (D(2019, 10, 25), "2019-10-25", 0, 10)
    de = "25. Oktober 2019 Bist du schon"
    assert find_date(de, "de") == (D(2019, 10, 25), "25. Oktober 2019", 0, 16)
    assert find_date("  27 settembre 2019x", "it")[2:] == (2, 19)


def test_find_date_only_at_the_start():
    assert find_date("Henüz 2019-10-25") is None
    assert find_date("2019-10-251") is None  # a longer number is not a date


def test_lang_hint_picks_the_month():
    assert month_number("Eylül") == 9
    assert month_number("eyl", "tr") == 9
    assert month_number("März", "de-AT") == 3
    assert month_number("settembre", "xx") == 9  # unknown language: fall back to all
    assert month_number("Monday") is None


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)),
       st.sampled_from(["tr", "de", "it", "en", "fr", "es", "pt", "nl"]))
def test_cldr_formatted_dates_round_trip(date, lang):
    from babel.dates import format_date

    for width in ("long", "medium"):
        text = format_date(date, width, locale=lang)
        assert parse_date(text, lang) == date, text


@given(st.text(max_size=40))
def test_never_crashes_and_match_is_in_input(text):
    found = find_date(text)
    if found:
        _date, matched, start, end = found
        assert text[start:end] == matched


# --- every language Twitter's embed code writes (CLDR layouts) ----------------------------

from cxcorpus.dates import TWITTER_LANGUAGES, cldr_locale


@pytest.mark.parametrize("text,lang,expected", [
    ("2016年3月9日", None, D(2016, 3, 9)),
    ("2016年3月9日", "ja", D(2016, 3, 9)),
    ("2019년 9월 27일", None, D(2019, 9, 27)),
    ("2019年9月27日", "zh-tw", D(2019, 9, 27)),
    ("2019/09/27", "ja", D(2019, 9, 27)),  # numeric: only with the language known
    ("٢٧ سبتمبر ٢٠١٩", None, D(2019, 9, 27)),  # Arabic-Indic digits
    ("27 سپتامبر ۲۰۱۹", "fa", D(2019, 9, 27)),
    ("27 בספטמבר 2019", "he", D(2019, 9, 27)),
    ("2019. szeptember 27.", None, D(2019, 9, 27)),
    ("27 กันยายน ค.ศ. 2019", "th", D(2019, 9, 27)),
    ("27 กันยายน 2019", "th", D(2019, 9, 27)),  # the era is optional
    ("27 tháng 9, 2019", "vi", D(2019, 9, 27)),
    ("27 вересня 2019 р.", "uk", D(2019, 9, 27)),
    ("27 de setembre del 2019", "ca", D(2019, 9, 27)),
    ("Setyembre 27, 2019", "fil", D(2019, 9, 27)),
    ("27 सितंबर 2019", None, D(2019, 9, 27)),
])
def test_cjk_and_other_scripts(text, lang, expected):
    assert parse_date(text, lang) == expected


@pytest.mark.parametrize("text,lang", [
    ("2019/09/27", None),  # numeric layout, language unknown: y/m/d or y/d/m?
    ("2019年13月27日", "ja"),
    ("2019년 9월 31일", None),
    ("27 Brumaire 2019", "fr"),
])
def test_unknown_or_impossible_dates_stay_none(text, lang):
    assert parse_date(text, lang) is None


def test_twitter_language_codes_map_to_cldr():
    assert [cldr_locale(c) for c in ("zh-cn", "zh-tw", "msa", "no", "en-gb", "xx")] == [
        "zh", "zh_Hant", "ms", "nb", "en_GB", None]


@settings(deadline=None, max_examples=60)
@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31)),
       st.sampled_from(TWITTER_LANGUAGES), st.sampled_from(["long", "medium"]))
def test_every_twitter_language_round_trips(date, lang, width):
    from babel.dates import format_date

    text = format_date(date, width, locale=lang)
    assert parse_date(text, lang) == date, text
