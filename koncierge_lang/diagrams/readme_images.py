"""Regenerate the README's diagrams of the To Do example: `python -m koncierge_lang.diagrams.readme_images docs/images`.

Writes `todo-requirements`, `todo-architecture` and `todo-kubernetes` (the last two for PROD),
each as `.dot` and `.svg`. The test that they are current compares the DOT source, which is ours
and deterministic, not the SVG, whose bytes change with the Graphviz version; each SVG carries the
SHA-256 of the DOT it was drawn from, so the test also catches an SVG left behind by a DOT change.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from koncierge_lang.analysis import analyze
from koncierge_lang.diagrams.dot import to_dot
from koncierge_lang.diagrams.output import write_bytes_atomically
from koncierge_lang.diagrams.render import GraphvizMissing, render
from koncierge_lang.diagrams.views import diagram_of

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "todo" / "todo.kon"
EXAMPLE_NAME = "examples/todo/todo.kon"
IMAGES = (
    ("todo-requirements", "requirements", None),
    ("todo-architecture", "architecture", "PROD"),
    ("todo-kubernetes", "kubernetes", "PROD"),
)
_HASH_MARKER = "koncierge-dot-sha256:"


def dot_sources(example: Path = EXAMPLE) -> dict[str, str]:
    """Image name -> DOT source, for every README image."""
    analysis = analyze(example.read_text(encoding="utf-8"), EXAMPLE_NAME)
    return {name: to_dot(diagram_of(analysis, view, environment).diagram) for name, view, environment in IMAGES}


def dot_hash(dot_source: str) -> str:
    return hashlib.sha256(dot_source.encode("utf-8")).hexdigest()


def svg_source_hash(svg: str) -> str | None:
    """The DOT hash an SVG written by this module records, or None."""
    start = svg.find(_HASH_MARKER)
    if start == -1:
        return None
    return svg[start + len(_HASH_MARKER) :].split(None, 1)[0]


def _stamp(svg: bytes, dot_source: str) -> bytes:
    comment = f"<!-- Generated from {EXAMPLE_NAME} by `make diagrams`. {_HASH_MARKER} {dot_hash(dot_source)} -->\n"
    text = svg.decode("utf-8")
    declaration_end = text.find("?>")
    insert_at = declaration_end + 3 if declaration_end != -1 else 0
    return (text[:insert_at] + comment + text[insert_at:]).encode("utf-8")


def main(argv: list[str]) -> int:
    directory = Path(argv[0] if argv else "docs/images")
    sources = dot_sources()
    for name, dot_source in sources.items():
        write_bytes_atomically(str(directory / f"{name}.dot"), dot_source.encode("utf-8"))
        try:
            svg = render(dot_source, "svg")
        except GraphvizMissing as missing:
            print(f"readme_images: {missing}", file=sys.stderr)
            return 2
        write_bytes_atomically(str(directory / f"{name}.svg"), _stamp(svg, dot_source))
        print(f"wrote {directory / name}.dot and .svg")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
