"""Shapes, colours and line styles: one table for the three views, so that a component, a Service
and a ConfigMap look the same whether they are drawn from the requirements, the architecture or
the Kubernetes objects. The legend is drawn from these tables too.

Colours are light fills with dark text, readable on paper and in dark editor themes (the SVG has
a white background). Implied things (a backup the requirements did not state) are dashed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    shape: str
    fill: str
    border: str
    legend: str
    rounded: bool = False


CATEGORIES: dict[str, Category] = {
    "application": Category("tab", "#f3f4f6", "#374151", "application"),
    "environment": Category("folder", "#e0e7ff", "#3730a3", "environment / namespace"),
    "internet": Category("oval", "#ffffff", "#111827", "outside (the internet)"),
    "route": Category("cds", "#ccfbf1", "#0f766e", "route"),
    "ingress": Category("invhouse", "#99f6e4", "#0f766e", "ingress (HTTP entry)"),
    "issuer": Category("hexagon", "#fed7aa", "#c2410c", "certificate issuer"),
    "service": Category("ellipse", "#dcfce7", "#15803d", "service (stable address)"),
    "workload": Category("box", "#dbeafe", "#1d4ed8", "component / workload", rounded=True),
    "database": Category("cylinder", "#fde68a", "#b45309", "database / stateful workload"),
    "job": Category("component", "#e5e7eb", "#4b5563", "scheduled job"),
    "configuration": Category("note", "#fef9c3", "#a16207", "configuration (values, ConfigMap)"),
    "secret": Category("note", "#fecaca", "#b91c1c", "secret (names only, never values)"),
    "storage": Category("box3d", "#ede9fe", "#6d28d9", "storage (volume, claim)"),
    "policy": Category("octagon", "#f3f4f6", "#1f2937", "network policy"),
    "object": Category("box", "#ffffff", "#6b7280", "other object"),
    "problem": Category("box", "#fee2e2", "#dc2626", "unreadable document"),
}


@dataclass(frozen=True, slots=True)
class EdgeKind:
    color: str
    legend: str
    penwidth: float = 1.0
    arrowhead: str = "normal"


EDGE_KINDS: dict[str, EdgeKind] = {
    "route": EdgeKind("#0f766e", "routes HTTP to", 1.6),
    "network": EdgeKind("#1d4ed8", "may connect to (port)", 1.6),
    "selects": EdgeKind("#15803d", "selects pods of"),
    "configuration": EdgeKind("#a16207", "gives configuration to"),
    "secret": EdgeKind("#b91c1c", "gives secrets to"),
    "storage": EdgeKind("#6d28d9", "mounts (read-write / read-only)"),
    "reference": EdgeKind("#6b7280", "refers to", arrowhead="vee"),
    "promotion": EdgeKind("#3730a3", "releases are promoted to", 1.2, arrowhead="empty"),
    "certificate": EdgeKind("#c2410c", "issues certificates for"),
    "policy": EdgeKind("#1f2937", "network policy", 1.2, arrowhead="diamond"),
}

IMPLIED_LEGEND = "dashed: implied (made by Koncierge or a controller) or not among the drawn files"
FONT = "Helvetica"
