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
    times faster than calling the class, for the nodes the stages build by the ten thousand (one
    to five fields written out here, more written out once for the class). The dataclass's own `__init__` sets each field through
    `object.__setattr__` (to get past the frozen `__setattr__`); this sets the slots through their
    descriptors, which is the same store without the name lookup. The instance is the same: same
    class, same fields, still frozen. A class with a `__post_init__` must not use it."""
    assert not hasattr(cls, "__post_init__"), cls
    setters = [getattr(cls, field.name).__set__ for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    new = object.__new__
    if len(setters) == 1:
        (set_only,) = setters

        def build_one(only: Any) -> T:
            node = new(cls)
            set_only(node, only)
            return node

        return build_one
    if len(setters) == 2:
        set_first, set_second = setters

        def build_two(first: Any, second: Any) -> T:
            node = new(cls)
            set_first(node, first)
            set_second(node, second)
            return node

        return build_two
    if len(setters) == 3:
        set_first, set_second, set_third = setters

        def build_three(first: Any, second: Any, third: Any) -> T:
            node = new(cls)
            set_first(node, first)
            set_second(node, second)
            set_third(node, third)
            return node

        return build_three
    if len(setters) == 4:
        set_first, set_second, set_third, set_fourth = setters

        def build_four(first: Any, second: Any, third: Any, fourth: Any) -> T:
            node = new(cls)
            set_first(node, first)
            set_second(node, second)
            set_third(node, third)
            set_fourth(node, fourth)
            return node

        return build_four
    if len(setters) == 5:
        set_first, set_second, set_third, set_fourth, set_fifth = setters

        def build_five(first: Any, second: Any, third: Any, fourth: Any, fifth: Any) -> T:
            node = new(cls)
            set_first(node, first)
            set_second(node, second)
            set_third(node, third)
            set_fourth(node, fourth)
            set_fifth(node, fifth)
            return node

        return build_five
    # More fields: the same, written out once for the class.
    parameters = ", ".join(f"field_{index}" for index in range(len(setters)))
    lines = [f"def build_many({parameters}):", "    node = new(cls)"]
    lines += [f"    set_{index}(node, field_{index})" for index in range(len(setters))]
    lines.append("    return node")
    namespace: dict[str, Any] = {"new": new, "cls": cls, **{f"set_{index}": setter for index, setter in enumerate(setters)}}
    exec("\n".join(lines), namespace)  # noqa: S102 - our own text, made from the number of fields.
    build_many: Callable[..., T] = namespace["build_many"]
    return build_many
