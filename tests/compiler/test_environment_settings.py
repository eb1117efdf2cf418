"""Per-environment settings (`[environments.NAME]` in koncierge.toml): where each environment is
placed (cluster, namespace) and which profile it is built with; KON326 and KON327."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from compiler_support import EXAMPLE_FILES, REPOSITORY, architectures, documents

from koncierge_lang.architecture.printer import print_architectures
from koncierge_lang.build_pipeline import run_build
from koncierge_lang.cli import main
from koncierge_lang.settings import ENVIRONMENT_KEYS, EnvironmentSettings, Settings, parse_settings

TODO = EXAMPLE_FILES["todo"]


def _check(tmp_path: Path, settings_text: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    shutil.copy(TODO, tmp_path / "todo.kon")
    (tmp_path / "koncierge.toml").write_text(settings_text, encoding="utf-8")
    code = main(["check", "--color", "never", str(tmp_path / "todo.kon")])
    return code, capsys.readouterr().out


def test_environment_tables_are_read() -> None:
    text = '[environments.PROD]\ncluster = "eu-central"\nnamespace = "shop"\nprofile = "budget"\n[environments.DEV]\n'
    result = parse_settings(text)
    assert not result.diagnostics
    assert result.settings.environments == (
        EnvironmentSettings("PROD", "eu-central", "shop", "budget"),
        EnvironmentSettings("DEV"),
    )
    assert result.settings.environment("PROD").cluster == "eu-central"
    # An environment without a table gets the defaults.
    assert result.settings.environment("INT") == EnvironmentSettings("INT", "default", "", "")


def test_unknown_key_is_kon320_with_did_you_mean_at_its_line() -> None:
    (diagnostic,) = parse_settings('[environments.PROD]\nnamespce = "shop"\n').diagnostics
    assert diagnostic.code == "KON320"
    assert "did you mean `namespace`?" in diagnostic.message
    assert (diagnostic.span.start_line, diagnostic.span.start_column) == (2, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('profile = "cheap"', "'performance', 'budget'"),
        ("profile = 1", "a string"),
        ('cluster = "EU Central"', "cluster name"),
        ('namespace = "shop_prod"', "namespace name"),
    ],
)
def test_wrong_values_are_kon321(text: str, expected: str) -> None:
    (diagnostic,) = parse_settings(f"[environments.PROD]\n{text}\n").diagnostics
    assert diagnostic.code == "KON321" and expected in diagnostic.message, diagnostic.message
    assert diagnostic.span.start_line == 2


def test_unknown_environment_is_kon326_with_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = _check(tmp_path, '[environments.PRDO]\ncluster = "eu-central"\n', capsys)
    assert code == 1
    assert "koncierge.toml:1:2: error[KON326]" in output
    assert "no environment `PRDO` (did you mean `PROD`?)" in output


def test_two_environments_in_one_namespace_is_kon327(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = _check(tmp_path, '[environments.PERF]\nnamespace = "todo-prod"\n', capsys)
    assert code == 1
    assert "koncierge.toml:2:1: error[KON327]" in output
    assert "`PERF` and `PROD`" in output
    # In different clusters, the same namespace is fine.
    code, output = _check(tmp_path, '[environments.PERF]\nnamespace = "todo-prod"\ncluster = "perf"\n', capsys)
    assert code == 0 and "KON327" not in output


def test_build_refuses_a_misplaced_environment(tmp_path: Path) -> None:
    shutil.copy(TODO, tmp_path / "todo.kon")
    (tmp_path / "koncierge.toml").write_text('[environments.ACC]\nnamespace = "todo-prod"\n', encoding="utf-8")
    outcome = run_build(tmp_path / "todo.kon", str(tmp_path / "out"))
    assert outcome.exit_code == 1
    assert [found.code for report in outcome.reports for found in report.diagnostics if found.code == "KON326"]
    assert not (tmp_path / "out").exists()


def test_namespace_override_is_in_every_namespaced_object_and_peer() -> None:
    settings = Settings(environments=(EnvironmentSettings("PROD", namespace="shop-live"),))
    objects = documents(TODO, "PROD", settings)
    namespaces = {item["metadata"].get("namespace") for item in objects if item["kind"] != "Namespace"}
    assert namespaces <= {"shop-live", None}
    assert [item["metadata"]["name"] for item in objects if item["kind"] == "Namespace"] == ["shop-live"]
    # Labels and selectors (of the network policies' peers too) name the namespace as the instance.
    assert "todo-prod" not in json.dumps(objects)
    policies = [item for item in objects if item["kind"] == "NetworkPolicy"]
    peers = [
        peer["podSelector"]["matchLabels"]
        for policy in policies
        for rule in policy["spec"].get("ingress", []) + policy["spec"].get("egress", [])
        for peer in rule.get("from", rule.get("to", []))
        if "podSelector" in peer and "namespaceSelector" not in peer
    ]
    assert peers and all(labels["app.kubernetes.io/instance"] == "shop-live" for labels in peers)
    # Other environments keep theirs.
    assert {item["metadata"].get("namespace") for item in documents(TODO, "DEV", settings)} <= {"todo-dev", None}


def test_cluster_and_profile_are_in_the_architecture_and_its_print_out() -> None:
    settings = Settings(
        environments=(EnvironmentSettings("PROD", cluster="eu-central"), EnvironmentSettings("DEV", profile="performance"))
    )
    built = architectures(TODO, settings)
    assert (built["PROD"].cluster, built["PROD"].profile) == ("eu-central", "performance")
    assert (built["DEV"].cluster, built["DEV"].profile) == ("default", "performance")
    # Without a setting the profile follows the kind: performance for PERF and PROD.
    assert {name: built[name].profile for name in ("LOCAL", "INT", "PERF")} == {
        "LOCAL": "budget",
        "INT": "budget",
        "PERF": "performance",
    }
    printed = print_architectures([built["PROD"]])
    assert "cluster: eu-central\nprofile: performance\n" in printed


def test_every_environment_key_is_documented() -> None:
    documentation = (REPOSITORY / "docs" / "compiler.md").read_text(encoding="utf-8")
    for key in ENVIRONMENT_KEYS:
        assert f"| `[environments.NAME]` | `{key}` |" in documentation, key
