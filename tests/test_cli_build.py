"""``cxcorpus build`` through the real CLI: outputs, the summary table, refusals."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cxcorpus import build as build_module
from cxcorpus.cli import main


def test_build_writes_outputs_and_prints_a_summary(corpus_dir, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "embedding-cache"
    out = tmp_path_factory.mktemp("cli") / "out"
    result = CliRunner().invoke(main, ["build", str(corpus_dir), "-o", str(out),
                                       "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    lines = result.output.splitlines()
    assert lines[0].split()[:2] == ["group", "versions"]
    for group in summary["groups"]:
        line = next(x for x in lines if x.startswith(group["name"] + " "))
        assert line.split()[1] == ",".join(group["langs"])
    assert f"{summary['counts']['tweets']} tweets" in result.output
    assert "report/cx-tweetchat.html" in result.output
    assert (out / "report" / "cx-tweetchat.html").is_file()


def test_build_refuses_while_another_build_writes(corpus_dir, tmp_path):
    out = tmp_path / "out"
    with build_module.lock(out):
        result = CliRunner().invoke(main, ["build", str(corpus_dir), "-o", str(out),
                                           "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 2
    assert f"error: {out}: another build is writing here" in result.output
    assert not out.exists()


def test_build_missing_corpus_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'nope'}: no such file or folder" in result.output


def test_help_has_an_example():
    for command in ("build", "gaps"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output


def test_two_builds_at_once_second_is_refused(corpus_dir, tmp_path, tmp_path_factory):
    """A real second process: while it holds the lock, a build on the same OUT exits 2."""
    import fcntl
    import os
    import subprocess
    import sys
    import time

    cache = tmp_path_factory.getbasetemp() / "embedding-cache"
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "cxcorpus.cli", "build", str(corpus_dir),
                              "-o", str(out), "--cache", str(cache)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = tmp_path / ".out.lock"
    held = False
    while first.poll() is None and not held:
        if lock.exists():
            fd = os.open(lock, os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
            except BlockingIOError:
                held = True
            finally:
                os.close(fd)
        time.sleep(0.005)
    assert held, "the first build finished before its lock was seen"
    second = CliRunner().invoke(main, ["build", str(corpus_dir), "-o", str(out),
                                       "--cache", str(cache)])
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    assert second.exit_code == 2
    assert f"error: {out}: another build is writing here" in second.output
    assert (out / "summary.json").is_file()  # the first build's output, whole


def test_a_killed_build_leaves_the_previous_output(corpus_dir, tmp_path, tmp_path_factory):
    """SIGKILL a build while it writes: OUT is still the previous build, whole; the next
    build cleans up what the killed one left and succeeds."""
    import os
    import signal
    import subprocess
    import sys
    import time

    cache = tmp_path_factory.getbasetemp() / "embedding-cache"
    out = tmp_path / "out"
    args = ["build", str(corpus_dir), "-o", str(out), "--cache", str(cache)]
    assert CliRunner().invoke(main, args).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    victim = subprocess.Popen([sys.executable, "-m", "cxcorpus.cli", *args],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while victim.poll() is None and not list(tmp_path.glob(".out.*.tmp")):
        time.sleep(0.002)
    os.kill(victim.pid, signal.SIGKILL)
    assert victim.wait() == -signal.SIGKILL, "the build finished before it could be killed"
    assert list(tmp_path.glob(".out.*.tmp"))  # it was caught mid-write
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert CliRunner().invoke(main, args).exit_code == 0
    assert not list(tmp_path.glob(".out.*.tmp"))
