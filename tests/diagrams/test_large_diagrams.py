"""Large diagrams (issue 16, koncierge_lang/diagrams/large.py): above 400 nodes a Service that
selects one workload is drawn in that workload, the title says so, `unfold` draws every node, and
`dot` is given the large-graph layout; smaller diagrams are drawn as before.

The times (500 and 1,000 components in seconds) are in `bench/bench_diagram.py --large`; these
tests assert the choices, not the time.
"""

from __future__ import annotations

import shutil
from functools import cache

import pytest

from bench.synthetic import generate_application
from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.diagrams import Diagram, Edge, Node, diagram_of, render, to_dot
from koncierge_lang.diagrams.large import (
    LARGE_DIAGRAM_NODES,
    LARGE_LAYOUT_ATTRIBUTES,
    LARGE_LAYOUT_NODES,
    collapsed,
    is_large,
    layout_attributes,
)
from tests.diagrams.support import TODO, load

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")

COMPONENTS = 200
"""Enough for about 450 nodes in the architecture and kubernetes views: a large diagram."""


@cache
def _large_application() -> Analysis:
    return analyze(generate_application(COMPONENTS), "synthetic.kon")


def _service_count(diagram: Diagram) -> int:
    return sum(1 for node in diagram.nodes if node.category == "service")


@pytest.mark.parametrize("view", ["architecture", "kubernetes"])
def test_a_large_diagram_draws_its_services_in_their_workloads_and_says_so(view: str) -> None:
    unfolded = diagram_of(_large_application(), view, "PROD", unfold=True).diagram
    drawn = diagram_of(_large_application(), view, "PROD").diagram
    assert is_large(unfolded)
    services = _service_count(unfolded)
    assert services == COMPONENTS  # one per component and database, each selecting one workload
    assert _service_count(drawn) == 0
    assert len(drawn.nodes) < len(unfolded.nodes) - services + 1
    assert f"({services:,} Services drawn in the workloads they select" in drawn.title
    assert "unfold to draw every node" in drawn.title
    assert "Services drawn" not in unfolded.title
    # Each workload lists the Service that selects it, with its ports.
    service_titles = {node.title for node in unfolded.nodes if node.category == "service"}
    listed = {detail.split(":")[0] for node in drawn.nodes for detail in node.details}
    assert service_titles <= listed
    # The lines that went to a Service go to its workload: the routes reach every workload of a
    # component (100 components route to their own Service in the synthetic application).
    node_ids = {node.id for node in drawn.nodes}
    assert all(edge.source in node_ids and edge.target in node_ids for edge in drawn.edges)
    assert not any(edge.kind == "selects" for edge in drawn.edges)
    routed = {edge.target for edge in drawn.edges if edge.kind == "route"}
    workloads = {node.id for node in drawn.nodes if node.category == "workload"}
    assert len(routed & workloads) >= COMPONENTS * 9 // 10 - 1


@pytest.mark.parametrize("view", ["architecture", "kubernetes"])
def test_a_large_diagram_is_laid_out_with_the_large_graph_attributes(view: str) -> None:
    drawn = diagram_of(_large_application(), view, "PROD").diagram
    assert len(drawn.nodes) > LARGE_LAYOUT_NODES  # still, once its Services are in their workloads
    assert layout_attributes(drawn) == LARGE_LAYOUT_ATTRIBUTES
    source = to_dot(drawn)
    for name, value in LARGE_LAYOUT_ATTRIBUTES.items():
        assert f"{name}={value}" in source or f'{name}="{value}"' in source


@pytest.mark.parametrize("view", ["requirements", "architecture", "kubernetes"])
def test_a_small_diagram_is_drawn_as_before(view: str) -> None:
    analysis = load(TODO)
    drawn = diagram_of(analysis, view, "PROD").diagram
    assert not is_large(drawn)
    assert collapsed(drawn) is drawn
    assert drawn == diagram_of(analysis, view, "PROD", unfold=False).diagram
    source = to_dot(drawn)
    assert layout_attributes(drawn) == {}
    assert "splines=" not in source and "nslimit" not in source and "mclimit" not in source
    assert "Services drawn" not in drawn.title


def _diagram(node_count: int, extra_nodes: tuple[Node, ...], edges: tuple[Edge, ...]) -> Diagram:
    fillers = tuple(Node(f"filler{index}", "workload", f"filler {index}") for index in range(node_count - len(extra_nodes)))
    return Diagram("architecture", "A title", (), extra_nodes + fillers, edges)


def test_what_collapsing_keeps_moves_and_merges() -> None:
    nodes = (
        Node("ingress", "ingress", "ingress"),
        Node("web-service", "service", "service web", ("8080/TCP, routed",)),
        Node("web", "workload", "web"),
        Node("shared-service", "service", "service shared", ("80/TCP",)),
        Node("a", "workload", "a"),
        Node("b", "workload", "b"),
    )
    edges = (
        Edge("ingress", "web-service", "route", "example.com :8080"),
        Edge("web-service", "web", "selects"),
        Edge("ingress", "web", "route", "example.com :8080"),  # the same line once moved: kept once
        Edge("a", "web-service", "network", "API"),
        # A Service that selects two workloads stays a node of its own.
        Edge("shared-service", "a", "selects"),
        Edge("shared-service", "b", "selects"),
    )
    at_the_limit = _diagram(LARGE_DIAGRAM_NODES, nodes, edges)
    assert collapsed(at_the_limit) is at_the_limit
    drawn = collapsed(_diagram(LARGE_DIAGRAM_NODES + 1, nodes, edges))
    ids = [node.id for node in drawn.nodes]
    assert "web-service" not in ids and "shared-service" in ids
    web = next(node for node in drawn.nodes if node.id == "web")
    assert web.details == ("service web: 8080/TCP, routed",)
    assert [(edge.source, edge.target, edge.kind, edge.label) for edge in drawn.edges] == [
        ("ingress", "web", "route", "example.com :8080"),
        ("a", "web", "network", "API"),
        ("shared-service", "a", "selects", ""),
        ("shared-service", "b", "selects", ""),
    ]
    assert drawn.title == "A title (1 Service drawn in the workload it selects, to keep this large diagram quick to draw; unfold to draw every node)"


@needs_graphviz
def test_a_large_diagram_renders() -> None:
    drawn = diagram_of(_large_application(), "architecture", "PROD").diagram
    svg = render(to_dot(drawn), "svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert 'id="synthetic&#45;prod/workload/service0"' in svg
    assert "Services drawn in the workloads they select" in svg
