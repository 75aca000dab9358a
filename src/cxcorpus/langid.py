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


def language_probability(text: str) -> tuple[str | None, float]:
    """The most probable language of ``text`` and its probability ((None, 0.0) if unknown)."""
    cleaned = _NOISE.sub(" ", text[:MAX_CHARS])
    if sum(c.isalpha() for c in cleaned) < 3:
        return None, 0.0
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.append(cleaned)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return None, 0.0
    return best.lang.split("-")[0], float(best.prob)


def _screen(text: str, lang: str) -> bool:
    """True when one quick langdetect trial already says ``text`` is in ``lang`` with high
    probability: the full seven-trial detection would only confirm it."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _factory().create()
    detector.n_trial = 1
    detector.append(_NOISE.sub(" ", text[:MAX_CHARS]))
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return False
    return best.lang.split("-")[0] == lang and best.prob >= SCREEN_PROBABILITY


SCREEN_PROBABILITY = 0.99


def assign_languages(article: Article) -> None:
    """Set ``article.lang`` from all its text and ``unit.lang`` for every unit.

    The article is detected once on its text. A unit is detected on its own only where its
    language can differ from the article's: it has at least :data:`MIN_LETTERS` letters and
    one quick trial does not already read it, near-certainly, as the article's language.
    """
    texts = [u.data.get("tweet_text", u.text) for u in article.units if u.kind != "metadata"]
    article.lang = detect_language("\n".join(texts)[:MAX_CHARS]) or "und"
    for unit in article.units:
        text = unit.data.get("tweet_text", unit.text)
        if len(texts) == 1:  # the article's only text: its language is the article's
            unit.lang = article.lang
            continue
        letters = sum(c.isalpha() for c in _NOISE.sub(" ", text[:MAX_CHARS]))
        detected = None
        if letters >= MIN_LETTERS and not _screen(text, article.lang):
            detected = detect_language(text)
        unit.lang = detected or article.lang
