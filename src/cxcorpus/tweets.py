"""Quoted tweets: attribution lines, Twitter embeds, Tweet records, links across translations.

A quoted tweet reaches us in one of two forms: the plain text that extractors leave behind
(the tweet's text, then ``— Name (@handle) 27 Eylül 2019``), or Twitter's embed code
(``<blockquote class="twitter-tweet">``). The reader turns either into one ``tweet`` unit;
:func:`extract_tweets` turns those units into :class:`~cxcorpus.model.Tweet` records, and
:func:`link_quotes` gives the same tweet quoted in several translations one ``quote_id``.
Nothing is invented: a part the input lacks stays ``None``, with a :class:`TweetWarning`.
"""

from __future__ import annotations

import copy
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .dates import find_date
from .entities import extract_entities, extract_mentions_with_indices
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


_DASH = r"(?:&mdash;|&ndash;|&#8212;|&#8211;|&#x2014;|&#x2013;|[—–―‒−-]{1,2})"
_ATTRIBUTION = re.compile(
    rf"^\s*{_DASH}\s*(?P<name>.*?)\s*\(@(?P<handle>[^()\s]*)\)(?P<rest>[^()]*)$", re.DOTALL
)
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,20}")
_STATUS = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:(?P<user>[A-Za-z0-9_]{1,20})|i/web)"
    r"/status(?:es)?/(?P<id>\d+)",
    re.IGNORECASE,
)


def parse_attribution(line: str, lang: str | None = None) -> Attribution | None:
    """Read ``— Name (@handle) 27 Eylül 2019``; None when ``line`` is no attribution line.

    The line must open with a dash (``—``, ``&mdash;``, ``–``, ``-``) and end in ``(@handle)``
    with at most a date after it; the name runs up to the last ``(@…)``, so names may hold
    commas, brackets, emoji and ``@``. A malformed handle or an unreadable date is kept out
    of the result and named in ``problems``.
    """
    if "\n" in line.strip():
        return None  # an attribution is one line (this also keeps the pattern's work linear)
    match = _ATTRIBUTION.match(line)
    if not match:
        return None
    rest = match["rest"].strip()
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
    return Attribution(name or None, handle, rest or None, date, tuple(problems))


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


def parse_embed(embed: Any) -> dict[str, Any]:
    """Read Twitter's embed code (a ``<blockquote class="twitter-tweet">`` string or bs4 Tag).

    Returns ``text`` (``<br>`` as newlines, links as shown), ``attribution`` (the line after
    the text), ``author_name``, ``author_handle``, ``date_text``, ``date`` (ISO or None),
    ``status_id``, ``status_url`` and ``url`` (both the canonical
    ``https://twitter.com/<handle>/status/<id>``), ``lang`` (of the tweet, else of the
    embed) and ``problems``. Missing parts are None.
    """
    from bs4 import BeautifulSoup, CData, NavigableString
    from bs4.element import PreformattedString

    if isinstance(embed, str):
        soup = BeautifulSoup(embed, "html.parser")
        quote = soup.find("blockquote", class_="twitter-tweet") or soup.find("blockquote") or soup
    else:
        quote = copy.copy(embed)  # <br> is replaced below: leave the caller's tree alone
    for br in quote.find_all("br"):
        br.replace_with("\n")
    para = quote.find("p")
    problems = []
    status = None
    rest: list[str] = []
    date_text = None
    for node in (para.next_siblings if para else quote.children):
        if isinstance(node, PreformattedString) and not isinstance(node, CData):
            continue  # comments, declarations: not shown to a reader
        if isinstance(node, NavigableString):
            rest.append(str(node))
            continue
        found = status_link(node.get("href")) if node.name == "a" else None
        if found:
            status, date_text = found, node.get_text(" ", strip=True) or None
        rest.append(node.get_text(" "))
    text = para.get_text() if para else None
    attribution = " ".join("".join(rest).split()) or None  # the parser has unescaped it
    parts = parse_attribution(attribution, quote.get("data-lang")) if attribution else None
    if parts is None:
        problems.append("no attribution line (— Name (@handle) date)")
    else:
        problems.extend(parts.problems)
    if status is None:
        problems.append("no status link")
    if not text:
        problems.append("no tweet text")
    lang = (para.get("lang") if para else None) or quote.get("data-lang")
    return {
        "text": text.strip() if text else None,
        "attribution": attribution,
        "author_name": parts.name if parts else None,
        "author_handle": parts.handle if parts else None,
        "date_text": (parts.date_text if parts else None) or date_text,
        "date": parts.date.isoformat() if parts and parts.date else None,
        "status_id": status[0] if status else None,
        "status_url": status[1] if status else None,
        "url": status[1] if status else None,
        "lang": lang or None,
        "problems": problems,
    }


def _split_unit(unit: Any) -> tuple[str, str | None]:
    """A tweet unit's text and attribution line (from ``data`` when the reader kept them)."""
    if "tweet_text" in unit.data or "attribution" in unit.data:
        return unit.data.get("tweet_text") or "", unit.data.get("attribution") or None
    text, _, last = unit.text.rpartition("\n")
    if text and parse_attribution(last):
        return text, last
    return unit.text, None


def extract_tweets(article: Article) -> list[Tweet]:
    """The quoted tweets of an article (units of kind ``tweet``), in reading order.

    ``unit`` is the unit's aligned index, ``order`` counts tweets from 0. ``quote_id`` comes
    from the status id when known, else from handle + date + occurrence (the k-th tweet of
    that handle and date in the article), so that translations agree on it.
    """
    tweets = []
    seen: Counter = Counter()
    for unit in article.units:
        if unit.kind != "tweet":
            continue
        text, line = _split_unit(unit)
        where = f"{article.path}:{unit.line}"
        parts = parse_attribution(line, article.lang) if line else None
        if parts is None:
            reason = f"attribution {line!r} not understood" if line else "no attribution line"
            warnings.warn(f"{where}: tweet {reason}; author and date left empty",
                          TweetWarning, stacklevel=2)
        else:
            for problem in parts.problems:
                warnings.warn(f"{where}: tweet attribution has {problem}; left empty",
                              TweetWarning, stacklevel=2)
        status = status_link(unit.data.get("status_url"))
        status_id = unit.data.get("status_id") or (status[0] if status else None)
        found = extract_entities(text)
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
            hashtags=[e["hashtag"] for e in found["hashtags"]],
            mentions=[e["screen_name"] for e in found["mentions"]],
            urls=[e["url"] for e in found["urls"]],
            cashtags=[e["cashtag"] for e in found["cashtags"]],
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
