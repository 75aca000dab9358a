"""Safe input: every read of a user's file goes through here.

Only regular files are read (a FIFO, a device such as ``/dev/zero``, a socket or a folder is
refused at once, never waited on: the file is opened with ``O_NONBLOCK`` and checked with
``fstat`` before a byte is read); reads are bounded by :data:`MAX_FILE_BYTES`; a file that
belongs to a corpus folder must resolve (symlinks followed) inside that folder unless the
caller passes ``allow_outside=True``; a name that is not valid UTF-8 or too long is refused
before any work is done.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .errors import InputError

# The largest file read as one article, manifest or alignment file. A real article is a few
# hundred KB; 64 MB leaves room for book-length texts and stops a runaway read early.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_NAME_BYTES = 255  # one path component, as Linux and macOS file systems allow

_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symbolic link",
}


def shown(path: str | os.PathLike) -> str:
    """``path`` as text that can always be printed: undecodable bytes become ``\\xNN``,
    control characters (a newline in a name would forge a second line) become escapes."""
    raw = os.fsencode(path).decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() or c == " " else c.encode("unicode_escape").decode()
                   for c in raw)


def check_name(path: str | os.PathLike) -> None:
    """Refuse a path whose name is not UTF-8 or longer than the file system allows.

    Decided before anything is read, so that no work is done on a file whose name cannot
    be written into an output later.
    """
    encoded = os.fsencode(path)
    try:
        encoded.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(shown(path), "file name is not valid UTF-8; rename the file") from exc
    for part in encoded.split(b"/"):
        if len(part) > MAX_NAME_BYTES:
            raise InputError(shown(path), f"file name longer than {MAX_NAME_BYTES} bytes")


def file_kind(mode: int) -> str:
    """What a stat mode is, in words (``a FIFO (named pipe)``, ``a folder``...)."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def confine(path: str | os.PathLike, root: str | os.PathLike | None, *,
            allow_outside: bool = False, real_root: str | None = None) -> Path:
    """``path`` resolved; refused if it lies outside ``root`` (symlinks followed).
    ``real_root``: ``root`` already resolved (a caller checking many files)."""
    path = Path(path)
    if root is None or allow_outside:
        return path
    real_root = real_root or os.path.realpath(root)
    real = os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root:
        raise InputError(shown(path), f"resolves outside the corpus folder ({shown(real)}); "
                                      "refused (--allow-outside, or allow_outside=True in Python, reads it)")
    return path


def read_bytes(path: str | os.PathLike, *, root: str | os.PathLike | None = None,
               allow_outside: bool = False, max_bytes: int = MAX_FILE_BYTES,
               what: str = "a file") -> bytes:
    """The bytes of one regular file, safely: never blocks, never reads more than
    ``max_bytes``, never reads outside ``root`` unless ``allow_outside``.

    Every refusal is an :class:`InputError` naming the file and the problem.
    """
    check_name(path)
    confine(path, root, allow_outside=allow_outside)
    name = shown(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise InputError(name, _open_problem(exc, path)) from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(name, f"is a folder, not {what}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(name, f"is {file_kind(info.st_mode)}, not a regular file; "
                                   "refused (it could block or never end)")
        if info.st_size > max_bytes:
            raise InputError(name, f"too large ({info.st_size:,} bytes; the limit for "
                                   f"{what} is {max_bytes:,})")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:  # the file grew while we read it
                raise InputError(name, f"too large (over {max_bytes:,} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)


def _open_problem(exc: OSError, path: str | os.PathLike) -> str:
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    if exc.errno == errno.ENXIO:  # opening a socket
        return "is a socket, not a regular file; refused"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return f"cannot read: {exc.strerror or exc}"


def read_text(path: str | os.PathLike, *, root: str | os.PathLike | None = None,
              allow_outside: bool = False, max_bytes: int = MAX_FILE_BYTES,
              what: str = "a file") -> str:
    """A small UTF-8 file (manifest, gold alignment) read with :func:`read_bytes`."""
    data = read_bytes(path, root=root, allow_outside=allow_outside, max_bytes=max_bytes,
                      what=what)
    if b"\x00" in data:
        raise InputError(shown(path), f"binary file (contains NUL bytes), not {what}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(shown(path), f"not UTF-8 (byte {exc.start}, line {line})") from exc


def read_lines(path: str | os.PathLike, *, max_bytes: int = 256 * 1024 * 1024) -> list[str]:
    """The lines of a UTF-8 text file, each unchanged (``--presplit`` input).

    Only a line feed (LF or CRLF) ends a line: U+2028, form feeds and the like stay inside it, so
    line numbers agree with gold files written by other tools.
    """
    lines = read_text(path, max_bytes=max_bytes, what="a one-sentence-per-line file").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]
