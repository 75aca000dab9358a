"""Dates written in a page's language: ``27 Eylül 2019``, ``2016年3月9日``, ``2019-10-25``.

Month names and date layouts come from CLDR through Babel, never from a hand-made table:
the long and medium date formats of every language Twitter's embed code writes
(:data:`TWITTER_LANGUAGES`) are read as patterns, so ``2019년 9월 27일``, ``2019. szeptember
27.`` or ``27 בספטמבר 2019`` are read as their locale writes them, in any decimal digits. A
date that cannot be read with certainty (unknown or ambiguous month word, impossible day,
languages that disagree) gives ``None``: no answer is better than a wrong date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

from babel.core import Locale, UnknownLocaleError
from babel.dates import get_date_format, get_era_names, get_month_names, tokenize_pattern

# Languages whose month names are recognised without a hint. A word that names different
# months in two of them is ambiguous and only read when ``lang`` says which one is meant.
LANGUAGES = (
    "tr", "de", "it", "en", "fr", "es", "pt", "nl", "ca",
    "pl", "sv", "da", "nb", "fi", "ro", "cs", "ru",
)

# The languages of Twitter's embed code (publish.twitter.com's ``lang``), as CLDR locales.
TWITTER_LANGUAGES = (
    "en", "ar", "bn", "cs", "da", "de", "el", "es", "fa", "fi", "fil", "fr", "he", "hi", "hu",
    "id", "it", "ja", "ko", "ms", "nl", "nb", "pl", "pt", "ro", "ru", "sv", "th", "tr", "uk",
    "ur", "vi", "zh", "zh_Hant", "ca", "eu", "gl", "gu", "kn", "mr", "ta", "sr", "hr", "bg",
    "sk", "en_GB",
)
# Twitter's language codes that are not CLDR's.
_ALIASES = {"msa": "ms", "no": "nb", "zh-cn": "zh", "zh-tw": "zh_Hant", "zh-hk": "zh_Hant",
            "iw": "he", "in": "id", "tl": "fil"}

_WORD = r"[^\W\d_]+\.?"
_DAY = r"(?P<day>\d{1,2})(?:\.|er|º|°|st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})(?!\d)"
_PATTERNS = (
    # 2019-10-25 (text may be glued behind it: "2019-10-25Henüz ...")
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})(?!\d)"),
    # 27.09.2019 (day first: the dotted form is day-month-year wherever it is used)
    re.compile(r"(?P<day>\d{1,2})\.(?P<mnum>\d{1,2})\.(?P<year>\d{4})(?!\d)"),
    # 27 Eylül 2019, 27. September 2019, 3 de septiembre de 2019, 1er sept. 2019
    re.compile(
        _DAY + r"\s*(?:de\s+|d['’]\s*)?(?P<month>" + _WORD + r")\s*(?:de\s+|del\s+|,\s*)?" + _YEAR
    ),
    # September 27, 2019; Sep 27 2019
    re.compile(r"(?P<month>" + _WORD + r")\s+" + _DAY + r",?\s+" + _YEAR),
)


def _fold(word: str) -> str:
    """Case-insensitive key for a month word (Turkish dotted I and a final dot ignored)."""
    word = unicodedata.normalize("NFC", word.replace("İ", "i")).casefold().rstrip(".")
    return word.replace("i̇", "i")


@cache
def _month_table(lang: str) -> dict[str, int]:
    """Month word -> month number for one language, wide and abbreviated, both contexts."""
    table: dict[str, int] = {}
    try:
        get_month_names("wide", "format", lang)
    except (UnknownLocaleError, ValueError):
        return table
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for number, name in get_month_names(width, context, lang).items():
                name = re.sub(r"^(?:de\s+|d['’])", "", name)
                table[_fold(name)] = number
    return table


@cache
def _month_names(locale: str) -> dict[str, int]:
    """Month names as CLDR writes them (wide and abbreviated, both contexts) -> number."""
    return {name: number for width in ("wide", "abbreviated")
            for context in ("format", "stand-alone")
            for number, name in get_month_names(width, context, locale).items()}


@cache
def _any_language_table() -> dict[str, int | None]:
    """Month word -> number over LANGUAGES; None where languages disagree."""
    table: dict[str, int | None] = {}
    for lang in LANGUAGES:
        for word, number in _month_table(lang).items():
            table[word] = number if table.get(word, number) == number else None
    return table


def _base_lang(lang: str | None) -> str | None:
    return lang.replace("-", "_").split("_")[0].lower() if lang else None


def month_number(word: str, lang: str | None = None) -> int | None:
    """The month a (possibly abbreviated) month name stands for, or None if unknown or ambiguous."""
    key = _fold(word)
    base = _base_lang(lang)
    if base:
        number = _month_table(base).get(key)
        if number:
            return number
    return _any_language_table().get(key)


def _to_date(match: re.Match, lang: str | None) -> dt.date | None:
    groups = match.groupdict()
    month = int(groups["mnum"]) if groups.get("mnum") else month_number(groups["month"], lang)
    return _valid_date(groups, month)


def _valid_date(groups: dict[str, str], month: int | None) -> dt.date | None:
    """The date of a match's ``year`` and ``day`` groups and ``month``; None if there is none."""
    if not month:
        return None
    try:
        return dt.date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None


def find_date(text: str, lang: str | None = None) -> tuple[dt.date, str, int, int] | None:
    """A date at the start of ``text`` (after blanks): ``(date, matched_text, start, end)``.

    Whatever follows the date is left alone, so ``"2019-10-25Henüz bir…"`` gives the date
    and ``end == 10``. ``lang`` (``"tr"``, ``"ja"``, ``"zh-tw"``...) settles month words that
    mean different months in different languages and enables its numeric layouts
    (``2019/09/27`` in Japanese); without it, only layouts that name the month or mark its
    parts (``年``, ``월``) are read, and only where every language that reads it agrees.
    """
    digits = _ascii_digits(text)  # one character for one: the offsets hold
    start = len(digits) - len(digits.lstrip())
    best = None
    for pattern in _PATTERNS:
        match = pattern.match(digits, start)
        date = _to_date(match, lang) if match else None
        if date:
            best = (date, match.end())
            break
    if best and not digits[best[1]:].strip(" .\u200f"):
        return best[0], text[start:best[1]], start, best[1]  # the whole text: nothing longer
    found = _find_cldr_date(digits, start, lang)
    if found and (best is None or found[1] > best[1]):
        best = found  # the locale's whole layout ("27 вересня 2019 р.") over a part of it
    if best is None:
        return None
    return best[0], text[start:best[1]], start, best[1]


def _ascii_digits(text: str) -> str:
    """``text`` with every decimal digit (``٢٠١٩``, ``२०१९``, ``２０１９``) as an ASCII one."""
    if text.isascii():
        return text
    return _ANY_DIGIT.sub(lambda m: str(unicodedata.decimal(m[0])), text)


_ANY_DIGIT = re.compile(r"(?![0-9])\d")


def cldr_locale(lang: str | None) -> str | None:
    """The CLDR locale of a language tag (``zh-tw`` -> ``zh_Hant``), or None if Babel lacks it."""
    if not lang:
        return None
    lang = _ALIASES.get(lang.lower(), lang).replace("-", "_")
    for candidate in (lang, lang.split("_")[0]):
        try:
            return str(Locale.parse(candidate))
        except (UnknownLocaleError, ValueError, TypeError):
            continue
    return None


def _find_cldr_date(text: str, start: int, lang: str | None) -> tuple[dt.date, int] | None:
    locale = cldr_locale(lang)
    if locale:
        for pattern, months in _locale_patterns(locale, numeric=True):
            match = pattern.match(text, start)
            date = _cldr_date(match, months) if match else None
            if date:
                return date, match.end()
    answers = set()
    for other in TWITTER_LANGUAGES:
        for pattern, months in _locale_patterns(other, numeric=False):
            match = pattern.match(text, start)
            date = _cldr_date(match, months) if match else None
            if date:
                answers.add((date, match.end()))
                break
    if len({date for date, _end in answers}) == 1:
        return max(answers, key=lambda a: a[1])  # the longest reading of the one date
    return None  # none, or languages disagree: no guess


def _cldr_date(match: re.Match, months: dict[str, int]) -> dt.date | None:
    groups = match.groupdict()
    month = int(groups["mnum"]) if groups.get("mnum") else months.get(_fold(groups["month"]))
    return _valid_date(groups, month)


@cache
def _locale_patterns(locale: str, numeric: bool) -> tuple[tuple[re.Pattern, dict[str, int]], ...]:
    """Regular expressions for ``locale``'s long and medium date formats (CLDR).

    ``numeric=False`` keeps only layouts that cannot be mistaken in another language: a
    month word, or a literal that is not punctuation (``年``, ``년``).
    """
    names = _month_names(locale)
    months = {_fold(name): number for name, number in names.items()}
    eras = {name for width in ("abbreviated", "wide")
            for name in get_era_names(width, locale=locale).values()}
    found = []
    for width in ("long", "medium"):
        tokens = tokenize_pattern(get_date_format(width, locale).pattern)
        fields = {value[0]: value[1] for kind, value in tokens if kind == "field"}
        if not {"y", "d"} <= set(fields) or not ({"M", "L"} & set(fields)):
            continue
        word_month = fields.get("M", fields.get("L", 0)) >= 3
        marked = any(kind == "chars" and any(c.isalpha() for c in value)
                     for kind, value in tokens)
        if not numeric and not (word_month or marked):
            continue
        parts = [_token_regex(kind, value, names, eras) for kind, value in tokens]
        pattern = re.compile(_GAP.join(p for p in parts if p), re.IGNORECASE)
        if all(pattern.pattern != known.pattern for known, _m in found):
            found.append((pattern, months))
    return tuple(found)


_GAP = r"[\s\u200e\u200f\u061c]*"  # blanks and the bidi marks CLDR puts in Arabic dates


def _token_regex(kind: str, value: object, months: dict[str, int], eras: set[str]) -> str:
    if kind == "chars":
        words = str(value).replace("\u200f", " ").replace("\u200e", " ").split()
        return _GAP.join(re.escape(w.rstrip(".")) + (r"\.?" if w.endswith(".") else "")
                         for w in words)
    letter, count = value  # type: ignore[misc]
    if letter == "y":
        return r"(?P<year>\d{4})(?!\d)"
    if letter == "d":
        return r"(?P<day>\d{1,2})(?!\d)"
    if letter in "ML":
        if count <= 2:
            return r"(?P<mnum>\d{1,2})(?!\d)"
        names = sorted(months, key=len, reverse=True)
        return "(?P<month>" + "|".join(re.escape(n.rstrip(".")) for n in names) + r")\.?"
    if letter == "G":
        return "(?:" + "|".join(re.escape(e) for e in sorted(eras, key=len, reverse=True)) + ")?"
    return ""


def parse_date(text: str, lang: str | None = None) -> dt.date | None:
    """The date that ``text`` consists of (blanks and a final full stop aside), or None."""
    found = find_date(text, lang)
    if not found:
        return None
    rest = text[found[3]:].strip()
    return found[0] if rest in ("", ".") else None
