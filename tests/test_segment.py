"""Sentences inside units, on real sentences from the bundled articles."""

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cxcorpus.segment import article_sentences, sentence_units, split_sentences

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_german_abbreviation_and_date():
    text = ("In diesem Bereich wurden einige Lösungen angeboten, wie z. B. Honor, die "
            "Gesundheitsplattform für zu Hause. Freitag, 25. Oktober, treffen wir uns. Gut.")
    assert split_sentences(text, "de") == [
        ("In diesem Bereich wurden einige Lösungen angeboten, wie z. B. Honor, die "
         "Gesundheitsplattform für zu Hause."),
        "Freitag, 25. Oktober, treffen wir uns.",
        "Gut.",
    ]


def test_turkish_ordinal_label_url_and_hours():
    text = ("20. yüzyıl boyunca 7/24 destek verildi. A2. Şeffaflık tüm sektörlerde anahtardır. "
            "Tanrım, evet. #CXTweetchat https://t.co/5etj3ZvTtB")
    assert split_sentences(text, "tr") == [
        "20. yüzyıl boyunca 7/24 destek verildi.",
        "A2. Şeffaflık tüm sektörlerde anahtardır.",
        "Tanrım, evet.",
        "#CXTweetchat https://t.co/5etj3ZvTtB",
    ]


def test_italian_abbreviation():
    assert split_sentences("Il Dott. Rossi è arrivato. Vedi pag. 5 per i dettagli.", "it") == [
        "Il Dott. Rossi è arrivato.", "Vedi pag. 5 per i dettagli."]


def test_line_break_ends_a_sentence():
    unit = "Şeffaflık güven oluşturur.\n— Shalini Mitha (@shalinimitha) 27 Eylül 2019"
    assert split_sentences(unit, "tr")[-1] == "— Shalini Mitha (@shalinimitha) 27 Eylül 2019"


def test_seed_articles_give_their_text_back():
    from cxcorpus.read import read_article

    for name in ("cx-tweetchat.tr.txt", "cx-tweetchat.de.txt", "cx-tweetchat.it.txt"):
        article = read_article(CORPUS / name)
        pairs = sentence_units(article)
        assert len(pairs) > len(article.aligned_units)  # paragraphs hold several sentences
        for unit in article.aligned_units:
            mine = [s for i, s in pairs if i == unit.index]
            assert squash("".join(mine)) == squash(unit.text)
        assert article_sentences(article) == [s for _, s in pairs]


WORDS = st.sampled_from(["Dr.", "z. B.", "20.", "Oktober", "A2.", "evet", "Honor", "7/24",
                         "https://t.co/x", "ecc.", "Ciao!", "Wieso?", "yüzyıl", "—", "Sì."])


@given(st.lists(WORDS, max_size=30), st.sampled_from(["tr", "de", "it"]))
def test_sentences_give_the_text_back(words, lang):
    text = " ".join(words)
    sentences = split_sentences(text, lang)
    assert squash("".join(sentences)) == squash(text)
    assert all(s == s.strip() and s for s in sentences)
