"""A progress bar for long jobs: tqdm on stderr, silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

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
