"""Writers for every output format. Each writes atomically: a temporary file beside the
target, renamed over it only when complete, so a failed run leaves no half-written file."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .errors import CxcorpusError


class OutputError(CxcorpusError):
    """An output file cannot be written (full disk, no permission, ...)."""


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it to ``path``.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        kwargs = {} if "b" in mode else {"encoding": encoding, "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise OutputError(path, f"cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One compact JSON object per line, non-ASCII kept as is."""
    for record in records:
        yield json.dumps(record, ensure_ascii=False) + "\n"


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path) -> None:
    """Write records as JSON Lines."""
    with atomic_open(path) as out:
        out.writelines(jsonl_lines(records))


def write_csv(records: Iterable[dict[str, Any]], path: str | Path, fields: list[str]) -> None:
    """Write records as CSV with a header; list values are joined with ``|``."""
    with atomic_open(path) as out:
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_value(record.get(k)) for k in fields})


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_parquet(records: list[dict[str, Any]], path: str | Path) -> None:
    """Write records as a Parquet table (needs ``pyarrow``: ``pip install cxcorpus[parquet]``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise OutputError(path, "Parquet output needs pyarrow: pip install 'cxcorpus[parquet]'") from exc
    table = pa.Table.from_pylist(list(records))
    with atomic_open(path, "wb") as out:
        pq.write_table(table, out)
