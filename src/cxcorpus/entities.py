"""Hashtags, mentions, URLs and cashtags in a tweet's text, as the twitter-text spec defines them.

URLs come from ``twitter-text-parser`` (the maintained Python port, which passes the
conformance suite for URLs but extracts nothing else). Hashtags, mentions, replies and
cashtags follow the spec's patterns here, with its character groups taken from that
package. Indices are code-point offsets ``[start, end)`` into the text, as in the spec.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import types
from typing import Any

import regex

_MAX_DOMAIN = 253  # characters of a domain name (RFC 1035)


def _twitter_text(module: str) -> Any:
    """A submodule of twitter-text-parser.

    The package's ``__init__`` imports ``pkg_resources`` (for its emoji list), which recent
    setuptools no longer ships; the URL extractor and character groups do not need it, so
    when that import fails the package is set up without running its ``__init__``.
    """
    try:
        return importlib.import_module(f"twitter_text.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != "pkg_resources":
            raise
    spec = importlib.util.find_spec("twitter_text")
    package = importlib.util.module_from_spec(spec)
    sys.modules["twitter_text"] = package
    return importlib.import_module(f"twitter_text.{module}")


def _bounded_url_extractor() -> Any:
    """twitter-text-parser's URL extractor, its domain bounded to DNS's limits (RFC 1035:
    labels of at most 63 characters, at most 127 labels).

    The package's pattern repeats labels without bound, so on ``a.a.a.…`` every start
    position scans the rest of the run (3.2 KB took 17 s). A longer label fails the
    extractor's own IDNA check anyway. The pattern is rebuilt from the package's own parts
    and its function runs with it unchanged; the package itself is left alone.
    """
    urls = _twitter_text("extract_urls")
    parts = {name: _twitter_text(f"regexp.{name}").__dict__[name] for name in (
        "valid_domain_chars", "valid_gtld", "valid_cctld", "valid_punycode",
        "valid_port_number", "valid_url_path", "valid_url_preceding_chars",
        "valid_url_query_chars", "valid_url_query_ending_chars")}
    supplant = _twitter_text("regex_supplant").regex_supplant
    chars = "#{valid_domain_chars}"
    subdomain = f"(?:(?:{chars}(?:[_-]|{chars}){{0,61}})?{chars}\\.)"
    name = f"(?:(?:{chars}(?:-|{chars}){{0,61}})?{chars}\\.)"
    domain = (f"(?:{subdomain}{{0,125}}{name}"
              "(?:#{valid_gtld}|#{valid_cctld}|#{valid_punycode}))")
    pattern = supplant(
        "((#{valid_url_preceding_chars})((https?:\\/\\/)?(" + domain + ")"
        "(?::(#{valid_port_number}))?(\\/#{valid_url_path}*)?"
        "(\\?#{valid_url_query_chars}*#{valid_url_query_ending_chars})?))",
        parts, re.IGNORECASE,
    )
    function = urls.extract_urls_with_indices
    scope = {**function.__globals__, "extract_url": pattern}
    return types.FunctionType(function.__code__, scope, function.__name__,
                              function.__defaults__, function.__closure__)


_extract_urls = _bounded_url_extractor()
_DOMAIN_CHARS = _twitter_text("regexp.valid_domain_chars").valid_domain_chars
_DOMAIN_CHARS = getattr(_DOMAIN_CHARS, "pattern", _DOMAIN_CHARS)
_LONG_DOMAIN_RUN = re.compile(rf"(?:{_DOMAIN_CHARS}|[._-]){{{_MAX_DOMAIN + 1},}}")
_TLD_END = re.compile(
    r"\.(?:" + "|".join(getattr(_twitter_text(f"regexp.{n}").__dict__[n], "pattern", None)
                        for n in ("valid_gtld", "valid_cctld", "valid_punycode")) + ")",
    re.IGNORECASE,
)
_PATH_CONTEXT = tuple("/?=&#%+")


def _blank_far_from_domain_ends(text: str) -> str:
    """``text`` with the stretches of long dotted runs that no domain can start in blanked.

    A domain ends in a top-level domain and is at most 253 characters long (RFC 1035), so in
    a run of domain characters and dots longer than that, a position more than 253
    characters before the next top-level domain starts no URL. Blanking such stretches (same
    length, so indices hold) keeps the extractor linear on ``a.a.a.…``. Runs in a URL's path
    or query (after ``/``, ``?``, ``=``… but not ``://``) are left whole.
    """
    if len(text) <= _MAX_DOMAIN:
        return text
    blanks: list[tuple[int, int]] = []
    for run in _LONG_DOMAIN_RUN.finditer(text):
        start, end = run.span()
        if text[start - 1:start] in _PATH_CONTEXT and text[start - 3:start] != "://":
            continue
        ends = [m.end() for m in _TLD_END.finditer(text, start, min(end + 1, len(text)))]
        at = start
        for tld_end in ends:
            keep_from = max(at, tld_end - _MAX_DOMAIN)
            if keep_from > at:
                blanks.append((at, keep_from))
            at = max(at, tld_end)
        if at < end:
            blanks.append((at, end))
    if not blanks:
        return text
    pieces, last = [], 0
    for start, end in blanks:
        pieces += [text[last:start], " " * (end - start)]
        last = end
    return "".join(pieces + [text[last:]])
_LATIN_ACCENTS = _twitter_text("regexp.latin_accent_chars").latin_accent_chars.pattern
_SPACES = _twitter_text("regexp.spaces_group").spaces_group
_PUNCT = _twitter_text("regexp.punct").punct

# The spec's regular expressions are JavaScript ones: its \s and $ (end of input only).
_JS_SPACE = r"[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_AT = "[@＠]"
_HASH = "[#＃]"
_HASHTAG_ALNUM = (
    r"[\p{L}\p{M}\p{Nd}_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c"
    r"\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7]"
)
# The spec consumes the character before "#"; a look-behind says the same and is faster.
_HASHTAG = regex.compile(
    rf"(?:^|(?<=[\ufe0e\ufe0f])|(?<!{_HASHTAG_ALNUM}|&))"
    rf"{_HASH}(?!\ufe0f|\u20e3)"
    rf"(?P<tag>{_HASHTAG_ALNUM}*[\p{{L}}\p{{M}}]{_HASHTAG_ALNUM}*)",
    regex.IGNORECASE | regex.DOTALL,
)
_HASHTAG_END = regex.compile(rf"{_HASH}|://")
_ANY_HASH = regex.compile(_HASH)
_ANY_AT = regex.compile(_AT)
_MENTION = regex.compile(
    r"(?P<before>^|[^a-zA-Z0-9_!#$%&*@＠]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
    rf"{_AT}(?P<name>[a-zA-Z0-9_]{{1,20}})(?P<slug>/[a-zA-Z][a-zA-Z0-9_\-]{{0,24}})?"
)
_MENTION_END = regex.compile(rf"{_AT}|[{_LATIN_ACCENTS}]|://")
_REPLY = regex.compile(rf"[{_SPACES}]*{_AT}(?P<name>[a-zA-Z0-9_]{{1,20}})")
_CASHTAG = regex.compile(
    rf"(?P<before>^|[{_SPACES}])\$(?P<tag>[a-z]{{1,6}}(?:[._][a-z]{{1,2}})?)"
    rf"(?=\Z|{_JS_SPACE}|[{_PUNCT}])",
    regex.IGNORECASE,
)


def _remove_overlaps(entities: list[dict]) -> list[dict]:
    """Keep entities in text order, dropping any that starts inside the one kept before it."""
    kept: list[dict] = []
    for entity in sorted(entities, key=lambda e: e["indices"][0]):
        if not kept or kept[-1]["indices"][1] <= entity["indices"][0]:
            kept.append(entity)
    return kept


def extract_urls_with_indices(text: str) -> list[dict]:
    """``[{"url": ..., "indices": [start, end]}]``; bare domains such as ``example.com`` too."""
    return _extract_urls(_blank_far_from_domain_ends(text)) if text else []


def extract_hashtags_with_indices(text: str, check_url_overlap: bool = True) -> list[dict]:
    """``[{"hashtag": "CXtweetchat", "indices": [start, end]}]`` (``#`` not in the tag)."""
    if not text or not _ANY_HASH.search(text):
        return []
    tags = []
    for match in _HASHTAG.finditer(text):
        if _HASHTAG_END.match(text, match.end()):
            continue
        tags.append({"hashtag": match.group("tag"), "indices": [match.start(), match.end()]})
    if check_url_overlap and tags:
        urls = extract_urls_with_indices(text)
        if urls:
            tags = [e for e in _remove_overlaps(tags + urls) if "hashtag" in e]
    return tags


def extract_mentions_or_lists_with_indices(text: str) -> list[dict]:
    """``[{"screen_name": ..., "list_slug": "/name" or "", "indices": [start, end]}]``."""
    if not text or not _ANY_AT.search(text):
        return []
    found = []
    for match in _MENTION.finditer(text):
        if _MENTION_END.match(text, match.end()):
            continue
        start = match.start() + len(match.group("before"))
        found.append({
            "screen_name": match.group("name"),
            "list_slug": match.group("slug") or "",
            "indices": [start, match.end()],
        })
    return found


def extract_mentions_with_indices(text: str) -> list[dict]:
    """``[{"screen_name": ..., "indices": [start, end]}]``: mentions of accounts, not lists."""
    return [
        {"screen_name": m["screen_name"], "indices": m["indices"]}
        for m in extract_mentions_or_lists_with_indices(text)
        if not m["list_slug"]
    ]


def extract_reply(text: str) -> str | None:
    """The screen name a tweet replies to (an ``@name`` that opens it), or None."""
    match = _REPLY.match(text or "")
    if not match or _MENTION_END.match(text, match.end()):
        return None
    return match.group("name")


def extract_cashtags_with_indices(text: str) -> list[dict]:
    """``[{"cashtag": "TEST", "indices": [start, end]}]`` (``$`` not in the tag)."""
    if not text or "$" not in text:
        return []
    return [
        {"cashtag": m.group("tag"), "indices": [m.start() + len(m.group("before")), m.end()]}
        for m in _CASHTAG.finditer(text)
    ]


def extract_entities(text: str) -> dict[str, list[dict]]:
    """Every entity of ``text`` by kind: ``hashtags``, ``mentions``, ``urls``, ``cashtags``.

    Where two entities overlap the earlier one wins, URLs before the others, as in
    twitter-text's ``extractEntitiesWithIndices``: ``#tag`` inside a URL is no hashtag.
    """
    found = (
        extract_urls_with_indices(text)
        + extract_mentions_or_lists_with_indices(text)
        + extract_hashtags_with_indices(text, check_url_overlap=False)
        + extract_cashtags_with_indices(text)
    )
    kinds = {"url": "urls", "screen_name": "mentions", "hashtag": "hashtags", "cashtag": "cashtags"}
    result: dict[str, list[dict]] = {kind: [] for kind in kinds.values()}
    for entity in _remove_overlaps(found):
        if entity.pop("list_slug", ""):
            continue  # a list, not an account
        key = next(k for k in kinds if k in entity)
        result[kinds[key]].append(entity)
    return result
