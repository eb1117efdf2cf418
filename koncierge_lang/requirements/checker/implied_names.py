"""Implied names: the names of objects the compiler generates from declarations are reserved (KON105).

A database implies a backup in environments that keep backups: a CronJob, ServiceAccount,
NetworkPolicy and ConfigMap named `<database>-backup`, and a claim `<database>-backups`; a
component that exposes a port (`expose`), a Service `<component>-public`. Every
environment has the NetworkPolicies `default-deny` and `allow-dns`, and each application and
environment a namespace `<application>-<environment>`, in which host-path storage makes a
PersistentVolume `<namespace>-<claim>`. A declaration whose Kubernetes name is one of those, or
two environments whose namespaces (or persistent volumes) are named alike, would make two objects
of one kind and name, of which Kubernetes keeps one: KON105, at the declaration that takes the
name, with the declaration that implies the object as a related location. Within a pod, a mounted
storage is a volume named after it, beside the volume `secret-files` and, where hardened, a
scratch volume `scratch-<path>` per writable path; a pod with two volumes of one name is refused,
so those are KON105 too. (A port named like an unnamed port, `tcp-80`, is KON201, in
`components.py`.)

The names come from `koncierge_lang/requirements/generated_names.py`, which the compiler's stages
name their objects with. Names are reserved whatever the platform settings (network policies,
hardening and host-path storage can be switched on at any time), but a backup's names only where
an environment keeps backups. A database's `secret-files` volume is reserved when it has a
variable its image reads from a file, secret or not: a slight over-reservation that keeps the
check free of value resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.diagnostics import RelatedLocation
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope, FileScope
from koncierge_lang.requirements.database_types import DATABASE_TYPES
from koncierge_lang.requirements.generated_names import (
    ALLOW_DNS_POLICY,
    DEFAULT_DENY_POLICY,
    PASSWORDS_CLAIM,
    SCRATCH_VOLUME_PREFIX,
    SECRET_FILES_VOLUME,
    backup_claim_name,
    backup_name,
    namespace_name,
    persistent_volume_name,
    public_service_name,
    scratch_volume_name,
)
from koncierge_lang.security.databases import DATABASE_HARDENING, OTHER_WRITABLE_PATHS
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast

_ENVIRONMENT_POLICY_PURPOSES = {
    DEFAULT_DENY_POLICY: "denies all traffic that no other policy allows",
    ALLOW_DNS_POLICY: "lets every pod reach the cluster's DNS",
}


@dataclass(frozen=True, slots=True)
class _ImpliedName:
    """A name an object generated from a declaration will have."""

    what: str
    """The object, for the message: `the backup of database `db` in PERF, PROD (...)`."""
    origin: Span
    origin_message: str


def check_implied_names(scope: ApplicationScope, components: list[model.Component], storages: list[model.Storage]) -> None:
    """KON105 for a component or storage whose Kubernetes name an implied object of the application takes."""
    application_name = scope.syntax.name
    workload_names: dict[str, _ImpliedName] = {
        policy: _ImpliedName(
            f"the NetworkPolicy that {purpose} in every environment of application `{application_name.text}` "
            "(each workload's own policy is named after it)",
            application_name.span,
            f"application `{application_name.text}`, whose environments have the NetworkPolicy `{policy}`, is declared here",
        )
        for policy, purpose in _ENVIRONMENT_POLICY_PURPOSES.items()
    }
    # The claim of the `volume` secrets strategy's passwords: reserved whatever the strategy, which
    # the checker cannot know (it is a setting), so that choosing it later never shares a claim.
    claim_names: dict[str, _ImpliedName] = {
        PASSWORDS_CLAIM: _ImpliedName(
            f"the PersistentVolumeClaim of generated passwords in environments of application `{application_name.text}` "
            "with the `volume` secrets strategy (docs/secrets.md)",
            application_name.span,
            f"application `{application_name.text}`, whose environments may keep passwords in `{PASSWORDS_CLAIM}`, "
            "is declared here",
        )
    }
    keeping_backups = ", ".join(environment.name for environment in scope.environments if environment.backups)
    # The model's components are the declared ones, in order.
    declared_components = list(zip(scope.components_syntax, components, strict=True))
    if keeping_backups:
        for declaration, component in declared_components:
            if component.database_type is None or not _valid(component.kubernetes_name):
                continue
            database_type = DATABASE_TYPES.get(component.database_type)
            if database_type is not None and not database_type.backed_up:
                continue  # A message broker is not backed up.
            backup = backup_name(component.kubernetes_name)
            claim = backup_claim_name(component.kubernetes_name)
            workload_names.setdefault(
                backup,
                _ImpliedName(
                    f"the backup of database `{component.name}` in {keeping_backups} "
                    f"(its CronJob, ServiceAccount, NetworkPolicy and ConfigMap `{backup}-config`)",
                    declaration.name.span,
                    f"database `{component.name}`, whose backup is `{backup}`, is declared here",
                ),
            )
            claim_names.setdefault(
                claim,
                _ImpliedName(
                    f"the PersistentVolumeClaim the backups of database `{component.name}` are written to in {keeping_backups}",
                    declaration.name.span,
                    f"database `{component.name}`, whose backups go to the claim `{claim}`, is declared here",
                ),
            )
    for component in components:
        if component.exposures and _valid(component.kubernetes_name):
            public = public_service_name(component.kubernetes_name)
            workload_names.setdefault(
                public,
                _ImpliedName(
                    f"the Service that makes the ports `{component.name}` exposes reachable from outside the cluster",
                    component.exposures[0].span,
                    f"`{component.name}` exposes a port here, in the Service `{public}`",
                ),
            )
    for declaration, component in declared_components:
        implied = workload_names.get(component.kubernetes_name)
        if implied is not None:
            _report(scope, f"{declaration.keyword} `{component.name}`", component.kubernetes_name, declaration.name.span, implied)
    declared_storages = _declared_storages(scope, storages)
    for storage, description, span in declared_storages:
        implied = claim_names.get(storage.kubernetes_name)
        if implied is not None:
            _report(scope, description, storage.kubernetes_name, span, implied)
    _check_pod_volumes(scope, declared_components, declared_storages)


def _declared_storages(scope: ApplicationScope, storages: list[model.Storage]) -> list[tuple[model.Storage, str, Span]]:
    """Each storage with what it is and where its name is written, for messages. The model's
    storage is the declared storage, in order, then the components' own."""
    described: list[tuple[model.Storage, str, Span]] = []
    for index, storage in enumerate(storages):
        if storage.owner is not None:
            described.append((storage, f"the storage of component `{storage.owner}`", storage.span))
        else:
            described.append((storage, f"storage `{storage.name}`", scope.storages_syntax[index].name.span))
    return described


def _check_pod_volumes(
    scope: ApplicationScope,
    declared_components: list[tuple[ast.Component, model.Component]],
    declared_storages: list[tuple[model.Storage, str, Span]],
) -> None:
    """KON105 for a volume of a component's pods named like another: a mounted storage is a volume
    named after it, beside the volume of secrets handed over as files and, in hardened
    environments, a scratch volume per writable path (`/tmp`, a database's own, the declared)."""
    # A mount names the first storage of its name, as stage 1 resolves it.
    by_name: dict[str, tuple[model.Storage, str, Span]] = {}
    for storage_described in declared_storages:
        by_name.setdefault(storage_described[0].name, storage_described)
    # Only a storage named like a volume of Koncierge's own can take its name; without one, only
    # the paths a component declares writable can collide, with each other or with the defaults.
    named_like_own_volumes = {
        name
        for name, (storage, _, _) in by_name.items()
        if storage.kubernetes_name == SECRET_FILES_VOLUME or storage.kubernetes_name.startswith(SCRATCH_VOLUME_PREFIX)
    }
    for declaration, component in declared_components:
        if not component.writable_paths and not (
            named_like_own_volumes and any(mount.storage in named_like_own_volumes for mount in component.mounts)
        ):
            continue
        where = f"in the pods of {declaration.keyword} `{component.name}`"
        # Each volume name of the pods: what it is, where it comes from, and the message for there.
        volumes: dict[str, tuple[str, Span, str]] = {}
        hardening = DATABASE_HARDENING.get(component.database_type or "")
        if any(variable.as_file for variable in component.variables) or (
            hardening is not None and any(variable.name in hardening.file_variables for variable in component.variables)
        ):
            volumes[SECRET_FILES_VOLUME] = (
                "the volume its secrets are handed over from as files",
                declaration.name.span,
                f"{declaration.keyword} `{component.name}`, whose secrets are handed over as files, is declared here",
            )
        mounted_paths = {mount.path.rstrip("/") for mount in component.mounts}
        default_paths = hardening.writable_paths if hardening is not None else OTHER_WRITABLE_PATHS
        written = _writable_path_spans(scope, declaration)
        for path in dict.fromkeys((*default_paths, *component.writable_paths)):
            if path in mounted_paths:
                continue
            volume = scratch_volume_name(path)
            span = written.get(path)
            earlier = volumes.get(volume)
            if earlier is not None and span is not None:
                scope.report(
                    "KON105",
                    f"writable path `{path}` becomes the volume `{volume}` {where}, the name of {earlier[0]}: "
                    "write another path",
                    span,
                    (RelatedLocation(earlier[1], earlier[2]),),
                )
                continue
            volumes.setdefault(
                volume,
                (
                    f"the scratch volume at `{path}` in its hardened environments",
                    span if span is not None else declaration.name.span,
                    f"`{path}` is written here"
                    if span is not None
                    else f"{declaration.keyword} `{component.name}`, which writes `{path}` where it is hardened, is declared here",
                ),
            )
        reported: set[str] = set()
        for mount in component.mounts:
            described = by_name.get(mount.storage)
            if described is None or described[0].kubernetes_name in reported:
                continue
            storage, description, span = described
            taken = volumes.get(storage.kubernetes_name)
            if taken is None:
                continue
            reported.add(storage.kubernetes_name)
            scope.report(
                "KON105",
                f"{description} becomes the volume `{storage.kubernetes_name}` {where}, the name of {taken[0]}: rename it",
                span,
                (RelatedLocation(taken[1], taken[2]),),
            )


def _writable_path_spans(scope: ApplicationScope, declaration: ast.Component) -> dict[str, Span]:
    """Where each path a component declares writable is written, by the path as the model keeps it."""
    spans: dict[str, Span] = {}
    for item in scope.items_of(declaration, ast.Writes):
        for literal in item.paths:
            spans.setdefault(literal.value.rstrip("/"), literal.span)
    return spans


def _report(scope: ApplicationScope, declared: str, kubernetes_name: str, span: Span, implied: _ImpliedName) -> None:
    scope.report(
        "KON105",
        f"{declared} becomes `{kubernetes_name}` in Kubernetes, the name of {implied.what}: rename it",
        span,
        (RelatedLocation(implied.origin, implied.origin_message),),
    )


def _valid(kubernetes_name: str) -> bool:
    """Whether a name can be a Kubernetes name at all (KON109 says when it cannot)."""
    return 0 < len(kubernetes_name) <= 63


_ApplicationNamespaces = tuple[ast.Application, model.Application, list[tuple[model.Environment, str, Span]]]


@dataclass(frozen=True, slots=True)
class _Namespace:
    application: str
    environment: str
    name_span: Span

    def describe(self, same_application: bool) -> str:
        if same_application:
            return f"`{self.environment}`"
        return f"environment `{self.environment}` of application `{self.application}`"


def check_namespaces(
    file: FileScope, syntax: tuple[ast.Application, ...], applications: tuple[model.Application, ...]
) -> None:
    """KON105 for two environments (of one application or of two) whose namespaces are named alike,
    and for two host-path claims of different environments whose PersistentVolumes are."""
    namespaces: dict[str, _Namespace] = {}
    # Each application, with its syntax and its environments' namespaces, for the persistent volumes.
    namespaces_by_application: list[_ApplicationNamespaces] = []
    for application_syntax, application in zip(syntax, applications, strict=True):
        if not _valid(application.kubernetes_name):
            continue  # KON109 says so.
        name_spans: dict[str, Span] = {}
        for item in application_syntax.items:
            if isinstance(item, ast.Environment):
                name_spans.setdefault(item.name.text, item.name.span)
        environments: list[tuple[model.Environment, str, Span]] = []
        for environment in application.environments:
            if not model.kubernetes_name(environment.name):
                continue  # Its namespace is not a valid name whatever else is declared (KON324).
            namespace = namespace_name(application.kubernetes_name, environment.name)
            span = name_spans.get(environment.name, environment.span)
            environments.append((environment, namespace, span))
            earlier = namespaces.get(namespace)
            if earlier is None:
                namespaces[namespace] = _Namespace(application.name, environment.name, span)
                continue
            if earlier.application != application.name and model.kubernetes_name(earlier.application) == application.kubernetes_name:
                continue  # The applications' own names collide: KON105 at the application says so.
            same = earlier.application == application.name
            this = _Namespace(application.name, environment.name, span)
            file.report(
                "KON105",
                f"{'environments ' if same else ''}{earlier.describe(same)} and {this.describe(same)} both become the "
                f"Kubernetes namespace `{namespace}`: rename one of them",
                span,
                (RelatedLocation(earlier.name_span, f"{'environment ' if same else ''}{earlier.describe(same)} is declared here"),),
            )
        namespaces_by_application.append((application_syntax, application, environments))
    if _some_namespace_extends_another(set(namespaces)):
        _check_persistent_volumes(file, namespaces_by_application)


def _some_namespace_extends_another(namespaces: set[str]) -> bool:
    """Whether a namespace is another followed by `-...`: only then can the persistent volumes
    `<namespace>-<claim>` of two namespaces be named alike."""
    return any(
        character == "-" and namespace[:position] in namespaces
        for namespace in namespaces
        for position, character in enumerate(namespace)
    )


@dataclass(frozen=True, slots=True)
class _Volume:
    namespace: str
    environment: str
    owner: str
    span: Span


def _check_persistent_volumes(file: FileScope, namespaces_by_application: list[_ApplicationNamespaces]) -> None:
    volumes: dict[str, _Volume] = {}
    reported: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    for application_syntax, application, environments in namespaces_by_application:
        claims = _claims(application_syntax, application)
        for environment, namespace, _ in environments:
            for claim, owner, span, only_with_backups in claims:
                if only_with_backups and not environment.backups:
                    continue
                volume = persistent_volume_name(namespace, claim)
                earlier = volumes.get(volume)
                if earlier is None:
                    volumes[volume] = _Volume(namespace, environment.name, owner, span)
                    continue
                if earlier.namespace == namespace or (earlier.span.start, span.start) in reported:
                    continue  # The same claim twice in one namespace is reported where it is declared.
                reported.add((earlier.span.start, span.start))
                file.report(
                    "KON105",
                    f"{owner} in environment `{environment.name}` and {earlier.owner} in environment "
                    f"`{earlier.environment}` both become the PersistentVolume `{volume}` when storage is "
                    'provisioned from host paths (`[storage] provisioner = "host-path"`): rename one of them',
                    span,
                    (RelatedLocation(earlier.span, f"{earlier.owner} is declared here"),),
                )


def _claims(application_syntax: ast.Application, application: model.Application) -> list[tuple[str, str, Span, bool]]:
    """Each claim of the application: its name, what it is, where it is declared, and whether it
    exists only in environments that keep backups."""
    storage_spans: dict[str, Span] = {}
    database_spans: dict[str, Span] = {}
    for item in application_syntax.items:
        if isinstance(item, ast.StorageDeclaration):
            storage_spans.setdefault(item.name.text, item.name.span)
        elif isinstance(item, ast.Component):
            database_spans.setdefault(item.name.text, item.name.span)
    claims: list[tuple[str, str, Span, bool]] = []
    for storage in application.storages:
        if not storage.persistent:
            continue
        if storage.owner is not None:
            claims.append((storage.kubernetes_name, f"the storage of component `{storage.owner}`", storage.span, False))
        else:
            claims.append((storage.kubernetes_name, f"storage `{storage.name}`", storage_spans.get(storage.name, storage.span), False))
    for component in application.components:
        if component.database_type is not None:
            span = database_spans.get(component.name, component.span)
            claims.append((backup_claim_name(component.kubernetes_name), f"the backup claim of database `{component.name}`", span, True))
    return claims
