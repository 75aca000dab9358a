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


def assign_languages(article: Article) -> None:
    """Set ``article.lang`` from all its text and ``unit.lang`` for every unit."""
    texts = [u.data.get("tweet_text", u.text) for u in article.units if u.kind != "metadata"]
    article.lang = detect_language("\n".join(texts)[:MAX_CHARS]) or "und"
    for unit in article.units:
        text = unit.data.get("tweet_text", unit.text)
        letters = sum(c.isalpha() for c in _NOISE.sub(" ", text[:MAX_CHARS]))
        detected = detect_language(text) if letters >= MIN_LETTERS else None
        unit.lang = detected or article.lang
