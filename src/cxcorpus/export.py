"""Writers for every output format. Each writes atomically: a temporary file beside the
target, renamed over it only when complete, so a failed run leaves no half-written file."""

from __future__ import annotations

import contextlib
import csv
import json
import os
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
    """One compact JSON object on one line whatever reads it; non-ASCII kept as is."""
    return json.dumps(record, ensure_ascii=False).translate(_LINE_ENDS)


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """One JSON object per line (see :func:`json_line`)."""
    for record in records:
        yield json_line(record) + "\n"


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path) -> None:
    """Write records as JSON Lines."""
    with atomic_open(path) as out:
        out.writelines(jsonl_lines(records))


def write_csv(records: Iterable[dict[str, Any]], path: str | Path, fields: list[str]) -> None:
    """Write records as CSV with a header; list values are joined with ``|``."""
    with atomic_open(path) as out:
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            writer.writerow({k: _csv_value(record.get(k)) for k in fields})


def _csv_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_parquet(records: list[dict[str, Any]], path: str | Path) -> None:
    """Write records as a Parquet table (needs ``pyarrow``: ``pip install cxcorpus[parquet]``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise OutputError(path, "Parquet output needs pyarrow: pip install 'cxcorpus[parquet]'") from exc
    table = pa.Table.from_pylist(list(records))
    with atomic_open(path, "wb") as out:
        pq.write_table(table, out)


# Alignment writers ---------------------------------------------------------------

ALIGNMENT_FORMATS = ("jsonl", "tsv", "tmx", "vecalign")


def alignment_records(alignment: Any) -> list[dict[str, Any]]:
    """One dict per bead: ``src``, ``tgt`` (unit indices), ``score``, ``src_text``, ``tgt_text``."""
    return [
        {
            "src": list(bead.src),
            "tgt": list(bead.tgt),
            "score": None if bead.score is None else round(float(bead.score), 4),
            "src_text": [alignment.src_texts[i] for i in bead.src],
            "tgt_text": [alignment.tgt_texts[j] for j in bead.tgt],
        }
        for bead in alignment.beads
    ]


def vecalign_lines(alignment: Any) -> Iterator[str]:
    """``[3]:[4, 5]:0.81`` lines (score 0.0 for 1-0/0-1), as Vecalign writes them."""
    for bead in alignment.beads:
        score = 0.0 if bead.score is None else bead.score
        yield f"{list(bead.src)}:{list(bead.tgt)}:{score:.4f}\n"


def _tsv_field(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def tsv_lines(alignment: Any) -> Iterator[str]:
    """A header, then per bead: ids, score, texts; a bead's texts joined by a space;
    backslash, tab and newline escaped as ``\\\\``, ``\\t``, ``\\n``."""
    yield "src\ttgt\tscore\tsrc_text\ttgt_text\n"
    for record in alignment_records(alignment):
        score = "" if record["score"] is None else f"{record['score']:.4f}"
        yield "\t".join([
            ",".join(map(str, record["src"])), ",".join(map(str, record["tgt"])), score,
            _tsv_field(" ".join(record["src_text"])), _tsv_field(" ".join(record["tgt_text"])),
        ]) + "\n"


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
         f' srclang={quoteattr(src_lang)} datatype="plaintext">'),
        f'<prop type="x-signature">{escape(signature)}</prop>',
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
            seg = escape(_xml_text(" ".join(texts)))
            out.append(f"<tuv xml:lang={quoteattr(lang)}><seg>{seg}</seg></tuv>")
        out.append("</tu>")
    out += ["</body>", "</tmx>", ""]
    return "\n".join(out).encode("utf-8")


def _xml_text(text: str) -> str:
    # XML 1.0 forbids most control characters; drop them rather than write invalid XML.
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def write_alignment(alignment: Any, path: str | Path, fmt: str = "jsonl", *,
                    src_lang: str = "und", tgt_lang: str = "und",
                    segtype: str = "paragraph") -> None:
    """Write an alignment as ``jsonl``, ``tsv``, ``tmx`` or ``vecalign``."""
    if fmt == "jsonl":
        write_jsonl(alignment_records(alignment), path)
    elif fmt == "tsv":
        with atomic_open(path) as out:
            out.writelines(tsv_lines(alignment))
    elif fmt == "vecalign":
        with atomic_open(path) as out:
            out.writelines(vecalign_lines(alignment))
    elif fmt == "tmx":
        with atomic_open(path, "wb") as out:
            out.write(tmx_bytes(alignment, src_lang, tgt_lang, segtype))
    else:
        raise OutputError(path, f"unknown alignment format {fmt!r} (use {', '.join(ALIGNMENT_FORMATS)})")


def alignment_text(alignment: Any, fmt: str = "jsonl", *, src_lang: str = "und",
                   tgt_lang: str = "und", segtype: str = "paragraph") -> str:
    """The text ``write_alignment`` would write, for printing."""
    if fmt == "jsonl":
        return "".join(jsonl_lines(alignment_records(alignment)))
    if fmt == "tsv":
        return "".join(tsv_lines(alignment))
    if fmt == "vecalign":
        return "".join(vecalign_lines(alignment))
    if fmt == "tmx":
        return tmx_bytes(alignment, src_lang, tgt_lang, segtype).decode("utf-8")
    raise OutputError(None, f"unknown alignment format {fmt!r} (use {', '.join(ALIGNMENT_FORMATS)})")
