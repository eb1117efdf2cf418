"""Keeping the analysis fast: the stages allocate many small acyclic objects, and Python's cyclic
garbage collector would scan them again and again while they are built (making large files
super-linear). The stages pause it while they run and then hand what they built to the oldest
generation; reference counting still frees everything, and full collections still see it."""

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
        # Move everything built meanwhile straight to the oldest generation (freezing and
        # unfreezing splices lists; nothing is scanned). Otherwise the first allocation after
        # `enable` would scan every new object at once, a tenth of the time of a large file.
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()
