"""Two real applications nobody here wrote, as Koncierge examples (issue 12): Online Boutique
(examples/online-boutique) and Sock Shop (examples/sock-shop), checked against their original
manifests, which are read from ../shared/fixtures/manifests/ and never copied into the repository.

The flows each application needs are written below as data, each with where it comes from. In
LOCAL and PROD the generated NetworkPolicies, evaluated with Kubernetes' semantics
(security_support.py), must allow exactly these between the application's pods, on the
destination's container port, plus Koncierge's own implied flows (a database's backup job to its
database); the ingress controller must reach the route's target and nothing else. The examples
must also keep the originals' workload names, images, variables and Service ports.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, SHARED
from security_support import Pod, application_pods, connects, objects_of

from koncierge_lang.analysis import analyze
from koncierge_lang.diagnostics import Severity
from koncierge_lang.lowering import compiler_diagnostics, lower_file
from koncierge_lang.settings import Settings, parse_labels

MANIFESTS = SHARED / "fixtures" / "manifests"
ENVIRONMENTS = ("LOCAL", "PROD")

Flow = tuple[str, str, int]
"""(source Deployment, destination Deployment, the destination's container port), all TCP."""

# Online Boutique: every flow is one `*_ADDR` variable of release/kubernetes-manifests.yaml
# (host:port, the Service's port), here on the container port the Service forwards it to.
ONLINE_BOUTIQUE_FLOWS: list[Flow] = [
    ("frontend", "productcatalogservice", 3550),  # frontend PRODUCT_CATALOG_SERVICE_ADDR productcatalogservice:3550
    ("frontend", "currencyservice", 7000),  # frontend CURRENCY_SERVICE_ADDR currencyservice:7000
    ("frontend", "cartservice", 7070),  # frontend CART_SERVICE_ADDR cartservice:7070
    ("frontend", "recommendationservice", 8080),  # frontend RECOMMENDATION_SERVICE_ADDR recommendationservice:8080
    ("frontend", "shippingservice", 50051),  # frontend SHIPPING_SERVICE_ADDR shippingservice:50051
    ("frontend", "checkoutservice", 5050),  # frontend CHECKOUT_SERVICE_ADDR checkoutservice:5050
    ("frontend", "adservice", 9555),  # frontend AD_SERVICE_ADDR adservice:9555
    # frontend SHOPPING_ASSISTANT_SERVICE_ADDR names no Deployment of the manifests, and the
    # frontend calls it only with ENABLE_ASSISTANT=true, which they leave unset: no flow.
    ("cartservice", "redis-cart", 6379),  # cartservice REDIS_ADDR redis-cart:6379
    ("loadgenerator", "frontend", 8080),  # loadgenerator FRONTEND_ADDR frontend:80, the Service's targetPort 8080
    ("recommendationservice", "productcatalogservice", 3550),  # PRODUCT_CATALOG_SERVICE_ADDR
    ("checkoutservice", "productcatalogservice", 3550),  # checkoutservice PRODUCT_CATALOG_SERVICE_ADDR
    ("checkoutservice", "shippingservice", 50051),  # checkoutservice SHIPPING_SERVICE_ADDR
    ("checkoutservice", "paymentservice", 50051),  # checkoutservice PAYMENT_SERVICE_ADDR paymentservice:50051
    ("checkoutservice", "emailservice", 8080),  # checkoutservice EMAIL_SERVICE_ADDR emailservice:5000 -> targetPort 8080
    ("checkoutservice", "currencyservice", 7000),  # checkoutservice CURRENCY_SERVICE_ADDR
    ("checkoutservice", "cartservice", 7070),  # checkoutservice CART_SERVICE_ADDR
]

# Sock Shop: its images find their peers by built-in host names. Sources: the front end's
# api/endpoints.js and config.js (microservices-demo/front-end), the Java services'
# application.properties (mongodb://<name>-db:27017, spring.rabbitmq.host rabbitmq), the user
# image's MONGO_HOST=user-db, catalogue's default DSN, and the project's own NetworkPolicies
# (deploy/kubernetes/manifests-policy/netpol-*-access.yaml), which allow the same calls.
SOCK_SHOP_FLOWS: list[Flow] = [
    ("front-end", "catalogue", 80),  # endpoints.js http://catalogue (and /tags); netpol-catalogue-access
    ("front-end", "carts", 80),  # endpoints.js http://carts/carts; netpol-cart-access
    ("front-end", "orders", 80),  # endpoints.js http://orders; netpol-orders-access
    ("front-end", "user", 80),  # endpoints.js http://user/customers, /login, ...; netpol-user-access
    ("front-end", "session-db", 6379),  # SESSION_REDIS=true: config.js RedisStore host session-db
    ("orders", "orders-db", 27017),  # mongodb://orders-db:27017/data; netpol-orders-db-access
    ("orders", "payment", 80),  # http://payment/paymentAuth; netpol-payment-access
    ("orders", "shipping", 80),  # http://shipping; netpol-shipping-access
    ("orders", "user", 80),  # the order's customer, address and card links (http://user/...); netpol-user-access
    ("orders", "carts", 80),  # the order's items link (http://carts/carts/<id>/items); netpol-cart-access
    ("carts", "carts-db", 27017),  # mongodb://carts-db:27017/data; netpol-cart-db-access
    ("catalogue", "catalogue-db", 3306),  # DSN ...@tcp(catalogue-db:3306)/socksdb; netpol-catalogue-db-access
    ("user", "user-db", 27017),  # MONGO_HOST=user-db in the image (the manifests' `mongo`); netpol-user-db-access
    ("shipping", "rabbitmq", 5672),  # publishes shipments to host rabbitmq; netpol-rabbitmq-access
    ("queue-master", "rabbitmq", 5672),  # consumes the shipping queue; netpol-rabbitmq-access
]


@dataclass(frozen=True)
class RealApplication:
    example: Path
    original: Path
    flows: list[Flow]
    # The route's target and its container port: what the ingress controller must reach.
    routed: tuple[str, int]
    # The originals' Services and Service ports that the example leaves out (see its comments).
    services_left_out: frozenset[str]
    service_ports_left_out: frozenset[tuple[str, int]]


APPLICATIONS = {
    "online-boutique": RealApplication(
        EXAMPLES / "online-boutique" / "online-boutique.kon",
        MANIFESTS / "online-boutique" / "kubernetes-manifests.yaml",
        ONLINE_BOUTIQUE_FLOWS,
        ("frontend", 8080),
        frozenset({"frontend-external"}),  # the LoadBalancer: the route takes its place
        frozenset(),
    ),
    "sock-shop": RealApplication(
        EXAMPLES / "sock-shop" / "sock-shop.kon",
        MANIFESTS / "sock-shop" / "complete-demo.yaml",
        SOCK_SHOP_FLOWS,
        ("front-end", 8079),
        frozenset(),
        frozenset(),
    ),
}

# The warnings `koncierge check` may give on these examples, and why the real applications
# cannot avoid them.
ACCEPTED_WARNINGS = {
    # The originals pin their images by tag only; which build was tested is theirs to say.
    "KON308": None,
    # PROD has HTTPS: the ACME server and contact are the deploying team's, in koncierge.toml.
    "KON323": None,
    # Sock Shop's carts-db and orders-db run `mongo`, and RabbitMQ's exporter
    # `kbudde/rabbitmq-exporter`, without a tag, as in the original.
    "KON302": "has no tag",
    # Sock Shop's user-db image carries its seed data in /data/db-users: a claim would hide it.
    "KON303": "`user-db`",
    # Sock Shop's MongoDB clients connect without credentials, and its RabbitMQ clients as the
    # image's `guest`, as in the original.
    "KON319": "in PROD: whatever reaches its port",
    # Sock Shop's services listen on port 80 inside their images: NET_BIND_SERVICE is added back.
    "KON312": "listens on port 80",
    # Online Boutique's load generator has no port and the original declares no probe for it.
    "KON311": "`loadgenerator`",
}


def source_of(name: str) -> str:
    return APPLICATIONS[name].example.read_text(encoding="utf-8")


def original_documents(name: str) -> list[dict[str, Any]]:
    with APPLICATIONS[name].original.open(encoding="utf-8") as stream:
        return [document for document in yaml.safe_load_all(stream) if document]


def workloads(documents: list[dict[str, Any]], kinds: tuple[str, ...] = ("Deployment", "StatefulSet")) -> dict[str, dict[str, Any]]:
    return {document["metadata"]["name"]: document for document in documents if document["kind"] in kinds}


def first_container(workload: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = workload["spec"]["template"]["spec"]["containers"][0]
    return container


def container_port(workload: dict[str, Any], target: int | str) -> int:
    """A Service's targetPort as a number: a name is the container port of that name, in any of
    the pod's containers (a sidecar's too)."""
    if isinstance(target, int):
        return target
    (number,) = [
        port["containerPort"]
        for container in workload["spec"]["template"]["spec"]["containers"]
        for port in container.get("ports", [])
        if port.get("name") == target
    ]
    return int(number)


def variables(container: dict[str, Any], documents: list[dict[str, Any]]) -> dict[str, str | None]:
    """A container's variables and their values, read through the ConfigMaps and Secrets they
    refer to (a Secret's value decoded)."""
    objects = {(document["kind"], document["metadata"]["name"]): document for document in documents}
    found: dict[str, str | None] = {}
    for item in container.get("env", []):
        source = item.get("valueFrom", {})
        if "configMapKeyRef" in source:
            reference = source["configMapKeyRef"]
            found[item["name"]] = objects[("ConfigMap", reference["name"])]["data"][reference["key"]]
        elif "secretKeyRef" in source:
            reference = source["secretKeyRef"]
            secret = objects[("Secret", reference["name"])]
            if reference["key"] in secret.get("stringData", {}):
                found[item["name"]] = secret["stringData"][reference["key"]]
            else:
                found[item["name"]] = base64.b64decode(secret["data"][reference["key"]]).decode()
        else:
            found[item["name"]] = item.get("value")
    return found


def is_backup_of(source: str, destination: str) -> bool:
    """Koncierge's implied flow: a database's backup job (`<database>-backup`) dumps its database."""
    return source == f"{destination}-backup"


CASES = [(name, environment) for name in sorted(APPLICATIONS) for environment in ENVIRONMENTS]


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_the_example_checks_without_errors_and_only_the_unavoidable_warnings(name: str) -> None:
    analysis = analyze(source_of(name), APPLICATIONS[name].example.name)
    diagnostics = list(analysis.diagnostics)
    assert not analysis.has_errors, [f"{d.code}: {d.message}" for d in diagnostics if d.severity is Severity.ERROR]
    diagnostics += compiler_diagnostics(lower_file(analysis.requirements.applications, Settings()))
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]
    for diagnostic in diagnostics:
        assert diagnostic.code in ACCEPTED_WARNINGS, f"{diagnostic.code}: {diagnostic.message}"
        subject = ACCEPTED_WARNINGS[diagnostic.code]
        assert subject is None or subject in diagnostic.message, f"{diagnostic.code}: {diagnostic.message}"


@pytest.mark.parametrize(("name", "environment"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_exactly_the_needed_flows_are_allowed(name: str, environment: str) -> None:
    application = APPLICATIONS[name]
    documents = objects_of(source_of(name), environment)
    policies = [document for document in documents if document["kind"] == "NetworkPolicy"]
    assert policies
    pods = application_pods(documents)
    by_name = {pod.name: pod for pod in pods}
    for source, destination, port in application.flows:
        assert source in by_name and destination in by_name, (source, destination)
        assert (port, "TCP") in by_name[destination].ports, f"{destination} has no container port {port}"
    needed = set(application.flows)
    checked = 0
    for source in pods:
        for destination in pods:
            if destination is source or is_backup_of(source.name, destination.name):
                continue
            for port, protocol in destination.ports:
                expected = protocol == "TCP" and (source.name, destination.name, port) in needed
                actual = connects(policies, source, destination, port, protocol)
                assert actual == expected, (
                    f"{environment}: {source.name} -> {destination.name}:{port}/{protocol} "
                    f"{'allowed' if actual else 'denied'}, expected {'allowed' if expected else 'denied'}"
                )
                checked += 1
    assert checked > len(needed)


@pytest.mark.parametrize(("name", "environment"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_the_ingress_controller_reaches_the_route_target_only(name: str, environment: str) -> None:
    settings = Settings()
    documents = objects_of(source_of(name), environment, settings)
    policies = [document for document in documents if document["kind"] == "NetworkPolicy"]
    controller = Pod(
        "controller",
        settings.ingress_controller_namespace,
        parse_labels(settings.ingress_controller_labels) or (),
        "10.244.200.1",
        (),
    )
    target, target_port = APPLICATIONS[name].routed
    for pod in application_pods(documents):
        for port, protocol in pod.ports:
            expected = (pod.name, port, protocol) == (target, target_port, "TCP")
            assert connects(policies, controller, pod, port, protocol) == expected, (environment, pod.name, port)
    (ingress,) = [document for document in documents if document["kind"] == "Ingress"]
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert path["backend"]["service"]["name"] == target


@pytest.mark.parametrize(("name", "environment"), CASES, ids=[f"{n}-{e}" for n, e in CASES])
def test_the_originals_workloads_and_images(name: str, environment: str) -> None:
    original = workloads(original_documents(name), ("Deployment",))
    ours = {
        workload_name: workload
        for workload_name, workload in workloads(objects_of(source_of(name), environment)).items()
        if not workload_name.endswith("-backup")
    }
    assert sorted(ours) == sorted(original)
    for workload_name, workload in original.items():
        assert first_container(ours[workload_name])["image"] == first_container(workload)["image"], workload_name


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_the_originals_variables(name: str) -> None:
    """In LOCAL (no hardening, no secret files), every component has exactly the variables of the
    original, with the same values; a database has the original's and its type's defaults."""
    original = workloads(original_documents(name), ("Deployment",))
    documents = objects_of(source_of(name), "LOCAL")
    ours = workloads(documents)
    for workload_name, workload in original.items():
        original_variables = {item["name"]: item.get("value") for item in first_container(workload).get("env", [])}
        our_variables = variables(first_container(ours[workload_name]), documents)
        if ours[workload_name]["kind"] == "Deployment":
            assert our_variables == original_variables, workload_name
        else:
            assert original_variables.items() <= our_variables.items(), workload_name


@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_the_originals_service_ports(name: str) -> None:
    """Each Service of the original listens on the same ports, forwarding to the same container
    ports, except what the example leaves out."""
    application = APPLICATIONS[name]
    originals = original_documents(name)
    original_workloads = workloads(originals, ("Deployment",))
    ours = objects_of(source_of(name), "PROD")
    our_workloads = workloads(ours)
    our_services = {item["metadata"]["name"]: item for item in ours if item["kind"] == "Service"}
    for service in (item for item in originals if item["kind"] == "Service"):
        service_name = service["metadata"]["name"]
        if service_name in application.services_left_out:
            continue
        (selected,) = service["spec"]["selector"].values()
        expected = {
            (port["port"], container_port(original_workloads[selected], port.get("targetPort", port["port"])))
            for port in service["spec"]["ports"]
            if (service_name, port["port"]) not in application.service_ports_left_out
        }
        ours_service = our_services[service_name]
        actual = {
            (port["port"], container_port(our_workloads[service_name], port.get("targetPort", port["port"])))
            for port in ours_service["spec"]["ports"]
        }
        assert expected <= actual, service_name


def test_the_published_ports() -> None:
    """Clients use the Service's port, the container listens on another: frontend 80 -> 8080,
    emailservice 5000 -> 8080, Sock Shop's front-end 80 -> 8079."""
    for name, service_name, port, container in (
        ("online-boutique", "frontend", 80, 8080),
        ("online-boutique", "emailservice", 5000, 8080),
        ("sock-shop", "front-end", 80, 8079),
    ):
        documents = objects_of(source_of(name), "PROD")
        (service,) = [d for d in documents if d["kind"] == "Service" and d["metadata"]["name"] == service_name]
        (workload,) = [d for d in documents if d["kind"] == "Deployment" and d["metadata"]["name"] == service_name]
        (service_port,) = service["spec"]["ports"]
        assert service_port["port"] == port
        assert container_port(workload, service_port["targetPort"]) == container
        assert [item["containerPort"] for item in first_container(workload)["ports"]] == [container]
