"""A progress bar for long jobs: tqdm on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


def progress(
    items: Iterable[T], *, total: int | None = None, desc: str = "", unit: str = "it",
    enabled: bool | None = None,
) -> Iterator[T]:
    """Iterate over ``items`` with a progress bar on stderr.

    The bar is shown only when ``enabled`` is True, or, by default, when stderr is a
    terminal, so logs and tests stay clean.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, total=total, desc=desc, unit=unit, file=sys.stderr, leave=False)


class _Silent:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str = "", refresh: bool = True) -> None:
        pass


@contextlib.contextmanager
def counter(total: int, *, desc: str = "", unit: str = "it",
            enabled: bool | None = None) -> Iterator[Any]:
    """A bar counted by hand (``bar.update(n)``), e.g. groups done out of ``total`` as
    workers finish them, with a note after it (``bar.set_postfix_str(text)``); on stderr,
    silent when stderr is not a terminal."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield _Silent()
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False) as bar:
        yield bar
