"""Helpers for the compiler tests: paths, building an example in-process, CRD schemas."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.architecture.model import EnvironmentArchitecture
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.settings import Settings

REPOSITORY = Path(__file__).resolve().parents[2]
EXAMPLES = REPOSITORY / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN_EXAMPLES = REPOSITORY / "tests" / "golden" / "examples"
CRDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "crds"
KUBERNETES_VERSION = "1.37"
EXAMPLE_FILES = {
    "hello": EXAMPLES / "hello" / "hello.kon",
    "todo": EXAMPLES / "todo" / "todo.kon",
    # Two real applications nobody here wrote (issue 12), from the manifests in ../shared/fixtures/manifests.
    "online-boutique": EXAMPLES / "online-boutique" / "online-boutique.kon",
    "sock-shop": EXAMPLES / "sock-shop" / "sock-shop.kon",
}


def analysis_of(path: Path, name: str | None = None) -> Analysis:
    analysis = analyze(path.read_text(encoding="utf-8"), name or path.name)
    assert not analysis.has_errors, [diagnostic.message for diagnostic in analysis.diagnostics]
    return analysis


DEFAULT_SETTINGS = Settings()


def architectures(path: Path, settings: Settings = DEFAULT_SETTINGS) -> dict[str, EnvironmentArchitecture]:
    application = analysis_of(path).requirements.applications[0]
    return {
        environment.name: build_architecture(application, environment, settings)
        for environment in application.environments
    }


def fake_passwords(architecture: EnvironmentArchitecture) -> dict[str, str]:
    return {secret.state_key: "p" * secret.length for secret in architecture.generated_secrets()}


def documents(path: Path, environment: str, settings: Settings = DEFAULT_SETTINGS) -> list[dict[str, Any]]:
    architecture = architectures(path, settings)[environment]
    return manifests(architecture, fake_passwords(architecture))  # type: ignore[return-value]


def by_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {item["metadata"]["name"]: item for item in objects if item["kind"] == kind}


def _close_schema(schema: Any) -> Any:
    """Reject unknown fields: `additionalProperties: false` wherever the CRD lists `properties`
    and does not preserve unknown fields."""
    if isinstance(schema, dict):
        closed = {key: _close_schema(value) for key, value in schema.items()}
        if (
            "properties" in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
            and "additionalProperties" not in schema
        ):
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_close_schema(item) for item in schema]
    return schema


@cache
def crd_schema(file_name: str, version: str) -> dict[str, Any]:
    crd = yaml.safe_load((CRDS / file_name).read_text(encoding="utf-8"))
    for served in crd["spec"]["versions"]:
        if served["name"] == version and served.get("served", True):
            schema = copy.deepcopy(served["schema"]["openAPIV3Schema"])
            closed: dict[str, Any] = _close_schema(schema)
            # apiVersion, kind and metadata are checked by the API server, not the CRD schema.
            closed["properties"]["metadata"] = {"type": "object"}
            return closed
    raise LookupError(f"{file_name} serves no version {version}")
