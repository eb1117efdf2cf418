"""Any `Diagram` -> DOT source, through the `graphviz` package (which quotes identifiers).

Layout choices that keep 50+ components readable: left to right (`rankdir=LR`), so that the
chain outside -> ingress -> service -> workload -> configuration/storage reads like a sentence;
groups become clusters; edges are splines that avoid nodes; and the legend only lists the shapes
and lines the diagram actually uses. Every node carries its id as the SVG element id, so a
viewer can map a click back to the source (see `Diagram.locations`).

The output is deterministic: nodes, groups and edges come out in the order the view made them.
"""

from __future__ import annotations

import graphviz  # type: ignore[import-untyped]

from koncierge_lang.diagrams.model import Diagram, Edge, Group, Node
from koncierge_lang.diagrams.style import CATEGORIES, EDGE_KINDS, FONT, IMPLIED_LEGEND

_MAX_LINE = 60
_LEGEND = "legend"


def text(value: str, limit: int = _MAX_LINE) -> str:
    """User text as a DOT label line: backslashes kept literal, long lines shortened."""
    single_line = " ".join(value.split())
    if len(single_line) > limit:
        single_line = single_line[: limit - 1] + "…"
    return str(graphviz.escape(single_line))


def label(node: Node) -> str:
    lines = [text(node.title)] + [text(detail) for detail in node.details]
    if node.implied:
        lines.append("(implied)")
    return "\\n".join(lines)


def _node_attributes(node: Node) -> dict[str, str]:
    category = CATEGORIES.get(node.category, CATEGORIES["object"])
    styles = ["filled"]
    if category.rounded:
        styles.append("rounded")
    if node.implied:
        styles.append("dashed")
    attributes = {
        "id": node.id,
        "label": label(node),
        "shape": category.shape,
        "style": ",".join(styles),
        "fillcolor": category.fill,
        "color": category.border,
    }
    if node.tooltip:
        attributes["tooltip"] = text(node.tooltip)
    return attributes


def _edge_attributes(edge: Edge) -> dict[str, str]:
    kind = EDGE_KINDS.get(edge.kind, EDGE_KINDS["reference"])
    attributes = {"color": kind.color, "fontcolor": kind.color, "arrowhead": kind.arrowhead}
    if kind.penwidth != 1.0:
        attributes["penwidth"] = f"{kind.penwidth:g}"
    if edge.label:
        attributes["label"] = text(edge.label)
    if edge.implied:
        attributes["style"] = "dashed"
    if edge.tooltip:
        attributes["tooltip"] = text(edge.tooltip)
    return attributes


def to_dot(diagram: Diagram, legend: bool = True) -> str:
    graph = graphviz.Digraph(
        name=diagram.view,
        graph_attr={
            "rankdir": "LR",
            "label": text(diagram.title, 120),
            "labelloc": "t",
            "fontname": FONT,
            "fontsize": "16",
            "bgcolor": "white",
            "compound": "true",
            "newrank": "true",
            "nodesep": "0.25",
            "ranksep": "0.6",
        },
        node_attr={"fontname": FONT, "fontsize": "10", "penwidth": "1.2"},
        edge_attr={"fontname": FONT, "fontsize": "9"},
    )
    children: dict[str | None, list[Group]] = {}
    for group in diagram.groups:
        children.setdefault(group.parent, []).append(group)
    members: dict[str | None, list[Node]] = {}
    for node in diagram.nodes:
        members.setdefault(node.group, []).append(node)

    def fill(target: graphviz.Digraph, group_id: str | None, depth: int) -> None:
        for node in members.get(group_id, []):
            target.node(node.id, **_node_attributes(node))
        for group in children.get(group_id, []):
            with target.subgraph(name=f"cluster_{group.id}") as cluster:
                cluster.attr(
                    id=group.id,
                    label=text(group.title, 120),
                    style="rounded,filled",
                    fillcolor="#f9fafb" if depth % 2 == 0 else "#ffffff",
                    color="#9ca3af",
                    fontname=FONT,
                    fontsize="12",
                    labeljust="l",
                )
                fill(cluster, group.id, depth + 1)

    fill(graph, None, 0)
    for edge in diagram.edges:
        graph.edge(edge.source, edge.target, **_edge_attributes(edge))
    if legend:
        _legend(graph, diagram)
    return str(graph.source)


def _legend(graph: graphviz.Digraph, diagram: Diagram) -> None:
    """A box with one sample per shape and line the diagram uses, stacked in one column."""
    categories = [name for name in CATEGORIES if any(node.category == name for node in diagram.nodes)]
    edge_kinds = [name for name in EDGE_KINDS if any(edge.kind == name for edge in diagram.edges)]
    implied = any(node.implied for node in diagram.nodes) or any(edge.implied for edge in diagram.edges)
    if not categories and not edge_kinds:
        return
    with graph.subgraph(name=f"cluster_{_LEGEND}") as box:
        box.attr(id=_LEGEND, label="Legend", style="rounded", color="#9ca3af", fontname=FONT, fontsize="12")
        samples: list[str] = []
        for name in categories:
            category = CATEGORIES[name]
            sample_id = f"{_LEGEND}/{name}"
            box.node(
                sample_id,
                label=category.legend,
                shape=category.shape,
                style="filled,rounded" if category.rounded else "filled",
                fillcolor=category.fill,
                color=category.border,
                fontsize="9",
                height="0.3",
            )
            samples.append(sample_id)
        if implied:
            sample_id = f"{_LEGEND}/implied"
            box.node(sample_id, label=IMPLIED_LEGEND, shape="box", style="dashed", fontsize="9", height="0.3")
            samples.append(sample_id)
        for name in edge_kinds:
            kind = EDGE_KINDS[name]
            sample_id = f"{_LEGEND}/line/{name}"
            # A drawn sample line would need a second column; a coloured arrow in text keeps one.
            arrow = "—▷" if kind.arrowhead == "empty" else "—◆" if kind.arrowhead == "diamond" else "—▶"
            box.node(
                sample_id, label=f"{arrow}  {kind.legend}", shape="plaintext", fontsize="9", fontcolor=kind.color, height="0.2"
            )
            samples.append(sample_id)
        with box.subgraph() as column:
            column.attr(rank="same")
            for sample_id in samples:
                column.node(sample_id)
