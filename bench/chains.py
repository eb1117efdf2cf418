"""Generators of .kon files whose names refer to each other in long chains, for `bench_chains.py`
and `tests/test_long_chains.py` (issue 16: no recursion limits).

- `value_chain(n)`: `value v0 = v1`, `value v1 = v2`, ..., the last one a constant (or, with
  `secret=True`, a generated secret, so that whether `v0` is a secret is only known at the end of
  the chain), used by one component's variable;
- `value_cycle(n)`: the same chain with the last value referring back to `v0`: one circle of n
  values;
- `promotion_chain(n)`: n environments, each promoted after the next (`after`), optionally closed
  into one circle.

Every chain is written in the order a reader would walk it (`v0` first), the order in which a
recursive walk from the first declaration goes deepest.
"""

from __future__ import annotations

_HEADER = (
    "application chain {",
    '  environment DEV "chain.dev.example.com"',
)
_COMPONENT = (
    "  component web {",
    '    image "nginx:1.27"',
    "    port 8080",
    "    env FIRST = v0",
    "  }",
)


def value_chain(n: int, secret: bool = False) -> str:
    """n named values, each referring to the next; the last one is text (or a generated secret)."""
    lines = [*_HEADER, *_COMPONENT]
    lines.extend(f"  value v{index} = v{index + 1}" for index in range(n - 1))
    lines.append(f"  secret v{n - 1} = generated" if secret else f'  constant v{n - 1} = "end"')
    lines.append("}")
    return "\n".join(lines) + "\n"


def value_cycle(n: int) -> str:
    """n named values in one circle: `v0 = v1`, ..., `v(n-1) = v0`."""
    lines = [*_HEADER, *_COMPONENT]
    lines.extend(f"  value v{index} = v{(index + 1) % n}" for index in range(n))
    lines.append("}")
    return "\n".join(lines) + "\n"


def promotion_chain(n: int, cycle: bool = False) -> str:
    """n environments, `E0` promoted after `E1`, ..., after `E(n-1)`; with `cycle`, the last one
    after `E0` too, closing one circle of n environments."""
    lines = ["application chain {"]
    for index in range(n):
        after = f" after E{index + 1}" if index < n - 1 else (" after E0" if cycle else "")
        lines.append(f'  environment E{index} like DEV "e{index}.example.com"{after}')
    lines.extend(_COMPONENT[:3])
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
