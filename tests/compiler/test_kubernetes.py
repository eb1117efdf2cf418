"""Stage 2: every manifest is valid Kubernetes (strict) or valid against its CRD, and wired right."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from compiler_support import (
    EXAMPLE_FILES,
    FIXTURES,
    KUBERNETES_VERSION,
    architectures,
    by_kind,
    crd_schema,
    documents,
)

from koncierge_lang.kubernetes.manifests import MissingGeneratedSecret, manifests
from koncierge_lang.settings import Settings

RICH = FIXTURES / "rich.kon"
HOST_PATH = Settings(storage_provisioner="host-path", host_path_directory="/mnt/data", acme_email="ops@example.com")
CASES = [
    (path, environment, settings)
    for path in (*EXAMPLE_FILES.values(), RICH)
    for environment in architectures(path)
    for settings in (Settings(), HOST_PATH)
]
CUSTOM_RESOURCES = {("cert-manager.io/v1", "Issuer"): ("cert-manager.io_issuers.yaml", "v1")}
CLUSTER_SCOPED = {"Namespace", "StorageClass", "PersistentVolume"}
LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/managed-by",
)


def case_id(case: tuple[Path, str, Settings]) -> str:
    path, environment, settings = case
    return f"{path.stem}-{environment}-{settings.storage_provisioner}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_every_object_is_valid(case: tuple[Path, str, Settings]) -> None:
    path, environment, settings = case
    for item in documents(path, environment, settings):
        custom = CUSTOM_RESOURCES.get((item["apiVersion"], item["kind"]))
        if custom:
            jsonschema.validate(item, crd_schema(*custom))
        else:
            kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_labels_namespaces_and_selectors(case: tuple[Path, str, Settings]) -> None:
    path, environment, settings = case
    objects = documents(path, environment, settings)
    namespace = by_kind(objects, "Namespace")
    assert len(namespace) == 1
    (namespace_name,) = namespace
    for item in objects:
        metadata = item["metadata"]
        assert all(metadata["labels"].get(label) for label in LABELS), item["kind"]
        assert metadata["labels"]["app.kubernetes.io/managed-by"] == "koncierge"
        if item["kind"] in CLUSTER_SCOPED:
            assert "namespace" not in metadata
        else:
            assert metadata["namespace"] == namespace_name
    pods = {}
    for kind in ("Deployment", "StatefulSet"):
        for name, workload in by_kind(objects, kind).items():
            selector = workload["spec"]["selector"]["matchLabels"]
            template_labels = workload["spec"]["template"]["metadata"]["labels"]
            assert selector.items() <= template_labels.items()
            pods[name] = template_labels
    for service in by_kind(objects, "Service").values():
        selector = service["spec"]["selector"]
        matching = [name for name, template_labels in pods.items() if selector.items() <= template_labels.items()]
        assert matching == [service["metadata"]["name"]]


def test_bad_object_is_rejected_by_the_validators() -> None:
    """The validation above would catch a misspelt field in a core object and in the Issuer."""
    objects = documents(EXAMPLE_FILES["todo"], "PROD")
    deployment = by_kind(objects, "Deployment")["backend"]
    deployment["spec"]["replica"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    issuer = by_kind(objects, "Issuer")["todo-acme"]
    issuer["spec"]["acme"]["solvers"][0]["http01"]["ingress"]["ingressClass_name"] = "nginx"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(issuer, crd_schema("cert-manager.io_issuers.yaml", "v1"))


def test_secrets_never_in_configuration() -> None:
    objects = documents(RICH, "PROD")
    configuration = {key for config_map in by_kind(objects, "ConfigMap").values() for key in config_map["data"]}
    secret_keys = {key for secret in by_kind(objects, "Secret").values() for key in secret["data"]}
    assert {"DATABASE_URL", "API_KEY", "POSTGRES_PASSWORD"} <= secret_keys
    assert not configuration & {"DATABASE_URL", "API_KEY", "POSTGRES_PASSWORD"}
    all_configuration_text = " ".join(
        value for config_map in by_kind(objects, "ConfigMap").values() for value in config_map["data"].values()
    )
    assert "p" * 24 not in all_configuration_text


def test_composed_and_generated_secrets() -> None:
    architecture = architectures(RICH)["PROD"]
    passwords = {secret.state_key: "S3cret" for secret in architecture.generated_secrets()}
    objects = manifests(architecture, passwords)
    api = by_kind(objects, "Secret")["api-secrets"]["data"]
    assert base64.b64decode(api["DATABASE_URL"]).decode() == "postgres://shop:S3cret@orders-db:5432/shop"
    assert base64.b64decode(api["API_KEY"]).decode() == 'plain: # "quoted"'
    database = by_kind(objects, "Secret")["orders-db-secrets"]["data"]
    # The database and the URL use the same generated value: one named secret, one password.
    assert base64.b64decode(database["POSTGRES_PASSWORD"]).decode() == "S3cret"
    with pytest.raises(MissingGeneratedSecret):
        manifests(architecture, {})


def test_database_defaults_and_postgres_data_in_a_sub_directory() -> None:
    objects = documents(RICH, "LOCAL")
    statefulsets = by_kind(objects, "StatefulSet")
    postgres = statefulsets["orders-db"]["spec"]["template"]["spec"]["containers"][0]
    assert postgres["image"] == "postgres:17.6"
    assert postgres["ports"][0]["containerPort"] == 5432
    assert postgres["volumeMounts"] == [{"name": "orders-db-data", "mountPath": "/var/lib/postgresql/data"}]
    assert by_kind(objects, "ConfigMap")["orders-db-config"]["data"]["PGDATA"] == "/var/lib/postgresql/data/pgdata"
    redis = statefulsets["cache"]["spec"]["template"]["spec"]["containers"][0]
    assert (redis["image"], redis["ports"][0]["containerPort"]) == ("redis:7.4", 6379)


def test_storage_volumes() -> None:
    objects = documents(RICH, "LOCAL")
    claims = by_kind(objects, "PersistentVolumeClaim")
    # Shared by two components: read-write-many; the database's own: read-write-once.
    assert claims["uploads"]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claims["orders-db-data"]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claims["orders-db-data"]["spec"]["resources"]["requests"]["storage"] == "5Gi"
    api = by_kind(objects, "Deployment")["api"]["spec"]["template"]["spec"]
    assert {"name": "scratch", "emptyDir": {"sizeLimit": "1Gi"}} in api["volumes"]
    web = by_kind(objects, "Deployment")["web"]["spec"]["template"]["spec"]
    assert web["volumes"] == [{"name": "uploads", "persistentVolumeClaim": {"claimName": "uploads", "readOnly": True}}]
    assert web["containers"][0]["volumeMounts"][0]["readOnly"] is True


def test_host_path_storage_only_when_asked() -> None:
    default = documents(RICH, "PROD")
    assert not by_kind(default, "PersistentVolume") and not by_kind(default, "StorageClass")
    objects = documents(RICH, "PROD", HOST_PATH)
    (storage_class,) = by_kind(objects, "StorageClass").values()
    volumes = by_kind(objects, "PersistentVolume")
    claims = by_kind(objects, "PersistentVolumeClaim")
    assert set(volumes) == {f"shop-prod-{name}" for name in claims}
    for name, claim in claims.items():
        volume = volumes[f"shop-prod-{name}"]
        assert claim["spec"]["volumeName"] == f"shop-prod-{name}"
        assert claim["spec"]["storageClassName"] == storage_class["metadata"]["name"]
        assert volume["spec"]["hostPath"]["path"] == f"/mnt/data/shop-prod/{name}"
        assert volume["spec"]["claimRef"] == {"namespace": "shop-prod", "name": name}


def test_backup_cron_job() -> None:
    objects = documents(RICH, "PROD")
    cron_jobs = by_kind(objects, "CronJob")
    assert set(cron_jobs) == {"orders-db-backup", "cache-backup"}
    job = cron_jobs["orders-db-backup"]["spec"]
    pod = job["jobTemplate"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["image"] == "postgres:17.6"  # The backup runs in the database's own image.
    assert "pg_dumpall" in container["command"][2]
    assert "tail -n +8" in container["command"][2]  # keeps 7, the default retention
    env = {item["name"]: item["valueFrom"] for item in container["env"]}
    # Hardened (PROD): the password is read from a file, never put in the environment.
    assert "POSTGRES_PASSWORD" not in env
    assert 'POSTGRES_PASSWORD="$(cat /run/secrets/koncierge/POSTGRES_PASSWORD)"' in container["command"][2]
    assert env["POSTGRES_USER"] == {"configMapKeyRef": {"name": "orders-db-config", "key": "POSTGRES_USER"}}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert volumes["backups"] == {"name": "backups", "persistentVolumeClaim": {"claimName": "orders-db-backups"}}
    assert volumes["secret-files"]["projected"]["sources"] == [
        {"secret": {"name": "orders-db-secrets", "items": [{"key": "POSTGRES_PASSWORD", "path": "POSTGRES_PASSWORD"}]}}
    ]
    assert (
        by_kind(objects, "PersistentVolumeClaim")["orders-db-backups"]["spec"]["resources"]["requests"]["storage"]
        == "5Gi"
    )
    assert not by_kind(documents(RICH, "LOCAL"), "CronJob")


def test_ingress_and_issuer_follow_settings() -> None:
    settings = Settings(ingress_class="traefik", force_ssl_redirect=False, acme_email="ops@example.com")
    objects = documents(RICH, "PROD", settings)
    ingress = by_kind(objects, "Ingress")["shop"]
    assert ingress["spec"]["ingressClassName"] == "traefik"
    assert "nginx.ingress.kubernetes.io/force-ssl-redirect" not in ingress["metadata"]["annotations"]
    assert ingress["metadata"]["annotations"]["cert-manager.io/issuer"] == "shop-acme"
    rules: list[dict[str, Any]] = ingress["spec"]["rules"]
    api_rule = next(rule for rule in rules if rule["host"] == "api.shop.example.com")
    assert api_rule["http"]["paths"][0]["path"] == "/v1"
    issuer = by_kind(objects, "Issuer")["shop-acme"]["spec"]["acme"]
    assert issuer["email"] == "ops@example.com"
    assert issuer["solvers"] == [{"http01": {"ingress": {"ingressClassName": "traefik"}}}]


def test_force_ssl_redirect_uses_the_annotation_the_controller_reads() -> None:
    def annotations(settings: Settings, environment: str = "PROD") -> dict[str, str]:
        ingress = by_kind(documents(RICH, environment, settings), "Ingress")["shop"]
        return dict(ingress["metadata"].get("annotations", {}))

    # The ancestor's default: no redirect, so no annotation at all.
    assert not any("force-ssl-redirect" in key for key in annotations(Settings()))
    assert annotations(Settings(force_ssl_redirect=True))["ingress.kubernetes.io/force-ssl-redirect"] == "true"
    nginx = annotations(Settings(ingress_class="nginx", force_ssl_redirect=True))
    assert nginx["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
    assert "ingress.kubernetes.io/force-ssl-redirect" not in nginx
    # Never in an environment without HTTPS.
    assert not any("force-ssl-redirect" in key for key in annotations(Settings(force_ssl_redirect=True), "LOCAL"))


def test_default_issuer_is_the_ancestors_staging_server() -> None:
    objects = documents(RICH, "PROD", Settings())
    acme = by_kind(objects, "Issuer")["shop-acme"]["spec"]["acme"]
    assert acme["server"] == "https://acme-staging-v02.api.letsencrypt.org/directory"
    assert acme["email"] == "acme.administrator@example.com"
    assert by_kind(objects, "Ingress")["shop"]["spec"]["ingressClassName"] == "contour"
