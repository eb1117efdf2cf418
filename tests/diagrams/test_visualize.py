"""`koncierge visualize` on real manifests nobody here wrote: the Sock Shop demo, read in place."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

import pytest

from koncierge_lang.diagrams import to_dot
from koncierge_lang.diagrams.kubernetes_view import kubernetes_diagram
from koncierge_lang.diagrams.manifests import read_manifests
from tests.diagrams.support import SOCK_SHOP
from tests.diagrams.test_cli import koncierge

SHOP = "k8s/sock-shop"
SERVICES = (
    "carts", "carts-db", "catalogue", "catalogue-db", "front-end", "orders", "orders-db",
    "payment", "queue-master", "rabbitmq", "session-db", "shipping", "user", "user-db",
)  # fmt: skip

BROKEN = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: sock-shop
data:
  level: debug
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  labels: [unclosed
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: gadget
  namespace: sock-shop
---
kind: List
items:
- apiVersion: v1
  kind: Secret
  metadata: {name: shop-token, namespace: sock-shop}
  data: {token: c2VjcmV0LXRva2VuLXZhbHVl}
"""


def test_sock_shop_is_drawn_with_its_references() -> None:
    read = read_manifests([str(SOCK_SHOP)])
    assert read.problems == [] and len(read.objects) == 29
    diagram = kubernetes_diagram(read.objects, "Sock Shop", read.problems)
    found = {(edge.source, edge.target, edge.kind) for edge in diagram.edges}
    for name in SERVICES:
        assert (f"{SHOP}/Service/{name}", f"{SHOP}/Deployment/{name}", "selects") in found
    assert ("outside", f"{SHOP}/Service/front-end", "route") in found
    assert {group.title for group in diagram.groups} == {"namespace sock-shop"}
    carts = diagram.locations()[f"{SHOP}/Deployment/carts"]
    assert carts.path is not None and carts.path.endswith("complete-demo.yaml") and carts.span.start_line == 7


def test_broken_document_is_reported_with_file_and_line_and_the_rest_drawn(tmp_path: Path) -> None:
    broken = tmp_path / "extra.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    read = read_manifests([str(SOCK_SHOP), str(broken)])
    assert [(problem.path, problem.line) for problem in read.problems] == [(str(broken), 14)]
    kinds = {(obj.manifest["kind"], obj.manifest["metadata"]["name"]) for obj in read.objects}
    assert {("ConfigMap", "settings"), ("Widget", "gadget"), ("Secret", "shop-token")} <= kinds
    assert len(read.objects) == 32
    diagram = kubernetes_diagram(read.objects, "Sock Shop", read.problems)
    widget = diagram.node(f"{SHOP}/Widget/gadget")
    assert widget is not None and widget.category == "object" and "example.com/v1" in widget.details
    problem = diagram.node("problem/1")
    assert problem is not None and "extra.yaml:14" in problem.details

    completed = koncierge("visualize", str(SOCK_SHOP), str(broken), "--format", "dot")
    assert completed.returncode == 1
    assert f"{broken}:14: broken YAML document" in completed.stderr.decode()
    dot = completed.stdout.decode()
    assert "Deployment/front-end" in dot and "Widget/gadget" in dot
    # Values of Secrets and of environment variables are never drawn.
    for value in ("c2VjcmV0LXRva2VuLXZhbHVl", "secret-token-value", "fake_password"):
        assert value not in dot
    assert "token" in dot  # the key's name is


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_visualize_writes_svg(tmp_path: Path) -> None:
    completed = koncierge("visualize", str(SOCK_SHOP), "-o", str(tmp_path / "shop.svg"))
    assert completed.returncode == 0, completed.stderr
    svg = html.unescape((tmp_path / "shop.svg").read_text(encoding="utf-8"))
    assert "Deployment front-end" in svg and "fake_password" not in svg


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    completed = koncierge("visualize", str(tmp_path / "nowhere"))
    assert completed.returncode == 2 and "no such file or directory" in completed.stderr.decode()
    completed = koncierge("visualize", str(tmp_path))
    assert completed.returncode == 2 and "no YAML files" in completed.stderr.decode()


def test_dot_is_the_same_on_every_run() -> None:
    read = read_manifests([str(SOCK_SHOP)])
    assert to_dot(kubernetes_diagram(read.objects, "x")) == to_dot(kubernetes_diagram(read_manifests([str(SOCK_SHOP)]).objects, "x"))
