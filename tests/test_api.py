"""The Python API as a user meets it: ``import cxcorpus`` and the functions on it, the
Alignment's iteration, pairs and records, TMX languages, a short ``repr`` of a corpus."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

import cxcorpus

from .conftest import CORPUS, BagOfWords

SRC = Path(cxcorpus.__file__).parent
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAIN = ["read_article", "load_corpus", "align", "align_articles", "align_nway", "find_gaps",
        "nway_gaps", "extract_tweets", "get_encoder", "evaluate", "write_alignment"]


def test_import_loads_nothing_heavy_until_used():
    code = ("import sys, cxcorpus; heavy = [m for m in ('numpy', 'bs4', 'click', "
            "'cxcorpus.align', 'typing') if m in sys.modules]; print(heavy); "
            "cxcorpus.read_article; print('cxcorpus.read' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == ["[]", "True"]


@pytest.mark.parametrize("name", MAIN)
def test_main_functions_are_on_the_package(name):
    assert callable(getattr(cxcorpus, name))
    assert name in cxcorpus.__all__ and name in dir(cxcorpus)


def test_every_name_in_all_resolves():
    for name in cxcorpus.__all__:
        assert getattr(cxcorpus, name) is not None, name
    with pytest.raises(AttributeError):
        cxcorpus.no_such_function  # noqa: B018


def test_callable_modules_stay_modules():
    """``cxcorpus.align`` is the module (its other functions stay reachable) and calling it
    aligns, whichever way the module was first imported."""
    import cxcorpus.align as module
    from cxcorpus import build as build_module

    assert module is cxcorpus.align and hasattr(module, "align_nway")
    assert hasattr(build_module, "format_summary") and callable(build_module)
    result = cxcorpus.align(["Şeffaflık önemlidir.", "Merhaba dünya."],
                            ["Transparenz ist wichtig.", "Hallo Welt."], BagOfWords())
    assert isinstance(result, cxcorpus.Alignment)
    assert [i for b in result for i in b.src] == [0, 1]


def test_py_typed_ships_with_the_package():
    assert (SRC / "py.typed").exists()
    pyproject = (SRC.parents[1] / "pyproject.toml").read_text()
    assert 'cxcorpus = ["py.typed"]' in pyproject


def test_plain_lists_align_and_the_alignment_is_a_sequence_of_beads():
    src = ["Şeffaflık tüm sektörlerde anahtardır.", "Sosyal medya sorumludur.",
           "Bu cümlenin karşılığı yok."]
    tgt = ["Transparenz ist in allen Branchen der Schlüssel.", "Soziale Medien sind verantwortlich."]
    alignment = cxcorpus.align(src, tgt, cxcorpus.get_encoder())
    assert len(alignment) == len(alignment.beads) and list(alignment) == alignment.beads
    assert alignment.pairs() == [((0,), (0,)), ((1,), (1,))]
    assert alignment.pairs(texts=True) == list(zip(src[:2], tgt))
    records = alignment.to_records()
    assert records[-1] == {"src": [2], "tgt": [], "score": None,
                           "src_text": [src[2]], "tgt_text": []}
    assert json.loads(json.dumps(records)) == records


def test_pairs_join_merged_units(seed_articles):
    tr, de = seed_articles["cx-tweetchat.tr"], seed_articles["cx-tweetchat.de"]
    alignment = cxcorpus.align_articles(tr, de, BagOfWords())
    for (s, t), (s_text, t_text) in zip(alignment.pairs(), alignment.pairs(texts=True)):
        assert s_text == " ".join(alignment.src_texts[i] for i in s)
        assert t_text == " ".join(alignment.tgt_texts[j] for j in t)


def test_write_alignment_uses_the_articles_languages(seed_articles, tmp_path):
    tr, it = seed_articles["cx-tweetchat.tr"], seed_articles["cx-tweetchat.it"]
    alignment = cxcorpus.align_articles(tr, it, BagOfWords())
    assert (alignment.src_lang, alignment.tgt_lang) == ("tr", "it")
    cxcorpus.write_alignment(alignment, tmp_path / "a.tmx", "tmx")
    tree = etree.parse(str(tmp_path / "a.tmx"))
    assert tree.find("header").get("srclang") == "tr"
    assert {tuv.get(XML_LANG) for tuv in tree.iter("tuv")} == {"tr", "it"}
    cxcorpus.write_alignment(alignment, tmp_path / "b.tmx", "tmx", src_lang="tr-TR")
    assert etree.parse(str(tmp_path / "b.tmx")).find("header").get("srclang") == "tr-TR"


def test_plain_lists_write_und_languages(tmp_path):
    alignment = cxcorpus.align(["Merhaba."], ["Hallo."], BagOfWords())
    cxcorpus.write_alignment(alignment, tmp_path / "a.tmx", "tmx")
    langs = {tuv.get(XML_LANG) for tuv in etree.parse(str(tmp_path / "a.tmx")).iter("tuv")}
    assert langs == {"und"}


def test_corpus_repr_is_short():
    corpus = cxcorpus.load_corpus(CORPUS)
    text = repr(corpus)
    assert text.startswith("<Corpus ") and "5 articles" in text and len(text) < 200
    assert "Şeffaflık" not in text


def test_gaps_and_report_do_not_import_each_other():
    """No cycle: report may use gaps; gaps (the library) never reaches for the report."""
    def imports(module: str) -> set[str]:
        tree = ast.parse((SRC / f"{module}.py").read_text(encoding="utf-8"))
        return {node.module for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module}

    assert "report" not in imports("gaps") and "export" not in imports("gaps")
    assert not hasattr(__import__("cxcorpus.gaps").gaps, "export_gaps")
    assert "gaps" not in {m for m in imports("export")}
