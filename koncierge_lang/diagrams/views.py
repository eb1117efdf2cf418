"""From an analysed `.kon` file to a diagram of any view: the one entry point the CLI, the
language server and the README images share.

`diagram_of(analysis, view, environment, settings)` runs the compiler's stages the view needs
(stage 1 for the architecture view, stages 1 and 2 for the kubernetes view) and draws them. It
never makes or reads a generated password: the kubernetes view is drawn from manifests built with
a placeholder for each, and a Secret's values are never drawn anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.analysis import Analysis
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.architecture.model import EnvironmentArchitecture
from koncierge_lang.diagrams.architecture_view import SourceMap, architecture_diagram, environment_name, profile_summary
from koncierge_lang.diagrams.kubernetes_view import KubernetesObject, kubernetes_diagram
from koncierge_lang.diagrams.large import collapsed
from koncierge_lang.diagrams.model import VIEWS, Diagram, Location
from koncierge_lang.diagrams.requirements_view import requirements_diagram
from koncierge_lang.kubernetes.manifests import Manifest, manifests
from koncierge_lang.requirements import model
from koncierge_lang.settings import Settings

# Stands in for every generated password: the diagrams need the objects, not the values.
_PLACEHOLDER = "not-drawn"


class DiagramRequestError(Exception):
    """The request cannot be drawn (no application, unknown environment); one line for the user."""


@dataclass(frozen=True, slots=True)
class Drawn:
    diagram: Diagram
    environment: str | None


def default_environment(application: model.Application) -> model.Environment | None:
    """The environment drawn when none is named: production (the first of kind PROD), else the last one."""
    production = next((environment for environment in application.environments if environment.kind == "PROD"), None)
    return production or (application.environments[-1] if application.environments else None)


def diagram_of(
    analysis: Analysis,
    view: str,
    environment: str | None = None,
    settings: Settings | None = None,
    unfold: bool = False,
) -> Drawn:
    """One view of the file's first application. Configuration and secrets are listed in the
    workloads that use them unless `unfold` asks for nodes of their own; so are the Services of
    a large diagram (`large.py`)."""
    if view not in VIEWS:
        raise DiagramRequestError(f"unknown view `{view}`; use one of {', '.join(VIEWS)}")
    requirements = analysis.requirements
    if view == "requirements":
        return Drawn(_sized(requirements_diagram(requirements, unfold), unfold), None)
    if not requirements.applications:
        raise DiagramRequestError("the file has no application to draw")
    application = requirements.applications[0]
    if environment is None:
        chosen = default_environment(application)
        if chosen is None:
            raise DiagramRequestError(f"application `{application.name}` has no environment to draw")
    else:
        found = application.environment(environment)
        if found is None:
            known = ", ".join(item.name for item in application.environments) or "none"
            raise DiagramRequestError(f"unknown environment `{environment}`; the file defines {known}")
        chosen = found
    architecture = build_architecture(application, chosen, settings or Settings())
    if view == "architecture":
        return Drawn(_sized(architecture_diagram(architecture, application, unfold), unfold), chosen.name)
    return Drawn(_sized(generated_kubernetes_diagram(architecture, application, unfold), unfold), chosen.name)


def _sized(diagram: Diagram, unfold: bool) -> Diagram:
    """A large diagram with its Services drawn in their workloads (`large.py`), unless `unfold`
    asks for every node."""
    return diagram if unfold else collapsed(diagram)


def generated_kubernetes_diagram(
    architecture: EnvironmentArchitecture, application: model.Application | None = None, unfold: bool = False
) -> Diagram:
    placeholders = {secret.state_key: _PLACEHOLDER for secret in architecture.generated_secrets()}
    documents = manifests(architecture, placeholders)
    sources = SourceMap(architecture, application)
    implied_workloads = {workload.name for workload in architecture.workloads if workload.implied}
    implied_claims = {claim.name for claim in architecture.claims if claim.implied}
    objects = [
        KubernetesObject(document, _source_of(document, sources), _is_implied(document, implied_workloads, implied_claims))
        for document in documents
    ]
    title = f"Kubernetes objects of {architecture.application} in {environment_name(architecture)}"
    # The namespace's box names the environment's profile and its decisions, as the architecture's does.
    return kubernetes_diagram(
        objects, title, unfold=unfold, namespace_notes={architecture.namespace: profile_summary(architecture)}
    )


def _is_implied(document: Manifest, implied_workloads: set[str], implied_claims: set[str]) -> bool:
    metadata = document.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    labels = metadata.get("labels")
    part_of = labels.get("app.kubernetes.io/name") if isinstance(labels, dict) else None
    if document.get("kind") == "PersistentVolumeClaim":
        return metadata.get("name") in implied_claims
    return part_of in implied_workloads


def _source_of(document: Manifest, sources: SourceMap) -> Location | None:
    kind = document.get("kind")
    metadata = document.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = str(metadata.get("name", ""))
    labels = metadata.get("labels")
    part_of = str(labels.get("app.kubernetes.io/name", "")) if isinstance(labels, dict) else ""
    if kind == "Ingress":
        return sources.routes()
    if kind == "PersistentVolumeClaim":
        return sources.claim(name)
    if kind == "PersistentVolume":
        spec = document.get("spec")
        claim_reference = spec.get("claimRef") if isinstance(spec, dict) else None
        if isinstance(claim_reference, dict):
            return sources.claim(str(claim_reference.get("name", "")))
    return sources.workload(part_of) or sources.environment
