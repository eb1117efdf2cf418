"""The three views: what each draws, the references between nodes, source locations, secrets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.synthetic import generate_application
from koncierge_lang.analysis import analyze
from koncierge_lang.diagrams import Diagram, diagram_of, render, to_dot
from koncierge_lang.diagrams.kubernetes_view import KubernetesObject, kubernetes_diagram
from koncierge_lang.diagrams.legend import legend_of
from koncierge_lang.settings import parse_settings
from tests.diagrams.support import KON_FILES, TODO, leaked, load, secret_texts

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def edges(diagram: Diagram) -> set[tuple[str, str, str]]:
    return {(edge.source, edge.target, edge.kind) for edge in diagram.edges}


def labelled(diagram: Diagram) -> set[tuple[str, str, str]]:
    return {(edge.source, edge.target, edge.label) for edge in diagram.edges}


def test_requirements_view_of_the_todo_example() -> None:
    diagram = diagram_of(load(TODO), "requirements").diagram
    found = edges(diagram)
    # Values are listed in the components that use them, secrets marked as such.
    assert not [node for node in diagram.nodes if node.category in ("configuration", "secret")]
    backend = diagram.node("todo/component/backend")
    assert backend is not None
    assert {"DB_USERNAME = db_user (secret)", "DB_PASSWORD = db_password (secret)", "DB_NAME = db_name"} <= set(backend.details)
    database = diagram.node("todo/component/database")
    assert database is not None and "MYSQL_ROOT_PASSWORD = secret (base64)" in database.details
    assert ("todo/environment/INT", "todo/environment/PROD", "promotion") in found
    assert ("todo/component/backend", "todo/component/database", "reference") in found
    assert ("todo/route/web", "todo/component/frontend", "route") in found
    assert ("todo/component/database", "todo/storage/database-data", "storage") in found
    assert not [edge for edge in diagram.edges if edge.kind in ("configuration", "secret")]


def test_requirements_view_of_the_todo_example_unfolded() -> None:
    diagram = diagram_of(load(TODO), "requirements", unfold=True).diagram
    found = edges(diagram)
    assert ("todo/environment/INT", "todo/environment/PROD", "promotion") in found
    assert ("todo/value/db_password", "todo/component/backend", "secret") in found
    assert ("todo/value/db_name", "todo/component/database", "configuration") in found
    assert ("todo/component/backend", "todo/component/database", "reference") in found
    assert ("todo/route/api", "todo/component/frontend", "reference") in found
    assert ("todo/route/web", "todo/component/frontend", "route") in found
    assert ("todo/component/database", "todo/storage/database-data", "storage") in found
    assert ("todo/component/database", "todo/storage/database-data", "read-write /var/lib/mysql") in labelled(diagram)
    database = diagram.node("todo/component/database")
    assert database is not None and database.category == "database" and "mysql database" in database.details


def test_architecture_view_shows_flows_ingress_tls_and_implied_backups() -> None:
    diagram = diagram_of(load(TODO), "architecture", "PROD").diagram
    found = labelled(diagram)
    assert ("todo-prod/workload/backend", "todo-prod/service/database", "3306/TCP") in found
    assert ("todo-prod/workload/database-backup", "todo-prod/service/database", "3306/TCP") in found
    assert ("todo-prod/ingress/todo", "todo-prod/service/backend", "api.example.com :8080") in found
    assert ("todo-prod/issuer/todo-acme", "todo-prod/ingress/todo", "certificates") in found
    ingress = diagram.node("todo-prod/ingress/todo")
    assert ingress is not None and "TLS for api.example.com, example.com" in ingress.details
    backup = diagram.node("todo-prod/workload/database-backup")
    assert backup is not None and backup.implied and backup.category == "job" and "keeps backups" in backup.tooltip
    backup_claim = diagram.node("todo-prod/claim/database-backups")
    assert backup_claim is not None and backup_claim.implied
    dot = to_dot(diagram)
    backup_line = next(line for line in dot.splitlines() if line.strip().startswith('"todo-prod/workload/database-backup" ['))
    assert "dashed" in backup_line and "(implied)" in backup_line
    # Environments without backups have no implied backup.
    development = diagram_of(load(TODO), "architecture", "DEV").diagram
    assert not any(node.implied for node in development.nodes)


def test_kubernetes_view_lists_configuration_secrets_and_accounts_in_their_workloads() -> None:
    diagram = diagram_of(load(TODO), "kubernetes", "PROD").diagram
    prod = "k8s/todo-prod"
    assert not [node for node in diagram.nodes if node.title.split()[0] in ("ConfigMap", "Secret", "ServiceAccount")]
    backend = diagram.node(f"{prod}/Deployment/backend")
    assert backend is not None
    assert {
        "ConfigMap backend-config: DB_HOST,",
        "Secret backend-secrets: DB_USERNAME,",
        "ServiceAccount backend",
        "NetworkPolicy backend",
    } <= set(backend.details)
    backup = diagram.node(f"{prod}/CronJob/database-backup")
    assert backup is not None and "Secret database-secrets:" in backup.details
    # cert-manager's TLS Secret is not among the manifests: said so in the Ingress that names it.
    ingress = diagram.node(f"{prod}/Ingress/todo")
    assert ingress is not None and "Secret todo-tls (not among these objects):" in ingress.details
    # The Namespace object is its group's box, which points at where it came from.
    assert diagram.node(f"{prod}/Namespace/todo-prod") is None
    group = next(group for group in diagram.groups if group.title.split("\n")[0] == "namespace todo-prod")
    assert group.location is not None
    assert not [edge for edge in diagram.edges if edge.kind in ("configuration", "secret")]


def test_kubernetes_view_references() -> None:
    diagram = diagram_of(load(TODO), "kubernetes", "PROD", unfold=True).diagram
    found = edges(diagram)
    prod = "k8s/todo-prod"
    assert (f"{prod}/ConfigMap/backend-config", f"{prod}/Deployment/backend", "configuration") in found
    assert (f"{prod}/Secret/backend-secrets", f"{prod}/Deployment/backend", "secret") in found
    assert (f"{prod}/StatefulSet/database", f"{prod}/PersistentVolumeClaim/database-data", "storage") in found
    assert (f"{prod}/Service/backend", f"{prod}/Deployment/backend", "selects") in found
    assert (f"{prod}/Service/database", f"{prod}/StatefulSet/database", "selects") in found
    assert (f"{prod}/Ingress/todo", f"{prod}/Service/frontend", "route") in found
    assert (f"{prod}/Issuer/todo-acme", f"{prod}/Ingress/todo", "certificate") in found
    assert (f"{prod}/CronJob/database-backup", f"{prod}/PersistentVolumeClaim/database-backups", "storage") in found
    assert (f"{prod}/Secret/database-secrets", f"{prod}/CronJob/database-backup", "secret") in found
    cron_job = diagram.node(f"{prod}/CronJob/database-backup")
    assert cron_job is not None and cron_job.implied
    # The TLS Secret is made by cert-manager, not by the manifests: drawn dashed.
    tls = diagram.node(f"{prod}/Secret/todo-tls")
    assert tls is not None and tls.implied
    # Besides the application's namespace, those of the pods its network policies let in or out.
    assert {group.title.split("\n")[0] for group in diagram.groups} == {
        "namespace todo-prod", "namespace projectcontour", "namespace kube-system"
    }


def test_network_policy_edges() -> None:
    def deployment(name: str) -> KubernetesObject:
        labels = {"app": name}
        return KubernetesObject(
            {
                "kind": "Deployment",
                "metadata": {"name": name, "namespace": "shop"},
                "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {"containers": []}}},
            }
        )

    policy = KubernetesObject(
        {
            "kind": "NetworkPolicy",
            "metadata": {"name": "database-in", "namespace": "shop"},
            "spec": {
                "podSelector": {"matchLabels": {"app": "database"}},
                "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "backend"}}}], "ports": [{"port": 5432}]}],
            },
        }
    )
    diagram = kubernetes_diagram([deployment("backend"), deployment("database"), policy], "policies", unfold=True)
    found = labelled(diagram)
    assert ("k8s/shop/NetworkPolicy/database-in", "k8s/shop/Deployment/database", "applies to") in found
    assert ("k8s/shop/Deployment/backend", "k8s/shop/NetworkPolicy/database-in", "in 5432") in found
    # Folded, a policy of one workload is a line of its details, and its rule a line from the
    # pods it lets in to that workload.
    folded = kubernetes_diagram([deployment("backend"), deployment("database"), policy], "policies")
    assert folded.node("k8s/shop/NetworkPolicy/database-in") is None
    assert labelled(folded) == {("k8s/shop/Deployment/backend", "k8s/shop/Deployment/database", "in 5432")}
    database = folded.node("k8s/shop/Deployment/database")
    assert database is not None and "NetworkPolicy database-in" in database.details


def test_nodes_point_back_at_the_source() -> None:
    text = TODO.read_text(encoding="utf-8")
    backend_line = text[: text.index("component backend")].count("\n") + 1
    storage_line = text[: text.index('storage 1Gi read-write at "/var/lib/mysql"')].count("\n") + 1
    analysis = load(TODO)
    for view, node_id in (
        ("requirements", "todo/component/backend"),
        ("architecture", "todo-prod/workload/backend"),
        ("architecture", "todo-prod/service/backend"),
        ("kubernetes", "k8s/todo-prod/Deployment/backend"),
        ("kubernetes", "k8s/todo-prod/ConfigMap/backend-config"),
    ):
        locations = diagram_of(analysis, view, "PROD", unfold=True).diagram.locations()
        assert locations[node_id].span.start_line == backend_line, (view, node_id)
    locations = diagram_of(analysis, "kubernetes", "PROD").diagram.locations()
    assert locations["k8s/todo-prod/PersistentVolumeClaim/database-data"].span.start_line == storage_line


def _secrets_and_drawings(path: Path) -> tuple[list[str], list[str]]:
    """The secret values of a file's application and the DOT of every view of it, folded and not."""
    analysis = load(path)
    application = analysis.requirements.applications[0]
    secrets = secret_texts(application)
    if path.name in ("todo.kon", "rich.kon"):
        assert secrets, "these examples have plain and base64 secrets, or this test means nothing"
    drawings = []
    for unfold in (False, True):
        drawings.append(to_dot(diagram_of(analysis, "requirements", unfold=unfold).diagram))
        for environment in application.environments:
            for view in ("architecture", "kubernetes"):
                drawings.append(to_dot(diagram_of(analysis, view, environment.name, unfold=unfold).diagram))
    return secrets, drawings


@pytest.mark.parametrize("path", KON_FILES, ids=lambda path: path.name)
def test_no_secret_value_in_any_view(path) -> None:  # type: ignore[no-untyped-def]
    secrets, drawings = _secrets_and_drawings(path)
    for dot in drawings:
        assert leaked(secrets, dot) == []


@needs_graphviz
@pytest.mark.parametrize("path", KON_FILES, ids=lambda path: path.name)
def test_no_secret_value_in_any_rendered_view(path) -> None:  # type: ignore[no-untyped-def]
    """The same in the SVG Graphviz draws (a skip here fails CI, see tests/conftest.py)."""
    secrets, drawings = _secrets_and_drawings(path)
    for dot in drawings:
        assert leaked(secrets, render(dot, "svg").decode("utf-8")) == []


def test_dot_is_deterministic_and_readable_at_fifty_components() -> None:
    text = generate_application(50)
    first = {view: to_dot(diagram_of(analyze(text, "synthetic.kon"), view, "PROD").diagram) for view in ("requirements", "architecture", "kubernetes")}
    second = {view: to_dot(diagram_of(analyze(text, "synthetic.kon"), view, "PROD").diagram) for view in first}
    assert first == second
    for dot in first.values():
        assert "subgraph cluster_" in dot.replace('"', "") and "legend" not in dot
    architecture = diagram_of(analyze(text, "synthetic.kon"), "architecture", "PROD").diagram
    assert sum(1 for node in architecture.nodes if node.category in ("workload", "database")) == 50


@needs_graphviz
def test_every_view_renders_to_svg_and_png() -> None:
    analysis = load(TODO)
    for view in ("requirements", "architecture", "kubernetes"):
        dot = to_dot(diagram_of(analysis, view, "PROD").diagram)
        assert b"</svg>" in render(dot, "svg")
        assert render(dot, "png").startswith(b"\x89PNG")


def test_legend_lists_only_what_is_drawn() -> None:
    legend = {(entry.kind, entry.name) for entry in legend_of(diagram_of(load(TODO), "requirements").diagram)}
    assert ("node", "database") in legend and ("node", "ingress") not in legend and ("line", "promotion") in legend
    # Folded, the requirements of the To Do example draw no value: no configuration or secret sample.
    assert ("node", "secret") not in legend and ("line", "secret") not in legend
    unfolded = {(entry.kind, entry.name) for entry in legend_of(diagram_of(load(TODO), "requirements", unfold=True).diagram)}
    assert ("node", "secret") in unfolded and ("line", "secret") in unfolded


EXTERNAL = """
application shop {
  environment PROD "shop.example.com"
  component api {
    image "acme/api:1.0"
    port 8080
    connects to "api.stripe.com" on 443
    connects to "10.8.0.0/16" on 5432
  }
  route web -> api
}
"""


def test_kubernetes_view_draws_the_generated_network_policies() -> None:
    diagram = diagram_of(load(TODO), "kubernetes", "PROD", unfold=True).diagram
    prod = "k8s/todo-prod"
    found = labelled(diagram)
    policies = {node.id for node in diagram.nodes if node.title.startswith("NetworkPolicy ")}
    assert policies == {
        f"{prod}/NetworkPolicy/{name}"
        for name in ("default-deny", "allow-dns", "backend", "frontend", "database", "database-backup")
    }
    assert all(diagram.node(policy).category == "policy" for policy in policies)  # type: ignore[union-attr]
    # Deny-all and DNS apply to every pod, which they say; each workload's own policy to its pods.
    for policy in ("default-deny", "allow-dns"):
        node = diagram.node(f"{prod}/NetworkPolicy/{policy}")
        assert node is not None and "applies to all 4 workloads" in node.details
        assert not [edge for edge in diagram.edges if edge.source == node.id and edge.kind == "policy"]
    for workload, policy in (("Deployment/backend", "backend"), ("StatefulSet/database", "database")):
        assert (f"{prod}/NetworkPolicy/{policy}", f"{prod}/{workload}", "applies to") in found
    # The flows: the backend and the backup into the database, out of the backend to it.
    assert (f"{prod}/Deployment/backend", f"{prod}/NetworkPolicy/database", "in 3306") in found
    assert (f"{prod}/CronJob/database-backup", f"{prod}/NetworkPolicy/database", "in 3306") in found
    assert (f"{prod}/NetworkPolicy/backend", f"{prod}/StatefulSet/database", "out 3306") in found
    # Pods of other namespaces: the ingress controller's proxies into routed components, the cluster DNS.
    envoy = next(node for node in diagram.nodes if node.title == "pods app=envoy")
    assert envoy.implied and envoy.group == "namespace/projectcontour"
    assert (envoy.id, f"{prod}/NetworkPolicy/frontend", "in 8080") in found
    assert (envoy.id, f"{prod}/NetworkPolicy/backend", "in 8080") in found
    dns = next(node for node in diagram.nodes if node.title == "pods k8s-app=kube-dns")
    assert (f"{prod}/NetworkPolicy/allow-dns", dns.id, "out 53/UDP, 53") in found
    assert {"namespace projectcontour", "namespace kube-system"} <= {group.title for group in diagram.groups}


def test_network_policies_to_the_outside_in_both_views() -> None:
    analysis = analyze(EXTERNAL, "shop.kon")
    kubernetes = labelled(diagram_of(analysis, "kubernetes", "PROD", unfold=True).diagram)
    assert ("k8s/shop-prod/NetworkPolicy/api", "outside", "out 443 to the internet") in kubernetes
    assert ("k8s/shop-prod/NetworkPolicy/api", "outside", "out 5432 to 10.8.0.0/16") in kubernetes
    # Folded into the workload, the policy's rule leaves from the workload, merged into one line.
    folded = labelled(diagram_of(analysis, "kubernetes", "PROD").diagram)
    assert ("k8s/shop-prod/Deployment/api", "outside", "out 5432 to 10.8.0.0/16, out 443 to the internet") in folded
    architecture = diagram_of(analysis, "architecture", "PROD").diagram
    found = labelled(architecture)
    assert ("shop-prod/workload/api", "outside", "api.stripe.com 443/TCP") in found
    assert ("shop-prod/workload/api", "outside", "10.8.0.0/16 5432/TCP") in found
    edge = next(edge for edge in architecture.edges if edge.label == "api.stripe.com 443/TCP")
    assert edge.kind == "network" and "any public address" in edge.tooltip


def test_a_value_or_storage_shared_by_many_components_is_listed_in_their_details() -> None:
    from koncierge_lang.diagrams.requirements_view import SHARED_BY

    diagram = diagram_of(analyze(generate_application(SHARED_BY + 4), "synthetic.kon"), "requirements", unfold=True).diagram
    components = [node for node in diagram.nodes if node.category == "workload"]
    assert len(components) > SHARED_BY
    # `log_level`, `api_key` and the storage `shared_files` are used by every workload: no line
    # from them, a line in each workload's details instead, and a count on their own node.
    for shared in ("synthetic/value/log_level", "synthetic/value/api_key", "synthetic/storage/shared_files"):
        assert not [edge for edge in diagram.edges if shared in (edge.source, edge.target)]
        node = diagram.node(shared)
        assert node is not None and any(f"by {len(components)} components" in detail for detail in node.details)
    for component in components:
        assert "LOG_LEVEL = log_level" in component.details
        assert "API_KEY = api_key (secret) as file" in component.details
        assert "mounts shared_files read-only at /shared" in component.details
    # A value used by one component keeps its line.
    assert ("synthetic/value/name0", "synthetic/component/service0", "configuration") in edges(diagram)


def test_a_value_shared_by_a_few_components_keeps_its_lines() -> None:
    diagram = diagram_of(analyze(generate_application(3), "synthetic.kon"), "requirements", unfold=True).diagram
    assert ("synthetic/value/log_level", "synthetic/component/service0", "configuration") in edges(diagram)
    assert ("synthetic/component/service0", "synthetic/storage/shared_files", "storage") in edges(diagram)


def test_a_claim_shared_by_many_workloads_is_listed_in_their_details() -> None:
    from koncierge_lang.diagrams.model import SHARED_BY

    diagram = diagram_of(analyze(generate_application(SHARED_BY + 4), "synthetic.kon"), "architecture", "PROD").diagram
    claim = "synthetic-prod/claim/shared-files"
    assert not [edge for edge in diagram.edges if claim in (edge.source, edge.target)]
    workloads = [node for node in diagram.nodes if node.category == "workload"]
    node = diagram.node(claim)
    assert node is not None and any(f"mounted by {len(workloads)} workloads" in detail for detail in node.details)
    assert all("mounts shared-files read-only at /shared" in workload.details for workload in workloads)
    # A claim of one workload (a database's data) keeps its line.
    assert any(edge.kind == "storage" for edge in diagram.edges)


def test_namespace_wide_policies_and_shared_claims_in_the_kubernetes_view_of_many_workloads() -> None:
    from koncierge_lang.diagrams.model import SHARED_BY

    analysis = analyze(generate_application(SHARED_BY + 4), "synthetic.kon")
    diagram = diagram_of(analysis, "kubernetes", "PROD", unfold=True).diagram
    prod = "k8s/synthetic-prod"
    pods = [node for node in diagram.nodes if node.category in ("workload", "database", "job")]
    assert len(pods) > SHARED_BY
    for policy in ("default-deny", "allow-dns"):
        node_id = f"{prod}/NetworkPolicy/{policy}"
        assert not [edge for edge in diagram.edges if edge.source == node_id and edge.kind == "policy"]
        node = diagram.node(node_id)
        assert node is not None and f"applies to all {len(pods)} workloads" in node.details
    # The DNS policy still draws where it lets pods go.
    assert any(edge.source == f"{prod}/NetworkPolicy/allow-dns" and edge.kind == "network" for edge in diagram.edges)
    claim = f"{prod}/PersistentVolumeClaim/shared-files"
    assert not [edge for edge in diagram.edges if edge.target == claim]
    deployments = [node for node in diagram.nodes if node.id.startswith(f"{prod}/Deployment/")]
    node = diagram.node(claim)
    assert node is not None and f"mounted by {len(deployments)} workloads (in their details)" in node.details
    assert all("mounts shared-files read-only /shared" in deployment.details for deployment in deployments)
    # The ingress controller's pods, let into every routed workload's policy: said in each policy.
    envoy = next(node for node in diagram.nodes if node.title == "pods app=envoy")
    assert not [edge for edge in diagram.edges if envoy.id in (edge.source, edge.target)]
    routed = [node for node in diagram.nodes if node.category == "policy" and "in 8080 from pods app=envoy (namespace projectcontour)" in node.details]
    assert len(routed) > SHARED_BY and f"named by {len(routed)} policies (in their details)" in envoy.details
    # Folded, each routed workload says it, with the policy it comes from.
    folded = diagram_of(analysis, "kubernetes", "PROD").diagram
    envoy = next(node for node in folded.nodes if node.title == "pods app=envoy")
    assert not [edge for edge in folded.edges if envoy.id in (edge.source, edge.target)]
    routed_workloads = [node for node in folded.nodes if "in 8080 from pods app=envoy (namespace projectcontour)" in node.details]
    assert len(routed_workloads) == len(routed) and all(node.id.startswith(f"{prod}/Deployment/") for node in routed_workloads)
    assert all(f"NetworkPolicy {node.id.rsplit('/', 1)[1]}" in node.details for node in routed_workloads)


CONNECTED = """\
application shop {
  environment LOCAL "shop.test"
  component queue {
    image "rabbitmq:3.13"
    port amqp 5672
    port management 15672
  }
  component frontend {
    image "frontend:1.0"
    port http 80 -> 8080
    connects to queue on management
  }
  component loadgenerator {
    image "loadgenerator:1.0"
    env FRONTEND_ADDR = "${frontend.host}:${frontend.port}"
  }
  component monitor {
    image "monitor:1.0"
  }
  component watched {
    image "watched:1.0"
    port metrics 9100
    accepts from monitor
  }
}
"""


def test_declared_connections_and_published_ports_are_drawn() -> None:
    analysis = analyze(CONNECTED, "shop.kon")
    requirements = labelled(diagram_of(analysis, "requirements").diagram)
    assert ("shop/component/frontend", "shop/component/queue", "connects to queue :15672") in requirements
    assert ("shop/component/monitor", "shop/component/watched", "accepts from monitor :9100") in requirements
    frontend = diagram_of(analysis, "requirements").diagram.node("shop/component/frontend")
    assert frontend is not None and "ports http 80->8080" in frontend.details
    architecture = labelled(diagram_of(analysis, "architecture", "LOCAL").diagram)
    assert ("shop-local/workload/frontend", "shop-local/service/queue", "15672/TCP") in architecture
    assert ("shop-local/workload/loadgenerator", "shop-local/service/frontend", "80->8080/TCP") in architecture
    assert ("shop-local/workload/monitor", "shop-local/service/watched", "9100/TCP") in architecture


WITH_CONTAINERS = """\
application shop {
  environment LOCAL "shop.test"
  environment PROD "shop.example.com"
  component web {
    image "nginx:1.27"
    port http 80
    writes "/usr/share/nginx/html" keeping contents
    sidecar exporter {
      image "nginx/nginx-prometheus-exporter:1.3.0"
      port metrics 9113
    }
    init wait-for-api {
      image "busybox:1.36"
      command ["/bin/sh", "-c", "sleep 5"]
    }
  }
}
"""


def test_sidecars_and_init_containers_are_in_the_workloads_details() -> None:
    analysis = analyze(WITH_CONTAINERS, "shop.kon")
    web = diagram_of(analysis, "requirements").diagram.node("shop/component/web")
    assert web is not None
    assert "sidecar exporter (nginx/nginx-prometheus-exporter:1.3.0)" in web.details
    assert "init wait-for-api (busybox:1.36)" in web.details
    workload = diagram_of(analysis, "architecture", "PROD").diagram.node("shop-prod/workload/web")
    assert workload is not None
    assert "init web-contents (copies the image's files)" in workload.details
    assert "sidecar exporter (nginx/nginx-prometheus-exporter:1.3.0)" in workload.details
    deployment = diagram_of(analysis, "kubernetes", "PROD").diagram.node("k8s/shop-prod/Deployment/web")
    assert deployment is not None
    assert "init web-contents (nginx:1.27)" in deployment.details
    assert "sidecar exporter (nginx/nginx-prometheus-exporter:1.3.0)" in deployment.details


def test_the_architecture_view_says_how_a_workload_is_asked_after_and_what_it_may_use() -> None:
    analysis = load(TODO.parents[1] / "online-boutique" / "online-boutique.kon")
    diagram = diagram_of(analysis, "architecture", "PROD").diagram
    adservice = diagram.node("online-boutique-prod/workload/adservice")
    assert adservice is not None
    assert "ready: grpc :9555 every 15s" in adservice.tooltip
    assert "cpu 200m-300m" in adservice.tooltip and "memory 180Mi-300Mi" in adservice.tooltip


def test_both_generated_views_name_the_environments_profile_and_its_decisions() -> None:
    """Issue 14: the environment's box (architecture) and its namespace's box (kubernetes) say
    which profile it is built with and what that decided; the workloads say what they got."""
    analysis = load(TODO)
    summaries = {
        "PROD": "PROD · performance: 2 replicas, Guaranteed databases, backups at 0 3 * * * keeping 7",
        "DEV": "DEV · budget: 1 replica",
    }
    for environment, summary in summaries.items():
        architecture = diagram_of(analysis, "architecture", environment).diagram
        (root,) = architecture.groups
        assert root.title.split("\n")[1] == summary
        kubernetes = diagram_of(analysis, "kubernetes", environment).diagram
        namespace = next(group for group in kubernetes.groups if group.title.startswith(f"namespace todo-{environment.lower()}"))
        assert namespace.title.split("\n")[1] == summary
    # What the platform team changes shows too, and reaches the workloads' nodes and tooltips.
    settings = parse_settings(
        "[profiles.performance]\ndisruption_budget = true\nspread_across_nodes = true\nspread_across_zones = true\n"
        "autoscale_max = 5\nguaranteed_databases = false\nbackup_retention = 14\n"
        '[profiles.budget]\nbackup_schedule = "@weekly"\n[environments.PERF]\nprofile = "budget"\n'
    ).settings
    prod = diagram_of(analysis, "architecture", "PROD", settings).diagram
    assert prod.groups[0].title.split("\n")[1] == (
        "PROD · performance: 2 replicas, PodDisruptionBudget, autoscale 2-5 at 80% CPU, "
        "spread over nodes and zones, backups at 0 3 * * * keeping 14"
    )
    backend = prod.node("todo-prod/workload/backend")
    assert backend is not None and "stateless, replicas 2-5 (autoscaled)" in backend.details
    assert "PodDisruptionBudget" in backend.tooltip and "spread over nodes and zones" in backend.tooltip
    database = prod.node("todo-prod/workload/database")
    assert database is not None and "mysql database, stateful, replicas 1" in database.details
    perf = diagram_of(analysis, "architecture", "PERF", settings).diagram
    assert perf.groups[0].title.split("\n")[1] == "PERF · budget: 1 replica, backups at @weekly keeping 3"


@needs_graphviz
def test_the_profile_line_is_drawn_left_justified_under_the_environments_title() -> None:
    diagram = diagram_of(load(TODO), "architecture", "PROD").diagram
    dot = to_dot(diagram, caption=False)
    assert "(backups, HTTPS, strict security)\\lPROD · performance: 2 replicas" in dot
    svg = render(dot, "svg").decode("utf-8")
    assert "PROD · performance: 2 replicas, Guaranteed databases" in svg
