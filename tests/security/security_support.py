"""Shared by the security tests: the generated objects of a `.kon` text in one environment, the
pod specifications among them, and a small NetworkPolicy evaluator.

The evaluator follows Kubernetes' semantics
(https://kubernetes.io/docs/concepts/services-networking/network-policies/): a pod is isolated for
ingress (egress) when some policy of its namespace selects it with that policy type; an isolated
pod accepts only what one of the selecting policies' rules allows, port and protocol included (a
named port in a rule is the destination pod's container port of that name); a connection succeeds
when the source's egress and the destination's ingress both allow it. Pods outside the
application's namespace (the ingress controller, the DNS, a stranger) have no policies here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.settings import Settings


def objects_of(source: str, environment: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    """The manifests of the first application of `source` in `environment` (generated passwords
    are a fixed placeholder)."""
    application = analyze(source, "test.kon").requirements.applications[0]
    chosen = next(item for item in application.environments if item.name == environment)
    architecture = build_architecture(application, chosen, settings or Settings())
    return manifests(architecture, {secret.state_key: "x" for secret in architecture.generated_secrets()})  # type: ignore[return-value]


def pod_specs(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Workload name -> its pod specification, for Deployments, StatefulSets and CronJobs."""
    found = {}
    for document in documents:
        if document["kind"] in ("Deployment", "StatefulSet"):
            found[document["metadata"]["name"]] = document["spec"]["template"]["spec"]
        elif document["kind"] == "CronJob":
            found[document["metadata"]["name"]] = document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return found


@dataclass(frozen=True)
class Pod:
    name: str
    namespace: str
    labels: tuple[tuple[str, str], ...]
    ip: str
    ports: tuple[tuple[int, str], ...]
    # (name, number, protocol) of the container ports that have a name.
    named_ports: tuple[tuple[str, int, str], ...] = ()


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


def port_matches(rule: dict[str, Any], port: int, protocol: str, destination: Pod | str) -> bool:
    """Whether the rule's ports admit `port`/`protocol` on `destination`: a number is compared
    directly, a name is the destination pod's container port of that name (never an address
    outside the cluster)."""
    ports = rule.get("ports")
    if not ports:
        return True
    for item in ports:
        if item.get("protocol", "TCP") != protocol:
            continue
        wanted = item.get("port")
        if wanted is None:
            return True  # A protocol without a port admits every port.
        if isinstance(wanted, str):
            if isinstance(destination, Pod) and any(
                name == wanted and number == port and named_protocol == protocol
                for name, number, named_protocol in destination.named_ports
            ):
                return True
        elif wanted == port:
            return True
    return False


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
    destination = pod if direction == "ingress" else peer
    for policy in selecting:
        for rule in policy["spec"].get(rules_key, []):
            peers = rule.get(peers_key)
            if (not peers or any(peer_matches(item, pod.namespace, peer) for item in peers)) and port_matches(
                rule, port, protocol, destination
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
        named_ports = tuple(
            (port["name"], port["containerPort"], port["protocol"]) for port in container.get("ports", []) if "name" in port
        )
        pods.append(
            Pod(
                document["metadata"]["name"],
                document["metadata"]["namespace"],
                tuple(sorted(template["metadata"]["labels"].items())),
                f"10.244.{index // 250}.{index % 250 + 1}",
                ports,
                named_ports,
            )
        )
    return pods
