"""Faults: a damaged embedding cache, a full disk, builds killed halfway or run twice at once.

Each test injects one real fault (bytes changed on disk, a file-size limit, a signal) and
checks the outcome a user relies on: the right vectors, a one-line error naming the file,
no half-written output, and a next run that completes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
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
