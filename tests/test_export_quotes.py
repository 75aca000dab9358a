"""scripts/export_quotes.py: the dataset loads back with pyarrow, record for record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

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


def test_parquet_and_jsonl_hold_the_same_records(dataset):
    for name in ("tweets", "quotes"):
        from_parquet = pq.read_table(dataset / f"{name}.parquet").to_pylist()
        from_json = _jsonl(dataset / f"{name}.jsonl")
        assert from_parquet == from_json, name


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
        assert record["date"] == "2019-09-27"
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
