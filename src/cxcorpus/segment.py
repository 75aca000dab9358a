"""Sentences inside a unit, for sentence-level alignment and gaps.

``sentencex`` does the splitting; small rules repair what it gets wrong in our texts:
ordinals (``20. yüzyıl``, ``25. Oktober``: a number and a dot before a lower-case word
or a month), abbreviations (``z. B.``, ``Dr.``, ``vb.``),
and tweet-chat answer labels (``A2.``) that belong to the sentence after them. A run of bare
hashtags, mentions or links (``#cxtweetchat``) and a tweet's attribution line (``— Name (@handle)
date``) are no sentences of their own: they join the sentence before them.

Every check looks at a bounded end of the text, so splitting is linear in its length.
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
_LAST_WORD = re.compile(r"(\S+(?: \S\.)?)\.")  # fullmatch on the last two words only
_TAG_ONLY = re.compile(r"(?:[#@]\w+|https?://\S+)(?:\s+(?:[#@]\w+|https?://\S+))*[.!]?")
_ATTRIBUTION = re.compile(r"[—–-]\s*[^\n()]{1,120}\(@\w{1,30}\)[^\n()]{0,60}")
# Tail length that the glue checks need: a label is at most 4 characters.
_LABEL_MAX = 4


def _tail(text: str, words: int) -> str:
    """The last ``words`` whitespace-separated words of ``text`` with the whitespace before them
    (or from the start): what the end-anchored checks need, found without scanning it all."""
    i = len(text)
    for _ in range(words):
        while i > 0 and text[i - 1].isspace():
            i -= 1
        while i > 0 and not text[i - 1].isspace():
            i -= 1
    return text[max(i - 1, 0):]


def _last_word(piece: str) -> str | None:
    """The word a stripped piece ends with, before its final dot (``z. B.`` -> ``B``, or
    ``X y.`` forms kept whole), as the end-anchored ``_LAST_WORD`` would find it."""
    tail = _tail(piece, 2).lstrip()
    match = _LAST_WORD.fullmatch(tail)
    if match is None:
        last = tail.split()[-1] if tail.split() else ""
        match = _LAST_WORD.fullmatch(last) if " " not in last else None
    return match.group(1) if match else None


def is_bare_tags(sentence: str) -> bool:
    """True for a sentence made only of hashtags, mentions or links (``#cxtweetchat``)."""
    return _TAG_ONLY.fullmatch(sentence.strip()) is not None


def is_attribution(line: str) -> bool:
    """True for a tweet's attribution line: ``— Name (@handle) date``."""
    return _ATTRIBUTION.fullmatch(line.strip()) is not None


def _glues_to_next(piece: str, following: str, lang: str) -> bool:
    """``piece`` is the end of the sentence so far (see ``_tail``), ``following`` the next piece."""
    piece = piece.strip()
    if not piece or not following.strip():
        return False
    if len(piece) <= _LABEL_MAX and _LABEL.match(piece):
        return True
    first = following.lstrip()[:1]
    next_word = following.split()[0].strip(",.;:").lower()
    if _ORDINAL_END.search(piece) and (first.islower() or first.isdigit() or next_word in MONTHS):
        return True
    word = _last_word(piece)
    if word:
        word = word.lower()
        known = ABBREVIATIONS.get(lang, set())
        if word in known or word.split()[-1] in known and len(word.split()[-1]) > 1:
            return True
    return False


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of ``text``, stripped, in order; joined with spaces they give the text back
    (line breaks always end a sentence)."""
    sentences: list[str] = []
    for line in text.splitlines():
        if sentences and is_attribution(line):
            sentences[-1] += "\n" + line.strip()
            continue
        pieces = [p for p in sentencex.segment(lang or "en", line) if p.strip()]
        # Each sentence as its pieces plus a bounded tail: joining as we go is quadratic.
        merged: list[list[str]] = []
        tails: list[str] = []
        for piece in pieces:
            if merged and (_glues_to_next(tails[-1], piece, lang) or is_bare_tags(piece)):
                merged[-1].append(piece)
                tails[-1] = _tail(tails[-1] + piece, 3)
            else:
                merged.append([piece])
                tails.append(_tail(piece, 3))
        for parts in merged:
            sentence = "".join(parts).strip()
            if not sentence:
                continue
            if sentences and is_bare_tags(sentence) and len(merged) == 1:
                sentences[-1] += "\n" + sentence  # a line of bare hashtags ends the one before
            else:
                sentences.append(sentence)
    return sentences


def sentence_units(article: Article) -> list[tuple[int, str]]:
    """``(unit index, sentence)`` for every sentence of the article's aligned units."""
    return [(unit.index, sentence) for unit in article.aligned_units
            for sentence in split_sentences(unit.text, unit.lang or article.lang)]


def article_sentences(article: Article) -> list[str]:
    """The sentences of the article's aligned units, in reading order."""
    return [sentence for _, sentence in sentence_units(article)]
