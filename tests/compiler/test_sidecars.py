"""Sidecars and init containers (issue 13): the pod's other containers, their ports in the Service
and the network policies, their variables in the component's sets, hardened like the program."""

from __future__ import annotations

import base64
from typing import Any

import kubernetes_validate

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.architecture.printer import architecture_data
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.settings import Settings

SHOP = """
application shop {
  environment DEV "dev.shop.test"
  environment PROD "shop.example.com"

  secret exporter_password = generated
  constant vhost = "/"

  component queue {
    image "rabbitmq:3.13-management"
    port amqp 5672
    port management 15672
    env RABBITMQ_DEFAULT_VHOST = vhost
    sidecar exporter {
      image "kbudde/rabbitmq-exporter:1.3.0"
      port metrics 9419
      env RABBIT_URL = "http://localhost:15672"
      env RABBIT_PASSWORD = exporter_password
      env VHOST = vhost
      writes "/var/lib/exporter"
    }
    init wait-for-orders {
      image "busybox:1.36"
      command ["/bin/sh", "-c", "until nc -z orders 8080; do sleep 2; done"]
      env ORDERS = orders.host
    }
  }

  component orders {
    image "acme/orders:1.0"
    port 8080
    env QUEUE = "${queue.host}:${queue.amqp}"
  }

  component monitor {
    image "acme/monitor:1.0"
    port 9090
    env TARGET = "${queue.host}:${queue.metrics}"
  }
}
"""


def lowered(environment: str) -> tuple[Any, list[dict[str, Any]]]:
    analysis = analyze(SHOP, "shop.kon")
    assert not analysis.errors, analysis.errors
    application = analysis.requirements.applications[0]
    chosen = next(item for item in application.environments if item.name == environment)
    architecture = build_architecture(application, chosen, Settings())
    secrets = {secret.state_key: f"value-of-{secret.state_key}" for secret in architecture.generated_secrets()}
    return architecture, manifests(architecture, secrets)  # type: ignore[return-value]


def find(documents: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(item for item in documents if item["kind"] == kind and item["metadata"]["name"] == name)


def test_sidecars_and_init_containers_are_the_pods_containers() -> None:
    _, documents = lowered("DEV")
    pod = find(documents, "Deployment", "queue")["spec"]["template"]["spec"]
    assert [container["name"] for container in pod["containers"]] == ["queue", "exporter"]
    assert [container["name"] for container in pod["initContainers"]] == ["wait-for-orders"]
    exporter = pod["containers"][1]
    assert exporter["image"] == "kbudde/rabbitmq-exporter:1.3.0"
    assert exporter["ports"] == [{"name": "metrics", "containerPort": 9419, "protocol": "TCP"}]
    # The program's container keeps only its own ports.
    assert [port["name"] for port in pod["containers"][0]["ports"]] == ["amqp", "management"]
    assert pod["initContainers"][0]["command"][0] == "/bin/sh" and "ports" not in pod["initContainers"][0]


def test_a_sidecars_port_is_in_the_service_and_reached_like_the_components_own() -> None:
    architecture, documents = lowered("PROD")
    service = find(documents, "Service", "queue")
    assert {"name": "metrics", "port": 9419, "targetPort": "metrics", "protocol": "TCP"} in service["spec"]["ports"]
    assert find(documents, "ConfigMap", "monitor-config")["data"]["TARGET"] == "queue:9419"
    flows = {(flow.source, flow.target, flow.port) for flow in architecture.flows}
    assert ("monitor", "queue", 9419) in flows and ("orders", "queue", 5672) in flows
    # The init container's reference is the pod's connection.
    assert ("queue", "orders", 8080) in flows
    policy = find(documents, "NetworkPolicy", "queue")["spec"]
    allowed = {
        (rule["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"], port["port"])
        for rule in policy["ingress"]
        for port in rule["ports"]
    }
    assert ("monitor", 9419) in allowed and ("monitor", 5672) not in allowed


def test_variables_of_containers_have_keys_of_their_own_in_the_components_sets() -> None:
    architecture, documents = lowered("PROD")
    configuration = find(documents, "ConfigMap", "queue-config")["data"]
    assert configuration["RABBITMQ_DEFAULT_VHOST"] == "/" and configuration["exporter.VHOST"] == "/"
    assert configuration["exporter.RABBIT_URL"] == "http://localhost:15672"
    assert configuration["wait-for-orders.ORDERS"] == "orders"
    secret = find(documents, "Secret", "queue-secrets")["data"]
    (state_key,) = [item.state_key for item in architecture.generated_secrets()]
    assert state_key == "shop/PROD/values/exporter_password"
    assert base64.b64decode(secret["exporter.RABBIT_PASSWORD"]).decode() == f"value-of-{state_key}"
    pod = find(documents, "Deployment", "queue")["spec"]["template"]["spec"]
    environment = {item["name"]: item["valueFrom"] for item in pod["containers"][1]["env"]}
    assert environment["RABBIT_PASSWORD"] == {"secretKeyRef": {"name": "queue-secrets", "key": "exporter.RABBIT_PASSWORD"}}


def test_generated_secrets_of_sidecars_have_state_keys_of_their_own() -> None:
    # The program and its sidecar both generate a `RABBIT_PASSWORD` of their own.
    source = SHOP.replace("env RABBIT_PASSWORD = exporter_password", "env RABBIT_PASSWORD = secret generated").replace(
        "env RABBITMQ_DEFAULT_VHOST = vhost", "env RABBITMQ_DEFAULT_VHOST = vhost\n    env RABBIT_PASSWORD = secret generated"
    )
    analysis = analyze(source, "shop.kon")
    assert not analysis.errors, analysis.errors
    application = analysis.requirements.applications[0]
    architecture = build_architecture(application, application.environments[1], Settings())
    assert [item.state_key for item in architecture.generated_secrets()] == [
        "shop/PROD/queue/RABBIT_PASSWORD",
        "shop/PROD/queue/exporter/RABBIT_PASSWORD",
    ]


def test_containers_are_hardened_like_the_program_where_security_is_strict() -> None:
    _, documents = lowered("PROD")
    pod = find(documents, "Deployment", "queue")["spec"]["template"]["spec"]
    program = pod["containers"][0]["securityContext"]
    for container in (*pod["containers"][1:], *pod["initContainers"]):
        assert container["securityContext"] == program, container["name"]
        assert container["imagePullPolicy"] == "Always" and set(container["resources"]) == {"limits", "requests"}
        assert {"name": "scratch-tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    exporter = pod["containers"][1]
    assert {"name": "scratch-var-lib-exporter", "mountPath": "/var/lib/exporter"} in exporter["volumeMounts"]
    assert {"name": "scratch-var-lib-exporter", "emptyDir": {"sizeLimit": "256Mi"}} in pod["volumes"]
    # Where not hardened, they run as their images say.
    _, dev = lowered("DEV")
    dev_pod = find(dev, "Deployment", "queue")["spec"]["template"]["spec"]
    assert all("securityContext" not in container for container in (*dev_pod["containers"], *dev_pod["initContainers"]))


def test_secrets_of_a_sidecar_as_files_have_their_own_path() -> None:
    source = SHOP.replace("env RABBIT_PASSWORD = exporter_password", "env RABBIT_PASSWORD = exporter_password as file")
    application = analyze(source, "shop.kon").requirements.applications[0]
    architecture = build_architecture(application, application.environments[1], Settings())
    documents = manifests(architecture, {secret.state_key: "x" for secret in architecture.generated_secrets()})
    pod = find(documents, "Deployment", "queue")["spec"]["template"]["spec"]  # type: ignore[arg-type]
    exporter = pod["containers"][1]
    assert {"name": "RABBIT_PASSWORD_FILE", "value": "/run/secrets/koncierge/exporter.RABBIT_PASSWORD"} in exporter["env"]
    (volume,) = [volume for volume in pod["volumes"] if volume["name"] == "secret-files"]
    assert volume["projected"]["sources"][0]["secret"]["items"] == [
        {"key": "exporter.RABBIT_PASSWORD", "path": "exporter.RABBIT_PASSWORD"}
    ]


def test_the_architecture_lists_the_containers() -> None:
    architecture, _ = lowered("PROD")
    (queue,) = [workload for workload in architecture_data(architecture)["workloads"] if workload["name"] == "queue"]  # type: ignore[attr-defined]
    assert [(item["name"], item["kind"]) for item in queue["containers"]] == [
        ("exporter", "sidecar"),
        ("wait-for-orders", "init"),
    ]


def test_every_object_is_valid_kubernetes() -> None:
    for environment in ("DEV", "PROD"):
        for item in lowered(environment)[1]:
            kubernetes_validate.validate(item, "1.37", strict=True)


def test_a_component_whose_only_port_is_a_sidecars_can_be_referred_to() -> None:
    source = """
application shop {
  environment LOCAL "shop.test"
  component metrics-only {
    image "app:1.0"
    sidecar exporter {
      image "exporter:1.0"
      port metrics 9100
    }
  }
  component scraper {
    image "scraper:1.0"
    port 8080
    env TARGET = "${metrics-only.host}:${metrics-only.metrics}"
  }
}
"""
    analysis = analyze(source, "shop.kon")
    assert [diagnostic.code for diagnostic in analysis.errors] == []


def test_a_sidecars_secret_in_its_environment_is_warned_like_the_programs() -> None:
    source = """
application shop {
  environment PROD "shop.example.com"
  secret token = generated
  component web {
    image "web:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    port 8080
    sidecar exporter {
      image "exporter:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000"
      port metrics 9100
      env TOKEN = token
    }
  }
}
"""
    warnings = [diagnostic for diagnostic in analyze(source, "shop.kon").diagnostics if diagnostic.code == "KON309"]
    assert [warning.message.split("`")[1] for warning in warnings] == ["TOKEN"]
