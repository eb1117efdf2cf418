"""Finding circles among names that refer to each other: values (KON216) and the promotion order
of environments (KON209).

The walk is depth-first, in the order the names and their references are written, with a stack of
its own instead of Python's: a chain is as long as the user writes it, and 100,000 values or
environments must check, in linear time, without a `RecursionError`
(`tests/test_long_chains.py`, `bench/bench_chains.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar

Via = TypeVar("Via")

SHOWN_MEMBERS = 8
"""How many members of a circle a message names: of a longer circle, the first six, `...` and the
last two, so that a circle of 100,000 names makes a message of one line."""


def closing_references(graph: Mapping[str, Sequence[tuple[str, Via]]]) -> Iterator[tuple[str, Via, int, list[str]]]:
    """Each reference that closes a circle, as (the name that makes it; what the graph says about
    the reference, such as where it is written; how many names the circle has; the names to show,
    from the one referred to down to the one that refers to it, see `SHOWN_MEMBERS`). `graph`
    gives each name its references in order; a reference to a name the graph does not hold leads
    nowhere. Each reference is looked at once, and each circle found costs the same however long
    it is."""
    finished: set[str] = set()
    for root in graph:
        if root in finished:
            continue
        # The names being visited, from the root down, and where each stands on that path: a
        # reference to one of them closes a circle.
        path = [root]
        on_path = {root: 0}
        stack = [(root, iter(graph[root]))]
        while stack:
            node, references = stack[-1]
            for target, via in references:
                start = on_path.get(target)
                if start is not None:
                    length = len(path) - start
                    if length <= SHOWN_MEMBERS:
                        shown = path[start:]
                    else:
                        shown = [*path[start : start + SHOWN_MEMBERS - 2], "...", *path[-2:]]
                    yield node, via, length, shown
                elif target not in finished:
                    on_path[target] = len(path)
                    path.append(target)
                    stack.append((target, iter(graph.get(target, ()))))
                    break
            else:
                stack.pop()
                path.pop()
                del on_path[node]
                finished.add(node)
