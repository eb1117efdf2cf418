"""What the Kubernetes API server would refuse in generated objects, as diagnostics in the `.kon` file.

The checker sees one `.kon` file and keeps each name within Kubernetes' limits (KON109), but the
objects an environment generates have longer names than the statements they come from: a
database's backup CronJob is `<database>-backup`, and a CronJob name may have at most 52 characters
because the controller appends 11 characters to every Job it starts. Such a build would write
manifests that `kubectl apply` rejects, far from their cause. So after stage 2 each generated
object's name, label values and route hosts are checked (`object_problems`), and every problem
becomes a KON324 diagnostic located at the statement the object comes from (`source_of`): its
component, the component that owns its storage, the routes, or else the environment.

Both `koncierge build` (`koncierge_lang.build_pipeline`) and the language server report them: the build
refuses to write the file, the editor shows them on the statement. Pure functions of the
requirements, the architecture and the manifests; generated passwords play no part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from koncierge_lang.architecture.model import EnvironmentArchitecture, Workload
from koncierge_lang.diagnostics import Diagnostic, make_diagnostic
from koncierge_lang.kubernetes.manifests import Manifest
from koncierge_lang.naming import DNS_LABEL, DNS_SUBDOMAIN, LABEL_VALUE
from koncierge_lang.requirements import model
from koncierge_lang.source import Span

NAME_LIMIT_CODE = "KON324"

# Kinds whose names Kubernetes requires to be DNS labels (63 characters) rather than subdomains.
_LABEL_NAMED_KINDS = frozenset({"Namespace", "Service"})
# The controller appends `-` and a 10-digit timestamp to each Job it makes from a CronJob, and a
# Job's name ends up in a label value of at most 63 characters.
_CRONJOB_NAME_LIMIT = 52
# How a per-environment message starts, so that the same problem in several environments can be
# reported once (`merge_environments`). Environment names are identifiers: they contain no `:`.
_ENVIRONMENT_PREFIX = re.compile(r"^in ([^:]+): (.*)$", re.DOTALL)


# Label values known to be valid (bounded, for the language server's long-lived process).
_VALID_LABEL_VALUES: set[str] = set()


@dataclass(frozen=True, slots=True)
class ObjectProblem:
    """One thing the API server would refuse in one generated object."""

    kind: str
    name: str
    message: str


def object_problems(document: Manifest) -> tuple[ObjectProblem, ...]:
    """What the API server would refuse in one generated object's names, label values and hosts."""
    kind = str(document.get("kind", "object"))
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return ()
    name = metadata.get("name")
    object_name = name if isinstance(name, str) else ""
    problems: list[str] = []
    if isinstance(name, str):
        if kind in _LABEL_NAMED_KINDS:
            if len(name) > 63 or not DNS_LABEL.fullmatch(name):
                problems.append(f"the {kind} name `{name}` is not a valid DNS label (at most 63 letters, digits and `-`)")
        elif kind == "CronJob" and len(name) > _CRONJOB_NAME_LIMIT:
            problems.append(
                f"the CronJob name `{name}` is longer than {_CRONJOB_NAME_LIMIT} characters ({len(name)}), "
                "which Kubernetes refuses"
            )
        elif len(name) > 253 or not DNS_SUBDOMAIN.fullmatch(name):
            problems.append(f"the {kind} name `{name}` is not a valid Kubernetes object name")
    labels = metadata.get("labels")
    if isinstance(labels, dict):
        for key, value in labels.items():
            # Most objects repeat the same few label values: each is checked once.
            if not isinstance(value, str) or value in _VALID_LABEL_VALUES:
                continue
            if len(value) > 63 or not LABEL_VALUE.fullmatch(value):
                problems.append(f"the label `{key}: {value}` of {kind} `{name}` is longer than 63 characters or invalid")
            elif len(_VALID_LABEL_VALUES) < 65_536:
                _VALID_LABEL_VALUES.add(value)
    if kind == "Ingress":
        spec = document.get("spec")
        rules = spec.get("rules", []) if isinstance(spec, dict) else []
        for rule in rules if isinstance(rules, list) else []:
            host = rule.get("host") if isinstance(rule, dict) else None
            if isinstance(host, str) and (
                len(host) > 253 or not DNS_SUBDOMAIN.fullmatch(host) or any(len(label) > 63 for label in host.split("."))
            ):
                problems.append(f"the route host `{host}` is not a valid domain name (labels of at most 63 characters)")
    return tuple(ObjectProblem(kind, object_name, message) for message in problems)


def source_of(
    document: Manifest,
    application: model.Application,
    environment: model.Environment,
    architecture: EnvironmentArchitecture,
) -> Span:
    """The statement a generated object comes from: its component, storage, routes or environment."""
    return sources_of((document,), application, environment, architecture)[0]


def sources_of(
    documents: Iterable[Manifest],
    application: model.Application,
    environment: model.Environment,
    architecture: EnvironmentArchitecture,
) -> tuple[Span, ...]:
    """`source_of` each of an environment's generated objects, with the workloads indexed once
    (per object, that index made the lowering of a large application quadratic)."""
    workloads = {workload.name: workload for workload in architecture.workloads}
    return tuple(_source_of(document, application, environment, workloads) for document in documents)


def _source_of(
    document: Manifest,
    application: model.Application,
    environment: model.Environment,
    workloads: Mapping[str, Workload],
) -> Span:
    kind = document.get("kind")
    metadata = document.get("metadata")
    labels = metadata.get("labels", {}) if isinstance(metadata, dict) else {}
    name_label = labels.get("app.kubernetes.io/name") if isinstance(labels, dict) else None
    object_name = metadata.get("name") if isinstance(metadata, dict) else None
    if kind == "Ingress" and application.routes:
        span = application.routes[0].span
        for route in application.routes[1:]:
            span = span.cover(route.span)
        return span
    workload = workloads.get(str(name_label)) if name_label is not None else None
    if workload is not None:
        component = application.component(workload.component)
        if component is not None:
            return component.span
        # An implied workload (a database's backup) is named after the component it serves.
        owners = [c for c in application.components if workload.name.startswith(c.kubernetes_name + "-")]
        if owners:
            return max(owners, key=lambda c: len(c.kubernetes_name)).span
    for storage in application.storages:
        if storage.kubernetes_name == object_name or (
            isinstance(object_name, str) and object_name.endswith("-" + storage.kubernetes_name)
        ):
            if storage.owner:
                owner = application.component(storage.owner)
                if owner is not None:
                    return owner.span
            return storage.span
    return environment.span


def limit_diagnostics(
    application: model.Application,
    environment: model.Environment,
    architecture: EnvironmentArchitecture,
    documents: Sequence[Manifest],
    sources: Sequence[Span] | None = None,
) -> tuple[Diagnostic, ...]:
    """KON324 for everything the API server would refuse in this environment's generated objects,
    each located at the statement its object comes from (`sources`, computed when not given).
    Messages start with `in <environment>: `, which `merge_environments` relies on."""
    found: list[Diagnostic] = []
    for index, document in enumerate(documents):
        problems = object_problems(document)
        if not problems:
            continue
        span = sources[index] if sources is not None else source_of(document, application, environment, architecture)
        for problem in problems:
            found.append(make_diagnostic(NAME_LIMIT_CODE, f"in {environment.name}: {problem.message}", span))
    return tuple(found)


def merge_environments(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The same problem at the same place in several environments, reported once: `in PERF, PROD: ...`.

    A database's backup exists in every environment that keeps backups, so an over-long backup name
    would otherwise be reported once per environment on the same statement. Order is kept (first
    occurrence); diagnostics whose message names no environment are kept as they are.
    """
    merged: dict[tuple[Span, str, str], tuple[Diagnostic, list[str]]] = {}
    kept: list[Diagnostic | tuple[Span, str, str]] = []
    for diagnostic in diagnostics:
        match = _ENVIRONMENT_PREFIX.match(diagnostic.message)
        if match is None:
            kept.append(diagnostic)
            continue
        key = (diagnostic.span, diagnostic.code, match.group(2))
        if key in merged:
            merged[key][1].append(match.group(1))
        else:
            merged[key] = (diagnostic, [match.group(1)])
            kept.append(key)
    result: list[Diagnostic] = []
    for entry in kept:
        if isinstance(entry, Diagnostic):
            result.append(entry)
            continue
        first, environments = merged[entry]
        message = f"in {', '.join(dict.fromkeys(environments))}: {entry[2]}"
        result.append(replace(first, message=message))
    return tuple(result)
