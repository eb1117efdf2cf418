"""Issue 14's profiles end to end: the To Do example and the two real applications, built once with
their PROD environment in the `performance` profile and once with it placed in `budget`, differ in
exactly what docs/compiler.md ("Profiles") says a profile decides: replicas, the autoscaler, the
disruption budget, spreading over nodes and zones, the QoS class of database pods, the backups'
schedule and retention, and the default requests and limits. Everything else is the same object for
object, single instances and databases are never replicated or autoscaled, and every object still
passes `kubernetes-validate --strict`.

A database pod's QoS class is worked out as the kubelet does (`classify_qos`, after the API
server's defaulting of a missing request to its limit), so the test says "Kubernetes would call this
pod Guaranteed", not "these fields are equal".
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from compiler_support import EXAMPLE_FILES, KUBERNETES_VERSION, analysis_of, architectures, by_kind, documents

from koncierge_lang.architecture.model import EnvironmentArchitecture, WorkloadKind
from koncierge_lang.architecture.printer import print_architectures
from koncierge_lang.settings import BUDGET_BACKUP_RETENTION, Settings, parse_settings

EXAMPLES = ("todo", "online-boutique", "sock-shop")

# Everything a profile can decide, set to something other than the default, in both profiles.
KNOBS = """
[profiles.performance]
replicas = 3
disruption_budget = true
spread_across_nodes = true
spread_across_zones = true
autoscale_min = 2
autoscale_max = 6
autoscale_cpu = 70
backup_schedule = "0 */6 * * *"
backup_retention = 14

[profiles.budget]
backup_schedule = "30 4 * * 0"
"""
AS_BUDGET = '\n[environments.PROD]\nprofile = "budget"\n'

# The built-in defaults of a container that states no resources, per profile (docs/compiler.md).
DEFAULT_SERVER_RESOURCES = {
    "performance": {"limits": {"cpu": "1", "memory": "512Mi"}, "requests": {"cpu": "250m", "memory": "256Mi"}},
    "budget": {"limits": {"cpu": "500m", "memory": "256Mi"}, "requests": {"cpu": "50m", "memory": "64Mi"}},
}


def settings_of(text: str) -> Settings:
    result = parse_settings(text)
    assert not result.diagnostics, [diagnostic.message for diagnostic in result.diagnostics]
    return result.settings


# (case name, koncierge.toml with PROD in its default profile, performance)
CASES = {"defaults": "", "knobs": KNOBS}
EXPECTED = {
    # profile -> (replicas, autoscaler (min, max, cpu) or None, PDB, spread keys, Guaranteed, schedule, retention)
    "defaults": {
        "performance": (2, None, False, [], True, "0 3 * * *", 7),
        "budget": (1, None, False, [], False, "0 3 * * *", BUDGET_BACKUP_RETENTION),
    },
    "knobs": {
        "performance": (
            3, (2, 6, 70), True, ["kubernetes.io/hostname", "topology.kubernetes.io/zone"], True, "0 */6 * * *", 14,
        ),
        "budget": (1, None, False, [], False, "30 4 * * 0", BUDGET_BACKUP_RETENTION),
    },
}


# The Kubernetes QoS rules (pkg/apis/core/v1/helper/qos): only CPU and memory count.

_UNITS = {"": 1, "m": Decimal("0.001"), "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "K": 1000, "M": 1000**2, "G": 1000**3}


def quantity(text: object) -> Decimal:
    written = str(text)
    for unit in sorted(_UNITS, key=len, reverse=True):
        if unit and written.endswith(unit):
            return Decimal(written[: -len(unit)]) * _UNITS[unit]
    return Decimal(written)


def classify_qos(pod_spec: dict[str, Any]) -> str:
    """`Guaranteed`, `Burstable` or `BestEffort`, as the kubelet classifies the pod. The API server
    first sets a container's missing request to its limit; then a pod is BestEffort when no
    container requests or limits CPU or memory, and Guaranteed when every container (init
    containers included) has CPU and memory limits and its requests equal them."""
    containers = [*pod_spec.get("initContainers", []), *pod_spec["containers"]]
    anything_set = False
    guaranteed = True
    for container in containers:
        resources = container.get("resources") or {}
        limits = {name: quantity(value) for name, value in (resources.get("limits") or {}).items() if name in ("cpu", "memory")}
        requests = {name: quantity(value) for name, value in (resources.get("requests") or {}).items() if name in ("cpu", "memory")}
        requests = {**limits, **requests}  # defaulting: a missing request is the limit
        anything_set |= bool(limits or requests)
        if set(limits) != {"cpu", "memory"} or requests != limits:
            guaranteed = False
    if not anything_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def test_the_qos_classifier_follows_kubernetes() -> None:
    def pod(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
        spec: dict[str, Any] = {"containers": [{"name": f"c{i}", "resources": r} for i, r in enumerate(containers)]}
        if init:
            spec["initContainers"] = [{"name": f"i{i}", "resources": r} for i, r in enumerate(init)]
        return spec

    both = {"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "0.5", "memory": "1024Mi"}}
    assert classify_qos(pod(both)) == "Guaranteed"
    assert classify_qos(pod({"limits": {"cpu": "1", "memory": "1Gi"}})) == "Guaranteed"  # requests default to limits
    assert classify_qos(pod({})) == "BestEffort"
    assert classify_qos(pod(both, {})) == "Burstable"  # a container without limits
    assert classify_qos(pod({"limits": {"cpu": "1"}})) == "Burstable"  # memory unlimited
    assert classify_qos(pod(both, init=({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "100m"}},))) == "Burstable"


def _pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    if workload["kind"] == "CronJob":
        return workload["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return workload["spec"]["template"]["spec"]  # type: ignore[no-any-return]


_RETENTION = re.compile(r"# Keep the newest \d+ backups\.|tail -n \+\d+")


def without_profile(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects with what a profile decides taken out: what must be the same in both profiles."""
    kept: list[dict[str, Any]] = []
    for item in copy.deepcopy(objects):
        if item["kind"] in ("PodDisruptionBudget", "HorizontalPodAutoscaler"):
            continue
        if item["kind"] in ("Deployment", "StatefulSet", "CronJob"):
            item["spec"].pop("replicas", None)
            item["spec"].pop("schedule", None)
            pod_spec = _pod_spec(item)
            pod_spec.pop("topologySpreadConstraints", None)
            for container in [*pod_spec.get("initContainers", []), *pod_spec["containers"]]:
                container.pop("resources", None)
                container["command"] = [_RETENTION.sub("", part) for part in container.get("command", [])]
        kept.append(item)
    return kept


def _built(example: str, settings_text: str) -> tuple[dict[str, EnvironmentArchitecture], dict[str, list[dict[str, Any]]]]:
    settings = {
        "performance": settings_of(settings_text),
        "budget": settings_of(settings_text + AS_BUDGET),
    }
    path = EXAMPLE_FILES[example]
    built = {profile: architectures(path, chosen)["PROD"] for profile, chosen in settings.items()}
    objects = {profile: documents(path, "PROD", chosen) for profile, chosen in settings.items()}
    return built, objects


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("example", EXAMPLES)
def test_performance_and_budget_differ_exactly_as_documented(example: str, case: str) -> None:
    built, objects = _built(example, CASES[case])
    assert (built["performance"].profile, built["budget"].profile) == ("performance", "budget")
    # Nothing but the profile's decisions differs.
    assert without_profile(objects["performance"]) == without_profile(objects["budget"])

    for profile in ("performance", "budget"):
        replicas, autoscale, disruption_budget, spread_keys, guaranteed, schedule, retention = EXPECTED[case][profile]
        architecture = built[profile]
        found = objects[profile]
        deployments = by_kind(found, "Deployment")
        stateful_sets = by_kind(found, "StatefulSet")
        autoscalers = by_kind(found, "HorizontalPodAutoscaler")
        budgets = by_kind(found, "PodDisruptionBudget")
        application = {component.kubernetes_name: component for component in _application(example).components}
        interchangeable = [
            workload
            for workload in architecture.workloads
            if workload.kind is WorkloadKind.STATELESS and not workload.single_instance and workload.role != "backup"
        ]
        assert interchangeable, "every example has components that may run as several copies"
        for workload in interchangeable:
            spec = deployments[workload.name]["spec"]
            fixed = application[workload.name].replicas
            expected_replicas = fixed if fixed is not None else replicas
            scaled = autoscale is not None and fixed is None
            if scaled:
                assert "replicas" not in spec, (workload.name, "the autoscaler owns the number of copies")
                hpa = autoscalers[workload.name]["spec"]
                assert (hpa["minReplicas"], hpa["maxReplicas"]) == autoscale[:2]
                assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == autoscale[2]
                assert hpa["scaleTargetRef"]["name"] == workload.name
            else:
                assert spec["replicas"] == expected_replicas and workload.name not in autoscalers, workload.name
            several = (autoscale[0] if scaled else expected_replicas) > 1
            assert (workload.name in budgets) == (disruption_budget and several), workload.name
            constraints = spec["template"]["spec"].get("topologySpreadConstraints", [])
            assert [entry["topologyKey"] for entry in constraints] == (spread_keys if several else []), workload.name
            assert all(entry["whenUnsatisfiable"] == "ScheduleAnyway" for entry in constraints)
            # Default requests and limits for what states none; the author's own in both profiles.
            resources = spec["template"]["spec"]["containers"][0]["resources"]
            if workload.declared_resources is None and workload.size is None:
                assert resources == DEFAULT_SERVER_RESOURCES[profile], workload.name
        # Databases and other stateful workloads: one copy, never scaled, kept available or spread.
        stateful = [workload for workload in architecture.workloads if workload.kind is WorkloadKind.STATEFUL]
        assert any(workload.role == "database" for workload in stateful)
        for workload in stateful:
            spec = stateful_sets[workload.name]["spec"]
            assert spec["replicas"] == 1 and workload.name not in autoscalers and workload.name not in budgets
            assert "topologySpreadConstraints" not in spec["template"]["spec"]
            if workload.role == "database":
                qos = classify_qos(spec["template"]["spec"])
                assert qos == ("Guaranteed" if guaranteed else "Burstable"), (profile, workload.name, qos)
        # Every database that is backed up: the profile's schedule and retention.
        cron_jobs = by_kind(found, "CronJob")
        assert cron_jobs, "PROD keeps backups"
        for name, cron_job in cron_jobs.items():
            assert cron_job["spec"]["schedule"] == schedule, name
            script = _pod_spec(cron_job)["containers"][0]["command"][2]
            assert f"# Keep the newest {retention} backups." in script and f"tail -n +{retention + 1} " in script
            # The backup is not the database: never Guaranteed by the profile.
            assert classify_qos(_pod_spec(cron_job)) != "Guaranteed"
        assert architecture.profile_decisions.backup_schedule == schedule
        assert architecture.profile_decisions.backup_retention == retention
        for item in found:
            if item["kind"] != "Issuer":  # a custom resource, validated against its CRD in test_kubernetes.py
                kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


def _application(example: str) -> Any:
    return analysis_of(EXAMPLE_FILES[example]).requirements.applications[0]


def test_the_real_applications_databases_keep_their_memory_limit_and_cpu_request() -> None:
    """online-boutique's redis-cart asks `cpu 70m up to 125m`, `memory 200Mi up to 256Mi`: under
    the guarantee it reserves 256Mi and is held to 70m, as documented."""
    redis = by_kind(documents(EXAMPLE_FILES["online-boutique"], "PROD"), "StatefulSet")["redis-cart"]
    (container,) = redis["spec"]["template"]["spec"]["containers"]
    expected = {"cpu": "70m", "memory": "256Mi"}
    assert container["resources"] == {"limits": expected, "requests": expected}


SHOP = """application shop {
  environment LOCAL "shop.test"
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
    writes "/etc/postgresql" keeping contents
    cpu 200m
    sidecar exporter {
      image "prometheuscommunity/postgres-exporter:v0.15.0"
      port metrics 9187
    }
    init wait {
      image "busybox:1.36"
      command ["/bin/sh", "-c", "true"]
    }
  }
}
"""


def _shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.kon"
    path.write_text(SHOP, encoding="utf-8")
    return path


@pytest.mark.parametrize("environment", ["LOCAL", "PROD"])
def test_every_container_of_a_guaranteed_database_pod_is_guaranteed_hardened_or_not(
    tmp_path: Path, environment: str
) -> None:
    """The program, the init container that copies the image's files (where hardened), the
    declared init container and the sidecar: all of them, or Kubernetes does not call the pod
    Guaranteed. LOCAL is not hardened and sets no resources, so the profile's defaults fill in."""
    performance = settings_of(f'[environments.{environment}]\nprofile = "performance"\n')
    budget = settings_of(f'[environments.{environment}]\nprofile = "budget"\n')
    database = by_kind(documents(_shop(tmp_path), environment, performance), "StatefulSet")["db"]
    pod_spec = database["spec"]["template"]["spec"]
    names = [container["name"] for container in [*pod_spec.get("initContainers", []), *pod_spec["containers"]]]
    assert {"wait", "db", "exporter"} <= set(names) and (environment == "LOCAL" or len(names) == 4), names
    assert classify_qos(pod_spec) == "Guaranteed"
    # The author's `cpu 200m` is kept (request and limit); memory is the profile's database default limit.
    (db,) = [container for container in pod_spec["containers"] if container["name"] == "db"]
    assert db["resources"] == {"limits": {"cpu": "200m", "memory": "1Gi"}, "requests": {"cpu": "200m", "memory": "1Gi"}}
    budget_pod = by_kind(documents(_shop(tmp_path), environment, budget), "StatefulSet")["db"]["spec"]["template"]["spec"]
    assert classify_qos(budget_pod) == "Burstable"
    for item in documents(_shop(tmp_path), environment, performance):
        if item["kind"] != "Issuer":
            kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


def test_single_instances_are_never_replicated_or_autoscaled(tmp_path: Path) -> None:
    objects = documents(_shop(tmp_path), "PROD", settings_of(KNOBS))
    assert by_kind(objects, "Deployment")["worker"]["spec"]["replicas"] == 1
    assert by_kind(objects, "Deployment")["worker"]["spec"]["strategy"] == {"type": "Recreate"}
    assert set(by_kind(objects, "HorizontalPodAutoscaler")) == set(by_kind(objects, "PodDisruptionBudget")) == {"web"}
    assert "topologySpreadConstraints" not in by_kind(objects, "Deployment")["worker"]["spec"]["template"]["spec"]


def test_new_profile_keys_are_read_and_checked() -> None:
    settings = settings_of(
        '[profiles.budget]\nbackup_schedule = "@hourly"\nbackup_retention = 2\ncpu_request = "20m"\n'
        'memory_limit = "128Mi"\nguaranteed_databases = true\nspread_across_zones = true\n'
    )
    budget = settings.profile("budget")
    assert (budget.backup_schedule, budget.backup_retention, budget.cpu_request, budget.memory_limit) == (
        "@hourly", 2, "20m", "128Mi",
    )
    assert budget.guaranteed_databases and budget.spread_across_zones
    # The defaults of each profile (docs/compiler.md, "Profiles").
    performance, budget = Settings().profile("performance"), Settings().profile("budget")
    assert (performance.guaranteed_databases, budget.guaranteed_databases) == (True, False)
    assert (performance.backup_retention, budget.backup_retention) == (0, 3)
    assert performance.backup_schedule == budget.backup_schedule == ""
    assert not performance.spread_across_zones and not budget.spread_across_zones
    cases = {
        '[profiles.budget]\nbackup_schedule = "daily"\n': "not a cron schedule",
        "[profiles.budget]\nbackup_retention = -1\n": "or 0 for the `[backups]` retention",
        "[profiles.budget]\nbackup_retention = 1001\n": "between 1 and 1000",
        '[profiles.budget]\ncpu_request = "lots"\n': "not a CPU quantity",
        '[profiles.budget]\nmemory_limit = "1 GB"\n': "not a memory size",
        '[profiles.budget]\nguaranteed_databases = "yes"\n': "true or false",
        "[profiles.budget]\nspread_across_zones = 1\n": "true or false",
        "[profiles.budget]\nbackup_schedule = 3\n": "a string",
    }
    for text, expected in cases.items():
        (diagnostic,) = parse_settings(text).diagnostics
        assert diagnostic.code == "KON321" and expected in diagnostic.message, (text, diagnostic.message)
        assert diagnostic.span.start_line == 2
    # Empty and 0 are "use [backups]", not mistakes.
    assert not parse_settings('[profiles.performance]\nbackup_schedule = ""\nbackup_retention = 0\n').diagnostics


def test_profile_resources_win_over_the_platforms_resources_and_lose_to_the_authors(tmp_path: Path) -> None:
    settings = settings_of(
        '[resources]\ncpu_request = "111m"\nmemory_request = "99Mi"\n'
        '[profiles.performance]\ncpu_request = "222m"\ncpu_limit = "3"\n'
    )
    objects = documents(_shop(tmp_path), "PROD", settings)
    web = by_kind(objects, "Deployment")["web"]["spec"]["template"]["spec"]["containers"][0]
    # cpu request: the profile's over [resources]; memory request: [resources]; the rest: built in.
    assert web["resources"] == {"limits": {"cpu": "3", "memory": "512Mi"}, "requests": {"cpu": "222m", "memory": "99Mi"}}
    # The database's `cpu 200m` is the author's and wins over both.
    database = by_kind(objects, "StatefulSet")["db"]["spec"]["template"]["spec"]
    (db,) = [container for container in database["containers"] if container["name"] == "db"]
    assert db["resources"]["requests"]["cpu"] == "200m"
    # Budget environments keep their own defaults; LOCAL, not hardened, sets none.
    budget = documents(_shop(tmp_path), "PROD", settings_of('[environments.PROD]\nprofile = "budget"\n'))
    web = by_kind(budget, "Deployment")["web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["resources"] == DEFAULT_SERVER_RESOURCES["budget"]
    local = by_kind(documents(_shop(tmp_path), "LOCAL", settings), "Deployment")["web"]
    assert "resources" not in local["spec"]["template"]["spec"]["containers"][0]


def test_the_architecture_records_and_prints_the_profiles_decisions() -> None:
    built = architectures(EXAMPLE_FILES["todo"], settings_of(KNOBS))
    decisions = built["PROD"].profile_decisions
    assert (decisions.replicas, decisions.disruption_budget, decisions.spread_across_zones) == (3, True, True)
    assert decisions.autoscale is not None and (decisions.autoscale.minimum, decisions.autoscale.maximum) == (2, 6)
    assert (decisions.backup_schedule, decisions.backup_retention, decisions.guaranteed_databases) == ("0 */6 * * *", 14, True)
    # DEV keeps no backups and is not hardened: no schedule, no default resources, no Guaranteed databases.
    dev = built["DEV"].profile_decisions
    assert (dev.backup_schedule, dev.backup_retention, dev.default_resources, dev.database_resources) == ("", 0, None, None)
    printed = print_architectures([built["PROD"]])
    assert (
        "profile: performance\nprofile_decisions:\n  replicas: 3\n  autoscale:\n    minimum: 2\n    maximum: 6\n"
        "    cpu_utilisation: 70\n  disruption_budget: true\n  spread_across_nodes: true\n  spread_across_zones: true\n"
        '  guaranteed_databases: true\n  backups:\n    schedule: "0 */6 * * *"\n    retention: 14\n'
    ) in printed
    assert "  spread_across_zones: true\n" in printed.split("workloads:")[1]  # the backend and the frontend
    assert 'qos: "Guaranteed (every container\'s requests equal its limits)"' in printed
    assert "schedule: \"0 */6 * * *\"\n  retention: 14\n" in printed  # the backup workload
