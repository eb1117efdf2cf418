"""Pod settings (issue 13): `annotation`, `label`, `runs on`, `tolerates` and `stops within` reach
the pod template of a component's Deployment and a database's StatefulSet, in an unhardened (LOCAL)
and a hardened (PROD) environment alike, and every object stays valid for Kubernetes. A database's
backup job gets none of them: it runs wherever it fits."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
from compiler_support import KUBERNETES_VERSION, by_kind

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.architecture.printer import architecture_data
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.settings import Settings

SHOP = """
application shop {
  environment LOCAL "shop.test"
  environment PROD "shop.example.com"

  component api {
    image "registry.example.com/api:1.0"
    port 8080
    annotation "prometheus.io/scrape" = "true"
    annotation "description" = "Takes orders: keep it running."
    label "team" = "payments"
    runs on "kubernetes.io/os" = "linux"
    tolerates "dedicated" = "shop" effect NoSchedule
    tolerates "spot"
    tolerates "example.com/maintenance" effect NoExecute
    stops within 2m
    env DB = orders.host
  }

  database orders postgres {
    storage 1Gi read-write at "/var/lib/postgresql/data"
    label "team" = "payments"
    runs on "node.example.com/disk" = "ssd"
    tolerates "dedicated" = "databases" effect NoSchedule
    stops within 90
  }

  component worker {
    image "registry.example.com/worker:1.0"
  }
}
"""

ENVIRONMENTS = ("LOCAL", "PROD")


def objects(environment: str) -> list[dict[str, Any]]:
    analysis = analyze(SHOP, "shop.kon")
    assert not analysis.has_errors, [diagnostic.message for diagnostic in analysis.diagnostics]
    application = analysis.requirements.applications[0]
    chosen = next(item for item in application.environments if item.name == environment)
    architecture = build_architecture(application, chosen, Settings())
    return manifests(architecture, {secret.state_key: "p" * 32 for secret in architecture.generated_secrets()})  # type: ignore[return-value]


def template(documents: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return by_kind(documents, kind)[name]["spec"]["template"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_setting_reaches_the_deployment(environment: str) -> None:
    pod = template(objects(environment), "Deployment", "api")
    assert pod["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "description": "Takes orders: keep it running.",
    }
    labels = pod["metadata"]["labels"]
    assert labels["team"] == "payments"
    # Koncierge's own labels stay, so that the selector still finds the pods.
    assert labels["app.kubernetes.io/name"] == "api"
    assert labels["app.kubernetes.io/instance"] == f"shop-{environment.lower()}"
    spec = pod["spec"]
    assert spec["nodeSelector"] == {"kubernetes.io/os": "linux"}
    assert spec["tolerations"] == [
        {"key": "dedicated", "operator": "Equal", "value": "shop", "effect": "NoSchedule"},
        {"key": "spot", "operator": "Exists"},
        {"key": "example.com/maintenance", "operator": "Exists", "effect": "NoExecute"},
    ]
    assert spec["terminationGracePeriodSeconds"] == 120


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_setting_reaches_the_database_stateful_set(environment: str) -> None:
    pod = template(objects(environment), "StatefulSet", "orders")
    assert "annotations" not in pod["metadata"]
    assert pod["metadata"]["labels"]["team"] == "payments"
    spec = pod["spec"]
    assert spec["nodeSelector"] == {"node.example.com/disk": "ssd"}
    assert spec["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "databases", "effect": "NoSchedule"}]
    assert spec["terminationGracePeriodSeconds"] == 90


def test_nothing_is_added_where_nothing_is_said() -> None:
    documents = objects("PROD")
    pod = template(documents, "Deployment", "worker")
    assert "annotations" not in pod["metadata"]
    assert "team" not in pod["metadata"]["labels"]
    assert not {"nodeSelector", "tolerations", "terminationGracePeriodSeconds"} & set(pod["spec"])
    # The backup job of a database with pod settings runs wherever it fits.
    backup = by_kind(documents, "CronJob")["orders-backup"]["spec"]["jobTemplate"]["spec"]["template"]
    assert "team" not in backup["metadata"]["labels"]
    assert not {"nodeSelector", "tolerations", "terminationGracePeriodSeconds"} & set(backup["spec"])


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_object_is_valid(environment: str) -> None:
    for item in objects(environment):
        if item["kind"] != "Issuer":  # A custom resource: tests/compiler/test_kubernetes.py checks its schema.
            kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


def test_the_architecture_print_out_shows_them() -> None:
    analysis = analyze(SHOP, "shop.kon")
    application = analysis.requirements.applications[0]
    architecture = build_architecture(application, application.environments[0], Settings())
    printed = {workload["name"]: workload for workload in architecture_data(architecture)["workloads"]}  # type: ignore[attr-defined]
    assert printed["api"]["pods"] == {
        "annotations": {"prometheus.io/scrape": "true", "description": "Takes orders: keep it running."},
        "labels": {"team": "payments"},
        "runs_on": {"kubernetes.io/os": "linux"},
        "tolerates": ["dedicated=shop:NoSchedule", "spot", "example.com/maintenance:NoExecute"],
        "stops_within": "120s",
    }
    assert "pods" not in printed["worker"]
