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
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from cxcorpus.embed import CachedEncoder, normalise
from cxcorpus.errors import CxcorpusError
from cxcorpus.store import checksum

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


def _row(cache: CachedEncoder, text: str) -> tuple[int, bytes, bytes]:
    with closing(sqlite3.connect(cache.store.path)) as db:
        return db.execute("SELECT dim, vector, checksum FROM vectors WHERE key = ?",
                          (cache.key(text),)).fetchone()


def _rewrite_row(cache: CachedEncoder, text: str, dim, vector, digest) -> None:
    """Replace the row of ``text`` behind the store's back, as a damaged disk or a hand would."""
    with closing(sqlite3.connect(cache.store.path)) as db, db:
        db.execute("UPDATE vectors SET dim = ?, vector = ?, checksum = ? WHERE key = ?",
                   (dim, vector, digest, cache.key(text)))


def _valid(key: bytes, vector: np.ndarray) -> tuple[int, bytes, bytes]:
    """A row whose checksum is right for ``key``: damage no checksum can catch."""
    body = np.ascontiguousarray(vector, dtype="<f4").tobytes()
    return len(vector), body, checksum(key, len(vector), body)


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x40]) + data[at + 1:]


# Each takes (key, row of the victim, row of another text) and returns the damaged row.
DAMAGE = {
    "truncated": lambda k, r, o: (r[0], r[1][: len(r[1]) // 2], r[2]),
    "truncated-to-nothing": lambda k, r, o: (r[0], b"", r[2]),
    "checksum-only": lambda k, r, o: (r[0], r[2], r[2]),
    "one-byte-flipped": lambda k, r, o: (r[0], _flip(r[1], 5), r[2]),
    "checksum-flipped": lambda k, r, o: (r[0], r[1], _flip(r[2], 7)),
    "garbage": lambda k, r, o: (r[0], b"\x00\xff" * (len(r[1]) // 2), r[2]),
    "extra-bytes-appended": lambda k, r, o: (r[0], r[1] + b"\x01\x02\x03\x04", r[2]),
    "dimension-lies": lambda k, r, o: (8, r[1], r[2]),
    "text-instead-of-bytes": lambda k, r, o: (r[0], "not a vector", r[2]),
    "empty-valid-checksum": lambda k, r, o: (0, b"", checksum(k, 0, b"")),
    "another-texts-row": lambda k, r, o: o,
    "nan-valid-checksum": lambda k, r, o: _valid(k, np.full(16, np.nan, np.float32)),
    "inf-valid-checksum": lambda k, r, o: _valid(k, np.full(16, np.inf, np.float32)),
    "3e38-valid-checksum": lambda k, r, o: _valid(k, np.full(16, 3e38, np.float32)),
    "7-floats-valid-checksum": lambda k, r, o: _valid(k, normalise(np.ones(7, np.float32))[0]),
    "not-unit-norm-valid-checksum": lambda k, r, o: _valid(k, np.full(16, 0.5, np.float32)),
}


def _assert_recomputed_and_repaired(inner, tmp_path, expected, victims) -> None:
    inner.encoded.clear()
    again = CachedEncoder(inner, tmp_path)
    np.testing.assert_array_equal(again.encode(TEXTS), expected)
    assert inner.encoded == victims, "only the damaged entries are recomputed"
    assert again.misses == len(victims)
    # ... and repaired in the store: a third run needs the encoder for nothing.
    inner.encoded.clear()
    np.testing.assert_array_equal(CachedEncoder(inner, tmp_path).encode(TEXTS), expected)
    assert inner.encoded == []
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_cache_entry_is_recomputed(tmp_path, damage):
    """The 3e38 row is the one that made NaN scores (issue 10). Another text's row, checksum
    and all, is what 0.1's CRC over the vector alone let through: the checksum covers the key.
    (A row forged with a checksum computed for its key is beyond any self-check.)"""
    inner = CountingEncoder()
    cache = CachedEncoder(inner, tmp_path)
    expected = cache.encode(TEXTS)
    assert inner.encoded == TEXTS
    victim = TEXTS[1]
    _rewrite_row(cache, victim, *DAMAGE[damage](cache.key(victim), _row(cache, victim),
                                                _row(cache, TEXTS[2])))
    _assert_recomputed_and_repaired(inner, tmp_path, expected, [victim])


def test_wrong_recorded_dimension_recomputes_all_never_uses(tmp_path):
    inner = CountingEncoder()
    cache = CachedEncoder(inner, tmp_path)
    expected = cache.encode(TEXTS)
    with closing(sqlite3.connect(cache.store.path)) as db, db:
        db.execute("UPDATE spaces SET dim = 7")
    _assert_recomputed_and_repaired(inner, tmp_path, expected, TEXTS)


def test_bytes_flipped_in_the_database_file(tmp_path):
    """Damage below SQLite (a bad sector): a vector's bytes changed inside the file."""
    inner = CountingEncoder()
    cache = CachedEncoder(inner, tmp_path)
    expected = cache.encode(TEXTS)
    cache.store.close()  # the last connection: its WAL is checkpointed into the file
    victim_bytes = _row(cache, TEXTS[3])[1]
    data = cache.store.path.read_bytes()
    at = data.index(victim_bytes) + 9
    cache.store.path.write_bytes(_flip(data, at))
    _assert_recomputed_and_repaired(inner, tmp_path, expected, [TEXTS[3]])


def test_forged_3e38_entry_changes_no_alignment_score(tmp_path, seed_articles):
    """A damaged entry once gave NaN scores (invalid JSON) and 180 gaps instead of 32."""
    import json as _json

    from cxcorpus.align import align_articles
    from cxcorpus.export import alignment_text
    from tests.conftest import BagOfWords

    src, tgt = seed_articles["cx-tweetchat.tr"], seed_articles["cx-tweetchat.de"]
    cache = CachedEncoder(BagOfWords(), tmp_path)
    before = alignment_text(align_articles(src, tgt, cache), "jsonl")
    forged = [u.text for u in src.aligned_units[:3] if _row(cache, u.text)]
    assert forged
    for text in forged:
        _rewrite_row(cache, text, *_valid(cache.key(text), np.full(64, 3e38, np.float32)))
    after = alignment_text(align_articles(src, tgt, CachedEncoder(BagOfWords(), tmp_path)),
                           "jsonl")
    assert after == before
    scores = [_json.loads(line)["score"] for line in after.splitlines()]
    assert any(scores) and all(np.isfinite(x) for x in scores if x is not None)


def test_two_models_never_share_cache_entries(tmp_path, monkeypatch):
    """Two sentence-transformers models in folders of the same name must not share entries.

    The store is keyed by encoder name, version and model identity; a hit from another
    model is a wrong vector that no checksum can catch. (Constructing the encoder loads no
    model; a stub module stands in for the 8 s import of sentence-transformers.)
    """
    import types

    from cxcorpus.embed import SentenceTransformerEncoder

    monkeypatch.setitem(sys.modules, "sentence_transformers",
                        types.SimpleNamespace(__version__="3.0.0"))
    for name in ("labse", "minilm"):
        (tmp_path / name / "model").mkdir(parents=True)
        (tmp_path / name / "model" / "config.json").write_text("{}", encoding="utf-8")

    a = SentenceTransformerEncoder(tmp_path / "labse" / "model")
    b = SentenceTransformerEncoder(tmp_path / "minilm" / "model")
    assert CachedEncoder(a, tmp_path).key("x") != CachedEncoder(b, tmp_path).key("x")
    # Weights replaced in place: the same folder, another model, other keys.
    before = CachedEncoder(a, tmp_path).key("x")
    (tmp_path / "labse" / "model" / "config.json").write_text('{"v": 2}', encoding="utf-8")
    assert CachedEncoder(SentenceTransformerEncoder(tmp_path / "labse" / "model"),
                         tmp_path).key("x") != before


# A store that cannot be used: SQLite would block forever on a FIFO, fail on a folder, a
# file that is not a database, a file of the user's. Each costs time, never the run.
STORE_FAULTS = {
    "fifo": lambda path: os.mkfifo(path),
    "fifo-as-wal": lambda path: os.mkfifo(f"{path}-wal"),
    "folder": lambda path: path.mkdir(),
    "not-a-database": lambda path: path.write_bytes(b"my notes, not a database\n" * 200),
}


@pytest.mark.parametrize("fault", sorted(STORE_FAULTS))
def test_unusable_store_gives_one_warning_and_the_right_output(tmp_path, fault):
    """Through the real CLI: exit 0, the same alignment as without a cache, one warning
    line naming the store, and the thing found there left as it was."""
    cache = tmp_path / "cache"
    cache.mkdir()
    path = cache / "embeddings.sqlite"
    STORE_FAULTS[fault](path)
    before = sorted((p.name, p.is_file() and p.read_bytes()) for p in cache.iterdir())
    args = ("align", str(CORPUS / "cx-tweetchat.tr.txt"), str(CORPUS / "cx-tweetchat.de.txt"))
    proc = _cli(*args, cache=cache)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    plain = _cli(*args, cache=tmp_path / "fresh")
    assert stdout == plain.communicate(timeout=300)[0]
    warnings = [line for line in stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "embeddings.sqlite" in warnings[0], stderr
    assert warnings[0].endswith("; embedding without the cache"), warnings[0]
    assert "Traceback" not in stderr
    assert sorted((p.name, p.is_file() and p.read_bytes()) for p in cache.iterdir()) == before


def _make_read_only(path: Path) -> None:
    """Really read-only, even for root (who ignores modes): the immutable attribute."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    else:
        path.chmod(0o444)


def _make_writable(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    path.chmod(0o644)


def test_read_only_store_is_read_and_left_alone(tmp_path):
    """A store that cannot be written (a read-only disk, a shared store): its vectors are used,
    new ones computed and not kept, one warning, the file unchanged."""
    inner = CountingEncoder()
    cache = CachedEncoder(inner, tmp_path)
    expected = cache.encode(TEXTS)
    cache.store.close()
    path = cache.store.path
    before = path.read_bytes()
    _make_read_only(path)
    try:
        inner.encoded.clear()
        again = CachedEncoder(inner, tmp_path)
        with pytest.warns(UserWarning, match="embeddings.sqlite: embedding store is read-only"):
            vectors = again.encode([*TEXTS, "Yeni bir cümle."])
        np.testing.assert_array_equal(vectors[:-1], expected)
        assert inner.encoded == ["Yeni bir cümle."] and again.store.readonly
        again.store.close()
        assert path.read_bytes() == before
    finally:
        _make_writable(path)


_FULL_CACHE_DISK = """
import resource, sys, warnings
import numpy as np
from cxcorpus.embed import CachedEncoder
from tests.test_faults import CountingEncoder
texts = [f"Müşteri deneyimi {i}" for i in range(int(sys.argv[2]))]
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]),) * 2)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    cache = CachedEncoder(CountingEncoder(), sys.argv[1])
    vectors = cache.encode(texts)
np.save(sys.stdout.buffer, vectors)
print(len(caught), caught[0].message if caught else "", file=sys.stderr)
"""


def test_full_cache_disk_still_gives_every_vector_and_leaves_no_debris(tmp_path):
    """Writes past 512 KiB fail (RLIMIT_FSIZE, as ENOSPC would): all vectors right, one
    warning, no temporary files, and the store still usable by the next run."""
    import io

    cache = tmp_path / "cache"
    proc = subprocess.run([PYTHON, "-c", _FULL_CACHE_DISK, str(cache), "3000", str(512 * 1024)],
                          capture_output=True, check=False, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()
    texts = [f"Müşteri deneyimi {i}" for i in range(3000)]
    np.testing.assert_array_equal(np.load(io.BytesIO(proc.stdout)),
                                  CountingEncoder().encode(texts))
    count, message = proc.stderr.decode().strip().split(" ", 1)
    assert count == "1" and "embeddings.sqlite" in message and "without the cache" in message
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith("embeddings.sqlite")) \
        == []
    inner = CountingEncoder()
    again = CachedEncoder(inner, cache)
    np.testing.assert_array_equal(again.encode(texts), CountingEncoder().encode(texts))
    assert 0 < again.hits < 3000, "what fitted was kept, the rest recomputed"


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
      for ext in (".json", ".jsonl")),  # no ".articles.json": a manifest build reads its
    # articles in the groups' tasks, and keeps nothing of them
    ".cxcorpus-state/parquet-parts.json", ".cxcorpus-state/file-stats.sqlite",
    ".cxcorpus-state/groups.jsonl", ".cxcorpus-state/warnings.jsonl",
}

# Runs the real CLI, after an optional patch (a fault that needs a precise moment).
# Ctrl-C as in a terminal: a test run started in the background of a script inherits SIGINT
# ignored, and so would the build, which then never stops on it.
_CLI = """
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
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
_page = r.index_page
def index_page(*a, **k):
    deadline = time.monotonic() + 60
    while not os.path.exists(os.environ["CX_RELEASE"]) and time.monotonic() < deadline:
        time.sleep(0.01)
    return _page(*a, **k)
r.index_page = index_page
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
    """Killed with its alignments written and its index not yet (held there: unheld, a warm
    build of the seeds could finish before the signal arrives)."""
    out, before = _previous_output(tmp_path, warm)
    proc = _cli("build", str(CORPUS), "-o", str(out), patch=_HOLD, cache=warm[0],
                env={"CX_RELEASE": str(tmp_path / "never")})
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
    out, _ = _previous_output(tmp_path, warm)
    shutil.rmtree(out / ".cxcorpus-state")  # nothing to take back: every file is written anew
    before = _files(out)
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
