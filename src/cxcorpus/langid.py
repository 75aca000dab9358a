"""Language of an article and of each unit, with langdetect made deterministic.

langdetect draws random samples; fixing its seed makes the same text give the same answer
on every run. A unit too short to tell inherits the article's language.
"""

from __future__ import annotations

import re
from functools import cache

from .model import Article

MIN_LETTERS = 40  # below this a unit is too short to tell; it inherits the article's language
SEED = 0
MAX_CHARS = 10_000  # langdetect reads no more than this; don't scan the rest

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#$][\w]+|\d+")


@cache
def _factory():
    from langdetect import DetectorFactory
    from langdetect.detector_factory import init_factory

    DetectorFactory.seed = SEED
    init_factory()
    from langdetect import detector_factory

    return detector_factory._factory


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` (``zh`` for either Chinese script), None if it cannot tell."""
    cleaned = _NOISE.sub(" ", text[:MAX_CHARS])
    if sum(c.isalpha() for c in cleaned) < 3:
        return None
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.append(cleaned)
    try:
        return detector.detect().split("-")[0]
    except LangDetectException:
        return None


def language_probability(text: str, trials: int | None = None) -> tuple[str | None, float]:
    """The most probable language of ``text`` and its probability ((None, 0.0) if unknown);
    ``trials`` langdetect trials (its default, 7, when None; 1 is a quick look)."""
    cleaned = _NOISE.sub(" ", text[:MAX_CHARS])
    if sum(c.isalpha() for c in cleaned) < 3:
        return None, 0.0
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    if trials is not None:
        detector.n_trial = trials
    detector.append(cleaned)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return None, 0.0
    return best.lang.split("-")[0], float(best.prob)


SCREEN_PROBABILITY = 0.99
# The article's language is its units' when units holding this share of its letters are,
# near-certainly, in one language; otherwise all its text is detected at once.
VOTE_SHARE = 0.8


def _vote(quick: dict[int, tuple[str | None, float]], letters: list[int]) -> str | None:
    """The language that units with this share of the letters are near-certainly in."""
    total = sum(letters[i] for i in quick)
    by_lang: dict[str, int] = {}
    for i, (lang, prob) in quick.items():
        if lang is not None and prob >= SCREEN_PROBABILITY:
            by_lang[lang] = by_lang.get(lang, 0) + letters[i]
    if not by_lang or total == 0:
        return None
    lang, count = max(sorted(by_lang.items()), key=lambda item: item[1])
    return lang if count >= VOTE_SHARE * total else None


def assign_languages(article: Article) -> None:
    """Set ``article.lang`` from all its text and ``unit.lang`` for every unit.

    Every unit with at least :data:`MIN_LETTERS` letters gets one quick langdetect trial.
    Where the units holding most letters (:data:`VOTE_SHARE`) are near-certainly in one
    language, that is the article's; otherwise all its text is detected at once. A unit
    whose quick trial does not already read it, near-certainly, as the article's language
    is detected on its own; shorter units inherit the article's language. (The trial per
    unit is needed anyway; the vote saves detecting all the text a second time.)
    """
    texts = [u.data.get("tweet_text", u.text) for u in article.units]
    letters = [sum(c.isalpha() for c in _NOISE.sub(" ", t[:MAX_CHARS])) for t in texts]
    told = [i for i, u in enumerate(article.units) if u.kind != "metadata"]
    quick = {i: language_probability(t, trials=1) for i, t in enumerate(texts)
             if letters[i] >= MIN_LETTERS}
    article.lang = (_vote({i: quick[i] for i in told if i in quick}, letters)
                    or detect_language("\n".join(texts[i] for i in told)[:MAX_CHARS])
                    or "und")
    for i, unit in enumerate(article.units):
        # The article's only text, a unit too short to tell, or one the quick trial
        # already reads as the article's language: the article's language.
        inherits = (len(told) == 1 or i not in quick
                    or (quick[i][0] == article.lang and quick[i][1] >= SCREEN_PROBABILITY))
        unit.lang = article.lang if inherits else (detect_language(texts[i]) or article.lang)
