"""Ports from the statement to every object that carries them: UDP stays UDP, and 1 to 65535 is the range.

Seeded one-line compiler bugs (Service and container ports forced to TCP, a port limit of 65536)
survived the whole suite before these tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from compiler_support import KUBERNETES_VERSION, by_kind, documents

from koncierge_lang.analysis import analyze

DNS_APPLICATION = """\
application resolver {
  environment LOCAL "resolver.test"
  environment PROD "resolver.example.com"

  component dns {
    image "coredns/coredns:1.11.3"
    port dns 53/udp
    port metrics 9153
    port highest 65535
  }

  component client {
    image "busybox:1.36"
    port 8080
    env RESOLVER = dns.host
  }
}
"""


def _objects(tmp_path: Path, environment: str) -> list[dict[str, Any]]:
    path = tmp_path / "resolver.kon"
    path.write_text(DNS_APPLICATION, encoding="utf-8")
    return documents(path, environment)


@pytest.mark.parametrize("environment", ["LOCAL", "PROD"])
def test_a_udp_port_is_udp_in_the_service_the_container_and_the_policy(tmp_path: Path, environment: str) -> None:
    objects = _objects(tmp_path, environment)
    for item in objects:
        kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)
    service = by_kind(objects, "Service")["dns"]
    assert {(port["name"], port["port"], port["protocol"]) for port in service["spec"]["ports"]} == {
        ("dns", 53, "UDP"),
        ("metrics", 9153, "TCP"),
        ("highest", 65535, "TCP"),
    }
    workload = by_kind(objects, "Deployment")["dns"]
    (container,) = workload["spec"]["template"]["spec"]["containers"]
    assert {(port["containerPort"], port["protocol"]) for port in container["ports"]} == {
        (53, "UDP"),
        (9153, "TCP"),
        (65535, "TCP"),
    }
    # `client` refers to `dns.host`: the policy lets it reach every port of `dns`, UDP as UDP.
    policy = by_kind(objects, "NetworkPolicy")["dns"]
    allowed = {
        (port["port"], port["protocol"])
        for rule in policy["spec"]["ingress"]
        for port in rule.get("ports", [])
    }
    assert (53, "UDP") in allowed and (53, "TCP") not in allowed


@pytest.mark.parametrize(
    ("number", "accepted"),
    [("1", True), ("65535", True), ("0", False), ("65536", False), ("70000", False)],
)
@pytest.mark.parametrize("statement", ["port", "connects to"])
def test_ports_are_whole_numbers_from_1_to_65535(statement: str, number: str, accepted: bool) -> None:
    if statement == "port":
        text = DNS_APPLICATION.replace("port highest 65535", f"port highest {number}")
    else:
        text = DNS_APPLICATION.replace("port 8080", f'port 8080\n    connects to "upstream.example.org" on {number}')
    codes = [diagnostic.code for diagnostic in analyze(text, "resolver.kon").diagnostics if diagnostic.severity.value == "error"]
    assert (codes == []) is accepted, codes
    if not accepted:
        assert codes == ["KON201"]
