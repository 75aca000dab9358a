"""Tweet rows for files and corpus folders, and their typed writers (JSONL, CSV, Parquet).

The writer edge of :mod:`cxcorpus.tweets`: it reads articles, extracts and links their
tweets, and writes them. The types are fixed whatever the rows hold (:func:`arrow_schema`):
``status_id`` is a string everywhere (a 19-digit id is no float); ``date`` is an ISO 8601
string in JSON and CSV and a ``date32`` in Parquet; list columns stay lists even when every
list is empty. A CSV has no types of its own, so read it with :data:`CSV_DTYPES`
(``pandas.read_csv(path, dtype=CSV_DTYPES)``): without them pandas reads an id column
with empty cells as floats and loses the last digits of the ids. URLs are written in CSV
as the links they lead to (``expanded_url``), joined by ``|``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa

from .model import Article
from .tweets import TWEET_FIELDS, extract_tweets, link_quotes, tweet_records

QUOTE_FIELDS = [
    "group", "quote_id", "author_name", "author_handle", "date", "status_id", "url",
    "present", "missing",
]

URL_TYPE = pa.struct([("url", pa.string()), ("expanded_url", pa.string()),
                      ("display_url", pa.string())])
_TYPES = {
    "order": pa.int64(), "unit": pa.int64(), "date": pa.date32(),
    "hashtags": pa.list_(pa.string()), "mentions": pa.list_(pa.string()),
    "urls": pa.list_(URL_TYPE), "cashtags": pa.list_(pa.string()),
    "present": pa.list_(pa.string()), "missing": pa.list_(pa.string()),
}

# pandas dtypes of a tweets/quotes CSV: every column but order/unit is text.
CSV_DTYPES = {"order": "Int64", "unit": "Int64", "status_id": "string", "quote_id": "string",
              "author_handle": "string", "date": "string"}


def _translation_groups(paths: list[str], *,
                        allow_outside: bool = False) -> list[tuple[str, list[Article]]]:
    """(group name, articles) for files (grouped by name: ``x.tr``, ``x.it`` -> ``x``) and
    corpus folders (grouped by their manifest, or found from content)."""
    from .corpus import load_corpus
    from .read import read_article

    groups: dict[str, list[Article]] = {}
    for path in paths:
        if Path(path).is_dir():
            corpus = load_corpus(path, allow_outside=allow_outside)
            for name in corpus.groups:
                groups.setdefault(name, []).extend(corpus.group_articles(name))
            continue
        article = read_article(path)
        stem, _, last = article.id.rpartition(".")
        name = article.group or (stem if stem and last == article.lang else article.id)
        groups.setdefault(name, []).append(article)
    return list(groups.items())


def tweet_rows(paths: list[str], *, group: bool = False,
               allow_outside: bool = False) -> list[dict[str, Any]]:
    """The ``tweets`` records of every article under ``paths`` (files or corpus folders).

    One row per tweet per article, with ``quote_id`` linked across each translation group;
    ``group=True`` gives one row per quote instead: who, when, which versions have and lack
    it, and ``text_<lang>`` for every language of the group (None where it is missing).
    """
    rows: list[dict[str, Any]] = []
    for name, articles in _translation_groups(paths, allow_outside=allow_outside):
        by_article = {a.id: extract_tweets(a) for a in articles}
        quotes = link_quotes(by_article)
        if not group:
            rows += tweet_records([t for a in articles for t in by_article[a.id]])
            continue
        langs = {a.id: a.lang for a in articles}
        for quote in quotes:
            row = {"group": name, **{k: quote.get(k) for k in QUOTE_FIELDS[1:]}}
            tweet = next(t for t in by_article[quote["present"][0]]
                         if t.order == quote["orders"][quote["present"][0]])
            row["url"] = tweet.url
            for article_id, lang in langs.items():
                row.setdefault(f"text_{lang}", quote["texts"].get(article_id))
            rows.append(row)
    if group:  # the same columns in every row, whatever languages each group has
        columns = dict.fromkeys(k for row in rows for k in row)
        rows = [{k: row.get(k) for k in columns} for row in rows]
    return rows


def arrow_schema(names: list[str]) -> pa.Schema:
    """The fixed Arrow types of tweet or quote columns (``text_<lang>`` and others: string)."""
    return pa.schema([(n, _TYPES.get(n, pa.string())) for n in names])


TWEET_SCHEMA = arrow_schema(TWEET_FIELDS)


def arrow_table(rows: list[dict[str, Any]]) -> pa.Table:
    """A pyarrow Table of tweet or quote rows with :func:`arrow_schema`'s types."""
    names = list(rows[0]) if rows else TWEET_FIELDS
    typed = [{**row, "date": _as_date(row.get("date"))} if "date" in row else row
             for row in rows]
    return pa.Table.from_pylist(typed, schema=arrow_schema(names))


def _as_date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def write_tweets(rows: list[dict[str, Any]], fmt: str, out: str | None = None) -> None:
    """Write rows as ``jsonl``, ``csv`` (to stdout when ``out`` is None) or ``parquet``."""
    from .export import OutputError, atomic_open, jsonl_lines, write_csv, write_jsonl

    fields = list(rows[0]) if rows else TWEET_FIELDS
    rows = [_csv_ready(row) for row in rows] if fmt == "csv" else rows
    if fmt == "parquet":
        if not out:
            raise OutputError(None, "Parquet output needs a file: add -o OUT.parquet")
        import pyarrow.parquet as pq

        with atomic_open(out, "wb") as handle:
            pq.write_table(arrow_table(rows), handle)
    elif out:
        write_jsonl(rows, out) if fmt == "jsonl" else write_csv(rows, out, fields)
    elif fmt == "jsonl":
        sys.stdout.writelines(jsonl_lines(rows))
    else:
        import csv

        from .export import csv_cell

        writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(r.get(k)) for k in fields} for r in rows)


def _csv_ready(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV cell per value: URLs as the links they name (``expanded_url``), joined by ``|``."""
    if not row.get("urls"):
        return row
    return {**row, "urls": [u.get("expanded_url") or u.get("url") for u in row["urls"]]}


def export_tweets(paths: list[str], fmt: str = "jsonl", out: str | None = None,
                  *, group: bool = False, allow_outside: bool = False) -> int:
    """Extract, link and write the tweets of ``paths``; returns the number of rows."""
    rows = tweet_rows(paths, group=group, allow_outside=allow_outside)
    write_tweets(rows, fmt, out)
    return len(rows)
