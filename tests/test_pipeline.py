"""``process_group``: pure (no file written), deterministic, every text embedded once."""

from __future__ import annotations

from collections import Counter

from cxcorpus.corpus import load_corpus
from cxcorpus.pipeline import process_group

from .conftest import BagOfWords


class Recorder(BagOfWords):
    """The stand-in encoder, counting its calls and every text it is given."""

    def __init__(self):
        self.calls, self.texts, self.first = 0, Counter(), None

    def encode(self, texts):
        self.calls += 1
        self.first = self.first or len(texts)
        self.texts.update(texts)
        return super().encode(texts)


def test_every_text_of_a_group_is_embedded_once(corpus_dir):
    corpus = load_corpus(corpus_dir)
    recorder = Recorder()
    result = process_group("cx-tweetchat", corpus.group_articles("cx-tweetchat"), recorder)
    assert result["entry"]["aligned"] and len(result["entry"]["pairs"]) == 3
    assert max(recorder.texts.values()) == 1, recorder.texts.most_common(3)
    units = {u.text for a in corpus.group_articles("cx-tweetchat") for u in a.aligned_units}
    assert units <= set(recorder.texts)
    # the units and sentences go in one batch; only merged runs come later, a few at a time
    assert recorder.first >= 0.75 * sum(recorder.texts.values()), recorder.first
    assert recorder.calls <= 12, recorder.calls


def test_process_group_is_pure_and_deterministic(corpus_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    articles = load_corpus(corpus_dir).group_articles("cx-tweetchat")
    first = process_group("cx-tweetchat", articles, BagOfWords())
    second = process_group("cx-tweetchat", articles, BagOfWords())
    assert first == second
    assert list(tmp_path.iterdir()) == []
    assert set(first["files"]) == {
        "report/cx-tweetchat.html",
        *(f"alignments/cx-tweetchat.{a}__cx-tweetchat.{b}.{ext}"
          for a, b in (("tr", "de"), ("tr", "it"), ("de", "it")) for ext in ("jsonl", "tmx"))}
