"""Output names: distinct for distinct names, and always a name a file system takes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cxcorpus.outdir import MAX_STEM, file_stem

NAMES = st.text(st.characters(codec="utf-8", exclude_characters="\x00") | st.sampled_from(
    ["\udce9", " ", "_", "/", ".", "~", "A", "a"]), max_size=320)


@given(NAMES, NAMES)
def test_distinct_names_give_distinct_stems(a, b):
    if a != b:
        assert file_stem(a) != file_stem(b)
        assert file_stem(a, forbid="__") != file_stem(b, forbid="__")


@given(NAMES)
def test_a_stem_is_a_file_name(name):
    stem = file_stem(name, reserved=("index",))
    assert stem and "/" not in stem and "\x00" not in stem and not stem.startswith(".")
    assert len(stem.encode("utf-8")) <= MAX_STEM and stem != "index"
    assert stem == stem.lower()


def test_plain_names_are_kept_and_the_others_hashed():
    assert file_stem("cx-tweetchat") == "cx-tweetchat"
    assert file_stem("a_b") == "a_b"
    assert file_stem("a b").startswith("a_b~") and file_stem("index", ("index",)) != "index"
    assert file_stem("a__b", forbid="__") != "a__b"
