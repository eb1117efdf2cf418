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
from koncierge_lang.architecture.platform_warnings import environment_platform_diagnostics
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
    and does not preserve unknown fields. The Kubernetes extensions JSON Schema does not know are
    read as the API server reads them: `nullable: true` also allows null,
    `x-kubernetes-int-or-string: true` allows an integer or a string, and a required property with
    a `default` may be left out (the API server fills it in before it validates)."""
    if isinstance(schema, dict):
        closed = {key: _close_schema(value) for key, value in schema.items()}
        if (
            "properties" in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
            and "additionalProperties" not in schema
        ):
            closed["additionalProperties"] = False
        if schema.get("nullable") and isinstance(schema.get("type"), str):
            closed["type"] = [schema["type"], "null"]
        if schema.get("x-kubernetes-int-or-string"):
            closed.pop("type", None)
            closed["anyOf"] = [{"type": "integer"}, {"type": "string"}]
        if "required" in schema and "properties" in schema:
            defaulted = {name for name, value in schema["properties"].items() if isinstance(value, dict) and "default" in value}
            closed["required"] = [name for name in schema["required"] if name not in defaulted]
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


# The custom resources the secrets strategies emit, with the CRD file and version to validate them.
SECRETS_CUSTOM_RESOURCES = {
    ("external-secrets.io/v1", "ExternalSecret"): ("external-secrets.io_externalsecrets.yaml", "v1"),
    ("generators.external-secrets.io/v1alpha1", "Password"): ("generators.external-secrets.io_passwords.yaml", "v1alpha1"),
    ("cert-manager.io/v1", "Issuer"): ("cert-manager.io_issuers.yaml", "v1"),
}


def todo_with_generated_passwords() -> str:
    """The To Do example with distinctive literal secrets (so that a scan for them finds nothing
    by chance), `db_password` generated, the database's root password left to its default
    (generated), and a connection string around a secret with a `{{` in its text."""
    text = EXAMPLE_FILES["todo"].read_text(encoding="utf-8")
    replacements = {
        'secret db_user = base64 "dXNlcg=="': 'secret db_user = base64 "dG9kby11c2VyLTdReA=="',  # todo-user-7Qx
        'secret db_password = base64 "ZGV2ZWxvcA=="': (
            'secret db_password = generated\n  secret report_token = "Zr8-report-token"'
        ),
        '    env MYSQL_ROOT_PASSWORD = secret base64 "bWFnaWM="\n': "",
        "    env DB_PASSWORD = db_password\n": "    env DB_PASSWORD = db_password as file\n",
        "    env DB_NAME = db_name\n": (
            "    env DB_NAME = db_name\n"
            '    env REPORT_URL = "https://reports:${report_token}@reports.example.com/{{x}}"\n'
        ),
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def validate_object(item: dict[str, Any]) -> None:
    """A custom resource against its CRD in ../shared/crds/, anything else with kubernetes-validate --strict."""
    import jsonschema
    import kubernetes_validate

    custom = SECRETS_CUSTOM_RESOURCES.get((item["apiVersion"], item["kind"]))
    if custom:
        jsonschema.validate(item, crd_schema(*custom))
    else:
        kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


def settings_diagnostics_at(text: str, settings: Settings, environment: str = "PROD") -> list[tuple[str, str, int]]:
    """(code, message, line) of what building `environment` of the text's first application with
    `settings` finds in the `.kon` file (`architecture.platform_warnings`: KON323, KON329-KON332)."""
    application = analyze(text, "todo.kon").requirements.applications[0]
    chosen = next(item for item in application.environments if item.name == environment)
    return [
        (diagnostic.code, diagnostic.message, diagnostic.span.start_line)
        for diagnostic in environment_platform_diagnostics(application, chosen, settings)
    ]


def strategy_architecture(text: str, settings: Settings, environment: str = "PROD") -> EnvironmentArchitecture:
    """Stage 1 of `environment` of the text's first application, with `settings`."""
    application = analyze(text, "todo.kon").requirements.applications[0]
    chosen = next(item for item in application.environments if item.name == environment)
    return build_architecture(application, chosen, settings)


def cluster_password_objects(text: str, settings: Settings, environment: str = "PROD") -> list[dict[str, Any]]:
    """The manifests of an environment whose strategy makes its passwords in the cluster: Koncierge
    makes none (`generated_secrets()` is empty), so none are supplied."""
    architecture = strategy_architecture(text, settings, environment)
    assert architecture.generated_secrets() == ()
    return manifests(architecture, {})  # type: ignore[return-value]
