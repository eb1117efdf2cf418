"""Stage 1: requirements model -> deployment architecture model, for one environment.

`build_architecture(application, environment, settings)` is a pure function of its inputs. It
decides what kind of workload each component is, where each variable's value comes from, which
connections the deployment needs, and what is implied: a scheduled backup of every database in
environments that keep backups. It assumes the requirements are free of errors (the build refuses
to get here otherwise) but stays total on anything the checker let through, so that the language
server and the diagrams can call it on a file with warnings.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field, fields, replace

from koncierge_lang.architecture.cluster_secrets import apply_secrets_strategy
from koncierge_lang.architecture.model import (
    INGRESS,
    OUTSIDE,
    Adjustments,
    Autoscale,
    CertificateIssuer,
    Claim,
    ConfigurationSet,
    Container,
    EnvironmentArchitecture,
    ExternalFlow,
    Hardening,
    HostPathStorage,
    Ingress,
    NetworkFlow,
    NetworkIsolation,
    Probe,
    ProfileDecisions,
    Resources,
    Route,
    SecretInput,
    SecretItem,
    SecretPart,
    SecretSet,
    Service,
    ServicePort,
    ValueSource,
    Variable,
    Volume,
    VolumeMount,
    Workload,
    WorkloadKind,
    WorkloadPort,
)
from koncierge_lang.performance import paused_garbage_collection
from koncierge_lang.requirements import model as requirements
from koncierge_lang.requirements.database_types import DATABASE_TYPES, backup_command, database_version
from koncierge_lang.requirements.generated_names import (
    CONTENTS_COPY_DIRECTORY,
    HOST_PATH_STORAGE_CLASS,
    backup_claim_name,
    backup_name,
    configuration_set_name,
    contents_copy_container_name,
    issuer_account_secret_name,
    issuer_name,
    public_service_name,
    scratch_volume_name,
    secret_set_name,
    tls_secret_name,
    unnamed_port_name,
)
from koncierge_lang.requirements.generated_names import namespace_name as _namespace_name
from koncierge_lang.requirements.sizes import COMPONENT_SIZES
from koncierge_lang.security.capabilities import PRIVILEGED_PORT_CAPABILITY, PRIVILEGED_PORT_LIMIT
from koncierge_lang.security.databases import (
    DATABASE_HARDENING,
    OTHER_WRITABLE_PATHS,
    SECRET_FILES_DIRECTORY,
    readiness_command,
)
from koncierge_lang.settings import ProfileSettings, Settings, parse_labels, resolved_profile

BACKUP_DIRECTORY = "/backups"
_BACKUP_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_FALLBACK_BACKUP_SIZE = "1Gi"


def namespace_name(
    application: requirements.Application, environment: requirements.Environment, settings: Settings | None = None
) -> str:
    """The namespace of an application in an environment: the `namespace` of its
    `[environments.NAME]` settings, else `todo-prod` (`generated_names.namespace_name`)."""
    if settings is not None:
        override = settings.environment(environment.name).namespace
        if override:
            return override
    return _namespace_name(application.kubernetes_name, environment.name)


def port_name(port: requirements.Port) -> str:
    """A port's name as Kubernetes allows it (at most 15 characters, lower case, a letter in it)."""
    if port.name:
        name = requirements.kubernetes_name(port.name)[:15].strip("-")
        if name and re.search("[a-z]", name):
            return name
    return unnamed_port_name(port.number, port.protocol)


@dataclass(frozen=True, slots=True)
class ComponentLayout:
    """What a component becomes that is the same in every environment: its workload's ports,
    volumes and mounts, and whether it is stateful."""

    ports: tuple[WorkloadPort, ...]
    # What the component's Service listens on, port by port: the number clients use.
    service_ports: tuple[ServicePort, ...]
    volumes: tuple[Volume, ...]
    mounts: tuple[VolumeMount, ...]
    stateful: bool


@dataclass(frozen=True, slots=True)
class ApplicationIndex:
    """An application's look-ups by name and its components' layouts (in component order): the same
    in every environment. `koncierge build` makes it once per application (`index_application`)
    and passes it to each environment's `build_architecture`, because making it per environment
    was a sixth of stage 1 for large applications."""

    application: requirements.Application
    # Look-ups by name: the requirements model searches its tuples, which is quadratic in the
    # number of components when every component refers to others. The first of a name wins.
    components: dict[str, requirements.Component]
    values: dict[str, requirements.Value]
    storages: dict[str, requirements.Storage]
    routes: dict[str, requirements.Route]
    layouts: tuple[ComponentLayout, ...]


def index_application(application: requirements.Application) -> ApplicationIndex:
    components = {component.name: component for component in reversed(application.components)}
    values = {value.name: value for value in reversed(application.values)}
    storages = {storage.name: storage for storage in reversed(application.storages)}
    routes = {route.name: route for route in reversed(application.routes)}
    mount_counts: dict[str, int] = {}
    for component in application.components:
        for storage_name in {mount.storage for mount in component.mounts}:
            mount_counts[storage_name] = mount_counts.get(storage_name, 0) + 1
    layouts = tuple(_component_layout(component, storages, mount_counts) for component in application.components)
    return ApplicationIndex(application, components, values, storages, routes, layouts)


def _component_layout(
    component: requirements.Component, storages: dict[str, requirements.Storage], mount_counts: dict[str, int]
) -> ComponentLayout:
    volumes: list[Volume] = []
    mounts: list[VolumeMount] = []
    writes_persistent_storage = False
    for mount in component.mounts:
        storage = storages.get(mount.storage)
        if storage is None:
            continue
        if storage.kubernetes_name not in {volume.name for volume in volumes}:
            volumes.append(
                Volume(storage.kubernetes_name, storage.kubernetes_name if storage.persistent else "", storage.size)
            )
        mounts.append(VolumeMount(storage.kubernetes_name, mount.path, mount.read_only))
        # Writing a claim of its own makes a workload stateful; storage shared with other
        # components is read-write-many, which any number of interchangeable replicas may write.
        shared = mount_counts.get(storage.name, 0) > 1
        writes_persistent_storage |= storage.persistent and not mount.read_only and not shared
    return ComponentLayout(
        ports=tuple(
            WorkloadPort(port_name(port), port.listens_on, port.protocol) for port in component.ports if port.sidecar is None
        ),
        service_ports=tuple(ServicePort(port_name(port), port.number, port.protocol) for port in component.ports),
        volumes=tuple(volumes),
        mounts=tuple(mounts),
        stateful=component.is_database or writes_persistent_storage,
    )


# Stage 1 builds many small, acyclic objects: the cyclic collector is paused meanwhile, as in the
# parser and checker (koncierge_lang/performance.py).
@paused_garbage_collection()
def build_architecture(
    application: requirements.Application,
    environment: requirements.Environment,
    settings: Settings,
    index: ApplicationIndex | None = None,
) -> EnvironmentArchitecture:
    """The deployment architecture of `application` in `environment`; `index`, when given, is
    `index_application(application)`, shared by the application's environments."""
    if index is None:
        index = index_application(application)
    elif index.application is not application:
        raise ValueError("the index was made for another application")
    context = _Context(
        application,
        environment,
        index,
        pull_policy=_pull_policy(environment, settings),
        namespace=namespace_name(application, environment, settings),
        profile=environment_profile(environment, settings),
    )
    placement = settings.environment(environment.name)

    routed = {route.component for route in application.routes}
    workloads: list[Workload] = []
    services: list[Service] = []
    configuration_sets: list[ConfigurationSet] = []
    secret_sets: list[SecretSet] = []
    for component, layout in zip(application.components, index.layouts, strict=True):
        workload, configuration_set, secret_set = _component_workload(context, component, layout)
        workloads.append(workload)
        if configuration_set is not None:
            configuration_sets.append(configuration_set)
        if secret_set is not None:
            secret_sets.append(secret_set)
        if workload.ports:
            services.append(
                Service(
                    name=workload.name,
                    workload=workload.name,
                    exposure="routed" if component.name in routed else "internal",
                    ports=layout.service_ports,
                )
            )
        public = _public_service(context, component)
        if public is not None:
            services.append(public)

    _declared_flows(context)
    claims = _claims(application)

    if environment.backups:
        for database in [
            workload
            for workload in workloads
            if workload.database_type is not None and DATABASE_TYPES[workload.database_type].backed_up
        ]:
            backup, backup_configuration, backup_claim = _backup(context, database, claims, settings)
            workloads.append(backup)
            configuration_sets.append(backup_configuration)
            claims.append(backup_claim)

    ingress = _ingress(context, settings)
    if ingress is not None:
        for route in ingress.routes:
            route_requirement = context.routes.get(route.name)
            target = context.components.get(route_requirement.component) if route_requirement else None
            container_port = route_requirement.container_port if route_requirement else 0
            protocol = _port_protocol(target, route.port)
            context.flows.add(
                (INGRESS, route.service, container_port or route.port, protocol, f"route {route.name}: {route.url}")
            )

    workloads = _harden(context, workloads, settings)
    if context.profile.guaranteed_databases:
        workloads = [
            _guaranteed(context, workload, settings) if workload.role == "database" else workload for workload in workloads
        ]
    external_flows = tuple(
        sorted(
            (
                ExternalFlow(
                    component.kubernetes_name, dependency.target, dependency.kind, dependency.address,
                    dependency.port, dependency.protocol,
                )
                for component in application.components
                for dependency in component.connections
            ),
            key=lambda flow: (flow.source, flow.address, flow.port, flow.protocol, flow.target),
        )
    )
    network_isolation = None
    if settings.network_policies:
        network_isolation = NetworkIsolation(
            settings.ingress_controller_namespace,
            parse_labels(settings.ingress_controller_labels) or (),
            settings.dns_namespace,
            parse_labels(settings.dns_labels) or (),
        )

    host_path = None
    if settings.storage_provisioner == "host-path":
        host_path = HostPathStorage(HOST_PATH_STORAGE_CLASS, settings.host_path_directory)

    architecture = EnvironmentArchitecture(
        application=application.kubernetes_name,
        application_description=application.description,
        environment=environment.name,
        environment_kind=environment.kind,
        namespace=context.namespace,
        cluster=placement.cluster,
        profile=context.profile.name,
        profile_decisions=_profile_decisions(environment, settings),
        domain=environment.domain,
        https=environment.https,
        backups=environment.backups,
        performance_optimised=environment.performance_optimised,
        strict_security=environment.strict_security,
        storage_class=HOST_PATH_STORAGE_CLASS if host_path else settings.storage_class,
        host_path=host_path,
        workloads=tuple(workloads),
        services=tuple(services),
        configuration_sets=tuple(configuration_sets),
        secret_sets=tuple(secret_sets),
        claims=tuple(claims),
        ingress=ingress,
        flows=_flows(context.flows),
        external_flows=external_flows,
        network_isolation=network_isolation,
    )
    return apply_secrets_strategy(architecture, settings)


def _public_service(context: _Context, component: requirements.Component) -> Service | None:
    """`expose`: the ports the component exposes in this environment, in a service of their own,
    and a flow from outside the cluster to each (the pod's port, as the network policies need)."""
    name = component.kubernetes_name
    ports: list[ServicePort] = []
    for exposure in component.exposures:
        if not exposure.applies_in(context.environment.name):
            continue
        port = next(
            (port for port in component.ports if port.number == exposure.port and port.protocol == exposure.protocol), None
        )
        if port is None:
            continue
        ports.append(ServicePort(port_name(port), port.number, port.protocol))
        context.flows.add((OUTSIDE, name, port.listens_on, port.protocol, f"expose {port.name or port.number}"))
    if not ports:
        return None
    return Service(name=public_service_name(name), workload=name, exposure="public", ports=tuple(ports))


def environment_profile(environment: requirements.Environment, settings: Settings) -> ProfileSettings:
    """The profile an environment is built with (`[environments.NAME] profile`, else by its kind)."""
    return settings.profile(resolved_profile(settings.environment(environment.name), environment.performance_optimised))


def is_hardened(environment: requirements.Environment, settings: Settings) -> bool:
    return settings.hardening == "all" or (settings.hardening == "strict" and environment.strict_security)


# Requests and limits when neither the settings nor the author say: small in budget environments,
# more in performance ones; databases get more memory for caches.
_DEFAULT_RESOURCES = {
    (False, False): Resources("50m", "64Mi", "500m", "256Mi"),
    (False, True): Resources("100m", "256Mi", "1", "512Mi"),
    (True, False): Resources("250m", "256Mi", "1", "512Mi"),
    (True, True): Resources("500m", "512Mi", "2", "1Gi"),
}


def _size_resources(size: str | None) -> Resources | None:
    known = COMPONENT_SIZES.get(size or "")
    if known is None:
        return None
    return Resources(known.cpu_request, known.memory_request, known.cpu_limit, known.memory_limit)


def default_resources(profile: ProfileSettings, settings: Settings, database: bool) -> Resources:
    """The requests and limits of a container that states none, where the environment sets them:
    the profile's, else the platform's `[resources]`, else the built-in defaults of the profile
    (more for performance, and more memory for databases). The profile wins over `[resources]`
    because it is the narrower of the two: `[resources]` is for every environment."""
    default = _DEFAULT_RESOURCES[(profile.name == "performance", database)]
    return Resources(
        profile.cpu_request or settings.cpu_request or default.cpu_request,
        profile.memory_request or settings.memory_request or default.memory_request,
        profile.cpu_limit or settings.cpu_limit or default.cpu_limit,
        profile.memory_limit or settings.memory_limit or default.memory_limit,
    )


def _resources(environment: requirements.Environment, workload: Workload, settings: Settings) -> Resources:
    """The author's exact `cpu` and `memory` win, then `size`; else the profile's requests and
    limits, then the platform's `[resources]`, then the environment's defaults."""
    sized = _size_resources(workload.size)
    if sized is None:
        sized = default_resources(environment_profile(environment, settings), settings, workload.role == "database")
    return _exact_over(workload.declared_resources, sized) or sized


def backup_plan(profile: ProfileSettings, settings: Settings) -> tuple[str, int]:
    """When the implied backups run and how many dumps they keep: the profile's, else `[backups]`."""
    return profile.backup_schedule or settings.backup_schedule, profile.backup_retention or settings.backup_retention


def _profile_decisions(environment: requirements.Environment, settings: Settings) -> ProfileDecisions:
    profile = environment_profile(environment, settings)
    autoscale = None
    if profile.autoscale_max:
        autoscale = Autoscale(profile.autoscale_min or profile.replicas, profile.autoscale_max, profile.autoscale_cpu)
    schedule, retention = backup_plan(profile, settings) if environment.backups else ("", 0)
    hardened = is_hardened(environment, settings)
    return ProfileDecisions(
        replicas=profile.replicas,
        autoscale=autoscale,
        disruption_budget=profile.disruption_budget,
        spread_across_nodes=profile.spread_across_nodes,
        spread_across_zones=profile.spread_across_zones,
        guaranteed_databases=profile.guaranteed_databases,
        backup_schedule=schedule,
        backup_retention=retention,
        default_resources=default_resources(profile, settings, database=False) if hardened else None,
        database_resources=(
            default_resources(profile, settings, database=True) if hardened or profile.guaranteed_databases else None
        ),
    )


def _equal_requests(resources: Resources) -> Resources:
    """Requests equal to limits, as Guaranteed QoS needs: CPU at the request and memory at the limit
    (a missing one is the other). A CPU limit only slows a container down, so the pod reserves
    no more CPU than it did without the guarantee and still fits where it fitted; a memory limit
    kills the container, so the memory it was allowed before stays allowed, now reserved for it."""
    cpu = resources.cpu_request or resources.cpu_limit
    memory = resources.memory_limit or resources.memory_request
    return Resources(cpu, memory, cpu, memory)


def _guaranteed(context: _Context, workload: Workload, settings: Settings) -> Workload:
    """A database's pod in Guaranteed QoS: Kubernetes gives it that class only when every
    container, init containers included, has CPU and memory requests equal to its limits. Where
    the environment sets no defaults (not hardened), the database and its other containers get
    the profile's, as they would where hardened."""
    environment = context.environment
    # The author's `cpu` and `memory` over `size` over the defaults, each complete.
    resources = _resources(environment, workload, settings)
    others = _resources(environment, _replace_workload(workload, size=None, role="server", declared_resources=None), settings)
    containers = tuple(
        replace(container, resources=_equal_requests(_filled(container.resources or others, others)))
        for container in workload.containers
    )
    return _replace_workload(workload, resources=_equal_requests(resources), containers=containers, guaranteed=True)


def _filled(resources: Resources, defaults: Resources) -> Resources:
    """`resources` with what it leaves empty taken from `defaults`, one resource at a time."""
    cpu = resources if resources.cpu_request or resources.cpu_limit else defaults
    memory = resources if resources.memory_request or resources.memory_limit else defaults
    return Resources(cpu.cpu_request, memory.memory_request, cpu.cpu_limit, memory.memory_limit)


def _exact_resources(component: requirements.Component, environment: requirements.Environment) -> Resources | None:
    """The component's `cpu` and `memory` lines that apply in `environment`; "" for what they leave out."""
    cpu = component.resource("cpu", environment.name)
    memory = component.resource("memory", environment.name)
    if cpu is None and memory is None:
        return None
    return Resources(
        cpu.request if cpu else "", memory.request if memory else "", cpu.limit if cpu else "", memory.limit if memory else ""
    )


def _exact_over(exact: Resources | None, underneath: Resources | None) -> Resources | None:
    """Exact requests and limits, one resource at a time, over those of a size or an environment."""
    if exact is None or underneath is None:
        return exact or underneath
    cpu = exact if exact.cpu_request else underneath
    memory = exact if exact.memory_request else underneath
    return Resources(cpu.cpu_request, memory.memory_request, cpu.cpu_limit, memory.memory_limit)


# Which of a workload's probes each declared kind of probe is.
_PROBE_USES = {"startup": "startup", "live": "liveness", "ready": "readiness"}


def _declared_probes(component: requirements.Component) -> tuple[tuple[str, Probe], ...]:
    """The author's probes, by use. A `live` probe that waits (`after`) with no `startup` probe
    beside it becomes a start-up probe that allows as long, and a liveness probe that asks at once:
    a fixed delay holds back every restart's checks, while a start-up probe only waits for as long
    as the start actually takes."""
    declared: dict[str, Probe] = {}
    for check in component.probes:
        declared[_PROBE_USES[check.kind]] = Probe(
            check.check,
            check.port,
            check.command,
            check.path,
            check.headers,
            initial_delay=check.after or 0,
            period=check.every or 10,
            timeout=check.timeout or 5,
            failures=check.failures,
        )
    liveness = declared.get("liveness")
    if liveness is not None and liveness.initial_delay and "startup" not in declared:
        allowed = -(-liveness.initial_delay // liveness.period) + (liveness.failures or 3)
        declared["startup"] = _replace_probe(liveness, initial_delay=0, failures=allowed)
        declared["liveness"] = _replace_probe(liveness, initial_delay=0)
    return tuple((use, declared[use]) for use in ("startup", "liveness", "readiness") if use in declared)


def _replace_probe(probe: Probe, **changes: object) -> Probe:
    values: dict[str, object] = {name: getattr(probe, name) for name in Probe.__dataclass_fields__}
    values.update(changes)
    return Probe(**values)  # type: ignore[arg-type]


def _author_probes(
    workload: Workload, startup: Probe | None, liveness: Probe | None, readiness: Probe | None
) -> tuple[Probe | None, Probe | None, Probe | None]:
    """What the author declared over the environment's probes: `health` for liveness and readiness,
    then each declared `probe` for its own use."""
    health = _health_probe(workload.health_path, workload.health_port)
    if health is not None:
        liveness = readiness = health
    declared = dict(workload.declared_probes)
    return (
        declared.get("startup", startup),
        declared.get("liveness", liveness),
        declared.get("readiness", readiness),
    )


def _health_probe(path: str, port: int) -> Probe | None:
    return Probe("http", port, path=path) if path else None


_WORKLOAD_FIELDS = tuple(workload_field.name for workload_field in fields(Workload))
_workload_values = operator.attrgetter(*_WORKLOAD_FIELDS)


def _replace_workload(workload: Workload, **changes: object) -> Workload:
    """`dataclasses.replace` for a workload. Stage 1 replaces every workload once per environment,
    and the generic `replace`, which walks the fields in Python, was a tenth of its time."""
    values = dict(zip(_WORKLOAD_FIELDS, _workload_values(workload), strict=True))
    values.update(changes)
    return Workload(**values)


def _pull_policy(environment: requirements.Environment, settings: Settings) -> str:
    return settings.image_pull_policy or ("Always" if is_hardened(environment, settings) else "IfNotPresent")


def _harden(context: _Context, workloads: list[Workload], settings: Settings) -> list[Workload]:
    """Each workload as it runs in this environment: hardened when its security is strict. What the
    author declared (`size`, `health`, `as file`) applies in every environment."""
    environment = context.environment
    if not is_hardened(environment, settings):
        # Workloads are made as they run where not hardened (`_component_workload`, `_backup`).
        return workloads
    pull_policy = context.pull_policy
    database_types = {workload.name: workload.database_type for workload in workloads if workload.database_type}
    result: list[Workload] = []
    for workload in workloads:
        database_type = workload.database_type
        if workload.role == "backup":
            database_type = next(
                (kind for name, kind in database_types.items() if workload.name == backup_name(name)), None
            )
        known = DATABASE_HARDENING.get(database_type or "")
        mounted = {mount.path.rstrip("/") for mount in workload.mounts}
        wanted = known.writable_paths if known is not None and workload.role == "database" else OTHER_WRITABLE_PATHS
        writable = tuple(
            dict.fromkeys(path for path in (*wanted, *workload.declared_writable_paths) if path not in mounted)
        )
        asked = set(workload.secret_files)
        secret_files = tuple(
            variable.name
            for variable in workload.variables
            if variable.source is ValueSource.SECRET
            and (variable.name in asked or (known is not None and variable.name in known.file_variables))
        )
        startup = liveness = readiness = None
        if workload.kind is not WorkloadKind.SCHEDULED and workload.ports:
            port = workload.ports[0].number
            liveness = readiness = Probe("tcp", port)
            if workload.role == "database":
                # First start initialises the data directory with networking off: give it time.
                startup = Probe("tcp", port)
                if known is not None and database_type is not None:
                    version = database_version(DATABASE_TYPES[database_type], workload.image)
                    readiness = Probe("command", command=readiness_command(database_type, version))
        startup, liveness, readiness = _author_probes(workload, startup, liveness, readiness)
        command = workload.command
        if workload.role == "backup" and secret_files and len(command) == 3:
            reads = "".join(f'{name}="$(cat {SECRET_FILES_DIRECTORY}/{name})"\n' for name in secret_files)
            command = (command[0], command[1], command[2].replace("set -eu\n", "set -eu\n" + reads, 1))
        hardening = _hardening(workload.adjustments, workload.ports, settings)
        result.append(
            _replace_workload(
                workload,
                command=command,
                hardening=hardening,
                image_pull_policy=pull_policy,
                resources=_resources(environment, workload, settings),
                startup=startup,
                liveness=liveness,
                readiness=readiness,
                secret_files=secret_files,
                writable_paths=writable,
                containers=_hardened_containers(context, workload, hardening, writable, settings),
            )
        )
    return result


@dataclass(slots=True)
class _Context:
    application: requirements.Application
    environment: requirements.Environment
    index: ApplicationIndex
    pull_policy: str = ""
    namespace: str = ""
    profile: ProfileSettings = field(default_factory=lambda: ProfileSettings("budget"))
    # (source, target, port, protocol, reason); a set so that repeated references count once.
    flows: set[tuple[str, str, int, str, str]] = field(default_factory=set)
    # The index's look-ups, at hand.
    components: dict[str, requirements.Component] = field(default_factory=dict)
    values: dict[str, requirements.Value] = field(default_factory=dict)
    routes: dict[str, requirements.Route] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.namespace:
            self.namespace = namespace_name(self.application, self.environment)
        self.components = self.index.components
        self.values = self.index.values
        self.routes = self.index.routes


@dataclass(slots=True)
class _Resolved:
    parts: list[SecretPart] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    derived: bool = False
    # Whether a secret is among the parts (then the whole value is a secret).
    secret: bool = False
    # (reference as written, target workload, port its program listens on, protocol) for every
    # port the expression names (`x.port`, `x.amqp`, `"${x.host}:5672"`): found in the same walk
    # as the value.
    flows: list[tuple[str, str, int, str]] = field(default_factory=list)
    # (reference as written, target component) for every `x.host` without a port after it: it
    # connects to the target's first port unless the value names another port of the target.
    hosts: list[tuple[str, str]] = field(default_factory=list)


def _component_workload(
    context: _Context, component: requirements.Component, layout: ComponentLayout
) -> tuple[Workload, ConfigurationSet | None, SecretSet | None]:
    application = context.application
    name = component.kubernetes_name
    configuration_name = configuration_set_name(name)
    secrets_name = secret_set_name(name)
    state_key_prefix = f"{application.kubernetes_name}/{context.environment.name}/{component.name}/"
    configuration_entries: list[tuple[str, str]] = []
    secret_items: list[SecretItem] = []
    variables: list[Variable] = []
    for variable in component.variables:
        resolved = _Resolved()
        _resolve(
            context,
            variable.expression,
            state_key_prefix + variable.name,
            f"{component.name}/{variable.name}",
            resolved,
            frozenset(),
        )
        for reference_text, target, port, protocol in _variable_flows(context, component, resolved):
            context.flows.add((name, target, port, protocol, f"{variable.name} = {reference_text}"))
        parts = _merge_literals(resolved.parts)
        if resolved.secret:
            secret_items.append(SecretItem(variable.name, parts))
            variables.append(
                Variable(
                    variable.name,
                    ValueSource.SECRET,
                    secrets_name,
                    variable.name,
                    "",
                    tuple(resolved.references),
                )
            )
        else:
            text = "".join(parts)  # type: ignore[arg-type]  # Without a secret, every part is text.
            configuration_entries.append((variable.name, text))
            source = ValueSource.REFERENCE if resolved.derived else ValueSource.CONFIGURATION
            variables.append(
                Variable(
                    variable.name, source, configuration_name, variable.name, text, tuple(resolved.references)
                )
            )

    stateful = layout.stateful
    profile = context.profile
    # Only interchangeable copies are replicated, kept available, spread and scaled by the profile.
    interchangeable = not (stateful or component.single_instance or component.is_database)
    autoscale = None
    if component.replicas is not None:
        replicas = component.replicas
    elif not interchangeable:
        replicas = 1
    else:
        # By default two interchangeable replicas in performance environments keep serving while
        # one is replaced or its node fails; the profile may ask for more, or for autoscaling.
        replicas = profile.replicas
        if profile.autoscale_max:
            autoscale = Autoscale(profile.autoscale_min or replicas, profile.autoscale_max, profile.autoscale_cpu)
    fewest = autoscale.minimum if autoscale is not None else replicas
    several = interchangeable and fewest > 1

    health = component.health
    declared_probes = _declared_probes(component)
    declared_resources = _exact_resources(component, context.environment)
    # Where the environment is not hardened, what the author declared is all (see `_harden`).
    declared = dict(declared_probes)
    health_probe = _health_probe(health.path, health.port) if health is not None else None
    workload = Workload(
        name=name,
        component=component.name,
        kind=WorkloadKind.STATEFUL if stateful else WorkloadKind.STATELESS,
        role="database" if component.is_database else "server",
        image=component.image,
        replicas=replicas,
        ports=layout.ports,
        command=component.command,
        args=component.args,
        variables=tuple(variables),
        volumes=layout.volumes,
        mounts=layout.mounts,
        database_type=component.database_type,
        secret_files=tuple(
            variable.name
            for variable, built in zip(component.variables, variables, strict=True)
            if variable.as_file and built.source is ValueSource.SECRET
        ),
        size=component.size,
        health_path=health.path if health is not None else "",
        health_port=health.port if health is not None else 0,
        declared_writable_paths=component.writable_paths,
        image_pull_policy=context.pull_policy,
        resources=_exact_over(declared_resources, _size_resources(component.size)),
        startup=declared.get("startup"),
        liveness=declared.get("liveness", health_probe),
        readiness=declared.get("readiness", health_probe),
        declared_probes=declared_probes,
        declared_resources=declared_resources,
        single_instance=component.single_instance,
        disruption_budget=several and profile.disruption_budget,
        spread_across_nodes=several and profile.spread_across_nodes,
        spread_across_zones=several and profile.spread_across_zones,
        autoscale=autoscale,
        pod=component.pod,
        adjustments=_adjustments(component.adjustments),
        containers=_containers(
            context, component, state_key_prefix, configuration_name, secrets_name, configuration_entries, secret_items
        ),
    )
    configuration_set = (
        ConfigurationSet(configuration_name, name, tuple(sorted(configuration_entries)))
        if configuration_entries
        else None
    )
    secret_set = (
        SecretSet(secrets_name, name, tuple(sorted(secret_items, key=lambda item: item.key)))
        if secret_items
        else None
    )
    return workload, configuration_set, secret_set


def _resolve(
    context: _Context,
    whole: requirements.Expression,
    state_key: str,
    secret_name: str,
    resolved: _Resolved,
    visiting: frozenset[str],
) -> None:
    """Append the parts of `whole`'s value in this environment to `resolved`, and the
    connections it makes its workload open, following named values. A secret is kept under
    `state_key` and named `secret_name` (`SecretInput.name`); inside a named value, under the
    value's. The walk keeps its own stack, not Python's: a chain of named values is as long as the
    file makes it."""
    application = context.application
    environment = context.environment
    following = set(visiting)
    # What is left to resolve, last first: an expression with the state key and secret name of the
    # value it is part of, or (a bare name) the end of a named value's expression.
    pending: list[tuple[requirements.Expression | str, str, str] | str] = [(whole, state_key, secret_name)]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            following.discard(item)
            continue
        expression, key, name = item
        if isinstance(expression, str):
            resolved.parts.append(expression)
        elif isinstance(expression, requirements.Text):
            pending.extend((part, key, name) for part in reversed(expression.parts))
        elif isinstance(expression, requirements.PerEnvironmentText):
            chosen = next((text for case, text in expression.cases if case == environment.name), expression.otherwise)
            if chosen is not None:
                pending.append((chosen, key, name))
        elif isinstance(expression, requirements.Secret):
            resolved.parts.append(SecretInput(expression.source, expression.text, expression.length, key, name))
            resolved.secret = True
        elif isinstance(expression, requirements.ValueReference):
            resolved.references.append(expression.value)
            value = context.values.get(expression.value)
            if value is not None and expression.value not in following:
                value_key = f"{application.kubernetes_name}/{environment.name}/values/{value.name}"
                following.add(expression.value)
                pending.append(expression.value)  # Then the value may be followed again (`"${a}${a}"`).
                pending.append((value.expression, value_key, value.name))
        elif isinstance(expression, requirements.ComponentHost):
            reference = f"{expression.component}.host"
            resolved.references.append(reference)
            resolved.derived = True
            target = context.components.get(expression.component)
            if target is None:
                resolved.parts.append(requirements.kubernetes_name(expression.component))
            else:
                resolved.parts.append(target.kubernetes_name)
                named = next((port for port in target.ports if port.number == expression.port), None)
                if named is not None:
                    # `"${x.host}:5672"`: the port written after the host.
                    resolved.flows.append(
                        (f"{reference}:{named.number}", target.kubernetes_name, named.listens_on, named.protocol)
                    )
                else:
                    resolved.hosts.append((reference, expression.component))
        elif isinstance(expression, requirements.ComponentPort):
            reference = f"{expression.component}.{expression.port or 'port'}"
            resolved.references.append(reference)
            resolved.derived = True
            target = context.components.get(expression.component)
            port = target.port(expression.port) if target is not None else None
            resolved.parts.append(str(port.number) if port is not None else "")
            if target is not None and port is not None:
                resolved.flows.append((reference, target.kubernetes_name, port.listens_on, port.protocol))
        elif isinstance(expression, requirements.RouteDomain):
            resolved.references.append(f"{expression.route}.domain")
            resolved.derived = True
            route = context.routes.get(expression.route)
            resolved.parts.append(requirements.route_domain(route, environment) if route else "")
        elif isinstance(expression, requirements.RouteUrl):
            resolved.references.append(f"{expression.route}.url")
            resolved.derived = True
            route = context.routes.get(expression.route)
            resolved.parts.append(requirements.route_url(route, environment) if route else "")


def _variable_flows(
    context: _Context, source: requirements.Component, resolved: _Resolved
) -> list[tuple[str, str, int, str]]:
    """The connections one variable's value makes: the ports it names, and the first port of each
    component whose host it names without naming one of its ports. A component's references to
    itself make none (a program reaches itself without the network policies)."""
    flows = [flow for flow in resolved.flows if flow[1] != source.kubernetes_name]
    named_ports: dict[str, list[tuple[int, str]]] = {}
    for _, target_name, port_number, protocol in flows:
        named_ports.setdefault(target_name, []).append((port_number, protocol))
    for reference, component_name in resolved.hosts:
        target = context.components.get(component_name)
        if target is None or not target.ports or target.kubernetes_name == source.kubernetes_name:
            continue
        for port_number, protocol in named_ports.get(target.kubernetes_name) or [
            (target.ports[0].listens_on, target.ports[0].protocol)
        ]:
            flows.append((reference, target.kubernetes_name, port_number, protocol))
    return flows


def _declared_flows(context: _Context) -> None:
    """`connects to` and `accepts from`: the connections declared without a variable."""
    for component in context.application.components:
        for connection in component.component_connections:
            source = context.components.get(connection.source)
            target = context.components.get(connection.target)
            if source is None or target is None or source is target:
                continue
            port = next((port for port in target.ports if port.number == connection.port), None)
            if port is None:
                continue
            reason = (
                f"{connection.target} accepts from {connection.source}"
                if connection.accepted
                else f"connects to {connection.target}"
            )
            context.flows.add((source.kubernetes_name, target.kubernetes_name, port.listens_on, port.protocol, reason))


def _merge_literals(parts: list[SecretPart]) -> tuple[SecretPart, ...]:
    if len(parts) == 1:  # The usual case: nothing to merge.
        return (parts[0],)
    merged: list[SecretPart] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + part
                continue
        merged.append(part)
    return tuple(merged) if merged else ("",)


def _claims(application: requirements.Application) -> list[Claim]:
    mounted_by: dict[str, set[str]] = {}
    for component in application.components:
        for mount in component.mounts:
            mounted_by.setdefault(mount.storage, set()).add(component.name)
    claims: list[Claim] = []
    for storage in application.storages:
        if not storage.persistent:
            continue
        shared = len(mounted_by.get(storage.name, set())) > 1
        claims.append(
            Claim(
                name=storage.kubernetes_name,
                storage=storage.name,
                size=storage.size,
                access="read-write-many" if shared else "read-write-once",
                owner=storage.owner,
            )
        )
    return claims


def _backup(
    context: _Context, database: Workload, claims: list[Claim], settings: Settings
) -> tuple[Workload, ConfigurationSet, Claim]:
    """The implied backup of one database: its own dump tool, on a schedule, into its own claim."""
    assert database.database_type is not None
    database_type = DATABASE_TYPES[database.database_type]
    name = backup_name(database.name)
    claim_name = backup_claim_name(database.name)
    database_claims = [claim for claim in claims if claim.name in {volume.claim for volume in database.volumes}]
    size = settings.backup_size or (database_claims[0].size if database_claims else _FALLBACK_BACKUP_SIZE)

    configuration_name = configuration_set_name(name)
    variables = [
        Variable(
            "DATABASE_HOST",
            ValueSource.REFERENCE,
            configuration_name,
            "DATABASE_HOST",
            database.name,
            (f"{database.component}.host",),
        )
    ]
    database_variables = {variable.name: variable for variable in database.variables}
    requirement = context.components.get(database.component)
    dump = backup_command(
        database_type,
        database_version(database_type, database.image),
        requirement.authentication if requirement is not None else True,
    )
    for variable_name in sorted(set(_BACKUP_VARIABLE.findall(dump)) - {"DATABASE_HOST"}):
        if variable_name in database_variables:
            variables.append(database_variables[variable_name])

    schedule, retention = backup_plan(context.profile, settings)
    prefix = f"{BACKUP_DIRECTORY}/{database.name}-"
    script = "\n".join(
        (
            "set -eu",
            f'target="{prefix}$(date -u +%Y%m%d-%H%M%S).dump"',
            f'{dump} > "$target.partial"',
            'mv "$target.partial" "$target"',
            f"# Keep the newest {retention} backups.",
            f'ls -1 {prefix}*.dump | sort -r | tail -n +{retention + 1} | while read -r old; do rm -f -- "$old"; done',
        )
    )
    database_port = database.ports[0] if database.ports else None
    if database_port is not None:
        context.flows.add(
            (name, database.name, database_port.number, database_port.protocol, f"backup of {database.component}")
        )
    environment = context.environment
    backup = Workload(
        name=name,
        component=f"{database.component}-backup",
        kind=WorkloadKind.SCHEDULED,
        role="backup",
        # The database's own image: its dump tool has the server's version.
        image=database.image,
        replicas=1,
        ports=(),
        command=("/bin/sh", "-c", script),
        args=(),
        variables=tuple(variables),
        volumes=(Volume("backups", claim_name, size),),
        mounts=(VolumeMount("backups", BACKUP_DIRECTORY, False),),
        database_type=None,
        schedule=schedule,
        retention=retention,
        image_pull_policy=context.pull_policy,
        implied=True,
        implied_reason=(
            f"environment {environment.name} ({environment.kind}) keeps backups, so database "
            f"`{database.component}` is dumped with its own tool on a schedule"
        ),
    )
    configuration = ConfigurationSet(configuration_name, name, (("DATABASE_HOST", database.name),))
    claim = Claim(claim_name, "", size, "read-write-once", database.component, implied=True)
    return backup, configuration, claim


def _port_protocol(component: requirements.Component | None, number: int) -> str:
    if component is not None:
        for port in component.ports:
            if port.number == number:
                return port.protocol
    return "TCP"


def _ingress(context: _Context, settings: Settings) -> Ingress | None:
    application = context.application
    environment = context.environment
    if not application.routes:
        return None
    routes: list[Route] = []
    for route in application.routes:
        component = context.components.get(route.component)
        routes.append(
            Route(
                name=route.name,
                host=requirements.route_domain(route, environment),
                path=route.path,
                service=component.kubernetes_name if component else requirements.kubernetes_name(route.component),
                port=route.port,
                url=requirements.route_url(route, environment),
            )
        )
    issuer = None
    tls_hosts: tuple[str, ...] = ()
    if environment.https:
        tls_hosts = tuple(sorted({route.host for route in routes}))
        issuer = CertificateIssuer(
            name=issuer_name(application.kubernetes_name),
            acme_server=settings.acme_server,
            email=settings.acme_email,
            account_key_secret=issuer_account_secret_name(application.kubernetes_name),
        )
    return Ingress(
        name=application.kubernetes_name,
        ingress_class=settings.ingress_class,
        routes=tuple(routes),
        tls_hosts=tls_hosts,
        tls_secret=tls_secret_name(application.kubernetes_name) if environment.https else "",
        issuer=issuer,
        force_ssl_redirect=environment.https and settings.force_ssl_redirect,
    )


def _flows(flows: set[tuple[str, str, int, str, str]]) -> tuple[NetworkFlow, ...]:
    """One flow per (source, target, port, protocol), its reasons joined, in sorted order."""
    reasons: dict[tuple[str, str, int, str], list[str]] = {}
    for source, target, port, protocol, reason in flows:
        reasons.setdefault((source, target, port, protocol), []).append(reason)
    return tuple(NetworkFlow(*key, "; ".join(sorted(set(reasons[key])))) for key in sorted(reasons))


# Sidecars and init containers, and hardening that adapts to the program (issue 13).


def _adjustments(adjustments: requirements.HardeningAdjustments) -> Adjustments:
    return Adjustments(
        adjustments.capabilities,
        adjustments.run_as_user,
        adjustments.run_as_group,
        adjustments.kept_paths,
        adjustments.writes_everywhere,
    )


def _containers(
    context: _Context,
    component: requirements.Component,
    state_key_prefix: str,
    configuration_name: str,
    secrets_name: str,
    configuration_entries: list[tuple[str, str]],
    secret_items: list[SecretItem],
) -> tuple[Container, ...]:
    """The component's sidecars and init containers as they run where not hardened. Their variables
    join the component's sets under `<container>.<NAME>` (a variable's name has no `.`), and their
    generated secrets are kept under `<component>/<container>/<NAME>`; what they connect to is the
    pod's, so the component's flows."""
    name = component.kubernetes_name
    containers: list[Container] = []
    for declared in component.containers:
        variables: list[Variable] = []
        for variable in declared.variables:
            key = f"{declared.name}.{variable.name}"
            resolved = _Resolved()
            _resolve(
                context,
                variable.expression,
                f"{state_key_prefix}{declared.name}/{variable.name}",
                f"{component.name}/{declared.name}/{variable.name}",
                resolved,
                frozenset(),
            )
            for reference_text, target, port, protocol in _variable_flows(context, component, resolved):
                context.flows.add((name, target, port, protocol, f"{declared.name}: {variable.name} = {reference_text}"))
            parts = _merge_literals(resolved.parts)
            references = tuple(resolved.references)
            if resolved.secret:
                secret_items.append(SecretItem(key, parts))
                variables.append(Variable(variable.name, ValueSource.SECRET, secrets_name, key, "", references))
            else:
                text = "".join(parts)  # type: ignore[arg-type]  # Without a secret, every part is text.
                configuration_entries.append((key, text))
                source = ValueSource.REFERENCE if resolved.derived else ValueSource.CONFIGURATION
                variables.append(Variable(variable.name, source, configuration_name, key, text, references))
        containers.append(
            Container(
                name=declared.name,
                kind=declared.kind,
                image=declared.image,
                ports=tuple(WorkloadPort(port_name(port), port.listens_on, port.protocol) for port in declared.ports),
                command=declared.command,
                args=declared.args,
                variables=tuple(variables),
                secret_files=tuple(
                    variable.name
                    for variable, built in zip(declared.variables, variables, strict=True)
                    if variable.as_file and built.source is ValueSource.SECRET
                ),
                declared_writable_paths=declared.writable_paths,
                adjustments=_adjustments(declared.adjustments),
                image_pull_policy=context.pull_policy,
            )
        )
    return tuple(containers)


def _hardening(adjustments: Adjustments, ports: tuple[WorkloadPort, ...], settings: Settings) -> Hardening:
    """A container's hardening: the platform's user unless the author names one, every capability
    dropped but those the author adds and `NET_BIND_SERVICE` for a port below 1024."""
    capabilities = set(adjustments.capabilities)
    if any(port.number < PRIVILEGED_PORT_LIMIT for port in ports):
        capabilities.add(PRIVILEGED_PORT_CAPABILITY)
    return Hardening(
        run_as_user=adjustments.run_as_user or settings.run_as_user,
        run_as_group=adjustments.run_as_group,
        capabilities=tuple(sorted(capabilities)),
        writable_root_filesystem=adjustments.writes_everywhere,
    )


def _hardened_containers(
    context: _Context, workload: Workload, hardening: Hardening, writable: tuple[str, ...], settings: Settings
) -> tuple[Container, ...]:
    """The pod's other containers where hardened: each hardened like the program, with `/tmp` and
    its declared paths as scratch space and the environment's default requests and limits; first,
    for each container that keeps the image's files in some of its scratch space, an init
    container with the same image that copies them there."""
    resources = _resources(context.environment, _replace_workload(workload, size=None, role="server"), settings)
    copies: list[Container] = []
    others: list[Container] = []
    pull_policy = context.pull_policy
    main_copy = _contents_copy(workload.name, workload.image, workload.adjustments, writable, hardening, resources, pull_policy)
    if main_copy is not None:
        copies.append(main_copy)
    for container in workload.containers:
        container_hardening = _hardening(container.adjustments, container.ports, settings)
        container_writable = tuple(dict.fromkeys((*OTHER_WRITABLE_PATHS, *container.declared_writable_paths)))
        copy = _contents_copy(
            container.name, container.image, container.adjustments, container_writable, container_hardening, resources,
            pull_policy,
        )
        if copy is not None:
            copies.append(copy)
        # A sidecar that listens is asked whether it is up, like the program: on its first TCP port.
        first_tcp = next((port for port in container.ports if port.protocol == "TCP"), None)
        probe = Probe("tcp", first_tcp.number) if container.kind == "sidecar" and first_tcp is not None else None
        others.append(
            replace(
                container,
                hardening=container_hardening,
                writable_paths=container_writable,
                resources=resources,
                image_pull_policy=pull_policy,
                liveness=probe,
                readiness=probe,
            )
        )
    return (*copies, *others)


def _contents_copy(
    name: str,
    image: str,
    adjustments: Adjustments,
    writable: tuple[str, ...],
    hardening: Hardening,
    resources: Resources,
    pull_policy: str,
) -> Container | None:
    """The init container that copies the image's files at each kept path into its scratch space,
    mounted elsewhere, before the container starts (`writes "/p" keeping contents`); as the same
    user, so that the container may change the copies."""
    kept = [path for path in adjustments.kept_paths if path in writable]
    if not kept:
        return None
    mounts = tuple(
        VolumeMount(scratch_volume_name(path), f"{CONTENTS_COPY_DIRECTORY}/{scratch_volume_name(path)}", False)
        for path in kept
    )
    script = "\n".join(
        ("set -eu", *(f"cp -a {path}/. {mount.path}/" for path, mount in zip(kept, mounts, strict=True)))
    )
    return Container(
        name=contents_copy_container_name(name),
        kind="init",
        image=image,
        command=("/bin/sh", "-c", script),
        mounts=mounts,
        hardening=Hardening(hardening.run_as_user, hardening.run_as_group),
        resources=resources,
        image_pull_policy=pull_policy,
        implied=True,
        implied_reason=f"`{name}` keeps the image's files in its scratch space at {', '.join(kept)}",
    )
