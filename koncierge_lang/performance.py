"""Keeping the analysis fast: the stages allocate many small acyclic objects, and Python's cyclic
garbage collector would scan them again and again while they are built (making large files
super-linear). The stages pause it while they run and then hand what they built to the oldest
generation; reference counting still frees everything, and full collections still see it.

And the nodes themselves are built without the frozen dataclass's slow `__init__`
(`frozen_constructor`)."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


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


def frozen_constructor(cls: type[T]) -> Callable[..., T]:
    """A constructor for a frozen, slotted dataclass, taking every field in order: about three
    times faster than calling the class, for the nodes the stages build by the ten thousand. The
    dataclass's own `__init__` sets each field through `object.__setattr__` (to get past the
    frozen `__setattr__`); this sets the slots through their descriptors, which is the same store
    without the name lookup, in a function written out once for the class. The instance is the
    same: same class, same fields, still frozen. A class with a `__post_init__` must not use it."""
    assert not hasattr(cls, "__post_init__"), cls
    setters = [getattr(cls, field.name).__set__ for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    fields = ", ".join(f"field_{index}" for index in range(len(setters)))
    setter_names = ", ".join(f"set_{index}" for index in range(len(setters)))
    # Made by a function of its own, so that `new`, `cls` and the setters are the built
    # function's closure cells, not globals looked up by name at every call.
    lines = [
        f"def make(new, cls, {setter_names}):",
        f"    def build({fields}):",
        "        node = new(cls)",
        *(f"        set_{index}(node, field_{index})" for index in range(len(setters))),
        "        return node",
        "    return build",
    ]
    namespace: dict[str, Any] = {}
    exec("\n".join(lines), namespace)  # noqa: S102 - our own text, made from the number of fields.
    build: Callable[..., T] = namespace["make"](object.__new__, cls, *setters)
    build.__name__ = build.__qualname__ = f"build_{cls.__name__}"
    return build
