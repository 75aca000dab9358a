"""Quoted tweets: attribution lines, Twitter embeds, Tweet records, links across translations.

A quoted tweet reaches us in one of three forms: the plain text that extractors leave behind
(the tweet's text, then ``— Name (@handle) 27 Eylül 2019`` on a line of its own), the same
with the attribution glued to the text's last line (:func:`split_inline_attribution`), or
Twitter's embed code (``<blockquote class="twitter-tweet">``, :func:`parse_embed`). The
reader turns each into one ``tweet`` unit; :func:`extract_tweets` turns those units into
:class:`~cxcorpus.model.Tweet` records, and :func:`link_quotes` gives the same tweet quoted
in several translations one ``quote_id``. Nothing is invented: a part the input lacks stays
``None``, with a :class:`TweetWarning`. This module reads no file: reading articles and
writing tweets is :mod:`cxcorpus.tweet_export`'s.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any

from .dates import find_date
from .model import Article, Tweet

# The contract's fields, in order (``cashtags`` added before ``quote_id``).
TWEET_FIELDS = [
    "article", "lang", "order", "unit", "text", "author_name", "author_handle", "date",
    "date_text", "status_id", "url", "hashtags", "mentions", "urls", "cashtags", "quote_id",
]


class TweetWarning(UserWarning):
    """A quoted tweet lacks a part or has one that cannot be read (the field stays empty)."""


@dataclass(frozen=True)
class Attribution:
    """The parts of ``— Name (@handle) date``; ``problems`` says what could not be read."""

    name: str | None
    handle: str | None
    date_text: str | None
    date: Any = None  # datetime.date
    problems: tuple[str, ...] = ()
    status_url: str | None = None  # a status link written at the end of the line


_DASH = r"(?:&mdash;|&ndash;|&#8212;|&#8211;|&#x2014;|&#x2013;|[—–―‒−-]{1,2})"
_ATTRIBUTION = re.compile(
    rf"^\s*{_DASH}\s*(?P<name>.*?)\s*\(@(?P<handle>[^()\s]*)\)(?P<rest>[^()]*)$", re.DOTALL
)
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,20}")
_TWITTER = r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/"
_STATUS = re.compile(
    _TWITTER + r"(?:(?P<user>[A-Za-z0-9_]{1,20})|i/web)/status(?:es)?/(?P<id>\d+)", re.IGNORECASE
)
_TRAILING_STATUS = re.compile(rf"(?P<url>{_TWITTER}\S+)$", re.IGNORECASE)
# Where an attribution glued to a tweet's text may begin: a dash that is no hyphen.
_INLINE_DASH = re.compile(r"&mdash;|&ndash;|&#8212;|&#8211;|[—–―]|(?<=\s)--?(?=\s)")
_MAX_NAME = 50  # characters of a Twitter display name
_MAX_INLINE = 250  # dash, name, (@handle), a date and a status link


def parse_attribution(line: str, lang: str | None = None) -> Attribution | None:
    """Read ``— Name (@handle) 27 Eylül 2019``; None when ``line`` is no attribution line.

    The line must open with a dash (``—``, ``&mdash;``, ``–``, ``-``) and end in ``(@handle)``
    with at most a date, a status link, or a date and a status link after it; the name runs
    up to the last ``(@…)``, so names may hold commas, brackets, emoji and ``@``. A
    malformed handle or an unreadable date is kept out of the result and named in
    ``problems``.
    """
    if "\n" in line.strip():
        return None  # an attribution is one line (this also keeps the pattern's work linear)
    match = _ATTRIBUTION.match(line)
    if not match:
        return None
    rest = match["rest"].strip()
    status_url = None
    link = _TRAILING_STATUS.search(rest)
    if link and status_link(link["url"]):
        status_url, rest = link["url"], rest[:link.start()].strip()
    problems = []
    date = None
    if rest:
        found = find_date(rest, lang)
        if found and found[3] == len(rest):
            date = found[0]
        elif _looks_like_date(rest):
            problems.append(f"date {rest!r} not understood")
        else:
            return None  # prose after "(@handle)": not an attribution
    name = match["name"].strip()
    handle = match["handle"]
    if not _HANDLE.fullmatch(handle):
        problems.append(f"malformed handle {'@' + handle!r}")
        handle = None
    if not rest:
        problems.append("no date")
    return Attribution(name or None, handle, rest or None, date, tuple(problems), status_url)


def split_inline_attribution(text: str, lang: str | None = None) -> tuple[str, str] | None:
    """``(tweet_text, attribution)`` when ``text`` ends in an attribution glued to it.

    Scraped pages flatten an embed to one line: ``… #tag — Name (@handle) September 27,
    2019`` or ``…pic.twitter.com/xyz— Name (@handle) 27 Sep 2019``. Only a certain
    attribution counts: a name of at most 50 characters, a well-formed ``(@handle)``, and a
    date that CLDR data reads or a status link. Prose with a dash and a parenthesis stays
    prose (None).
    """
    if "(@" not in text[-_MAX_INLINE:]:
        return None
    tail = max(0, len(text) - _MAX_INLINE)  # an attribution is short: look at the end only
    for dash in reversed(list(_INLINE_DASH.finditer(text, tail))):  # tweets hold dashes too
        head = text[:dash.start()].rstrip()
        if not head:
            continue
        line = text[dash.start():]
        parts = parse_attribution(line, lang)
        if parts and _certain(parts):
            return head, line.strip()
    return None


def _certain(parts: Attribution) -> bool:
    name = parts.name or ""
    return (0 < len(name) <= _MAX_NAME and "(@" not in name and parts.handle is not None
            and (parts.date is not None or parts.status_url is not None))


# twitter-text's weighting (config v3): these code points weigh 1, all others 2; a URL 23.
_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def weighted_length(text: str) -> int:
    """A text's length as Twitter counts it against the 280 limit (twitter-text v3 weights)."""
    from .entities import extract_urls_with_indices

    urls = extract_urls_with_indices(text)
    length = 23 * len(urls)
    covered = {i for u in urls for i in range(*u["indices"])}
    for i, char in enumerate(text):
        if i not in covered:
            point = ord(char)
            length += 1 if any(lo <= point <= hi for lo, hi in _LIGHT) else 2
    return length


_YEAR_OR_NUMERIC_DATE = re.compile(r"(?<!\d)(?:1[89]|2\d)\d\d(?!\d)|^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


def _looks_like_date(text: str) -> bool:
    """Short, with a year or a numeric date: a date the parser cannot read, not prose."""
    return len(text) <= 40 and len(text.split()) <= 6 and bool(_YEAR_OR_NUMERIC_DATE.search(text))


def status_link(url: str | None) -> tuple[str, str] | None:
    """``(status_id, canonical_url)`` of a twitter.com or x.com status link, else None."""
    match = _STATUS.match(url or "")
    if not match:
        return None
    user = match["user"] or "i/web"
    return match["id"], f"https://twitter.com/{user}/status/{match['id']}"


# --- embeds ------------------------------------------------------------------------------

_HTML_SPACE = re.compile(r"([ \t\n\r\f]+)")  # what HTML collapses (not U+00A0)
_DASH_CHARS = re.compile(r"[—–―]")


def render_html(nodes: Any) -> tuple[str, list[tuple[int, int, Any]]]:
    """The text of bs4 nodes as a browser shows it, and each ``<a>`` with its ``[start, end)``.

    Runs of HTML white space become one space, none at a line's start or end; ``<br>`` is a
    line break; comments are not shown; an ``<img>`` shows its ``alt`` (emoji images).
    """
    from bs4 import NavigableString, Tag

    out: list[str] = []
    size = 0  # characters in out
    pending = False
    links: list[tuple[int, int, Any]] = []

    def put(piece: str) -> None:
        nonlocal size
        out.append(piece)
        size += len(piece)

    def emit(text: str) -> None:
        nonlocal pending
        for piece in _HTML_SPACE.split(unicodedata.normalize("NFC", text)):
            if not piece:
                continue
            if _HTML_SPACE.fullmatch(piece):
                pending = True
                continue
            if pending and out and out[-1] != "\n":
                put(" ")
            pending = False
            put(piece)

    def walk(node: Any) -> None:
        nonlocal pending
        if isinstance(node, NavigableString):
            if _shown_string(node):
                emit(str(node))
            return
        if not isinstance(node, Tag) or node.name in ("script", "style", "template"):
            return
        if node.name == "br":
            pending = False
            put("\n")
            return
        if node.name == "img":
            emit(node.get("alt") or "")
            return
        begin, first = size, len(out)
        for child in node.children:
            walk(child)
        if node.name == "a":
            spaced = len(out) > first and out[first] == " "
            links.append((begin + spaced, size, node))

    for node in nodes:
        walk(node)
    text = "".join(out)
    lead = len(text) - len(text.lstrip("\n"))
    text = text.strip("\n")
    links = [(max(0, s - lead), min(len(text), e - lead), a) for s, e, a in links]
    return text, [(s, e, a) for s, e, a in links if s < e]


@cache
def _string_types() -> tuple[type, type, type]:
    """bs4's string, preformatted-string and CDATA classes, imported once (bs4 is imported
    only by what parses HTML)."""
    from bs4 import CData, NavigableString
    from bs4.element import PreformattedString

    return NavigableString, PreformattedString, CData


def _shown_string(node: Any) -> bool:
    """True for a bs4 string a browser shows: text or CDATA, not a comment, a processing
    instruction or a declaration."""
    string, preformatted, cdata = _string_types()
    return isinstance(node, string) and (not isinstance(node, preformatted)
                                         or isinstance(node, cdata))


def _split_at_attribution(nodes: list[Any]) -> tuple[list[Any], list[Any]]:
    """Tweet nodes and attribution nodes of a ``<p>`` that was never closed.

    The attribution starts at the last dash (``—``, ``–``) of a top-level string that has
    ``(@`` or the status link after it; without one, everything is the tweet's text.
    """
    from bs4 import NavigableString

    for i in range(len(nodes) - 1, -1, -1):
        node = nodes[i]
        if not _shown_string(node):  # a tag, or a comment: not where the attribution starts
            continue
        dashes = list(_DASH_CHARS.finditer(str(node)))
        if not dashes:
            continue
        cut = dashes[-1].start()
        tail = [NavigableString(str(node)[cut:])] + nodes[i + 1:]
        shown = render_html(tail)[0]
        has_status = any(getattr(n, "name", None) == "a" and status_link(n.get("href"))
                         for n in tail)
        if "(@" in shown or has_status:
            return nodes[:i] + [NavigableString(str(node)[:cut])], tail
        break
    return nodes, []


_LINK_HASHTAG = re.compile(r"[#＃](?P<tag>\w+)")
_LINK_MENTION = re.compile(r"[@＠](?P<name>[A-Za-z0-9_]{1,20})")
_LINK_CASHTAG = re.compile(r"\$(?P<tag>[A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?)")


def _link_entity(label: str, href: str | None) -> tuple[str, Any] | None:
    """The entity an ``<a>`` of a tweet's text stands for: ``(kind, value)``, or None."""
    for kind, pattern, group in (("hashtags", _LINK_HASHTAG, "tag"),
                                 ("mentions", _LINK_MENTION, "name"),
                                 ("cashtags", _LINK_CASHTAG, "tag")):
        match = pattern.fullmatch(label)
        if match:
            return kind, match[group]
    if not label:
        return None  # an empty or image-only link shows no text
    return "urls", {"url": href or label, "expanded_url": _expanded(label, href),
                    "display_url": label}


def _expanded(label: str, href: str | None) -> str:
    """Where a link leads, as Twitter's ``expanded_url``: the shown URL when it is whole
    (a scheme, no ``…``) and the link is a t.co redirect, else the link itself."""
    shortened = bool(re.match(r"https?://t\.co/", href or "", re.IGNORECASE))
    if not href or (shortened and re.match(r"https?://", label) and "…" not in label):
        return label
    return href


_GLUED_LINK = re.compile(r"(?<=\S)(?=https?://|pic\.twitter\.com/)", re.IGNORECASE)


def text_entities(text: str, offset: int = 0) -> list[tuple[int, str, Any]]:
    """``(start, kind, value)`` for the entities of plain tweet text (twitter-text rules).

    A link glued to what precedes it (``#modulehttps://t.co/x``, ``textpic.twitter.com/x``,
    as scrapers leave them) starts a new stretch, so neither the link nor the hashtag
    before it is lost. URLs are ``{"url", "expanded_url", "display_url"}`` as written.
    """
    from .entities import extract_entities  # twitter-text's patterns: compiled on first use

    found: list[tuple[int, str, Any]] = []
    cuts = [0] + [m.start() for m in _GLUED_LINK.finditer(text)] + [len(text)]
    for start, end in pairwise(cuts):
        entities = extract_entities(text[start:end])
        for kind, items in entities.items():
            for item in items:
                found.append((offset + start + item["indices"][0], kind, _value(kind, item)))
    return sorted(found, key=lambda e: e[0])


def _value(kind: str, item: dict) -> Any:
    if kind == "urls":
        url = item["url"]
        return {"url": url, "expanded_url": url,
                "display_url": re.sub(r"^https?://", "", url, flags=re.IGNORECASE)}
    return item[{"hashtags": "hashtag", "mentions": "screen_name", "cashtags": "cashtag"}[kind]]


def _grouped(found: list[tuple[int, str, Any]]) -> dict[str, list[Any]]:
    result: dict[str, list[Any]] = {"hashtags": [], "mentions": [], "urls": [], "cashtags": []}
    for _start, kind, value in sorted(found, key=lambda e: e[0]):
        result[kind].append(value)
    return result


def embed_entities(text: str, links: list[tuple[int, int, Any]]) -> dict[str, list[Any]]:
    """Entities of an embed's text: its links where it has links, twitter-text elsewhere."""
    found: list[tuple[int, str, Any]] = []
    last = 0
    for start, end, anchor in sorted(links, key=lambda link: link[0]):
        if start < last:
            continue  # a link inside a link
        found += text_entities(text[last:start], last)
        entity = _link_entity(text[start:end], anchor.get("href"))
        if entity:
            found.append((start, *entity))
        last = end
    found += text_entities(text[last:], last)
    return _grouped(found)


def parse_embed(embed: Any) -> dict[str, Any]:
    """Read Twitter's embed code (a ``<blockquote class="twitter-tweet">`` string or bs4 Tag).

    Returns ``text`` (as a browser shows it, ``<br>`` as a line break), ``entities``
    (``hashtags``, ``mentions``, ``urls``, ``cashtags``: from the markup's links where there
    are links, from the text elsewhere), ``attribution`` (the line after the text),
    ``author_name``, ``author_handle`` (from ``(@handle)``, else from the status link),
    ``date_text``, ``date`` (ISO or None), ``status_id``, ``status_url`` and ``url`` (both
    the canonical ``https://twitter.com/<handle>/status/<id>``), ``lang`` (of the tweet,
    else of the embed) and ``problems``. Missing parts are None; the tag is left unchanged.
    """
    from bs4 import BeautifulSoup

    if isinstance(embed, str):
        soup = BeautifulSoup(embed, "html.parser")
        quote = soup.find("blockquote", class_="twitter-tweet") or soup.find("blockquote") or soup
    else:
        quote = embed
    para = quote.find("p")
    inner = list(para.children if para else quote.children if quote.name == "blockquote" else [])
    after = list(para.next_siblings) if para else []
    if not render_html(after)[0].strip():
        inner, after = _split_at_attribution(inner + after)  # <p> never closed, or none
    text, links = render_html(inner)
    attribution = " ".join(render_html(after)[0].split()) or None
    anchors = [a for n in after if getattr(n, "name", None)
               for a in ([n] if n.name == "a" else n.find_all("a"))]
    status_anchor = next((a for a in reversed(anchors) if status_link(a.get("href"))), None)
    status = status_link(status_anchor.get("href")) if status_anchor else None
    link_date = " ".join(status_anchor.get_text(" ").split()) or None if status_anchor else None
    date_lang = quote.get("data-lang") if hasattr(quote, "get") else None
    parts = parse_attribution(attribution, date_lang) if attribution else None
    if parts is None and attribution and status:
        parts = _nameless_attribution(attribution, link_date, date_lang)
    problems = []
    if parts is None:
        problems.append("no attribution line (— Name (@handle) date)")
    else:
        problems.extend(parts.problems)
    if status is None:
        problems.append("no status link")
    if not text:
        problems.append("no tweet text")
    handle = parts.handle if parts else None
    if handle is None and parts and status_anchor is not None and "(@" not in attribution:
        handle = _STATUS.match(status_anchor["href"])["user"]  # the status link names it
    lang = (para.get("lang") if para else None) or date_lang
    return {
        "text": text or None,
        "entities": embed_entities(text, links),
        "attribution": attribution,
        "author_name": parts.name if parts else None,
        "author_handle": handle,
        "date_text": (parts.date_text if parts else None) or link_date,
        "date": parts.date.isoformat() if parts and parts.date else None,
        "status_id": status[0] if status else None,
        "status_url": status[1] if status else None,
        "url": status[1] if status else None,
        "lang": lang or None,
        "problems": problems,
    }


def _nameless_attribution(line: str, date_text: str | None, lang: str | None
                          ) -> Attribution | None:
    """``— わさびず 2015年12月29日``: a name and the status link's date, no ``(@handle)``."""
    if not date_text or not line.endswith(date_text):
        return None
    match = re.match(rf"^\s*{_DASH}\s*(?P<name>.+?)\s*$", line[: len(line) - len(date_text)])
    if not match or "(@" in match["name"] or len(match["name"]) > _MAX_NAME:
        return None
    found = find_date(date_text, lang)
    date = found[0] if found and found[3] == len(date_text) else None
    problems = () if date else (f"date {date_text!r} not understood",)
    return Attribution(match["name"], None, date_text, date, problems)


def _split_unit(unit: Any) -> tuple[str, str | None]:
    """A tweet unit's text and attribution line (from ``data`` when the reader kept them)."""
    if "tweet_text" in unit.data or "attribution" in unit.data:
        return unit.data.get("tweet_text") or "", unit.data.get("attribution") or None
    text, _, last = unit.text.rpartition("\n")
    if text and parse_attribution(last):
        return text, last
    return unit.text, None


def _unit_parts(unit: Any, line: str | None, lang: str | None) -> Attribution | None:
    """The attribution of a tweet unit: as the reader read an embed, else from its line."""
    data = unit.data
    if data.get("embed"):
        if not (data.get("author_name") or data.get("author_handle")):
            return None
        date = dt.date.fromisoformat(data["date"]) if data.get("date") else None
        return Attribution(data.get("author_name"), data.get("author_handle"),
                           data.get("date_text"), date, tuple(data.get("problems", ())))
    return parse_attribution(line, lang) if line else None


def extract_tweets(article: Article) -> list[Tweet]:
    """The quoted tweets of an article (units of kind ``tweet``), in reading order.

    ``unit`` is the unit's aligned index, ``order`` counts tweets from 0. ``quote_id`` comes
    from the status id when known, else from handle + date + occurrence (the k-th tweet of
    that handle and date in the article), so that translations agree on it. Entities are
    the reader's (an embed's links) when it kept them, else found in the text; URLs are
    ``{"url", "expanded_url", "display_url"}`` as in Twitter's API.
    """
    tweets = []
    seen: Counter = Counter()
    for unit in article.units:
        if unit.kind != "tweet":
            continue
        text, line = _split_unit(unit)
        where = f"{article.path}:{unit.line}"
        parts = _unit_parts(unit, line, article.lang)
        if parts is None:
            reason = f"attribution {line!r} not understood" if line else "no attribution line"
            warnings.warn(f"{where}: tweet {reason}; author and date left empty",
                          TweetWarning, stacklevel=2)
        else:
            for problem in parts.problems:
                warnings.warn(f"{where}: tweet attribution has {problem}; left empty",
                              TweetWarning, stacklevel=2)
        status = status_link(unit.data.get("status_url") or (parts.status_url if parts else None))
        status_id = unit.data.get("status_id") or (status[0] if status else None)
        found = unit.data.get("entities") or _grouped(text_entities(text))
        tweet = Tweet(
            article=article.id,
            lang=article.lang,
            order=len(tweets),
            unit=unit.index,
            text=text,
            author_name=parts.name if parts else None,
            author_handle=parts.handle if parts else None,
            date=parts.date.isoformat() if parts and parts.date else None,
            date_text=parts.date_text if parts else None,
            status_id=status_id,
            url=status[1] if status else None,
            hashtags=list(found["hashtags"]),
            mentions=list(found["mentions"]),
            urls=[dict(u) for u in found["urls"]],
            cashtags=list(found["cashtags"]),
        )
        key = _who_when(tweet)
        seen[key] += 1
        tweet.quote_id = f"q-{status_id}" if status_id else f"q-{key}-{seen[key]}"
        tweets.append(tweet)
    return tweets


def _who_when(tweet: Tweet) -> str:
    """``handle-date`` (lower-case handle; the name, slugged, when there is no handle)."""
    who = (tweet.author_handle or "").lower()
    if not who and tweet.author_name:
        who = "name:" + "_".join(re.findall(r"\w+", tweet.author_name.lower()))
    return f"{who or 'anon'}-{tweet.date or 'nodate'}"


def tweet_records(tweets: list[Tweet]) -> list[dict[str, Any]]:
    """Plain records in the ``tweets`` contract's field order."""
    return [{name: _copy(getattr(t, name)) for name in TWEET_FIELDS} for t in tweets]


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value


def link_quotes(
    tweets_by_article: Mapping[str, list[Tweet]],
    unit_map: Mapping[str, Mapping[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """Group the same tweet across translations; say which versions have and lack it.

    ``tweets_by_article`` maps every article id of a translation group to its tweets (an
    empty list for a version that quotes none). Tweets are linked by status id, then, when
    ``unit_map`` is given (article id -> {unit index -> a shared unit index}, e.g. from an
    alignment to one pivot version), by aligned unit, then by handle + date + occurrence.
    A link never joins two tweets of one article. Each tweet's ``quote_id`` is set to its
    group's id; each group is ``{"quote_id", "author_handle", "author_name", "date",
    "status_id", "present", "missing", "orders", "texts"}``.
    """
    tweets = [t for ts in tweets_by_article.values() for t in ts]
    parent = list(range(len(tweets)))
    members = [{t.article} for t in tweets]

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def link_by(key_of: Any) -> None:
        first: dict[Any, int] = {}
        for i, tweet in enumerate(tweets):
            key = key_of(tweet)
            if key is None:
                continue
            if key not in first:
                first[key] = i
                continue
            a, b = root(first[key]), root(i)
            if a != b and not members[a] & members[b]:
                parent[b] = a
                members[a] |= members[b]

    seen: Counter = Counter()
    occurrence = {}
    for tweet in tweets:
        key = (tweet.article, _who_when(tweet))
        seen[key] += 1
        occurrence[id(tweet)] = f"{key[1]}-{seen[key]}"

    def aligned(tweet: Tweet) -> Any:
        shared = (unit_map or {}).get(tweet.article, {}).get(tweet.unit)
        return None if shared is None else ("unit", shared)

    link_by(lambda t: t.status_id)
    link_by(aligned)
    link_by(lambda t: occurrence[id(t)])

    groups: dict[int, list[Tweet]] = {}
    for i, tweet in enumerate(tweets):
        groups.setdefault(root(i), []).append(tweet)
    result = []
    for group in groups.values():
        status = _first(group, "status_id")
        quote_id = f"q-{status}" if status else min(f"q-{occurrence[id(t)]}" for t in group)
        for tweet in group:
            tweet.quote_id = quote_id
        have = [t.article for t in group]
        result.append({
            "quote_id": quote_id,
            "author_handle": _first(group, "author_handle"),
            "author_name": _first(group, "author_name"),
            "date": _first(group, "date"),
            "status_id": _first(group, "status_id"),
            "present": have,
            "missing": [a for a in tweets_by_article if a not in have],
            "orders": {t.article: t.order for t in group},
            "texts": {t.article: t.text for t in group},
        })
    return result


def _first(group: list[Tweet], name: str) -> Any:
    return next((getattr(t, name) for t in group if getattr(t, name)), None)


def article_mentions(article: Article) -> list[dict[str, Any]]:
    """Accounts the article's prose mentions (not quoted tweets): one record per mention.

    ``{"article", "unit", "line", "handle", "indices", "url"}``; ``url`` is the profile link
    the reader recovered from stripped HTML (``unit.data["urls"]``), when there was one.
    """
    from .entities import extract_mentions_with_indices

    found = []
    for unit in article.units:
        if unit.kind in ("tweet", "metadata"):
            continue
        handles = unit.data.get("handles", [])
        links = dict(zip(handles, unit.data.get("urls", [])[: len(handles)]))
        mentioned = extract_mentions_with_indices(unit.text)
        for mention in mentioned:
            found.append({
                "article": article.id,
                "unit": unit.index,
                "line": unit.line,
                "handle": mention["screen_name"],
                "indices": mention["indices"],
                "url": links.get(mention["screen_name"]),
            })
        for handle in handles:  # recovered but no longer in the text: keep it anyway
            if all(m["screen_name"] != handle for m in mentioned):
                found.append({"article": article.id, "unit": unit.index, "line": unit.line,
                              "handle": handle, "indices": None, "url": links.get(handle)})
    return found


def unit_map_from_alignment(alignment: Any) -> dict[str, dict[int, int]]:
    """A ``unit_map`` for :func:`link_quotes` from an alignment.

    Two-way (``Alignment``, needs ``src_id`` and ``tgt_id``): both sides' units map to the
    first source unit of their bead. N-way (``NwayAlignment``): every version's units map
    to their row number. Units without a counterpart are left out.
    """
    if hasattr(alignment, "rows"):
        shared: dict[str, dict[int, int]] = {i: {} for i in alignment.ids}
        for number, row in enumerate(alignment.rows):
            if sum(1 for cell in row if cell) < 2:
                continue
            for article_id, cell in zip(alignment.ids, row):
                for unit in cell:
                    shared[article_id][unit] = number
        return shared
    src: dict[int, int] = {}
    tgt: dict[int, int] = {}
    for bead in alignment.beads:
        if bead.src and bead.tgt:
            for i in bead.src:
                src[i] = bead.src[0]
            for j in bead.tgt:
                tgt[j] = bead.src[0]
    return {alignment.src_id: src, alignment.tgt_id: tgt}
