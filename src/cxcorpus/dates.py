"""Dates written in a page's language: ``27 Eylül 2019``, ``27. September 2019``, ``2019-10-25``.

Month names come from CLDR through Babel, never from a hand-made table. A date that cannot
be read with certainty (unknown or ambiguous month word, impossible day) gives ``None``:
no answer is better than a wrong date.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

from babel.core import UnknownLocaleError
from babel.dates import get_month_names

# Languages whose month names are recognised without a hint. A word that names different
# months in two of them is ambiguous and only read when ``lang`` says which one is meant.
LANGUAGES = (
    "tr", "de", "it", "en", "fr", "es", "pt", "nl", "ca",
    "pl", "sv", "da", "nb", "fi", "ro", "cs", "ru",
)

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
    if not month:
        return None
    try:
        return dt.date(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None


def find_date(text: str, lang: str | None = None) -> tuple[dt.date, str, int, int] | None:
    """A date at the start of ``text`` (after blanks): ``(date, matched_text, start, end)``.

    Whatever follows the date is left alone, so ``"2019-10-25Henüz bir…"`` gives the date
    and ``end == 10``. ``lang`` (``"tr"``, ``"de"``, ...) settles month words that mean
    different months in different languages.
    """
    start = len(text) - len(text.lstrip())
    for pattern in _PATTERNS:
        match = pattern.match(text, start)
        if match:
            date = _to_date(match, lang)
            if date:
                return date, match.group(0), match.start(), match.end()
    return None


def parse_date(text: str, lang: str | None = None) -> dt.date | None:
    """The date that ``text`` consists of (blanks and a final full stop aside), or None."""
    found = find_date(text, lang)
    if not found:
        return None
    rest = text[found[3]:].strip()
    return found[0] if rest in ("", ".") else None
