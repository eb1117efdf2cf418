"""The kubernetes view: Kubernetes objects grouped by namespace, with their references.

It reads plain manifest dictionaries, so the same drawing serves the manifests Koncierge generates
(`generated_kubernetes_diagram`) and hand-written YAML read by `koncierge_lang.diagrams.manifests`
(`koncierge visualize`). It trusts nothing about its input: any kind, missing fields and wrong
types are drawn as far as they make sense, and an unknown kind is a plain box.

References drawn: ConfigMap / Secret -> the workloads that read them (environment, `envFrom`,
volumes, image pull secrets), workload -> claim (with mount paths), Service -> the workloads
whose pod labels its selector matches, Ingress -> Service (and TLS Secret), Issuer -> Ingress
(cert-manager annotations), NetworkPolicy -> the pods it protects and the pods it lets in or out
(pods of other namespaces, such as the ingress controller and the cluster DNS, as dashed nodes;
address blocks as the outside),
PersistentVolume -> claim, claim -> StorageClass, autoscaler and disruption budget -> workload,
ServiceAccount -> the workloads that run as it.
A reference to an object that is not among the input is drawn dashed ("not among these objects").

Folded (the default), what belongs to one workload is listed in it instead: the ConfigMaps,
Secrets and ServiceAccount it uses (an Ingress, its TLS Secret), and a NetworkPolicy that selects
only its pods, whose rules are then lines to and from the workload itself; a Namespace object is
its group's box. `unfold` draws every object as a node.

Invariant: only the names of Secret keys are read, never `data` or `stringData` values, nor
container environment values, arguments or annotations (which can hold secrets too).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from koncierge_lang.diagrams.model import (
    NOT_AMONG,
    SHARED_BY,
    Diagram,
    DiagramBuilder,
    Edge,
    Group,
    Location,
    Node,
    Problem,
    listed,
    make_id,
    short_image,
)
from koncierge_lang.source import Span

_MAX_DETAILS = 6
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "Pod"})
CLUSTER_SCOPED_KINDS = frozenset(
    {
        "Namespace",
        "Node",
        "PersistentVolume",
        "StorageClass",
        "ClusterIssuer",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "IngressClass",
        "PriorityClass",
        "RuntimeClass",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "APIService",
        "CSIDriver",
        "VolumeSnapshotClass",
    }
)
_CATEGORIES = {
    "Namespace": "environment",
    "Deployment": "workload",
    "DaemonSet": "workload",
    "ReplicaSet": "workload",
    "ReplicationController": "workload",
    "Pod": "workload",
    "StatefulSet": "database",
    "Job": "job",
    "CronJob": "job",
    "Service": "service",
    "ConfigMap": "configuration",
    "Secret": "secret",
    "PersistentVolumeClaim": "storage",
    "PersistentVolume": "storage",
    "StorageClass": "storage",
    "Ingress": "ingress",
    "Gateway": "ingress",
    "HTTPRoute": "route",
    "Issuer": "issuer",
    "ClusterIssuer": "issuer",
    "Certificate": "issuer",
    "NetworkPolicy": "policy",
}
CLUSTER_WIDE = "(cluster-wide)"
NO_NAMESPACE = "(no namespace: the current one)"


@dataclass(frozen=True, slots=True)
class KubernetesObject:
    """One manifest and where it came from."""

    manifest: Mapping[str, Any]
    location: Location | None = field(default=None, compare=False)
    # Made by Koncierge without being asked (a database's backup): drawn dashed.
    implied: bool = False


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _limited(lines: list[str]) -> tuple[str, ...]:
    if len(lines) > _MAX_DETAILS:
        lines = lines[: _MAX_DETAILS - 1] + [f"… {len(lines) - _MAX_DETAILS + 1} more"]
    return tuple(lines)


def _namespace_of(manifest: Mapping[str, Any]) -> str:
    kind = _str(manifest.get("kind"))
    metadata = _dict(manifest.get("metadata"))
    if kind == "Namespace":
        return _str(metadata.get("name")) or NO_NAMESPACE
    if kind in CLUSTER_SCOPED_KINDS:
        return CLUSTER_WIDE
    return _str(metadata.get("namespace")) or NO_NAMESPACE


def object_id(namespace: str, kind: str, name: str) -> str:
    return make_id("k8s", namespace, kind, name)


def pod_template(manifest: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """(pod labels, pod spec) of a workload of any kind, empty when there is none."""
    kind = _str(manifest.get("kind"))
    spec = _dict(manifest.get("spec"))
    if kind == "Pod":
        return _dict(_dict(manifest.get("metadata")).get("labels")), spec
    if kind == "CronJob":
        spec = _dict(_dict(spec.get("jobTemplate")).get("spec"))
    template = _dict(spec.get("template"))
    return _dict(_dict(template.get("metadata")).get("labels")), _dict(template.get("spec"))


def _containers(pod_spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [_dict(item) for item in _list(pod_spec.get("initContainers")) + _list(pod_spec.get("containers"))]


def _matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    """A label selector (plain map or `matchLabels`/`matchExpressions`) against labels."""
    if "matchLabels" in selector or "matchExpressions" in selector:
        match_labels = _dict(selector.get("matchLabels"))
        expressions = [_dict(item) for item in _list(selector.get("matchExpressions"))]
    else:
        match_labels, expressions = selector, []
    if not match_labels and not expressions:
        return False
    if any(_str(labels.get(key)) != _str(value) or key not in labels for key, value in match_labels.items()):
        return False
    for expression in expressions:
        key = _str(expression.get("key"))
        operator = _str(expression.get("operator"))
        values = {_str(value) for value in _list(expression.get("values"))}
        present = key in labels
        if operator == "In" and not (present and _str(labels.get(key)) in values):
            return False
        if operator == "NotIn" and present and _str(labels.get(key)) in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _details(manifest: Mapping[str, Any]) -> tuple[str, ...]:
    kind = _str(manifest.get("kind"))
    spec = _dict(manifest.get("spec"))
    lines: list[str] = []
    if kind in WORKLOAD_KINDS:
        _, pod_spec = pod_template(manifest)
        containers = _dict_list(pod_spec.get("containers"))
        lines.extend(short_image(_str(container.get("image"))) for container in containers[:1] if container.get("image"))
        # The pod's other containers by name: sidecars beside the first, init containers before it.
        lines.extend(
            f"{kind} {_str(container.get('name'))} ({short_image(_str(container.get('image')))})"
            for kind, listed_containers in (("init", _dict_list(pod_spec.get("initContainers"))), ("sidecar", containers[1:]))
            for container in listed_containers
        )
        if kind == "CronJob" and spec.get("schedule"):
            lines.append(f"schedule {_str(spec.get('schedule'))}")
        elif "replicas" in spec:
            lines.append(f"replicas {_str(spec.get('replicas'))}")
    elif kind == "Service":
        ports = []
        for port in _dict_list(spec.get("ports")):
            target = port.get("targetPort")
            text = _str(port.get("port")) + (f"→{_str(target)}" if target not in (None, port.get("port")) else "")
            if port.get("nodePort"):
                text += f" (node {_str(port.get('nodePort'))})"
            if _str(port.get("protocol")) not in ("", "TCP"):
                text += "/" + _str(port.get("protocol"))
            ports.append(text)
        # The type only when it is not the default: a ClusterIP service is the common case.
        service_type = _str(spec.get("type"))
        words = ([service_type] if service_type not in ("", "ClusterIP") else []) + (["ports " + ", ".join(ports)] if ports else [])
        lines.extend([", ".join(words)] if words else [])
    elif kind in ("ConfigMap", "Secret"):
        # Key names only: for a Secret the values are exactly what must never be shown.
        keys = sorted({_str(key) for section in ("data", "stringData", "binaryData") for key in _dict(manifest.get(section))})
        if kind == "Secret" and manifest.get("type"):
            lines.append(_str(manifest.get("type")))
        lines.extend(keys)
    elif kind == "PersistentVolumeClaim":
        size = _str(_dict(_dict(spec.get("resources")).get("requests")).get("storage"))
        modes = ", ".join(_str(mode) for mode in _list(spec.get("accessModes")))
        lines.append(", ".join(part for part in (size, modes) if part))
    elif kind == "PersistentVolume":
        lines.append(_str(_dict(spec.get("capacity")).get("storage")))
    elif kind == "Ingress":
        if spec.get("ingressClassName"):
            lines.append(f"class {_str(spec.get('ingressClassName'))}")
        hosts = list(dict.fromkeys(_str(rule.get("host")) for rule in _dict_list(spec.get("rules")) if rule.get("host")))
        tls_hosts = [_str(host) for tls in _dict_list(spec.get("tls")) for host in _list(tls.get("hosts"))]
        if hosts and sorted(hosts) == sorted(set(tls_hosts)):
            lines.extend(listed("TLS for", hosts, separator=""))
        else:
            lines.extend(listed("hosts", hosts, separator="") if hosts else ())
            lines.extend(listed("TLS for", tls_hosts, separator="") if tls_hosts else ())
    elif kind in ("Issuer", "ClusterIssuer"):
        acme = _dict(spec.get("acme"))
        if acme:
            lines.append("ACME " + _str(acme.get("server")).split("//", 1)[-1].split("/", 1)[0])
    elif kind not in _CATEGORIES:
        lines.append(_str(manifest.get("apiVersion")))
    return _limited([line for line in lines if line])


def _dict_list(value: object) -> list[Mapping[str, Any]]:
    return [item for item in _list(value) if isinstance(item, Mapping)]


def kubernetes_diagram(
    objects: Sequence[KubernetesObject],
    title: str,
    problems: Sequence[Problem] = (),
    unfold: bool = False,
    namespace_notes: Mapping[str, str] | None = None,
) -> Diagram:
    """The objects grouped by namespace, with their references. The ConfigMaps, Secrets and
    ServiceAccounts that workloads (and ingresses, for TLS) use are listed in those workloads
    (`Secret backend-secrets: DB_PASSWORD, DB_USERNAME`), or drawn as nodes of their own with
    `unfold`; one that nothing uses is always drawn. Likewise a NetworkPolicy of one workload (its
    rules become lines to and from the workload), and a Namespace object, which is its group's box
    unless nothing else is in it. `namespace_notes` adds a second line to a namespace's box (the
    environment's profile, for generated objects)."""
    builder = DiagramBuilder("kubernetes", title)
    notes = namespace_notes or {}
    builder.problems.extend(problems)
    if problems:
        problems_group = builder.group(Group("problems", "documents that could not be read"))
        for number, problem in enumerate(problems, 1):
            builder.node(
                Node(
                    make_id("problem", str(number)),
                    "problem",
                    "unreadable document",
                    (f"{os.path.basename(problem.path)}:{problem.line}", problem.message),
                    group=problems_group,
                    location=Location(Span(problem.line, 1, problem.line, 1), problem.path),
                )
            )
    namespaces: list[str] = []
    index: dict[tuple[str, str, str], str] = {}
    drawn_ids: set[str] = set()
    entries: list[tuple[KubernetesObject, str, str, str, str]] = []

    def group_of(namespace: str) -> str:
        if namespace not in namespaces:
            namespaces.append(namespace)
            title = namespace if namespace in (CLUSTER_WIDE, NO_NAMESPACE) else f"namespace {namespace}"
            if namespace in notes:
                title += f"\n{notes[namespace]}"
            builder.group(Group(make_id("namespace", namespace), title))
        return make_id("namespace", namespace)

    for item in objects:
        manifest = item.manifest
        kind = _str(manifest.get("kind")) or "(no kind)"
        name = _str(_dict(manifest.get("metadata")).get("name")) or _str(_dict(manifest.get("metadata")).get("generateName")) or "(no name)"
        namespace = _namespace_of(manifest)
        node_id = object_id(namespace, kind, name)
        if node_id in drawn_ids:
            continue
        drawn_ids.add(node_id)
        index[(namespace, kind, name)] = node_id
        entries.append((item, kind, name, namespace, node_id))
        builder.node(
            Node(
                node_id,
                _CATEGORIES.get(kind, "object"),
                f"{kind} {name}",
                _details(manifest),
                group=group_of(namespace),
                implied=item.implied,
                location=item.location,
            )
        )

    def target(namespace: str, kind: str, name: str, category: str) -> str:
        """The node of a referenced object, drawn dashed when it is not among the objects."""
        key = (namespace, kind, name)
        if key not in index:
            index[key] = object_id(namespace, kind, name)
            builder.node(
                Node(index[key], category, f"{kind} {name}", (NOT_AMONG,), group=group_of(namespace), implied=True)
            )
        return index[key]

    folded: set[str] = set()

    def configure(user: str, namespace: str, kind: str, name: str, uses: list[str], line_label: str = "") -> None:
        """A ConfigMap, Secret or ServiceAccount that `user` takes: a line from it, or, folded, a
        line in the user's details (`ConfigMap backend-config: DB_HOST, DB_NAME`)."""
        if unfold:
            edge_kind = {"ConfigMap": "configuration", "Secret": "secret"}.get(kind, "reference")
            source = target(namespace, kind, name, _CATEGORIES.get(kind, "object"))
            builder.edge(Edge(source, user, edge_kind, _uses(uses) if uses else line_label))
            return
        present = index.get((namespace, kind, name))
        if present is not None:
            folded.add(present)
        heading = f"{kind} {name}" + ("" if present is not None else f" ({NOT_AMONG})")
        builder.add_details(user, *(listed(heading, list(dict.fromkeys(uses))) if uses else (heading,)))

    pods: list[tuple[str, str, Mapping[str, Any]]] = []
    for item, kind, _name, namespace, node_id in entries:
        if kind in WORKLOAD_KINDS:
            labels, _ = pod_template(item.manifest)
            pods.append((namespace, node_id, labels))

    # Claims that many workloads mount: listed in the workloads' details, without a line to each.
    claim_users: dict[tuple[str, str], int] = {}
    for item, kind, _name, namespace, _node_id in entries:
        if kind in WORKLOAD_KINDS:
            _, pod_spec = pod_template(item.manifest)
            claimed = {_str(_dict(volume.get("persistentVolumeClaim")).get("claimName")) for volume in _dict_list(pod_spec.get("volumes"))}
            for claim_name in claimed - {""}:
                claim_users[(namespace, claim_name)] = claim_users.get((namespace, claim_name), 0) + 1
    shared_claims = {key for key, users in claim_users.items() if users > SHARED_BY}
    for claim_namespace, claim_name in sorted(shared_claims):
        builder.add_details(
            target(claim_namespace, "PersistentVolumeClaim", claim_name, "storage"),
            f"mounted by {claim_users[(claim_namespace, claim_name)]} workloads (in their details)",
        )

    # The pods of each (namespace, label, value), in order: a selector's candidates are the pods
    # with the rarest of its labels, instead of every pod (a service per workload, a policy per
    # workload: otherwise quadratic in a large application).
    pods_with_label: dict[tuple[str, str, str], list[tuple[str, str, Mapping[str, Any]]]] = {}
    for pod in pods:
        for key, value in pod[2].items():
            pods_with_label.setdefault((pod[0], _str(key), _str(value)), []).append(pod)

    def matching(namespace: str, selector: Mapping[str, Any]) -> list[str]:
        plain = _dict(selector.get("matchLabels")) if "matchLabels" in selector or "matchExpressions" in selector else selector
        candidates: Sequence[tuple[str, str, Mapping[str, Any]]] = pods
        if plain:
            candidates = min(
                (pods_with_label.get((namespace, _str(key), _str(value)), []) for key, value in plain.items()), key=len
            )
        return [node_id for pod_namespace, node_id, labels in candidates if pod_namespace == namespace and _matches(selector, labels)]

    outside: list[str] = []
    # Pods of other namespaces named by network policies -> (policy, direction, label) of each rule.
    peer_policies: dict[str, list[tuple[str, str, str]]] = {}
    peer_namespaces: dict[str, str] = {}

    def outside_node() -> str:
        if not outside:
            outside.append(builder.node(Node("outside", "internet", "outside")))
        return outside[0]

    for item, kind, name, namespace, node_id in entries:
        manifest = item.manifest
        spec = _dict(manifest.get("spec"))
        metadata = _dict(manifest.get("metadata"))
        if kind in WORKLOAD_KINDS:
            _pod_references(builder, manifest, namespace, node_id, target, configure, shared_claims)
        elif kind == "Service":
            selector = _dict(spec.get("selector"))
            for workload in matching(namespace, selector):
                builder.edge(Edge(node_id, workload, "selects"))
            service_type = _str(spec.get("type"))
            if service_type in ("NodePort", "LoadBalancer"):
                builder.edge(Edge(outside_node(), node_id, "route", service_type))
        elif kind == "Ingress":
            builder.edge(Edge(outside_node(), node_id, "route", "HTTPS" if spec.get("tls") else "HTTP"))
            default = _dict(spec.get("defaultBackend")) or _dict(spec.get("backend"))
            backends: list[tuple[str, Mapping[str, Any]]] = [("(default)", default)] if default else []
            for rule in _dict_list(spec.get("rules")):
                for path in _dict_list(_dict(rule.get("http")).get("paths")):
                    where = _str(rule.get("host")) + ("" if _str(path.get("path")) in ("", "/") else _str(path.get("path")))
                    backends.append((where or "*", _dict(path.get("backend"))))
            for where, backend in backends:
                service = _dict(backend.get("service"))
                service_name = _str(service.get("name")) or _str(backend.get("serviceName"))
                port = _dict(service.get("port"))
                port_text = _str(port.get("number") or port.get("name") or backend.get("servicePort"))
                if service_name:
                    builder.edge(
                        Edge(node_id, target(namespace, "Service", service_name, "service"), "route", f"{where} :{port_text}".strip())
                    )
            for tls in _dict_list(spec.get("tls")):
                if tls.get("secretName"):
                    configure(node_id, namespace, "Secret", _str(tls.get("secretName")), ["TLS"])
            annotations = _dict(metadata.get("annotations"))
            if annotations.get("cert-manager.io/issuer"):
                issuer = target(namespace, "Issuer", _str(annotations.get("cert-manager.io/issuer")), "issuer")
                builder.edge(Edge(issuer, node_id, "certificate", "certificates"))
            if annotations.get("cert-manager.io/cluster-issuer"):
                issuer = target(CLUSTER_WIDE, "ClusterIssuer", _str(annotations.get("cert-manager.io/cluster-issuer")), "issuer")
                builder.edge(Edge(issuer, node_id, "certificate", "certificates"))
        elif kind == "NetworkPolicy":
            protected = matching(namespace, _dict(spec.get("podSelector")) or {"matchLabels": {}})
            if not _dict(spec.get("podSelector")):
                protected = [node_id_ for pod_namespace, node_id_, _ in pods if pod_namespace == namespace]
                if len(protected) > 1:
                    # A policy for every pod of a namespace says so, instead of a line to each.
                    builder.add_details(node_id, f"applies to all {len(protected)} workloads")
                    protected = []
            # A policy of one workload is folded into it: its rules are drawn as lines to and from
            # the workload itself, the way the traffic they allow goes.
            anchor = node_id
            if not unfold and len(protected) == 1 and _dict(spec.get("podSelector")):
                anchor = protected[0]
                builder.add_details(anchor, f"NetworkPolicy {name}")
                folded.add(node_id)
                protected = []
            for workload in protected:
                builder.edge(Edge(node_id, workload, "policy", "applies to"))
            for direction, peers_key in (("ingress", "from"), ("egress", "to")):
                for rule in _dict_list(spec.get(direction)):
                    ports = ", ".join(
                        _str(port.get("port")) + ("/" + _str(port.get("protocol")) if _str(port.get("protocol")) not in ("", "TCP") else "")
                        for port in _dict_list(rule.get("ports"))
                        if port.get("port") is not None
                    )
                    for peer in _dict_list(rule.get(peers_key)):
                        peer_selector = _dict(peer.get("podSelector"))
                        where = ""
                        if peer.get("ipBlock"):
                            peer_nodes = [outside_node()]
                            block = _dict(peer.get("ipBlock"))
                            cidr = _str(block.get("cidr"))
                            where = "the internet" if cidr in ("0.0.0.0/0", "::/0") and block.get("except") else cidr
                        elif peer.get("namespaceSelector") is not None:
                            peer_node, peer_namespaces[peer_node] = _peer_pods(builder, peer, group_of)
                            peer_nodes = [peer_node]
                            label = f"{'in' if direction == 'ingress' else 'out'} {ports}".strip()
                            peer_policies.setdefault(peer_nodes[0], []).append((anchor, direction, label))
                        elif peer_selector:
                            peer_nodes = matching(namespace, peer_selector)
                        else:
                            continue
                        label = f"{'in' if direction == 'ingress' else 'out'} {ports}".strip()
                        if where:
                            label += f" {'from' if direction == 'ingress' else 'to'} {where}"
                        for peer_node in peer_nodes:
                            if direction == "ingress":
                                builder.edge(Edge(peer_node, anchor, "network", label))
                            else:
                                builder.edge(Edge(anchor, peer_node, "network", label))
        elif kind == "PersistentVolume":
            claim = _dict(spec.get("claimRef"))
            if claim.get("name"):
                claim_namespace = _str(claim.get("namespace")) or NO_NAMESPACE
                builder.edge(Edge(node_id, target(claim_namespace, "PersistentVolumeClaim", _str(claim.get("name")), "storage"), "storage", "bound to"))
        elif kind == "PersistentVolumeClaim":
            if spec.get("storageClassName"):
                storage_class = object_id(CLUSTER_WIDE, "StorageClass", _str(spec.get("storageClassName")))
                builder.edge(Edge(node_id, storage_class, "reference", "class"))
        elif kind == "HorizontalPodAutoscaler":
            reference = _dict(spec.get("scaleTargetRef"))
            scaled = index.get((namespace, _str(reference.get("kind")), _str(reference.get("name"))))
            if scaled:
                builder.edge(Edge(node_id, scaled, "reference", "scales"))
        elif kind == "PodDisruptionBudget":
            for workload in matching(namespace, _dict(spec.get("selector"))):
                builder.edge(Edge(node_id, workload, "reference", "budget for"))
    for peer_node, uses in peer_policies.items():
        policies = {policy for policy, _, _ in uses}
        if len(policies) <= SHARED_BY:
            continue
        # Pods of another namespace (an ingress controller) that many policies let in or out: each
        # policy says so, instead of a line from the one node to every policy.
        peer_pods = builder.node_of(peer_node)
        peer_text = f"{peer_pods.title} ({peer_namespaces[peer_node]})" if peer_pods is not None else peer_node
        for policy, direction, label in uses:
            source, target_id = (peer_node, policy) if direction == "ingress" else (policy, peer_node)
            builder.remove_edge(source, target_id, "network", label)
            builder.add_details(policy, f"{label} {'from' if direction == 'ingress' else 'to'} {peer_text}")
        builder.add_details(peer_node, f"named by {len(policies)} policies (in their details)")
    builder.remove_nodes(sorted(folded))
    if not unfold:
        # Two folded policies allow the same connection (one lets it out, the other in): one line.
        builder.merge_parallel("network")
    for item, kind, _name, namespace, node_id in entries:
        # The namespace's box says what its Namespace object would: drawn once, where it came from.
        group_id = make_id("namespace", namespace)
        if kind == "Namespace" and not unfold and [member for member in builder.members(group_id) if member != node_id]:
            builder.remove_node(node_id)
            builder.locate_group(group_id, item.location)
    return builder.build()


def _selector_text(selector: Mapping[str, Any]) -> str:
    labels = _dict(selector.get("matchLabels"))
    parts = [f"{_str(key)}={_str(value)}" for key, value in sorted(labels.items())]
    parts.extend(
        f"{_str(expression.get('key'))} {_str(expression.get('operator'))}"
        for expression in _dict_list(selector.get("matchExpressions"))
    )
    return ", ".join(parts)


def _peer_pods(builder: DiagramBuilder, peer: Mapping[str, Any], group_of: Any) -> tuple[str, str]:
    """Pods in other namespaces that a NetworkPolicy names (an ingress controller, the cluster DNS):
    one dashed node per namespace and pod selector, in that namespace's group. Returns its id and
    the namespace in words (`namespace projectcontour`)."""
    namespace_selector = _dict(peer.get("namespaceSelector"))
    pod_selector = _dict(peer.get("podSelector"))
    namespace_name = _str(_dict(namespace_selector.get("matchLabels")).get("kubernetes.io/metadata.name"))
    if namespace_name and len(_dict(namespace_selector.get("matchLabels"))) == 1 and not namespace_selector.get("matchExpressions"):
        namespace_text, group = f"namespace {namespace_name}", group_of(namespace_name)
    else:
        selected = _selector_text(namespace_selector)
        namespace_text, group = (f"namespaces {selected}" if selected else "every namespace"), None
    pods_text = _selector_text(pod_selector)
    node_id = make_id("k8s-peer", namespace_text, pods_text or "all pods")
    builder.node(
        Node(
            node_id,
            "object",
            f"pods {pods_text}" if pods_text else "all pods",
            # The namespace's box names it, when there is one for it.
            ((NOT_AMONG,) if group is not None else (namespace_text, NOT_AMONG)),
            group=group,
            implied=True,
        )
    )
    return node_id, namespace_text


def _pod_references(
    builder: DiagramBuilder,
    manifest: Mapping[str, Any],
    namespace: str,
    node_id: str,
    target: Any,
    configure: Any,
    shared_claims: set[tuple[str, str]],
) -> None:
    _, pod_spec = pod_template(manifest)
    volumes = {_str(volume.get("name")): volume for volume in _dict_list(pod_spec.get("volumes"))}
    mounts: dict[str, list[str]] = {}
    for container in _containers(pod_spec):
        for mount in _dict_list(container.get("volumeMounts")):
            access = "read-only" if mount.get("readOnly") else "read-write"
            mounts.setdefault(_str(mount.get("name")), []).append(f"{access} {_str(mount.get('mountPath'))}")
    configuration: dict[str, list[str]] = {}
    secrets: dict[str, list[str]] = {}
    for container in _containers(pod_spec):
        for variable in _dict_list(container.get("env")):
            source = _dict(variable.get("valueFrom"))
            for key, found in (("configMapKeyRef", configuration), ("secretKeyRef", secrets)):
                reference = _dict(source.get(key))
                if reference.get("name"):
                    found.setdefault(_str(reference.get("name")), []).append(_str(variable.get("name")))
        for source in _dict_list(container.get("envFrom")):
            for key, found in (("configMapRef", configuration), ("secretRef", secrets)):
                reference = _dict(source.get(key))
                if reference.get("name"):
                    found.setdefault(_str(reference.get("name")), []).append("all keys")
    for volume_name, volume in volumes.items():
        paths = mounts.get(volume_name, [])
        label = "; ".join(paths) if paths else f"volume {volume_name}"
        if _dict(volume.get("configMap")).get("name"):
            configuration.setdefault(_str(_dict(volume.get("configMap")).get("name")), []).append(label)
        if _dict(volume.get("secret")).get("secretName"):
            secrets.setdefault(_str(_dict(volume.get("secret")).get("secretName")), []).append(label)
        for projected in _dict_list(_dict(volume.get("projected")).get("sources")):
            if _dict(projected.get("configMap")).get("name"):
                configuration.setdefault(_str(_dict(projected.get("configMap")).get("name")), []).append(label)
            if _dict(projected.get("secret")).get("name"):
                secrets.setdefault(_str(_dict(projected.get("secret")).get("name")), []).append(label)
        claim = _dict(volume.get("persistentVolumeClaim")).get("claimName")
        if claim and (namespace, _str(claim)) in shared_claims:
            builder.add_details(node_id, f"mounts {_str(claim)} " + ("; ".join(paths) if paths else f"as volume {volume_name}"))
        elif claim:
            builder.edge(Edge(node_id, target(namespace, "PersistentVolumeClaim", _str(claim), "storage"), "storage", label))
    for pull_secret in _dict_list(pod_spec.get("imagePullSecrets")):
        if pull_secret.get("name"):
            secrets.setdefault(_str(pull_secret.get("name")), []).append("image pull")
    for name, uses in configuration.items():
        configure(node_id, namespace, "ConfigMap", name, uses)
    for name, uses in secrets.items():
        configure(node_id, namespace, "Secret", name, uses)
    account = _str(pod_spec.get("serviceAccountName") or pod_spec.get("serviceAccount"))
    if account:
        configure(node_id, namespace, "ServiceAccount", account, [], "runs as")
    if _str(manifest.get("kind")) == "StatefulSet":
        for template in _dict_list(_dict(manifest.get("spec")).get("volumeClaimTemplates")):
            template_name = _str(_dict(template.get("metadata")).get("name"))
            if template_name:
                claim_id = make_id("k8s", namespace, "claim-template", _str(_dict(manifest.get("metadata")).get("name")), template_name)
                builder.node(
                    Node(claim_id, "storage", f"claim template {template_name}", ("one claim per pod",), group=make_id("namespace", namespace))
                )
                builder.edge(Edge(node_id, claim_id, "storage", "; ".join(mounts.get(template_name, []))))


def _uses(uses: list[str]) -> str:
    unique = list(dict.fromkeys(uses))
    return ", ".join(unique) if len(unique) <= 2 else f"{len(unique)} variables"
