"""The requirements model: what a .kon file means, checked, resolved and free of syntax.

Built by `koncierge_lang.requirements.checker` from the syntax tree. Every name is resolved
(references say what kind of thing they point at), database defaults are applied and marked as
defaults, environments carry their kind's flags. Spans are kept for clients that map back to the
source, but are excluded from equality: two files that say the same thing have equal models.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from koncierge_lang.source import Span
from koncierge_lang.syntax.ast import EMPTY_SPAN


def _span() -> Span:
    return field(default=EMPTY_SPAN, compare=False, repr=False)


def kubernetes_name(name: str) -> str:
    """A name as Kubernetes needs it: lower case, anything but `[a-z0-9]` becomes `-`, and no `-`
    at either end (a DNS label must start and end with a letter or digit)."""
    return re.sub(r"[^a-z0-9]", "-", name.lower()).strip("-")


@dataclass(frozen=True, slots=True)
class EnvironmentKind:
    name: str
    backups: bool
    performance_optimised: bool
    strict_security: bool
    https: bool
    description: str


ENVIRONMENT_KINDS: dict[str, EnvironmentKind] = {
    kind.name: kind
    for kind in (
        EnvironmentKind("LOCAL", False, False, False, False, "a developer's own machine"),
        EnvironmentKind("DEV", False, False, False, False, "shared development"),
        EnvironmentKind("INT", False, False, True, False, "integration testing"),
        EnvironmentKind("ACC", False, False, True, False, "acceptance testing"),
        EnvironmentKind("PERF", True, True, True, False, "performance testing"),
        EnvironmentKind("PROD", True, True, True, True, "production"),
    )
}


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    kind: str
    domain: str
    after: tuple[str, ...]
    backups: bool
    performance_optimised: bool
    strict_security: bool
    https: bool
    span: Span = _span()


# Value expressions, resolved.


@dataclass(frozen=True, slots=True)
class ValueReference:
    """The value of another named value."""

    value: str


@dataclass(frozen=True, slots=True)
class ComponentHost:
    """The host name other components reach a component by (its Service's name). `port` is the
    port the text names right after it (`"${x.host}:5672"`), if any."""

    component: str
    port: int | None = None


@dataclass(frozen=True, slots=True)
class ComponentPort:
    """The number clients reach one of a component's ports on: its first port, or the port named
    `port` (`x.amqp`)."""

    component: str
    port: str | None = None


@dataclass(frozen=True, slots=True)
class RouteDomain:
    route: str


@dataclass(frozen=True, slots=True)
class RouteUrl:
    route: str


Reference = ValueReference | ComponentHost | ComponentPort | RouteDomain | RouteUrl


@dataclass(frozen=True, slots=True)
class Text:
    """Text, possibly with interpolated references."""

    parts: tuple[str | Reference, ...]


@dataclass(frozen=True, slots=True)
class PerEnvironmentText:
    cases: tuple[tuple[str, Text], ...]
    otherwise: Text | None


@dataclass(frozen=True, slots=True)
class Secret:
    """A password or other secret. `source` is `plain`, `base64`, `generated` or `store`; `text` is
    the value as written (still base64-encoded for `base64`), or for `store` the key the value has
    in the secret store (`from store "payments/stripe"`)."""

    source: str
    text: str = ""
    length: int = 32


Expression = Text | PerEnvironmentText | Secret | Reference


@dataclass(frozen=True, slots=True)
class Value:
    name: str
    declared_as: str
    expression: Expression
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Variable:
    """`as_file`: the program receives `NAME_FILE`, the path of a file holding the value."""

    name: str
    expression: Expression
    defaulted: bool = False
    span: Span = _span()
    as_file: bool = False


@dataclass(frozen=True, slots=True)
class Port:
    """A port of a component: `number` is the port clients use (its Service's), `container` the
    port its program listens on when it differs (`port http 80 -> 8080`)."""

    number: int
    protocol: str = "TCP"
    name: str | None = None
    defaulted: bool = False
    span: Span = _span()
    container: int | None = None
    # The sidecar whose port it is (issue 13); None: the component's own program's.
    sidecar: str | None = None

    @property
    def listens_on(self) -> int:
        """The port the program listens on: what the pod declares and network policies allow."""
        return self.container if self.container is not None else self.number


@dataclass(frozen=True, slots=True)
class Storage:
    """Storage declared for the application (`owner` None) or by one component for itself."""

    name: str
    kubernetes_name: str
    size: str
    persistent: bool
    owner: str | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Mount:
    storage: str
    read_only: bool
    path: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ExternalDependency:
    """Something outside the application a component connects to. `kind` is `host` (a DNS name,
    also from a URL) or `cidr` (an address block; a single address is a /32 or /128)."""

    target: str
    kind: str
    address: str
    port: int
    protocol: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ComponentConnection:
    """A connection from component `source` to component `target` on its port `port` (the number
    clients use), declared with `connects to` in the source or `accepts from` in the target
    (`accepted`)."""

    source: str
    target: str
    port: int
    accepted: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """`health "/healthz" [on PORT]`: an HTTP GET of `path` on `port` answers whether it is well."""

    path: str
    port: int
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Exposure:
    """`expose PORT [in ENV, ...]`: the component's port reachable from outside the cluster, in the
    environments named (`environments`; empty: in every one). `port` is the number clients use,
    `container` the one its program listens on."""

    port: int
    container: int
    protocol: str
    environments: tuple[str, ...] = ()
    span: Span = _span()

    def applies_in(self, environment: str) -> bool:
        return not self.environments or environment in self.environments


@dataclass(frozen=True, slots=True)
class Toleration:
    """`tolerates "KEY" [= "VALUE"] [effect EFFECT]`: `value` None tolerates the key with any value;
    `effect` None tolerates every effect."""

    key: str
    value: str | None = None
    effect: str | None = None


@dataclass(frozen=True, slots=True)
class PodSettings:
    """What a component's pods carry in every environment: `annotation`, `label`, `runs on` (node
    labels they need), `tolerates` and `stops within` (seconds; None: Kubernetes' default)."""

    annotations: tuple[tuple[str, str], ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    node_selector: tuple[tuple[str, str], ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    grace_period: int | None = None


@dataclass(frozen=True, slots=True)
class ProbeCheck:
    """`probe KIND CHECK OPTION*`: how the platform asks whether the program has started
    (`startup`), is still working (`live`) or can take requests (`ready`). `check` is `http` (a GET
    of `path` with `headers`), `grpc` (the gRPC health service), `tcp` (a connection) on `port`, the
    container's port, or `command`. Timing is in seconds; None where the author said nothing."""

    kind: str
    check: str
    port: int = 0
    path: str = ""
    command: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    every: int | None = None
    after: int | None = None
    timeout: int | None = None
    failures: int | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ResourceSetting:
    """`cpu REQUEST [up to LIMIT] [in ENV, ...]` or `memory ...` (`kind`): what the program asks for
    and may use, as Kubernetes quantities; without `up to`, the limit is the request. An empty
    `environments` means every environment (where no line names it)."""

    kind: str
    request: str
    limit: str
    environments: tuple[str, ...] = ()
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class HardeningAdjustments:
    """What the author changes of a container's hardening (docs/security.md): Linux capabilities
    added back (normalised, without `CAP_`), the user and group it runs as, the writable paths whose
    scratch space starts with the image's files (`keeping contents`), a writable root filesystem."""

    capabilities: tuple[str, ...] = ()
    run_as_user: int | None = None
    run_as_group: int | None = None
    kept_paths: tuple[str, ...] = ()
    writes_everywhere: bool = False


@dataclass(frozen=True, slots=True)
class Container:
    """`sidecar NAME { ... }` (beside the program, in the same pod) or `init NAME { ... }` (runs to its
    end before the program starts): `kind` is `sidecar` or `init`. A sidecar's ports are also the
    component's (`Component.ports`, with `sidecar` set), so that they are reached like its own."""

    name: str
    kind: str
    image: str
    ports: tuple[Port, ...]
    variables: tuple[Variable, ...]
    command: tuple[str, ...]
    args: tuple[str, ...]
    writable_paths: tuple[str, ...]
    adjustments: HardeningAdjustments
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    kubernetes_name: str
    database_type: str | None
    image: str
    ports: tuple[Port, ...]
    variables: tuple[Variable, ...]
    command: tuple[str, ...]
    args: tuple[str, ...]
    mounts: tuple[Mount, ...]
    replicas: int | None
    image_defaulted: bool = False
    span: Span = _span()
    connections: tuple[ExternalDependency, ...] = ()
    # `size small|medium|large`: requests and limits (koncierge_lang/requirements/sizes.py).
    size: str | None = None
    health: HealthCheck | None = None
    # `authentication off`: a database that asks its clients for no credentials.
    authentication: bool = True
    # `writes "/path", ...`: scratch space where the root filesystem is read-only.
    writable_paths: tuple[str, ...] = ()
    # `connects to x` and `accepts from x`: connections to and from other components.
    component_connections: tuple[ComponentConnection, ...] = ()
    # Exposure and pod settings (issue 13): `expose`; `annotation`, `label`, `runs on`, `tolerates`, `stops within`.
    exposures: tuple[Exposure, ...] = ()
    pod: PodSettings = PodSettings()
    # Probes, resources and replicas (issue 13): the declared probes (at most one per kind),
    # exact `cpu`/`memory` lines, and `single instance` (one replica everywhere, never two at once).
    probes: tuple[ProbeCheck, ...] = ()
    resource_settings: tuple[ResourceSetting, ...] = ()
    single_instance: bool = False
    # Hardening adjustments, sidecars and init containers (issue 13).
    adjustments: HardeningAdjustments = HardeningAdjustments()
    containers: tuple[Container, ...] = ()

    def probe(self, kind: str) -> ProbeCheck | None:
        """The declared probe of `kind` (`ready`, `live`, `startup`), if any."""
        return next((probe for probe in self.probes if probe.kind == kind), None)

    def resource(self, kind: str, environment: str) -> ResourceSetting | None:
        """The `cpu` or `memory` line (`kind`) that applies in `environment`: the one naming it,
        else the one naming no environment."""
        fitting = [setting for setting in self.resource_settings if setting.kind == kind]
        named = next((setting for setting in fitting if environment in setting.environments), None)
        return named or next((setting for setting in fitting if not setting.environments), None)

    def port(self, name: str | None) -> Port | None:
        """The port named `name`; the first port for None."""
        if name is None:
            return self.ports[0] if self.ports else None
        return next((port for port in self.ports if port.name == name), None)

    @property
    def is_database(self) -> bool:
        return self.database_type is not None


@dataclass(frozen=True, slots=True)
class Route:
    """`port` is the component's port clients use (its Service's); `container_port` the port its
    program listens on (the same unless published under another number)."""

    name: str
    subdomain: str | None
    path: str
    component: str
    port: int
    span: Span = _span()
    container_port: int = 0


_Named = TypeVar("_Named", "Environment", "Component", "Value", "Route", "Storage")


def _index() -> Any:
    """A look-up table made on first use, part of no comparison (see `Application`)."""
    return field(default_factory=dict, init=False, compare=False, repr=False)


def _first_by_name(items: tuple[_Named, ...], index: dict[str, _Named], name: str) -> _Named | None:
    """The first of `items` named `name`, through `index` (filled on first use): one look-up
    instead of a scan, so that clients that look up every reference stay linear."""
    if not index and items:
        for item in items:
            index.setdefault(item.name, item)
    return index.get(name)


@dataclass(frozen=True, slots=True)
class Application:
    name: str
    kubernetes_name: str
    description: str
    environments: tuple[Environment, ...]
    values: tuple[Value, ...]
    storages: tuple[Storage, ...]
    components: tuple[Component, ...]
    routes: tuple[Route, ...]
    span: Span = _span()
    # Each kind's declarations by name, made by the look-ups below when first asked: the model
    # stays frozen (the tables only cache what the tuples say) and equality ignores them.
    _environments_by_name: dict[str, Environment] = _index()
    _components_by_name: dict[str, Component] = _index()
    _values_by_name: dict[str, Value] = _index()
    _routes_by_name: dict[str, Route] = _index()
    _storages_by_name: dict[str, Storage] = _index()

    def environment(self, name: str) -> Environment | None:
        return _first_by_name(self.environments, self._environments_by_name, name)

    def component(self, name: str) -> Component | None:
        return _first_by_name(self.components, self._components_by_name, name)

    def value(self, name: str) -> Value | None:
        return _first_by_name(self.values, self._values_by_name, name)

    def route(self, name: str) -> Route | None:
        return _first_by_name(self.routes, self._routes_by_name, name)

    def storage(self, name: str) -> Storage | None:
        return _first_by_name(self.storages, self._storages_by_name, name)


@dataclass(frozen=True, slots=True)
class Requirements:
    applications: tuple[Application, ...]


def route_domain(route: Route, environment: Environment) -> str:
    return f"{route.subdomain}.{environment.domain}" if route.subdomain else environment.domain


def route_url(route: Route, environment: Environment) -> str:
    scheme = "https" if environment.https else "http"
    path = "" if route.path == "/" else route.path
    return f"{scheme}://{route_domain(route, environment)}{path}"
