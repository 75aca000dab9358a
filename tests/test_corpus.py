"""Loading a folder: the manifest, automatic translation groups, info rows, bad manifests."""

from __future__ import annotations

import re
import shutil

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


# --- grouping that scales -----------------------------------------------------------------


def _all_pairs_groups(articles, encoder):
    """The 0.1.0 grouping: every pair compared, union rescanning all articles per pair."""
    import numpy as np

    from cxcorpus.corpus import GROUP_SIMILARITY

    vectors = []
    for article in articles:
        mean = np.asarray(encoder.encode([u.text for u in article.aligned_units]),
                          dtype=np.float32).mean(axis=0)
        vectors.append(mean / (np.linalg.norm(mean) or 1.0))
    parent = list(range(len(articles)))

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    pairs = sorted(
        ((float(vectors[i] @ vectors[j]), i, j)
         for i in range(len(articles)) for j in range(i + 1, len(articles))
         if articles[i].lang != articles[j].lang
         and not (articles[i].published and articles[j].published
                  and articles[i].published != articles[j].published)
         and float(vectors[i] @ vectors[j]) >= GROUP_SIMILARITY), reverse=True)
    for _s, i, j in pairs:
        ri, rj = root(i), root(j)
        langs_i = {articles[k].lang for k in range(len(articles)) if root(k) == ri}
        langs_j = {articles[k].lang for k in range(len(articles)) if root(k) == rj}
        if ri != rj and not langs_i & langs_j:
            parent[rj] = ri
    members = {}
    for k, article in enumerate(articles):
        members.setdefault(root(k), []).append(article.id)
    return sorted(members.values())


def _one_line_articles(lines_langs_dates):
    import datetime as dt

    from cxcorpus.model import Article, Unit

    return [Article(id=f"a{k}.{lang}", path=f"a{k}.{lang}.txt", lang=lang, title=None,
                    published=dt.date(2019, 10, day) if day else None,
                    units=[Unit("body", line, index=0, lang=lang)])
            for k, (line, lang, day) in enumerate(lines_langs_dates)]


SEED_LINES = sorted({line.strip() for p in CORPUS.glob("*.txt")
                     for line in p.read_text(encoding="utf-8").splitlines() if line.strip()})


_SAME = next(line for line in SEED_LINES if line.startswith('"Müşterilere, ürünü'))


@given(st.lists(st.tuples(st.sampled_from(SEED_LINES[:40]), st.sampled_from(["tr", "de", "it"]),
                          st.sampled_from([None, 1, 2])), min_size=2, max_size=30))
@example([(_SAME, "tr", None), (_SAME, "tr", 1), (_SAME, "de", None)])  # an exact tie
@settings(max_examples=40, deadline=None)
def test_nearest_neighbour_grouping_equals_all_pairs(rows):
    """Exact neighbour search with blocking by date gives the all-pairs groups (repeated
    lines make ties and many candidates: the hard cases)."""
    from .conftest import BagOfWords

    articles = _one_line_articles(rows)
    groups = find_groups(articles, encoder=BagOfWords())
    assert sorted(groups.values()) == _all_pairs_groups(articles, BagOfWords())


def test_the_index_for_large_corpora_finds_the_translation_groups(monkeypatch):
    """Above EXACT_LIMIT the k-means cells are used: on 600 articles of 200 three-language
    groups (shared words, own noise), lowered limit, the groups are those of exact search."""
    import random

    from cxcorpus import corpus

    from .conftest import BagOfWords

    rng = random.Random(7)
    rows = []
    for group in range(200):
        words = " ".join(rng.sample(SEED_LINES, 2))
        for lang in ("tr", "de", "it"):
            rows.append((f"{words} {lang}{group}", lang, None))
    articles = _one_line_articles(rows)
    exact = find_groups(articles, encoder=BagOfWords())
    monkeypatch.setattr(corpus, "EXACT_LIMIT", 50)
    indexed = find_groups(articles, encoder=BagOfWords())
    assert sorted(indexed.values()) == sorted(exact.values())
    assert sum(len(g) == 3 for g in exact.values()) >= 190


def test_ids_are_unique_by_construction(tmp_path):
    for name in ("a/doc.txt", "b/doc.txt", "x.tr.txt", "x.tr.html"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(CORPUS / "cx-tweetchat.tr.txt", tmp_path / name)
    from cxcorpus.corpus import article_files, article_ids

    assert article_ids(tmp_path, article_files(tmp_path)) == [
        "a/doc", "b/doc", "x.tr.html", "x.tr.txt"]


@pytest.mark.parametrize(("manifest", "problem"), [
    ('[[article]]\nfile = "cx-tweetchat.tr.txt"\nlang = 5\n', "lang = 5 is not text"),
    ("x = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deeply"),
    ('[[article]]\nfile = "../elsewhere.tr.txt"\n', "outside the corpus folder"),
])
def test_manifest_shape_errors(tmp_path, manifest, problem):
    shutil.copy(CORPUS / "cx-tweetchat.tr.txt", tmp_path)
    (tmp_path / "manifest.toml").write_text(manifest)
    with pytest.raises(InputError, match=re.escape(problem)):
        load_corpus(tmp_path)


def test_allow_outside_reads_a_manifest_entry_outside(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    shutil.copy(CORPUS / "cx-tweetchat.de.txt", tmp_path / "de.txt")
    shutil.copy(CORPUS / "cx-tweetchat.tr.txt", root)
    (root / "manifest.toml").write_text('[[article]]\nfile = "cx-tweetchat.tr.txt"\ngroup = "g"\n'
                                        '[[article]]\nfile = "../de.txt"\ngroup = "g"\n')
    with pytest.raises(InputError, match="outside the corpus folder"):
        load_corpus(root)
    corpus = load_corpus(root, allow_outside=True)
    assert corpus.groups == {"g": ["cx-tweetchat.tr", "de"]}
