"""``file_stats``: a warm build tells unchanged files by their stats, kept in SQLite, and
hashes a file only when its stats changed or cannot be trusted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cxcorpus import article_memo, file_stats
from cxcorpus.build import build
from cxcorpus.outdir import STATE, STATS


@pytest.fixture
def hashed(monkeypatch):
    """The files whose bytes a build hashes: corpus files, and the previous output's."""
    seen: list[str] = []

    def counting(real):
        def digest(path):
            seen.append(Path(path).name)
            return real(path)
        return digest

    monkeypatch.setattr(article_memo, "file_digest", counting(article_memo.file_digest))
    monkeypatch.setattr(file_stats, "sha256", counting(file_stats.sha256))
    return seen


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name not in ("summary.json", STATS)}


def test_a_warm_build_hashes_only_the_file_that_changed(corpus_dir, tmp_path, hashed):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(corpus_dir, corpus)
    build(corpus, out)
    first = _outputs(out)
    hashed.clear()
    again = build(corpus, out)
    assert hashed == [] and again["incremental"]["recomputed"] == 0
    assert _outputs(out) == first
    changed = corpus / "customer-always-right.tr.txt"  # same bytes, new times
    changed.write_bytes(changed.read_bytes())
    hashed.clear()
    third = build(corpus, out)
    assert hashed == ["customer-always-right.tr.txt"]
    assert third["incremental"]["recomputed"] == 0 and _outputs(out) == first


def test_damaged_stats_are_not_trusted_but_hashed(corpus_dir, tmp_path, hashed):
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(corpus_dir, corpus)
    build(corpus, out)
    first = _outputs(out)
    (out / STATE / STATS).write_bytes(b"SQLite format 3\x00" + os.urandom(4000))
    hashed.clear()
    again = build(corpus, out)
    assert again["incremental"]["recomputed"] == 0  # every file hashed: all unchanged
    assert len([n for n in hashed if n.endswith(".txt")]) == 5
    assert any(n.endswith(".tmx") for n in hashed) and _outputs(out) == first
    hashed.clear()
    build(corpus, out)  # and the stats written again
    assert hashed == []


def test_stats_come_back_as_recorded_whatever_the_name_or_number(tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    (tmp / STATE).mkdir(parents=True)
    names = ["caf\udce9.tr.txt", "alignments/a__b.jsonl", "ümlaut \"quoted\"\n"]
    recorder = file_stats.FileStats(out, tmp)  # no previous output: nothing known
    assert recorder.inputs.get(names[0]) is None
    with recorder.recording():
        for k, name in enumerate(names):
            recorder.note_input(name, ["0" * 64, k, 2**63 + k, 1, 2**64 - 1])
        recorder.note_input(names[0], ["f" * 64, 9, 9, 9, 9])  # recorded twice: the last
        recorder.save()
    tmp.rename(out)
    reader = file_stats.FileStats(out, tmp_path / "next")
    assert reader.inputs.get(names[0]) == ["f" * 64, 9, 9, 9, 9]
    assert [reader.inputs.get(n) for n in names[1:]] == [
        ["0" * 64, k, 2**63 + k, 1, 2**64 - 1] for k in (1, 2)]
    assert reader.inputs.get("missing.txt") is None and reader.outputs.get(names[1]) is None
