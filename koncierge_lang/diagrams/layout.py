"""Which way a diagram is laid out: top to bottom or left to right, whichever fits the preview pane.

Every view draws its edges the way traffic goes (outside -> ingress -> service -> workload ->
database -> storage), so Graphviz's ranks follow the traffic. Whether those ranks are rows (top
to bottom) or columns (left to right) decides how big the text is once the drawing is fitted into
the 900 x 700 pane beside the editor: a chain of seven ranks with three nodes each fits as rows, a
rank of fifty workloads fits as a column. `estimate` guesses the drawing's size both ways from the
nodes' text and the ranks (no Graphviz run), and `rank_direction` picks the way whose smallest
text would be larger. The guess only has to tell the two apart, which differ by a large factor
whenever the choice matters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from koncierge_lang.diagrams.measure import PANE_HEIGHT, PANE_WIDTH
from koncierge_lang.diagrams.model import NOT_AMONG, Diagram, Node
from koncierge_lang.diagrams.style import EDGE_FONT_SIZE, NODE_FONT_SIZE

TOP_TO_BOTTOM = "TB"
LEFT_TO_RIGHT = "LR"
NODE_SEPARATION = 0.25
"""Inches between neighbours in a rank (Graphviz's `nodesep`)."""
RANK_SEPARATION = 0.25
"""Inches between ranks (Graphviz's `ranksep`)."""
LAST_RANK_CATEGORIES = frozenset({"storage"})
"""Storage is where traffic ends: drawn in the last rank, after the databases that use it."""

_POINTS_PER_INCH = 72
_CHARACTER_WIDTH = 0.56  # of the font size: Helvetica's average width, for names and numbers
_LINE_HEIGHT = 1.2  # of the font size
_NODE_PADDING = (22.0, 12.0)  # points around a label, as Graphviz's default margin gives
_MINIMUM_NODE = (54.0, 36.0)  # Graphviz's default width and height (0.75 and 0.5 inches)
_MAX_LINE = 60


@dataclass(frozen=True, slots=True)
class Size:
    width: float
    height: float

    def fitted_scale(self) -> float:
        return min(PANE_WIDTH / self.width, PANE_HEIGHT / self.height)


def node_size(node: Node) -> Size:
    """A node's size in points, from the length and number of its label's lines."""
    lines = [node.title, *node.details] + (["(implied)"] if node.implied and NOT_AMONG not in node.details else [])
    longest = max(min(len(line), _MAX_LINE) for line in lines)
    width = longest * NODE_FONT_SIZE * _CHARACTER_WIDTH + _NODE_PADDING[0]
    height = len(lines) * NODE_FONT_SIZE * _LINE_HEIGHT + _NODE_PADDING[1]
    return Size(max(width, _MINIMUM_NODE[0]), max(height, _MINIMUM_NODE[1]))


def ranks(diagram: Diagram) -> dict[str, int]:
    """Node id -> rank, as Graphviz would roughly assign it: after the longest chain of edges
    leading to the node, as close as that allows to the nodes it leads to, and storage last. A
    cycle stops growing once a rank reaches the number of nodes."""
    rank = {node.id: 0 for node in diagram.nodes}
    edges = [(edge.source, edge.target) for edge in diagram.edges if edge.source != edge.target]
    limit = len(rank)
    for _ in range(limit):
        changed = False
        for source, target in edges:
            if rank[source] + 1 > rank[target] and rank[source] + 1 < limit:
                rank[target] = rank[source] + 1
                changed = True
        if not changed:
            break
    # Graphviz keeps edges short: a node sits just above the nearest of the nodes it leads to (a
    # route right above its component), not in the first rank with every other source.
    successors: dict[str, list[str]] = {}
    for source, target in edges:
        successors.setdefault(source, []).append(target)
    for _ in range(limit):
        changed = False
        for node_id in sorted(successors, key=lambda node_id: -rank[node_id]):
            nearest = min(rank[target] for target in successors[node_id]) - 1
            if nearest > rank[node_id]:
                rank[node_id] = nearest
                changed = True
        if not changed:
            break
    last = max(rank.values(), default=0)
    for node in diagram.nodes:
        if node.category in LAST_RANK_CATEGORIES:
            rank[node.id] = last + 1
    return rank


def estimate(diagram: Diagram) -> dict[str, Size]:
    """The drawing's size in points, guessed for each rank direction."""
    sizes = {node.id: node_size(node) for node in diagram.nodes}
    rank_of = ranks(diagram)
    by_rank: dict[int, list[Size]] = {}
    for node_id, rank in rank_of.items():
        by_rank.setdefault(rank, []).append(sizes[node_id])
    order = sorted(by_rank)
    columns: Sequence[list[Size]] = [by_rank[rank] for rank in order] or [[Size(*_MINIMUM_NODE)]]
    # Graphviz puts an edge's label in a rank of its own between the two ranks it joins: the gap
    # after a rank that labelled edges leave holds the labels, as tall as a line of text from top
    # to bottom, and as wide as the widest of them from left to right.
    labels: dict[int, int] = {}
    for edge in diagram.edges:
        if edge.label and edge.source in rank_of:
            rank = rank_of[edge.source]
            labels[rank] = max(labels.get(rank, 0), min(len(edge.label), _MAX_LINE))
    node_gap = NODE_SEPARATION * _POINTS_PER_INCH
    rank_gap = RANK_SEPARATION * _POINTS_PER_INCH
    gaps = [(rank_gap * 2, labels[rank]) if rank in labels else (rank_gap, 0) for rank in order[:-1]]
    # Top to bottom: each rank is a row, as wide as its nodes side by side.
    rows_width = max(sum(size.width for size in rank) + node_gap * (len(rank) - 1) for rank in columns)
    rows_height = sum(max(size.height for size in rank) for rank in columns) + sum(
        gap + (EDGE_FONT_SIZE * _LINE_HEIGHT if characters else 0) for gap, characters in gaps
    )
    # Left to right: each rank is a column, as tall as its nodes stacked.
    columns_width = sum(max(size.width for size in rank) for rank in columns) + sum(
        gap + characters * EDGE_FONT_SIZE * _CHARACTER_WIDTH for gap, characters in gaps
    )
    columns_height = max(sum(size.height for size in rank) + node_gap * (len(rank) - 1) for rank in columns)
    return {TOP_TO_BOTTOM: Size(rows_width, rows_height), LEFT_TO_RIGHT: Size(columns_width, columns_height)}


def rank_direction(diagram: Diagram) -> str:
    """`TB` or `LR`: the one whose drawing, fitted into the pane, would show larger text."""
    guessed = estimate(diagram)
    top_to_bottom = guessed[TOP_TO_BOTTOM].fitted_scale()
    left_to_right = guessed[LEFT_TO_RIGHT].fitted_scale()
    return LEFT_TO_RIGHT if left_to_right > top_to_bottom else TOP_TO_BOTTOM
