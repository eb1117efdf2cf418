"""A thin adapter over the compiler for the editor: lower each environment of an analysed file.

The compiler (`koncierge_lang.architecture`, `koncierge_lang.kubernetes`) has no API that reports
problems as diagnostics or maps generated objects back to the source, so this module does both
from its public functions: `build_architecture` and `manifests` per environment, then checks of
the generated objects that the cluster would otherwise be the first to reject (names and hosts
too long or invalid), each mapped back to the statement it came from.

Generated passwords are never made or read here: the editor must not write the build's state
file, so each generated secret is a fixed placeholder in the manifests this module returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from koncierge_lang.analysis import Analysis
from koncierge_lang.architecture.build import build_architecture
from koncierge_lang.architecture.model import EnvironmentArchitecture
from koncierge_lang.architecture.platform_warnings import environment_platform_diagnostics
from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.kubernetes.manifests import Manifest, manifests
from koncierge_lang.requirements import model
from koncierge_lang.settings import Settings, load_settings
from koncierge_lang.source import Span

GENERATED_PLACEHOLDER = "generated-by-koncierge-build"
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
# Kinds whose names Kubernetes requires to be DNS labels (63 characters) rather than subdomains.
_LABEL_NAMED_KINDS = frozenset({"Namespace", "Service"})


@dataclass(frozen=True, slots=True)
class CompilerProblem:
    message: str
    span: Span
    environment: str


@dataclass(slots=True)
class LoweredEnvironment:
    """One application in one environment, lowered as far as the compiler got."""

    application: model.Application
    environment: model.Environment
    architecture: EnvironmentArchitecture | None = None
    documents: list[Manifest] = field(default_factory=list)
    sources: list[Span] = field(default_factory=list)
    """For each document, the span of the statement it comes from."""
    problems: list[CompilerProblem] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    """Warnings about the platform settings this environment is built with (e.g. KON323), as
    `koncierge build` reports them."""


def settings_for(path: str | None) -> Settings:
    """The platform settings beside the file, or the defaults (their own problems are not ours)."""
    if not path:
        return Settings()
    try:
        return load_settings(Path(path)).settings
    except Exception:  # noqa: BLE001 - an unreadable koncierge.toml must not stop the editor.
        return Settings()


def lower(analysis: Analysis, settings: Settings) -> list[LoweredEnvironment]:
    """Every (application, environment) of the file, lowered. Never raises."""
    lowered: list[LoweredEnvironment] = []
    for application in analysis.requirements.applications:
        for environment in application.environments:
            lowered.append(lower_environment(application, environment, settings))
    return lowered


def lower_environment(
    application: model.Application, environment: model.Environment, settings: Settings
) -> LoweredEnvironment:
    result = LoweredEnvironment(application, environment)
    result.warnings = list(environment_platform_diagnostics(application, environment, settings))
    try:
        architecture = build_architecture(application, environment, settings)
        result.architecture = architecture
        placeholders = {secret.state_key: GENERATED_PLACEHOLDER for secret in architecture.generated_secrets()}
        result.documents = manifests(architecture, placeholders)
    except Exception as error:  # noqa: BLE001 - a compiler bug becomes a problem in the source.
        result.problems.append(
            CompilerProblem(
                f"the compiler could not lower environment `{environment.name}`: "
                f"{error.__class__.__name__}: {error}",
                environment.span,
                environment.name,
            )
        )
        return result
    result.sources = [source_of(document, application, environment, architecture) for document in result.documents]
    for document, span in zip(result.documents, result.sources, strict=True):
        for message in object_problems(document):
            result.problems.append(CompilerProblem(f"in {environment.name}: {message}", span, environment.name))
    return result


def source_of(
    document: Manifest, application: model.Application, environment: model.Environment, architecture: EnvironmentArchitecture
) -> Span:
    """The statement a generated object comes from: its component, storage, route or environment."""
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
    workloads = {workload.name: workload for workload in architecture.workloads}
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
        if storage.kubernetes_name == object_name or (isinstance(object_name, str) and object_name.endswith("-" + storage.kubernetes_name)):
            if storage.owner:
                owner = application.component(storage.owner)
                if owner is not None:
                    return owner.span
            return storage.span
    return environment.span


def object_problems(document: Manifest) -> list[str]:
    """What the API server would refuse in one generated object's names and hosts."""
    problems: list[str] = []
    kind = str(document.get("kind", "object"))
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return problems
    name = metadata.get("name")
    if isinstance(name, str):
        if kind in _LABEL_NAMED_KINDS:
            if len(name) > 63 or not _DNS_LABEL.match(name):
                problems.append(f"the {kind} name `{name}` is not a valid DNS label (at most 63 letters, digits and `-`)")
        elif kind == "CronJob" and len(name) > 52:
            # The controller appends an 11-character suffix to each Job it makes from a CronJob.
            problems.append(f"the CronJob name `{name}` is longer than 52 characters, which Kubernetes refuses")
        elif len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
            problems.append(f"the {kind} name `{name}` is not a valid Kubernetes object name")
    labels = metadata.get("labels")
    if isinstance(labels, dict):
        for key, value in labels.items():
            if isinstance(value, str) and (len(value) > 63 or not _LABEL_VALUE.match(value)):
                problems.append(f"the label `{key}: {value}` of {kind} `{name}` is longer than 63 characters or invalid")
    if kind == "Ingress":
        spec = document.get("spec")
        rules = spec.get("rules", []) if isinstance(spec, dict) else []
        for rule in rules if isinstance(rules, list) else []:
            host = rule.get("host") if isinstance(rule, dict) else None
            if isinstance(host, str) and (
                len(host) > 253 or not _DNS_SUBDOMAIN.match(host) or any(len(label) > 63 for label in host.split("."))
            ):
                problems.append(f"the route host `{host}` is not a valid domain name (labels of at most 63 characters)")
    return problems
