"""Language identification: right on the seeds, the same answer on every run."""

from __future__ import annotations

import json
import subprocess
import sys

from cxcorpus.langid import detect_language
from cxcorpus.read import parse_article

# Short, ambiguous snippets from the seeds: where unseeded langdetect flips between runs.
SNIPPETS = ["Wieso den?", "Niye ya?", "Come mai?", "Eski yeni", "Periodo.", "Dönem.",
            "Perspektif", "CX Blog", "A2.", "Nun, Sie beginnen bei sich selbst."]


def _detect_in_new_process() -> list:
    code = ("import json,sys; from cxcorpus.langid import detect_language; "
            f"print(json.dumps([detect_language(s) for s in {SNIPPETS!r}]))")
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                     text=True, check=True).stdout)


def test_same_answer_in_every_process():
    here = [detect_language(s) for s in SNIPPETS]
    assert here == [detect_language(s) for s in SNIPPETS]
    assert _detect_in_new_process() == here
    assert _detect_in_new_process() == here


def test_seed_languages(seed_articles):
    assert {a.lang for a in seed_articles.values()} == {"tr", "de", "it"}
    german = seed_articles["cx-tweetchat.de"]
    assert all(u.lang == "de" for u in german.units)


def test_short_units_inherit_the_article_language():
    article = parse_article(
        "Un titolo\nCome mai?\nQuesta è una frase italiana abbastanza lunga per essere "
        "riconosciuta con sicurezza dal rilevatore di lingua.\n",
        article_id="x.it",
    )
    assert article.lang == "it"
    assert [u.lang for u in article.units] == ["it", "it", "it"]


def test_nothing_to_tell():
    assert detect_language("12345 !!! https://t.co/x @a #b") is None


def test_screened_units_get_what_full_detection_gives(seed_articles):
    """A unit is detected on its own only where a quick trial does not already say it is
    in the article's language: the languages are those of detecting every unit fully."""
    from cxcorpus.langid import _NOISE, MIN_LETTERS

    for article in seed_articles.values():
        for unit in article.units:
            text = unit.data.get("tweet_text", unit.text)
            if sum(c.isalpha() for c in _NOISE.sub(" ", text)) >= MIN_LETTERS:
                assert unit.lang == (detect_language(text) or article.lang), unit.text


def test_a_foreign_unit_in_an_article_keeps_its_own_language():
    english = ("Customer experience is the sum of every interaction a customer has with a "
               "company, from the first visit to the last support call.")
    turkish = ("Müşteri deneyimi, bir müşterinin bir şirketle yaşadığı tüm etkileşimlerin "
               "toplamıdır ve her ayrıntı önemlidir.")
    article = parse_article("Müşteri deneyimi\n" + "\n".join([turkish] * 4 + [english]) + "\n")
    assert article.lang == "tr"
    assert article.units[-1].lang == "en"


def test_the_units_vote_gives_what_detecting_all_the_text_gives(seed_articles):
    """The article's language comes from its units' quick trials where they agree; on the
    bundled articles and the test pages that is what detecting all their text gives."""
    from pathlib import Path

    from cxcorpus.langid import MAX_CHARS, _vote, language_probability
    from cxcorpus.read import read_article

    from .conftest import SHARED

    data = Path(__file__).parent / "data"
    pages = [*sorted((data / "html").glob("*.*")), *sorted((data / "tweets" / "wild").glob("*"))]
    articles = list(seed_articles.values()) + [read_article(p) for p in pages if p.is_file()]
    for lang in ("de", "fr"):  # Text+Berg: long administrative prose
        for doc in sorted((SHARED / "bench" / "textberg" / lang).iterdir()):
            articles.append(parse_article(doc.read_text(encoding="utf-8"), article_id=doc.name))
    assert len(articles) >= 30
    voted = 0
    for article in articles:
        texts = [u.data.get("tweet_text", u.text) for u in article.units
                 if u.kind != "metadata"]
        whole = detect_language("\n".join(texts)[:MAX_CHARS]) or "und"
        assert article.lang == whole, article.id
        letters = [sum(c.isalpha() for c in t) for t in texts]
        voted += _vote({i: language_probability(t, trials=1) for i, t in enumerate(texts)
                        if letters[i] >= 40},
                       letters) is not None
    assert voted >= len(seed_articles)


def test_no_clear_majority_detects_all_the_text():
    """Half Turkish, half English by letters: no vote; all the text decides."""
    english = ("Customer experience is the sum of every interaction a customer has with a "
               "company, from the first visit to the last support call.")
    turkish = ("Müşteri deneyimi, bir müşterinin bir şirketle yaşadığı tüm etkileşimlerin "
               "toplamıdır ve her ayrıntı önemlidir.")
    article = parse_article("\n".join([turkish, english] * 3) + "\n")
    joined = "\n".join(u.text for u in article.units)
    assert article.lang == detect_language(joined)
    assert {u.lang for u in article.units} == {"tr", "en"}
