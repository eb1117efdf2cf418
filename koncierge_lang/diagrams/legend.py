"""The legend of a diagram: one entry per shape and line it actually uses, outside the drawing.

The legend is data, not part of the graph: the editor's preview shows it as HTML beside the
picture (the language server sends these entries with `koncierge/diagram`), and an exported image
shows it as a compact strip under the drawing (`koncierge_lang.diagrams.dot`). Either way it takes
no place among the nodes, which a legend drawn as a cluster of sample nodes did: a third of the
picture.
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.diagrams.model import Diagram
from koncierge_lang.diagrams.style import CATEGORIES, EDGE_KINDS, IMPLIED_LEGEND, IMPLIED_MEANING

NODE = "node"
LINE = "line"
IMPLIED = "implied"


@dataclass(frozen=True, slots=True)
class LegendEntry:
    """A sample and its words. `kind` is `node` (a shape), `line` (an edge) or `implied` (dashed)."""

    kind: str
    name: str
    text: str
    meaning: str
    shape: str
    fill: str
    color: str
    rounded: bool = False
    dashed: bool = False


def legend_of(diagram: Diagram) -> tuple[LegendEntry, ...]:
    """The shapes, then the lines, then `implied`, each only when the diagram uses it, in the
    order of the style tables so that the legends of two views read alike."""
    used_categories = {node.category for node in diagram.nodes}
    used_kinds = {edge.kind for edge in diagram.edges}
    entries = [
        LegendEntry(NODE, name, category.legend, category.meaning, category.shape, category.fill, category.border, category.rounded)
        for name, category in CATEGORIES.items()
        if name in used_categories
    ]
    entries.extend(
        LegendEntry(LINE, name, kind.legend, kind.meaning, "line", "", kind.color)
        for name, kind in EDGE_KINDS.items()
        if name in used_kinds
    )
    if any(node.implied for node in diagram.nodes) or any(edge.implied for edge in diagram.edges):
        entries.append(LegendEntry(IMPLIED, IMPLIED, IMPLIED_LEGEND, IMPLIED_MEANING, "box", "#ffffff", "#374151", dashed=True))
    return tuple(entries)
