"""The generated NetworkPolicies, evaluated with Kubernetes' semantics (the evaluator in
security_support.py): every connection the architecture needs is allowed, and every other
pod-to-pod or pod-to-outside connection is denied. For both small examples, a generated larger
application, and external dependencies. The real applications' flows, taken from their original
manifests, are tested in test_real_applications.py.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Any

import pytest
from security_support import Pod, application_pods, connects

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.architecture.model import INGRESS, EnvironmentArchitecture
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.settings import Settings, parse_labels

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "bench"))
from synthetic import generate_application  # noqa: E402

PUBLIC_ADDRESS = "93.184.216.34"
PRIVATE_ADDRESS = "10.99.0.7"
UNUSED_PORT = 12345

EXTERNAL = """
application shop {
  environment PROD "shop.example.com"
  database orders postgres {
    storage 1Gi read-write at "/var/lib/postgresql/data"
  }
  component api {
    image "registry.example.com/api:1.0"
    port 8080
    env DB = orders.host
    connects to "https://api.stripe.com"
    connects to "10.8.0.0/16" on 5432
    connects to "192.168.4.4" on 53/udp
  }
  component worker {
    image "registry.example.com/worker:1.0"
    port 9000
    connects to "smtp.example.org" on 587
  }
  route www -> api:8080
}
"""


def architectures_of(text: str, settings: Settings) -> list[EnvironmentArchitecture]:
    analysis = analyze(text, "app.kon")
    assert not analysis.has_errors, [d.message for d in analysis.diagnostics if d.severity.value == "error"]
    return [
        build_architecture(application, environment, settings)
        for application in analysis.requirements.applications
        for environment in application.environments
    ]


def check_least_privilege(architecture: EnvironmentArchitecture, settings: Settings) -> int:
    passwords = {secret.state_key: "x" for secret in architecture.generated_secrets()}
    documents: list[dict[str, Any]] = manifests(architecture, passwords)  # type: ignore[assignment]
    policies = [document for document in documents if document["kind"] == "NetworkPolicy"]
    pods = application_pods(documents)
    by_name = {pod.name: pod for pod in pods}
    controller = Pod(
        "controller",
        settings.ingress_controller_namespace,
        parse_labels(settings.ingress_controller_labels) or (),
        "10.244.200.1",
        (),
    )
    dns = Pod("dns", settings.dns_namespace, parse_labels(settings.dns_labels) or (), "10.244.200.2", ((53, "UDP"), (53, "TCP")))
    stranger = Pod("stranger", "elsewhere", (("app.kubernetes.io/name", "backend"),), "10.244.200.3", ((8080, "TCP"),))

    needed: set[tuple[str, str, int, str]] = set()
    for flow in architecture.flows:
        source = "controller" if flow.source == INGRESS else flow.source
        needed.add((source, flow.target, flow.port, flow.protocol))
    for pod in pods:
        needed |= {(pod.name, "dns", 53, "UDP"), (pod.name, "dns", 53, "TCP")}
    external_addresses: dict[str, str] = {}
    for external in architecture.external_flows:
        if external.kind == "cidr":
            network = ipaddress.ip_network(external.address)
            address = str(next(network.hosts()) if network.num_addresses > 1 else network.network_address)
        else:
            address = PUBLIC_ADDRESS
        external_addresses[address] = address
        needed.add((external.source, address, external.port, external.protocol))

    destinations: list[Pod | str] = [*pods, dns, stranger, PUBLIC_ADDRESS, PRIVATE_ADDRESS, *external_addresses]
    candidate_ports = {(53, "UDP"), (53, "TCP"), (UNUSED_PORT, "TCP"), (443, "TCP")}
    candidate_ports |= {(port, protocol) for pod in pods for port, protocol in pod.ports}
    candidate_ports |= {(flow.port, flow.protocol) for flow in architecture.external_flows}
    checked = 0
    for source in [*pods, controller, stranger]:
        for destination in destinations:
            destination_name = destination.name if isinstance(destination, Pod) else destination
            if destination_name == source.name:
                continue
            for port, protocol in sorted(candidate_ports):
                if source.namespace != architecture.namespace and not isinstance(destination, Pod):
                    continue  # Outside the namespace, traffic to the internet is not ours to police.
                if source.namespace != architecture.namespace and destination_name in ("dns", "stranger"):
                    continue
                expected = (source.name, destination_name, port, protocol) in needed
                actual = connects(policies, source, destination, port, protocol)
                assert actual == expected, (
                    f"{architecture.environment}: {source.name} -> {destination_name}:{port}/{protocol} "
                    f"{'allowed' if actual else 'denied'}, expected {'allowed' if expected else 'denied'}"
                )
                checked += 1
    assert all(name in by_name or name in ("controller",) for name, *_ in needed)
    return checked


def least_privilege_checks_of(text: str, settings: Settings) -> int:
    """`check_least_privilege` over every environment of a file's first application: how many
    connections it checked."""
    application = analyze(text, "checked.kon").requirements.applications[0]
    return sum(
        check_least_privilege(build_architecture(application, environment, settings), settings)
        for environment in application.environments
    )


CASES = {
    "hello": (REPOSITORY / "examples" / "hello" / "hello.kon").read_text(encoding="utf-8"),
    "todo": (REPOSITORY / "examples" / "todo" / "todo.kon").read_text(encoding="utf-8"),
    "synthetic-40": generate_application(40),
    "external": EXTERNAL,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_only_the_needed_connections_are_allowed(case: str) -> None:
    settings = Settings()
    checked = 0
    for architecture in architectures_of(CASES[case], settings):
        checked += check_least_privilege(architecture, settings)
    assert checked > 0


def test_the_ingress_controller_is_a_setting() -> None:
    settings = Settings(
        ingress_class="nginx", ingress_controller_namespace="ingress-nginx",
        ingress_controller_labels="app.kubernetes.io/name=ingress-nginx",
    )
    for architecture in architectures_of(CASES["todo"], settings):
        check_least_privilege(architecture, settings)


def test_external_dependencies_reach_only_their_ports() -> None:
    (architecture,) = architectures_of(EXTERNAL, Settings())
    assert [(flow.source, flow.kind, flow.address, flow.port, flow.protocol) for flow in architecture.external_flows] == [
        ("api", "cidr", "10.8.0.0/16", 5432, "TCP"),
        ("api", "cidr", "192.168.4.4/32", 53, "UDP"),
        ("api", "host", "api.stripe.com", 443, "TCP"),
        ("worker", "host", "smtp.example.org", 587, "TCP"),
    ]


def test_no_policies_when_the_platform_turns_them_off() -> None:
    (architecture,) = architectures_of(EXTERNAL, Settings(network_policies=False))
    passwords = {secret.state_key: "x" for secret in architecture.generated_secrets()}
    assert not [d for d in manifests(architecture, passwords) if d["kind"] == "NetworkPolicy"]
