"""The output side of the bad-input matrix: one row per hostile OUT, through the real CLI.

A refused row: exit 2, ONE stderr line ``error: <path>: <problem>``, and nothing written or
removed anywhere (every planted file byte-identical, the folder around OUT unchanged). A
built row: exit 0, names made unique and writable, nothing left beside OUT but OUT.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxcorpus.cli import main

from .conftest import CORPUS


def _snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under ``root`` (links not followed): its type and, for files, bytes."""
    found = {}
    for path in [root, *root.rglob("*")]:
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode):
            found[str(path)] = ("file", path.read_bytes())
        elif stat.S_ISLNK(info.st_mode):
            found[str(path)] = ("link", os.readlink(path))
        else:
            found[str(path)] = (stat.S_IFMT(info.st_mode),)
    return found


def _cli(*args: str, cache: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["build", *args, "--cache", str(cache), "--workers", "1"])
    assert not (result.exception and not isinstance(result.exception, SystemExit)), (
        result.exception)
    return result.exit_code, result.stdout, result.stderr


def _small_corpus(tmp: Path) -> Path:
    corpus = tmp / "corpus"
    corpus.mkdir(parents=True)
    shutil.copy(CORPUS / "customer-always-right.tr.txt", corpus / "only.tr.txt")
    return corpus


def _refused(tmp: Path, out: str | Path, problem: str, *, named: str | Path | None = None,
             watch: Path | None = None, corpus: Path | None = None) -> None:
    """Run a build into ``out``; assert one error line naming ``named`` and that nothing
    under ``watch`` (default: the test's folder) changed."""
    corpus = corpus or (tmp / "corpus" if (tmp / "corpus").exists() else _small_corpus(tmp))
    watch = watch or tmp
    before = _snapshot(watch)
    code, _stdout, stderr = _cli(str(corpus), "-o", str(out), cache=tmp / "cache")
    assert code == 2, stderr
    (line,) = stderr.splitlines()
    assert re.fullmatch(rf"error: {re.escape(str(named or out))}: {problem}", line), line
    after = _snapshot(watch)
    after.pop(str(tmp / "cache"), None)  # the cache folder may be created: it is not OUT's side
    before.pop(str(tmp / "cache"), None)
    assert after == before


# --- refused: OUT is not a folder the build may replace ----------------------------------


def test_out_holding_the_corpus_and_a_summary_json(tmp_path):
    """The red team's data loss: ``build P/corpus -o P`` where P has a summary.json."""
    p = tmp_path / "P"
    corpus = _small_corpus(p)
    (p / "summary.json").write_text('{"a": 1}', encoding="utf-8")
    (p / "thesis.tex").write_text("years of work", encoding="utf-8")
    _refused(tmp_path, p, "holds the corpus, which a new build would delete; .*", corpus=corpus)


def test_out_with_a_summary_json_and_other_files(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"counts": {}}', encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    _refused(tmp_path, out, "is a folder with other files in it, not a cxcorpus build output; .*")


def test_out_with_a_forged_marker_that_is_a_link(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "real-marker").write_text("cxcorpus build output\n", encoding="utf-8")
    (out / ".cxcorpus-build").symlink_to(tmp_path / "real-marker")
    (out / "data.csv").write_text("precious", encoding="utf-8")
    _refused(tmp_path, out, "is a folder with other files in it, not a cxcorpus build output; .*")


def test_a_foreign_file_inside_a_build_output(tmp_path):
    corpus = _small_corpus(tmp_path)
    out = tmp_path / "out"
    assert _cli(str(corpus), "-o", str(out), cache=tmp_path / "cache")[0] == 0
    (out / "report" / "my-notes.md").write_text("mine", encoding="utf-8")
    _refused(tmp_path, out, "was not written by cxcorpus; .*", named=out / "report" / "my-notes.md")


def test_a_link_inside_a_build_output_pointing_outside(tmp_path):
    corpus = _small_corpus(tmp_path)
    out = tmp_path / "out"
    assert _cli(str(corpus), "-o", str(out), cache=tmp_path / "cache")[0] == 0
    (tmp_path / "elsewhere.jsonl").write_text("{}\n", encoding="utf-8")
    (out / "alignments" / "x.jsonl").symlink_to(tmp_path / "elsewhere.jsonl")
    _refused(tmp_path, out, "was not written by cxcorpus; .*", named=out / "alignments" / "x.jsonl")


def test_out_is_a_regular_file(tmp_path):
    out = tmp_path / "results.txt"
    out.write_text("keep me", encoding="utf-8")
    _refused(tmp_path, out, r"exists and is not a folder \(a file\)")


def test_out_is_a_fifo(tmp_path):
    out = tmp_path / "pipe"
    os.mkfifo(out)
    _refused(tmp_path, out, r"exists and is not a folder \(a named pipe\)")


def test_out_is_a_device_node(tmp_path):
    _refused(tmp_path, "/dev/null", r"exists and is not a folder \(a device\)")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_out_is_a_symbolic_link_to_a_folder(tmp_path):
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "kept.txt").write_text("kept", encoding="utf-8")
    (tmp_path / "out").symlink_to(tmp_path / "target")
    _refused(tmp_path, tmp_path / "out", "is a symbolic link; give the folder it points to")


def test_out_is_a_mount_point(tmp_path):
    _small_corpus(tmp_path)
    assert os.path.ismount("/proc")
    _refused(tmp_path, "/proc", "is a mount point, which cannot be swapped atomically; .*")


def test_out_under_a_file(tmp_path):
    (tmp_path / "afile").write_text("a file", encoding="utf-8")
    _refused(tmp_path, tmp_path / "afile" / "out", "is not a folder, so it cannot hold the output",
             named=tmp_path / "afile")


def test_out_is_the_corpus_or_inside_it(tmp_path):
    corpus = _small_corpus(tmp_path)
    _refused(tmp_path, corpus, "is inside the corpus folder; .*")
    _refused(tmp_path, corpus / "out", "is inside the corpus folder; .*")


def test_out_is_the_root_folder(tmp_path):
    _refused(tmp_path, "/", "is the root folder; choose a new or empty folder", watch=tmp_path)


def test_lock_path_is_a_planted_link(tmp_path):
    """A link at .OUT.lock is refused: its target is never opened, truncated or removed."""
    victim = tmp_path / "victim.txt"
    victim.write_text("must survive", encoding="utf-8")
    (tmp_path / ".out.lock").symlink_to(victim)
    _refused(tmp_path, tmp_path / "out", "is a symbolic link; remove it",
             named=tmp_path / ".out.lock")


def test_lock_path_is_a_fifo(tmp_path):
    os.mkfifo(tmp_path / ".out.lock")
    _refused(tmp_path, tmp_path / "out", "is not a regular file; remove it",
             named=tmp_path / ".out.lock")


def test_read_only_output_parent(tmp_path):
    """A parent the user cannot write: refused before any work. Root writes anywhere, so
    the build runs without root's permission override (setpriv) when the tests run as root."""
    corpus = _small_corpus(tmp_path)
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    drop = []
    if os.geteuid() == 0:
        caps = "-dac_override,-dac_read_search"
        drop = [shutil.which("setpriv"), f"--bounding-set={caps}", f"--inh-caps={caps}", "--"]
        assert drop[0], "setpriv (util-linux) is needed to test as root"
    env = {**os.environ, "CXCORPUS_CACHE": str(tmp_path / "cache")}
    try:
        proc = subprocess.run(
            [*drop, sys.executable, "-m", "cxcorpus.cli", "build", str(corpus), "-o",
             str(parent / "out"), "--workers", "1"],
            check=False, capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.splitlines() == [
            f"error: {parent}: is not writable: the output and its temporary folder go there"]
        assert list(parent.iterdir()) == []
    finally:
        parent.chmod(0o755)


def test_a_user_folder_named_like_the_swap_folder_is_refused(tmp_path):
    """``.out.old`` that a build did not write is neither used nor removed."""
    (tmp_path / ".out.old").mkdir()
    (tmp_path / ".out.old" / "data.txt").write_text("mine", encoding="utf-8")
    _refused(tmp_path, tmp_path / "out", "is in the way of the output's swap and was not "
             "written by cxcorpus; move it away", named=tmp_path / ".out.old")


def test_a_user_folder_named_like_a_temporary_folder_is_kept(tmp_path):
    corpus = _small_corpus(tmp_path)
    (tmp_path / ".out.mine.tmp").mkdir()
    (tmp_path / ".out.mine.tmp" / "data.txt").write_text("mine", encoding="utf-8")
    code, _out, stderr = _cli(str(corpus), "-o", str(tmp_path / "out"), cache=tmp_path / "cache")
    assert code == 0, stderr
    assert (tmp_path / ".out.mine.tmp" / "data.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.mine.tmp", "cache", "corpus",
                                                           "out"]


def test_missing_parents_of_out_are_created(tmp_path):
    corpus = _small_corpus(tmp_path)
    out = tmp_path / "new" / "deep" / "out"
    code, _out, stderr = _cli(str(corpus), "-o", str(out), cache=tmp_path / "cache")
    assert code == 0, stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]
    assert (out / "summary.json").is_file()


def test_bad_worker_count_is_a_usage_error(tmp_path):
    corpus = _small_corpus(tmp_path)
    result = CliRunner().invoke(main, ["build", str(corpus), "-o", str(tmp_path / "out"),
                                       "--workers", "0"])
    assert result.exit_code == 2 and "--workers" in result.stderr
    assert not (tmp_path / "out").exists()


# --- built: names made unique and writable, no debris ------------------------------------


GROUPS = {  # group -> versions (files copied from the bundled corpus)
    "index": ("cx-tweetchat.tr.txt", "cx-tweetchat.it.txt"),
    "a b": ("cx-tweetchat.tr.txt", "cx-tweetchat.de.txt"),
    "a_b": ("cx-tweetchat.de.txt", "cx-tweetchat.it.txt"),
    "Ü" * 300: ("cx-tweetchat.it.txt", "cx-tweetchat.de.txt"),
}


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """One build of a corpus whose group names collide once made file names."""
    tmp = tmp_path_factory.mktemp("names")
    corpus = tmp / "corpus"
    corpus.mkdir()
    entries = []
    for n, (group, files) in enumerate(GROUPS.items()):
        for file in files:
            lang = file.split(".")[-2]
            name = f"g{n}-{'x' * 200 if len(group) > 100 else ''}.{lang}.txt"
            shutil.copy(CORPUS / file, corpus / name)
            entries.append(f'[[article]]\nfile = "{name}"\nlang = "{lang}"\n'
                           f'group = {json.dumps(group, ensure_ascii=False)}\n')
    (corpus / "manifest.toml").write_text("\n".join(entries), encoding="utf-8")
    cache = tmp_path_factory.getbasetemp() / "embedding-cache"
    code, stdout, stderr = _cli(str(corpus), "-o", str(tmp / "out"), cache=cache)
    return code, stdout, stderr, tmp / "out"


def test_colliding_group_names_get_distinct_files(named):
    code, _stdout, stderr, out = named
    assert code == 0, stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    reports = [g["report"] for g in summary["groups"]]
    assert len(set(reports)) == len(GROUPS) and "report/index.html" not in reports
    for report in reports:
        assert (out / report).is_file()
    assert reports[:3] != ["report/index.html", "report/a_b.html", "report/a_b.html"]
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    for report in reports:
        assert f'href="{report[len("report/"):]}"' in index
    assert len({p["alignment"] for g in summary["groups"] for p in g["pairs"]}) == len(GROUPS)


def test_a_300_character_group_name_is_cut_and_hashed(named):
    code, _stdout, stderr, out = named
    assert code == 0, stderr
    long = [p for p in (out / "report").iterdir() if p.name.startswith("ü")]
    (report,) = long
    assert len(report.name.encode()) <= 120 and re.search(r"~[0-9a-f]{12}\.html$", report.name)


def test_no_debris_beside_the_output(named):
    code, _stdout, _stderr, out = named
    assert code == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["corpus", "out"]


def test_non_utf8_file_names_are_refused_before_any_work(tmp_path, tmp_path_factory):
    """A file name with a byte that is not UTF-8: one line naming it, at once (not after all
    the work), nothing written, the file itself untouched."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = os.fsencode(corpus) + b"/caf\xe9.tr.txt"
    with open(raw, "wb") as handle:
        handle.write((CORPUS / "customer-always-right.tr.txt").read_bytes())
    out = tmp_path / "out"
    cache = tmp_path_factory.getbasetemp() / "embedding-cache"
    code, _stdout, stderr = _cli(str(corpus), "-o", str(out), cache=cache)
    assert code == 2
    assert stderr.strip().splitlines() == [
        f"error: {corpus}/caf\\xe9.tr.txt: file name is not valid UTF-8; rename the file"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]
    with open(raw, "rb") as handle:  # the file itself is untouched
        assert handle.read() == (CORPUS / "customer-always-right.tr.txt").read_bytes()
