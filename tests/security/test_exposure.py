"""`expose` (issue 13): a LoadBalancer Service of its own for exactly the exposed ports, and a
network policy that lets any address outside the cluster reach exactly those container ports of
the component, only in the environments named, evaluated with Kubernetes' semantics
(security_support.py)."""

from __future__ import annotations

from typing import Any

import pytest
from security_support import Pod, allowed, application_pods, connects, objects_of

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.commands.explain import network_table
from koncierge_lang.settings import Settings

BROKER = """
application shop {
  environment LOCAL "shop.test"
  environment PERF like PROD "perf.shop.example.com"
  environment PROD "shop.example.com"

  component broker {
    image "registry.example.com/broker:1.0"
    port amqp 5672
    port stomp 61613
    port admin 80 -> 15672
    expose stomp
    expose 80 in PROD, PERF
  }

  component api {
    image "registry.example.com/api:1.0"
    port grpc 50051
    port metrics 9090
    env BROKER = "${broker.host}:${broker.amqp}"
    expose grpc in PROD
  }
}
"""

OUTSIDE_ADDRESSES = ("93.184.216.34", "2001:db8::7")


def documents(environment: str) -> list[dict[str, Any]]:
    return objects_of(BROKER, environment)


def policies(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in objects if item["kind"] == "NetworkPolicy"]


def pod(objects: list[dict[str, Any]], name: str) -> Pod:
    return next(item for item in application_pods(objects) if item.name == name)


def public_services(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["metadata"]["name"]: item for item in objects if item["kind"] == "Service" and item["spec"]["type"] == "LoadBalancer"}


def reachable_from_outside(objects: list[dict[str, Any]], name: str) -> set[int]:
    """The container ports of `name` that every outside address (IPv4 and IPv6) may reach."""
    target = pod(objects, name)
    return {
        port
        for port, protocol in target.ports
        if all(allowed(policies(objects), target, "ingress", address, port, protocol) for address in OUTSIDE_ADDRESSES)
    }


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ("LOCAL", {"broker-public": [("stomp", 61613)]}),
        ("PERF", {"broker-public": [("stomp", 61613), ("admin", 80)]}),
        ("PROD", {"broker-public": [("stomp", 61613), ("admin", 80)], "api-public": [("grpc", 50051)]}),
    ],
)
def test_a_load_balancer_for_exactly_the_exposed_ports(environment: str, expected: dict[str, list[tuple[str, int]]]) -> None:
    objects = documents(environment)
    services = public_services(objects)
    assert {name: [(port["name"], port["port"]) for port in service["spec"]["ports"]] for name, service in services.items()} == expected
    for name, service in services.items():
        workload = name.removesuffix("-public")
        assert service["spec"]["selector"]["app.kubernetes.io/name"] == workload
        # The component's own Service stays inside the cluster, with all its ports.
        own = next(item for item in objects if item["kind"] == "Service" and item["metadata"]["name"] == workload)
        assert own["spec"]["type"] == "ClusterIP"


@pytest.mark.parametrize(
    ("environment", "broker_ports", "api_ports"),
    [("LOCAL", {61613}, set()), ("PERF", {61613, 15672}, set()), ("PROD", {61613, 15672}, {50051})],
)
def test_the_outside_reaches_exactly_the_exposed_container_ports(
    environment: str, broker_ports: set[int], api_ports: set[int]
) -> None:
    objects = documents(environment)
    # The published admin port is 80 on the Service and 15672 on the pod: the policy allows the pod's.
    assert reachable_from_outside(objects, "broker") == broker_ports
    assert reachable_from_outside(objects, "api") == api_ports
    target = pod(objects, "broker")
    for address in OUTSIDE_ADDRESSES:
        assert not allowed(policies(objects), target, "ingress", address, 5672, "TCP")
        assert not allowed(policies(objects), target, "ingress", address, 61613, "UDP")


def test_exposure_opens_nothing_else() -> None:
    objects = documents("PROD")
    broker, api = pod(objects, "broker"), pod(objects, "api")
    # The connection the value names still works, and only that one between the two.
    assert connects(policies(objects), api, broker, 5672, "TCP")
    assert not connects(policies(objects), broker, api, 50051, "TCP")
    # Exposed pods reach nothing outside the cluster that they did not declare.
    assert not connects(policies(objects), broker, OUTSIDE_ADDRESSES[0], 61613, "TCP")


def test_explain_network_shows_a_row_from_anywhere() -> None:
    application = analyze(BROKER, "shop.kon").requirements.applications[0]
    prod = next(environment for environment in application.environments if environment.name == "PROD")
    rows = network_table(build_architecture(application, prod, Settings()))
    assert ("anywhere (any address)", "api", "50051/TCP", "expose grpc") in rows
    assert ("anywhere (any address)", "broker", "15672/TCP", "expose admin") in rows
    assert not any(row[0].startswith("anywhere") and row[1] == "api" and row[2] == "9090/TCP" for row in rows)


def test_without_network_policies_the_load_balancer_is_still_made() -> None:
    objects = objects_of(BROKER, "PROD", Settings(network_policies=False))
    assert set(public_services(objects)) == {"broker-public", "api-public"}
    assert not policies(objects)
