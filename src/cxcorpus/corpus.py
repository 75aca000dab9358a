"""A folder -> articles and translation groups (from ``manifest.toml``, or found automatically).

Without a manifest, articles in different languages are grouped when their content is close in
a multilingual embedding space (mean of their unit vectors) and their publication dates agree.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, TranslationError
from .model import Article
from .read import HTML_SUFFIXES, TEXT_SUFFIXES, article_id_from_path, read_article

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST = "manifest.toml"
# Two articles whose mean unit vectors are this close are taken as translations.
GROUP_SIMILARITY = 0.75


@dataclass
class Corpus:
    """The articles of a folder, and the translation groups among them (group name -> ids)."""

    root: str
    articles: list[Article]
    groups: dict[str, list[str]] = field(default_factory=dict)
    grouped_by: str = "manifest"

    def article(self, article_id: str) -> Article:
        """The article with this id (file name without extension, e.g. ``cx-tweetchat.tr``)."""
        for article in self.articles:
            if article.id == article_id:
                return article
        raise TranslationError(self.root, f"no article {article_id!r} in the corpus")

    def group_articles(self, group: str) -> list[Article]:
        """The articles of one translation group, in the order the group lists them."""
        return [self.article(i) for i in self.groups[group]]


def load_corpus(path: str | Path, *, encoder: Any = None) -> Corpus:
    """Read every article under ``path`` (a folder, or a single file) and group translations.

    A ``manifest.toml`` in the folder names the files, their languages and groups; without one,
    groups are found with :func:`find_groups` (which needs an encoder; the default is loaded
    only then).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_file():
        article = read_article(path)
        article.group = article.id
        return Corpus(str(path), [article], {article.id: [article.id]}, grouped_by="single")
    manifest = path / MANIFEST
    if manifest.exists():
        return _load_with_manifest(path, manifest)
    files = article_files(path)
    if not files:
        raise InputError(path, "no articles (.txt or .html files) in this folder")
    articles = [read_article(f, article_id=_relative_id(path, f)) for f in files]
    groups = find_groups(articles, encoder=encoder)
    return Corpus(str(path), articles, groups, grouped_by="content")


def article_files(folder: Path) -> list[Path]:
    """Text and HTML files under ``folder``, sorted; hidden files and link loops are skipped."""
    found = []
    seen: set[tuple[int, int]] = set()
    for root, dirs, names in os.walk(folder, followlinks=True, onerror=_unreadable):
        stat = os.stat(root)
        if (stat.st_dev, stat.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES + HTML_SUFFIXES):
                continue
            if name.lower() in ("readme.md", "readme.txt", "license.txt"):
                continue
            candidate = Path(root) / name
            if candidate.is_file():
                found.append(candidate)
    return sorted(found)


def _unreadable(exc: OSError) -> None:
    # os.walk would skip a folder it cannot list, and its articles would vanish unseen.
    raise InputError(exc.filename, f"cannot read folder: {exc.strerror or exc}") from exc


def _relative_id(folder: Path, file: Path) -> str:
    relative = file.relative_to(folder)
    stem = article_id_from_path(file)
    return str(relative.parent / stem) if relative.parent != Path(".") else stem


def _load_with_manifest(folder: Path, manifest: Path) -> Corpus:
    try:
        entries = tomllib.loads(manifest.read_text(encoding="utf-8")).get("article")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(manifest, f"malformed manifest: {exc}") from exc
    if not isinstance(entries, list) or not entries:
        raise InputError(manifest, "malformed manifest: expected [[article]] tables")
    articles, groups, named = [], {}, set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise InputError(manifest, f"malformed manifest: article {number} has no 'file'")
        if entry["file"] in named:
            raise InputError(manifest, f"malformed manifest: names {entry['file']} twice")
        named.add(entry["file"])
        file = folder / entry["file"]
        if not file.is_file():
            raise TranslationError(manifest, f"names a missing file: {entry['file']}")
        article = read_article(file)
        article.group = str(entry.get("group") or article.id)
        declared = entry.get("lang")
        if declared and declared != article.lang:
            import warnings

            warnings.warn(
                f"{file}: manifest says {declared!r}, langdetect says {article.lang!r}; "
                f"using {declared!r}",
                stacklevel=2,
            )
            article.lang = declared
        articles.append(article)
        groups.setdefault(article.group, []).append(article.id)
    return Corpus(str(folder), articles, groups, grouped_by="manifest")


def find_groups(articles: list[Article], *, encoder: Any = None) -> dict[str, list[str]]:
    """Group articles that are translations of each other, without a manifest.

    Two articles in different languages join one group when the cosine of their mean unit
    embeddings is at least ``GROUP_SIMILARITY`` and their publication dates (when both have
    one) are the same. Each group is named after the id of its first article, less the
    language part (``cx-tweetchat.tr`` -> ``cx-tweetchat``).
    """
    import numpy as np

    if encoder is None:
        from .embed import default_encoder

        encoder = default_encoder()
    vectors = []
    for article in articles:
        texts = [u.text for u in article.aligned_units] or [article.title or ""]
        mean = np.asarray(encoder.encode(texts), dtype=np.float32).mean(axis=0)
        vectors.append(mean / (np.linalg.norm(mean) or 1.0))
    parent = list(range(len(articles)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = []
    for i in range(len(articles)):
        for j in range(i + 1, len(articles)):
            a, b = articles[i], articles[j]
            if a.lang == b.lang:
                continue
            if a.published and b.published and a.published != b.published:
                continue
            similarity = float(vectors[i] @ vectors[j])
            if similarity >= GROUP_SIMILARITY:
                pairs.append((similarity, i, j))
    for _similarity, i, j in sorted(pairs, reverse=True):
        ri, rj = root(i), root(j)
        langs_i = {articles[k].lang for k in range(len(articles)) if root(k) == ri}
        langs_j = {articles[k].lang for k in range(len(articles)) if root(k) == rj}
        if ri != rj and not langs_i & langs_j:  # one version per language in a group
            parent[rj] = ri
    groups: dict[str, list[str]] = {}
    members: dict[int, list[Article]] = {}
    for k, article in enumerate(articles):
        members.setdefault(root(k), []).append(article)
    for group in members.values():
        name = _group_name(group[0])
        while name in groups:
            name += "+"
        groups[name] = [a.id for a in group]
        for article in group:
            article.group = name
    return groups


def _group_name(article: Article) -> str:
    stem, _, last = article.id.rpartition(".")
    return stem if stem and last == article.lang else article.id


def corpus_info(path: str | Path) -> list[dict[str, Any]]:
    """One row per article: id, language, published, title, units by kind, tweets, group."""
    corpus = load_corpus(path)
    rows = []
    for article in corpus.articles:
        counts = article.kind_counts()
        rows.append(
            {
                "article": article.id,
                "lang": article.lang,
                "published": article.published.isoformat() if article.published else None,
                "title": article.title,
                "units": len(article.aligned_units),
                "kinds": counts,
                "tweets": counts["tweet"],
                "group": article.group,
                "encoding": article.encoding,
            }
        )
    return rows


def format_info_table(rows: list[dict[str, Any]]) -> str:
    """The rows of :func:`corpus_info` as an aligned text table."""
    header = ["article", "lang", "published", "units", "title", "heading", "body", "tweet",
              "meta", "group"]
    table = [header]
    for row in rows:
        kinds = row["kinds"]
        table.append([
            row["article"], row["lang"], row["published"] or "-", str(row["units"]),
            str(kinds["title"]), str(kinds["heading"]), str(kinds["body"]), str(kinds["tweet"]),
            str(kinds["metadata"]), row["group"] or "-",
        ])
    widths = [max(len(r[c]) for r in table) for c in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
