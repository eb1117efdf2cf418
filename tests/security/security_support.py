"""Shared by the security tests: the generated objects of a `.kon` text in one environment, and
the pod specifications among them."""

from __future__ import annotations

from typing import Any

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.settings import Settings


def objects_of(source: str, environment: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    """The manifests of the first application of `source` in `environment` (generated passwords
    are a fixed placeholder)."""
    application = analyze(source, "test.kon").requirements.applications[0]
    chosen = next(item for item in application.environments if item.name == environment)
    architecture = build_architecture(application, chosen, settings or Settings())
    return manifests(architecture, {secret.state_key: "x" for secret in architecture.generated_secrets()})  # type: ignore[return-value]


def pod_specs(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Workload name -> its pod specification, for Deployments, StatefulSets and CronJobs."""
    found = {}
    for document in documents:
        if document["kind"] in ("Deployment", "StatefulSet"):
            found[document["metadata"]["name"]] = document["spec"]["template"]["spec"]
        elif document["kind"] == "CronJob":
            found[document["metadata"]["name"]] = document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return found
