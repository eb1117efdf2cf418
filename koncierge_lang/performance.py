"""Keeping the analysis fast: the stages allocate many small acyclic objects, and Python's cyclic
garbage collector would scan them again and again while they are built (making large files
super-linear). The stages pause it while they run; reference counting still frees everything."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_garbage_collection() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
