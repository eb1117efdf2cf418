"""Diagrams of a Koncierge application: the requirements, architecture and kubernetes views.

Pure functions turn each model into a `Diagram` (nodes with the source location they came from,
edges, groups), `to_dot` turns any diagram into DOT source, and `render` asks Graphviz's `dot`
program for SVG or PNG. See docs/diagrams.md.
"""

from koncierge_lang.diagrams.dot import to_dot
from koncierge_lang.diagrams.model import VIEWS, Diagram, Edge, Group, Location, Node, Problem
from koncierge_lang.diagrams.render import FORMATS, INSTALL_HINT, GraphvizMissing, RenderFailed, render
from koncierge_lang.diagrams.views import DiagramRequestError, Drawn, default_environment, diagram_of

__all__ = [
    "FORMATS",
    "INSTALL_HINT",
    "VIEWS",
    "Diagram",
    "DiagramRequestError",
    "Drawn",
    "Edge",
    "GraphvizMissing",
    "Group",
    "Location",
    "Node",
    "Problem",
    "RenderFailed",
    "default_environment",
    "diagram_of",
    "render",
    "to_dot",
]
