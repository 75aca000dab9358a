"""The atomic writers: whole files or none, readable by others, CSV and JSONL as promised."""

from __future__ import annotations

import csv
import json
import os

import pytest

from cxcorpus.export import atomic_open, write_csv, write_jsonl


def test_jsonl_keeps_non_ascii_and_one_object_per_line(tmp_path):
    out = tmp_path / "t.jsonl"
    records = [{"text": "Şeffaflık güven oluşturur", "n": 1}, {"text": "„Du“", "n": 2}]
    write_jsonl(records, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == records
    assert "Şeffaflık" in lines[0]


def test_csv_joins_lists(tmp_path):
    out = tmp_path / "t.csv"
    write_csv([{"hashtags": ["CXTweetChat", "SAP_CX"], "x": 1}], out, ["hashtags"])
    assert list(csv.DictReader(out.open(encoding="utf-8"))) == [
        {"hashtags": "CXTweetChat|SAP_CX"}]


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    out = tmp_path / "t.jsonl"
    out.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_open(out) as handle:
        handle.write("half")
        raise RuntimeError("interrupted")
    assert out.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["t.jsonl"]


def test_written_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_jsonl([{"a": 1}], tmp_path / "t.jsonl")
    finally:
        os.umask(old)
    assert oct(os.stat(tmp_path / "t.jsonl").st_mode & 0o777) == "0o644"


# --- what the users' own tools read back -------------------------------------------

def test_datasets_loads_tweets_json_and_parquet_with_the_same_features(tmp_path):
    """Hugging Face ``datasets`` reads the JSONL and the Parquet export alike."""
    import datasets
    from click.testing import CliRunner

    from cxcorpus.cli import main

    from .conftest import CORPUS

    loaded = {}
    for fmt in ("jsonl", "parquet"):
        out = tmp_path / f"tweets.{fmt}"
        result = CliRunner().invoke(main, ["tweets", str(CORPUS), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        builder = "json" if fmt == "jsonl" else "parquet"
        loaded[fmt] = datasets.load_dataset(builder, data_files=str(out), split="train",
                                            cache_dir=str(tmp_path / "hf-cache"))
    # JSON carries no schema: datasets infers types of its own for ``date`` and for columns
    # that are null or empty in every row. Given the Parquet file's features (the dataset
    # card's), the JSONL loads into exactly the same table, dates included.
    features = loaded["parquet"].features
    assert features["date"] == datasets.Value("date32")
    assert features["status_id"] == datasets.Value("string")
    as_json = datasets.load_dataset("json", data_files=str(tmp_path / "tweets.jsonl"),
                                    split="train", features=features,
                                    cache_dir=str(tmp_path / "hf-cache"))
    assert as_json.features == features
    assert as_json.num_rows == loaded["parquet"].num_rows == 24
    parquet_rows = loaded["parquet"].to_list()
    assert as_json.to_list() == parquet_rows
    assert str(parquet_rows[0]["date"]) == "2019-09-27"
    inferred = {k for k in features if loaded["jsonl"].features[k] != features[k]}
    assert inferred <= {"date", "status_id", "url", "cashtags"}
    first = as_json[0]
    assert first["author_handle"] == "jennvzande" and first["hashtags"] == ["CXtweetchat"]


def test_datasets_loads_an_alignment_jsonl(tmp_path, monkeypatch):
    import datasets
    from click.testing import CliRunner

    from cxcorpus.cli import main

    from .conftest import CORPUS

    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "tr-it.jsonl"
    result = CliRunner().invoke(main, ["align", str(CORPUS / "cx-tweetchat.tr.txt"),
                                       str(CORPUS / "cx-tweetchat.it.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = datasets.load_dataset("json", data_files=str(out), split="train",
                                 cache_dir=str(tmp_path / "hf-cache"))
    assert set(data.features) == {"src", "tgt", "score", "src_text", "tgt_text"}
    assert data.features["score"].dtype == "float64"
    assert [i for row in data["src"] for i in row] == list(range(34))
