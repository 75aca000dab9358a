"""Sentences inside units, on real sentences from the bundled articles."""

import re
from pathlib import Path

from cxcorpus.segment import article_sentences, split_sentences

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
        "Tanrım, evet. #CXTweetchat https://t.co/5etj3ZvTtB",
    ]


def test_italian_abbreviation():
    assert split_sentences("Il Dott. Rossi è arrivato. Vedi pag. 5 per i dettagli.", "it") == [
        "Il Dott. Rossi è arrivato.", "Vedi pag. 5 per i dettagli."]


def test_line_break_ends_a_sentence():
    unit = "Şeffaflık güven oluşturur.\nBugün konuşuyoruz."
    assert split_sentences(unit, "tr") == ["Şeffaflık güven oluşturur.", "Bugün konuşuyoruz."]


def test_attribution_line_and_bare_hashtag_join_the_sentence_before():
    unit = ("Çalışanları da korumamız gerekiyor. Müşteri her zaman haklı değildir. #cxtweetchat\n"
            "— Shalini Mitha (@shalinimitha) 27 Eylül 2019")
    assert split_sentences(unit, "tr") == [
        "Çalışanları da korumamız gerekiyor.",
        ("Müşteri her zaman haklı değildir. #cxtweetchat\n"
         "— Shalini Mitha (@shalinimitha) 27 Eylül 2019"),
    ]
    assert split_sentences("Grazie a tutti!\n#cxtweetchat #CX", "it") == [
        "Grazie a tutti!\n#cxtweetchat #CX"]


def test_no_seed_sentence_is_a_bare_hashtag_or_an_attribution():
    from cxcorpus.read import read_article
    from cxcorpus.segment import is_attribution, is_bare_tags

    for name in ("cx-tweetchat.tr.txt", "cx-tweetchat.de.txt", "cx-tweetchat.it.txt"):
        sentences = article_sentences(read_article(CORPUS / name))
        assert not [s for s in sentences if is_bare_tags(s) or is_attribution(s)]
        assert any("#cxtweetchat" in s.lower() for s in sentences)


def test_long_token_and_long_numbering_split_correctly():
    # Both were quadratic (a 20 000-character token took ~20 s, 10 000 numbers 13 s); the
    # sizes here would take minutes if they still were.
    token = "a" * 200_000 + "."
    assert split_sentences(token + " Dr. Rossi kam.", "de") == [token, "Dr. Rossi kam."]
    assert split_sentences("Sieh " + token[:-1] + " z. B. Honor.", "de") == [
        "Sieh " + token[:-1] + " z. B. Honor."]
    numbers = " ".join(f"{k}." for k in range(1, 20_001))
    assert split_sentences(numbers + " ende.", "de") == [numbers + " ende."]
    assert split_sentences(numbers + " Ende.", "de") == [numbers, "Ende."]
