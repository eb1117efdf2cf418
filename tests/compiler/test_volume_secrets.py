"""The `volume` secrets strategy (issue 15, docs/secrets.md): a generated
password is created on first start inside the cluster by an init container onto a small persistent
volume, and read from there as a file by every workload that needs it; it is never in the output,
the state file or a Secret. Secrets with a value in the file stay Secret objects. A generated
password a program would receive otherwise than as a file is KON331 at the use."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
import yaml
from compiler_support import (
    EXAMPLE_FILES,
    REPOSITORY,
    by_kind,
    cluster_password_objects,
    settings_diagnostics_at,
    strategy_architecture,
    todo_with_generated_passwords,
    validate_object,
)

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.model import EnvironmentArchitecture
from koncierge_lang.architecture.platform_warnings import environment_platform_diagnostics
from koncierge_lang.architecture.printer import print_architectures
from koncierge_lang.build_pipeline import run_build, state_path
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.security.password_volume import (
    PASSWORDS_DIRECTORY,
    PASSWORDS_IMAGE,
    PASSWORDS_INIT_DIRECTORY,
    password_creation_script,
)
from koncierge_lang.settings import Settings

sys.path.insert(0, str(REPOSITORY / "tests" / "security"))
from test_network_policies import least_privilege_checks_of  # noqa: E402

SETTINGS = Settings(secrets_strategy="volume")


def architecture_of(text: str, environment: str = "PROD", settings: Settings = SETTINGS) -> EnvironmentArchitecture:
    return strategy_architecture(text, settings, environment)


def objects_of(text: str, environment: str = "PROD", settings: Settings = SETTINGS) -> list[dict[str, Any]]:
    return cluster_password_objects(text, settings, environment)


def pod_spec(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for item in objects:
        if item["metadata"]["name"] != name:
            continue
        if item["kind"] in ("Deployment", "StatefulSet"):
            return item["spec"]["template"]["spec"]  # type: ignore[no-any-return]
        if item["kind"] == "CronJob":
            return item["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    raise LookupError(name)


def program(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["containers"][0]  # type: ignore[no-any-return]


def variables(container: dict[str, Any]) -> dict[str, Any]:
    return {variable["name"]: variable.get("value", variable.get("valueFrom")) for variable in container.get("env", [])}


@pytest.mark.parametrize("text", [EXAMPLE_FILES["todo"].read_text(encoding="utf-8"), todo_with_generated_passwords()])
@pytest.mark.parametrize("environment", ["LOCAL", "PROD"])
def test_every_object_is_valid(text: str, environment: str) -> None:
    for item in objects_of(text, environment):
        validate_object(item)


def test_secrets_written_in_the_file_stay_secret_objects() -> None:
    # The To Do example has no generated password: under `volume` its output is what `plain` gives.
    text = EXAMPLE_FILES["todo"].read_text(encoding="utf-8")
    assert objects_of(text) == manifests(architecture_of(text, settings=Settings()), {})
    secrets = by_kind(objects_of(todo_with_generated_passwords()), "Secret")
    assert set(secrets["database-secrets"]["data"]) == {"MYSQL_USER"}
    assert set(secrets["backend-secrets"]["data"]) == {"DB_USERNAME", "REPORT_URL"}


def test_every_workload_reads_the_same_password_file() -> None:
    objects = objects_of(todo_with_generated_passwords())
    database = program(pod_spec(objects, "database"))
    backend = program(pod_spec(objects, "backend"))
    assert variables(database)["MYSQL_PASSWORD_FILE"] == f"{PASSWORDS_DIRECTORY}/db_password"
    assert variables(backend)["DB_PASSWORD_FILE"] == f"{PASSWORDS_DIRECTORY}/db_password"
    assert variables(database)["MYSQL_ROOT_PASSWORD_FILE"] == f"{PASSWORDS_DIRECTORY}/database.MYSQL_ROOT_PASSWORD"
    mounts = {mount["mountPath"]: mount for mount in database["volumeMounts"]}
    assert mounts[f"{PASSWORDS_DIRECTORY}/db_password"] == {
        "name": "generated-passwords",
        "mountPath": f"{PASSWORDS_DIRECTORY}/db_password",
        "subPath": "db_password",
        "readOnly": True,
    }
    # The backend sees only its own password.
    assert [mount["subPath"] for mount in backend["volumeMounts"] if mount["name"] == "generated-passwords"] == [
        "db_password"
    ]
    volumes = {volume["name"]: volume for volume in pod_spec(objects, "backend")["volumes"]}
    assert volumes["generated-passwords"] == {
        "name": "generated-passwords",
        "persistentVolumeClaim": {"claimName": "generated-passwords"},
    }
    # No generated password is in a Secret.
    for secret in by_kind(objects, "Secret").values():
        assert not {"MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD", "DB_PASSWORD"} & set(secret.get("data", {}))


def test_the_backup_reads_the_root_password_from_its_file() -> None:
    objects = objects_of(todo_with_generated_passwords())
    backup = pod_spec(objects, "database-backup")
    script = program(backup)["command"][2]
    assert f'MYSQL_ROOT_PASSWORD="$(cat {PASSWORDS_DIRECTORY}/database.MYSQL_ROOT_PASSWORD)"' in script
    assert "/run/secrets/koncierge/MYSQL_ROOT_PASSWORD" not in script
    assert "MYSQL_ROOT_PASSWORD" not in variables(program(backup))
    assert backup["initContainers"][0]["name"] == "generated-passwords"


def test_the_init_container_is_pinned_and_hardened_and_runs_first() -> None:
    objects = objects_of(todo_with_generated_passwords())
    spec = pod_spec(objects, "database")
    init = spec["initContainers"][0]
    assert init["name"] == "generated-passwords"
    assert init["image"] == PASSWORDS_IMAGE
    assert re.fullmatch(r"busybox:\d+\.\d+\.\d+", init["image"])
    context = init["securityContext"]
    assert context == {**program(spec)["securityContext"], "capabilities": {"drop": ["ALL"]}}
    assert context["readOnlyRootFilesystem"] is True and context["runAsNonRoot"] is True
    assert init["volumeMounts"] == [{"name": "generated-passwords", "mountPath": PASSWORDS_INIT_DIRECTORY}]
    assert init["resources"]["limits"] == {"cpu": "100m", "memory": "32Mi"}
    assert "create database.MYSQL_ROOT_PASSWORD 32" in init["command"][2]
    assert "create db_password 32" in init["command"][2]


def test_where_not_hardened_the_init_container_is_root_without_capabilities() -> None:
    objects = objects_of(todo_with_generated_passwords(), "LOCAL")
    init = pod_spec(objects, "database")["initContainers"][0]
    assert init["securityContext"]["runAsUser"] == 0
    assert init["securityContext"]["runAsNonRoot"] is False
    assert init["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert init["securityContext"]["allowPrivilegeEscalation"] is False
    assert init["securityContext"]["readOnlyRootFilesystem"] is True
    assert "securityContext" not in program(pod_spec(objects, "database"))


def test_the_volume_is_read_write_many_only_where_several_pods_share_it() -> None:
    claims = by_kind(objects_of(todo_with_generated_passwords()), "PersistentVolumeClaim")
    assert claims["generated-passwords"]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claims["generated-passwords"]["spec"]["resources"]["requests"]["storage"] == "16Mi"
    assert claims["generated-passwords"]["metadata"]["labels"]["app.kubernetes.io/component"] == "secrets"
    alone = """
application notes {
  environment DEV "notes.dev.example.com"
  database db postgres {
    storage 1Gi read-write at "/var/lib/postgresql/data"
  }
}
"""
    architecture = architecture_of(alone, "DEV")
    assert not architecture.backups
    (claim,) = [claim for claim in architecture.claims if claim.name == "generated-passwords"]
    assert claim.access == "read-write-once"


def test_host_path_storage_gets_a_volume_for_the_password_claim() -> None:
    settings = Settings(secrets_strategy="volume", storage_provisioner="host-path")
    volumes = by_kind(objects_of(todo_with_generated_passwords(), settings=settings), "PersistentVolume")
    assert any(volume["spec"]["claimRef"]["name"] == "generated-passwords" for volume in volumes.values())


def run_script(directory: Path, passwords: tuple[tuple[str, int], ...], after: str = "") -> subprocess.Popen[str]:
    script = password_creation_script(passwords).replace(f"cd {PASSWORDS_INIT_DIRECTORY}", f"cd '{directory}'")
    return subprocess.Popen(
        ["/bin/sh", "-c", script + after], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_the_script_creates_each_password_once_even_when_pods_start_together(tmp_path: Path) -> None:
    passwords = (("database.MYSQL_ROOT_PASSWORD", 32), ("db_password", 64))
    # Several pods starting at the same moment: every one of them ends with the same passwords.
    processes = [
        run_script(tmp_path, passwords, "\ncat database.MYSQL_ROOT_PASSWORD; echo; cat db_password") for _ in range(8)
    ]
    outputs = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
        outputs.append(stdout)
    assert len(set(outputs)) == 1
    root, password = outputs[0].split("\n")
    assert re.fullmatch(r"[A-Za-z0-9]{32}", root)
    assert re.fullmatch(r"[A-Za-z0-9]{64}", password)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["database.MYSQL_ROOT_PASSWORD", "db_password"]
    assert (tmp_path / "db_password").stat().st_mode & 0o777 == 0o444
    # A later start keeps them.
    again = run_script(tmp_path, passwords, "\ncat database.MYSQL_ROOT_PASSWORD; echo; cat db_password")
    assert again.communicate(timeout=60)[0] == outputs[0]


def test_a_generated_password_not_read_as_a_file_is_kon331_at_the_use() -> None:
    text = todo_with_generated_passwords().replace(
        "env DB_PASSWORD = db_password as file\n",
        'env DB_PASSWORD = db_password\n    env DB_URL = "mysql://app:${db_password}@database/todo"\n',
    )
    lines = text.splitlines()
    found = [entry for entry in settings_diagnostics_at(text, SETTINGS) if entry[0] == "KON331"]
    assert [start_line for _, _, start_line in found] == [
        lines.index("    env DB_PASSWORD = db_password") + 1,
        lines.index('    env DB_URL = "mysql://app:${db_password}@database/todo"') + 1,
    ]
    assert "write `as file` after it" in found[0][1]
    assert "inside text" in found[1][1]
    # The database images read their passwords from files, and `as file` is a file: no KON331.
    assert not [entry for entry in settings_diagnostics_at(todo_with_generated_passwords(), SETTINGS) if entry[0] == "KON331"]
    # Nor under another strategy.
    application = analyze(text, "todo.kon").requirements.applications[0]
    assert not [
        diagnostic
        for diagnostic in environment_platform_diagnostics(application, application.environments[-1], Settings())
        if diagnostic.code == "KON331"
    ]


def test_a_database_whose_image_reads_no_password_file_is_kon331_at_the_database() -> None:
    text = """
application chat {
  environment PROD "chat.example.com"
  database queue rabbitmq {
    storage 1Gi read-write at "/var/lib/rabbitmq"
  }
}
"""
    found = [entry for entry in settings_diagnostics_at(text, SETTINGS) if entry[0] == "KON331"]
    assert [(start_line, "RABBITMQ_DEFAULT_PASS" in message) for _, message, start_line in found] == [(4, True)]
    assert "its image reads no password file" in found[0][1] and "as file" not in found[0][1]


def build(tmp_path: Path, text: str, toml: str, output: str = "out") -> Any:
    (tmp_path / "todo.kon").write_text(text, encoding="utf-8")
    (tmp_path / "koncierge.toml").write_text(toml, encoding="utf-8")
    return run_build(tmp_path / "todo.kon", output=str(tmp_path / output), environments=["PROD"])


def test_the_todo_example_builds_and_no_output_file_holds_a_generated_password(tmp_path: Path) -> None:
    text = todo_with_generated_passwords()
    assert build(tmp_path, text, "", output="plain").exit_code == 0
    state = state_path(tmp_path / "todo.kon")
    state_before = state.read_text(encoding="utf-8")
    generated = set(json.loads(state_before)["passwords"].values())
    assert len(generated) == 2
    literal = {"todo-user-7Qx", "Zr8-report-token"}

    def forms(values: set[str]) -> set[str]:
        return {
            form
            for value in values
            for form in (value, base64.b64encode(value.encode()).decode(), urllib.parse.quote(value, safe=""))
        }

    outcome = build(tmp_path, text, '[secrets]\nstrategy = "volume"\n')
    assert outcome.exit_code == 0, outcome.messages
    files = [path for path in (tmp_path / "out").rglob("*") if path.is_file()]
    assert files
    literal_seen = 0
    for path in files:
        content = path.read_text(encoding="utf-8")
        assert not [form for form in forms(generated) if form in content], path.name
        # Secrets written in the file stay in Secret objects, as documented, and only there.
        for document in yaml.safe_load_all(content) if path.suffix == ".yaml" else []:
            if not document:
                continue
            dumped = yaml.safe_dump(document)
            seen = [form for form in forms(literal) if form in dumped]
            if document["kind"] == "Secret":
                literal_seen += len(seen)
            else:
                assert not seen, (path.name, document["kind"])
    assert literal_seen > 0
    assert state.read_text(encoding="utf-8") == state_before
    plain_text = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "plain").rglob("*.yaml"))
    assert any(form in plain_text for form in forms(generated))


def test_the_original_todo_example_builds_without_a_state_file(tmp_path: Path) -> None:
    outcome = build(tmp_path, EXAMPLE_FILES["todo"].read_text(encoding="utf-8"), '[secrets]\nstrategy = "volume"\n')
    assert outcome.exit_code == 0, outcome.messages
    generated = tmp_path / "generated"
    generated.mkdir()
    assert build(generated, todo_with_generated_passwords(), '[secrets]\nstrategy = "volume"\n').exit_code == 0
    assert not state_path(generated / "todo.kon").exists()


@pytest.mark.parametrize("text", [EXAMPLE_FILES["todo"].read_text(encoding="utf-8"), todo_with_generated_passwords()])
def test_the_network_policies_still_allow_exactly_what_is_needed(text: str) -> None:
    assert least_privilege_checks_of(text, SETTINGS) > 0


def test_the_architecture_print_out_shows_the_volume() -> None:
    printed = yaml.safe_load(print_architectures([architecture_of(todo_with_generated_passwords())]))
    assert printed["secrets"] == {
        "strategy": "volume",
        "password_volume": {
            "claim": "generated-passwords",
            "init_container": "generated-passwords",
            "image": PASSWORDS_IMAGE,
            "files": PASSWORDS_DIRECTORY,
        },
    }
    passwords = {entry["name"]: entry for entry in printed["passwords_made_in_cluster"]}
    assert passwords["db_password"] == {
        "name": "db_password",
        "key": "db_password",
        "length": 32,
        "used_by": ["backend", "database"],
    }


@pytest.mark.parametrize("environment", ["LOCAL", "PROD"])
def test_no_two_objects_share_kind_namespace_and_name(environment: str) -> None:
    objects = objects_of(todo_with_generated_passwords(), environment)
    identities = [(item["kind"], item["metadata"].get("namespace"), item["metadata"]["name"]) for item in objects]
    assert len(identities) == len(set(identities))
    for spec in (pod_spec(objects, name) for name in ("backend", "database")):
        names = [volume["name"] for volume in spec["volumes"]]
        assert len(names) == len(set(names))
        containers = [container["name"] for container in (*spec.get("initContainers", []), *spec["containers"])]
        assert len(containers) == len(set(containers))


def test_the_print_out_shows_where_a_password_file_is_and_never_a_value() -> None:
    printed = yaml.safe_load(print_architectures([architecture_of(todo_with_generated_passwords())]))
    (database,) = [workload for workload in printed["workloads"] if workload["name"] == "database"]
    variables = {variable["name"]: variable for variable in database["variables"]}
    assert variables["MYSQL_PASSWORD"] == {
        "name": "MYSQL_PASSWORD",
        "from": "password file",
        "set": "generated-passwords/db_password",
        "references": ["db_password"],
    }
    assert "MYSQL_PASSWORD" in database["secret_files"]


def test_the_password_claim_name_is_reserved_whatever_the_strategy() -> None:
    text = (
        'application shop "Shop" {\n  environment DEV "shop.dev.example.com"\n  storage generated-passwords 1Gi\n'
        '  component web {\n    image "nginx:1.27"\n    port 8080\n    mount generated-passwords at "/data"\n  }\n}\n'
    )
    found = [diagnostic for diagnostic in analyze(text, "shop.kon").diagnostics if diagnostic.code == "KON105"]
    assert len(found) == 1 and "generated passwords" in found[0].message
    assert (found[0].span.start_line, found[0].span.start_column) == (3, 11)
