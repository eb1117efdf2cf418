"""Parity with the Java ancestor for examples/todo/todo.kon, in PROD and in LOCAL (issue 3)."""

from __future__ import annotations

from typing import Any

import pytest
from compiler_support import EXAMPLE_FILES, by_kind, documents

TODO = EXAMPLE_FILES["todo"]


def environment_of(container: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Variable -> (kind of reference, object name, key)."""
    result = {}
    for variable in container["env"]:
        if "valueFrom" not in variable:
            continue
        ((reference, target),) = variable["valueFrom"].items()
        result[variable["name"]] = (reference, target["name"], target["key"])
    return result


def secret_files_of(pod: dict[str, Any], container: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """Variable -> ("file", Secret name, key) for the secrets a hardened database reads from files
    (`NAME_FILE`, a deliberate difference from the ancestor: docs/security.md)."""
    paths = {item["name"][: -len("_FILE")] for item in container["env"] if item["name"].endswith("_FILE")}
    result = {}
    for volume in pod.get("volumes", []):
        for source in volume.get("projected", {}).get("sources", []):
            for item in source["secret"]["items"]:
                if item["path"] in paths:
                    result[item["path"]] = ("file", source["secret"]["name"], item["key"])
    return result


@pytest.mark.parametrize(("environment", "server_uri"), [("PROD", "api.example.com"), ("LOCAL", "api.todo.test")])
def test_todo_matches_the_ancestor(environment: str, server_uri: str) -> None:
    objects = documents(TODO, environment)
    secrets = by_kind(objects, "Secret")
    config_maps = by_kind(objects, "ConfigMap")
    workloads = {**by_kind(objects, "Deployment"), **by_kind(objects, "StatefulSet")}
    containers = {name: workload["spec"]["template"]["spec"]["containers"][0] for name, workload in workloads.items()}
    services = by_kind(objects, "Service")

    # Secrets: the keys and the base64 values as given in the .kon file.
    backend_env = environment_of(containers["backend"])
    database_env = environment_of(containers["database"])
    database_env.update(secret_files_of(workloads["database"]["spec"]["template"]["spec"], containers["database"]))
    backend_secret = secrets[backend_env["DB_PASSWORD"][1]]["data"]
    assert backend_env["DB_USERNAME"][0] == backend_env["DB_PASSWORD"][0] == "secretKeyRef"
    assert backend_secret == {"DB_USERNAME": "dXNlcg==", "DB_PASSWORD": "ZGV2ZWxvcA=="}
    database_secret = secrets[database_env["MYSQL_PASSWORD"][1]]["data"]
    assert database_secret == {
        "MYSQL_ROOT_PASSWORD": "bWFnaWM=",
        "MYSQL_USER": "dXNlcg==",
        "MYSQL_PASSWORD": "ZGV2ZWxvcA==",
    }
    for name in ("MYSQL_ROOT_PASSWORD", "MYSQL_USER", "MYSQL_PASSWORD"):
        # LOCAL passes them as the ancestor did; PROD (strict security) as files the image reads.
        assert database_env[name][0] == ("file" if environment == "PROD" else "secretKeyRef")

    # Configuration: in ConfigMaps, wired with configMapKeyRef.
    def configured(container_env: dict[str, tuple[str, str, str]], name: str) -> str:
        reference, config_map, key = container_env[name]
        assert reference == "configMapKeyRef"
        value: str = config_maps[config_map]["data"][key]
        return value

    database_host = configured(backend_env, "DB_HOST")
    assert database_host in services
    assert services[database_host]["spec"]["selector"] == workloads["database"]["spec"]["selector"]["matchLabels"]
    assert configured(backend_env, "DB_NAME") == "todo"
    assert configured(database_env, "MYSQL_DATABASE") == "todo"
    assert configured(environment_of(containers["frontend"]), "SERVER_URI") == server_uri

    # Images and container ports.
    assert containers["backend"]["image"] == "kubernetesdemo/to-do-app-backend"
    assert containers["frontend"]["image"] == "kubernetesdemo/to-do-app-frontend"
    # A deliberate difference: the ancestor ran mysql:5.7, past its end of life since October 2023.
    assert containers["database"]["image"] == "mysql:8.4"
    # MySQL 8 has no `--ignore-db-dir`: its data is in a directory of its own on the volume.
    assert containers["database"]["args"] == ["--datadir=/var/lib/mysql/data"]
    ports = [containers[name]["ports"][0]["containerPort"] for name in ("backend", "frontend", "database")]
    assert ports == [8080, 8080, 3306]

    # A 1Gi read-write claim mounted at /var/lib/mysql in the mysql container.
    # (Hardened environments add scratch and secret-file mounts beside it: docs/security.md.)
    (mount,) = [mount for mount in containers["database"]["volumeMounts"] if mount["mountPath"] == "/var/lib/mysql"]
    assert mount["mountPath"] == "/var/lib/mysql" and not mount.get("readOnly")
    volumes = {volume["name"]: volume for volume in workloads["database"]["spec"]["template"]["spec"]["volumes"]}
    claim = by_kind(objects, "PersistentVolumeClaim")[volumes[mount["name"]]["persistentVolumeClaim"]["claimName"]]
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "1Gi"

    # The Ingress: hosts to Services; TLS and an Issuer only in PROD.
    (ingress,) = by_kind(objects, "Ingress").values()
    domain = "example.com" if environment == "PROD" else "todo.test"
    routes = {
        rule["host"]: path["backend"]["service"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]
    }
    assert routes == {
        domain: {"name": "frontend", "port": {"number": 8080}},
        f"api.{domain}": {"name": "backend", "port": {"number": 8080}},
    }
    issuers = by_kind(objects, "Issuer")
    if environment == "PROD":
        assert sorted(ingress["spec"]["tls"][0]["hosts"]) == ["api.example.com", "example.com"]
        assert len(issuers) == 1
        assert ingress["metadata"]["annotations"]["cert-manager.io/issuer"] in issuers
    else:
        assert "tls" not in ingress["spec"]
        assert not issuers
