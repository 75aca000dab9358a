"""Loading a folder: the manifest, automatic translation groups, info rows, bad manifests."""

from __future__ import annotations

import shutil

import pytest

from cxcorpus.corpus import corpus_info, find_groups, format_info_table, load_corpus
from cxcorpus.errors import InputError, TranslationError

from .conftest import CORPUS


def test_manifest_groups_the_bundled_corpus():
    corpus = load_corpus(CORPUS)
    assert corpus.grouped_by == "manifest"
    assert corpus.groups == {
        "cx-tweetchat": ["cx-tweetchat.tr", "cx-tweetchat.de", "cx-tweetchat.it"],
        "twitter-customer-conversation": ["twitter-customer-conversation.tr"],
        "customer-always-right": ["customer-always-right.tr"],
    }
    assert [a.lang for a in corpus.group_articles("cx-tweetchat")] == ["tr", "de", "it"]


def test_groups_found_without_a_manifest(tmp_path, seed_articles):
    """The three versions of one article group together; the two Turkish-only ones stay alone."""
    for path in CORPUS.glob("*.txt"):
        shutil.copy(path, tmp_path / path.name)
    corpus = load_corpus(tmp_path)
    assert corpus.grouped_by == "content"
    assert sorted(map(sorted, corpus.groups.values())) == [
        ["customer-always-right.tr"],
        ["cx-tweetchat.de", "cx-tweetchat.it", "cx-tweetchat.tr"],
        ["twitter-customer-conversation.tr"],
    ]


def test_same_language_articles_never_group(seed_articles):
    turkish = [seed_articles["cx-tweetchat.tr"], seed_articles["customer-always-right.tr"],
               seed_articles["twitter-customer-conversation.tr"]]
    groups = find_groups(turkish)
    assert len(groups) == 3


def test_info_rows_and_table():
    rows = corpus_info(CORPUS)
    by_id = {r["article"]: r for r in rows}
    assert by_id["cx-tweetchat.de"]["units"] == 26
    assert by_id["cx-tweetchat.tr"]["tweets"] == 12
    assert by_id["cx-tweetchat.it"]["published"] == "2019-10-25"
    table = format_info_table(rows)
    assert table.splitlines()[0].split() == [
        "article", "lang", "published", "units", "title", "heading", "body", "tweet", "meta",
        "group"]
    assert len(table.splitlines()) == 2 + len(rows)


def test_manifest_naming_a_missing_file(tmp_path):
    (tmp_path / "manifest.toml").write_text('[[article]]\nfile = "gone.tr.txt"\n')
    with pytest.raises(TranslationError, match="names a missing file: gone.tr.txt"):
        load_corpus(tmp_path)


@pytest.mark.parametrize("text", ["[[article]\nfile = 1", "title = 'no articles'", "[[article]]\n"])
def test_malformed_manifest(tmp_path, text):
    (tmp_path / "manifest.toml").write_text(text)
    with pytest.raises(InputError, match="malformed manifest"):
        load_corpus(tmp_path)


def test_folder_without_articles(tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(InputError, match="no articles"):
        load_corpus(tmp_path)
