"""Strict and lax scores against hand-computed examples (Vecalign's definitions)."""

import json

import pytest

from cxcorpus.errors import InputError
from cxcorpus.evaluate import parse_beads, read_gold, score_alignments

GOLD = [((0,), (0,)), ((1,), (1, 2)), ((2,), ()), ((3,), (3,))]
TEST = [((0,), (0,)), ((1,), (1,)), ((), (2,)), ((2,), ()), ((3,), (3,))]


def test_scores_by_hand():
    # Precision over the 5 test beads: exact 0-0, 2-(), 3-3 -> strict 3/5; lax adds 1-1
    # (unit 1 is linked to 2 in the gold) -> 4/5; ()-2 has no source, never lax.
    # Recall over the 3 gold links: 0-0 and 3-3 exact -> 2/3; 1-(1,2) overlaps -> lax 3/3.
    scores = score_alignments([GOLD], [TEST])
    assert scores.precision_strict == pytest.approx(3 / 5)
    assert scores.precision_lax == pytest.approx(4 / 5)
    assert scores.recall_strict == pytest.approx(2 / 3)
    assert scores.recall_lax == pytest.approx(1.0)
    assert scores.f1_strict == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))
    assert scores.f1_lax == pytest.approx(2 * 0.8 / 1.8)


def test_counts_are_summed_over_files():
    perfect = [((0,), (0,)), ((1,), (1,))]
    scores = score_alignments([perfect, GOLD], [perfect, TEST])
    assert scores.precision_strict == pytest.approx((2 + 3) / (2 + 5))
    assert scores.recall_strict == pytest.approx((2 + 2) / (2 + 3))
    assert scores.files == 2


def test_identical_alignment_scores_one():
    scores = score_alignments([GOLD], [GOLD])
    assert (scores.f1_strict, scores.f1_lax) == (1.0, 1.0)


def test_read_gold_with_and_without_scores(tmp_path):
    path = tmp_path / "gold"
    path.write_text("[0]:[0, 1]\n[1, 2]:[2]:0.8123\n[]:[3]\n\n", encoding="utf-8")
    assert read_gold(path) == [((0,), (0, 1)), ((1, 2), (2,)), ((), (3,))]


def test_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "gold"
    path.write_text("[0]:[0]\nnonsense\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        read_gold(path)
    with pytest.raises(InputError):
        read_gold(tmp_path / "missing")


def test_format_text_and_json_carry_signature():
    scores = score_alignments([GOLD], [TEST], signature="encoder:usem3|max_merge:4")
    text = scores.format()
    assert "0.600" in text and "signature  encoder:usem3|max_merge:4" in text
    data = json.loads(scores.format("json"))
    assert data["precision_strict"] == pytest.approx(0.6) and data["signature"] == "encoder:usem3|max_merge:4"


def test_parse_beads_ignores_blank_lines():
    assert parse_beads(["", "[0]:[]", "  "]) == [((0,), ())]


@pytest.mark.parametrize("line", ['["a"]:[0]', "[-1]:[0]", "[0.5]:[1]", "5:[1]", "[true]:[1]",
                                  "[" * 3000 + "]" * 3000 + ":[0]"])
def test_ids_must_be_unit_numbers(line):
    with pytest.raises(InputError, match="line 1: not"):
        parse_beads([line], "gold")


def test_a_fifo_or_binary_gold_file_is_an_error_not_a_hang(tmp_path):
    import os

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="FIFO"):
        read_gold(pipe)
    binary = tmp_path / "bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InputError, match="binary file"):
        read_gold(binary)
