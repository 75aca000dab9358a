"""scripts/export_quotes.py and the tweet writers: typed, stable exports that load back."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from cxcorpus.tweet_export import CSV_DTYPES, TWEET_SCHEMA, arrow_table, write_tweets
from cxcorpus.tweets import TWEET_FIELDS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("quotes")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts/export_quotes.py"), str(ROOT / "corpus"), str(out)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(str(out))
    return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _iso(records: list[dict]) -> list[dict]:
    return [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()}
            for r in records]


def test_parquet_and_jsonl_hold_the_same_records(dataset):
    for name in ("tweets", "quotes"):
        from_parquet = pq.read_table(dataset / f"{name}.parquet").to_pylist()
        from_json = _jsonl(dataset / f"{name}.jsonl")
        assert _iso(from_parquet) == from_json, name  # JSON writes the date as ISO 8601
        assert all(isinstance(r["date"], dt.date) for r in from_parquet)


_DTYPES = {"string": pa.string(), "int64": pa.int64(), "date32": pa.date32()}


def _arrow_type(feature: dict) -> pa.DataType:
    """The Arrow type a dataset card's feature declares (``dtype`` or ``list``)."""
    if "dtype" in feature:
        return _DTYPES[feature["dtype"]]
    item = feature["list"]
    if isinstance(item, str):
        return pa.list_(_DTYPES[item])
    return pa.list_(pa.struct([(f["name"], _arrow_type(f)) for f in item]))


def test_card_features_are_the_parquet_types_and_json_loads_with_them(dataset):
    meta = yaml.safe_load((dataset / "README.md").read_text("utf-8").split("---\n")[1])
    info = {c["config_name"]: c["features"] for c in meta["dataset_info"]}
    for name in ("tweets", "quotes"):
        declared = pa.schema([(f["name"], _arrow_type(f)) for f in info[name]])
        parquet = pq.read_table(dataset / f"{name}.parquet")
        assert parquet.schema == declared, name
        # JSON read with the card's types (the date as text first: JSON has no dates)
        text_dates = pa.schema([pa.field(f.name, pa.string()) if f.name == "date" else f
                                for f in declared])
        rows = _jsonl(dataset / f"{name}.jsonl")
        table = pa.Table.from_pylist(rows, schema=text_dates)
        table = table.set_column(table.schema.get_field_index("date"), "date",
                                 table["date"].cast(pa.date32()))
        assert table.equals(parquet), name
    assert info["tweets"][TWEET_FIELDS.index("status_id")] == {"name": "status_id",
                                                              "dtype": "string"}


# --- the writers: ids stay exact strings, whatever reads them back ----------------------------

_IDS = ["1177638422134583296", None, "1999999999999999999"]


def _rows() -> list[dict]:
    rows = []
    for order, status_id in enumerate(_IDS):
        rows.append({
            "article": "x.en", "lang": "en", "order": order, "unit": order, "text": "t",
            "author_name": "A", "author_handle": "a", "date": "2019-09-27" if order else None,
            "date_text": None, "status_id": status_id, "url": None, "hashtags": [],
            "mentions": [], "urls": [{"url": "https://t.co/x", "expanded_url": "https://e.com/",
                                      "display_url": "e.com"}] if order == 2 else [],
            "cashtags": [], "quote_id": f"q-{order}",
        })
    return rows


def test_csv_ids_read_back_exactly_with_pandas(tmp_path):
    import pandas as pd
    out = tmp_path / "t.csv"
    write_tweets(_rows(), "csv", str(out))
    frame = pd.read_csv(out, dtype=CSV_DTYPES, keep_default_na=False, na_values=[""])
    assert frame["status_id"].tolist()[::2] == [_IDS[0], _IDS[2]]
    assert frame["status_id"].isna().tolist() == [False, True, False]
    assert frame["urls"].tolist()[2] == "https://e.com/"


def test_csv_ids_read_back_exactly_with_pyarrow(tmp_path):
    import pyarrow.csv as pcsv

    out = tmp_path / "t.csv"
    write_tweets(_rows(), "csv", str(out))
    table = pcsv.read_csv(out, convert_options=pcsv.ConvertOptions(
        column_types={"status_id": pa.string()}, strings_can_be_null=True))
    assert table["status_id"].to_pylist() == _IDS


def test_parquet_types_are_fixed_even_when_every_value_is_empty(tmp_path):
    rows = [{**row, "status_id": None, "date": None, "urls": []} for row in _rows()]
    assert arrow_table(rows).schema == TWEET_SCHEMA
    out = tmp_path / "t.parquet"
    write_tweets(_rows(), "parquet", str(out))
    table = pq.read_table(out)
    assert table.schema == TWEET_SCHEMA
    assert table["status_id"].to_pylist() == _IDS
    assert table["date"].to_pylist() == [None, dt.date(2019, 9, 27), dt.date(2019, 9, 27)]


def test_every_tweet_record_follows_the_contract(dataset):
    table = pq.read_table(dataset / "tweets.parquet")
    assert table.column_names == TWEET_FIELDS
    assert str(table.schema.field("hashtags").type) == "list<element: string>"
    assert str(table.schema.field("cashtags").type) == "list<element: string>"  # all empty
    records = table.to_pylist()
    # 12 quoted tweets in the Turkish and 12 in the Italian version; none elsewhere.
    assert [r["article"] for r in records] == ["cx-tweetchat.tr"] * 12 + ["cx-tweetchat.it"] * 12
    tr, it = records[:12], records[12:]
    for record in records:
        assert record["lang"] == record["article"][-2:]
        assert record["text"] and record["author_handle"] and record["author_handle"][0] != "@"
        assert record["date"] == dt.date(2019, 9, 27)
        assert record["quote_id"].startswith("q-")
    assert [r["order"] for r in tr] == list(range(12)) == [r["order"] for r in it]
    assert [r["quote_id"] for r in tr] == [r["quote_id"] for r in it]
    assert len({r["quote_id"] for r in tr}) == 12


def test_every_quote_record_has_its_texts(dataset):
    quotes = pq.read_table(dataset / "quotes.parquet").to_pylist()
    tweets = pq.read_table(dataset / "tweets.parquet").to_pylist()
    assert len(quotes) == 12
    by_id = {(t["quote_id"], t["lang"]): t["text"] for t in tweets}
    for quote in quotes:
        assert quote["group"] == "cx-tweetchat"
        assert quote["present"] == ["cx-tweetchat.tr", "cx-tweetchat.it"]
        assert quote["missing"] == ["cx-tweetchat.de"]
        assert quote["text_de"] is None
        assert quote["text_tr"] == by_id[(quote["quote_id"], "tr")]
        assert quote["text_it"] == by_id[(quote["quote_id"], "it")]


def test_dataset_card_names_files_counts_languages_licence(dataset):
    card = (dataset / "README.md").read_text("utf-8")
    _, header, body = card.split("---\n", 2)
    meta = yaml.safe_load(header)
    assert meta["language"] == ["de", "it", "tr"]
    assert meta["license"] == "other"
    for config in meta["configs"]:
        assert (dataset / config["data_files"]).is_file()
    assert "24 rows" in body and "12 rows" in body and "cx-tweetchat.de (12)" in body
    assert "## Licence" in body
    for field in TWEET_FIELDS:
        assert f"`{field}`" in body


def test_cli_csv_and_parquet_of_embeds_keep_every_id(tmp_path):
    import pandas as pd
    from click.testing import CliRunner

    from cxcorpus.cli import main

    embeds = ROOT / "tests/data/tweets/wild/embeds.html"
    gold = json.loads((embeds.parent / "expected.json").read_text("utf-8"))["embeds.html"]
    ids = [t["status_id"] for t in gold]
    assert all(len(i) >= 18 for i in ids)
    runner = CliRunner()
    for fmt in ("csv", "parquet"):
        out = tmp_path / f"t.{fmt}"
        done = runner.invoke(main, ["tweets", str(embeds), "--format", fmt, "-o", str(out)])
        assert done.exit_code == 0, done.output
    frame = pd.read_csv(tmp_path / "t.csv", dtype=CSV_DTYPES)
    assert frame["status_id"].tolist() == ids
    table = pq.read_table(tmp_path / "t.parquet")
    assert table["status_id"].to_pylist() == ids
    assert table.schema.field("date").type == pa.date32()
