"""The embedding store on its own: round trips, batches, damage, many writer processes."""

from __future__ import annotations

import hashlib
import multiprocessing
import pickle
import sqlite3
import warnings
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cxcorpus.store import CHUNK, EmbeddingStore, checksum, is_sound


def key(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def unit(seed: int, dim: int = 16) -> np.ndarray:
    row = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return row / np.linalg.norm(row)


finite = st.floats(-1e3, 1e3, allow_nan=False, width=32)


@settings(max_examples=60, deadline=None)
@given(rows=st.dictionaries(st.binary(min_size=1, max_size=32),
                            arrays(np.float32, st.integers(1, 64), elements=finite),
                            min_size=1, max_size=20),
       scale=st.booleans())
def test_round_trip_gives_back_exactly_the_sound_vectors_put(tmp_path_factory, rows, scale):
    """Unit (or zero) rows come back bit for bit; raw rows of another norm are never kept."""
    store = EmbeddingStore(tmp_path_factory.mktemp("store") / "e.sqlite")
    if scale:
        rows = {k: v / np.float32(np.linalg.norm(v) or 1) for k, v in rows.items()}
    sound = {k: v for k, v in rows.items() if is_sound(v)}
    assert store.put(rows.items()) == len(sound)
    found = store.get(list(rows) + [b"absent"])
    assert set(found) == set(sound)
    for k, v in sound.items():
        assert found[k].dtype == np.float32 and found[k].tobytes() == v.tobytes()
    assert len(store) == len(sound)


def test_lookups_in_chunks_beyond_the_parameter_limit(tmp_path):
    store = EmbeddingStore(tmp_path / "e.sqlite")
    n = CHUNK * 2 + 7
    store.put((key(str(i)), unit(i)) for i in range(n))
    found = store.get([key(str(i)) for i in range(n + 5)], dim=16)
    assert len(found) == n
    np.testing.assert_array_equal(found[key("1000")], unit(1000))
    assert store.get([key("3")], dim=17) == {}, "a row of another dimension is refused"


def test_unsound_vectors_are_never_stored(tmp_path):
    store = EmbeddingStore(tmp_path / "e.sqlite")
    bad = {b"nan": np.full(4, np.nan, np.float32), b"inf": np.full(4, np.inf, np.float32),
           b"huge": np.full(4, 3e38, np.float32), b"long": np.full(4, 0.9, np.float32),
           b"empty": np.zeros(0, np.float32)}
    assert store.put(bad.items()) == 0
    assert store.put([(b"zero", np.zeros(4, np.float32))]) == 1  # an empty text's vector
    assert len(store) == 1


def test_rewriting_a_damaged_row_repairs_it(tmp_path):
    store = EmbeddingStore(tmp_path / "e.sqlite")
    store.put([(key("a"), unit(1)), (key("b"), unit(2))])
    with closing(sqlite3.connect(store.path)) as db, db:  # b's row moved onto a's key
        db.execute("UPDATE vectors SET vector = (SELECT vector FROM vectors WHERE key = ?), "
                   "checksum = (SELECT checksum FROM vectors WHERE key = ?) WHERE key = ?",
                   (key("b"), key("b"), key("a")))
    assert set(store.get([key("a"), key("b")])) == {key("b")} and store.damaged == 1
    store.put([(key("a"), unit(1))])
    np.testing.assert_array_equal(store.get([key("a")])[key("a")], unit(1))


def test_checksum_covers_key_dimension_and_bytes():
    body = unit(1).tobytes()
    digest = checksum(b"k", 16, body)
    assert len(digest) == 8
    assert digest != checksum(b"K", 16, body)
    assert digest != checksum(b"k", 8, body)
    assert digest != checksum(b"k", 16, body[:-1] + b"\x00")


def test_pickled_store_reopens_its_own_connection(tmp_path):
    store = EmbeddingStore(tmp_path / "e.sqlite")
    store.put([(key("a"), unit(1))])
    copy = pickle.loads(pickle.dumps(store))
    assert copy._conn is None
    np.testing.assert_array_equal(copy.get([key("a")])[key("a")], unit(1))


def _writer(path: str, worker: int, rounds: int) -> int:
    """Each worker writes its own texts and a shared set, in many small transactions, and
    reads back after each one: readers and writers at once."""
    store = EmbeddingStore(path)
    for r in range(rounds):
        mine = [(key(f"w{worker}-{r}-{i}"), unit(worker * 100_000 + r * 100 + i))
                for i in range(20)]
        shared = [(key(f"shared-{i}"), unit(i)) for i in range(r, r + 10)]
        store.put(mine + shared)
        assert len(store.get([k for k, _ in mine])) == 20
    return len(store)


def test_many_writer_processes_at_once(tmp_path):
    path = str(tmp_path / "e.sqlite")
    workers, rounds = 6, 25
    # An executor, not a Pool: a worker that dies is an error here, not a hang.
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        list(pool.map(_writer, [path] * workers, range(workers), [rounds] * workers))
    store = EmbeddingStore(path)
    assert len(store) == workers * rounds * 20 + rounds + 9
    keys = [key(f"w{w}-{r}-{i}") for w in range(workers) for r in range(rounds) for i in range(20)]
    found = store.get(keys + [key(f"shared-{i}") for i in range(rounds + 9)], dim=16)
    assert len(found) == len(keys) + rounds + 9 and store.damaged == 0
    np.testing.assert_array_equal(found[key("w5-24-19")], unit(5 * 100_000 + 24 * 100 + 19))
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_read_only_store_serves_what_it_holds_and_writes_nothing(tmp_path):
    """A store shared read-only (a cluster's common store, a read-only disk)."""
    path = tmp_path / "e.sqlite"
    writer = EmbeddingStore(path)
    writer.put([(key("a"), unit(1))])
    writer.set_dim("space", 16)
    writer.close()
    before = path.read_bytes()
    reader = EmbeddingStore(path, readonly=True)
    np.testing.assert_array_equal(reader.get([key("a")])[key("a")], unit(1))
    assert reader.put([(key("b"), unit(2))]) == 0
    reader.set_dim("space", 17)
    assert reader.dim("space") == 16 and len(reader) == 1
    reader.close()
    assert path.read_bytes() == before
    assert EmbeddingStore(path).get([key("b")]) == {}


def test_cached_encoder_over_a_read_only_store_warns_once(tmp_path):
    from cxcorpus.embed import CachedEncoder
    from tests.conftest import BagOfWords

    filled = CachedEncoder(BagOfWords(), tmp_path)
    expected = filled.encode(["bir", "iki"])
    filled.store.close()
    cached = CachedEncoder(BagOfWords(), tmp_path)
    cached.store.readonly = True
    with pytest.warns(UserWarning, match="embedding store is read-only; new vectors are not kept"):
        vectors = cached.encode(["bir", "iki", "üç"])
    np.testing.assert_array_equal(vectors[:2], expected)
    assert cached.hits == 2 and cached.misses == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cached.encode(["dört"])  # no second warning
    assert len(EmbeddingStore(tmp_path / "embeddings.sqlite")) == 2


def test_threads_of_one_process_share_the_store(tmp_path):
    """A Dask worker runs tasks in threads: one connection, used by one thread at a time."""
    from concurrent.futures import ThreadPoolExecutor

    store = EmbeddingStore(tmp_path / "e.sqlite")

    def work(t: int) -> int:
        rows = [(key(f"t{t}-{i}"), unit(t * 1000 + i)) for i in range(200)]
        for start in range(0, 200, 20):
            store.put(rows[start:start + 20])
        return len(store.get([k for k, _ in rows], dim=16))

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(work, range(8))) == [200] * 8
    assert len(store) == 1600 and store.damaged == 0
