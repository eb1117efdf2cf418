"""Stage 2: deployment architecture -> Kubernetes manifests, for one environment.

`manifests(architecture, generated_secrets)` is a pure function: the architecture decides what
exists; this module only says it in Kubernetes terms. Generated passwords are passed in (the build
keeps them between runs, see `koncierge_lang.build_pipeline`); everything else comes from the architecture.

Objects come in the order `kubectl apply` needs them: the Namespace and cluster-scoped storage
first, then configuration and secrets, claims, Services, workloads, and last the certificate
Issuer and the Ingress that uses it. Every object carries the `app.kubernetes.io/*` labels; pod
selectors use the two that identify a workload in its namespace (`name` and `instance`).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from koncierge_lang.architecture.model import (
    INGRESS,
    OUTSIDE,
    Adjustments,
    Claim,
    Container,
    EnvironmentArchitecture,
    ExternalFlow,
    Hardening,
    Probe,
    SecretItem,
    ValueSource,
    Workload,
    WorkloadKind,
)
from koncierge_lang.performance import paused_garbage_collection
from koncierge_lang.requirements.generated_names import (
    ALLOW_DNS_POLICY,
    DEFAULT_DENY_POLICY,
    SECRET_FILES_VOLUME,
    persistent_volume_name,
    scratch_volume_name,
)
from koncierge_lang.security.databases import SECRET_FILES_DIRECTORY

Manifest = dict[str, object]

MANAGED_BY = "koncierge"
_ACCESS_MODES = {"read-write-once": "ReadWriteOnce", "read-write-many": "ReadWriteMany"}


class MissingGeneratedSecret(KeyError):
    """The caller did not supply the value of a generated secret (a programming error)."""


def labels(architecture: EnvironmentArchitecture, name: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/instance": architecture.namespace,
        "app.kubernetes.io/managed-by": MANAGED_BY,
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": architecture.application,
    }


def selector(architecture: EnvironmentArchitecture, name: str) -> dict[str, str]:
    return {"app.kubernetes.io/instance": architecture.namespace, "app.kubernetes.io/name": name}


def _metadata(
    architecture: EnvironmentArchitecture, name: str, component: str, *, part_of: str = "", namespaced: bool = True
) -> dict[str, object]:
    """`name` is the object's name; the `name` label is the workload it belongs to (`part_of`),
    or the application for objects of the whole environment, so that `-l app.kubernetes.io/name=`
    selects a component with its configuration, secrets, claims and Service."""
    metadata: dict[str, object] = {"name": name}
    if namespaced:
        metadata["namespace"] = architecture.namespace
    metadata["labels"] = labels(architecture, part_of or architecture.application, component)
    return metadata


# Tens of thousands of acyclic dicts and lists for a large application: the cyclic collector is
# paused meanwhile, as in the parser and checker (koncierge_lang/performance.py).
@paused_garbage_collection()
def manifests(architecture: EnvironmentArchitecture, generated_secrets: Mapping[str, str]) -> list[Manifest]:
    """Every Kubernetes object of one environment, in apply order."""
    roles = {workload.name: workload.role for workload in architecture.workloads}
    documents: list[Manifest] = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": _metadata(architecture, architecture.namespace, "application", namespaced=False),
        }
    ]
    claim_roles = {claim.name: "backup" if claim.implied else "storage" for claim in architecture.claims}
    if architecture.host_path is not None:
        documents.append(_storage_class(architecture))
        documents.extend(_persistent_volume(architecture, claim) for claim in architecture.claims)
    for configuration_set in architecture.configuration_sets:
        manifest: Manifest = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _metadata(
                architecture,
                configuration_set.name,
                roles.get(configuration_set.owner, "server"),
                part_of=configuration_set.owner,
            ),
            "data": dict(sorted(configuration_set.entries)),
        }
        documents.append(manifest)
    for secret_set in architecture.secret_sets:
        documents.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": _metadata(
                    architecture, secret_set.name, roles.get(secret_set.owner, "server"), part_of=secret_set.owner
                ),
                "type": "Opaque",
                "data": {
                    item.key: _secret_data(item, generated_secrets) for item in sorted(secret_set.items, key=_item_key)
                },
            }
        )
    # A claim belongs to the one workload that mounts it; storage several share belongs to the application.
    claim_users: dict[str, set[str]] = {}
    for workload in architecture.workloads:
        for volume in workload.volumes:
            if volume.claim:
                claim_users.setdefault(volume.claim, set()).add(workload.name)
    for claim in architecture.claims:
        users = sorted(claim_users.get(claim.name, set()))
        owner = users[0] if len(users) == 1 else ""
        documents.append(_claim(architecture, claim, claim_roles[claim.name], owner))
    for service in architecture.services:
        documents.append(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": _metadata(
                    architecture, service.name, roles.get(service.workload, "server"), part_of=service.workload
                ),
                "spec": {
                    # A public service (`expose`) gets an address outside the cluster of its own.
                    "type": "LoadBalancer" if service.exposure == "public" else "ClusterIP",
                    "selector": selector(architecture, service.workload),
                    "ports": [
                        {"name": port.name, "port": port.number, "targetPort": port.name, "protocol": port.protocol}
                        for port in service.ports
                    ],
                },
            }
        )
    for workload in architecture.workloads:
        if workload.hardening is not None:
            documents.append(
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": _metadata(architecture, workload.name, workload.role, part_of=workload.name),
                    "automountServiceAccountToken": False,
                }
            )
    documents.extend(network_policies(architecture))
    for workload in architecture.workloads:
        documents.append(_workload(architecture, workload))
        documents.extend(_availability(architecture, workload))
    ingress = architecture.ingress
    if ingress is not None:
        if ingress.issuer is not None:
            acme: dict[str, object] = {"server": ingress.issuer.acme_server}
            if ingress.issuer.email:
                acme["email"] = ingress.issuer.email
            acme["privateKeySecretRef"] = {"name": ingress.issuer.account_key_secret}
            acme["solvers"] = [{"http01": {"ingress": {"ingressClassName": ingress.ingress_class}}}]
            documents.append(
                {
                    "apiVersion": "cert-manager.io/v1",
                    "kind": "Issuer",
                    "metadata": _metadata(architecture, ingress.issuer.name, "certificates"),
                    "spec": {"acme": acme},
                }
            )
        metadata = _metadata(architecture, ingress.name, "ingress")
        annotations: dict[str, str] = {}
        if ingress.issuer is not None:
            annotations["cert-manager.io/issuer"] = ingress.issuer.name
        if ingress.force_ssl_redirect:
            annotations[force_ssl_redirect_annotation(ingress.ingress_class)] = "true"
        if annotations:
            metadata["annotations"] = annotations
        spec: dict[str, object] = {"ingressClassName": ingress.ingress_class}
        if ingress.tls_hosts:
            spec["tls"] = [{"hosts": list(ingress.tls_hosts), "secretName": ingress.tls_secret}]
        # One rule per host, in the order the routes first name it; paths in route order.
        rules: dict[str, list[dict[str, object]]] = {}
        for route in ingress.routes:
            rules.setdefault(route.host, []).append(
                {
                    "path": route.path,
                    "pathType": "Prefix",
                    "backend": {"service": {"name": route.service, "port": {"number": route.port}}},
                }
            )
        spec["rules"] = [{"host": host, "http": {"paths": paths}} for host, paths in rules.items()]
        documents.append({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec})
    return documents


def force_ssl_redirect_annotation(ingress_class: str) -> str:
    """The annotation that makes the controller in use redirect HTTP to HTTPS: ingress-nginx reads
    its own prefix; Contour (the default class) and the older controllers read the generic one."""
    if ingress_class == "nginx":
        return "nginx.ingress.kubernetes.io/force-ssl-redirect"
    return "ingress.kubernetes.io/force-ssl-redirect"


def network_policies(architecture: EnvironmentArchitecture) -> list[Manifest]:
    """Least privilege: deny all traffic in the namespace, allow DNS, then per workload exactly the
    connections of the architecture's flows, on their ports (docs/security.md)."""
    isolation = architecture.network_isolation
    if isolation is None:
        return []

    def policy(name: str, pod_selector: dict[str, object], spec: dict[str, object], part_of: str = "") -> Manifest:
        return {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": _metadata(architecture, name, "network", part_of=part_of),
            "spec": {"podSelector": pod_selector, **spec},
        }

    def port_list(ports: set[tuple[int, str]]) -> list[object]:
        return [{"port": number, "protocol": protocol} for number, protocol in sorted(ports)]

    documents = [
        policy(DEFAULT_DENY_POLICY, {}, {"policyTypes": ["Ingress", "Egress"]}),
        policy(
            ALLOW_DNS_POLICY,
            {},
            {
                "policyTypes": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": isolation.dns_namespace}},
                                "podSelector": {"matchLabels": dict(isolation.dns_labels)},
                            }
                        ],
                        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
                    }
                ],
            },
        ),
    ]
    # Index the flows once: looking them up per workload made large applications quadratic.
    incoming_by_workload: dict[str, dict[str, set[tuple[int, str]]]] = {}
    outgoing_by_workload: dict[str, dict[str, set[tuple[int, str]]]] = {}
    for flow in architecture.flows:
        incoming_by_workload.setdefault(flow.target, {}).setdefault(flow.source, set()).add((flow.port, flow.protocol))
        outgoing_by_workload.setdefault(flow.source, {}).setdefault(flow.target, set()).add((flow.port, flow.protocol))
    external_by_workload: dict[str, list[ExternalFlow]] = {}
    for external_flow in architecture.external_flows:
        external_by_workload.setdefault(external_flow.source, []).append(external_flow)
    for workload in architecture.workloads:
        incoming = incoming_by_workload.get(workload.name, {})
        outgoing = outgoing_by_workload.get(workload.name, {})
        ingress_rules: list[object] = []
        for source in sorted(incoming):
            if source == OUTSIDE:
                # `expose`: any address, IPv4 or IPv6; through a load balancer the pod may see a
                # node's address rather than the client's, which any address includes.
                ingress_rules.append(
                    {"from": [{"ipBlock": {"cidr": cidr}} for cidr in _ANYWHERE], "ports": port_list(incoming[source])}
                )
                continue
            if source == INGRESS:
                peer: dict[str, object] = {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": isolation.ingress_controller_namespace}
                    },
                    "podSelector": {"matchLabels": dict(isolation.ingress_controller_labels)},
                }
            else:
                peer = {"podSelector": {"matchLabels": selector(architecture, source)}}
            ingress_rules.append({"from": [peer], "ports": port_list(incoming[source])})
        egress_rules: list[object] = [
            {"to": [{"podSelector": {"matchLabels": selector(architecture, target)}}], "ports": port_list(outgoing[target])}
            for target in sorted(outgoing)
        ]
        external: dict[tuple[str, str], set[tuple[int, str]]] = {}
        for external_flow in external_by_workload.get(workload.name, []):
            external.setdefault((external_flow.kind, external_flow.address), set()).add(
                (external_flow.port, external_flow.protocol)
            )
        for (kind, address), ports in sorted(external.items()):
            if kind == "cidr":
                block: dict[str, object] = {"cidr": address}
            else:
                # A network policy cannot name a host: allow the port to the internet, not to
                # private addresses (other pods, nodes, the cloud's metadata service).
                block = {"cidr": "0.0.0.0/0", "except": list(_PRIVATE_RANGES)}
            egress_rules.append({"to": [{"ipBlock": block}], "ports": port_list(ports)})
        spec: dict[str, object] = {"policyTypes": ["Ingress", "Egress"]}
        if ingress_rules:
            spec["ingress"] = ingress_rules
        if egress_rules:
            spec["egress"] = egress_rules
        documents.append(policy(workload.name, {"matchLabels": selector(architecture, workload.name)}, spec, workload.name))
    return documents


def _item_key(item: SecretItem) -> str:
    return item.key


def _secret_data(item: SecretItem, generated_secrets: Mapping[str, str]) -> str:
    """The base64 text of a secret. A secret the author gave in base64 is used as given."""
    parts = item.parts
    if len(parts) == 1 and not isinstance(parts[0], str) and parts[0].origin == "base64":
        return parts[0].text
    value = b""
    for part in parts:
        if isinstance(part, str):
            value += part.encode("utf-8")
        elif part.origin == "base64":
            value += base64.b64decode(part.text)
        elif part.origin == "generated":
            if part.state_key not in generated_secrets:
                raise MissingGeneratedSecret(part.state_key)
            value += generated_secrets[part.state_key].encode("utf-8")
        else:
            value += part.text.encode("utf-8")
    return base64.b64encode(value).decode("ascii")


def _claim(architecture: EnvironmentArchitecture, claim: Claim, role: str, owner: str) -> Manifest:
    spec: dict[str, object] = {
        "accessModes": [_ACCESS_MODES[claim.access]],
        "resources": {"requests": {"storage": claim.size}},
    }
    if architecture.storage_class:
        spec["storageClassName"] = architecture.storage_class
    if architecture.host_path is not None:
        spec["volumeName"] = _persistent_volume_name(architecture, claim)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _metadata(architecture, claim.name, role, part_of=owner),
        "spec": spec,
    }


def _storage_class(architecture: EnvironmentArchitecture) -> Manifest:
    assert architecture.host_path is not None
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": _metadata(architecture, architecture.host_path.storage_class, "storage", namespaced=False),
        "provisioner": "kubernetes.io/no-provisioner",
        "reclaimPolicy": "Retain",
        "volumeBindingMode": "WaitForFirstConsumer",
    }


def _persistent_volume_name(architecture: EnvironmentArchitecture, claim: Claim) -> str:
    return persistent_volume_name(architecture.namespace, claim.name)


def _persistent_volume(architecture: EnvironmentArchitecture, claim: Claim) -> Manifest:
    assert architecture.host_path is not None
    name = _persistent_volume_name(architecture, claim)
    directory = architecture.host_path.directory.rstrip("/")
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": _metadata(architecture, name, "storage", namespaced=False),
        "spec": {
            "capacity": {"storage": claim.size},
            "accessModes": [_ACCESS_MODES[claim.access]],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": architecture.host_path.storage_class,
            "claimRef": {"namespace": architecture.namespace, "name": claim.name},
            "hostPath": {"path": f"{directory}/{architecture.namespace}/{claim.name}", "type": "DirectoryOrCreate"},
        },
    }


_ANYWHERE = ("0.0.0.0/0", "::/0")
_PRIVATE_RANGES = ("10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16")


def _probe(probe: Probe, default_failures: int) -> dict[str, object]:
    check: dict[str, object]
    if probe.kind == "command":
        check = {"exec": {"command": list(probe.command)}}
    elif probe.kind == "http":
        http: dict[str, object] = {"path": probe.path, "port": probe.port}
        if probe.headers:
            http["httpHeaders"] = [{"name": name, "value": value} for name, value in probe.headers]
        check = {"httpGet": http}
    elif probe.kind == "grpc":
        check = {"grpc": {"port": probe.port}}
    else:
        check = {"tcpSocket": {"port": probe.port}}
    if probe.initial_delay:
        check["initialDelaySeconds"] = probe.initial_delay
    check["periodSeconds"] = probe.period
    check["timeoutSeconds"] = probe.timeout
    check["failureThreshold"] = probe.failures if probe.failures is not None else default_failures
    return check


def _security_context(hardening: Hardening) -> dict[str, object]:
    capabilities: dict[str, object] = {"drop": ["ALL"]}
    if hardening.capabilities:
        capabilities["add"] = list(hardening.capabilities)
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": capabilities,
        "privileged": False,
        "readOnlyRootFilesystem": not hardening.writable_root_filesystem,
        "runAsGroup": _group(hardening),
        "runAsNonRoot": True,
        "runAsUser": hardening.run_as_user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _group(hardening: Hardening) -> int:
    return hardening.run_as_group if hardening.run_as_group is not None else hardening.run_as_user


def _declared_user(adjustments: Adjustments) -> dict[str, object] | None:
    """Where not hardened, `run as user N [group M]` is all the security context says."""
    if adjustments.run_as_user is None:
        return None
    context: dict[str, object] = {"runAsUser": adjustments.run_as_user}
    if adjustments.run_as_group is not None:
        context["runAsGroup"] = adjustments.run_as_group
    return context


def _container(workload: Workload) -> dict[str, object]:
    """The program's container. The database images read `NAME_FILE`; a backup's script reads its
    secret files itself, so it gets no such variable."""
    return _container_manifest(workload, workload.startup, files_in_environment=workload.role != "backup")


def _other_container(container: Container) -> dict[str, object]:
    """A sidecar or init container (issue 13), made as the program's container is."""
    return _container_manifest(container, None, files_in_environment=True)


def _container_manifest(
    source: Workload | Container, startup: Probe | None, files_in_environment: bool
) -> dict[str, object]:
    container: dict[str, object] = {"name": source.name, "image": source.image}
    if source.image_pull_policy:
        container["imagePullPolicy"] = source.image_pull_policy
    if source.command:
        container["command"] = list(source.command)
    if source.args:
        container["args"] = list(source.args)
    if source.ports:
        container["ports"] = [
            {"name": port.name, "containerPort": port.number, "protocol": port.protocol} for port in source.ports
        ]
    secret_files = set(source.secret_files)
    environment: list[object] = []
    for variable in source.variables:
        if variable.name in secret_files:
            if files_in_environment:
                environment.append({"name": f"{variable.name}_FILE", "value": f"{SECRET_FILES_DIRECTORY}/{variable.key}"})
            continue
        reference = "secretKeyRef" if variable.source is ValueSource.SECRET else "configMapKeyRef"
        environment.append({"name": variable.name, "valueFrom": {reference: {"name": variable.set_name, "key": variable.key}}})
    if environment:
        container["env"] = environment
    mounts: list[dict[str, object]] = [
        {"name": mount.volume, "mountPath": mount.path, **({"readOnly": True} if mount.read_only else {})}
        for mount in source.mounts
    ]
    mounts.extend({"name": scratch_volume_name(path), "mountPath": path} for path in source.writable_paths)
    if secret_files:
        mounts.append({"name": SECRET_FILES_VOLUME, "mountPath": SECRET_FILES_DIRECTORY, "readOnly": True})
    resources = source.resources
    if resources is not None:
        # Only what is set: the author may give `cpu` alone where the environment sets nothing.
        limits = {"cpu": resources.cpu_limit, "memory": resources.memory_limit}
        requests = {"cpu": resources.cpu_request, "memory": resources.memory_request}
        container["resources"] = {
            "limits": {name: amount for name, amount in limits.items() if amount},
            "requests": {name: amount for name, amount in requests.items() if amount},
        }
    if startup is not None:
        container["startupProbe"] = _probe(startup, 30)
    if source.liveness is not None:
        container["livenessProbe"] = _probe(source.liveness, 3)
    if source.readiness is not None:
        container["readinessProbe"] = _probe(source.readiness, 3)
    if source.hardening is not None:
        container["securityContext"] = _security_context(source.hardening)
    elif (declared := _declared_user(source.adjustments)) is not None:
        container["securityContext"] = declared
    if mounts:
        container["volumeMounts"] = mounts
    return container


def _pod_spec(workload: Workload) -> dict[str, object]:
    # No workload Koncierge generates talks to the Kubernetes API, so none gets a token for it.
    spec: dict[str, object] = {"automountServiceAccountToken": False}
    hardening = workload.hardening
    if hardening is not None:
        # An identity of its own, so that no workload shares the namespace's default account.
        spec["serviceAccountName"] = workload.name
        spec["securityContext"] = {
            "fsGroup": _group(hardening),
            "runAsGroup": _group(hardening),
            "runAsNonRoot": True,
            "runAsUser": hardening.run_as_user,
            "seccompProfile": {"type": "RuntimeDefault"},
        }
    if workload.kind is WorkloadKind.SCHEDULED:
        spec["restartPolicy"] = "OnFailure"
    pod = workload.pod
    if pod.node_selector:
        spec["nodeSelector"] = dict(pod.node_selector)
    if pod.tolerations:
        spec["tolerations"] = [
            {
                "key": toleration.key,
                "operator": "Exists" if toleration.value is None else "Equal",
                **({"value": toleration.value} if toleration.value is not None else {}),
                **({"effect": toleration.effect} if toleration.effect is not None else {}),
            }
            for toleration in pod.tolerations
        ]
    if pod.grace_period is not None:
        spec["terminationGracePeriodSeconds"] = pod.grace_period
    init_containers = [_other_container(container) for container in workload.containers if container.kind == "init"]
    if init_containers:
        spec["initContainers"] = init_containers
    spec["containers"] = [
        _container(workload),
        *(_other_container(container) for container in workload.containers if container.kind == "sidecar"),
    ]
    # Scratch space is the pod's: containers that write the same path share its volume.
    scratch_paths = dict.fromkeys(
        (*workload.writable_paths, *(path for container in workload.containers for path in container.writable_paths))
    )
    extra_volumes: list[object] = [
        {"name": scratch_volume_name(path), "emptyDir": {"sizeLimit": "256Mi"}} for path in scratch_paths
    ]
    # Every container's secrets handed over as files, by their keys (a sidecar's are `<container>.<NAME>`).
    file_keys = [
        (variable.set_name, variable.key)
        for variables, secret_files in (
            (workload.variables, workload.secret_files),
            *((container.variables, container.secret_files) for container in workload.containers),
        )
        for variable in variables
        if variable.name in secret_files
    ]
    if file_keys:
        # The secret files' keys by the secret set that holds them.
        names_by_set: dict[str, list[str]] = {}
        for set_name, key in file_keys:
            names_by_set.setdefault(set_name, []).append(key)
        extra_volumes.append(
            {
                "name": SECRET_FILES_VOLUME,
                "projected": {
                    # Owned by root: hardened pods read them through their fsGroup (0440); elsewhere
                    # the image's user is not known, so every user of the container may read them.
                    "defaultMode": 0o440 if hardening is not None else 0o444,
                    "sources": [
                        {
                            "secret": {
                                "name": secret_name,
                                "items": [{"key": key, "path": key} for key in names_by_set[secret_name]],
                            }
                        }
                        for secret_name in sorted(names_by_set)
                    ],
                },
            }
        )
    if workload.volumes or extra_volumes:
        read_only_volumes = {mount.volume for mount in workload.mounts if mount.read_only} - {
            mount.volume for mount in workload.mounts if not mount.read_only
        }
        volumes: list[object] = []
        for volume in workload.volumes:
            if volume.claim:
                claim: dict[str, object] = {"claimName": volume.claim}
                if volume.name in read_only_volumes:
                    claim["readOnly"] = True
                volumes.append({"name": volume.name, "persistentVolumeClaim": claim})
            else:
                volumes.append({"name": volume.name, "emptyDir": {"sizeLimit": volume.size}})
        volumes.extend(extra_volumes)
        spec["volumes"] = volumes
    return spec


def _availability(architecture: EnvironmentArchitecture, workload: Workload) -> list[Manifest]:
    """The PodDisruptionBudget and HorizontalPodAutoscaler the environment's profile gives a
    workload of interchangeable copies (stage 1 decides which workloads get them)."""
    documents: list[Manifest] = []
    metadata = _metadata(architecture, workload.name, workload.role, part_of=workload.name)
    if workload.disruption_budget:
        documents.append(
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": metadata,
                "spec": {"minAvailable": 1, "selector": {"matchLabels": selector(architecture, workload.name)}},
            }
        )
    autoscale = workload.autoscale
    if autoscale is not None:
        documents.append(
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": _metadata(architecture, workload.name, workload.role, part_of=workload.name),
                "spec": {
                    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": workload.name},
                    "minReplicas": autoscale.minimum,
                    "maxReplicas": autoscale.maximum,
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {"type": "Utilization", "averageUtilization": autoscale.cpu_utilisation},
                            },
                        }
                    ],
                },
            }
        )
    return documents


def _workload(architecture: EnvironmentArchitecture, workload: Workload) -> Manifest:
    pod_labels = labels(architecture, workload.name, workload.role)
    # The author's labels beside Koncierge's, which the selectors need (the checker refuses them).
    template_labels = {**pod_labels, **{key: value for key, value in workload.pod.labels if key not in pod_labels}}
    template_metadata: dict[str, object] = {"labels": template_labels}
    if workload.pod.annotations:
        template_metadata["annotations"] = dict(workload.pod.annotations)
    pod_spec = _pod_spec(workload)
    template = {"metadata": template_metadata, "spec": pod_spec}
    metadata = _metadata(architecture, workload.name, workload.role, part_of=workload.name)
    if workload.kind is WorkloadKind.SCHEDULED:
        return {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": metadata,
            "spec": {
                "schedule": workload.schedule,
                # A dump still running when the next one is due is not doubled up.
                "concurrencyPolicy": "Forbid",
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 3,
                "jobTemplate": {
                    "metadata": {"labels": pod_labels},
                    "spec": {"backoffLimit": 2, "template": template},
                },
            },
        }
    spec: dict[str, object] = {
        "replicas": workload.replicas,
        "selector": {"matchLabels": selector(architecture, workload.name)},
    }
    if workload.autoscale is not None:
        # The autoscaler owns the number of copies: applying the manifests again must not reset it.
        del spec["replicas"]
    spread_keys = [
        key
        for key, wanted in (
            ("kubernetes.io/hostname", workload.spread_across_nodes),
            ("topology.kubernetes.io/zone", workload.spread_across_zones),
        )
        if wanted
    ]
    if spread_keys:
        pod_spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": key,
                # Spread where the nodes allow it; a cluster of one node (or one zone, or nodes
                # without the zone label) still runs every copy.
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": selector(architecture, workload.name)},
            }
            for key in spread_keys
        ]
    if workload.kind is WorkloadKind.STATEFUL:
        spec["serviceName"] = workload.name
        spec["template"] = template
        return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": metadata, "spec": spec}
    if workload.single_instance:
        # A rolling update would start the new copy beside the old one: stop the old one first.
        spec["strategy"] = {"type": "Recreate"}
    spec["template"] = template
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata, "spec": spec}
