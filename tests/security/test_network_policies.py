"""The generated NetworkPolicies, evaluated with Kubernetes' semantics (a small evaluator below):
every connection the architecture needs is allowed, and every other pod-to-pod or pod-to-outside
connection is denied. For both examples, a generated larger application, and external dependencies.

Semantics (https://kubernetes.io/docs/concepts/services-networking/network-policies/): a pod is
isolated for ingress (egress) when some policy of its namespace selects it with that policy type;
an isolated pod accepts only what one of the selecting policies' rules allows; a connection
succeeds when the source's egress and the destination's ingress both allow it. Pods outside the
application's namespace (the ingress controller, the DNS, a stranger) have no policies here.
"""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

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


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    ip: str
    ports: tuple[tuple[int, str], ...]


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert set(selector) <= {"matchLabels"}, "the evaluator knows matchLabels only"
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def peer_matches(peer: dict[str, Any], policy_namespace: str, destination: Pod | str) -> bool:
    if "ipBlock" in peer:
        address = ipaddress.ip_address(destination.ip if isinstance(destination, Pod) else destination)
        block = peer["ipBlock"]
        return address in ipaddress.ip_network(block["cidr"]) and not any(
            address in ipaddress.ip_network(excluded) for excluded in block.get("except", [])
        )
    if not isinstance(destination, Pod):
        return False  # Pod and namespace selectors never match addresses outside the cluster.
    if "namespaceSelector" in peer:
        namespace_labels = {"kubernetes.io/metadata.name": destination.namespace}
        if not selects(peer["namespaceSelector"], namespace_labels):
            return False
    elif destination.namespace != policy_namespace:
        return False
    return selects(peer.get("podSelector", {}), dict(destination.labels))


def port_matches(rule: dict[str, Any], port: int, protocol: str) -> bool:
    ports = rule.get("ports")
    if not ports:
        return True
    return any(item.get("port") == port and item.get("protocol", "TCP") == protocol for item in ports)


def allowed(policies: list[dict[str, Any]], pod: Pod, direction: str, peer: Pod | str, port: int, protocol: str) -> bool:
    policy_type, rules_key, peers_key = (
        ("Ingress", "ingress", "from") if direction == "ingress" else ("Egress", "egress", "to")
    )
    selecting = [
        policy
        for policy in policies
        if policy["metadata"]["namespace"] == pod.namespace
        and selects(policy["spec"]["podSelector"], dict(pod.labels))
        and policy_type in policy["spec"]["policyTypes"]
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get(rules_key, []):
            peers = rule.get(peers_key)
            if (not peers or any(peer_matches(item, pod.namespace, peer) for item in peers)) and port_matches(
                rule, port, protocol
            ):
                return True
    return False


def connects(policies: list[dict[str, Any]], source: Pod, destination: Pod | str, port: int, protocol: str) -> bool:
    if not allowed(policies, source, "egress", destination, port, protocol):
        return False
    if isinstance(destination, Pod):
        return allowed(policies, destination, "ingress", source, port, protocol)
    return True


def application_pods(documents: list[dict[str, Any]]) -> list[Pod]:
    pods = []
    for index, document in enumerate(documents):
        if document["kind"] in ("Deployment", "StatefulSet"):
            template = document["spec"]["template"]
        elif document["kind"] == "CronJob":
            template = document["spec"]["jobTemplate"]["spec"]["template"]
        else:
            continue
        container = template["spec"]["containers"][0]
        ports = tuple((port["containerPort"], port["protocol"]) for port in container.get("ports", []))
        pods.append(
            Pod(
                document["metadata"]["name"],
                document["metadata"]["namespace"],
                tuple(sorted(template["metadata"]["labels"].items())),
                f"10.244.{index // 250}.{index % 250 + 1}",
                ports,
            )
        )
    return pods


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
