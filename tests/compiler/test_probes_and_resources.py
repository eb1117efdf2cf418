"""Issue 13: declared probes, exact `cpu`/`memory` and `single instance`, from the file to strictly
valid manifests, in an environment that is not hardened (LOCAL) and one that is (PROD)."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
from compiler_support import KUBERNETES_VERSION, by_kind, fake_passwords

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.architecture.printer import architecture_data
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.settings import Settings

SOURCE = """
application shop {
  environment LOCAL "shop.test"
  environment PROD "shop.example.com"

  component web {
    image "acme/web:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    port http 80 -> 8080
    port admin 9090
    probe ready http "/ready" on http header "Cookie" = "session=x" every 5s timeout 2s failures 2
    probe live http "/healthz" on admin after 15s
    probe startup tcp failures 30 every 2
    cpu 200m up to 300m
    memory 64Mi up to 128Mi
    memory 1Gi up to 2Gi in PROD
  }

  component api {
    image "acme/api:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    port grpc 9555
    probe live grpc after 1m timeout 3 every 20s
    probe ready command ["/bin/grpc_health_probe", "-addr=:9555"]
    size small
    cpu 1 in PROD
  }

  component broker {
    image "rabbitmq:3.13@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    port amqp 5672
    single instance
    health "/api/health" on 5672
    probe ready tcp
  }
}
"""
ENVIRONMENTS = ("LOCAL", "PROD")


def _build(environment: str) -> tuple[Any, list[dict[str, Any]]]:
    analysis = analyze(SOURCE, "shop.kon")
    assert not analysis.has_errors, [diagnostic.message for diagnostic in analysis.diagnostics]
    application = analysis.requirements.applications[0]
    chosen = application.environment(environment)
    assert chosen is not None
    architecture = build_architecture(application, chosen, Settings())
    return architecture, manifests(architecture, fake_passwords(architecture))  # type: ignore[return-value]


def _container(environment: str, name: str) -> dict[str, Any]:
    objects = _build(environment)[1]
    deployment = by_kind(objects, "Deployment")[name]
    return deployment["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_probe_kind_and_option_reaches_the_deployment(environment: str) -> None:
    web = _container(environment, "web")
    assert web["readinessProbe"] == {
        "httpGet": {"path": "/ready", "port": 8080, "httpHeaders": [{"name": "Cookie", "value": "session=x"}]},
        "periodSeconds": 5,
        "timeoutSeconds": 2,
        "failureThreshold": 2,
    }
    # The program listens on 8080 behind port 80; the probe asks the container.
    assert web["livenessProbe"] == {
        "httpGet": {"path": "/healthz", "port": 9090},
        "initialDelaySeconds": 15,
        "periodSeconds": 10,
        "timeoutSeconds": 5,
        "failureThreshold": 3,
    }
    assert web["startupProbe"] == {
        "tcpSocket": {"port": 8080},
        "periodSeconds": 2,
        "timeoutSeconds": 5,
        "failureThreshold": 30,
    }
    api = _container(environment, "api")
    assert api["readinessProbe"]["exec"] == {"command": ["/bin/grpc_health_probe", "-addr=:9555"]}
    assert api["readinessProbe"]["failureThreshold"] == 3


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_a_delayed_liveness_probe_becomes_a_startup_probe(environment: str) -> None:
    api = _container(environment, "api")
    assert api["livenessProbe"] == {"grpc": {"port": 9555}, "periodSeconds": 20, "timeoutSeconds": 3, "failureThreshold": 3}
    # After 1m at most plus three failed checks, as the delay allowed, but no longer held back.
    assert api["startupProbe"] == {"grpc": {"port": 9555}, "periodSeconds": 20, "timeoutSeconds": 3, "failureThreshold": 6}


def test_health_and_the_hardening_fill_in_what_is_not_declared() -> None:
    local = _container("LOCAL", "broker")
    assert local["readinessProbe"]["tcpSocket"] == {"port": 5672}
    assert local["livenessProbe"]["httpGet"] == {"path": "/api/health", "port": 5672}
    assert "startupProbe" not in local
    prod = _container("PROD", "broker")
    assert prod["readinessProbe"]["tcpSocket"] == {"port": 5672}
    assert prod["livenessProbe"]["httpGet"] == {"path": "/api/health", "port": 5672}


def test_exact_resources_per_environment() -> None:
    assert _container("LOCAL", "web")["resources"] == {
        "limits": {"cpu": "300m", "memory": "128Mi"},
        "requests": {"cpu": "200m", "memory": "64Mi"},
    }
    assert _container("PROD", "web")["resources"] == {
        "limits": {"cpu": "300m", "memory": "2Gi"},
        "requests": {"cpu": "200m", "memory": "1Gi"},
    }
    # Exact settings win over `size` one resource at a time; without `up to` the limit is the request.
    assert _container("LOCAL", "api")["resources"] == {
        "limits": {"cpu": "250m", "memory": "128Mi"},
        "requests": {"cpu": "50m", "memory": "64Mi"},
    }
    assert _container("PROD", "api")["resources"] == {
        "limits": {"cpu": "1", "memory": "128Mi"},
        "requests": {"cpu": "1", "memory": "64Mi"},
    }


def test_only_what_is_given_where_the_environment_sets_nothing() -> None:
    source = SOURCE.replace("    size small\n", "")
    analysis = analyze(source, "shop.kon")
    application = analysis.requirements.applications[0]
    local = application.environment("LOCAL")
    prod = application.environment("PROD")
    assert local is not None and prod is not None
    architecture = build_architecture(application, local, Settings())
    api = next(workload for workload in architecture.workloads if workload.name == "api")
    assert api.resources is None
    architecture = build_architecture(application, prod, Settings())
    objects = manifests(architecture, fake_passwords(architecture))
    container: Any = by_kind(objects, "Deployment")["api"]["spec"]["template"]["spec"]["containers"][0]  # type: ignore[arg-type]
    # The hardened environment's defaults fill in the memory.
    assert container["resources"]["requests"]["cpu"] == "1"
    assert container["resources"]["requests"]["memory"]


def test_single_instance_keeps_one_replica_and_is_replaced_not_rolled() -> None:
    for environment in ENVIRONMENTS:
        deployments = by_kind(_build(environment)[1], "Deployment")
        assert deployments["broker"]["spec"]["replicas"] == 1
        assert deployments["broker"]["spec"]["strategy"] == {"type": "Recreate"}
        assert "strategy" not in deployments["web"]["spec"]
    # Performance-optimised environments run two of every other stateless component.
    assert by_kind(_build("PROD")[1], "Deployment")["web"]["spec"]["replicas"] == 2


def test_the_print_out_shows_probes_resources_and_single_instance() -> None:
    data = architecture_data(_build("LOCAL")[0])
    workloads: Any = {workload["name"]: workload for workload in data["workloads"]}  # type: ignore[attr-defined]
    assert workloads["web"]["probes"]["readiness"] == "http GET /ready on 8080 (Cookie), every 5s, timeout 2s, 2 failures"
    assert workloads["api"]["probes"]["liveness"] == "grpc on 9555, every 20s, timeout 3s"
    assert workloads["web"]["resources"]["limits"] == "cpu 300m, memory 128Mi"
    assert workloads["broker"]["single_instance"] is True
    # The header's value may hold a session: it is not printed.
    assert "session=x" not in repr(data)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_manifests_are_strictly_valid(environment: str) -> None:
    for item in _build(environment)[1]:
        kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)
