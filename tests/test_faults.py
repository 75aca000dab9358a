"""Faults: a damaged embedding cache, a full disk, builds killed halfway or run twice at once.

Each test injects one real fault (bytes changed on disk, a file-size limit, a signal) and
checks the outcome a user relies on: the right vectors, a one-line error naming the file,
no half-written output, and a next run that completes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from cxcorpus.embed import CachedEncoder, normalise
from cxcorpus.errors import CxcorpusError

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


class CountingEncoder:
    """Deterministic 16-dimensional vectors from a hash of the text; counts what it encodes."""

    name = "counting"
    version = "1"
    languages = None

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts):
        self.encoded.extend(texts)
        rows = [np.frombuffer(hashlib.sha512(t.encode()).digest()[:64], dtype=np.int32)
                for t in texts]
        return normalise(np.array(rows, dtype=np.float32).reshape(len(texts), 16))


TEXTS = ["Müşteri her zaman haklı mı?", "Der Kunde ist König.", "Il cliente ha sempre ragione.",
         "#CXTweetChat", "Yayınlanan: 2019-10-25"]


def _entry(cache: CachedEncoder, text: str) -> Path:
    files = [p for p in cache.dir.rglob("*.vec")]
    # The entry of ``text`` is the one whose vector equals the fresh vector.
    fresh = CountingEncoder().encode([text])[0]
    for path in files:
        body = path.read_bytes()[:-4]
        if len(body) == fresh.nbytes and np.array_equal(np.frombuffer(body, np.float32), fresh):
            return path
    raise AssertionError(f"no cache entry for {text!r}")


def _valid_entry(vector: np.ndarray) -> bytes:
    body = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
    return body + zlib.crc32(body).to_bytes(4, "little")


DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2],
    "truncated-to-nothing": lambda data: b"",
    "crc-only": lambda data: data[-4:],
    "one-byte-flipped": lambda data: data[:5] + bytes([data[5] ^ 0x40]) + data[6:],
    "tail-flipped": lambda data: data[:-1] + bytes([data[-1] ^ 0x01]),
    "garbage": lambda data: b"\x00\xff" * (len(data) // 2),
    "nan-with-valid-crc": lambda data: _valid_entry(np.full(16, np.nan, np.float32)),
    "inf-with-valid-crc": lambda data: _valid_entry(np.full(16, np.inf, np.float32)),
    "wrong-size-with-valid-crc": lambda data: _valid_entry(np.ones(7, np.float32)),
    "extra-bytes-appended": lambda data: data + b"\x01\x02\x03\x04",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_cache_entry_is_recomputed(tmp_path, damage):
    inner = CountingEncoder()
    cache = CachedEncoder(inner, tmp_path)
    expected = cache.encode(TEXTS)
    assert inner.encoded == TEXTS
    victim = TEXTS[1]
    path = _entry(cache, victim)
    path.write_bytes(DAMAGE[damage](path.read_bytes()))

    inner.encoded.clear()
    again = CachedEncoder(inner, tmp_path).encode(TEXTS)
    assert inner.encoded == [victim], "only the damaged entry is recomputed"
    np.testing.assert_array_equal(again, expected)
    # ... and repaired on disk: a third run needs the encoder for nothing.
    inner.encoded.clear()
    np.testing.assert_array_equal(CachedEncoder(inner, tmp_path).encode(TEXTS), expected)
    assert inner.encoded == []


def test_two_models_never_share_cache_entries(tmp_path, monkeypatch):
    """Two sentence-transformers models in folders of the same name must not share entries.

    The cache is keyed by encoder name and version; a hit from another model is a wrong
    vector that no checksum can catch. (Constructing the encoder loads no model; a stub
    module stands in for the 8 s import of sentence-transformers.)
    """
    import types

    from cxcorpus.embed import SentenceTransformerEncoder

    monkeypatch.setitem(sys.modules, "sentence_transformers",
                        types.SimpleNamespace(__version__="3.0.0"))

    a = SentenceTransformerEncoder(tmp_path / "labse" / "model")
    b = SentenceTransformerEncoder(tmp_path / "minilm" / "model")
    assert CachedEncoder(a, tmp_path).dir != CachedEncoder(b, tmp_path).dir


def test_cache_entry_replaced_by_a_folder_or_unwritable_cache(tmp_path):
    """An entry that cannot be read or written costs time, never the run."""
    inner = CountingEncoder()
    cache = CachedEncoder(inner, tmp_path)
    expected = cache.encode(TEXTS)
    path = _entry(cache, TEXTS[0])
    path.unlink()
    path.mkdir()  # reading it raises IsADirectoryError; writing over it fails too
    inner.encoded.clear()
    np.testing.assert_array_equal(CachedEncoder(inner, tmp_path).encode(TEXTS), expected)
    assert inner.encoded == [TEXTS[0]]


# --- a full disk ----------------------------------------------------------------------

_FULL_DISK_SCRIPT = """
import resource, sys
from cxcorpus.export import write_jsonl
from cxcorpus.errors import CxcorpusError
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]),) * 2)
records = ({"i": i, "text": "Müşteri deneyimi " * 20} for i in range(20000))
try:
    write_jsonl(records, sys.argv[1])
except CxcorpusError as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(2)
"""


def test_full_disk_while_writing_gives_one_line_error_and_no_partial_file(tmp_path):
    """RLIMIT_FSIZE makes write() fail with EFBIG past 64 KiB, as ENOSPC would on a full disk."""
    out = tmp_path / "out" / "units.jsonl"
    out.parent.mkdir()
    out.write_text("previous run\n", encoding="utf-8")
    proc = subprocess.run([PYTHON, "-c", _FULL_DISK_SCRIPT, str(out), str(64 * 1024)],
                          check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: {out}: cannot write: "), lines[0]
    assert out.read_text(encoding="utf-8") == "previous run\n", "the old file is left as it was"
    assert sorted(p.name for p in out.parent.iterdir()) == ["units.jsonl"], "no temporary left"


def test_enospc_in_atomic_open_names_the_file(tmp_path, monkeypatch):
    """ENOSPC from the file's own write (monkeypatched) becomes an OutputError naming the file."""
    import errno

    from cxcorpus import export

    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, text):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def writelines(self, lines):
            for line in lines:
                self.write(line)

        def __getattr__(self, name):
            return getattr(self.handle, name)

    monkeypatch.setattr(export.os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k)))
    out = tmp_path / "tweets.jsonl"
    with pytest.raises(CxcorpusError) as info:
        export.write_jsonl([{"text": "merhaba"}], out)
    assert info.value.path == str(out)
    assert "No space left on device" in info.value.problem
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


# --- builds killed, builds at once, a full disk during a build ---------------------------
#
# Real ``cxcorpus build`` processes on the bundled corpus. The embedding cache is the one
# test_build.py fills (same path), so only the first build of a session embeds anything.

CORPUS = ROOT / "corpus"
OUTPUTS = {  # the files every build of the bundled corpus writes
    "summary.json", "tweets.jsonl", "gaps.jsonl", "gaps-nway.jsonl", "report/index.html",
    "report/cx-tweetchat.html",
    *(f"alignments/cx-tweetchat.{a}__cx-tweetchat.{b}.{ext}"
      for a, b in (("tr", "de"), ("tr", "it"), ("de", "it")) for ext in ("jsonl", "tmx")),
    ".cxcorpus-build",
    *(f"parquet/{table}/part-00000.parquet" for table in ("alignments", "gaps", "tweets")),
    *(f".cxcorpus-state/{hashlib.sha256(group.encode()).hexdigest()}{ext}"
      for group in ("cx-tweetchat", "twitter-customer-conversation", "customer-always-right")
      for ext in (".json", ".articles.json")),
}

# Runs the real CLI, after an optional patch (a fault that needs a precise moment).
_CLI = """
import os, signal, sys, time
PATCH
from cxcorpus.cli import main
sys.exit(main(sys.argv[1:], prog_name="cxcorpus"))
"""
# Kill the process between the two renames of the swap (old output moved away, new one not
# yet in place): the narrowest window of the build.
_KILL_IN_SWAP = """
import cxcorpus.build as b
_replace = os.replace
def replace(src, dst):
    _replace(src, dst)
    if str(dst).endswith(".old"):
        os.kill(os.getpid(), signal.SIGKILL)
b.os.replace = replace
"""
# A build held halfway: it waits before writing its index page until the test lets it go.
_HOLD = """
import cxcorpus.report as r
_render = r.render_index
def render_index(*a, **k):
    deadline = time.monotonic() + 60
    while not os.path.exists(os.environ["CX_RELEASE"]) and time.monotonic() < deadline:
        time.sleep(0.01)
    return _render(*a, **k)
r.render_index = render_index
"""


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """An embedding cache filled by one build, and that build's output (the 'previous run')."""
    from cxcorpus.build import build

    cache = tmp_path_factory.getbasetemp() / "embedding-cache"
    reference = tmp_path_factory.mktemp("reference") / "out"
    build(CORPUS, reference, cache_dir=cache)
    return cache, reference


def _cli(*args: str, patch: str = "", cache: Path, env: dict | None = None, **popen):
    environment = {**os.environ, "CXCORPUS_CACHE": str(cache), **(env or {})}
    return subprocess.Popen([PYTHON, "-c", _CLI.replace("PATCH", patch), *args], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _previous_output(tmp_path: Path, warm) -> tuple[Path, dict[str, bytes]]:
    out = tmp_path / "out"
    shutil.copytree(warm[1], out)
    return out, _files(out)


def _assert_complete(out: Path) -> None:
    """A whole build: every file there, every JSON file parses, nothing temporary beside it."""
    files = _files(out)
    assert set(files) == OUTPUTS
    summary = json.loads(files["summary.json"])
    assert summary["counts"]["articles"] == 5 and summary["counts"]["alignments"] == 3
    for name, data in files.items():
        if name.endswith(".jsonl"):
            [json.loads(line) for line in data.decode("utf-8").splitlines()]
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")
                 and not p.name.endswith(".lock")]
    assert leftovers == []


def _wait_for(predicate, proc, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, f"ended before the fault: {proc.communicate()}"
        assert time.monotonic() < deadline, "the fault point was never reached"
        time.sleep(0.005)


def _halfway(out: Path):
    """True once the build has written its first alignment into its temporary folder."""
    return lambda: any(out.parent.glob(f".{out.name}.*.tmp/alignments/*.jsonl"))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_build_killed_halfway_leaves_the_previous_output(tmp_path, warm, sig):
    out, before = _previous_output(tmp_path, warm)
    proc = _cli("build", str(CORPUS), "-o", str(out), cache=warm[0])
    _wait_for(_halfway(out), proc)
    proc.send_signal(sig)
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "Traceback" not in stderr
    assert _files(out) == before, "the previous output is untouched"
    if sig == signal.SIGINT:  # Ctrl-C: it cleans up after itself (a killed one cannot)
        assert not list(tmp_path.glob(".out.*.tmp"))
        assert stderr.splitlines()[-1:] == ["Aborted!"], stderr
    rerun = _cli("build", str(CORPUS), "-o", str(out), cache=warm[0])
    _stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr
    _assert_complete(out)
    assert json.loads((out / "summary.json").read_text())["cache"]["misses"] == 0


def test_build_killed_between_the_renames_is_recovered(tmp_path, warm):
    out, before = _previous_output(tmp_path, warm)
    proc = _cli("build", str(CORPUS), "-o", str(out), patch=_KILL_IN_SWAP, cache=warm[0])
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    moved = tmp_path / ".out.old"
    assert not out.exists() and _files(moved) == before, "the old output is kept aside whole"
    rerun = _cli("build", str(CORPUS), "-o", str(out), cache=warm[0])
    _stdout, stderr = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, stderr
    _assert_complete(out)
    assert not moved.exists()


def test_two_builds_at_once_on_one_output(tmp_path, warm):
    """The second build is refused in one line while the first holds the output; the first
    finishes and the output is whole."""
    out, _before = _previous_output(tmp_path, warm)
    release = tmp_path / "release"
    first = _cli("build", str(CORPUS), "-o", str(out), patch=_HOLD, cache=warm[0],
                 env={"CX_RELEASE": str(release)})
    _wait_for(_halfway(out), first)
    second = _cli("build", str(CORPUS), "-o", str(out), cache=warm[0])
    _stdout, stderr = second.communicate(timeout=60)
    assert first.poll() is None, "the second build had to meet the first one running"
    release.touch()
    assert second.returncode == 2
    assert stderr.splitlines() == [f"error: {out}: another build is writing here"]
    _stdout, stderr = first.communicate(timeout=120)
    assert first.returncode == 0, stderr
    _assert_complete(out)


def test_two_builds_started_together(tmp_path, warm):
    """Started at the same moment: whichever loses is refused, never a mixed output."""
    out, _before = _previous_output(tmp_path, warm)
    procs = [_cli("build", str(CORPUS), "-o", str(out), cache=warm[0]) for _ in range(2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for proc in procs:
        proc.stdout.close()
        proc.stderr.close()
    assert any(code == 0 for code, _ in results), results
    for code, stderr in results:
        assert code == 0 or stderr.splitlines() == [f"error: {out}: another build is writing here"]
    _assert_complete(out)


def test_full_disk_during_a_build(tmp_path, warm):
    """Writes fail past 16 KiB (RLIMIT_FSIZE): one line naming the file, the old output kept."""
    out, before = _previous_output(tmp_path, warm)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))"
    proc = _cli("build", str(CORPUS), "-o", str(out), patch=limit, cache=warm[0])
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 2
    (line,) = stderr.splitlines()
    named = re.fullmatch(r"error: (\S+): cannot write: File too large", line)
    assert named, line
    relative = re.sub(rf"^{re.escape(str(tmp_path))}/(out|\.out\.\w+\.tmp)/", "", named[1])
    assert relative in OUTPUTS, f"names a file of the output: {named[1]}"
    assert _files(out) == before
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == ["out"]
