"""Sentences inside a unit, for sentence-level alignment and gaps.

``sentencex`` does the splitting; small rules repair what it gets wrong in our texts:
ordinals (``20. yüzyıl``, ``25. Oktober``: a number and a dot before a lower-case word
or a month), abbreviations (``z. B.``, ``Dr.``, ``vb.``),
and tweet-chat answer labels (``A2.``) that belong to the sentence after them.
"""

from __future__ import annotations

import re

import sentencex

from .model import Article

# Abbreviations (lower-cased, without the final dot) after which a sentence does not end.
ABBREVIATIONS = {
    "de": {"z", "b", "z. b", "bzw", "usw", "vgl", "ca", "nr", "s", "st", "dr", "prof", "hr",
           "fr", "bspw", "evtl", "ggf", "inkl", "u. a", "d. h", "etc", "mio", "mrd"},
    "tr": {"dr", "prof", "doç", "yrd", "vb", "vs", "örn", "bkz", "sn", "av", "no", "s"},
    "it": {"dott", "sig", "sigg", "prof", "ecc", "pag", "n", "avv", "ing", "dr", "es"},
}
MONTHS = {
    "januar", "jänner", "februar", "märz", "april", "mai", "juni", "juli", "august",
    "september", "oktober", "november", "dezember", "ocak", "şubat", "mart", "nisan",
    "mayıs", "haziran", "temmuz", "ağustos", "eylül", "ekim", "kasım", "aralık",
}
_ORDINAL_END = re.compile(r"(?:^|\s)\d{1,4}\.$")
_LABEL = re.compile(r"^[AQSFR]\d{1,2}[.:]$")  # A2. / Q3: answer and question labels
_LAST_WORD = re.compile(r"(\S+(?: \S\.)?)\.$")


def _glues_to_next(piece: str, following: str, lang: str) -> bool:
    piece = piece.strip()
    if not piece or not following.strip():
        return False
    if _LABEL.match(piece):
        return True
    first = following.lstrip()[:1]
    next_word = following.split()[0].strip(",.;:").lower()
    if _ORDINAL_END.search(piece) and (first.islower() or first.isdigit() or next_word in MONTHS):
        return True
    match = _LAST_WORD.search(piece)
    if match:
        word = match.group(1).lower()
        known = ABBREVIATIONS.get(lang, set())
        if word in known or word.split()[-1] in known and len(word.split()[-1]) > 1:
            return True
    return False


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of ``text``, stripped, in order; joined with spaces they give the text back
    (line breaks always end a sentence)."""
    sentences: list[str] = []
    for line in text.splitlines():
        pieces = [p for p in sentencex.segment(lang or "en", line) if p.strip()]
        merged: list[str] = []
        for piece in pieces:
            if merged and _glues_to_next(merged[-1], piece, lang):
                merged[-1] += piece
            else:
                merged.append(piece)
        sentences += [s.strip() for s in merged if s.strip()]
    return sentences


def sentence_units(article: Article) -> list[tuple[int, str]]:
    """``(unit index, sentence)`` for every sentence of the article's aligned units."""
    return [(unit.index, sentence) for unit in article.aligned_units
            for sentence in split_sentences(unit.text, unit.lang or article.lang)]


def article_sentences(article: Article) -> list[str]:
    """The sentences of the article's aligned units, in reading order."""
    return [sentence for _, sentence in sentence_units(article)]
