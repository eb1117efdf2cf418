"""DOT source -> SVG or PNG, through Graphviz's `dot` program in a subprocess.

The `graphviz` Python package writes DOT; drawing needs the `dot` program, which is a system
package. When it is missing we say in one line how to install it, and `--format dot` still works.
"""

from __future__ import annotations

import shutil
import subprocess

RENDERED_FORMATS = ("svg", "png")
FORMATS = ("svg", "png", "dot")
INSTALL_HINT = (
    "Graphviz's `dot` program is not installed, so svg and png cannot be drawn: install it "
    "(Debian/Ubuntu: `sudo apt-get install graphviz`, macOS: `brew install graphviz`, others: "
    "https://graphviz.org/download/), or use `--format dot`"
)
_TIMEOUT_SECONDS = 60


class GraphvizMissing(Exception):
    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


class RenderFailed(Exception):
    """`dot` ran but failed (a bug in the DOT we wrote, or a crash); the message is its stderr."""


def dot_program() -> str | None:
    return shutil.which("dot")


def render(dot_source: str, output_format: str) -> bytes:
    """The drawing of `dot_source` as `svg` or `png` bytes."""
    if output_format not in RENDERED_FORMATS:
        raise ValueError(f"cannot render to {output_format!r}")
    program = dot_program()
    if program is None:
        raise GraphvizMissing()
    try:
        completed = subprocess.run(
            [program, f"-T{output_format}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise GraphvizMissing() from None
    except subprocess.TimeoutExpired:
        raise RenderFailed(f"`dot` took longer than {_TIMEOUT_SECONDS} s") from None
    if completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderFailed(message[-1] if message else f"`dot` exited with status {completed.returncode}")
    return completed.stdout
