"""The build's Parquet tables: fixed schemas, so every part of a dataset has the same columns
and types whatever its rows (DuckDB, ``datasets`` and ``pyarrow.dataset`` read the parts of a
folder as one table)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

_STR, _INT, _FLOAT = pa.string(), pa.int64(), pa.float64()
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
    "tweets": pa.schema([
        ("group", _STR), ("article", _STR), ("lang", _STR), ("order", _INT), ("unit", _INT),
        ("text", _STR), ("author_name", _STR), ("author_handle", _STR), ("date", _STR),
        ("date_text", _STR), ("status_id", _STR), ("url", _STR), ("hashtags", _STRS),
        ("mentions", _STRS), ("urls", _STRS), ("cashtags", _STRS), ("quote_id", _STR),
    ]),
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
    return value


def arrow_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as a table of the fixed schema ``SCHEMAS[name]`` (other fields are dropped)."""
    schema = SCHEMAS[name]
    columns = {field.name: [_cell(row.get(field.name), field.type) for row in rows]
               for field in schema}
    return pa.table(columns, schema=schema)


def parquet_bytes(name: str, rows: list[dict[str, Any]]) -> bytes:
    """The Parquet file of ``rows`` (written by the caller, so its errors name the file)."""
    sink = pa.BufferOutputStream()
    pq.write_table(arrow_table(name, rows), sink, compression="zstd")
    return sink.getvalue().to_pybytes()
