"""Stage 1: the deployment architecture decided from the requirements and the environment."""

from __future__ import annotations

import pytest
from compiler_support import EXAMPLE_FILES, FIXTURES, architectures

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture, index_application, namespace_name
from koncierge_lang.architecture.model import INGRESS, NetworkFlow, ValueSource, WorkloadKind
from koncierge_lang.architecture.printer import architecture_data, print_architectures
from koncierge_lang.settings import Settings

RICH = FIXTURES / "rich.kon"


def test_namespace_per_application_and_environment() -> None:
    todo = architectures(EXAMPLE_FILES["todo"])
    assert [architecture.namespace for architecture in todo.values()] == [
        "todo-local",
        "todo-dev",
        "todo-int",
        "todo-perf",
        "todo-prod",
    ]
    application = analyze("application " + "a" * 70 + ' {\n environment LOCAL "x.test"\n}\n').requirements.applications[
        0
    ]
    name = namespace_name(application, application.environments[0])
    assert len(name) <= 63 and name.endswith("-local")


def test_workload_kinds_and_replicas() -> None:
    local, prod = architectures(RICH)["LOCAL"], architectures(RICH)["PROD"]
    kinds = {workload.name: (workload.kind, workload.replicas) for workload in local.workloads}
    assert kinds == {
        "web": (WorkloadKind.STATELESS, 1),
        "api": (WorkloadKind.STATELESS, 3),  # the author's replicas win
        "orders-db": (WorkloadKind.STATEFUL, 1),
        "cache": (WorkloadKind.STATEFUL, 1),
    }
    # Performance-optimised environments run two replicas of stateless workloads by default.
    assert {workload.name: workload.replicas for workload in prod.workloads if not workload.implied}["web"] == 2


def test_variable_sources() -> None:
    prod = architectures(RICH)["PROD"]
    web = {variable.name: variable for variable in next(w for w in prod.workloads if w.name == "web").variables}
    api = {variable.name: variable for variable in next(w for w in prod.workloads if w.name == "api").variables}
    assert (web["LEVEL"].source, web["LEVEL"].value) == (ValueSource.CONFIGURATION, "warn")
    assert (web["API_URL"].source, web["API_URL"].value) == (ValueSource.REFERENCE, "https://api.shop.example.com/v1")
    assert web["ZIP"].value == "01234" and web["ANSWER"].value == "yes"
    assert api["DATABASE_URL"].source is ValueSource.SECRET and api["DATABASE_URL"].value == ""
    assert api["DATABASE_URL"].references == ("db_url", "db_password", "orders-db.host", "orders-db.port")
    assert (api["CACHE"].source, api["CACHE"].value) == (ValueSource.REFERENCE, "cache")
    local_web = next(w for w in architectures(RICH)["LOCAL"].workloads if w.name == "web")
    assert {variable.name: variable.value for variable in local_web.variables}["LEVEL"] == "debug"


def test_network_flows() -> None:
    prod = architectures(RICH)["PROD"]
    flows = {(flow.source, flow.target, flow.port) for flow in prod.flows}
    assert flows == {
        ("api", "orders-db", 5432),
        ("api", "cache", 6379),
        ("orders-db-backup", "orders-db", 5432),
        ("cache-backup", "cache", 6379),
        (INGRESS, "web", 8080),
        (INGRESS, "api", 9000),
    }
    database_flow = next(flow for flow in prod.flows if flow.target == "orders-db" and flow.source == "api")
    assert database_flow == NetworkFlow(
        "api", "orders-db", 5432, "TCP", "DATABASE_URL = orders-db.host; DATABASE_URL = orders-db.port"
    )
    assert [(flow.source, flow.target) for flow in prod.flows] == sorted(
        (flow.source, flow.target) for flow in prod.flows
    )


def test_backups_are_implied_only_where_the_environment_keeps_them() -> None:
    todo = architectures(EXAMPLE_FILES["todo"])
    for name, architecture in todo.items():
        backups = [workload for workload in architecture.workloads if workload.implied]
        if name in ("PERF", "PROD"):
            (backup,) = backups
            assert backup.kind is WorkloadKind.SCHEDULED and backup.role == "backup"
            assert backup.retention == 7 and backup.schedule == "0 3 * * *"
            assert "mysqldump" in backup.command[2]
            assert any(claim.name == "database-backups" and claim.implied for claim in architecture.claims)
        else:
            assert not backups
    settings = Settings(backup_retention=3, backup_schedule="@daily", backup_size="9Gi")
    backup = next(w for w in architectures(EXAMPLE_FILES["todo"], settings)["PROD"].workloads if w.implied)
    assert (backup.retention, backup.schedule) == (3, "@daily")
    assert "tail -n +4" in backup.command[2]
    assert next(c for c in architectures(EXAMPLE_FILES["todo"], settings)["PROD"].claims if c.implied).size == "9Gi"


def test_routes_tls_and_issuer_only_with_https() -> None:
    todo = architectures(EXAMPLE_FILES["todo"])
    prod_ingress, local_ingress = todo["PROD"].ingress, todo["LOCAL"].ingress
    assert prod_ingress is not None and local_ingress is not None
    assert [(route.host, route.service) for route in prod_ingress.routes] == [
        ("example.com", "frontend"),
        ("api.example.com", "backend"),
    ]
    assert prod_ingress.tls_hosts == ("api.example.com", "example.com") and prod_ingress.issuer is not None
    assert prod_ingress.issuer.acme_server == "https://acme-staging-v02.api.letsencrypt.org/directory"
    assert prod_ingress.issuer.email == "acme.administrator@example.com" and not prod_ingress.force_ssl_redirect
    assert local_ingress.tls_hosts == () and local_ingress.issuer is None and not local_ingress.force_ssl_redirect
    assert {service.name: service.exposure for service in todo["PROD"].services} == {
        "backend": "routed",
        "frontend": "routed",
        "database": "internal",
    }


def test_generated_secrets_have_one_state_key_per_named_value_and_environment() -> None:
    prod = architectures(RICH)["PROD"]
    assert [secret.state_key for secret in prod.generated_secrets()] == ["shop/PROD/values/db_password"]
    text = (
        'application a {\n environment LOCAL "a.test"\n database db mysql {\n  storage 1Gi at "/var/lib/mysql"\n }\n}\n'
    )
    application = analyze(text).requirements.applications[0]
    architecture = build_architecture(application, application.environments[0], Settings())
    ((secret),) = architecture.generated_secrets()
    assert secret.state_key == "a/LOCAL/db/MYSQL_ROOT_PASSWORD" and secret.length == 32


def test_architecture_is_a_pure_function() -> None:
    assert architectures(RICH) == architectures(RICH)


RUNTIME = """
application shop {
  environment LOCAL "shop.test"
  environment PROD "shop.example.com" after LOCAL
  secret api_key = generated
  component web {
    image "acme/web:1.0"
    port http 8080
    port admin 9090
    size large
    health "/healthz" on admin
    writes "/var/cache/nginx", "/tmp"
    env API_KEY = api_key as file
    env PLAIN = "x"
  }
  component worker {
    image "acme/worker:1.0"
    env PLAIN = "y"
  }
}
"""


def test_printer_shows_size_resources_health_secret_files_and_writes_only_when_set() -> None:
    application = analyze(RUNTIME, "shop.kon").requirements.applications[0]
    printed = {
        environment.name: {
            workload["name"]: workload
            for workload in architecture_data(build_architecture(application, environment, Settings()))["workloads"]
        }
        for environment in application.environments
    }
    web = printed["LOCAL"]["web"]
    # The declared size applies in every environment, hardened or not.
    assert web["size"] == "large"
    assert web["resources"] == {"requests": "cpu 1, memory 1Gi", "limits": "cpu 2, memory 2Gi"}
    assert web["health"] == {"path": "/healthz", "port": 9090}
    assert web["secret_files"] == ["API_KEY"]
    assert web["writes"] == ["/var/cache/nginx", "/tmp"]
    assert list(web).index("health") == list(web).index("ports") + 1
    assert list(web)[-1] == "writes"
    # Nothing declared, not hardened: none of the keys.
    worker = printed["LOCAL"]["worker"]
    assert not {"size", "resources", "health", "secret_files", "writes"} & set(worker)
    # Hardened environments give every workload requests and limits, but declare nothing for it.
    prod_worker = printed["PROD"]["worker"]
    assert "resources" in prod_worker and not {"size", "health", "secret_files", "writes"} & set(prod_worker)
    text = print_architectures([build_architecture(application, application.environments[0], Settings())])
    assert '  resources:\n    requests: "cpu 1, memory 1Gi"\n    limits: "cpu 2, memory 2Gi"\n' in text
    assert "  health:\n    path: /healthz\n    port: 9090\n" in text
    assert "  writes:\n  - /var/cache/nginx\n  - /tmp\n" in text


def test_an_application_index_shared_by_environments_changes_nothing() -> None:
    application = analyze(RICH.read_text(encoding="utf-8"), "rich.kon").requirements.applications[0]
    index = index_application(application)
    for environment in application.environments:
        assert build_architecture(application, environment, Settings(), index) == build_architecture(
            application, environment, Settings()
        )
    other = analyze(RUNTIME, "shop.kon").requirements.applications[0]
    with pytest.raises(ValueError):
        build_architecture(other, other.environments[0], Settings(), index)
