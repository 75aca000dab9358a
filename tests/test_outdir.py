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


def test_recover_removes_what_a_build_killed_at_its_start_left(tmp_path):
    """A build killed between creating its temporary folder and finishing the marker leaves
    an empty folder or a partial marker: the next build removes those, and nothing else."""
    from cxcorpus.outdir import MARKER, MARKER_MAGIC, recover

    out = tmp_path / "out"
    (tmp_path / ".out.empty.tmp").mkdir()
    (tmp_path / ".out.partial.tmp").mkdir()
    (tmp_path / ".out.partial.tmp" / MARKER).write_text(MARKER_MAGIC[:7], encoding="utf-8")
    (tmp_path / ".out.other.tmp").mkdir()
    (tmp_path / ".out.other.tmp" / MARKER).write_text("not ours", encoding="utf-8")
    (tmp_path / ".out.more.tmp").mkdir()
    (tmp_path / ".out.more.tmp" / MARKER).write_text("", encoding="utf-8")
    (tmp_path / ".out.more.tmp" / "notes.txt").write_text("keep", encoding="utf-8")
    recover(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.more.tmp", ".out.other.tmp"]
    assert (tmp_path / ".out.more.tmp" / "notes.txt").read_text(encoding="utf-8") == "keep"
