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
