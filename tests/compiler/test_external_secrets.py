"""The `external-secrets` secrets strategy (issue 15, docs/secrets.md): every
Secret becomes an ExternalSecret of the same name reading the store, generated passwords are
Password generators behind one CreatedOnce ExternalSecret each, shared by every workload that uses
them; nothing secret is in the output or the state file; what cannot be expressed is KON330 at the
use, in check, build and the editor's lowering alike."""

from __future__ import annotations

import base64
import re
import sys
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
from koncierge_lang.architecture.printer import print_architectures
from koncierge_lang.build_pipeline import run_build, state_path
from koncierge_lang.lowering import lower_file
from koncierge_lang.settings import Settings, parse_settings

sys.path.insert(0, str(REPOSITORY / "tests" / "security"))
from test_network_policies import least_privilege_checks_of  # noqa: E402

SETTINGS = Settings(secrets_strategy="external-secrets", external_secrets_store="vault")
KONCIERGE_TOML = '[secrets]\nstrategy = "external-secrets"\n\n[secrets.external-secrets]\nstore = "vault"\n'


def architecture_of(text: str, environment: str = "PROD", settings: Settings = SETTINGS) -> EnvironmentArchitecture:
    return strategy_architecture(text, settings, environment)


def objects_of(text: str, environment: str = "PROD", settings: Settings = SETTINGS) -> list[dict[str, Any]]:
    return cluster_password_objects(text, settings, environment)


def environment_variables(objects: list[dict[str, Any]], workload: str) -> dict[str, dict[str, Any]]:
    for item in objects:
        if item["kind"] in ("Deployment", "StatefulSet") and item["metadata"]["name"] == workload:
            (container,) = item["spec"]["template"]["spec"]["containers"]
            return {variable["name"]: variable for variable in container.get("env", [])}
    raise LookupError(workload)


@pytest.mark.parametrize("text", [EXAMPLE_FILES["todo"].read_text(encoding="utf-8"), todo_with_generated_passwords()])
def test_every_object_is_valid_and_no_secret_object_is_written(text: str) -> None:
    objects = objects_of(text)
    for item in objects:
        validate_object(item)
    assert not by_kind(objects, "Secret")
    external = by_kind(objects, "ExternalSecret")
    # Each workload's Secret keeps its name, so the workloads read it as before.
    assert {"backend-secrets", "database-secrets"} <= set(external)
    for name in ("backend-secrets", "database-secrets"):
        spec = external[name]["spec"]
        assert spec["target"]["name"] == name
        assert spec["secretStoreRef"] == {"name": "vault", "kind": "ClusterSecretStore"}
        assert spec["refreshInterval"] == "1h"


def test_values_are_read_from_the_store_under_the_key_pattern() -> None:
    settings = Settings(
        secrets_strategy="external-secrets",
        external_secrets_store="team-vault",
        external_secrets_store_kind="SecretStore",
        external_secrets_key_pattern="kv/{application}/{environment}/{name}",
        external_secrets_refresh_interval="15m",
    )
    external = by_kind(
        objects_of(EXAMPLE_FILES["todo"].read_text(encoding="utf-8"), settings=settings), "ExternalSecret"
    )
    database = external["database-secrets"]["spec"]
    assert database["secretStoreRef"] == {"name": "team-vault", "kind": "SecretStore"}
    assert database["refreshInterval"] == "15m"
    keys = {entry["secretKey"]: entry["remoteRef"]["key"] for entry in database["data"]}
    # `{name}`: a named secret's name; a secret written in place is `component/VARIABLE`.
    assert keys == {
        "MYSQL_USER": "kv/todo/PROD/db_user",
        "MYSQL_PASSWORD": "kv/todo/PROD/db_password",
        "MYSQL_ROOT_PASSWORD": "kv/todo/PROD/database/MYSQL_ROOT_PASSWORD",
    }
    assert "template" not in external["database-secrets"]["spec"]["target"]


def test_a_store_secret_is_read_by_its_own_key() -> None:
    text = (
        EXAMPLE_FILES["todo"]
        .read_text(encoding="utf-8")
        .replace('secret db_user = base64 "dXNlcg=="', 'secret db_user = from store "shared/todo-user"')
    )
    external = by_kind(objects_of(text), "ExternalSecret")
    keys = {entry["secretKey"]: entry["remoteRef"]["key"] for entry in external["backend-secrets"]["spec"]["data"]}
    assert keys == {"DB_USERNAME": "shared/todo-user", "DB_PASSWORD": "todo/PROD/db_password"}


def test_text_around_secrets_is_a_template_with_literal_braces_quoted() -> None:
    external = by_kind(objects_of(todo_with_generated_passwords()), "ExternalSecret")
    spec = external["backend-secrets"]["spec"]
    inputs = {entry["remoteRef"]["key"]: entry["secretKey"] for entry in spec["data"]}
    assert set(inputs) == {"todo/PROD/db_user", "todo/PROD/report_token"}
    template = spec["target"]["template"]
    assert template["engineVersion"] == "v2"
    token = inputs["todo/PROD/report_token"]
    assert template["data"]["REPORT_URL"] == ("https://reports:{{ ." + token + ' }}@reports.example.com/{{ "{{" }}x}}')
    # With a template the Secret holds exactly the rendered keys: every item is rendered.
    assert template["data"]["DB_USERNAME"] == "{{ ." + inputs["todo/PROD/db_user"] + " }}"
    assert set(template["data"]) == {"DB_USERNAME", "REPORT_URL"}


def test_generated_passwords_are_made_once_in_the_cluster_and_shared() -> None:
    objects = objects_of(todo_with_generated_passwords())
    generators = by_kind(objects, "Password")
    assert list(generators) == ["password-32"]
    assert generators["password-32"]["spec"]["length"] == 32
    assert generators["password-32"]["spec"]["symbols"] == 0
    external = by_kind(objects, "ExternalSecret")
    for name in ("password.db-password", "password.database.mysql-root-password"):
        spec = external[name]["spec"]
        assert spec["refreshPolicy"] == "CreatedOnce"
        assert spec["target"] == {"name": name, "creationPolicy": "Orphan"}
        assert spec["dataFrom"][0]["sourceRef"]["generatorRef"]["name"] == "password-32"
    # The database and the backend read the same Secret for `db_password`: the same value.
    database = environment_variables(objects, "database")
    assert "MYSQL_PASSWORD" not in database and "MYSQL_PASSWORD_FILE" in database
    statefulset = by_kind(objects, "StatefulSet")["database"]["spec"]["template"]["spec"]
    (projected,) = [volume for volume in statefulset["volumes"] if volume["name"] == "secret-files"]
    sources = {source["secret"]["name"]: source["secret"]["items"] for source in projected["projected"]["sources"]}
    assert sources["password.db-password"] == [{"key": "password", "path": "MYSQL_PASSWORD"}]
    assert sources["password.database.mysql-root-password"] == [{"key": "password", "path": "MYSQL_ROOT_PASSWORD"}]
    deployment = by_kind(objects, "Deployment")["backend"]["spec"]["template"]["spec"]
    (projected,) = [volume for volume in deployment["volumes"] if volume["name"] == "secret-files"]
    names = [source["secret"]["name"] for source in projected["projected"]["sources"]]
    assert "password.db-password" in names
    # No generated password is left in a workload's own ExternalSecret.
    assert all(
        entry["remoteRef"]["key"] != "todo/PROD/db_password" for entry in external["database-secrets"]["spec"]["data"]
    )


def test_a_generated_password_as_a_plain_variable_reads_the_shared_secret() -> None:
    text = todo_with_generated_passwords().replace(
        "env DB_PASSWORD = db_password as file", "env DB_PASSWORD = db_password"
    )
    variables = environment_variables(
        objects_of(
            text,
            settings=Settings(secrets_strategy="external-secrets", external_secrets_store="vault", hardening="none"),
        ),
        "backend",
    )
    assert variables["DB_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": "password.db-password", "key": "password"}
    }


def test_the_architecture_print_out_shows_the_strategy_and_the_passwords_made_in_the_cluster() -> None:
    printed = yaml.safe_load(print_architectures([architecture_of(todo_with_generated_passwords())]))
    assert printed["secrets"] == {
        "strategy": "external-secrets",
        "store": "vault",
        "store_kind": "ClusterSecretStore",
        "key_pattern": "{application}/{environment}/{name}",
        "refresh_interval": "1h",
    }
    passwords = {entry["name"]: entry for entry in printed["passwords_made_in_cluster"]}
    assert passwords["db_password"]["used_by"] == ["backend", "database"]
    assert passwords["database/MYSQL_ROOT_PASSWORD"]["used_by"] == ["database", "database-backup"]
    items = {item["key"]: item for entry in printed["secret_sets"] for item in entry["items"]}
    assert items["MYSQL_USER"]["store_keys"] == ["todo/PROD/db_user"]
    plain = yaml.safe_load(print_architectures([architecture_of(todo_with_generated_passwords(), settings=Settings())]))
    assert plain["secrets"] == {"strategy": "plain"}
    assert "passwords_made_in_cluster" not in plain


def test_only_environments_with_the_strategy_change() -> None:
    settings = parse_settings(
        '[secrets.external-secrets]\nstore = "vault"\n\n[environments.PROD]\nsecrets = "external-secrets"\n'
    ).settings
    text = todo_with_generated_passwords()
    assert architecture_of(text, "PROD", settings).secrets.name == "external-secrets"
    development = architecture_of(text, "DEV", settings)
    assert development.secrets.name == "plain"
    assert development.generated_secrets(), "DEV keeps its passwords in the state file"


def test_a_generated_password_inside_text_is_kon330_at_the_use() -> None:
    text = todo_with_generated_passwords().replace(
        "env DB_NAME = db_name\n",
        'env DB_NAME = db_name\n    env DB_URL = "mysql://app:${db_password}@database/todo"\n',
    )
    found = [entry for entry in settings_diagnostics_at(text, SETTINGS) if entry[0] == "KON330"]
    line = text.splitlines().index('    env DB_URL = "mysql://app:${db_password}@database/todo"') + 1
    assert [(code, start_line) for code, _, start_line in found] == [("KON330", line)]
    assert found[0][1].startswith("in PROD: `DB_URL` puts a generated password inside text")
    # Not under the other strategies, where Koncierge or the volume supplies the text.
    assert not [entry for entry in settings_diagnostics_at(text, Settings()) if entry[0] == "KON330"]
    # The editor's lowering reports the same, and a build refuses to write anything.
    lowered = lower_file(analyze(text, "todo.kon").requirements.applications, SETTINGS)
    production = next(entry for entry in lowered if entry.environment.name == "PROD")
    assert [diagnostic.code for diagnostic in production.diagnostics if diagnostic.code in ("KON330", "KON325")] == [
        "KON330"
    ]


def test_a_value_written_in_the_file_is_reported_as_read_from_the_store() -> None:
    text = EXAMPLE_FILES["todo"].read_text(encoding="utf-8")
    found = [entry for entry in settings_diagnostics_at(text, SETTINGS) if entry[0] == "KON332"]
    lines = text.splitlines()
    # Once per secret: at the named secrets' declarations, and at the secret written in place.
    assert sorted(start_line for _, _, start_line in found) == sorted(
        [
            lines.index('  secret db_user = base64 "dXNlcg=="') + 1,
            lines.index('  secret db_password = base64 "ZGV2ZWxvcA=="') + 1,
            lines.index('    env MYSQL_ROOT_PASSWORD = secret base64 "bWFnaWM="') + 1,
        ]
    )
    assert any("at the key `todo/PROD/database/MYSQL_ROOT_PASSWORD`" in message for _, message, _ in found)
    assert all(diagnostic[0] != "KON332" for diagnostic in settings_diagnostics_at(text, Settings()))


def build(tmp_path: Path, text: str, toml: str, output: str = "out") -> Any:
    (tmp_path / "todo.kon").write_text(text, encoding="utf-8")
    (tmp_path / "koncierge.toml").write_text(toml, encoding="utf-8")
    return run_build(tmp_path / "todo.kon", output=str(tmp_path / output), environments=["PROD"])


def test_a_build_with_kon330_writes_nothing(tmp_path: Path) -> None:
    text = todo_with_generated_passwords().replace(
        "env DB_NAME = db_name\n",
        'env DB_NAME = db_name\n    env DB_URL = "mysql://app:${db_password}@database/todo"\n',
    )
    outcome = build(tmp_path, text, KONCIERGE_TOML)
    assert outcome.exit_code != 0
    assert not (tmp_path / "out").exists()


def known_forms(values: set[str]) -> set[str]:
    """Each value as written, in base64 and URL-encoded."""
    import urllib.parse

    forms: set[str] = set()
    for value in values:
        forms |= {value, base64.b64encode(value.encode()).decode(), urllib.parse.quote(value, safe="")}
    return forms


def known_secret_values(tmp_path: Path) -> set[str]:
    """Every secret value a build of the text in `tmp_path` knows: the values written in the file,
    and the generated passwords a plain build put in the state file."""
    values = set(json_passwords(state_path(tmp_path / "todo.kon")))
    architecture = architecture_of((tmp_path / "todo.kon").read_text(encoding="utf-8"), settings=Settings())
    for secret_set in architecture.secret_sets:
        for item in secret_set.items:
            for part in item.parts:
                if not isinstance(part, str) and part.origin == "plain":
                    values.add(part.text)
                elif not isinstance(part, str) and part.origin == "base64":
                    values.add(base64.b64decode(part.text).decode())
    assert len(values) >= 4
    return values


def json_passwords(path: Path) -> list[str]:
    import json

    return list(json.loads(path.read_text(encoding="utf-8"))["passwords"].values())


def test_the_todo_example_builds_and_no_output_file_holds_a_secret(tmp_path: Path) -> None:
    text = todo_with_generated_passwords()
    # A plain build first: the state file then holds generated passwords the build knows.
    assert build(tmp_path, text, "", output="plain").exit_code == 0
    state_before = state_path(tmp_path / "todo.kon").read_text(encoding="utf-8")
    forms = known_forms(known_secret_values(tmp_path))
    outcome = build(tmp_path, text, KONCIERGE_TOML)
    assert outcome.exit_code == 0, outcome.messages
    files = [path for path in (tmp_path / "out").rglob("*") if path.is_file()]
    assert files
    for path in files:
        content = path.read_text(encoding="utf-8")
        found = sorted(form for form in forms if form in content)
        assert not found, f"{path.name} holds {found}"
    # The state file is not touched: the cluster makes these passwords.
    assert state_path(tmp_path / "todo.kon").read_text(encoding="utf-8") == state_before
    # Sanity: the plain build did write them, so the scan looks for the right forms.
    plain_text = "".join(path.read_text(encoding="utf-8") for path in (tmp_path / "plain").rglob("*.yaml"))
    assert any(form in plain_text for form in forms)


def test_the_unchanged_todo_example_builds_without_a_state_file(tmp_path: Path) -> None:
    text = todo_with_generated_passwords()
    outcome = build(tmp_path, text, KONCIERGE_TOML)
    assert outcome.exit_code == 0, outcome.messages
    assert not state_path(tmp_path / "todo.kon").exists()
    documents = [
        document
        for path in sorted((tmp_path / "out").rglob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]
    assert {document["kind"] for document in documents} >= {"ExternalSecret", "Password"}
    assert not [document for document in documents if document["kind"] == "Secret"]
    original = tmp_path / "original"
    original.mkdir()
    assert build(original, EXAMPLE_FILES["todo"].read_text(encoding="utf-8"), KONCIERGE_TOML).exit_code == 0


@pytest.mark.parametrize("text", [EXAMPLE_FILES["todo"].read_text(encoding="utf-8"), todo_with_generated_passwords()])
def test_the_network_policies_still_allow_exactly_what_is_needed(text: str) -> None:
    assert least_privilege_checks_of(text, SETTINGS) > 0


def test_output_names_and_keys_are_what_kubernetes_accepts() -> None:
    for item in objects_of(todo_with_generated_passwords()):
        if item["kind"] == "ExternalSecret":
            for entry in item["spec"].get("data", []):
                assert re.fullmatch(r"[-._a-zA-Z0-9]+", entry["secretKey"])


@pytest.mark.parametrize("environment", ["LOCAL", "PROD"])
def test_no_two_objects_share_kind_namespace_and_name(environment: str) -> None:
    objects = objects_of(todo_with_generated_passwords(), environment)
    identities = [(item["kind"], item["metadata"].get("namespace"), item["metadata"]["name"]) for item in objects]
    assert len(identities) == len(set(identities))


@pytest.mark.parametrize("layout", ["files", "kustomize"])
def test_a_rebuild_with_no_change_changes_no_file(tmp_path: Path, layout: str) -> None:
    (tmp_path / "todo.kon").write_text(todo_with_generated_passwords(), encoding="utf-8")
    (tmp_path / "koncierge.toml").write_text(KONCIERGE_TOML, encoding="utf-8")
    first = run_build(tmp_path / "todo.kon", output=str(tmp_path / "out"), layout=layout)
    assert first.exit_code == 0 and first.written
    again = run_build(tmp_path / "todo.kon", output=str(tmp_path / "out"), layout=layout, check=True)
    assert again.exit_code == 0, again.messages


def test_the_flux_tree_holds_no_secret_object(tmp_path: Path) -> None:
    (tmp_path / "todo.kon").write_text(todo_with_generated_passwords(), encoding="utf-8")
    (tmp_path / "koncierge.toml").write_text(
        KONCIERGE_TOML + '\n[delivery]\nrepository = "https://git.example.com/deploy.git"\n', encoding="utf-8"
    )
    outcome = run_build(tmp_path / "todo.kon", output=str(tmp_path / "out"), layout="flux")
    assert outcome.exit_code == 0, outcome.messages
    kinds = [
        document["kind"]
        for path in sorted((tmp_path / "out").rglob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]
    assert "ExternalSecret" in kinds and "Password" in kinds
    assert "Secret" not in kinds
