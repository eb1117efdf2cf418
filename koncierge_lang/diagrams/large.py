"""Large diagrams (issue 16): an application of hundreds of components drawn in seconds, not minutes.

Graphviz's `dot` spends nearly all of a large drawing in two phases: ordering the nodes of each
rank (`mincross`) and placing them (a network simplex over every node, including the invisible
ones it adds wherever an edge spans several ranks), then routing curved edges around nodes. On the
architecture view of 500 components that took 23-30 s, and 1,000 components hit the renderer's
time limit. Two things bring it under 5 s (the figures are in docs/benchmarks.md, measured by
`bench/bench_diagram.py --large`):

- **Services drawn in their workloads.** Above `LARGE_DIAGRAM_NODES` nodes, a Service that selects
  the pods of exactly one workload (nearly every Service Koncierge makes) is not drawn as a node of
  its own: its line is added to the workload's details (`service web: 8080/TCP, routed`), and the
  lines to and from it go to and from the workload. That removes a rank and a third of the nodes
  and, with them, most of the invisible ones. The diagram's title says what was collapsed, and
  `unfold` (the command line's `--unfold`, the editor's unfold switch) draws every node again.
- **A faster layout.** Above `LARGE_LAYOUT_NODES` nodes as drawn, `dot` is asked to stop
  improving the order and the placement early (`mclimit`, `nslimit`) and to draw edges as
  straight lines (`splines=line`), instead of curves routed around every node.

A diagram at or below `LARGE_LAYOUT_NODES` nodes is drawn exactly as before: every example, the
README images and the diagram goldens are far below it.
"""

from __future__ import annotations

from dataclasses import replace

from koncierge_lang.diagrams.model import Diagram, Edge, Node

LARGE_DIAGRAM_NODES = 400
"""A diagram with more nodes than this is large: about 170 components in the architecture and
kubernetes views. Below it `dot`'s own defaults take a few seconds at most."""

LARGE_LAYOUT_NODES = 200
"""A diagram drawn with more nodes than this gets the faster layout: half of `LARGE_DIAGRAM_NODES`,
so that a large diagram still gets it once its Services are drawn in their workloads."""

LARGE_LAYOUT_ATTRIBUTES = {"mclimit": "0.2", "nslimit": "0.2", "splines": "line"}
"""The graph attributes of a large diagram's layout (see the module's docstring)."""

_SERVICE_CATEGORY = "service"
_SELECTS = "selects"


def is_large(diagram: Diagram) -> bool:
    return len(diagram.nodes) > LARGE_DIAGRAM_NODES


def layout_attributes(diagram: Diagram) -> dict[str, str]:
    """The graph attributes that `dot` is given besides the usual ones: none for a diagram of at
    most `LARGE_LAYOUT_NODES` nodes."""
    return dict(LARGE_LAYOUT_ATTRIBUTES) if len(diagram.nodes) > LARGE_LAYOUT_NODES else {}


def collapsed(diagram: Diagram) -> Diagram:
    """A large diagram with each Service that selects one workload drawn in that workload, and
    its title saying so; any other diagram as it is."""
    if not is_large(diagram):
        return diagram
    nodes = {node.id: node for node in diagram.nodes}
    selected: dict[str, list[str]] = {}
    for edge in diagram.edges:
        if edge.kind == _SELECTS and edge.target in nodes:
            selected.setdefault(edge.source, []).append(edge.target)
    into = {
        service: targets[0]
        for service, targets in selected.items()
        if len(set(targets)) == 1 and service in nodes and nodes[service].category == _SERVICE_CATEGORY
    }
    if not into:
        return diagram
    service_lines: dict[str, list[str]] = {}
    for service, workload in into.items():
        service_lines.setdefault(workload, []).append(_service_line(nodes[service]))
    kept_nodes = tuple(
        replace(node, details=node.details + tuple(service_lines[node.id])) if node.id in service_lines else node
        for node in diagram.nodes
        if node.id not in into
    )
    kept_edges: dict[tuple[str, str, str, str], Edge] = {}
    for edge in diagram.edges:
        if edge.kind == _SELECTS and edge.source in into:
            continue  # Said by the workload's `service ...` line.
        source, target = into.get(edge.source, edge.source), into.get(edge.target, edge.target)
        if source == target:
            continue
        moved = edge if (source, target) == (edge.source, edge.target) else replace(edge, source=source, target=target)
        kept_edges.setdefault((source, target, edge.kind, edge.label), moved)
    count = len(into)
    drawn_in = "1 Service drawn in the workload it selects" if count == 1 else (
        f"{count:,} Services drawn in the workloads they select"
    )
    note = f" ({drawn_in}, to keep this large diagram quick to draw; unfold to draw every node)"
    return replace(diagram, title=diagram.title + note, nodes=kept_nodes, edges=tuple(kept_edges.values()))


def _service_line(service: Node) -> str:
    """The workload's line for a Service drawn in it: its title and its first detail (its ports)."""
    return f"{service.title}: {service.details[0]}" if service.details else service.title
