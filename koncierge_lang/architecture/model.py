"""The deployment architecture model: what runs in one environment, free of Kubernetes.

Stage 1 of the compiler (`koncierge_lang.architecture.from_requirements`) makes it from the requirements
model, one `EnvironmentArchitecture` per environment; stage 2 (`koncierge_lang.kubernetes`)
turns it into manifests. It names the concepts a deployment has (workloads, services, sets of
configuration and of secrets, claims for storage, routes, network flows) and adds what the
requirements imply but do not say, marked `implied=True` with the reason.

Architecture invariants:
- Nothing here knows Kubernetes object kinds or fields; the names it carries are already valid
  DNS labels, because every later target needs that.
- It never holds a generated password: a generated secret is described by its `state_key` and
  length, and stage 2 receives the values separately. Secrets that the author wrote (plain or
  base64) are carried so that stage 2 can emit them, but the printer never shows them.
- Every sequence is in a deterministic order (source order where order means something, sorted
  otherwise), so printing it twice gives the same text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# What a workload's pods carry besides what Koncierge decides (`annotation`, `label`, `runs on`,
# `tolerates`, `stops within`): the same in every environment, so the requirements' own data.
from koncierge_lang.requirements.model import PodSettings as PodSettings
from koncierge_lang.requirements.model import Toleration as Toleration


class WorkloadKind(enum.Enum):
    # Interchangeable replicas; may be replaced and scaled freely.
    STATELESS = "stateless"
    # Owns data on a persistent claim: at most one instance at a time, stable identity.
    STATEFUL = "stateful"
    # Runs to completion on a schedule.
    SCHEDULED = "scheduled"


class ValueSource(enum.Enum):
    # A constant (or text built only from constants): kept in the configuration set.
    CONFIGURATION = "configuration"
    # A secret, or text that contains one: kept in the secret set.
    SECRET = "secret"
    # Derived from another part of the deployment (a component's host or port, a route's
    # domain or URL): kept in the configuration set, and the reason for a network flow.
    REFERENCE = "reference"


@dataclass(frozen=True, slots=True)
class SecretInput:
    """One secret as the author gave it. `origin` is `plain`, `base64` or `generated`.

    `text` is the value as written (still encoded for `base64`, empty for `generated`). A
    generated secret is identified by `state_key`, under which its value is kept between builds.
    """

    origin: str
    text: str = ""
    length: int = 32
    state_key: str = ""


# A secret's value: literal text and secret inputs, concatenated (a connection string that
# interpolates a password is one secret value).
SecretPart = str | SecretInput


@dataclass(frozen=True, slots=True)
class SecretItem:
    key: str
    parts: tuple[SecretPart, ...]

    @property
    def origin(self) -> str:
        """`plain`, `base64` or `generated` for a single input, `composed` for text around secrets."""
        if len(self.parts) == 1 and isinstance(self.parts[0], SecretInput):
            return self.parts[0].origin
        return "composed"


@dataclass(frozen=True, slots=True)
class ConfigurationSet:
    name: str
    owner: str
    entries: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SecretSet:
    name: str
    owner: str
    items: tuple[SecretItem, ...]


@dataclass(frozen=True, slots=True)
class Variable:
    """An environment variable of a workload and where its value comes from.

    `set_name` and `key` locate the value in a configuration set (CONFIGURATION, REFERENCE) or a
    secret set (SECRET). `value` is the resolved text for configuration and references, empty for
    secrets. `references` lists what it was derived from, as written (`database.host`, `db_name`).
    """

    name: str
    source: ValueSource
    set_name: str
    key: str
    value: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkloadPort:
    name: str
    number: int
    protocol: str


@dataclass(frozen=True, slots=True)
class VolumeMount:
    volume: str
    path: str
    read_only: bool


@dataclass(frozen=True, slots=True)
class Volume:
    """A volume of a workload: a persistent claim (`claim` set) or scratch space that lives as long
    as the instance (`claim` empty, `size` the limit)."""

    name: str
    claim: str
    size: str


@dataclass(frozen=True, slots=True)
class Probe:
    """How the platform asks whether a workload is up: `tcp` (a connection to `port`), `http` (a GET
    of `path` on `port`, sending `headers`, that answers 200-399), `grpc` (the gRPC health service
    on `port`) or `command`. It first asks `initial_delay` seconds after the start, then every
    `period` seconds, waits `timeout` seconds for an answer, and gives up after `failures` failed
    answers in a row (None: the default of where it is used, 30 at start-up and 3 otherwise)."""

    kind: str
    port: int = 0
    command: tuple[str, ...] = ()
    path: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    initial_delay: int = 0
    period: int = 10
    timeout: int = 5
    failures: int | None = None


@dataclass(frozen=True, slots=True)
class Resources:
    """Requests and limits as Kubernetes quantities; an empty one is not set (where the environment
    sets none and the author gave only `cpu` or only `memory`)."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str


@dataclass(frozen=True, slots=True)
class Hardening:
    """How a workload runs in an environment with strict security (docs/security.md): as
    `run_as_user`, never gaining privileges, with a read-only root filesystem (the workload's
    `writable_paths` are scratch space), its own identity without API credentials. Its resources,
    probes and secret files are the workload's own fields, which hardening always fills in.
    What adapts to the program (issue 13): `run_as_group` (None: the user's number), the Linux
    `capabilities` added back (a port below 1024 adds `NET_BIND_SERVICE`), a writable root filesystem."""

    run_as_user: int
    run_as_group: int | None = None
    capabilities: tuple[str, ...] = ()
    writable_root_filesystem: bool = False


@dataclass(frozen=True, slots=True)
class Adjustments:
    """What the author changed of a container's hardening (`capabilities`, `run as`, `writes ...
    keeping contents`, `writes everywhere`); `run as` applies in every environment, the rest only
    where hardened."""

    capabilities: tuple[str, ...] = ()
    run_as_user: int | None = None
    run_as_group: int | None = None
    kept_paths: tuple[str, ...] = ()
    writes_everywhere: bool = False


@dataclass(frozen=True, slots=True)
class Container:
    """Another container of a workload's pod (issue 13): `kind` `sidecar` (beside the program) or
    `init` (runs to its end before it). `implied`: the init container that copies the image's files
    into scratch space (`writes ... keeping contents`), with `mounts` where it fills it. Its
    variables' keys in the workload's sets are `<container>.<NAME>`; fields as in `Workload`."""

    name: str
    kind: str
    image: str
    ports: tuple[WorkloadPort, ...] = ()
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    variables: tuple[Variable, ...] = ()
    secret_files: tuple[str, ...] = ()
    writable_paths: tuple[str, ...] = ()
    declared_writable_paths: tuple[str, ...] = ()
    mounts: tuple[VolumeMount, ...] = ()
    adjustments: Adjustments = Adjustments()
    hardening: Hardening | None = None
    resources: Resources | None = None
    image_pull_policy: str = ""
    implied: bool = False
    implied_reason: str = ""
    # Where hardened, a sidecar with a port is asked whether it is up, as the program is.
    liveness: Probe | None = None
    readiness: Probe | None = None


@dataclass(frozen=True, slots=True)
class Autoscale:
    """Between `minimum` and `maximum` copies, aiming at `cpu_utilisation` percent of the CPU request."""

    minimum: int
    maximum: int
    cpu_utilisation: int


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    component: str
    kind: WorkloadKind
    role: str
    image: str
    replicas: int
    ports: tuple[WorkloadPort, ...]
    command: tuple[str, ...]
    args: tuple[str, ...]
    variables: tuple[Variable, ...]
    volumes: tuple[Volume, ...]
    mounts: tuple[VolumeMount, ...]
    database_type: str | None = None
    schedule: str | None = None
    retention: int | None = None
    implied: bool = False
    implied_reason: str = ""
    hardening: Hardening | None = None
    image_pull_policy: str = ""
    # Requests and limits: the component's exact `cpu` and `memory`, else its `size`, in every
    # environment, else the environment's defaults where hardened; None: unbounded.
    resources: Resources | None = None
    startup: Probe | None = None
    liveness: Probe | None = None
    readiness: Probe | None = None
    # Variables handed over as files (`NAME_FILE` holds the path) rather than values: those the
    # author asked for (`as file`), and where hardened those the database images read from files.
    secret_files: tuple[str, ...] = ()
    # Scratch space (an empty directory per path) where the root filesystem is read-only.
    writable_paths: tuple[str, ...] = ()
    # What the author declared, kept for the hardening and the printer: `size`, `health`, `writes`.
    size: str | None = None
    health_path: str = ""
    health_port: int = 0
    declared_writable_paths: tuple[str, ...] = ()
    # Pod settings (issue 13): the component's annotations, labels, node selector, tolerations and
    # grace period, in every environment; none on an implied backup, which runs wherever it fits.
    pod: PodSettings = PodSettings()
    # Issue 13: the probes the author declared, by use (`startup`, `liveness`, `readiness`), which
    # win over `health` and the hardening's defaults in every environment; the exact `cpu` and
    # `memory` for this environment ("" where not given), which win over `size` and the defaults;
    # and `single instance`: never two at once, even while it is replaced.
    declared_probes: tuple[tuple[str, Probe], ...] = ()
    declared_resources: Resources | None = None
    single_instance: bool = False
    # What the author adjusted of hardening, and the pod's other containers (issue 13).
    adjustments: Adjustments = Adjustments()
    containers: tuple[Container, ...] = ()
    # What the environment's profile adds to a workload of interchangeable copies (issue 14):
    # at least one copy kept up during voluntary disruptions (node drains), copies spread over
    # nodes where possible, and scaling with CPU load. Never for a single instance or a database.
    disruption_budget: bool = False
    spread_across_nodes: bool = False
    spread_across_zones: bool = False
    autoscale: Autoscale | None = None
    # A database whose profile asks for Guaranteed QoS: every container of its pod (the program,
    # init containers and sidecars) has requests equal to its limits.
    guaranteed: bool = False


@dataclass(frozen=True, slots=True)
class Claim:
    """Persistent storage: `access` is `read-write-once` (one instance writes) or
    `read-write-many` (mounted by several components)."""

    name: str
    storage: str
    size: str
    access: str
    owner: str | None
    implied: bool = False


@dataclass(frozen=True, slots=True)
class ServicePort:
    name: str
    number: int
    protocol: str


@dataclass(frozen=True, slots=True)
class Service:
    """How other workloads reach a workload: `exposure` is `internal`, `routed` (also reached
    from outside through a route) or `public` (the ports the component exposes, each at an
    address of its own outside the cluster: a second service beside its own)."""

    name: str
    workload: str
    exposure: str
    ports: tuple[ServicePort, ...]


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    host: str
    path: str
    service: str
    port: int
    url: str


@dataclass(frozen=True, slots=True)
class CertificateIssuer:
    """Certificates from an ACME server, proving control of each host over HTTP-01."""

    name: str
    acme_server: str
    email: str
    account_key_secret: str


@dataclass(frozen=True, slots=True)
class Ingress:
    """The one way in from outside: its routes, and TLS for `tls_hosts` when HTTPS is on."""

    name: str
    ingress_class: str
    routes: tuple[Route, ...]
    tls_hosts: tuple[str, ...]
    tls_secret: str
    issuer: CertificateIssuer | None
    force_ssl_redirect: bool


INGRESS = "ingress"
# The source of a flow from any address outside the cluster, through a public service (`expose`);
# it has a space, so no workload is named so.
OUTSIDE = "outside the cluster"


@dataclass(frozen=True, slots=True)
class NetworkFlow:
    """A connection the deployment needs: `source` (a workload, `ingress` for traffic from
    outside through a route, or `OUTSIDE` for any address, to an exposed port) opens connections to `target` on `port`, because of `reason`."""

    source: str
    target: str
    port: int
    protocol: str
    reason: str


@dataclass(frozen=True, slots=True)
class ExternalFlow:
    """A connection from `source` to something outside the cluster: `kind` `host` (a DNS name:
    any address outside the private ranges, since network policies cannot name hosts) or `cidr`."""

    source: str
    target: str
    kind: str
    address: str
    port: int
    protocol: str


@dataclass(frozen=True, slots=True)
class NetworkIsolation:
    """Deny everything not needed: who the ingress controller and the cluster DNS are."""

    ingress_controller_namespace: str
    ingress_controller_labels: tuple[tuple[str, str], ...]
    dns_namespace: str
    dns_labels: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class HostPathStorage:
    """Storage provisioned from a directory on the node, when the platform asks for it."""

    storage_class: str
    directory: str


@dataclass(frozen=True, slots=True)
class ProfileDecisions:
    """What the environment's profile decided (issue 14), as it applies to this environment.

    `replicas` and `autoscale` are for interchangeable components whose `replicas` the author did
    not fix; `disruption_budget` and the spreading apply to those that run more than one copy.
    `backup_schedule` and `backup_retention` are the implied backups' (empty and 0 where the
    environment keeps none). `default_resources` and `database_resources` are the requests and
    limits of components that state none, of servers and of databases (None where the environment
    sets none: not hardened, and for databases not Guaranteed either). With `guaranteed_databases`
    every container of a database's pod has requests equal to its limits."""

    replicas: int
    autoscale: Autoscale | None
    disruption_budget: bool
    spread_across_nodes: bool
    spread_across_zones: bool
    guaranteed_databases: bool
    backup_schedule: str
    backup_retention: int
    default_resources: Resources | None
    database_resources: Resources | None


@dataclass(frozen=True, slots=True)
class EnvironmentArchitecture:
    application: str
    application_description: str
    environment: str
    environment_kind: str
    namespace: str
    # Where the environment is placed and how generously it runs (`[environments.NAME]` settings):
    # the cluster's name as the platform team calls it, and `performance` or `budget`.
    cluster: str
    profile: str
    profile_decisions: ProfileDecisions
    domain: str
    https: bool
    backups: bool
    performance_optimised: bool
    strict_security: bool
    storage_class: str
    host_path: HostPathStorage | None
    workloads: tuple[Workload, ...]
    services: tuple[Service, ...]
    configuration_sets: tuple[ConfigurationSet, ...]
    secret_sets: tuple[SecretSet, ...]
    claims: tuple[Claim, ...]
    ingress: Ingress | None
    flows: tuple[NetworkFlow, ...]
    external_flows: tuple[ExternalFlow, ...] = ()
    network_isolation: NetworkIsolation | None = None

    def generated_secrets(self) -> tuple[SecretInput, ...]:
        """Every generated secret, once per state key, in state-key order."""
        found: dict[str, SecretInput] = {}
        for secret_set in self.secret_sets:
            for item in secret_set.items:
                for part in item.parts:
                    if isinstance(part, SecretInput) and part.origin == "generated":
                        found.setdefault(part.state_key, part)
        return tuple(found[key] for key in sorted(found))
