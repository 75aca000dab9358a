"""`cxcorpus info` and `cxcorpus units` through the real CLI, and its one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cxcorpus.cli import main

from .conftest import CORPUS


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_info_table_lists_every_article():
    result = run("info", str(CORPUS))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 2 + 5
    assert any(line.split()[:4] == ["cx-tweetchat.de", "de", "2019-10-25", "26"] for line in lines)


def test_info_json_for_scripts():
    result = run("info", str(CORPUS), "--format", "json")
    rows = json.loads(result.output)
    assert {r["article"]: r["group"] for r in rows}["cx-tweetchat.it"] == "cx-tweetchat"


def test_units_jsonl():
    result = run("units", str(CORPUS / "cx-tweetchat.tr.txt"))
    records = [json.loads(line) for line in result.output.splitlines()]
    assert len(records) == 35
    assert records[1] == {"article": "cx-tweetchat.tr", "index": None, "kind": "metadata",
                          "lang": "tr", "line": 2, "text": "Yayınlanan: 2019-10-25",
                          "data": {"date": "2019-10-25"}}
    assert [r["index"] for r in records if r["index"] is not None] == list(range(34))


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty file"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file (a PNG image), not text")],
)
def test_bad_file_one_line_error_exit_2(tmp_path, content, problem):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    result = run("units", str(bad))
    assert result.exit_code == 2
    assert result.output == f"error: {bad}: {problem}\n"


def test_missing_path_and_empty_folder(tmp_path):
    result = run("info", str(tmp_path / "nope"))
    assert (result.exit_code, result.output) == (2, f"error: {tmp_path / 'nope'}: no such file or folder\n")
    result = run("info", str(tmp_path))
    assert result.exit_code == 2
    assert "no articles" in result.output


def test_debug_shows_the_traceback(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = run("--debug", "units", str(bad))
    assert result.exit_code != 0
    assert result.exception is not None


def test_units_text_is_one_record_per_line():
    jsonl = [json.loads(line) for line in run("units", str(CORPUS / "cx-tweetchat.tr.txt"))
             .output.splitlines()]
    result = run("units", str(CORPUS / "cx-tweetchat.tr.txt"), "--format", "text")
    lines = result.output.splitlines()
    assert len(lines) == len(jsonl) == 35
    for line, record in zip(lines, jsonl):
        index, kind, text = line.split("\t")
        assert (index, kind) == (str(record["index"]) if record["index"] is not None else "-",
                                 record["kind"])
        assert text == record["text"].replace("\\", "\\\\").replace("\n", "\\n")
    assert any("\\n— " in line for line in lines)  # a tweet and its attribution, one line


def test_units_reads_standard_input():
    data = (CORPUS / "cx-tweetchat.de.txt").read_bytes()
    piped = CliRunner().invoke(main, ["units", "-"], input=data)
    assert piped.exit_code == 0, piped.output
    direct = run("units", str(CORPUS / "cx-tweetchat.de.txt"))
    strip = [{k: v for k, v in json.loads(line).items() if k != "article"}
             for line in direct.output.splitlines()]
    assert [{k: v for k, v in json.loads(line).items() if k != "article"}
            for line in piped.output.splitlines()] == strip
    assert json.loads(piped.output.splitlines()[0])["article"] == "stdin"
    empty = CliRunner().invoke(main, ["units", "-"], input=b"")
    assert empty.exit_code == 2 and empty.output.startswith("error: <stdin>: ")


@pytest.mark.parametrize(("count", "text"), [(0, "0 missing sentences"),
                                             (1, "1 missing sentence"),
                                             (2, "2 missing sentences")])
def test_plurals(count, text):
    from cxcorpus.report import plural

    assert plural(count, "missing sentence") == text


def test_no_command_shows_the_help_not_an_error():
    result = run()
    assert "Commands:" in result.output and "error:" not in result.output
    from importlib.metadata import version

    assert run("--version").output == f"cxcorpus, version {version('cxcorpus')}\n"
