"""Shapes, colours, line styles and type sizes: one table for the three views, so that a component,
a Service and a ConfigMap look the same whether they are drawn from the requirements, the
architecture or the Kubernetes objects. The legend is made from these tables too
(`koncierge_lang.diagrams.legend`).

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
    """A word or two for the legend strip."""
    meaning: str
    """What it stands for, in a sentence: the legend's tooltip in the editor."""
    rounded: bool = False


CATEGORIES: dict[str, Category] = {
    "application": Category("tab", "#f3f4f6", "#374151", "application", "an application"),
    "environment": Category("folder", "#e0e7ff", "#3730a3", "environment", "an environment or namespace"),
    "internet": Category("oval", "#ffffff", "#111827", "outside", "the outside world: the internet"),
    "route": Category("cds", "#ccfbf1", "#0f766e", "route", "a route: a public address that leads to a component"),
    "ingress": Category("invhouse", "#99f6e4", "#0f766e", "ingress", "the ingress: the HTTP entry from outside"),
    "issuer": Category("hexagon", "#fed7aa", "#c2410c", "certificate issuer", "the issuer of the TLS certificates"),
    "service": Category("ellipse", "#dcfce7", "#15803d", "service", "a service: the stable address of a workload's pods"),
    "workload": Category("box", "#dbeafe", "#1d4ed8", "workload", "a component or workload (Deployment)", rounded=True),
    "database": Category("cylinder", "#fde68a", "#b45309", "database", "a database or stateful workload (StatefulSet)"),
    "job": Category("component", "#e5e7eb", "#4b5563", "scheduled job", "a scheduled job (CronJob)"),
    "configuration": Category("note", "#fef9c3", "#a16207", "configuration", "configuration: values, a ConfigMap"),
    "secret": Category("note", "#fecaca", "#b91c1c", "secret", "secrets: drawn by name only, never their values"),
    "storage": Category("box3d", "#ede9fe", "#6d28d9", "storage", "storage: a volume or a claim"),
    "policy": Category("octagon", "#f3f4f6", "#1f2937", "network policy", "a network policy"),
    "object": Category("box", "#ffffff", "#6b7280", "other object", "any other kind of object"),
    "problem": Category("box", "#fee2e2", "#dc2626", "unreadable document", "a document that could not be read"),
}


@dataclass(frozen=True, slots=True)
class EdgeKind:
    color: str
    legend: str
    meaning: str
    penwidth: float = 1.0
    arrowhead: str = "normal"


EDGE_KINDS: dict[str, EdgeKind] = {
    "route": EdgeKind("#0f766e", "routes HTTP", "routes HTTP requests to", 1.6),
    "network": EdgeKind("#1d4ed8", "may connect", "may connect to, on the port written beside the line", 1.6),
    "selects": EdgeKind("#15803d", "selects pods", "a service selects the pods of"),
    "configuration": EdgeKind("#a16207", "configuration", "gives configuration to"),
    "secret": EdgeKind("#b91c1c", "secrets", "gives secrets to"),
    "storage": EdgeKind("#6d28d9", "mounts", "mounts (read-write or read-only, at the path beside the line)"),
    "reference": EdgeKind("#6b7280", "refers to", "refers to", arrowhead="vee"),
    "promotion": EdgeKind("#3730a3", "promoted to", "releases are promoted to", 1.2, arrowhead="empty"),
    "certificate": EdgeKind("#c2410c", "certificates", "issues certificates for"),
    "policy": EdgeKind("#1f2937", "network policy", "a network policy applies to", 1.2, arrowhead="diamond"),
}

IMPLIED_LEGEND = "dashed: implied"
IMPLIED_MEANING = "implied: made by Koncierge or a controller without being asked, or not among the drawn objects"
FONT = "Helvetica"
NODE_FONT_SIZE = 12
"""Type sizes in points, which are pixels at scale 1. Every text is at least the edges' size, so
that the smallest text of a drawing fitted into a pane is the edges' labels (docs/diagrams.md)."""
EDGE_FONT_SIZE = 11
GROUP_FONT_SIZE = 12
TITLE_FONT_SIZE = 14
