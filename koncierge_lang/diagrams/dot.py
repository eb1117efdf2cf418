"""Any `Diagram` -> DOT source, through the `graphviz` package (which quotes identifiers).

Layout choices that keep diagrams readable when fitted into the preview pane beside the editor:
the views draw every edge the way traffic goes, so Graphviz's ranks follow it (outside ->
ingress -> service -> workload -> database -> storage, storage always last); the ranks are rows
or columns, whichever makes the text larger in a 900 x 700 pane (`layout.rank_direction`); groups
become clusters; edges are splines that avoid nodes. The legend is not part of the graph: the
editor's preview shows it as HTML (`legend.legend_of`), and an exported image has it as a compact
strip under the drawing, with the title, in the graph's label (`to_dot(diagram)`; the preview asks
for `to_dot(diagram, caption=False)`). Every node carries its id as the SVG element id, so a
viewer can map a click back to the source (see `Diagram.locations`).

The output is deterministic: nodes, groups and edges come out in the order the view made them.
"""

from __future__ import annotations

import html

import graphviz  # type: ignore[import-untyped]

from koncierge_lang.diagrams.large import layout_attributes
from koncierge_lang.diagrams.layout import (
    LAST_RANK_CATEGORIES,
    NODE_SEPARATION,
    RANK_SEPARATION,
    estimate,
    rank_direction,
)
from koncierge_lang.diagrams.legend import LINE, LegendEntry, legend_of
from koncierge_lang.diagrams.model import NOT_AMONG, Diagram, Edge, Group, Node
from koncierge_lang.diagrams.style import (
    CATEGORIES,
    EDGE_FONT_SIZE,
    EDGE_KINDS,
    FONT,
    GROUP_FONT_SIZE,
    NODE_FONT_SIZE,
    TITLE_FONT_SIZE,
)

_MAX_LINE = 60
_STRIP_MINIMUM_WIDTH = 420
"""Points: the legend strip wraps at the drawing's guessed width, but not narrower than this."""
_CHIP_WIDTH = 16
_CHARACTER_WIDTH = 0.56  # of the font size, as in `layout`


def text(value: str, limit: int = _MAX_LINE) -> str:
    """User text as a DOT label line: backslashes kept literal, long lines shortened."""
    single_line = " ".join(value.split())
    if len(single_line) > limit:
        single_line = single_line[: limit - 1] + "…"
    return str(graphviz.escape(single_line))


def label(node: Node) -> str:
    lines = [text(node.title)] + [text(detail) for detail in node.details]
    if node.implied and NOT_AMONG not in node.details:
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


def to_dot(diagram: Diagram, caption: bool = True) -> str:
    """The DOT source of a diagram. With `caption` (exported images), the title and the legend
    strip are drawn under it; without (the editor's preview, which shows both as HTML), only the
    nodes, edges and groups are, so that all of the pane goes to them."""
    graph_attributes = {
        "rankdir": rank_direction(diagram),
        "fontname": FONT,
        "fontsize": str(TITLE_FONT_SIZE),
        "bgcolor": "white",
        "compound": "true",
        "newrank": "true",
        "nodesep": f"{NODE_SEPARATION:g}",
        "ranksep": f"{RANK_SEPARATION:g}",
    }
    # A large diagram is laid out faster, with straight edges (`large.py`); others as they were.
    graph_attributes.update(layout_attributes(diagram))
    if caption:
        graph_attributes.update(label=_caption(diagram), labelloc="b", labeljust="l")
    graph = graphviz.Digraph(
        name=diagram.view,
        graph_attr=graph_attributes,
        node_attr={"fontname": FONT, "fontsize": str(NODE_FONT_SIZE), "penwidth": "1.2", "margin": "0.12,0.06"},
        edge_attr={"fontname": FONT, "fontsize": str(EDGE_FONT_SIZE)},
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
                    label=_group_label(group.title),
                    style="rounded,filled",
                    fillcolor="#f9fafb" if depth % 2 == 0 else "#ffffff",
                    color="#9ca3af",
                    fontname=FONT,
                    fontsize=str(GROUP_FONT_SIZE),
                    labeljust="l",
                    # The graph's caption is at the bottom; a group's title stays at its top.
                    labelloc="t",
                )
                fill(cluster, group.id, depth + 1)

    fill(graph, None, 0)
    for edge in diagram.edges:
        graph.edge(edge.source, edge.target, **_edge_attributes(edge))
    last = [node.id for node in diagram.nodes if node.category in LAST_RANK_CATEGORIES]
    if last:
        # Storage is where traffic ends: one rank after everything else, whatever mounts it.
        with graph.subgraph() as last_rank:
            last_rank.attr(rank="max")
            for node_id in last:
                last_rank.node(node_id)
    return str(graph.source)


def _group_label(title: str) -> str:
    """A group's title: one line, or several (separated by newlines in the title), each shortened
    and all left-justified."""
    lines = [text(line, 120) for line in title.split("\n") if line.strip()]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    return "\\l".join(lines) + "\\l"


def _caption(diagram: Diagram) -> str:
    """An HTML-like label: the title, then the legend's entries in rows as wide as the drawing."""
    entries = legend_of(diagram)
    guessed = estimate(diagram)[rank_direction(diagram)]
    width = max(guessed.width, _STRIP_MINIMUM_WIDTH)
    rows: list[list[LegendEntry]] = [[]]
    used = 0.0
    for entry in entries:
        entry_width = _CHIP_WIDTH + 14 + len(entry.text) * EDGE_FONT_SIZE * _CHARACTER_WIDTH
        if rows[-1] and used + entry_width > width:
            rows.append([])
            used = 0.0
        rows[-1].append(entry)
        used += entry_width
    columns = max((len(row) for row in rows), default=1) * 2
    title = html.escape(" ".join(diagram.title.split()))
    lines = [
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">',
        f'<TR><TD ALIGN="LEFT" COLSPAN="{columns}"><B>{title}</B></TD></TR>',
    ]
    for row in rows:
        if not row:
            continue
        cells = "".join(_legend_cells(entry) for entry in row)
        lines.append(f"<TR>{cells}</TR>")
    lines.append("</TABLE>")
    return "<" + "".join(lines) + ">"


def _legend_cells(entry: LegendEntry) -> str:
    """A sample (a chip of the shape's colours, or a short line) and its words, in two cells."""
    dashed = ' STYLE="dashed"' if entry.dashed else ' STYLE="rounded"' if entry.rounded else ""
    if entry.kind == LINE:
        sample = f'<TD SIDES="B" BORDER="2" CELLPADDING="0" COLOR="{entry.color}" WIDTH="{_CHIP_WIDTH}" HEIGHT="7" FIXEDSIZE="TRUE"></TD>'
    else:
        sample = (
            f'<TD BORDER="1" CELLPADDING="0" COLOR="{entry.color}" BGCOLOR="{entry.fill}" WIDTH="{_CHIP_WIDTH}" HEIGHT="11" '
            f'FIXEDSIZE="TRUE"{dashed}></TD>'
        )
    words = f'<TD ALIGN="LEFT"><FONT POINT-SIZE="{EDGE_FONT_SIZE}">{html.escape(entry.text)}  </FONT></TD>'
    return sample + words
