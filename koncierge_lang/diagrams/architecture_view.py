"""The architecture view (stage 1, one environment): what will run and how it connects.

The outside world, the ingress with its hosts and TLS, services, workloads, their configuration
and secrets (listed in each workload, or as set nodes of their own on request), their storage,
and the network flows the deployment needs (who may talk to whom, on which port, what each
workload may reach outside the cluster: `connects to`, and which ports the outside reaches
through a public service: `expose`). What Koncierge adds without being told
(the scheduled backup of a database in an environment that keeps backups, and its storage) is
dashed and says why in its tooltip. The environment's box names its profile and the profile's
main decisions (`profile_summary`).

Every node points back at the statement it comes from (`SourceMap`), which the kubernetes view
reuses for the generated objects.
"""

from __future__ import annotations

from koncierge_lang.architecture.model import INGRESS, OUTSIDE, EnvironmentArchitecture, Workload, WorkloadKind
from koncierge_lang.diagrams.model import (
    SHARED_BY,
    Diagram,
    DiagramBuilder,
    Edge,
    Group,
    Location,
    Node,
    listed,
    make_id,
    short_image,
)
from koncierge_lang.requirements import model
from koncierge_lang.source import Span

_MAX_DETAILS = 8


def _location(span: Span | None) -> Location | None:
    return Location(span) if span is not None and span.end > span.start else None


class SourceMap:
    """Where the parts of one environment's architecture were stated in the `.kon` file."""

    def __init__(self, architecture: EnvironmentArchitecture, application: model.Application | None) -> None:
        self.architecture = architecture
        self.application = application
        environment = application.environment(architecture.environment) if application else None
        self.environment = _location(environment.span) if environment else None
        self._workloads = {workload.name: workload for workload in architecture.workloads}

    def component(self, name: str) -> Location | None:
        component = self.application.component(name) if self.application else None
        return _location(component.span) if component else None

    def workload(self, workload_name: str) -> Location | None:
        """A workload's component; an implied backup points at the database it backs up."""
        workload = self._workloads.get(workload_name)
        if workload is None:
            return None
        found = self.component(workload.component)
        if found is None and workload.implied:
            for flow in self.architecture.flows:
                if flow.source == workload.name and flow.target in self._workloads:
                    return self.component(self._workloads[flow.target].component)
        return found

    def claim(self, claim_name: str) -> Location | None:
        claim = next((claim for claim in self.architecture.claims if claim.name == claim_name), None)
        if claim is None:
            return None
        storage = self.application.storage(claim.storage) if self.application and claim.storage else None
        if storage is not None:
            return _location(storage.span)
        return self.component(claim.owner) if claim.owner else self.environment

    def routes(self) -> Location | None:
        if not self.application or not self.application.routes:
            return self.environment
        span = self.application.routes[0].span
        for route in self.application.routes[1:]:
            span = span.cover(route.span)
        return _location(span)

    def route(self, name: str) -> Location | None:
        route = self.application.route(name) if self.application else None
        return _location(route.span) if route else None


def workload_category(workload: Workload) -> str:
    if workload.kind is WorkloadKind.SCHEDULED:
        return "job"
    return "database" if workload.database_type is not None else "workload"


def _limited(lines: list[str]) -> tuple[str, ...]:
    if len(lines) > _MAX_DETAILS:
        lines = lines[: _MAX_DETAILS - 1] + [f"… {len(lines) - _MAX_DETAILS + 1} more"]
    return tuple(lines)


def architecture_diagram(
    architecture: EnvironmentArchitecture, application: model.Application | None = None, unfold: bool = False
) -> Diagram:
    """The diagram of one environment. Configuration and secret sets are listed in the workloads
    that use them (`config: DB_HOST, DB_NAME`), or drawn as nodes of their own with
    `unfold`."""
    sources = SourceMap(architecture, application)
    namespace = architecture.namespace
    builder = DiagramBuilder(
        "architecture",
        f"Architecture of {architecture.application} in {environment_name(architecture)}",
    )
    flags = [
        flag
        for flag, on in (
            ("backups", architecture.backups),
            ("HTTPS", architecture.https),
            ("strict security", architecture.strict_security),
        )
        if on
    ]
    root = builder.group(
        Group(
            make_id("environment", architecture.environment),
            f"environment {architecture.environment}: namespace {namespace}"
            + (f" ({', '.join(flags)})" if flags else "")
            + f"\n{profile_summary(architecture)}",
            location=sources.environment,
        )
    )
    # One box for the environment and none inside it: the ranks already put the entry, the
    # services, the workloads and the storage in the order traffic goes, and a box costs a margin.

    def workload_id(name: str) -> str:
        return make_id(namespace, "workload", name)

    def service_id(name: str) -> str:
        return make_id(namespace, "service", name)

    ingress = architecture.ingress
    if ingress is not None:
        outside = builder.node(Node("outside", "internet", "outside", (architecture.domain,)))
        ingress_id = make_id(namespace, "ingress", ingress.name)
        details = [f"class {ingress.ingress_class}"]
        if ingress.tls_hosts:
            details.append("TLS for " + ", ".join(ingress.tls_hosts))
            if ingress.force_ssl_redirect:
                details.append("HTTP redirected to HTTPS")
        else:
            details.append("no TLS (plain HTTP)")
        builder.node(
            Node(ingress_id, "ingress", f"ingress {ingress.name}", _limited(details), group=root, location=sources.routes())
        )
        builder.edge(Edge(outside, ingress_id, "route", "HTTPS" if ingress.tls_hosts else "HTTP"))
        if ingress.issuer is not None:
            issuer_id = make_id(namespace, "issuer", ingress.issuer.name)
            acme_host = ingress.issuer.acme_server.split("//", 1)[-1].split("/", 1)[0]
            builder.node(
                Node(
                    issuer_id,
                    "issuer",
                    f"issuer {ingress.issuer.name}",
                    (acme_host,),
                    group=root,
                    location=sources.environment,
                )
            )
            builder.edge(Edge(issuer_id, ingress_id, "certificate", "certificates"))
        for route in ingress.routes:
            path = "" if route.path == "/" else route.path
            builder.edge(
                Edge(ingress_id, service_id(route.service), "route", f"{route.host}{path} :{route.port}", tooltip=route.url)
            )

    for service in architecture.services:
        ports = ", ".join(f"{port.number}/{port.protocol}" for port in service.ports)
        builder.node(
            Node(
                service_id(service.name),
                "service",
                f"service {service.name}",
                (f"{ports}, {service.exposure}",),
                group=root,
                location=sources.workload(service.workload),
            )
        )
        builder.edge(Edge(service_id(service.name), workload_id(service.workload), "selects"))
        if service.exposure == "public":
            # `expose`: reached from outside the cluster at an address of its own, not through the ingress.
            outside = builder.node(Node("outside", "internet", "outside", (architecture.domain,)))
            builder.edge(Edge(outside, service_id(service.name), "network", f"expose {ports}", tooltip="any address"))

    claim_users: dict[str, set[str]] = {}
    for workload in architecture.workloads:
        for claimed in workload.volumes:
            if claimed.claim:
                claim_users.setdefault(claimed.claim, set()).add(workload.name)
    shared_claims = {claim for claim, users in claim_users.items() if len(users) > SHARED_BY}

    for workload in architecture.workloads:
        details = [short_image(workload.image)]
        # Few lines of about an image's width each: a node's height is what a drawing of ranks
        # from top to bottom pays for.
        if workload.kind is WorkloadKind.SCHEDULED:
            kept = f", keeps {workload.retention}" if workload.retention is not None else ""
            details.append(f"schedule {workload.schedule}{kept}")
        else:
            database = f"{workload.database_type} database, " if workload.database_type else ""
            autoscale = workload.autoscale
            copies = (
                f"replicas {autoscale.minimum}-{autoscale.maximum} (autoscaled)"
                if autoscale is not None
                else f"replicas {workload.replicas}"
            )
            guaranteed = ", Guaranteed QoS" if workload.guaranteed else ""
            details.append(f"{database}{workload.kind.value}, {copies}{guaranteed}")
        # The pod's other containers (issue 13): what runs beside or before the program.
        details.extend(
            f"{container.kind} {container.name}"
            + (" (copies the image's files)" if container.implied else f" ({short_image(container.image)})")
            for container in workload.containers
        )
        claims_by_volume = {volume.name: volume for volume in workload.volumes}
        for mount in workload.mounts:
            volume = claims_by_volume.get(mount.volume)
            if volume is not None and volume.claim in shared_claims:
                # No line to a claim that many workloads share: listed here instead.
                access = "read-only" if mount.read_only else "read-write"
                details.append(f"mounts {volume.claim} {access} at {mount.path}")
        used_sets: dict[tuple[str, str], list[str]] = {}
        for variable in workload.variables:
            kind = "secret" if variable.source.value == "secret" else "configuration"
            used_sets.setdefault((kind, variable.set_name), []).append(variable.name)
        if not unfold:
            for kind, prefix in (("configuration", "config"), ("secret", "secrets")):
                names = [name for (set_kind, _), set_names in used_sets.items() if set_kind == kind for name in set_names]
                if names:
                    details.extend(listed(prefix, names))
        this = workload_id(workload.name)
        builder.node(
            Node(
                this,
                workload_category(workload),
                workload.name,
                _limited(details),
                group=root,
                implied=workload.implied,
                tooltip=workload.implied_reason or _runtime_summary(workload),
                location=sources.workload(workload.name),
            )
        )
        for (kind, set_name), names in used_sets.items() if unfold else ():
            label = ", ".join(names) if len(names) <= 2 else f"{len(names)} variables"
            builder.edge(Edge(make_id(namespace, kind, set_name), this, kind, label, implied=workload.implied))
        for mount in workload.mounts:
            volume = claims_by_volume.get(mount.volume)
            access = "read-only" if mount.read_only else "read-write"
            if volume is not None and not volume.claim:
                scratch = make_id(namespace, "scratch", workload.name, volume.name)
                builder.node(
                    Node(
                        scratch,
                        "storage",
                        f"scratch {volume.name}",
                        (f"up to {volume.size}", "lives as long as the instance"),
                        group=root,
                        location=sources.workload(workload.name),
                    )
                )
                builder.edge(Edge(this, scratch, "storage", f"{access} {mount.path}"))
            elif volume is not None and volume.claim not in shared_claims:
                builder.edge(
                    Edge(this, make_id(namespace, "claim", volume.claim), "storage", f"{access} {mount.path}", implied=workload.implied)
                )

    for configuration_set in architecture.configuration_sets if unfold else ():
        keys = [key for key, _ in configuration_set.entries]
        builder.node(
            Node(
                make_id(namespace, "configuration", configuration_set.name),
                "configuration",
                f"configuration {configuration_set.name}",
                _limited(keys),
                group=root,
                implied=_is_implied(architecture, configuration_set.owner),
                location=sources.workload(configuration_set.owner),
            )
        )
    for secret_set in architecture.secret_sets if unfold else ():
        # Keys and where each value comes from; the values themselves never.
        items = [f"{item.key} ({item.origin})" for item in sorted(secret_set.items, key=lambda item: item.key)]
        builder.node(
            Node(
                make_id(namespace, "secret", secret_set.name),
                "secret",
                f"secrets {secret_set.name}",
                _limited(items),
                group=root,
                location=sources.workload(secret_set.owner),
            )
        )

    for claim in architecture.claims:
        builder.node(
            Node(
                make_id(namespace, "claim", claim.name),
                "storage",
                f"claim {claim.name}",
                # The class only when the platform names one: the cluster's default says nothing.
                (f"{claim.size}, {claim.access}",)
                + ((f"class {architecture.storage_class}",) if architecture.storage_class else ())
                + ((f"mounted by {len(claim_users[claim.name])} workloads (in their details)",) if claim.name in shared_claims else ()),
                group=root,
                implied=claim.implied,
                location=sources.claim(claim.name),
            )
        )

    # The workload's own service: a public one (`expose`) is drawn from the outside instead.
    own_services = [service for service in architecture.services if service.exposure != "public"]
    services_of = {service.workload: service.name for service in own_services}
    # A flow is to the pod's port; the edge goes to the Service, which may publish it as another.
    published = {
        (workload.name, workload_port.number, workload_port.protocol): service_port.number
        for workload in architecture.workloads
        for service in own_services
        if service.workload == workload.name
        for workload_port, service_port in zip(workload.ports, service.ports, strict=False)
    }
    for flow in architecture.flows:
        if flow.source in (INGRESS, OUTSIDE):
            continue  # Drawn as the ingress's route edges, or from the outside to the public service.
        target = service_id(services_of[flow.target]) if flow.target in services_of else workload_id(flow.target)
        service_port = published.get((flow.target, flow.port, flow.protocol), flow.port)
        port_text = f"{flow.port}/{flow.protocol}" if service_port == flow.port else f"{service_port}->{flow.port}/{flow.protocol}"
        builder.edge(
            Edge(
                workload_id(flow.source),
                target,
                "network",
                port_text,
                implied=_is_implied(architecture, flow.source),
                tooltip=flow.reason,
            )
        )
    if architecture.external_flows:
        # `connects to`: the only connections out of the cluster the network policies allow.
        outside = builder.node(Node("outside", "internet", "outside", (architecture.domain,)))
        for external in architecture.external_flows:
            builder.edge(
                Edge(
                    workload_id(external.source),
                    outside,
                    "network",
                    f"{external.target} {external.port}/{external.protocol}",
                    tooltip=(
                        f"connects to {external.target}: "
                        + (f"the address block {external.address}" if external.kind == "cidr" else "any public address")
                        + f" on {external.port}/{external.protocol}"
                    ),
                )
            )
    return builder.build()


def _is_implied(architecture: EnvironmentArchitecture, workload_name: str) -> bool:
    return any(workload.implied for workload in architecture.workloads if workload.name == workload_name)


def profile_summary(architecture: EnvironmentArchitecture) -> str:
    """The environment's profile and its main decisions, on one line: `PROD · performance: 2
    replicas, PodDisruptionBudget, autoscale 2-5 at 80% CPU, spread over nodes and zones,
    Guaranteed databases, backups at 0 3 * * * keeping 7`."""
    decisions = architecture.profile_decisions
    parts = [f"{decisions.replicas} replica{'s' if decisions.replicas != 1 else ''}"]
    if decisions.disruption_budget:
        parts.append("PodDisruptionBudget")
    autoscale = decisions.autoscale
    if autoscale is not None:
        parts.append(f"autoscale {autoscale.minimum}-{autoscale.maximum} at {autoscale.cpu_utilisation}% CPU")
    spread = [name for name, on in (("nodes", decisions.spread_across_nodes), ("zones", decisions.spread_across_zones)) if on]
    if spread:
        parts.append(f"spread over {' and '.join(spread)}")
    # Only what this application has: no database, nothing about databases or their backups.
    databases = any(workload.role == "database" for workload in architecture.workloads)
    if decisions.guaranteed_databases and databases:
        parts.append("Guaranteed databases")
    if decisions.backup_schedule and any(workload.role == "backup" for workload in architecture.workloads):
        parts.append(f"backups at {decisions.backup_schedule} keeping {decisions.backup_retention}")
    return f"{architecture.environment} · {architecture.profile}: {', '.join(parts)}"


def environment_name(architecture: EnvironmentArchitecture) -> str:
    """`PROD`, or `STAGING (INT)` when the environment is named apart from its kind."""
    kind = architecture.environment_kind
    return architecture.environment + ("" if kind == architecture.environment else f" ({kind})")


def _runtime_summary(workload: Workload) -> str:
    """How the platform asks after a workload and what it may use, for the node's tooltip:
    `ready: grpc :9555 every 15s; live: ...; cpu 200m-300m; memory 180Mi-300Mi`."""
    parts: list[str] = []
    for use, probe in (("start-up", workload.startup), ("ready", workload.readiness), ("live", workload.liveness)):
        if probe is None:
            continue
        where = f" {probe.path}" if probe.kind == "http" else ""
        port = f" :{probe.port}" if probe.kind != "command" else ""
        parts.append(f"{use}: {probe.kind}{where}{port} every {probe.period}s")
    resources = workload.resources
    if resources is not None:
        for name, request, limit in (
            ("cpu", resources.cpu_request, resources.cpu_limit),
            ("memory", resources.memory_request, resources.memory_limit),
        ):
            if request or limit:
                parts.append(f"{name} {request or '-'}-{limit or '-'}")
    if workload.single_instance:
        parts.append("single instance")
    if workload.guaranteed:
        parts.append("Guaranteed QoS (requests equal limits)")
    if workload.disruption_budget:
        parts.append("PodDisruptionBudget (at least 1 available)")
    spread = [name for name, on in (("nodes", workload.spread_across_nodes), ("zones", workload.spread_across_zones)) if on]
    if spread:
        parts.append(f"spread over {' and '.join(spread)}")
    return "; ".join(parts)
