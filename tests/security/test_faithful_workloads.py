"""The two real applications' PROD workloads against their original manifests (issue 13), field by
field: each container's image, probes (kind, path or port, headers, timing) and exact resources,
the init containers and sidecars; and what hardening must give them: no container listening below
1024 without `NET_BIND_SERVICE`, every probe command one the image's version has, and a single
instance of what must not be replicated, in every environment.

Where an original delays its liveness probe (`initialDelaySeconds`), Koncierge's equivalent, a
start-up probe with the same check allowed at least as long, counts as the same timing.

The originals are read from ../shared/fixtures/manifests/ (never copied into the repository).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from security_support import objects_of
from test_real_applications import APPLICATIONS, original_documents, source_of, workloads

from koncierge_lang.analysis import analyze
from koncierge_lang.requirements.database_types import DATABASE_TYPES, database_version
from koncierge_lang.settings import Settings

NAMES = sorted(APPLICATIONS)
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
TIMING = ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold")
_UNITS = {"": 1, "m": Decimal("0.001"), "Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "K": 1000, "M": 1000**2, "G": 1000**3}


def quantity(text: object) -> Decimal:
    """A Kubernetes quantity as a number: `100m` is 0.1, `64Mi` is 67108864."""
    written = str(text)
    for unit in sorted(_UNITS, key=len, reverse=True):
        if unit and written.endswith(unit):
            return Decimal(written[: -len(unit)]) * _UNITS[unit]
    return Decimal(written)


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def port_number(container: dict[str, Any], port: object) -> object:
    """A probe's port as a number: a named port is looked up among the container's ports."""
    if isinstance(port, str):
        return next(item["containerPort"] for item in container.get("ports", []) if item.get("name") == port)
    return port


def probe_shape(probe: dict[str, Any], container: dict[str, Any]) -> dict[str, object]:
    """What a probe asks: its kind, where (port, path, headers) and its timing as given."""
    shape: dict[str, object] = {}
    for kind in ("httpGet", "tcpSocket", "grpc", "exec"):
        if kind in probe:
            shape["kind"] = kind
            action = probe[kind]
            if "port" in action:
                shape["port"] = port_number(container, action["port"])
            if "path" in action:
                shape["path"] = action["path"]
            if "httpHeaders" in action:
                shape["headers"] = sorted((header["name"], header["value"]) for header in action["httpHeaders"])
    return shape


# The originals' resources as written: without the Guaranteed QoS that PROD's profile gives
# databases by default, which raises a database's memory request to its limit and lowers its CPU
# limit to its request (tests/compiler/test_profiles.py checks that).
AS_WRITTEN = Settings(
    profiles=tuple(replace(profile, guaranteed_databases=False) for profile in Settings().profiles)
)


def ours_and_originals(name: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    ours = workloads(objects_of(source_of(name), "PROD", AS_WRITTEN))
    originals = workloads(original_documents(name))
    return [(workload, ours[workload], original) for workload, original in sorted(originals.items())]


CASES = [(name, workload) for name in NAMES for workload, _, _ in ours_and_originals(name)]


def _pair(name: str, workload: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ours = workloads(objects_of(source_of(name), "PROD", AS_WRITTEN))[workload]
    original = workloads(original_documents(name))[workload]
    return ours, original


@pytest.mark.parametrize(("name", "workload"), CASES, ids=[f"{name}-{workload}" for name, workload in CASES])
def test_containers_images_and_resources(name: str, workload: str) -> None:
    ours, original = _pair(name, workload)
    for kind in ("containers", "initContainers"):
        our_containers = pod_spec(ours).get(kind, [])
        for original_container in pod_spec(original).get(kind, []):
            found = [container for container in our_containers if container["image"] == original_container["image"]]
            assert found, f"{workload}: no {kind[:-1]} runs {original_container['image']}"
            resources = original_container.get("resources") or {}
            for bound in ("requests", "limits"):
                for resource, value in (resources.get(bound) or {}).items():
                    ours_value = ((found[0].get("resources") or {}).get(bound) or {}).get(resource)
                    assert ours_value is not None and quantity(ours_value) == quantity(value), (
                        f"{workload} {original_container['name']}: {bound}.{resource} is {ours_value}, originally {value}"
                    )


@pytest.mark.parametrize(("name", "workload"), CASES, ids=[f"{name}-{workload}" for name, workload in CASES])
def test_probes(name: str, workload: str) -> None:
    ours, original = _pair(name, workload)
    main = pod_spec(ours)["containers"][0]
    original_main = pod_spec(original)["containers"][0]
    for probe in PROBES:
        if probe not in original_main:
            continue
        assert probe in main, f"{workload}: no {probe}"
        assert probe_shape(main[probe], main) == probe_shape(original_main[probe], original_main), f"{workload}: {probe}"
        for field in TIMING:
            if field not in original_main[probe]:
                continue
            if field == "initialDelaySeconds" and probe == "livenessProbe" and "initialDelaySeconds" not in main[probe]:
                # Koncierge waits for a slow start with a start-up probe instead (docs/language.md):
                # the same check, allowed at least as long as the original's delay.
                startup = main.get("startupProbe")
                assert startup is not None and "startupProbe" not in original_main, f"{workload}: a delay without a start-up probe"
                assert probe_shape(startup, main) == probe_shape(original_main[probe], original_main)
                allowed = startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3)
                assert allowed >= original_main[probe][field], f"{workload}: the start-up probe allows {allowed}s"
                continue
            assert main[probe].get(field) == original_main[probe][field], f"{workload}: {probe}.{field}"


@pytest.mark.parametrize("name", NAMES)
def test_no_container_below_1024_without_net_bind_service(name: str) -> None:
    for workload, spec in ((key, pod_spec(value)) for key, value in workloads(objects_of(source_of(name), "PROD")).items()):
        for container in spec["containers"] + spec.get("initContainers", []):
            if any(port["containerPort"] < 1024 for port in container.get("ports", [])):
                added = ((container.get("securityContext") or {}).get("capabilities") or {}).get("add", [])
                assert "NET_BIND_SERVICE" in added, f"{workload} {container['name']} listens below 1024"


# The tools each official image has, by version (from the images' Dockerfiles): MongoDB 6 dropped
# the `mongo` shell; `mongosh` came with 5.0.
_TOOLS = {
    "mongodb": lambda version: {"mongosh"} if version >= (6,) else {"mongo", "mongosh"} if version >= (5,) else {"mongo"},
    "mysql": lambda version: {"mysqladmin"},
    "mariadb": lambda version: {"mariadb-admin", "mysqladmin"} if version < (11,) else {"mariadb-admin"},
    "postgres": lambda version: {"pg_isready"},
    "redis": lambda version: {"redis-cli"},
    "rabbitmq": lambda version: {"rabbitmq-diagnostics", "rabbitmqctl"} if version >= (3, 7) else {"rabbitmqctl"},
}

_SAMPLE_VERSIONS = [(3, 6), (4, 4), (5, 0), (6, 0), (8, 0), (10, 4), (10, 11), (11, 4), (17,)]


@pytest.mark.parametrize("name", NAMES)
def test_every_probe_command_is_one_the_images_version_has(name: str) -> None:
    application = analyze(source_of(name), "example.kon").requirements.applications[0]
    by_name = {component.kubernetes_name: component for component in application.components}
    for workload, ours in workloads(objects_of(source_of(name), "PROD")).items():
        component = by_name.get(workload)
        for container in pod_spec(ours)["containers"]:
            for probe in PROBES:
                command = (container.get(probe) or {}).get("exec", {}).get("command")
                if not command:
                    continue
                database_type = DATABASE_TYPES.get(component.database_type or "") if component else None
                assert database_type is not None, f"{workload}: an exec probe outside a known database"
                version = database_version(database_type, container["image"])
                tools = _TOOLS[database_type.name]
                if version is None:
                    # A version the image does not tell: a tool every version has, or a command
                    # that tries each tool the type's images have.
                    every_version = set.intersection(*(tools(sample) for sample in _SAMPLE_VERSIONS))
                    assert command[0] in every_version or (
                        command[:2] == ["sh", "-c"] and all(tool in command[2] for tool in set().union(*(tools(v) for v in _SAMPLE_VERSIONS)))
                    ), f"{workload}: {command}"
                else:
                    assert command[0] in tools(version), f"{workload}: {command[0]} in {container['image']}"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("environment", ["LOCAL", "PROD"])
def test_single_instances_stay_single(name: str, environment: str) -> None:
    application = analyze(source_of(name), "example.kon").requirements.applications[0]
    # Declared (`single instance`), or a database or broker: a StatefulSet of one.
    singles = {
        component.kubernetes_name
        for component in application.components
        if component.single_instance or component.is_database
    }
    found = workloads(objects_of(source_of(name), environment))
    for workload in singles:
        assert found[workload]["spec"].get("replicas", 1) == 1, f"{workload} in {environment}"
    if name == "sock-shop":
        # RabbitMQ is one broker, not a cluster: two replicas would be two brokers.
        assert "rabbitmq" in singles and found["rabbitmq"]["kind"] == "StatefulSet"
