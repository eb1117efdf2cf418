"""The diagram model: nodes, edges and groups, independent of Graphviz and of the view.

Each view (`requirements`, `architecture`, `kubernetes`) turns one of the compiler's models into a
`Diagram`; `koncierge_lang.diagrams.dot` turns any `Diagram` into DOT source. Keeping this middle
layer means the three views share one set of shapes, colours, the legend and the escaping rules,
and that tests can check what a view says without parsing DOT.

Every view can fold: what belongs to one workload (its configuration, its secrets, in the
Kubernetes view its ServiceAccount and NetworkPolicy) is listed in the workload's node instead of
drawn as a node with a line to it, which is the default; `unfold` draws them as nodes again.

Invariant: a node's text is built from names, images, ports, sizes and other non-secret facts. No
view ever puts a secret's value (plain, base64 or generated) into a node, an edge or a tooltip.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from koncierge_lang.source import Span

VIEWS = ("requirements", "architecture", "kubernetes")

FOLDED_LINE = 40
"""Characters per line of a list folded into a node (`listed`): about as wide as an image name, so
that folding configuration into a workload makes it taller, not wider."""

NOT_AMONG = "not among these objects"
"""What a node says of an object that something refers to but that is not among those drawn; it
is dashed like an implied node, without the `(implied)` line."""

SHARED_BY = 6
"""A value or a storage used by more components than this is drawn without a line to each: every
component lists it among its details instead, and the value's or storage's node says how many use
it. Fifty lines from one node to fifty components say nothing a list does not, and hide the rest."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where a node came from: a span of a `.kon` file, or a line of a YAML file (`path` set)."""

    span: Span
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Node:
    """One box of a diagram. `category` picks the shape and colour (see `style.CATEGORIES`)."""

    id: str
    category: str
    title: str
    details: tuple[str, ...] = ()
    group: str | None = None
    implied: bool = False
    tooltip: str = ""
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Edge:
    """A relation between two nodes. `kind` picks the line style (see `style.EDGE_KINDS`)."""

    source: str
    target: str
    kind: str
    label: str = ""
    implied: bool = False
    tooltip: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """A box around nodes (a Graphviz cluster); groups nest through `parent`."""

    id: str
    title: str
    parent: str | None = None
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a reader could not draw (a broken YAML document), with where it is."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Diagram:
    view: str
    title: str
    groups: tuple[Group, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    problems: tuple[Problem, ...] = ()

    def node(self, node_id: str) -> Node | None:
        return next((node for node in self.nodes if node.id == node_id), None)

    def locations(self) -> dict[str, Location]:
        """Node id -> where it came from, for every node that has a location (groups included)."""
        found: dict[str, Location] = {}
        for group in self.groups:
            if group.location is not None:
                found[group.id] = group.location
        for node in self.nodes:
            if node.location is not None:
                found[node.id] = node.location
        return found


class DiagramBuilder:
    """Collects nodes, edges and groups in insertion order, dropping duplicates and dangling edges."""

    def __init__(self, view: str, title: str) -> None:
        self.view = view
        self.title = title
        self._groups: dict[str, Group] = {}
        self._nodes: dict[str, Node] = {}
        self._edges: dict[tuple[str, str, str, str], Edge] = {}
        self.problems: list[Problem] = []

    def group(self, group: Group) -> str:
        self._groups.setdefault(group.id, group)
        return group.id

    def node(self, node: Node) -> str:
        self._nodes.setdefault(node.id, node)
        return node.id

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def node_of(self, node_id: str) -> Node | None:
        return self._nodes.get(node_id)

    def add_details(self, node_id: str, *details: str) -> None:
        """More lines under a node's title, once its edges show what its first lines could not."""
        node = self._nodes.get(node_id)
        if node is not None:
            self._nodes[node_id] = replace(node, details=node.details + details)

    def remove_node(self, node_id: str) -> None:
        """Take back a node that another node's details now stand for, with its lines."""
        self.remove_nodes((node_id,))

    def remove_nodes(self, node_ids: Iterable[str]) -> None:
        """Take back nodes, with their lines, in one pass over the lines (not one per node: a
        large application folds thousands)."""
        removed = set(node_ids)
        for node_id in removed:
            self._nodes.pop(node_id, None)
        for key in [key for key in self._edges if key[0] in removed or key[1] in removed]:
            del self._edges[key]

    def locate_group(self, group_id: str, location: Location | None) -> None:
        """Point a group at where it came from (a namespace at its Namespace object)."""
        group = self._groups.get(group_id)
        if group is not None and location is not None:
            self._groups[group_id] = replace(group, location=location)

    def members(self, group_id: str) -> list[str]:
        return [node.id for node in self._nodes.values() if node.group == group_id]

    def edge(self, edge: Edge) -> None:
        self._edges.setdefault((edge.source, edge.target, edge.kind, edge.label), edge)

    def remove_edge(self, source: str, target: str, kind: str, label: str) -> None:
        """Take back a line that the nodes' details now say instead."""
        self._edges.pop((source, target, kind, label), None)

    def merge_parallel(self, kind: str) -> None:
        """Lines of one kind between the same two nodes become one, their labels joined."""
        first: dict[tuple[str, str], tuple[str, str, str, str]] = {}
        for key in list(self._edges):
            source, target, edge_kind, edge_label = key
            if edge_kind != kind:
                continue
            kept = first.setdefault((source, target), key)
            if kept == key:
                continue
            edge = self._edges.pop(key)
            earlier = self._edges[kept]
            labels = [part for part in (earlier.label, edge.label) if part]
            self._edges[kept] = replace(
                earlier, label=", ".join(dict.fromkeys(labels)), implied=earlier.implied and edge.implied
            )

    def build(self) -> Diagram:
        edges = tuple(
            edge for edge in self._edges.values() if edge.source in self._nodes and edge.target in self._nodes
        )
        used_groups = {node.group for node in self._nodes.values() if node.group}
        # Keep a group when it, or a group inside it, holds a node.
        keep: set[str] = set()
        for group_id in used_groups:
            current: str | None = group_id
            while current is not None and current not in keep:
                keep.add(current)
                parent = self._groups.get(current)
                current = parent.parent if parent is not None else None
        groups = tuple(group for group in self._groups.values() if group.id in keep)
        return Diagram(self.view, self.title, groups, tuple(self._nodes.values()), edges, tuple(self.problems))


def make_id(*parts: str) -> str:
    """A node id from its parts. A colon would read as a Graphviz port, so it is percent-encoded."""
    return "/".join(part.replace("%", "%25").replace(":", "%3A") for part in parts)


def short_image(image: str) -> str:
    """An image reference for a label: a digest is cut to its first 12 hexadecimal digits, which
    tell images apart as well as the whole 64 and keep nodes narrow."""
    name, separator, digest = image.partition("@sha256:")
    return f"{name}@sha256:{digest[:12]}…" if separator and len(digest) > 12 else image


def listed(prefix: str, names: Sequence[str], max_lines: int = 2, separator: str = ":") -> tuple[str, ...]:
    """`prefix: A, B, C` as lines of at most `FOLDED_LINE` characters, and at most `max_lines` of
    them (besides the prefix's own line when it is long): names that do not fit are counted
    (`and 3 more`)."""
    lines: list[str] = []
    current = f"{prefix}{separator}"
    if names and len(current) + 1 + len(names[0]) > FOLDED_LINE:
        lines.append(current)
        current = ""
        max_lines += 1
    for index, name in enumerate(names):
        piece = name + ("," if index < len(names) - 1 else "")
        if not current or len(current) + 1 + len(piece) <= FOLDED_LINE or current == f"{prefix}{separator}":
            current = f"{current} {piece}" if current else piece
            continue
        if len(lines) + 1 == max_lines:
            current = current.rstrip(",") + f" and {len(names) - index} more"
            break
        lines.append(current)
        current = piece
    lines.append(current)
    return tuple(lines)
