"""The README's diagrams are current: `make diagrams` (python -m koncierge_lang.diagrams.readme_images
docs/images) regenerates them.

The comparison is on the DOT source, which is ours and deterministic; the SVG's bytes depend on the
installed Graphviz version, so instead each committed SVG must carry the hash of the committed DOT
it was drawn from."""

from __future__ import annotations

from koncierge_lang.diagrams.readme_images import IMAGES, dot_hash, dot_sources, svg_source_hash
from tests.conftest import REPOSITORY

IMAGES_DIRECTORY = REPOSITORY / "docs" / "images"


def test_committed_diagrams_are_current() -> None:
    expected = dot_sources()
    assert sorted(expected) == sorted(name for name, _, _ in IMAGES)
    for name, dot_source in expected.items():
        committed = (IMAGES_DIRECTORY / f"{name}.dot").read_text(encoding="utf-8")
        assert committed == dot_source, f"docs/images/{name}.dot is stale: run `make diagrams`"
        svg = (IMAGES_DIRECTORY / f"{name}.svg").read_text(encoding="utf-8")
        assert svg_source_hash(svg) == dot_hash(dot_source), f"docs/images/{name}.svg is stale: run `make diagrams`"
