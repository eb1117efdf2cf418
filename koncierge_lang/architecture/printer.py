"""The deployment architecture as plain data and as YAML, for `koncierge build --stage architecture`.

Per workload it also shows how it runs: its declared `size` and the requests and limits it gets
(`resources`, in environments that set them or where the author gave `cpu` or `memory`, and
`qos: Guaranteed` for a database whose profile asks for it), whether
it is a `single instance`, the probes it gets (`probes`: declared or, where hardened, the
defaults; header values are not shown, as they may hold a session), its declared `health` endpoint, the secrets handed
over as files (`secret_files`: the variables whose `NAME_FILE` holds a path), and the paths it
declared writable (`writes`), what its pods carry (`pods`: annotations, labels, the node labels
they run on, the taints they tolerate, how long they have to stop), what adapts hardening to the
program or relaxes it (`hardening`: the user, the capabilities added back and why, a writable root
filesystem, the paths that keep the image's files) and the pod's sidecars and init containers
(`containers`). Each appears only when set.

Per environment it shows the profile and what it decided (`profile_decisions`: replicas,
autoscaling, disruption budget, spreading over nodes and zones, Guaranteed databases, the backups'
schedule and retention, the default requests and limits), every knob even when off.

The printed form is for people (reviewing what the compiler decided) and for clients such as the
diagrams. It never contains a secret's value: a secret says where it comes from (`plain`,
`base64`, `generated`, or `composed` from text and secrets) and, for generated ones, the key under
which the build keeps the value.
"""

from __future__ import annotations

from collections.abc import Sequence

from koncierge_lang.architecture.model import (
    Adjustments,
    Container,
    EnvironmentArchitecture,
    Hardening,
    Probe,
    ProfileDecisions,
    Resources,
    SecretInput,
    SecretItem,
    Toleration,
    ValueSource,
    Workload,
)
from koncierge_lang.yaml_writer import dump_documents


def architecture_data(architecture: EnvironmentArchitecture) -> dict[str, object]:
    """The architecture as nested dicts and lists, in a stable, readable order."""
    flags = {
        "backups": architecture.backups,
        "https": architecture.https,
        "performance_optimised": architecture.performance_optimised,
        "strict_security": architecture.strict_security,
    }
    data: dict[str, object] = {
        "application": architecture.application,
        "description": architecture.application_description,
        "environment": architecture.environment,
        "kind": architecture.environment_kind,
        "namespace": architecture.namespace,
        "cluster": architecture.cluster,
        "profile": architecture.profile,
        "profile_decisions": _profile_decisions(architecture.profile_decisions),
        "domain": architecture.domain,
        "flags": flags,
        "workloads": [_workload(workload) for workload in architecture.workloads],
        "services": [
            {
                "name": service.name,
                "workload": service.workload,
                "exposure": service.exposure,
                "ports": [f"{port.name} {port.number}/{port.protocol}" for port in service.ports],
            }
            for service in architecture.services
        ],
        "configuration_sets": [
            {"name": entry.name, "owner": entry.owner, "entries": dict(entry.entries)}
            for entry in architecture.configuration_sets
        ],
        "secret_sets": [
            {"name": entry.name, "owner": entry.owner, "items": [_secret_item(item) for item in entry.items]}
            for entry in architecture.secret_sets
        ],
        "claims": [
            {
                "name": claim.name,
                "size": claim.size,
                "access": claim.access,
                "storage": claim.storage or None,
                "owner": claim.owner,
                **({"implied": True} if claim.implied else {}),
            }
            for claim in architecture.claims
        ],
        "storage": {
            "class": architecture.storage_class or "(the cluster's default)",
            "host_path_directory": architecture.host_path.directory if architecture.host_path else None,
        },
        "ingress": None,
        "flows": [
            {
                "from": flow.source,
                "to": flow.target,
                "port": f"{flow.port}/{flow.protocol}",
                "reason": flow.reason,
            }
            for flow in architecture.flows
        ],
    }
    ingress = architecture.ingress
    if ingress is not None:
        data["ingress"] = {
            "name": ingress.name,
            "class": ingress.ingress_class,
            "routes": [
                {"name": route.name, "url": route.url, "service": route.service, "port": route.port}
                for route in ingress.routes
            ],
            "tls": (
                {
                    "hosts": list(ingress.tls_hosts),
                    "secret": ingress.tls_secret,
                    "force_ssl_redirect": ingress.force_ssl_redirect,
                }
                if ingress.tls_hosts
                else None
            ),
            "issuer": (
                {
                    "name": ingress.issuer.name,
                    "acme_server": ingress.issuer.acme_server,
                    "email": ingress.issuer.email or None,
                    "challenge": "HTTP-01",
                }
                if ingress.issuer
                else None
            ),
        }
    return data


def _workload(workload: Workload) -> dict[str, object]:
    data: dict[str, object] = {"name": workload.name}
    if workload.implied:
        data["implied"] = True
        data["implied_because"] = workload.implied_reason
    data.update(
        {
            "kind": workload.kind.value,
            "role": workload.role,
            "image": workload.image,
        }
    )
    if workload.database_type:
        data["database"] = workload.database_type
    if workload.schedule is not None:
        data["schedule"] = workload.schedule
        data["retention"] = workload.retention
    else:
        data["replicas"] = workload.replicas
    if workload.single_instance:
        data["single_instance"] = True
    if workload.autoscale is not None:
        data["autoscale"] = {
            "minimum": workload.autoscale.minimum,
            "maximum": workload.autoscale.maximum,
            "cpu_utilisation": workload.autoscale.cpu_utilisation,
        }
    if workload.disruption_budget:
        data["disruption_budget"] = {"min_available": 1}
    if workload.spread_across_nodes:
        data["spread_across_nodes"] = True
    if workload.spread_across_zones:
        data["spread_across_zones"] = True
    if workload.size:
        data["size"] = workload.size
    if workload.resources is not None:
        data["resources"] = _resources(workload.resources)
    if workload.guaranteed:
        data["qos"] = "Guaranteed (every container's requests equal its limits)"
    probes = {
        use: _probe(probe)
        for use, probe in (("startup", workload.startup), ("liveness", workload.liveness), ("readiness", workload.readiness))
        if probe is not None
    }
    if probes:
        data["probes"] = probes
    if workload.ports:
        data["ports"] = [f"{port.name} {port.number}/{port.protocol}" for port in workload.ports]
    if workload.health_path:
        data["health"] = {"path": workload.health_path, "port": workload.health_port}
    if workload.command:
        data["command"] = list(workload.command)
    if workload.args:
        data["args"] = list(workload.args)
    if workload.variables:
        data["variables"] = [
            {
                "name": variable.name,
                "from": variable.source.value,
                "set": f"{variable.set_name}/{variable.key}",
                **({"value": variable.value} if variable.source is not ValueSource.SECRET else {}),
                **({"references": list(variable.references)} if variable.references else {}),
            }
            for variable in workload.variables
        ]
    if workload.secret_files:
        data["secret_files"] = list(workload.secret_files)
    if workload.volumes:
        data["volumes"] = [
            {"name": volume.name, **({"claim": volume.claim} if volume.claim else {"scratch": volume.size})}
            for volume in workload.volumes
        ]
        data["mounts"] = [
            {"volume": mount.volume, "path": mount.path, "read_only": mount.read_only} for mount in workload.mounts
        ]
    if workload.declared_writable_paths:
        data["writes"] = list(workload.declared_writable_paths)
    pod = workload.pod
    if pod.annotations or pod.labels or pod.node_selector or pod.tolerations or pod.grace_period is not None:
        data["pods"] = {
            key: entry
            for key, entry in (
                ("annotations", dict(pod.annotations)),
                ("labels", dict(pod.labels)),
                ("runs_on", dict(pod.node_selector)),
                ("tolerates", [_toleration(toleration) for toleration in pod.tolerations]),
                ("stops_within", f"{pod.grace_period}s" if pod.grace_period is not None else None),
            )
            if entry
        }
    adapted = _adapted_hardening(workload.hardening, workload.adjustments)
    if adapted:
        data["hardening"] = adapted
    if workload.containers:
        data["containers"] = [_container(container) for container in workload.containers]
    return data


def _adapted_hardening(hardening: Hardening | None, adjustments: Adjustments) -> dict[str, object]:
    """How a container's hardening differs from the platform's defaults, and why; where not
    hardened, only `run as` applies."""
    data: dict[str, object] = {}
    if adjustments.run_as_user is not None:
        group = adjustments.run_as_group if adjustments.run_as_group is not None else adjustments.run_as_user
        data["runs_as"] = f"user {adjustments.run_as_user}, group {group} (run as)"
    if hardening is None:
        return data
    if hardening.capabilities:
        declared = set(adjustments.capabilities)
        data["capabilities_added"] = [
            f"{name} ({'capabilities' if name in declared else 'a port below 1024'})" for name in hardening.capabilities
        ]
    if hardening.writable_root_filesystem:
        data["root_filesystem"] = "writable (writes everywhere)"
    if adjustments.kept_paths:
        data["keeps_contents"] = list(adjustments.kept_paths)
    return data


def _container(container: Container) -> dict[str, object]:
    data: dict[str, object] = {"name": container.name, "kind": container.kind}
    if container.implied:
        data["implied"] = True
        data["implied_because"] = container.implied_reason
    data["image"] = container.image
    if container.ports:
        data["ports"] = [f"{port.name} {port.number}/{port.protocol}" for port in container.ports]
    if container.command:
        data["command"] = list(container.command)
    if container.args:
        data["args"] = list(container.args)
    if container.variables:
        data["variables"] = [
            {
                "name": variable.name,
                "from": variable.source.value,
                "set": f"{variable.set_name}/{variable.key}",
                **({"value": variable.value} if variable.source is not ValueSource.SECRET else {}),
                **({"references": list(variable.references)} if variable.references else {}),
            }
            for variable in container.variables
        ]
    if container.secret_files:
        data["secret_files"] = list(container.secret_files)
    if container.declared_writable_paths:
        data["writes"] = list(container.declared_writable_paths)
    if container.mounts:
        data["mounts"] = [{"volume": mount.volume, "path": mount.path} for mount in container.mounts]
    adapted = _adapted_hardening(container.hardening, container.adjustments)
    if adapted:
        data["hardening"] = adapted
    return data


def _toleration(toleration: Toleration) -> str:
    """`dedicated=shop:NoSchedule`, as `kubectl describe node` shows a taint; `spot` for any value and effect."""
    value = f"={toleration.value}" if toleration.value is not None else ""
    effect = f":{toleration.effect}" if toleration.effect is not None else ""
    return f"{toleration.key}{value}{effect}"
def _profile_decisions(decisions: ProfileDecisions) -> dict[str, object]:
    """What the profile decided, every knob shown (off too), so that two environments' print-outs
    can be compared line by line."""
    autoscale = decisions.autoscale
    return {
        "replicas": decisions.replicas,
        "autoscale": (
            {"minimum": autoscale.minimum, "maximum": autoscale.maximum, "cpu_utilisation": autoscale.cpu_utilisation}
            if autoscale is not None
            else None
        ),
        "disruption_budget": decisions.disruption_budget,
        "spread_across_nodes": decisions.spread_across_nodes,
        "spread_across_zones": decisions.spread_across_zones,
        "guaranteed_databases": decisions.guaranteed_databases,
        "backups": (
            {"schedule": decisions.backup_schedule, "retention": decisions.backup_retention}
            if decisions.backup_schedule
            else None
        ),
        "default_resources": _resources(decisions.default_resources) if decisions.default_resources else None,
        "database_resources": _resources(decisions.database_resources) if decisions.database_resources else None,
    }


def _resources(resources: Resources) -> dict[str, str]:
    return {
        "requests": _amounts(resources.cpu_request, resources.memory_request),
        "limits": _amounts(resources.cpu_limit, resources.memory_limit),
    }


def _amounts(cpu: str, memory: str) -> str:
    return ", ".join(f"{name} {amount}" for name, amount in (("cpu", cpu), ("memory", memory)) if amount)


def _probe(probe: Probe) -> str:
    """`http GET /healthz on 8080 (Cookie), every 10s, timeout 5s`: one probe on one line."""
    if probe.kind == "command":
        check = "command " + " ".join(probe.command)
    elif probe.kind == "http":
        check = f"http GET {probe.path} on {probe.port}"
        if probe.headers:
            check += f" ({', '.join(name for name, _ in probe.headers)})"
    else:
        check = f"{probe.kind} on {probe.port}"
    timing = [f"every {probe.period}s", f"timeout {probe.timeout}s"]
    if probe.initial_delay:
        timing.insert(0, f"after {probe.initial_delay}s")
    if probe.failures is not None:
        timing.append(f"{probe.failures} failures")
    return ", ".join((check, *timing))


def _secret_item(item: SecretItem) -> dict[str, object]:
    data: dict[str, object] = {"key": item.key, "origin": item.origin}
    generated = [part for part in item.parts if isinstance(part, SecretInput) and part.origin == "generated"]
    if generated:
        data["generated"] = [{"state_key": part.state_key, "length": part.length} for part in generated]
    return data


def print_architectures(architectures: Sequence[EnvironmentArchitecture], header: str = "") -> str:
    """YAML with one document per environment."""
    return dump_documents((architecture_data(architecture) for architecture in architectures), header)
