"""Writers for every output format. Each writes atomically: a temporary file beside the
target, renamed over it only when complete, so a failed run leaves no half-written file."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from .errors import CxcorpusError


class OutputError(CxcorpusError):
    """An output file cannot be written (full disk, no permission, ...)."""


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it to ``path``.

    On any error the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(path, f"cannot write: {exc.strerror or exc}") from exc
    try:
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; outputs are for sharing
        kwargs = {} if "b" in mode else {"encoding": encoding, "newline": ""}
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise OutputError(path, f"cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(tmp)
        raise


def current_umask() -> int:
    """The process's umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _discard(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


# Characters that some line readers (Python's str.splitlines, JavaScript) take as line ends.
_LINE_ENDS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def json_line(record: Any) -> str:
    """One compact JSON object on one line whatever reads it; non-ASCII kept as is.

    NaN and infinities are not JSON: a record holding one is refused (``OutputError``)
    rather than written as ``NaN``, which ``json.loads`` accepts but jq, DuckDB and most
    JSON readers reject. cxcorpus never makes a non-finite score on purpose, so one is a
    bug (or a damaged embedding cache) to be reported, not data to be published.
    """
    try:
        return json.dumps(record, ensure_ascii=False, allow_nan=False).translate(_LINE_ENDS)
    except ValueError as exc:
        raise OutputError(None, f"a record holds a number that is not finite (NaN or "
                          f"infinity), which JSON cannot hold: {_brief(record)}") from exc


def _brief(record: Any) -> str:
    text = repr(record)
    return text if len(text) <= 120 else text[:117] + "..."


def finite_score(value: Any) -> float | None:
    """A score rounded to 4 places, or None; a NaN or infinite score is refused (a bug)."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        raise OutputError(None, f"score {value} is not a finite number: the embeddings behind "
                          "it are damaged (clear the embedding cache and report the bug)")
    return round(value, 4)


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line (see :func:`json_line`)."""
    for record in records:
        yield json_line(record) + "\n"


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path) -> None:
    """Write records as JSON Lines."""
    with atomic_open(path) as out:
        out.writelines(jsonl_lines(records))


def write_csv(records: Iterable[dict[str, Any]], path: str | Path, fields: list[str]) -> None:
    """Write records as CSV with a header; list values are joined with ``|``; text cells
    that a spreadsheet would run as a formula are neutralised (see :func:`csv_cell`)."""
    with atomic_open(path) as out:
        csv_rows(records, out, fields)


def csv_rows(records: Iterable[dict[str, Any]], out: IO[str], fields: list[str],
             lineterminator: str = "\r\n") -> None:
    """Write a CSV header and one row per record to an open text file (or stdout)."""
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore",
                            lineterminator=lineterminator)
    writer.writeheader()
    for record in records:
        writer.writerow({k: csv_cell(record.get(k)) for k in fields})


# A cell opening with one of these is run as a formula by Excel, LibreOffice and Google
# Sheets (CSV injection); OWASP's advice is to prefix such a cell with a single quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: lists joined with ``|``, dicts as JSON, and text that opens
    with ``= + - @``, a tab or a carriage return prefixed with ``'`` so that no spreadsheet
    runs it (OWASP's CSV-injection advice). Numbers are left as they are."""
    if isinstance(value, (list, tuple)):
        value = "|".join(str(v) for v in value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value



# Alignment writers ---------------------------------------------------------------

ALIGNMENT_FORMATS = ("jsonl", "tsv", "tmx", "vecalign")


def alignment_records(alignment: Any) -> list[dict[str, Any]]:
    """One dict per bead: ``src``, ``tgt`` (unit indices), ``score``, ``src_text``, ``tgt_text``."""
    return [
        {
            "src": list(bead.src),
            "tgt": list(bead.tgt),
            "score": finite_score(bead.score),
            "src_text": [alignment.src_texts[i] for i in bead.src],
            "tgt_text": [alignment.tgt_texts[j] for j in bead.tgt],
        }
        for bead in alignment.beads
    ]


def vecalign_lines(alignment: Any) -> Iterator[str]:
    """``[3]:[4, 5]:0.81`` lines (score 0.0 for 1-0/0-1), as Vecalign writes them."""
    for bead in alignment.beads:
        score = finite_score(bead.score) or 0.0
        yield f"{list(bead.src)}:{list(bead.tgt)}:{score:.4f}\n"


class TSV(csv.Dialect):
    """Tab-separated values as pandas, DuckDB and spreadsheets read them: a field holding a
    tab, a line break or a double quote is quoted, quotes doubled (RFC 4180 with tabs)."""

    delimiter = "\t"
    quotechar = '"'
    doublequote = True
    quoting = csv.QUOTE_MINIMAL
    lineterminator = "\n"
    skipinitialspace = False
    strict = True


TSV_FIELDS = ("src", "tgt", "score", "src_text", "tgt_text")


def tsv_rows(alignment: Any) -> Iterator[list[str]]:
    """Per bead: unit indices (comma-joined), score (empty for 1-0/0-1), and each side's
    texts joined by a space, unchanged (tabs, line breaks and quotes kept)."""
    for record in alignment_records(alignment):
        score = "" if record["score"] is None else f"{record['score']:.4f}"
        yield [",".join(map(str, record["src"])), ",".join(map(str, record["tgt"])), score,
               " ".join(record["src_text"]), " ".join(record["tgt_text"])]


def write_tsv_rows(alignment: Any, out: IO[str]) -> None:
    """A header, then one row per bead (see :func:`tsv_rows`), with the :class:`TSV` dialect.

    The texts are not neutralised against spreadsheet formulas (unlike CSV): TSV is for
    tools (pandas, DuckDB, Vecalign scripts), and the text must come back unchanged.
    """
    # Python < 3.13 quotes a field only for the characters of the line terminator: with "\n"
    # alone, a carriage return in a text (a --presplit line may hold one) would go out bare
    # and end the row for every reader. So rows are written with "\r\n" (any CR or LF in a
    # field is quoted) and each row's own terminator is then cut back to "\n".
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, dialect=TSV, lineterminator="\r\n")
    for row in (TSV_FIELDS, *tsv_rows(alignment)):
        writer.writerow(row)
        out.write(buffer.getvalue()[:-2] + "\n")
        buffer.seek(0)
        buffer.truncate()


def tsv_text(alignment: Any) -> str:
    """The TSV document :func:`write_tsv_rows` writes, as a string."""
    buffer = io.StringIO(newline="")
    write_tsv_rows(alignment, buffer)
    return buffer.getvalue()


def tmx_bytes(alignment: Any, src_lang: str, tgt_lang: str, segtype: str = "paragraph") -> bytes:
    """A TMX 1.4b document: one ``<tu>`` per bead that has both sides (1-0/0-1 are left out)."""
    from xml.sax.saxutils import escape, quoteattr

    from . import __version__

    signature = alignment.signature.format() if alignment.signature else ""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE tmx SYSTEM "tmx14.dtd">',
        '<tmx version="1.4">',
        (f'<header creationtool="cxcorpus" creationtoolversion={quoteattr(__version__)}'
         f' segtype={quoteattr(segtype)} o-tmf="cxcorpus" adminlang="en"'
         f' srclang={quoteattr(xml_text(src_lang))} datatype="plaintext">'),
        f'<prop type="x-signature">{escape(xml_text(signature))}</prop>',
        "</header>",
        "<body>",
    ]
    for number, record in enumerate(alignment_records(alignment), start=1):
        if not record["src"] or not record["tgt"]:
            continue
        out.append(f'<tu tuid="{number}">')
        if record["score"] is not None:  # an n-way projection may pair units unscored
            out.append(f'<prop type="x-score">{record["score"]:.4f}</prop>')
        for lang, texts in ((src_lang, record["src_text"]), (tgt_lang, record["tgt_text"])):
            # A bare CR would be read back as LF (XML's line-end rule); a reference keeps it.
            seg = escape(xml_text(" ".join(texts)), {"\r": "&#13;"})
            out.append(f"<tuv xml:lang={quoteattr(xml_text(lang))}><seg>{seg}</seg></tuv>")
        out.append("</tu>")
    out += ["</body>", "</tmx>", ""]
    return "\n".join(out).encode("utf-8")


# What XML 1.0 forbids anywhere in a document: C0 controls but tab and line ends, lone
# surrogates, and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD, so that the
    document stays XML and the reader still sees that something stood there."""
    return _NOT_XML.sub("\ufffd", text)


def write_alignment(alignment: Any, path: str | Path, fmt: str = "jsonl", *,
                    src_lang: str | None = None, tgt_lang: str | None = None,
                    segtype: str = "paragraph") -> None:
    """Write an alignment as ``jsonl``, ``tsv``, ``tmx`` or ``vecalign``.

    The TMX languages are ``src_lang``/``tgt_lang`` when given, else the alignment's own
    (``align_articles`` records the articles' languages), else ``und``.
    """
    if fmt not in ALIGNMENT_FORMATS:
        raise OutputError(path, f"unknown alignment format {fmt!r} "
                          f"(use {', '.join(ALIGNMENT_FORMATS)})")
    if fmt == "tmx":
        with atomic_open(path, "wb") as out:
            out.write(tmx_bytes(alignment, *_langs(alignment, src_lang, tgt_lang), segtype))
    else:
        with atomic_open(path) as out:
            out.write(alignment_text(alignment, fmt))


def _langs(alignment: Any, src_lang: str | None, tgt_lang: str | None) -> tuple[str, str]:
    return (src_lang or getattr(alignment, "src_lang", None) or "und",
            tgt_lang or getattr(alignment, "tgt_lang", None) or "und")


def alignment_text(alignment: Any, fmt: str = "jsonl", *, src_lang: str | None = None,
                   tgt_lang: str | None = None, segtype: str = "paragraph") -> str:
    """The text ``write_alignment`` would write, for printing."""
    if fmt == "jsonl":
        return "".join(jsonl_lines(alignment_records(alignment)))
    if fmt == "tsv":
        return tsv_text(alignment)
    if fmt == "vecalign":
        return "".join(vecalign_lines(alignment))
    if fmt == "tmx":
        return tmx_bytes(alignment, *_langs(alignment, src_lang, tgt_lang), segtype).decode()
    raise OutputError(None, f"unknown alignment format {fmt!r} "
                      f"(use {', '.join(ALIGNMENT_FORMATS)})")
