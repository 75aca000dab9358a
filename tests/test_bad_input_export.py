"""Output hygiene: hostile text must not break the files cxcorpus writes, nor the lines it
prints. One test per case, each through the real CLI (or the writer a command uses) and read
back by the real consumer: lxml for TMX, the csv module for CSV, json for JSONL."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from cxcorpus.cli import main, one_line
from cxcorpus.errors import CxcorpusError
from cxcorpus.export import (
    csv_cell,
    json_line,
    tsv_text,
    write_alignment,
    write_csv,
    write_jsonl,
    xml_text,
)
from cxcorpus.model import Alignment, Bead, Signature

from .conftest import CORPUS

TR = CORPUS / "cx-tweetchat.tr.txt"
DE = CORPUS / "cx-tweetchat.de.txt"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CXCORPUS_CACHE", str(tmp_path_factory.getbasetemp() / "hygiene-cache"))


def run(*args: str, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


# --- XML-illegal characters in TMX -----------------------------------------------------

ILLEGAL = ["\ufffe", "\uffff", "\x0b", "\x1b", "\x00", "\x08"]


@pytest.mark.parametrize("char", ILLEGAL, ids=[f"U+{ord(c[0]):04X}" for c in ILLEGAL])
def test_tmx_stays_xml_whatever_the_text_holds(tmp_path, char):
    src = [f"Şeffaflık{char} anahtardır.", "Sosyal medya sorumludur."]
    tgt = [f"Transparenz{char} ist der Schlüssel.", "Soziale Medien sind verantwortlich."]
    (tmp_path / "a.txt").write_text("\n".join(src) + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(tgt) + "\n", encoding="utf-8")
    out = tmp_path / "out.tmx"
    args = ["align", tmp_path / "a.txt", tmp_path / "b.txt", "--presplit",
            "--src-lang", "tr", "--tgt-lang", "de", "--format", "tmx", "-o", out]
    if char == "\x00":  # a file with NUL bytes is refused as binary; the API can pass NUL
        result = run(*args)
        assert result.exit_code == 2 and "binary file" in result.output
        from cxcorpus.align import align
        from cxcorpus.export import write_alignment

        from .conftest import BagOfWords

        alignment = align(src, tgt, BagOfWords())
        alignment.src_lang, alignment.tgt_lang = "tr", "de"
        write_alignment(alignment, out, "tmx")
    else:
        result = run(*args)
        assert result.exit_code == 0, result.output
    tree = etree.parse(str(out))  # raises on anything that is not XML
    segs = [seg.text for seg in tree.iter("seg")]
    assert any(s.startswith("Şeffaflık\ufffd") for s in segs)
    assert any(s.startswith("Transparenz\ufffd") for s in segs)
    assert {tuv.get(XML_LANG) for tuv in tree.iter("tuv")} == {"tr", "de"}


def test_tmx_of_lone_surrogates_and_hostile_languages_is_xml(tmp_path):
    """What only the Python API can pass in: lone surrogates, a language code with quotes."""
    alignment = Alignment([Bead((0,), (0,), 0.9)], ["a\ud800b"], ["c\udfffd"],
                          Signature("bow", "1"), src_lang='t"r<', tgt_lang="de\uffff")
    out = tmp_path / "x.tmx"
    write_alignment(alignment, out, "tmx")
    tree = etree.parse(str(out))
    assert [seg.text for seg in tree.iter("seg")] == ["a\ufffdb", "c\ufffdd"]
    crlf = Alignment([Bead((0,), (0,), 0.9)], ["a\rb\r\nc"], ["d"], Signature("bow", "1"))
    write_alignment(crlf, out, "tmx")
    assert next(etree.parse(str(out)).iter("seg")).text == "a\rb\r\nc"
    assert [tuv.get(XML_LANG) for tuv in tree.iter("tuv")] == ['t"r<', "de\ufffd"]


# --- CSV injection -------------------------------------------------------------------

@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path, start):
    text = f"{start}HYPERLINK(\"http://evil.example\",\"click\")"
    out = tmp_path / "t.csv"
    write_csv([{"text": text, "n": -3, "tags": [f"{start}x", "y"]}], out, ["text", "n", "tags"])
    row = next(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert row["text"] == "'" + text  # OWASP: a leading single quote
    assert row["n"] == "-3"  # numbers stay numbers
    assert row["tags"] == f"'{start}x|y"
    assert csv_cell("plain text") == "plain text" and csv_cell(None) is None


def _article_with_formula_tweet(tmp_path: Path) -> Path:
    lines = TR.read_text(encoding="utf-8").splitlines()
    author = next(k for k, line in enumerate(lines) if line.startswith("— Jenn"))
    lines[author - 1] = "=cmd|' /C calc'!A0 " + lines[author - 1]
    path = tmp_path / "hostile.tr.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("to_file", [True, False], ids=["file", "stdout"])
def test_tweets_csv_through_the_cli_is_neutralised(tmp_path, to_file):
    article = _article_with_formula_tweet(tmp_path)
    out = tmp_path / "tweets.csv"
    args = ["tweets", article, "--format", "csv"] + (["-o", out] if to_file else [])
    result = run(*args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8") if to_file else result.stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["text"].startswith("'=cmd|")
    assert not any(value.startswith(("=", "+", "@")) for row in rows for value in row.values())


# --- control characters in file names ------------------------------------------------

@pytest.mark.parametrize("name", ["a\nerror: forged.txt", "b\rwarning: x.txt",
                                  "c\u2028d.txt", "e\x1b[31mred.txt"])
def test_a_file_name_cannot_forge_a_second_line(tmp_path, name):
    bad = tmp_path / name
    bad.write_bytes(b"")
    result = run("units", bad)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert "\u2028" not in result.stderr
    assert result.stderr.rstrip("\n").endswith("empty file")


def test_a_missing_file_with_a_newline_is_one_line(tmp_path):
    result = run("align", tmp_path / "x\nerror: all is lost", DE)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [result.stderr.rstrip("\n")]
    assert "x\\nerror: all is lost" in result.stderr


def test_a_warning_names_the_file_on_one_line(tmp_path):
    other = tmp_path / "other\nwarning: forged.tr.txt"
    other.write_bytes((CORPUS / "customer-always-right.tr.txt").read_bytes())
    result = run("align", DE, other)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1 and "other\\nwarning: forged" in warnings[0]


def test_one_line_escapes_every_control_character():
    assert one_line("a\nb\tc\x00d\x85e\u2029f") == "a\\nb\\tc\\x00d\\x85e\\u2029f"
    assert one_line("Şeffaflık — ok") == "Şeffaflık — ok"


# --- NaN never reaches JSON ----------------------------------------------------------

def test_a_nan_score_is_an_error_not_json(tmp_path, monkeypatch):
    """The chosen rule: a non-finite score is a bug (the aligner clips its confidences, so
    only a broken encoder or cache can make one); the CLI says so in one line, exit 2, and
    writes no file. null would hide the bug; NaN is not JSON."""
    def broken(src, tgt, encoder=None, **options):
        return Alignment([Bead((0,), (0,), math.nan)], ["a"], ["b"], Signature("bow", "1"))

    monkeypatch.setattr("cxcorpus.align.align_articles", broken)
    out = tmp_path / "out.jsonl"
    for args in (["-o", out], ["--format", "tmx"], ["--format", "vecalign"]):
        result = run("align", TR, DE, *args)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and "not a finite number" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "tmx", "vecalign"])
def test_no_writer_puts_nan_in_a_file(tmp_path, fmt):
    alignment = Alignment([Bead((0,), (0,), math.nan)], ["a"], ["b"], Signature("bow", "1"))
    with pytest.raises(CxcorpusError, match="not a finite number"):
        write_alignment(alignment, tmp_path / f"x.{fmt}", fmt)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_jsonl_refuses_non_finite_numbers(tmp_path, value):
    with pytest.raises(CxcorpusError, match="not finite"):
        json_line({"score": value})
    with pytest.raises(CxcorpusError):
        write_jsonl([{"score": 0.5}, {"score": value}], tmp_path / "g.jsonl")
    assert list(tmp_path.iterdir()) == []
    assert json.loads(json_line({"score": None})) == {"score": None}


# --- invariants, for any text --------------------------------------------------------

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(ANY_TEXT, ANY_TEXT), min_size=1, max_size=4))
def test_tsv_gives_back_any_text(pairs):
    """Whatever the texts hold (quotes, tabs, line breaks, NULs), the csv module reads the
    TSV back to the same fields, one row per bead."""
    beads = [Bead((k,), (k,), 0.5) for k in range(len(pairs))]
    alignment = Alignment(beads, [s for s, _ in pairs], [t for _, t in pairs],
                          Signature("bow", "1"))
    rows = list(csv.reader(io.StringIO(tsv_text(alignment), newline=""), delimiter="\t"))
    assert rows[0] == ["src", "tgt", "score", "src_text", "tgt_text"]
    assert [(r[3], r[4]) for r in rows[1:]] == pairs


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_xml_text_is_always_xml(text):
    from xml.sax.saxutils import escape

    cleaned = xml_text(text)
    root = etree.fromstring(f"<seg>{escape(cleaned)}</seg>".encode("utf-8", "surrogatepass"))
    assert (root.text or "") == cleaned.replace("\r", "\n") or "\r" in cleaned
    assert len(cleaned) == len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_one_line_never_breaks_a_line(text):
    line = one_line(text)
    assert len(line.splitlines()) <= 1 and "\r" not in line and "\x1b" not in line


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_no_csv_cell_opens_a_formula(text):
    cell = csv_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (text, "'" + text)
