"""Per-environment settings (`[environments.NAME]` in koncierge.toml): where each environment is
placed (cluster, namespace) and which profile it is built with; KON326 and KON327."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import kubernetes_validate
import pytest
from compiler_support import EXAMPLE_FILES, KUBERNETES_VERSION, REPOSITORY, architectures, by_kind, documents

from koncierge_lang.architecture.printer import print_architectures
from koncierge_lang.build_pipeline import run_build
from koncierge_lang.cli import main
from koncierge_lang.settings import ENVIRONMENT_KEYS, PROFILE_KEYS, EnvironmentSettings, Settings, parse_settings

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


# Profiles: `[profiles.performance]` and `[profiles.budget]`.

SINGLE_INSTANCE = """application shop {
  environment PROD "example.com"
  component web {
    image "nginx:1.27"
    port 8080
  }
  component worker {
    image "busybox:1.36"
    port 9000
    single instance
  }
  database db postgres {
    storage 1Gi read-write at "/var/lib/postgresql/data"
  }
}
"""


def _shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.kon"
    path.write_text(SINGLE_INSTANCE, encoding="utf-8")
    return path


def test_profile_tables_are_read_and_checked() -> None:
    text = (
        "[profiles.performance]\nreplicas = 3\ndisruption_budget = true\nspread_across_nodes = true\n"
        "autoscale_max = 6\nautoscale_cpu = 70\n[profiles.budget]\nreplicas = 1\n"
    )
    result = parse_settings(text)
    assert not result.diagnostics
    performance = result.settings.profile("performance")
    assert (performance.replicas, performance.disruption_budget, performance.spread_across_nodes) == (3, True, True)
    assert (performance.autoscale_min, performance.autoscale_max, performance.autoscale_cpu) == (0, 6, 70)
    # Without a table the profiles reproduce the environment kinds' old decisions.
    assert (Settings().profile("performance").replicas, Settings().profile("budget").replicas) == (2, 1)
    cases = {
        "[profiles.performance]\nreplica = 3\n": ("KON320", "did you mean `replicas`?"),
        "[profiles.performace]\nreplicas = 3\n": ("KON320", "did you mean `performance`?"),
        "[profiles.budget]\nreplicas = 0\n": ("KON321", "at least 1"),
        '[profiles.budget]\ndisruption_budget = "yes"\n': ("KON321", "true or false"),
        "[profiles.budget]\nautoscale_min = 3\nautoscale_max = 2\n": ("KON321", "fewer than the minimum"),
    }
    for text, (code, expected) in cases.items():
        (diagnostic,) = parse_settings(text).diagnostics
        assert diagnostic.code == code and expected in diagnostic.message, (text, diagnostic.message)


def test_the_profile_decides_replicas_and_default_resources() -> None:
    settings = Settings(environments=(EnvironmentSettings("INT", profile="performance"), EnvironmentSettings("PROD", profile="budget")))
    built = architectures(TODO, settings)
    default = architectures(TODO)
    backend = {name: next(w for w in built[name].workloads if w.name == "backend") for name in ("INT", "PROD")}
    assert (backend["INT"].replicas, backend["PROD"].replicas) == (2, 1)
    # INT now gets what PROD got by default, and the other way round.
    default_backend = {name: next(w for w in default[name].workloads if w.name == "backend") for name in ("INT", "PROD")}
    assert backend["INT"].resources == default_backend["PROD"].resources
    assert backend["PROD"].resources == default_backend["INT"].resources
    assert backend["INT"].resources != backend["PROD"].resources


def _knobs() -> Settings:
    return parse_settings(
        "[profiles.performance]\nreplicas = 3\ndisruption_budget = true\nspread_across_nodes = true\n"
        "autoscale_min = 2\nautoscale_max = 5\nautoscale_cpu = 75\n"
    ).settings


def test_performance_knobs_give_a_budget_spreading_and_an_autoscaler(tmp_path: Path) -> None:
    objects = documents(_shop(tmp_path), "PROD", _knobs())
    deployments = by_kind(objects, "Deployment")
    web = deployments["web"]["spec"]
    assert "replicas" not in web  # the autoscaler owns the number of copies
    assert web["template"]["spec"]["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": web["selector"]["matchLabels"]},
        }
    ]
    (budget,) = by_kind(objects, "PodDisruptionBudget").values()
    assert budget["metadata"]["name"] == "web" and budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"] == web["selector"]
    (autoscaler,) = by_kind(objects, "HorizontalPodAutoscaler").values()
    assert autoscaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert (autoscaler["spec"]["minReplicas"], autoscaler["spec"]["maxReplicas"]) == (2, 5)
    assert autoscaler["spec"]["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 75}
    # Single instances and databases are never replicated, kept available, spread or scaled.
    worker = deployments["worker"]["spec"]
    assert worker["replicas"] == 1 and "topologySpreadConstraints" not in worker["template"]["spec"]
    database = by_kind(objects, "StatefulSet")["db"]["spec"]
    assert database["replicas"] == 1 and "topologySpreadConstraints" not in database["template"]["spec"]
    for item in objects:
        if item["kind"] != "Issuer":  # a custom resource, validated against its CRD in test_kubernetes.py
            kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)
    printed = print_architectures([architectures(_shop(tmp_path), _knobs())["PROD"]])
    assert "autoscale:\n    minimum: 2\n    maximum: 5\n    cpu_utilisation: 75\n" in printed
    assert "disruption_budget:\n    min_available: 1\n" in printed and "spread_across_nodes: true\n" in printed


def test_no_budget_for_a_single_replica_and_nothing_in_budget_environments(tmp_path: Path) -> None:
    settings = parse_settings("[profiles.performance]\nreplicas = 1\ndisruption_budget = true\nspread_across_nodes = true\n").settings
    objects = documents(_shop(tmp_path), "PROD", settings)
    assert not by_kind(objects, "PodDisruptionBudget") and not by_kind(objects, "HorizontalPodAutoscaler")
    assert "topologySpreadConstraints" not in by_kind(objects, "Deployment")["web"]["spec"]["template"]["spec"]
    budget_placed = Settings(profiles=_knobs().profiles, environments=(EnvironmentSettings("PROD", profile="budget"),))
    objects = documents(_shop(tmp_path), "PROD", budget_placed)
    assert {item["kind"] for item in objects}.isdisjoint({"PodDisruptionBudget", "HorizontalPodAutoscaler"})
    assert by_kind(objects, "Deployment")["web"]["spec"]["replicas"] == 1


def test_every_profile_key_is_documented() -> None:
    documentation = (REPOSITORY / "docs" / "compiler.md").read_text(encoding="utf-8")
    for key in PROFILE_KEYS:
        assert f"| `[profiles.NAME]` | `{key}` |" in documentation, key
