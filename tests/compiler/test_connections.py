"""Connections port by port: what each way of naming a connection opens, and published ports.

A value opens exactly the ports it names (`x.port`, `x.<port name>`, `"${x.host}:5672"`); a bare
`x.host` opens x's first port; `connects to` and `accepts from` declare connections without a
variable; `port http 80 -> 8080` publishes container port 8080 as 80 (the Service, the values and
the Ingress use 80; the pod and the network policies 8080).
"""

from __future__ import annotations

from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from compiler_support import KUBERNETES_VERSION, crd_schema

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.architecture.model import INGRESS, EnvironmentArchitecture
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.settings import Settings

APPLICATION = """\
application shop {
  environment LOCAL "shop.test"
  environment PROD "shop.example.com"

  component queue {
    image "rabbitmq:3.13"
    port amqp 5672
    port management 15672
    port stomp 61613
  }

  component frontend {
    image "frontend:1.0"
    port http 80 -> 8080
    env PORT = "8080"
    env SELF = frontend.host
  }

  component publisher {
    image "publisher:1.0"
    port 9000
    env QUEUE_HOST = queue.host
  }

  component stomper {
    image "stomper:1.0"
    port 9000
    env STOMP_URL = "stomp://${queue.host}:${queue.stomp}"
  }

  component written {
    image "written:1.0"
    port 9000
    env MANAGEMENT = "${queue.host}:15672"
    env FRONTEND = "http://${frontend.host}:${frontend.port}"
  }

  component declared {
    image "declared:1.0"
    connects to queue on management
    connects to frontend
  }

  component monitor {
    image "monitor:1.0"
    port 8081
  }

  component watched {
    image "watched:1.0"
    port http 8090
    port metrics 9100
    accepts from monitor on metrics
  }

  route web -> frontend:80
}
"""


def _architecture(environment: str = "PROD", source: str = APPLICATION) -> EnvironmentArchitecture:
    analysis = analyze(source, "shop.kon")
    assert not analysis.errors, [diagnostic.message for diagnostic in analysis.errors]
    application = analysis.requirements.applications[0]
    chosen = next(item for item in application.environments if item.name == environment)
    return build_architecture(application, chosen, Settings())


def _flows(architecture: EnvironmentArchitecture) -> set[tuple[str, str, int]]:
    return {(flow.source, flow.target, flow.port) for flow in architecture.flows}


def _objects(environment: str = "PROD") -> list[dict[str, Any]]:
    architecture = _architecture(environment)
    secrets = {secret.state_key: "x" for secret in architecture.generated_secrets()}
    return manifests(architecture, secrets)  # type: ignore[return-value]


def _named(documents: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(document for document in documents if document["kind"] == kind and document["metadata"]["name"] == name)


def test_each_way_of_naming_a_connection_opens_exactly_its_ports() -> None:
    assert _flows(_architecture()) == {
        # A bare host: the first port only, not the management or STOMP ports.
        ("publisher", "queue", 5672),
        # A named port after the host: that port only.
        ("stomper", "queue", 61613),
        # A literal port after the host, and a published port: the container's port.
        ("written", "queue", 15672),
        ("written", "frontend", 8080),
        # Declared without a variable: by port name, and the first port.
        ("declared", "queue", 15672),
        ("declared", "frontend", 8080),
        # Declared where the connection arrives.
        ("monitor", "watched", 9100),
        # The route: to the container's port. `frontend`'s reference to itself opens nothing.
        (INGRESS, "frontend", 8080),
    }


def test_flows_say_why_they_exist() -> None:
    reasons = {(flow.source, flow.target): flow.reason for flow in _architecture().flows}
    assert reasons[("stomper", "queue")] == "STOMP_URL = queue.host; STOMP_URL = queue.stomp"
    assert reasons[("written", "queue")] == "MANAGEMENT = queue.host:15672"
    assert reasons[("declared", "queue")] == "connects to queue"
    assert reasons[("monitor", "watched")] == "watched accepts from monitor"


def test_values_give_the_port_clients_use() -> None:
    configuration = {
        document["metadata"]["name"]: document.get("data", {})
        for document in _objects()
        if document["kind"] == "ConfigMap"
    }
    assert configuration["written-config"]["FRONTEND"] == "http://frontend:80"
    assert configuration["stomper-config"]["STOMP_URL"] == "stomp://queue:61613"


def test_a_published_port_is_the_services_and_the_container_keeps_its_own() -> None:
    documents = _objects()
    service = _named(documents, "Service", "frontend")
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    deployment = _named(documents, "Deployment", "frontend")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    ingress = _named(documents, "Ingress", "shop")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend == {"service": {"name": "frontend", "port": {"number": 80}}}
    policy = _named(documents, "NetworkPolicy", "frontend")
    # From the ingress controller and from the two components that connect to it.
    assert [rule["ports"] for rule in policy["spec"]["ingress"]] == [[{"port": 8080, "protocol": "TCP"}]] * 3


@pytest.mark.parametrize("environment", ["LOCAL", "PROD"])
def test_the_objects_are_valid_kubernetes(environment: str) -> None:
    for document in _objects(environment):
        if document["kind"] == "Issuer":
            jsonschema.validate(document, crd_schema("cert-manager.io_issuers.yaml", "v1"))
        else:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_health_checks_ask_the_container_port() -> None:
    source = APPLICATION.replace('    env PORT = "8080"\n', '    env PORT = "8080"\n    health "/healthz" on 80\n')
    deployment = next(
        document
        for document in manifests(_architecture("LOCAL", source), {})
        if document["kind"] == "Deployment" and document["metadata"]["name"] == "frontend"
    )
    probe = deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert probe["httpGet"]["port"] == 8080
