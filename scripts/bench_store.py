"""Embedding store benchmark: fill it with synthetic vectors, time batched lookups and writes.

    .venv/bin/python scripts/bench_store.py [--sizes 1000000 10000000] [--dim 512]
                                            [--dir /tmp/cxstore] [--keep]

The store is filled in steps up to each size (transactions of ``--chunk`` rows, as a build's
workers write them), then timed at that size: lookups in batches of 64 keys (the encoder's
batch), half present and half absent, in random order; and writes of new batches of 64. The
size on disk (database and WAL) is printed per step. 10 M vectors of 512 floats need ~22 GB:
check ``df`` first, or time the index at 10 M with a smaller ``--dim``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from cxcorpus.store import EmbeddingStore

BATCH = 64


def key(i: int) -> bytes:
    return hashlib.blake2b(i.to_bytes(8, "little"), digest_size=16).digest()


def vectors(start: int, count: int, dim: int) -> np.ndarray:
    rows = np.random.default_rng(start).standard_normal((count, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def fill(store: EmbeddingStore, start: int, stop: int, dim: int, chunk: int) -> float:
    began = time.perf_counter()
    for first in range(start, stop, chunk):
        count = min(chunk, stop - first)
        rows = vectors(first, count, dim)
        store.put((key(first + i), rows[i]) for i in range(count))
        done = first + count
        if done % (chunk * 20) == 0 or done == stop:
            rate = (done - start) / (time.perf_counter() - began)
            print(f"  filled {done:>11,}  ({rate:,.0f} rows/s)", file=sys.stderr, flush=True)
    return time.perf_counter() - began


def time_lookups(store: EmbeddingStore, size: int, dim: int, batches: int) -> tuple[float, int]:
    rng = np.random.default_rng(size)
    present = rng.integers(0, size, batches * BATCH // 2)
    absent = rng.integers(size + 10**9, size + 2 * 10**9, batches * BATCH // 2)
    keys = [key(int(i)) for i in np.concatenate([present, absent])]
    order = rng.permutation(len(keys))
    keys = [keys[i] for i in order]
    found = 0
    began = time.perf_counter()
    for b in range(batches):
        found += len(store.get(keys[b * BATCH:(b + 1) * BATCH], dim))
    return time.perf_counter() - began, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/cxcorpus-bench-store"))
    parser.add_argument("--chunk", type=int, default=5_000, help="rows per write transaction")
    parser.add_argument("--batches", type=int, default=2_000, help="lookup batches timed")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if args.dir.exists():
        shutil.rmtree(args.dir)
    path = args.dir / "embeddings.sqlite"
    store = EmbeddingStore(path)
    print(f"store {path}  dim {args.dim}  batch {BATCH}  sqlite write chunk {args.chunk}")
    print("entries       fill s   disk GB  bytes/entry  lookup ms/batch  us/key  found  "
          "write ms/batch")
    filled = 0
    for size in sorted(args.sizes):
        fill_seconds = fill(store, filled, size, args.dim, args.chunk)
        filled = size
        store.close()  # checkpoint the WAL: the size is the database's own
        disk = size_on_disk(path)
        seconds, found = time_lookups(store, size, args.dim, args.batches)
        per_batch = 1000 * seconds / args.batches
        began, writes = time.perf_counter(), 50
        for w in range(writes):
            first = 5 * 10**9 + w * BATCH
            rows = vectors(first, BATCH, args.dim)
            store.put((key(first + i), rows[i]) for i in range(BATCH))
        write_ms = 1000 * (time.perf_counter() - began) / writes
        print(f"{size:>11,}  {fill_seconds:9.1f}  {disk / 1e9:8.2f}  {disk / size:11.0f}  "
              f"{per_batch:15.2f}  {1000 * per_batch / BATCH:6.1f}  {found:5d}  "
              f"{write_ms:14.2f}", flush=True)
    if not args.keep:
        store.close()
        shutil.rmtree(args.dir)
    print(f"cores {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
