#!/usr/bin/env python3
"""Fuzz the reader: ``decode`` + ``parse_article``, plain text and HTML, with atheris.

Needs atheris, which is not a test dependency: ``.venv/bin/pip install atheris``.

    .venv/bin/python scripts/fuzz_read.py -max_total_time=120 -timeout=10 -rss_limit_mb=4096

Starts from the bundled corpus and the HTML test pages (copied into a temporary seed
folder) and mutates them. Only a ``CxcorpusError`` is an expected way to refuse an input;
any other exception, a broken invariant (an assert below), a run past ``-timeout`` seconds
or a memory blow-up is a crash: libFuzzer stops and writes the input to ``crash-*`` /
``timeout-*`` in the current folder. Replay one with
``python scripts/fuzz_read.py crash-<hash>``. Other libFuzzer flags pass through
(``-runs=N``, ``-jobs``, ``-dict``...).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["cxcorpus"]):
    from cxcorpus.errors import CxcorpusError
    from cxcorpus.read import decode, parse_article

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [*sorted((ROOT / "corpus").glob("*.txt")), *sorted((ROOT / "tests/data/html").glob("*"))]
MAX_BYTES = 64 * 1024  # a mutated input above this is cut (libFuzzer's -max_len also applies)
# Tokens of the formats the reader knows, given to libFuzzer as a -dict unless one is given.
TOKENS = [
    "\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\ufeff", "\u00a0", "— ", "&mdash; ", "(@",
    ")", " 27 Eylül 2019", "27. September 2019", "2019-10-25", "Yayınlanan: ", "Veröffentlicht: ",
    "Pubblicato: ", '("Kullanıcı adı@', '" href="', '" target="_blank">)', '="', "/>", "()",
    "<html>", "<h1>", "</h1>", "<h2>", "<p>", "</p>", "<li>", "<br>", "<title>",
    '<blockquote class="twitter-tweet">', "</blockquote>", '<a href="https://twitter.com/',
    "/status/", "<script>", "#CXTweetChat", "@jennvzande", "https://t.co/",
]


def check(article) -> None:
    """What every article must satisfy, whatever the input (tests/test_properties.py checks
    that no text is lost)."""
    for unit in article.units:
        assert unit.text and unit.text == unit.text.strip(), unit
        assert unit.kind in ("title", "heading", "body", "tweet", "metadata"), unit
        assert (unit.index is None) == (unit.kind == "metadata"), unit
    indices = [u.index for u in article.units if u.index is not None]
    assert indices == list(range(len(indices))), indices


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 3)
    raw = fdp.ConsumeBytes(MAX_BYTES)
    try:
        if mode == 3:  # already-decoded text straight to the parser, any code point
            text = raw.decode("utf-8", "replace")
            encoding = "utf-8"
        else:
            text, encoding = decode(raw, "<fuzz>")
        html = mode == 1 or (mode == 2 and text.lstrip()[:5].lower() == "<html")
        article = parse_article(text, path="<fuzz>", html=html, encoding=encoding)
    except CxcorpusError as exc:
        assert exc.problem and "\n" not in str(exc), repr(exc)
        return
    check(article)


def _dict_entry(token: str) -> str:
    """A libFuzzer dictionary line: the UTF-8 bytes, quoted, non-printables as \\xNN."""
    body = "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\x{b:02X}"
                   for b in token.encode("utf-8"))
    return f'"{body}"'


def main() -> None:
    argv = list(sys.argv)
    if not any(not a.startswith("-") for a in argv[1:]):  # no corpus or replay file given
        seeds = Path(tempfile.mkdtemp(prefix="fuzz-read-"))
        for path in SEEDS:
            shutil.copy(path, seeds / path.name)
        argv.append(str(seeds))
    if not any(a.startswith("-dict=") for a in argv):
        tokens = Path(tempfile.mkdtemp(prefix="fuzz-read-dict-")) / "tokens.dict"
        tokens.write_text("".join(f"{_dict_entry(t)}\n" for t in TOKENS), encoding="utf-8")
        argv.insert(1, f"-dict={tokens}")
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
