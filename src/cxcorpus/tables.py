"""The build's Parquet tables: fixed schemas, so every part of a dataset has the same columns
and types whatever its rows (DuckDB, ``datasets`` and ``pyarrow.dataset`` read the parts of a
folder as one table)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from .tweet_export import TWEET_SCHEMA

if TYPE_CHECKING:  # typing.Self is Python 3.11+
    from typing_extensions import Self

_STR, _INT, _FLOAT = pa.string(), pa.int64(), pa.float64()
# The Arrow buffers made here come from glibc's malloc, not from Arrow's default pool:
# pyarrow's wheels default to mimalloc, whose 1 GiB arena is advised for transparent huge
# pages, so the ~1.3 MB a Parquet part needs at most held 15-25 MB resident in 2 MB pages,
# and the pages a part touched wandered: a cold build's peak rose 2 MB at a time, at a part
# now and then, as long as it ran (measured at 10 000-30 000 articles; 20 MB higher).
POOL = pa.system_memory_pool()
_INTS, _STRS = pa.list_(pa.int64()), pa.list_(pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "alignments": pa.schema([
        ("group", _STR), ("src_article", _STR), ("tgt_article", _STR), ("src_lang", _STR),
        ("tgt_lang", _STR), ("bead", _INT), ("src", _INTS), ("tgt", _INTS), ("score", _FLOAT),
        ("src_text", _STRS), ("tgt_text", _STRS),
    ]),
    "gaps": pa.schema([
        ("group", _STR), ("src_article", _STR), ("tgt_article", _STR), ("side", _STR),
        ("level", _STR), ("article", _STR), ("lang", _STR), ("unit", _INT),
        ("sentence", _INT), ("kind", _STR), ("reason", _STR), ("score", _FLOAT), ("text", _STR),
    ]),
    # the tweets export's own columns and types (a real date, URLs as Twitter's objects)
    "tweets": pa.schema([pa.field("group", _STR), *TWEET_SCHEMA]),
}


def alignment_rows(group: str, src: str, tgt: str, src_lang: str, tgt_lang: str,
                   beads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per bead of a pairwise alignment (its JSONL records)."""
    return [{"group": group, "src_article": src, "tgt_article": tgt, "src_lang": src_lang,
             "tgt_lang": tgt_lang, "bead": k, "src": b["src"], "tgt": b["tgt"],
             "score": b.get("score"), "src_text": b.get("src_text"),
             "tgt_text": b.get("tgt_text")} for k, b in enumerate(beads)]


def gap_rows(gaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per pairwise gap record."""
    return [{**g, "src_article": g["pair"][0], "tgt_article": g["pair"][1]} for g in gaps]


def tweet_rows(group: str, tweets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per tweet record, with its group."""
    return [{**t, "group": group} for t in tweets]


def _cell(value: Any, kind: pa.DataType) -> Any:
    if value is None:
        return None
    if kind == _STR:
        return str(value).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if kind == _STRS:
        return [_cell(v, _STR) for v in value]
    if kind == _INT:
        return int(value)
    if kind == _FLOAT:
        return float(value)
    if kind == pa.date32() and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def arrow_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as a table of the fixed schema ``SCHEMAS[name]`` (other fields are dropped)."""
    schema = SCHEMAS[name]
    return pa.table([_column([row.get(field.name) for row in rows], field.type)
                     for field in schema], schema=schema)


def _column(values: list[Any], kind: pa.DataType) -> pa.Array:
    """Values as an Arrow array of ``kind``; converted one by one only when Arrow refuses
    them as they are (a lone surrogate from a file name, a number given as text)."""
    try:
        return pa.array(values, type=kind, memory_pool=POOL)
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        return pa.array([_cell(v, kind) for v in values], type=kind, memory_pool=POOL)


class ParquetParts:
    """One Parquet file per table, built in memory a row group at a time (``add``), so only
    one row group's rows are held as Python objects; ``data`` holds each file's bytes after
    the ``with`` block (written by the caller, so its errors name the file). A table that
    got no rows still gets a file, with its schema."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self._sinks = {name: pa.BufferOutputStream(POOL) for name in SCHEMAS}
        self._writers = {name: pq.ParquetWriter(sink, SCHEMAS[name], compression="zstd",
                                                memory_pool=POOL)
                         for name, sink in self._sinks.items()}

    def add(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        """A row group of each table in ``rows`` (table name -> rows)."""
        for name, table_rows in rows.items():
            if table_rows:
                self._writers[name].write_table(arrow_table(name, table_rows))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        for name, writer in self._writers.items():
            writer.close()
            if exc[0] is None:
                self.data[name] = self._sinks[name].getvalue().to_pybytes()
