"""The embedding store: one SQLite database of float32 vectors, keyed by a digest.

A row holds the key (a digest of encoder, version, model identity and text, made by the
caller), the vector's dimension, the vector as little-endian float32 bytes and a checksum
over all three. A row is used only if its checksum, dimension, finiteness and norm are right;
anything else is reported missing, so the caller recomputes it and ``put`` rewrites it.

SQLite in WAL mode lets many processes read while one writes; writers wait for each other
(``busy_timeout``) instead of failing. Each process opens its own connection (a connection
is never used across ``fork``); pickling drops it and the copy reopens it when first used.

On a cluster: WAL needs shared memory between the processes of one machine, so one store
per machine (on its local disk) is the safe layout; a store on NFS is safe only for
readers (``readonly``: a common store filled beforehand), since NFS locks are not reliable
enough for SQLite writers on several machines.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .errors import CxcorpusError

CHUNK = 500  # keys per ``IN (...)`` query: under the 999 host parameters of old SQLite builds
BUSY_TIMEOUT = 120.0  # seconds a writer waits for another process's transaction
PAGE_SIZE = 16384  # bytes; see ``_open_writable``
CACHE_KIB = 8192  # page cache per connection; see ``_open_writable``
NORM_TOLERANCE = 1e-3  # encoders return unit rows (or zero rows); anything else is damage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key BLOB PRIMARY KEY,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    checksum BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS spaces (
    space TEXT PRIMARY KEY,
    dim INTEGER NOT NULL
);
"""

# Connections inherited through fork: never used, never closed by the child (closing one
# could run the parent's WAL clean-up from the wrong process), only kept referenced.
_INHERITED: list[sqlite3.Connection] = []


class StoreError(CxcorpusError):
    """The embedding store cannot be opened, read or written."""


def checksum(key: bytes, dim: int, vector: bytes) -> bytes:
    """The 8-byte BLAKE2b digest a row carries: over its key, dimension and vector bytes, so
    a vector moved to another key (another text's vector) fails it as surely as a bit flip."""
    digest = hashlib.blake2b(key, digest_size=8)
    digest.update(dim.to_bytes(4, "little"))
    digest.update(vector)
    return digest.digest()


def is_sound(vector: np.ndarray) -> bool:
    """Finite, and of unit L2 norm (or all zero): what an encoder returns and a score can use.
    (Huge finite values, 3e38, overflow a dot product to inf and a cosine to NaN.)"""
    if not np.all(np.isfinite(vector)):
        return False
    norm = float(np.linalg.norm(vector.astype(np.float64)))
    return norm == 0.0 or abs(norm - 1.0) <= NORM_TOLERANCE


def _refuse_special_files(path: Path) -> None:
    """The database and its WAL side files must be regular files if they exist: SQLite would
    block forever on a FIFO and read garbage from a device."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            mode = os.stat(candidate).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(candidate, f"cannot use the embedding store: {exc.strerror}") from exc
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise StoreError(candidate, f"embedding store is {kind}; remove it or choose "
                                        "another cache folder (--cache / $CXCORPUS_CACHE)")


def _is_readonly(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    return (code & 0xFF) == sqlite3.SQLITE_READONLY if code is not None \
        else "readonly" in str(exc)


def _problem(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class EmbeddingStore:
    """Vectors by key in the SQLite database at ``path`` (created with its folder if absent).

    ``get`` returns only sound rows; ``put`` writes many rows in one transaction. Errors
    of the database or the disk raise ``StoreError`` naming the file. ``readonly`` (asked
    for, or found: a store that exists but cannot be written) makes ``put`` write nothing.
    """

    def __init__(self, path: str | os.PathLike, *, readonly: bool = False,
                 timeout: float = BUSY_TIMEOUT):
        self.path = Path(path)
        self.readonly = readonly  # also set when only reading is possible (a read-only disk)
        self.timeout = timeout
        self.damaged = 0  # rows found but refused since this object was made
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._lock, self._lock_pid = threading.Lock(), os.getpid()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_conn"], state["_pid"], state["_lock"], state["_lock_pid"] = None, 0, None, 0
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock, self._lock_pid = threading.Lock(), os.getpid()

    def _guard(self) -> threading.Lock:
        """This process's lock for the connection (threads of one process share it); a fork
        while another thread held it must not leave the child waiting forever."""
        if self._lock_pid != os.getpid():
            self._lock, self._lock_pid = threading.Lock(), os.getpid()
        return self._lock

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        if self._conn is not None:  # made before a fork: this process needs its own
            _INHERITED.append(self._conn)
            self._conn = None
        _refuse_special_files(self.path)
        if self.readonly:
            conn = self._open_readonly()
        else:
            try:
                conn = self._open_writable()
            except StoreError:
                # A store on a read-only disk, or shared read-only on a cluster, still serves
                # what it holds; without a database there, the first error stands.
                if not self.path.is_file():
                    raise
                conn = self._open_readonly()
                self.readonly = True
        self._conn, self._pid = conn, os.getpid()
        return conn

    def _open_writable(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(self.path.parent, f"cannot create the embedding store folder: "
                                               f"{exc.strerror}") from exc
        conn = None
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                   check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            # Set before the first table only: a 2 KB row (512 floats) fills a 4 KB page half;
            # 16 KB pages hold seven (2 370 bytes a vector on disk instead of 4 130).
            conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            # WAL: readers never wait for the writer. A filesystem without shared memory
            # (some network mounts) refuses it and keeps the rollback journal, still correct.
            conn.execute("PRAGMA journal_mode = WAL")
            # A cache may lose its last transactions in a power cut, never its consistency.
            conn.execute("PRAGMA synchronous = NORMAL")
            # 8 MB holds the B-trees' interior pages of a few million entries; beyond that the
            # operating system's cache serves them. Lookups at 1 M entries were as fast as
            # with 64 MB (0.7-0.8 ms per 64 keys), and a bigger cache only grows every worker
            # with the store (scripts/bench_store.py).
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.executescript(_SCHEMA)
            if not os.access(self.path, os.W_OK):  # SQLite opened it read-only, silently
                raise StoreError(self.path, "the embedding store is read-only")
            return conn
        except (sqlite3.Error, StoreError) as exc:
            if conn is not None:
                conn.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(self.path, f"cannot open the embedding store: {_problem(exc)}") \
                from exc

    def _open_readonly(self) -> sqlite3.Connection:
        """Read-only; ``immutable`` when even the WAL index cannot be made (a read-only disk)."""
        error: sqlite3.Error | None = None
        for options in ("mode=ro", "mode=ro&immutable=1"):
            conn = None
            try:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?{options}", uri=True,
                                       timeout=self.timeout, isolation_level=None,
                                       check_same_thread=False)
                conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
                conn.execute("SELECT key, dim, vector, checksum FROM vectors LIMIT 1").fetchall()
                conn.execute("SELECT space, dim FROM spaces LIMIT 1").fetchall()
                return conn
            except sqlite3.Error as exc:
                error = exc
                if conn is not None:
                    conn.close()
        raise StoreError(self.path, f"cannot open the embedding store: {_problem(error)}")

    def close(self) -> None:
        """Close this process's connection (reopened if the store is used again)."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    def __len__(self) -> int:
        with self._guard():
            return self._query(lambda c: c.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def _query(self, work):
        try:
            return work(self._connection())
        except sqlite3.Error as exc:
            raise StoreError(self.path, f"embedding store: {_problem(exc)}") from exc

    def dim(self, space: str) -> int | None:
        """The dimension recorded for ``space`` (an encoder and version), if any."""
        with self._guard():
            row = self._query(lambda c: c.execute(
                "SELECT dim FROM spaces WHERE space = ?", (space,)).fetchone())
        return int(row[0]) if row and isinstance(row[0], int) and row[0] > 0 else None

    def set_dim(self, space: str, dim: int) -> None:
        def write(conn: sqlite3.Connection) -> None:
            if not self.readonly:  # known once connected
                conn.execute("INSERT OR REPLACE INTO spaces (space, dim) VALUES (?, ?)",
                             (space, int(dim)))

        with self._guard():
            self._query(write)

    def get(self, keys: Sequence[bytes], dim: int | None = None) -> dict[bytes, np.ndarray]:
        """The sound vectors among ``keys`` (of dimension ``dim`` if given), by key."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))

        def read(conn: sqlite3.Connection) -> None:
            for start in range(0, len(unique), CHUNK):
                chunk = unique[start:start + CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, dim, vector, checksum FROM vectors WHERE key IN ({marks})",
                    chunk)
                for key, row_dim, blob, digest in rows:
                    vector = self._verified(key, row_dim, blob, digest, dim)
                    if vector is None:
                        self.damaged += 1
                    else:
                        found[bytes(key)] = vector

        with self._guard():
            self._query(read)
        return found

    @staticmethod
    def _verified(key, row_dim, blob, digest, dim: int | None) -> np.ndarray | None:
        if not (isinstance(key, bytes) and isinstance(blob, bytes) and isinstance(row_dim, int)
                and isinstance(digest, bytes)):
            return None
        if row_dim <= 0 or len(blob) != 4 * row_dim or (dim is not None and row_dim != dim):
            return None
        if checksum(key, row_dim, blob) != digest:
            return None
        vector = np.frombuffer(blob, dtype="<f4").astype(np.float32)
        return vector if is_sound(vector) else None

    def put(self, items: Iterable[tuple[bytes, np.ndarray]]) -> int:
        """Write (or rewrite) sound vectors in one transaction; returns how many were written
        (unsound ones, NaN or of a wrong norm, are never stored)."""
        rows = []
        for key, vector in items:
            vector = np.asarray(vector, dtype=np.float32).reshape(-1)
            if vector.size == 0 or not is_sound(vector):
                continue
            blob = vector.astype("<f4").tobytes()
            rows.append((bytes(key), vector.size, blob, checksum(bytes(key), vector.size, blob)))
        if not rows:
            return 0

        def write(conn: sqlite3.Connection) -> int:
            if self.readonly:  # known once connected
                return 0
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO vectors (key, dim, vector, checksum) "
                                 "VALUES (?, ?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error) and _is_readonly(exc):
                    self.readonly = True  # opened, but the file or disk refuses writes
                    return 0
                raise
            return len(rows)

        with self._guard():
            return self._query(write)
