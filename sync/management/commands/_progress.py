"""A tqdm progress bar for long sync runs (shown on a terminal, silent in logs and tests)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm

from sync.services import Progress


@contextmanager
def progress_bar(desc: str, total: int | None, *, enabled: bool = True) -> Iterator[Progress]:
    bar = tqdm(total=total, desc=desc, unit="rec", file=sys.stderr, disable=None if enabled else True)

    def advance(count: int) -> None:
        bar.update(count)

    try:
        yield advance
    finally:
        bar.close()
