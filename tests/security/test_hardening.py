"""Hardened workloads in strict-security environments (docs/security.md), shaped by the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from security_support import objects_of, pod_specs

from koncierge_lang.settings import Settings

TODO = Path(__file__).resolve().parents[2] / "examples" / "todo" / "todo.kon"


def objects(environment: str, settings: Settings | None = None) -> list[dict[str, Any]]:
    return objects_of(TODO.read_text(encoding="utf-8"), environment, settings)


def test_strict_environments_are_hardened() -> None:
    documents = objects("PROD")
    accounts = {d["metadata"]["name"]: d for d in documents if d["kind"] == "ServiceAccount"}
    for name, spec in pod_specs(documents).items():
        assert spec["serviceAccountName"] == name and accounts[name]["automountServiceAccountToken"] is False
        assert spec["securityContext"]["runAsNonRoot"] and spec["securityContext"]["runAsUser"] == 10001
        (container,) = spec["containers"]
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] and not context["allowPrivilegeEscalation"]
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert container["imagePullPolicy"] == "Always"
        assert set(container["resources"]) == {"limits", "requests"}
        assert not any("secretKeyRef" in item.get("valueFrom", {}) for item in container.get("env", [])) or name == "backend"
        if name != "database-backup":
            assert "livenessProbe" in container and "readinessProbe" in container
    database = pod_specs(documents)["database"]["containers"][0]
    mounted = {mount["mountPath"] for mount in database["volumeMounts"]}
    assert {"/var/lib/mysql", "/tmp", "/var/run/mysqld", "/var/lib/mysql-files", "/run/secrets/koncierge"} <= mounted
    assert database["readinessProbe"]["exec"]["command"][:2] == ["mysqladmin", "ping"]
    assert "startupProbe" in database


def test_relaxed_environments_keep_the_ancestors_shape_and_settings_change_it() -> None:
    local = pod_specs(objects("LOCAL"))["backend"]
    assert "securityContext" not in local and local["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    hardened = pod_specs(objects("LOCAL", Settings(hardening="all", run_as_user=20000, memory_limit="2Gi")))["backend"]
    assert hardened["securityContext"]["runAsUser"] == 20000
    assert hardened["containers"][0]["resources"]["limits"]["memory"] == "2Gi"
    assert "securityContext" not in pod_specs(objects("PROD", Settings(hardening="none")))["backend"]


def test_explain_network_lists_every_allowed_connection() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "koncierge_lang", "explain", "network", str(TODO), "--env", "PROD"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "backend" in result.stdout and "3306/TCP" in result.stdout and "DB_HOST = database.host" in result.stdout
    assert "projectcontour" in result.stdout and "53/UDP+TCP" in result.stdout
    assert "Everything else" in result.stdout
