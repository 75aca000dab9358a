"""A folder -> articles and translation groups (from ``manifest.toml``, or found automatically).

Without a manifest, articles in different languages are grouped when their content is close in
a multilingual embedding space (mean of their unit vectors) and their publication dates agree.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, TranslationError
from .model import Article
from .read import HTML_SUFFIXES, TEXT_SUFFIXES, article_id_from_path, read_article
from .source import check_name, confine, read_bytes, shown

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

    def __repr__(self) -> str:
        return (f"<Corpus {self.root!r}: {len(self.articles)} articles, "
                f"{len(self.groups)} groups (by {self.grouped_by})>")

    def article(self, article_id: str) -> Article:
        """The article with this id (file name without extension, e.g. ``cx-tweetchat.tr``)."""
        index = self.__dict__.get("_by_id") or {}
        found = index.get(article_id)
        if found is None or found.id != article_id:  # the index is built once, not per lookup
            index = self.__dict__["_by_id"] = {a.id: a for a in self.articles}
            found = index.get(article_id)
        if found is None:
            raise TranslationError(self.root, f"no article {article_id!r} in the corpus")
        return found

    def group_articles(self, group: str) -> list[Article]:
        """The articles of one translation group, in the order the group lists them."""
        return [self.article(i) for i in self.groups[group]]


def load_corpus(path: str | Path, *, encoder: Any = None, allow_outside: bool = False,
                reader: Callable[..., Article] = read_article) -> Corpus:
    """Read every article under ``path`` (a folder, or a single file) and group translations.

    A ``manifest.toml`` in the folder names the files, their languages and groups; without one,
    groups are found with :func:`find_groups` (which needs an encoder; the default is loaded
    only then). Files must lie inside the folder (a manifest entry ``../x`` or ``/x``, or a
    symlink that resolves outside, is refused) unless ``allow_outside`` is true. ``reader``
    reads one article file (``read_article``'s signature; the build passes one that reuses
    articles it read before).
    """
    path = Path(path)
    check_name(path)
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise InputError(shown(path), "no such file or folder") from exc
    except OSError as exc:
        raise InputError(shown(path), f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISDIR(info.st_mode):
        article = reader(path)
        article.group = article.id
        return Corpus(str(path), [article], {article.id: [article.id]}, grouped_by="single")
    manifest = path / MANIFEST
    if os.path.lexists(manifest):
        return _load_with_manifest(path, allow_outside=allow_outside, reader=reader)
    files = article_files(path)
    if not files:
        raise InputError(shown(path), "no articles (.txt or .html files) in this folder")
    ids = article_ids(path, files)
    articles = [reader(f, article_id=i, root=path, allow_outside=allow_outside)
                for f, i in zip(files, ids)]
    groups = find_groups(articles, encoder=encoder)
    return Corpus(str(path), articles, groups, grouped_by="content")


def article_files(folder: Path) -> list[Path]:
    """Text and HTML files under ``folder``, sorted; hidden files and link loops are skipped.

    Names are checked here, before any file is read: a name that is not UTF-8 or too long
    stops the load at once rather than after all the work.
    """
    found = []
    seen: set[tuple[int, int]] = set()
    for root, dirs, names in os.walk(folder, followlinks=True, onerror=_unreadable):
        try:
            stat_ = os.stat(root)
        except OSError as exc:
            raise InputError(shown(root), f"cannot read folder: {exc.strerror or exc}") from exc
        if (stat_.st_dev, stat_.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((stat_.st_dev, stat_.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES + HTML_SUFFIXES):
                continue
            if name.lower() in ("readme.md", "readme.txt", "license.txt"):
                continue
            candidate = Path(root) / name
            check_name(candidate)
            try:
                mode = os.stat(candidate).st_mode
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ELOOP):
                    continue  # a dangling link or a link loop: nothing to read
                raise InputError(shown(candidate), f"cannot read: {exc.strerror or exc}") from exc
            if not stat.S_ISDIR(mode):
                found.append(candidate)  # a FIFO or device is refused, loudly, when read
    return sorted(found)


def _unreadable(exc: OSError) -> None:
    # os.walk would skip a folder it cannot list, and its articles would vanish unseen.
    raise InputError(shown(exc.filename), f"cannot read folder: {exc.strerror or exc}") from exc


def _relative_id(folder: Path, file: Path) -> str:
    relative = file.relative_to(folder)
    stem = article_id_from_path(file)
    return str(relative.parent / stem) if relative.parent != Path(".") else stem


def article_ids(folder: Path, files: list[Path]) -> list[str]:
    """One unique id per file: its path in the folder without the extension (``a/doc``,
    ``cx-tweetchat.tr``); files that would share one (``x.tr.txt`` and ``x.tr.html``)
    keep their whole name instead, so no article ever overwrites another."""
    ids = [_relative_id(folder, f) if f.is_relative_to(folder) else article_id_from_path(f)
           for f in files]
    counts = Counter(ids)
    unique = [
        i if counts[i] == 1 else (str(f.relative_to(folder)) if f.is_relative_to(folder)
                                  else str(f))
        for i, f in zip(ids, files)
    ]
    if len(set(unique)) != len(unique):  # only the same file named twice can collide now
        twice = next(i for i, n in Counter(unique).items() if n > 1)
        raise InputError(shown(folder), f"two files give the article id {twice!r}")
    return unique


# A manifest is parsed whole (tomllib): a million articles' entries are ~70 MB, parsed in
# ~13 s with ~450 MB at its peak (measured: 100 000 entries, 6.6 MB, 1.3 s, 43 MB). The
# bound keeps a wrong file from taking the machine's memory.
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
_LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_KEYS = {"file": str, "lang": str, "group": str, "title": str}


@dataclass(frozen=True)
class ListedArticle:
    """An article a manifest lists, not read yet: how to read it (``read``) and what the
    manifest says of it. A build hands these to its workers, which read their own files."""

    path: Path
    id: str
    group: str
    root: Path
    lang: str | None = None  # declared in the manifest (else detected when read)
    allow_outside: bool = False

    def read(self, reader: Callable[..., Article] | None = None) -> Article:
        """The article (read with ``reader``, default ``read_article``), its group set and
        its declared language (if any) taken over the detected one, with a warning when
        they disagree."""
        article = (reader or read_article)(self.path, article_id=self.id, root=self.root,
                         allow_outside=self.allow_outside)
        article.group = self.group
        if self.lang and self.lang != article.lang:
            import warnings

            warnings.warn(
                f"{shown(self.path)}: manifest says {self.lang!r}, langdetect says "
                f"{article.lang!r}; using {self.lang!r}",
                stacklevel=2,
            )
            article.lang = self.lang
        return article


def list_manifest(folder: str | Path, *, allow_outside: bool = False
                  ) -> dict[str, list[ListedArticle]] | None:
    """The groups a folder's ``manifest.toml`` names (group -> its articles, in manifest
    order), checked but not read; None when the folder has no manifest."""
    folder = Path(folder)
    check_name(folder)
    manifest = folder / MANIFEST
    if not os.path.lexists(manifest):
        return None
    groups: dict[str, list[ListedArticle]] = {}
    for article in _listed(folder, manifest, allow_outside):
        groups.setdefault(article.group, []).append(article)
    return groups


def _listed(folder: Path, manifest: Path, allow_outside: bool) -> list[ListedArticle]:
    """The manifest's articles in its order, each entry checked."""
    entries = _manifest_entries(folder, manifest)
    shown_manifest = shown(manifest)
    files: list[Path] = []
    named: set[str] = set()
    real_root = os.path.realpath(folder)
    for number, entry in enumerate(entries, start=1):
        for key, value in entry.items():
            expected = _KEYS.get(key)
            if expected is not None and not isinstance(value, expected):
                raise InputError(shown_manifest, f"malformed manifest: article {number}: "
                                                 f"{key} = {value!r} is not text")
        if not isinstance(entry.get("file"), str) or not entry["file"].strip():
            raise InputError(shown_manifest, f"malformed manifest: article {number} has no 'file'")
        if "lang" in entry and not _LANG.fullmatch(entry["lang"]):
            raise InputError(shown_manifest, f"malformed manifest: article {number}: lang = "
                                             f"{entry['lang']!r} is not a language code "
                                             "such as 'tr'")
        if entry["file"] in named:
            raise InputError(shown_manifest, f"malformed manifest: names {entry['file']} twice")
        named.add(entry["file"])
        file = folder / entry["file"]
        if "\x00" in entry["file"]:
            raise InputError(shown_manifest, f"malformed manifest: article {number}: "
                                             "file name holds a NUL character")
        try:
            info: os.stat_result | None = os.lstat(file)
        except OSError:
            info = None
        if not allow_outside:
            if os.path.isabs(entry["file"]) or ".." in entry["file"].split("/"):
                raise InputError(shown_manifest, f"names a file outside the corpus folder: "
                                                 f"{shown(entry['file'])}; refused (--allow-outside, "
                                                 "or allow_outside=True in Python, reads it)")
            if info is None or stat.S_ISLNK(info.st_mode) or "/" in entry["file"] or (
                    os.sep in entry["file"]):  # else a plain file right in the folder: inside
                confine(file, folder, real_root=real_root)
        if info is None:
            raise TranslationError(shown_manifest, f"names a missing file: {shown(entry['file'])}")
        files.append(file)
    ids = article_ids(folder, [Path(os.path.normpath(f)) for f in files])
    return [ListedArticle(file, article_id, str(entry.get("group") or article_id), folder,
                          entry.get("lang") or None, allow_outside)
            for entry, file, article_id in zip(entries, files, ids)]


def _load_with_manifest(folder: Path, *, allow_outside: bool = False,
                        reader: Callable[..., Article] = read_article) -> Corpus:
    articles = [listed.read(reader) for listed in _listed(folder, folder / MANIFEST,
                                                          allow_outside)]
    groups: dict[str, list[str]] = {}
    for article in articles:
        groups.setdefault(str(article.group), []).append(article.id)
    return Corpus(str(folder), articles, groups, grouped_by="manifest")


def _manifest_entries(folder: Path, manifest: Path) -> list[dict[str, Any]]:
    """The ``[[article]]`` tables of a manifest, read safely and checked for shape."""
    data = read_bytes(manifest, root=folder, max_bytes=MAX_MANIFEST_BYTES, what="a manifest")
    name = shown(manifest)
    try:
        parsed = tomllib.loads(data.decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(name, f"malformed manifest: {exc}") from exc
    except RecursionError as exc:
        raise InputError(name, "malformed manifest: nested too deeply") from exc
    entries = parsed.get("article")
    if not isinstance(entries, list) or not entries:
        raise InputError(name, "malformed manifest: expected [[article]] tables")
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise InputError(name, f"malformed manifest: article {number} is not a table")
    return entries


# Each article is compared with this many nearest articles in other languages: enough for
# every version of a translation group (one per language), bounded so that n articles give
# at most n * NEIGHBOURS candidate pairs whatever the corpus.
NEIGHBOURS = 16
_BLOCK_ROWS = 512  # rows of a similarity block computed at once
# Up to this many articles the search is exact; above, an inverted-file index (k-means
# cells) keeps it near n * sqrt(n).
EXACT_LIMIT = 5_000
CELL_PROBES = 12
KMEANS_ROUNDS = 5
SEED = 0


def find_groups(articles: list[Article], *, encoder: Any = None) -> dict[str, list[str]]:
    """Group articles that are translations of each other, without a manifest.

    Two articles in different languages join one group when the cosine of their mean unit
    embeddings is at least ``GROUP_SIMILARITY`` and their publication dates (when both have
    one) are the same. Candidates are each article's :data:`NEIGHBOURS` nearest articles
    in other languages (exact search, block by block); pairs are joined most similar first,
    never putting two versions in one language into a group (union-find that keeps each
    group's languages, so the whole step is O(n log n) after the search). Each group is
    named after the id of its first article, less the language part
    (``cx-tweetchat.tr`` -> ``cx-tweetchat``).
    """
    import numpy as np

    if encoder is None:
        from .embed import default_encoder

        encoder = default_encoder()
    n = len(articles)
    vectors = np.zeros((n, 0), dtype=np.float32)
    if n:
        vectors = np.stack(list(_mean_vectors(articles, encoder)))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    pairs = _candidate_pairs(articles, vectors)
    parent = list(range(n))
    langs = [{a.lang} for a in articles]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _similarity, i, j in pairs:
        ri, rj = root(i), root(j)
        if ri != rj and not langs[ri] & langs[rj]:  # one version per language in a group
            if len(langs[ri]) < len(langs[rj]):
                ri, rj = rj, ri
            parent[rj] = ri
            langs[ri] |= langs[rj]
    groups: dict[str, list[str]] = {}
    members: dict[int, list[Article]] = {}
    for k, article in enumerate(articles):
        members.setdefault(root(k), []).append(article)
    for group in members.values():  # in the order of each group's first article
        name = _group_name(group[0])
        while name in groups:
            name += "+"
        groups[name] = [a.id for a in group]
        for article in group:
            article.group = name
    return groups


def _mean_vectors(articles: list[Article], encoder: Any, batch: int = 4096) -> Any:
    """Each article's mean unit vector, the texts sent to the encoder in large batches."""
    import numpy as np

    pending: list[list[str]] = []
    size = 0
    for article in articles:
        pending.append([u.text for u in article.aligned_units] or [article.title or ""])
        size += len(pending[-1])
        if size >= batch:
            yield from _means(pending, encoder, np)
            pending, size = [], 0
    if pending:
        yield from _means(pending, encoder, np)


def _means(texts: list[list[str]], encoder: Any, np: Any) -> Any:
    encoded = np.asarray(encoder.encode([t for group in texts for t in group]), dtype=np.float32)
    start = 0
    for group in texts:
        yield encoded[start:start + len(group)].mean(axis=0)
        start += len(group)


def _candidate_pairs(articles: list[Article], vectors: Any) -> list[tuple[float, int, int]]:
    """(similarity, i, j) with i < j, most similar first: each article's nearest neighbours
    in other languages with an agreeing date, at or above the threshold.

    Blocking by date: a dated article is compared only with articles of its date and with
    undated ones (a translation never has another date), so a corpus spread over many days
    costs about n * (articles per day) comparisons, not n * n. Up to :data:`EXACT_LIMIT`
    articles the search is exact; above it, a date block that large and the undated
    articles go through an inverted-file index (:func:`_index_search`).
    """
    import numpy as np

    n = len(articles)
    if n < 2:
        return []
    search = _Search(articles, vectors)
    by_date: dict[int, list[int]] = {}
    for k, article in enumerate(articles):
        by_date.setdefault(article.published.toordinal() if article.published else -1,
                           []).append(k)
    undated = by_date.pop(-1, [])
    everyone = np.arange(n)
    if n <= EXACT_LIMIT:
        for rows in by_date.values():
            search.exact(np.array(rows), np.array(sorted(rows + undated)))
        if undated:
            search.exact(np.array(undated), everyone)
    else:
        for rows in by_date.values():
            block = np.array(rows)
            if len(block) <= EXACT_LIMIT:
                search.exact(block, block)
            else:
                _index_search(search, block, block)
        if undated:  # their pairs with dated articles are found from the undated side
            _index_search(search, everyone, np.array(undated))
    # Most similar first; ties by the higher (i, j) first, as the all-pairs version did.
    search.pairs.sort(reverse=True)
    return search.pairs


class _Search:
    """Exact neighbour search between sets of articles, collecting each pair once."""

    def __init__(self, articles: list[Article], vectors: Any):
        import numpy as np

        codes = {lang: k for k, lang in enumerate(sorted({a.lang for a in articles}))}
        self.langs = np.array([codes[a.lang] for a in articles])
        self.ordinals = np.array([a.published.toordinal() if a.published else -1
                                  for a in articles])
        self.vectors = vectors
        self.found: set[tuple[int, int]] = set()
        self.pairs: list[tuple[float, int, int]] = []

    def exact(self, queries: Any, candidates: Any) -> None:
        """Each query's NEIGHBOURS nearest candidates (other language, agreeing date)."""
        import numpy as np

        if len(queries) == 0 or len(candidates) == 0:
            return
        keep = min(NEIGHBOURS, len(candidates))
        langs, ordinals = self.langs, self.ordinals
        for start in range(0, len(queries), _BLOCK_ROWS):
            rows = queries[start:start + _BLOCK_ROWS]
            similarity = self.vectors[rows] @ self.vectors[candidates].T
            dated = (ordinals[rows, None] >= 0) & (ordinals[None, candidates] >= 0)
            similarity[(langs[rows, None] == langs[None, candidates])
                       | (dated & (ordinals[rows, None] != ordinals[None, candidates]))] = -np.inf
            nearest = np.argpartition(-similarity, keep - 1, axis=1)[:, :keep]
            values = np.take_along_axis(similarity, nearest, axis=1)
            for r, c in zip(*np.nonzero(values >= GROUP_SIMILARITY)):
                i, j = int(rows[r]), int(candidates[nearest[r, c]])
                pair = (min(i, j), max(i, j))
                if i != j and pair not in self.found:
                    self.found.add(pair)
                    # One dot product per pair, whichever block found it: a matrix product
                    # rounds differently by block, and equal texts must tie exactly.
                    similarity_ij = float(self.vectors[pair[0]] @ self.vectors[pair[1]])
                    if similarity_ij >= GROUP_SIMILARITY:
                        self.pairs.append((similarity_ij, *pair))


def _index_search(search: _Search, indexed: Any, queries: Any) -> None:
    """Neighbour search through an inverted-file index: the ``indexed`` articles live in one
    of about sqrt(m) cells made by spherical k-means (fixed seed: deterministic), and each
    query is compared exactly with the residents of its :data:`CELL_PROBES` nearest cells.
    About probes * m * sqrt(m) comparisons instead of m * m; a translation pair (cosine
    >= 0.75) nearly always lies within those cells (``scripts/bench_grouping.py`` counts
    the groups missed against the exact search)."""
    import numpy as np

    vectors = search.vectors
    rng = np.random.default_rng(SEED)
    cells = int(np.ceil(np.sqrt(len(indexed))))
    centroids = vectors[np.sort(rng.choice(indexed, cells, replace=False))].copy()
    for _round in range(KMEANS_ROUNDS):
        home = _nearest_cells(vectors[indexed], centroids, 1)[:, 0]
        sums = np.zeros_like(centroids)
        np.add.at(sums, home, vectors[indexed])
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        filled = norms[:, 0] > 0
        centroids[filled] = sums[filled] / norms[filled]
    home = _nearest_cells(vectors[indexed], centroids, 1)
    probes = _nearest_cells(vectors[queries], centroids, min(CELL_PROBES, cells))
    residents = _members_by_cell(home, cells)
    visitors = _members_by_cell(probes, cells)
    for cell in range(cells):
        search.exact(queries[visitors[cell]], indexed[residents[cell]])


def _members_by_cell(assigned: Any, cells: int) -> list[Any]:
    """For each cell, the articles (row numbers of ``assigned``) that list it, in order."""
    import numpy as np

    order = np.argsort(assigned, axis=None, kind="stable")
    owners = order // assigned.shape[1]
    bounds = np.searchsorted(assigned.ravel()[order], np.arange(cells + 1))
    return [owners[bounds[c]:bounds[c + 1]] for c in range(cells)]


def _nearest_cells(vectors: Any, centroids: Any, count: int) -> Any:
    import numpy as np

    result = np.empty((len(vectors), count), dtype=np.int64)
    for start in range(0, len(vectors), 4096):
        scores = vectors[start:start + 4096] @ centroids.T
        top = np.argpartition(-scores, count - 1, axis=1)[:, :count]
        result[start:start + 4096] = np.sort(top, axis=1)
    return result


def _group_name(article: Article) -> str:
    stem, _, last = article.id.rpartition(".")
    return stem if stem and last == article.lang else article.id


def corpus_info(path: str | Path, *, allow_outside: bool = False) -> list[dict[str, Any]]:
    """One row per article: id, language, published, title, units by kind, tweets, group."""
    corpus = load_corpus(path, allow_outside=allow_outside)
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
