"""One file -> an :class:`Article`: encoding, title, publication date, units and their kinds.

Plain text: every non-blank line is a unit; a quoted tweet's text line and its attribution
line (``— Name (@handle) 27 Eylül 2019``) form one ``tweet`` unit; a date line
(``Yayınlanan: 2019-10-25``) is ``metadata`` and any text glued behind the date becomes a unit
of its own. HTML: ``<h1>``/``<title>``, ``<h2>``…``<h6>``, ``<p>``, ``<li>`` and Twitter's
``<blockquote class="twitter-tweet">`` embeds, read with a real HTML parser.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dates import find_date
from .errors import EncodingError, InputError
from .langid import assign_languages
from .model import Article, Unit
from .source import read_bytes, shown

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt", ".text", ".md")

# Labels of the publication-date line, in the languages of the corpus and a few more.
_META_RE = re.compile(
    r"^(?P<label>Yayınlanan|Yayımlanan|Yayın tarihi|Tarih|Veröffentlicht(?: am)?|Datum"
    r"|Pubblicato(?: il)?|Data|Published(?: on)?|Date|Publié(?: le)?|Publicado(?: el)?)"
    r"\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_SENTENCE_END = tuple(".!?…:;,")
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"PK\x03\x04": "a zip archive",
    b"%PDF": "a PDF document",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
}
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029|\x85|\x0b|\x0c")
_SPACES = re.compile(r"[^\S\n]+")

# Leftovers of stripped HTML, as scrapers leave them.
_LEFTOVER_LINK = re.compile(
    r"\(\s*\"(?P<label>[^\"@]*)@(?P<handle>\w{1,15})\"\s+href=\"(?P<url>[^\"]*)\""
    r"(?:\s+[\w-]+=\"[^\"]*\")*\s*/?>\s*\)"
)
# Attributes then the tag's end; the end is optional in the pattern (and required in code)
# so that a long run of attributes with no ">" fails in linear, not quadratic, time. A name
# starts only after a non-word character and is matched possessively, so a long word is
# scanned once, not once per starting position (40 000 word characters took 7.9 s).
_LEFTOVER_ATTRS = re.compile(r"(?:\s*+(?<![\w-])[\w-]++=\"[^\"]*+\")++(?P<end>\s*/?>)?")
# Empty parentheses left by a stripped link (``Emily Yellin(")``, ``Dr. Jillian Ney()``);
# a call such as ``print()`` is kept (see _is_call).
_EMPTY_PARENS = re.compile(r"\s*+\(\s*\"?\s*\)")
_CALLEE = re.compile(r"(?:^|[^\w.])([A-Za-z_][\w.]*)$")
_HREF = re.compile(r"href=\"([^\"]*)\"")


@dataclass
class _Block:
    """A candidate unit before classification: one text line, or one HTML element."""

    text: str
    line: int
    hint: str | None = None  # "title", "heading" or "tweet" when the markup says so
    data: dict[str, Any] = field(default_factory=dict)


def read_article(path: str | Path, *, article_id: str | None = None,
                 root: str | Path | None = None, allow_outside: bool = False) -> Article:
    """Read one text or HTML file into an Article (language detected, deterministic).

    The file is read with :func:`cxcorpus.source.read_bytes`: regular files only, bounded
    size, and, when ``root`` is given, only inside ``root`` unless ``allow_outside``.
    """
    path = Path(path)
    data = read_bytes(path, root=root, allow_outside=allow_outside,
                      what="an article file (use load_corpus for folders)")
    is_html = path.suffix.lower() in HTML_SUFFIXES
    text, encoding = decode(data, shown(path), html=is_html)
    is_html = is_html or _looks_like_html(text)
    return parse_article(
        text,
        path=shown(path),
        article_id=article_id or article_id_from_path(path),
        html=is_html,
        encoding=encoding,
    )


# Dated, titled and long enough for its language to be told: ``warm_up`` reads it.
_WARM_UP_TEXT = ("Müşteri deneyimi\n\n27 Eylül 2019\n\nMüşteriler her gün markalarla "
                 "konuşuyor. Bu konuşmaların çoğu sosyal medyada geçiyor.\n")


def warm_up() -> None:
    """Load what reading a first article loads (the language profiles, date locales and
    patterns), so that it costs no more than the next: a build does this in a thread while
    it takes its unchanged groups."""
    from .dates import month_number
    from .tweets import weighted_length  # and the tweet entities' patterns with it

    parse_article(_WARM_UP_TEXT)
    weighted_length(_WARM_UP_TEXT)
    month_number("Eylül")  # in no language given: every language's month names


def parse_article(
    text: str,
    *,
    path: str = "<text>",
    article_id: str = "article",
    html: bool = False,
    encoding: str = "utf-8",
) -> Article:
    """Parse already-decoded text (plain or HTML) into an Article."""
    text = _LINE_BREAKS.sub("\n", text)
    blocks = _html_blocks(text) if html else _text_blocks(text)
    if not blocks:
        raise InputError(path, "no text: the file is empty or holds only white space"
                         if not text.strip() else "no text: the file holds only what stripped "
                         "HTML leaves behind (such as an empty '()')")
    units, published = _classify(blocks, path)
    title = next((u.text for u in units if u.kind == "title"), None)
    index = 0
    for unit in units:
        if unit.kind != "metadata":
            unit.index = index
            index += 1
    article = Article(
        id=article_id,
        path=path,
        lang="und",
        title=title,
        published=published,
        units=units,
        encoding=encoding,
    )
    assign_languages(article)
    return article


def unit_records(article: Article) -> list[dict[str, Any]]:
    """The units as plain records: index, kind, text, lang, line (and data when present)."""
    records = []
    for unit in article.units:
        record = {
            "article": article.id,
            "index": unit.index,
            "kind": unit.kind,
            "lang": unit.lang,
            "line": unit.line,
            "text": unit.text,
        }
        if unit.data:
            record["data"] = unit.data
        records.append(record)
    return records


# --- decoding -------------------------------------------------------------------------


def decode(data: bytes, path: str | Path, *, html: bool = False) -> tuple[str, str]:
    """Bytes -> (text, encoding name). Refuses empty, binary and undecodable input.

    UTF-8 (with or without BOM) and UTF-16/32 with a BOM are read directly. Otherwise the
    candidates (UTF-16 without BOM when NUL bytes say so; the legacy Turkish and Western
    encodings; a charset the page declares) are each decoded and judged by the language
    their text reads as: the letters must belong to the alphabet of the language detected,
    and the most confident detection wins. A declared charset wins only a tie. A file that
    is mostly UTF-8 but for a few broken bytes is an error, not a silent guess.
    """
    if not data:
        raise InputError(path, "empty file")
    for bom, name in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return _strict(data, name, path), name
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(path, f"binary file ({what}), not text")
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16:
            return _strict(data, utf16, path), utf16
        for name in ("utf-16-le", "utf-16-be"):
            text = _utf16_text(data, name)
            if text is not None:
                return text, name
        raise InputError(path, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _mostly_utf8(data):
            line = data.count(b"\n", 0, exc.start) + 1
            raise EncodingError(
                path, f"invalid UTF-8 at byte {exc.start} (line {line}); the rest is UTF-8"
            ) from exc
    return _decode_legacy(data, path, _declared_charset(data) if html else None)


def _strict(data: bytes, encoding: str, path: str | Path) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise EncodingError(path, f"cannot decode as {encoding}: {exc.reason}") from exc
    if "\x00" in text:
        raise InputError(path, "binary file (contains NUL characters), not text")
    return text


def _utf16_without_bom(data: bytes) -> str | None:
    even, odd = data[0::2], data[1::2]
    if len(data) % 2 == 0 and len(data) >= 4:
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    return None


def _utf16_text(data: bytes, encoding: str) -> str | None:
    """UTF-16 without BOM in a script with few ASCII characters (Japanese, Chinese...):
    accepted only if it decodes, holds line breaks or spaces where UTF-16 puts them, has
    no control, unassigned or private characters, and reads as a language."""
    if len(data) % 2:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if not any(c in text for c in "\n \u3000"):
        return None
    if any(_unlikely_char(c) for c in text):
        return None
    return text if _language_evidence(text)[0] >= 0 else None


def _unlikely_char(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":
        return char not in "\n\r\t"
    return category in ("Cn", "Co", "Cs") or (category == "Cf" and char not in "\u200c\u200d")


def _mostly_utf8(data: bytes) -> bool:
    """More well-formed multi-byte UTF-8 characters than broken bytes: a damaged UTF-8 file
    (an error), not a legacy encoding (``’`` in cp1254 is one stray byte, not UTF-8)."""
    text = data.decode("utf-8", "surrogateescape")
    broken = sum(1 for c in text if "\udc80" <= c <= "\udcff")
    good = sum(1 for c in text if ord(c) > 0x7F and not "\udc80" <= c <= "\udcff")
    return good > 0 and good >= broken


_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding=["']([\w.:-]+)""",
    re.IGNORECASE,
)


def _declared_charset(data: bytes) -> str | None:
    """The charset a page declares (``<meta charset>``), if Python knows it."""
    import codecs

    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    name = (match[1] or match[2]).decode("ascii", "replace")
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if info.name.startswith(("utf-16", "utf-32", "utf-8")):
        return None  # not a legacy encoding; the bytes already said otherwise
    return info.name


# Letters beyond ASCII that each language's orthography uses (for judging a decoding).
_ALPHABETS = {
    "tr": "çğıöşüâîûÇĞİÖŞÜÂÎÛ",
    "az": "çğıöşüəÇĞİÖŞÜƏ",
    "de": "äöüßÄÖÜẞ",
    "es": "áéíóúñüÁÉÍÓÚÑÜ",
    "ca": "àçéèíïòóúüÀÇÉÈÍÏÒÓÚÜ·",
    "it": "àèéìíîòóùúÀÈÉÌÍÎÒÓÙÚ",
    "fr": "àâæçéèêëîïôœùûüÿÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸ",
    "pt": "áâãàçéêíóôõúüÁÂÃÀÇÉÊÍÓÔÕÚÜ",
    "nl": "áéëíïóöúüÁÉËÍÏÓÖÚÜ",
    "sv": "åäöéÅÄÖÉ",
    "da": "æøåéÆØÅÉ",
    "no": "æøåéÆØÅÉ",
    "fi": "äöåšžÄÖÅŠŽ",
    "et": "äöõüšžÄÖÕÜŠŽ",
    "pl": "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ",
    "cs": "áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ",
    "sk": "áäčďéíĺľňóôŕšťúýžÁÄČĎÉÍĹĽŇÓÔŔŠŤÚÝŽ",
    "hu": "áéíóöőúüűÁÉÍÓÖŐÚÜŰ",
    "ro": "ăâîșțşţĂÂÎȘȚŞŢ",
    "hr": "čćđšžČĆĐŠŽ",
    "sl": "čšžČŠŽ",
    "sq": "çëÇË",
    "lt": "ąčęėįšųūžĄČĘĖĮŠŲŪŽ",
    "lv": "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ",
}
_LEGACY_ENCODINGS = ["cp1254", "iso8859_9", "cp1252", "iso8859_15", "cp1250"]


_PREFERRED = {"tr": ["cp1254", "iso8859_9"], "az": ["cp1254", "iso8859_9"],
              "pl": ["cp1250"], "cs": ["cp1250"], "sk": ["cp1250"], "hu": ["cp1250"],
              "hr": ["cp1250"], "sl": ["cp1250"], "ro": ["cp1250"]}
_WESTERN = ["cp1252", "iso8859_15"]


def _language_evidence(text: str) -> tuple[int, float, str | None]:
    """(minus the letters foreign to the language detected, its probability): how well
    ``text`` reads as one language. Letters outside the detected language's alphabet (or,
    for a language without a listed alphabet, outside its own script) count against it."""
    from .langid import language_probability

    lang, probability = language_probability(text)
    if lang is None:
        return -len(text), 0.0, None
    alphabet = _ALPHABETS.get(lang)
    foreign = 0
    for char in text:
        if ord(char) < 0x80 or not char.isalpha():
            continue
        if alphabet is not None and char not in alphabet:
            foreign += 1
    return -foreign, probability, lang


def _decode_legacy(data: bytes, path: str | Path, declared: str | None) -> tuple[str, str]:
    candidates = ([declared] if declared else []) + [
        e for e in _LEGACY_ENCODINGS if e != declared]
    # Judge on a sample: a few KB of a long file say as much about its encoding.
    sample = data[:20_000]
    best: tuple[tuple[int, float, int], str] | None = None
    seen: dict[str, tuple[int, float, str | None]] = {}
    same_text: dict[str, list[str]] = {}
    for rank, encoding in enumerate(candidates):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in text):
            continue
        same_text.setdefault(text, []).append(encoding)
        evidence = seen.get(text) or _language_evidence(text)
        seen[text] = evidence
        key = (evidence[0], evidence[1], -rank)
        if best is None or key > best[0]:
            best = (key, encoding)
    if best is not None:
        # Encodings that give the very same text: name the one the language is written in.
        winners = same_text[sample.decode(best[1])]
        lang = seen[sample.decode(best[1])][2]
        for preferred in ([declared] if declared else []) + _PREFERRED.get(lang, _WESTERN):
            if preferred in winners:
                best = (best[0], preferred)
                break
    if best is None:
        if any(b < 0x20 and b not in b"\n\r\t" for b in data):
            raise InputError(path, "binary file (control characters), not text")
        raise EncodingError(
            path, "cannot decode: not UTF-8/UTF-16 and no Turkish or Western encoding fits"
        )
    encoding = best[1]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise EncodingError(path, f"cannot decode as {encoding}: {exc.reason}") from exc
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in text):
        raise InputError(path, "binary file (control characters), not text")
    return text, encoding


# --- blocks ---------------------------------------------------------------------------


def _clean(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _text_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    pending: list[str] = []  # removed from lines that held nothing else: kept with the next
    for number, line in enumerate(text.split("\n"), start=1):
        cleaned, data = clean_leftovers(_clean(line))
        if not cleaned:
            pending += data.get("removed", [])
            continue
        if pending:
            data["removed"] = pending + data.get("removed", [])
            pending = []
        blocks.append(_Block(cleaned, number, data=data))
    if pending and blocks:
        blocks[-1].data.setdefault("removed", []).extend(pending)
    return blocks


def clean_leftovers(text: str) -> tuple[str, dict[str, Any]]:
    """Remove what stripped HTML left behind; return the clean text and what was recovered.

    ``("Kullanıcı adı@JonSymons" href="https://…" target="_blank">)`` becomes ``(@JonSymons)``
    with the handle and URL kept; empty ``()`` and ``(")`` disappear. ``data["removed"]`` keeps
    every removed string, so nothing of the file is lost.
    """
    data: dict[str, Any] = {}

    def link(match: re.Match) -> str:
        data.setdefault("handles", []).append(match["handle"])
        data.setdefault("urls", []).append(match["url"])
        data.setdefault("removed", []).append(match[0])
        return f"(@{match['handle']})"

    def drop(match: re.Match) -> str:
        if "end" in match.re.groupindex and match["end"] is None:
            return match[0]  # attributes that do not end a tag are text, not leftovers
        if match.re is _EMPTY_PARENS and _is_call(match):
            return match[0]
        data.setdefault("urls", []).extend(_HREF.findall(match[0]))
        data.setdefault("removed", []).append(match[0])
        return ""

    cleaned = _LEFTOVER_LINK.sub(link, text)
    cleaned = _LEFTOVER_ATTRS.sub(drop, cleaned)
    cleaned = _EMPTY_PARENS.sub(drop, cleaned)
    if not data:
        return text, data
    if not data.get("urls"):
        data.pop("urls", None)
    return _SPACES.sub(" ", cleaned).strip(), data


def _is_call(match: re.Match) -> bool:
    """``print()``, ``obj.run()``, ``do_it()``: code, not a leftover. Leftovers follow a
    person's name (capitalised) or stand alone after a space."""
    if match[0] != match[0].lstrip() or '"' in match[0]:
        return False
    before = _CALLEE.search(match.string[max(0, match.start() - 80):match.start()])
    if not before:
        return False
    callee = before[1]
    return callee[0].islower() or callee[0] == "_" or "_" in callee or "." in callee.strip(".")


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


# Elements that start and end a block of text; everything else is inline and flows into
# the block around it. Each text node goes into exactly one block.
_BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"]
)
_SKIPPED_TAGS = frozenset(["script", "style", "noscript", "template", "head", "title"])
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _parse_html(text: str) -> Any:
    from bs4 import BeautifulSoup
    from bs4.builder import ParserRejectedMarkup

    try:
        return BeautifulSoup(text, "html.parser")
    except ParserRejectedMarkup:
        # html.parser rejects a marked section it does not know (``<![foo``): read it as text.
        return BeautifulSoup(text.replace("<![", "&lt;!["), "html.parser")


def _html_blocks(text: str) -> list[_Block]:
    """The blocks of a page, walking the tree once (iteratively: 2 000 unclosed ``<p>``
    nest 2 000 deep): inline text gathers into the innermost enclosing block element and
    is emitted when that block starts a child block or ends."""
    from bs4 import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    from .tweets import parse_embed

    soup = _parse_html(text)
    blocks: list[_Block] = []
    root = soup.body or soup
    has_h1 = root.find("h1") is not None
    if not has_h1 and soup.title and soup.title.get_text(strip=True):
        blocks.append(_Block(_clean(soup.title.get_text(" ")), _line(soup.title), "title"))
    skipped_strings = (Comment, Declaration, Doctype, ProcessingInstruction)
    buffer: list[str] = []
    current: list[Any] = [root]  # the open block elements, innermost last

    def flush() -> None:
        element = current[-1]
        cleaned = " ".join(_clean(" ".join(buffer)).split())  # source line breaks
        buffer.clear()
        if not cleaned:
            return
        name = getattr(element, "name", None)
        hint = None
        if name == "h1":
            hint = "title" if not any(b.hint == "title" for b in blocks) else "heading"
        elif name in _HEADINGS[1:]:
            hint = "heading"
        blocks.append(_Block(cleaned, _line(element), hint))

    stack: list[tuple[Any, Any]] = [(root, iter(root.children))]
    while stack:
        element, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if element is current[-1] and len(current) > 1:
                flush()
                current.pop()
            continue
        if isinstance(child, NavigableString):
            if not isinstance(child, skipped_strings):
                buffer.append(str(child))
            continue
        if not isinstance(child, Tag) or child.name in _SKIPPED_TAGS:
            continue
        if child.name == "br":
            buffer.append(" ")
            continue
        if child.name == "blockquote" and "twitter-tweet" in (child.get("class") or []):
            flush()
            blocks.append(_tweet_block(parse_embed(child), _line(child)))
            continue
        if child.name in _BLOCK_TAGS:
            flush()
            current.append(child)
        stack.append((child, iter(child.children)))
    flush()
    return blocks


def _line(element: Any) -> int:
    return getattr(element, "sourceline", None) or 0


def _tweet_block(embed: dict[str, Any], line: int) -> _Block:
    text = _clean(embed.get("text") or "")
    attribution = _clean(embed.get("attribution") or "")
    data: dict[str, Any] = {"tweet_text": text, "attribution": attribution, "embed": True}
    for key in ("status_url", "status_id", "lang", "author_name", "author_handle", "date_text",
                "date", "entities"):
        if embed.get(key):
            data[key] = embed[key]
    problems = [p for p in embed.get("problems", ()) if p.startswith(("date", "malformed"))]
    if problems:
        data["problems"] = problems
    return _Block("\n".join(p for p in (text, attribution) if p), line, "tweet", data)


# --- classification -------------------------------------------------------------------


def _classify(blocks: list[_Block], path: str) -> tuple[list[Unit], Any]:
    from itertools import pairwise

    from .tweets import parse_attribution, split_inline_attribution

    units: list[Unit] = []
    published = None
    gaps = [b.line - a.line for a, b in pairwise(blocks) if a.hint is b.hint is None]
    spaced = sum(g > 1 for g in gaps) * 2 >= len(gaps) > 0  # paragraphs apart by blank lines
    in_header = True
    for block in blocks:
        # A date line is metadata only in the header: in the body, "Tarih: 29.05.1453 …"
        # is a sentence of the text, and metadata would take its date out of alignment.
        in_header = in_header and not (units and units[-1].kind == "body")
        meta = _META_RE.match(block.text) if block.hint is None and in_header else None
        if meta and (found := find_date(meta["rest"])):
            date, matched, _start, end = found
            published = published or date
            label = f"{meta['label']}: {matched}"
            units.append(Unit("metadata", label, line=block.line,
                              data={**block.data, "date": date.isoformat()}))
            glued = meta["rest"][end:].strip()
            if glued:
                units.append(Unit(_kind(glued, units), glued, line=block.line))
            continue
        if block.hint == "tweet":
            units.append(Unit("tweet", block.text, line=block.line, data=block.data))
            continue
        if block.hint is None:
            if parse_attribution(block.text) and _can_quote(units):
                quoted = units.pop()
                lines, line = [quoted.text], quoted.line
                data = {**quoted.data, **_aside(quoted.data, block.data)}  # the attribution's too
                attribution = block.text
            elif inline := split_inline_attribution(block.text):
                lines, line, data = [inline[0]], block.line, block.data
                attribution = inline[1]
            else:
                attribution = None
            if attribution is not None:
                data = dict(data)
                if spaced:
                    line = _tweet_lines(units, lines, line, data)
                text = "".join(lines)
                data.update(tweet_text=text, attribution=attribution)
                units.append(Unit("tweet", f"{text}\n{attribution}", line=line, data=data))
                continue
        kind = block.hint or _kind(block.text, units)
        units.append(Unit(kind, block.text, line=block.line, data=block.data))
    return units, published


def _tweet_lines(units: list[Unit], lines: list[str], line: int, data: dict[str, Any]) -> int:
    """Take a tweet's earlier lines and paragraphs off the end of ``units`` into ``lines``
    (and what was recovered or removed from them into ``data``, so nothing is lost).

    Only where paragraphs are set apart by blank lines: a line right above the tweet (no
    blank line between) is the tweet's, a paragraph above a blank line only when it ends
    without a sentence's final punctuation (prose ends with one, tweets often do not); the
    whole never longer than a tweet (280 weighted characters, half again for a
    translation). Returns the tweet's first line.
    """
    from .tweets import weighted_length

    while _can_quote(units) and units[-1].kind != "tweet":
        above = units[-1]
        blank = line - above.line > 1
        if blank and above.text.rstrip("\"'”»’)").endswith(_PROSE_END):
            break
        joined = [above.text, "\n\n" if blank else "\n", *lines]
        if sum(map(len, joined)) > 4 * _TWEET_LIMIT or (
                weighted_length("".join(joined)) > _TWEET_LIMIT):
            break
        lines[:0] = joined[:2]
        line = above.line
        units.pop()
        data.update(_aside(above.data, data))
    return line


def _aside(first: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    """What ``clean_leftovers`` took off two lines that become one unit, ``first``'s before
    ``then``'s (the order of the file)."""
    return {key: [*first.get(key, []), *then.get(key, [])] for key in _KEPT_ASIDE
            if first.get(key) or then.get(key)}


_KEPT_ASIDE = ("removed", "handles", "urls")  # what ``clean_leftovers`` takes off a line


_PROSE_END = tuple(".?:;")  # "!" and "…" end tweets as often as prose
_TWEET_LIMIT = 420  # 280 weighted characters, and room for a translation half again as long


def _can_quote(units: list[Unit]) -> bool:
    return bool(units) and units[-1].kind in ("body", "heading")


def _looks_like_title(text: str) -> bool:
    return len(text) <= 200 and not text.endswith(tuple(".!…:;,"))


def _kind(text: str, units: list[Unit]) -> str:
    """A short line without final punctuation is a heading; the rest is body text."""
    if not any(u.kind != "metadata" for u in units) and _looks_like_title(text):
        return "title"
    words = text.split()
    if len(text) <= 100 and len(words) <= 12 and not text.endswith(_SENTENCE_END):
        return "heading"
    return "body"


def article_id_from_path(path: Path) -> str:
    """The article id of a file: its name without the extension (`cx-tweetchat.tr`)."""
    name = path.name
    for suffix in HTML_SUFFIXES + TEXT_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem
