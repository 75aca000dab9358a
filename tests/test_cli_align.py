"""``cxcorpus align`` and ``cxcorpus evaluate`` through click's runner, on real files."""

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from cxcorpus.cli import main
from cxcorpus.read import read_article

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


def _read_tsv(text: str):
    import pandas as pd

    # dtype=str and keep_default_na=False: a text "NA" or "" stays text, as written.
    return pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)


def test_tsv_reads_back_identical_in_pandas(run):
    tsv = run("align", TR, str(CORPUS / "cx-tweetchat.it.txt"), "--format", "tsv").stdout
    records = [json.loads(line) for line in
               run("align", TR, str(CORPUS / "cx-tweetchat.it.txt")).stdout.splitlines()]
    frame = _read_tsv(tsv)
    assert list(frame.columns) == ["src", "tgt", "score", "src_text", "tgt_text"]
    assert len(frame) == len(records)
    assert frame["src_text"].tolist() == [" ".join(r["src_text"]) for r in records]
    assert frame["tgt_text"].tolist() == [" ".join(r["tgt_text"]) for r in records]
    assert any("\n— " in text for text in frame["src_text"])  # a tweet's attribution line
    assert frame["src"].tolist() == [",".join(map(str, r["src"])) for r in records]


def test_tsv_keeps_quotes_and_tabs_of_presplit_lines(run, tmp_path):
    """Lines opening with a quote or holding a tab (which once swallowed the next field)."""
    tr = [u.text.replace("\n", " ") for u in read_article(TR).aligned_units[:6]]
    de = [u.text.replace("\n", " ") for u in read_article(DE).aligned_units[:6]]
    tr[1], de[1] = f'"{tr[1]}" dedi.', f'"{de[1]}", sagte sie.'
    tr[2], de[2] = tr[2].replace(" ", "\t", 2), de[2].replace(" ", "\t", 2)
    tr[3] = '"' + tr[3]
    (tmp_path / "tr.txt").write_text("\n".join(tr) + "\n", encoding="utf-8")
    (tmp_path / "de.txt").write_text("\n".join(de) + "\n", encoding="utf-8")
    result = run("align", str(tmp_path / "tr.txt"), str(tmp_path / "de.txt"), "--presplit",
                 "--format", "tsv")
    frame = _read_tsv(result.stdout)
    src = [int(i) for cell in frame["src"] if cell for i in cell.split(",")]
    assert src == list(range(6))
    joined = {t for text in frame["src_text"] for t in [text]}
    assert tr[1] in joined or any(tr[1] in text for text in frame["src_text"])
    assert any(tr[2] in text for text in frame["src_text"])  # tabs kept
    assert any(text.startswith('"') for text in frame["src_text"])


def test_stdin_dash_reads_an_article(run):
    piped = CliRunner().invoke(main, ["align", "-", DE], input=Path(TR).read_bytes())
    assert piped.exit_code == 0, piped.output
    assert piped.stdout == run("align", TR, DE).stdout
    both = CliRunner().invoke(main, ["align", "-", "-"], input=b"x\n")
    assert both.exit_code == 2 and both.stderr.startswith("error: ")


def test_presplit_tmx_takes_the_languages(run, tmp_path):
    out = tmp_path / "004.tmx"
    result = run("align", str(DATA / "textberg-004.de"), str(DATA / "textberg-004.fr"),
                 "--presplit", "--src-lang", "de", "--tgt-lang", "fr", "--format", "tmx",
                 "-o", str(out))
    assert result.exit_code == 0
    tree = etree.parse(str(out))
    assert tree.find("header").get("srclang") == "de"
    assert tree.find("header").get("segtype") == "sentence"
    langs = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tree.iter("tuv")}
    assert langs == {"de", "fr"}


def test_usage_errors_are_one_line_exit_2(run):
    result = CliRunner().invoke(main, ["align", TR])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: Missing argument 'TGT'")
    assert "align --help" in result.stderr
    bad = CliRunner().invoke(main, ["align", TR, DE, "--format", "xlsx"])
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1 and "xlsx" in bad.stderr


def test_help_shows_defaults_and_keeps_examples_unwrapped():
    text = CliRunner().invoke(main, ["align", "--help"]).stdout
    assert "[default: jsonl]" in text
    lines = text.splitlines()
    example = ("cxcorpus align corpus/cx-tweetchat.tr.txt corpus/cx-tweetchat.de.txt "
               "--format tsv")
    assert any(line.strip() == example for line in lines)
    assert any(line.strip().startswith("cxcorpus align de.txt fr.txt --presplit")
               for line in lines)
    for command in ("info", "units", "tweets", "gaps", "evaluate"):
        assert "[default: " in CliRunner().invoke(main, [command, "--help"]).stdout, command


def test_missing_file_is_a_one_line_error(run, tmp_path):
    result = run("align", str(tmp_path / "nope.txt"), DE, "--presplit")
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert "nope.txt" in result.stderr


def test_evaluate_needs_gold_and_test(run):
    result = CliRunner().invoke(main, ["evaluate", "--gold", "x"])
    assert result.exit_code == 2 and "--test" in result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


@pytest.fixture
def test_file(run, tmp_path):
    out = tmp_path / "004.test"
    run("align", str(DATA / "textberg-004.de"), str(DATA / "textberg-004.fr"),
        "--presplit", "--format", "vecalign", "-o", str(out))
    return str(out)


@pytest.mark.parametrize("form", [
    ["--gold", "{g}", "--test", "{t}"],
    ["--gold={g}", "--test={t}"],
    ["-g", "{g}", "-t", "{t}"],
    ["--test", "{t}", "--gold", "{g}"],
    ["-g{g}", "-t{t}", "--format", "json"],
])
def test_evaluate_takes_options_as_click_does(run, test_file, form):
    gold = str(DATA / "textberg-004.gold")
    result = run("evaluate", *[a.format(g=gold, t=test_file) for a in form])
    assert result.exit_code == 0, result.output
    assert "0.9" in result.stdout


def test_evaluate_several_files_after_one_option(run, test_file):
    gold = str(DATA / "textberg-004.gold")
    result = run("evaluate", "--gold", gold, gold, "--test", test_file, test_file,
                 "--format", "json")
    assert json.loads(result.stdout)["files"] == 2
    repeated = run("evaluate", "-g", gold, "-g", gold, "-t", test_file, "-t", test_file,
                   "--format", "json")
    assert json.loads(repeated.stdout) == json.loads(result.stdout)
    uneven = CliRunner().invoke(main, ["evaluate", "--gold", gold, gold, "--test", test_file])
    assert uneven.exit_code == 2 and "2 gold files but 1 test files" in uneven.stderr


def test_evaluate_help_lists_its_options():
    text = CliRunner().invoke(main, ["evaluate", "--help"]).stdout
    for option in ("-g, --gold", "-t, --test", "--format [text|json]", "[default: text]"):
        assert option in text


def test_unrelated_pair_gets_a_warning(run):
    result = run("align", DE, str(CORPUS / "customer-always-right.tr.txt"))
    assert result.exit_code == 0
    assert "do not look like translations" in result.stderr
    assert "warning" not in run("align", TR, DE).stderr
