#!/usr/bin/env python3
"""Fuzz the tweet extractor: ``parse_attribution``, ``parse_embed`` and
``entities.extract_entities``, with atheris.

Needs atheris, which is not a test dependency: ``.venv/bin/pip install atheris``.

    .venv/bin/python scripts/fuzz_tweets.py -max_total_time=120 -timeout=10

Seeds are the quoted tweets of the bundled corpus (text + attribution line), embeds built
from them, and the inputs of the twitter-text conformance suite. Only a ``CxcorpusError``
is an expected way to refuse an input; any other exception, a broken invariant (nothing in
a result that is not in the input: the asserts below), a run past ``-timeout`` seconds or
a memory blow-up is a crash, written to ``crash-*`` / ``timeout-*`` in the current folder.
Replay one with ``python scripts/fuzz_tweets.py crash-<hash>``. ``--only=attribution``,
``--only=embed`` or ``--only=entities`` fuzzes one function (to go on past a known bug in
another).
"""

from __future__ import annotations

import html
import sys
import tempfile
import unicodedata
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["cxcorpus"]):
    from cxcorpus.entities import extract_entities
    from cxcorpus.errors import CxcorpusError
    from cxcorpus.tweets import parse_attribution, parse_embed

ROOT = Path(__file__).resolve().parents[1]
MAX_CHARS = 4096
TOKENS = ["— ", "&mdash; ", "(@", ")", " 27 Eylül 2019", "27. September 2019", "2019-10-25",
          "#", "＃", "@", "＠", "$", "https://", "http://t.co/", "www.", ".com", "://", "\u200d",
          "\ufe0f", "\u20e3", '<blockquote class="twitter-tweet">', "</blockquote>", "<p>",
          "</p>", '<p lang="tr" dir="ltr">', "<br>", '<a href="https://twitter.com/',
          "/status/", "</a>", "&amp;", "&lt;", "RT @", "/list"]


def _flat(text: str) -> str:
    return " ".join(html.unescape(text).split())


def check_attribution(line: str) -> None:
    found = parse_attribution(line)
    if found is None:
        return
    flat = _flat(line)
    for value in (found.name, found.handle, found.date_text):
        assert value is None or _flat(value) in flat, (value, line)
    if found.date is not None:  # the year is written there (in any script's digits)
        assert found.date_text and str(found.date.year) in _ascii_digits(found.date_text)


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdecimal() else c for c in text)


def _solid(text: str) -> str:
    # NFC, as render_html gives text (a letter and a combining mark written apart are one)
    return "".join(unicodedata.normalize("NFC", text).split())


def check_embed(markup: str) -> None:
    from bs4 import BeautifulSoup, CData, NavigableString
    from bs4.element import RubyParenthesisString, RubyTextString

    found = parse_embed(markup)
    # what a browser shows: get_text() leaves out ruby text (<rt>, <rp>) unless asked
    shown = (NavigableString, CData, RubyTextString, RubyParenthesisString)
    visible = _solid(BeautifulSoup(markup, "html.parser").get_text(types=shown))
    for key in ("text", "attribution", "author_name", "author_handle", "date_text"):
        value = found[key]
        if key == "author_handle" and value and "(@" not in (found["attribution"] or ""):
            # no "(@handle)" to read: the handle is the status link's (parse_embed's docstring)
            assert f"/{value}/status/" in (found["status_url"] or ""), (key, value, markup)
            continue
        assert value is None or _solid(value) in visible, (key, value, visible)
    if found["status_id"] is not None:
        assert found["status_id"] in markup
    if found["date"] is not None:
        assert found["date_text"] and found["date"][:4] in _ascii_digits(found["date_text"])


def check_entities(text: str) -> None:
    found = extract_entities(text)
    for kind, entities in found.items():
        for entity in entities:
            start, end = entity["indices"]
            assert 0 <= start < end <= len(text), (kind, entity)
            value = entity.get("url") or entity.get("screen_name") or entity.get("hashtag") \
                or entity.get("cashtag")
            assert value and value in text[start:end], (kind, entity, text[start:end])


TARGETS = ("attribution", "embed", "entities")
ONLY: list[int] = [0, 1, 2]


def test_one_input(data: bytes) -> None:
    """First byte: which function; the rest: its input as UTF-8 (bad bytes replaced)."""
    if not data:
        return
    target = ONLY[data[0] % len(ONLY)]
    # No NUL: the reader refuses a file holding one before any of these run.
    text = data[1:].decode("utf-8", "replace").replace("\x00", "")[:MAX_CHARS]
    try:
        (check_attribution, check_embed, check_entities)[target](text)
    except CxcorpusError as exc:
        assert exc.problem and "\n" not in str(exc), repr(exc)


def _seeds() -> list[str]:
    from cxcorpus.read import read_article

    seeds = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        for unit in read_article(path).units:
            if unit.kind == "tweet":
                text, attribution = unit.data["tweet_text"], unit.data["attribution"]
                embed = (f'<blockquote class="twitter-tweet"><p lang="tr">{html.escape(text)}'
                         f"</p>{html.escape(attribution)} <a href=\"https://twitter.com/x/"
                         f'status/1186998745567223808">27 Eylül 2019</a></blockquote>')
                seeds += [attribution, text, embed]
    suite = ROOT / "tests/data/tweets/extract.yml"
    if suite.exists():
        import yaml

        for tests in yaml.safe_load(suite.read_text(encoding="utf-8"))["tests"].values():
            seeds += [case["text"] for case in tests]
    return seeds


def main() -> None:
    argv = [a for a in sys.argv if not a.startswith("--only=")]
    only = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")]
    if only:
        ONLY[:] = [TARGETS.index(name) for name in only]
    if not any(not a.startswith("-") for a in argv[1:]):
        folder = Path(tempfile.mkdtemp(prefix="fuzz-tweets-"))
        for number, text in enumerate(_seeds()):
            for target in range(3):
                (folder / f"{target}-{number:04d}").write_bytes(bytes([target]) + text.encode())
        argv.append(str(folder))
    if not any(a.startswith("-dict=") for a in argv):
        tokens = Path(tempfile.mkdtemp(prefix="fuzz-tweets-dict-")) / "tokens.dict"
        lines = []
        for token in TOKENS:
            body = "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\x{b:02X}"
                           for b in token.encode("utf-8"))
            lines.append(f'"{body}"\n')
        tokens.write_text("".join(lines), encoding="utf-8")
        argv.insert(1, f"-dict={tokens}")
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
