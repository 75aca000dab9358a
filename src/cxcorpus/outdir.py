"""The build's output folder, handled so that nothing the build did not write is ever touched.

OUT is accepted only when it is absent, empty, or a cxcorpus build output (a marker file
``.cxcorpus-build`` that cxcorpus wrote, or a 0.1.0 output's ``summary.json``) holding nothing
but the names a build writes. The new output is built in a temporary folder beside OUT and
swapped in by two renames; a lock file beside OUT (opened without following links) keeps a
second build out. Every check runs before any work, so a refusal costs nothing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import CxcorpusError

MARKER = ".cxcorpus-build"
STATE = ".cxcorpus-state"
MARKER_MAGIC = "cxcorpus build output"
# What a build writes at the top of OUT, and what each of its folders may hold.
TOP_FILES = {"summary.json", "tweets.jsonl", "gaps.jsonl", "gaps-nway.jsonl", MARKER}
FOLDERS = {"alignments": (".jsonl", ".tmx"), "report": (".html",),
           STATE: (".json", ".jsonl", ".sqlite")}
PARQUET = "parquet"
PARTS = "parquet-parts.json"  # in STATE: the key and files of each Parquet part
STATS = "file-stats.sqlite"  # in STATE: size, times and inode of the files (machine-local)
PARQUET_TABLES = ("alignments", "gaps", "tweets")
# Longest file-name stem a build writes (bytes); longer names are cut and hashed.
MAX_STEM = 96


class BuildError(CxcorpusError):
    """The output folder cannot be used (locked by another build, not a build output...)."""


def check_output(out_dir: str | Path, corpus_path: str | Path) -> Path:
    """The absolute OUT after every check a build needs before it starts working.

    Raises ``BuildError`` naming OUT as the user gave it when OUT is a special file, a link,
    a mount point, a folder with files cxcorpus did not write, inside the corpus or holding
    it, or when its parent cannot be written.
    """
    shown = str(out_dir)
    out = Path(os.path.abspath(out_dir))
    corpus = Path(corpus_path)
    if out.parent == out:
        raise BuildError(shown, "is the root folder; choose a new or empty folder")
    try:
        info = os.lstat(out)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # a parent is a file: reported below with its name
    except OSError as exc:
        raise BuildError(shown, f"cannot use: {exc.strerror or exc}") from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise BuildError(shown, "is a symbolic link; give the folder it points to")
        if not stat.S_ISDIR(info.st_mode):
            raise BuildError(shown, f"exists and is not a folder (a {_kind(info.st_mode)})")
        if os.path.ismount(out):
            raise BuildError(shown, "is a mount point, which cannot be swapped atomically; "
                                    "build into a folder inside it")
    _check_corpus(corpus, out, shown)
    _check_parent(out, shown)
    old = out.parent / f".{out.name}.old"
    if os.path.lexists(old) and not (old.is_dir() and not old.is_symlink()
                                     and (_is_marker(old / MARKER) or _is_legacy(old))):
        raise BuildError(old, "is in the way of the output's swap and was not written by "
                              "cxcorpus; move it away")
    if info is not None:
        _check_contents(out, shown)
    return out


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISFIFO, "named pipe"),
                       (stat.S_ISCHR, "device"), (stat.S_ISBLK, "device"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def _check_corpus(corpus: Path, out: Path, shown: str) -> None:
    if not corpus.exists():
        raise BuildError(corpus, "no such file or folder")
    root = corpus.resolve() if corpus.is_dir() else corpus.resolve().parent
    real = out.resolve()
    if corpus.is_dir() and (real == root or root in real.parents):
        raise BuildError(shown, "is inside the corpus folder; its HTML reports would be read "
                                "as articles next time")
    if real in corpus.resolve().parents:
        raise BuildError(shown, "holds the corpus, which a new build would delete; "
                                "choose a new or empty folder")


def _check_parent(out: Path, shown: str) -> None:
    """The nearest existing ancestor must be a folder we may create things in."""
    ancestor = out.parent
    while not os.path.lexists(ancestor):
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise BuildError(ancestor, "is not a folder, so it cannot hold the output")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise BuildError(ancestor, "is not writable: the output and its temporary folder "
                                   "go there")


def _check_contents(out: Path, shown: str) -> None:
    try:
        names = os.listdir(out)
    except OSError as exc:
        raise BuildError(shown, f"cannot read: {exc.strerror or exc}") from None
    if not names:
        return
    if not (_is_marker(out / MARKER) or _is_legacy(out)):
        raise BuildError(shown, "is a folder with other files in it, not a cxcorpus build "
                                "output; choose a new or empty folder")
    try:
        foreign = _foreign_entry(out, names)
    except OSError as exc:
        raise BuildError(exc.filename or shown, f"cannot read: {exc.strerror or exc}") from None
    if foreign is not None:
        raise BuildError(foreign, "was not written by cxcorpus; move it out of the output "
                                  "folder (a build replaces the whole folder)")


def _is_marker(path: Path) -> bool:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with open(path, encoding="utf-8") as handle:
            return handle.read(len(MARKER_MAGIC)) == MARKER_MAGIC
    except (OSError, UnicodeDecodeError):
        return False


def _is_legacy(out: Path) -> bool:
    """A 0.1.0 output: a summary.json that 0.1.0 wrote (it had no marker)."""
    path = out / "summary.json"
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode) or os.lstat(path).st_size > 64 << 20:
            return False
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(summary, dict) and {"signature", "counts", "groups"} <= summary.keys()


def _foreign_entry(out: Path, names: list[str]) -> Path | None:
    """The first entry of OUT that a build does not write (checked by name and type)."""
    for name in sorted(names):
        path = out / name
        mode = os.lstat(path).st_mode
        if name in TOP_FILES and stat.S_ISREG(mode):
            continue
        if name in FOLDERS and stat.S_ISDIR(mode):
            bad = _foreign_file(path, FOLDERS[name])
        elif name == PARQUET and stat.S_ISDIR(mode):
            bad = next((path / n for n in sorted(os.listdir(path))
                        if n not in PARQUET_TABLES or not stat.S_ISDIR(os.lstat(path / n).st_mode)),
                       None)
            for table in PARQUET_TABLES:
                if bad is None and (path / table).is_dir():
                    bad = _foreign_file(path / table, (".parquet",))
        else:
            bad = path
        if bad is not None:
            return bad
    return None


def _foreign_file(folder: Path, suffixes: tuple[str, ...]) -> Path | None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.is_file(follow_symlinks=False) or not entry.name.endswith(suffixes):
                return Path(entry.path)
    return None


def write_marker(folder: Path, version: str) -> None:
    """The file that tells a later build this folder is a cxcorpus output."""
    (folder / MARKER).write_text(f"{MARKER_MAGIC}\nversion {version}\n", encoding="utf-8")


@contextlib.contextmanager
def lock(out: Path, shown: str | None = None) -> Iterator[None]:
    """Hold ``.OUT.lock`` beside ``out``; refuse when another build holds it.

    An OS lock (``flock``), released when the process ends however it ends. The file is
    opened with ``O_NOFOLLOW`` (a link planted there is refused, its target never touched)
    and removed on exit; a build that locked a file already removed tries again.
    """
    import fcntl

    path = out.parent / f".{out.name}.lock"
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    while True:
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            problem = ("is a symbolic link; remove it" if exc.errno == errno.ELOOP
                       else f"cannot create: {exc.strerror or exc}")
            raise BuildError(path, problem) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise BuildError(path, "is not a regular file; remove it")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildError(shown or out, "another build is writing here") from None
            if _same_file(fd, path):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # the previous holder removed it after we opened it: open anew
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # still ours: we hold the lock
        os.close(fd)


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def make_parents(out: Path) -> None:
    """Create the folders above OUT that do not exist yet (checked writable before)."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(out.parent, f"cannot create: {exc.strerror or exc}") from None


def temporary_folder(out: Path) -> Path:
    """A new folder beside ``out`` (``.OUT.XXXX.tmp``) with the permissions of an output."""
    from .export import current_umask

    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    except OSError as exc:
        raise BuildError(out.parent, f"cannot write: {exc.strerror or exc}") from None
    tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the output should not be
    return tmp


def recover(out: Path) -> None:
    """Undo what an interrupted build left: temporary folders, or a half-done swap."""
    old = out.parent / f".{out.name}.old"
    if old.is_dir() and not old.is_symlink() and (_is_marker(old / MARKER) or _is_legacy(old)):
        if not os.path.lexists(out):
            os.replace(old, out)  # killed between the two renames of swap
        else:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in out.parent.glob(f".{glob_escape(out.name)}.*.tmp"):
        if leftover.is_symlink() or not leftover.is_dir():
            continue
        if _is_marker(leftover / MARKER):
            shutil.rmtree(leftover, ignore_errors=True)
        elif _killed_before_marker(leftover):
            with contextlib.suppress(OSError):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover / MARKER)
                os.rmdir(leftover)  # fails, harmlessly, if anything else is in it


def _killed_before_marker(folder: Path) -> bool:
    """A temporary folder whose build was killed before its marker was whole: empty, or
    holding nothing but the start of a marker (removing it can destroy nothing)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    if not names:
        return True
    if names != [MARKER] or not stat.S_ISREG(os.lstat(folder / MARKER).st_mode):
        return False
    try:
        with open(folder / MARKER, "rb") as handle:
            start = handle.read(4096)
    except OSError:
        return False
    return MARKER_MAGIC.encode().startswith(start)


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def swap(tmp: Path, out: Path) -> None:
    """Put the finished folder in place of the old output (two renames)."""
    old = out.parent / f".{out.name}.old"
    if os.path.lexists(old):  # not a build's (recover removes those): never overwrite it
        raise BuildError(old, "is in the way of the output's swap; move it away")
    try:
        if os.path.lexists(out):
            os.replace(out, old)
        os.replace(tmp, out)
    except OSError as exc:
        raise BuildError(out, f"cannot replace the output: {exc.strerror or exc}") from None
    shutil.rmtree(old, ignore_errors=True)


# --- names --------------------------------------------------------------------------------

_PLAIN = re.compile(r"[\w.\-]+")


def file_stem(name: str, reserved: tuple[str, ...] = (), forbid: str | None = None) -> str:
    """A file-name stem for ``name``, distinct for distinct names by construction.

    A short, lower-case name of letters, digits, ``_``, ``.`` and ``-`` is kept as it is;
    any other name (spaces, ``/``, undecodable bytes, capitals that would meet on a
    case-insensitive disk, a reserved name, ``forbid`` inside, too long) becomes its
    cleaned, cut form plus ``~`` and a hash of the name. ``~`` never survives cleaning,
    so a kept name can never equal a hashed one.
    """
    plain = (_PLAIN.fullmatch(name) is not None and name == name.lower()
             and not name.startswith(".") and name not in reserved
             and (forbid is None or forbid not in name)
             and len(name.encode("utf-8", "surrogatepass")) <= MAX_STEM)
    if plain:
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    cleaned = re.sub(r"[^\w.\-]|_(?=_)", "_", name.encode("utf-8", "replace").decode("utf-8"))
    cleaned = re.sub(r"__+", "_", cleaned).lstrip(".").lower()
    while len(cleaned.encode()) > MAX_STEM - 13:
        cleaned = cleaned[:-1]
    return f"{cleaned}~{digest}"


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def printable(text: str) -> str:
    """``text`` with undecodable bytes of a file name (lone surrogates) shown as U+FFFD,
    so that it can be written as UTF-8."""
    if not _has_surrogates(text):
        return text
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
