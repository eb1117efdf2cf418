"""After lowering, no two generated objects share kind, namespace and name.

Two objects with the same kind, namespace and name are one object to Kubernetes: the second
silently overwrites the first (`kubectl apply`), and a Service's selector picks up the other's
pods. The compiler derives many names from declared ones (`requirements/generated_names.py`): a
database `db` implies a CronJob, ServiceAccount and NetworkPolicy `db-backup` and a claim
`db-backups`, every environment has the NetworkPolicies `default-deny` and `allow-dns`, each
application and environment a namespace, each host-path claim a PersistentVolume named after its
namespace. Within a pod, each mounted storage is a volume named after it, beside the volume
`secret-files` and, where hardened, a scratch volume `scratch-<path>` per writable path; and a port
without a name is called `tcp-8080`: the API server refuses a pod with two volumes or two ports of
one name. So the checker reserves those names (KON105, and KON201 for ports), and this test holds
it to that: every example and every golden input that checks without errors lowers to objects with
distinct names and pods without such clashes, and for hand-made and generated applications whose
names collide after Kubernetes' name conversion the checker reports them exactly when lowering
would produce a clash.

Everything is lowered with the settings that generate the most objects: host-path storage (a
PersistentVolume per claim), hardening in every environment (a ServiceAccount per workload) and
network policies.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from compiler_support import EXAMPLES, REPOSITORY

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.architecture.model import EnvironmentArchitecture
from koncierge_lang.diagnostics import Severity
from koncierge_lang.lowering import lower_environment
from koncierge_lang.settings import Settings

MOST_OBJECTS = Settings(storage_provisioner="host-path", hardening="all", network_policies=True)
# Every environment's host-path claims use the one StorageClass: it is shared by design.
SHARED_BY_DESIGN = frozenset({"StorageClass"})

ObjectKey = tuple[str, str, str]
"""An object's kind, namespace ("" when it has none) and name."""


def fake_passwords(architecture: EnvironmentArchitecture) -> dict[str, str]:
    return {secret.state_key: "p" * secret.length for secret in architecture.generated_secrets()}


def lowered_documents(analysis: Analysis, settings: Settings = MOST_OBJECTS) -> list[dict[str, Any]]:
    """Every object every environment of every application lowers to."""
    documents: list[dict[str, Any]] = []
    for application in analysis.requirements.applications:
        for environment in application.environments:
            lowered = lower_environment(application, environment, settings, fake_passwords)
            assert lowered.failure is None, lowered.failure
            documents.extend(lowered.documents)  # type: ignore[arg-type]
    return documents


def object_keys(analysis: Analysis, settings: Settings = MOST_OBJECTS) -> list[ObjectKey]:
    """The kind, namespace and name of every object every environment of every application lowers to."""
    return [
        (str(document["kind"]), str(document["metadata"].get("namespace", "")), str(document["metadata"]["name"]))
        for document in lowered_documents(analysis, settings)
    ]


def clashes(keys: Sequence[ObjectKey]) -> list[ObjectKey]:
    """The keys that more than one generated object has."""
    return sorted(key for key, count in Counter(keys).items() if count > 1 and key[0] not in SHARED_BY_DESIGN)


def pod_clashes(documents: Sequence[dict[str, Any]]) -> list[str]:
    """The names two volumes of one pod, or two ports of one container, share."""
    found: list[str] = []
    for document in documents:
        spec = document.get("spec", {})
        template = spec.get("jobTemplate", {}).get("spec", spec).get("template")
        if template is None:
            continue
        pod = template["spec"]
        where = f"{document['kind']} {document['metadata']['namespace']}/{document['metadata']['name']}"
        volumes = Counter(volume["name"] for volume in pod.get("volumes", []))
        found += [f"{where}: volume {name}" for name, count in sorted(volumes.items()) if count > 1]
        for container in pod["containers"]:
            ports = Counter(port["name"] for port in container.get("ports", []))
            found += [f"{where}: port {name}" for name, count in sorted(ports.items()) if count > 1]
    return found


def all_clashes(analysis: Analysis) -> list[str]:
    documents = lowered_documents(analysis)
    keys = [
        (str(document["kind"]), str(document["metadata"].get("namespace", "")), str(document["metadata"]["name"]))
        for document in documents
    ]
    return [str(key) for key in clashes(keys)] + pod_clashes(documents)


def collisions_reported(analysis: Analysis) -> list[str]:
    """What the checker says about names that collide: KON105, and KON201 for two ports of one name."""
    return [
        diagnostic.message
        for diagnostic in analysis.diagnostics
        if diagnostic.code == "KON105" or (diagnostic.code == "KON201" and "two ports are named" in diagnostic.message)
    ]


def buildable_inputs() -> list[Path]:
    """The examples, and every golden input that checks without errors."""
    inputs = sorted(EXAMPLES.glob("*/*.kon"))
    for path in sorted((REPOSITORY / "tests" / "golden").glob("*/input.kon")):
        if not analyze(path.read_text(encoding="utf-8"), str(path)).has_errors:
            inputs.append(path)
    return inputs


BUILDABLE = buildable_inputs()


@pytest.mark.parametrize("path", BUILDABLE, ids=[path.parent.name for path in BUILDABLE])
def test_every_buildable_input_lowers_to_objects_with_distinct_names(path: Path) -> None:
    analysis = analyze(path.read_text(encoding="utf-8"), str(path))
    assert all_clashes(analysis) == []


# Each clash of an implied name with a declared one, written as a user would.
CLASHING = {
    "component-named-like-a-backup": """
application shop {
  environment PROD "shop.example.com"
  database db postgres {
    storage 1Gi read-write at "/var/lib/postgresql/data"
  }
  component db-backup {
    image "busybox:1.36"
  }
}
""",
    "storage-named-like-a-backup-claim": """
application shop {
  environment PERF "perf.shop.example.com"
  database db postgres {
    storage 1Gi read-write at "/var/lib/postgresql/data"
  }
  storage db_backups 5Gi
  component archive {
    image "busybox:1.36"
    mount db_backups read-write at "/archive"
  }
}
""",
    "component-named-like-a-network-policy": """
application shop {
  environment DEV "dev.shop.example.com"
  component allow_dns {
    image "busybox:1.36"
  }
}
""",
    "environments-become-one-namespace": """
application shop {
  environment PROD "shop.example.com"
  environment Prod like PROD "shop2.example.com"
  component web {
    image "nginx:1.27"
  }
}
""",
    "applications-and-environments-become-one-namespace": """
application shop {
  environment EU-PROD like PROD "shop.example.eu"
  component web {
    image "nginx:1.27"
  }
}
application shop-eu {
  environment PROD "shop.example.com"
  component web {
    image "nginx:1.27"
  }
}
""",
    "persistent-volumes-named-alike": """
application shop {
  environment PROD "shop.example.com"
  environment PROD_EU like PROD "shop.example.eu"
  storage data 1Gi
  storage eu-data 1Gi
  component web {
    image "nginx:1.27"
    mount data read-write at "/data"
    mount eu-data read-write at "/eu-data"
  }
}
""",
    "storage-named-like-the-secret-files-volume": """
application shop {
  environment DEV "dev.shop.example.com"
  secret token = generated
  storage secret-files 1Gi
  component web {
    image "nginx:1.27"
    env TOKEN = token as file
    mount secret-files read-write at "/files"
  }
}
""",
    "storage-named-like-a-scratch-volume": """
application shop {
  environment INT "int.shop.example.com"
  storage scratch_tmp 1Gi
  component web {
    image "nginx:1.27"
    mount scratch_tmp read-write at "/keep"
  }
}
""",
    "writable-paths-named-alike": """
application shop {
  environment DEV "dev.shop.example.com"
  component web {
    image "nginx:1.27"
    writes "/var/cache", "/var/Cache"
  }
}
""",
    "port-named-like-an-unnamed-port": """
application shop {
  environment DEV "dev.shop.example.com"
  component web {
    image "nginx:1.27"
    port 80
    port tcp-80 8080
  }
}
""",
}


@pytest.mark.parametrize("case", sorted(CLASHING))
def test_an_implied_name_taken_by_a_declaration_is_kon105_and_would_clash(case: str) -> None:
    analysis = analyze(CLASHING[case], f"{case}.kon")
    assert all_clashes(analysis) != []
    assert collisions_reported(analysis) != []
    errors = {diagnostic.message for diagnostic in analysis.diagnostics if diagnostic.severity is Severity.ERROR}
    assert errors == set(collisions_reported(analysis))


# Names chosen to collide after Kubernetes' name conversion: with each other (`web_api`, `Web-API`),
# with the names the compiler derives from them (`db-backup`, `db_backups`, `web-data`,
# `web-data-2`, `allow-dns`, `default_deny`), and, for persistent volumes, with the environments'
# part of namespaces (`eu-data` in `shop-prod` and `data` in `shop-prod-eu`).
_BASES = ("db", "web", "api")
_SUFFIXES = ("", "", "", "-backup", "_backup", "-backups", "_BACKUPS", "-data", "-data-2", "_data", "-2")
_POLICY_NAMES = ("allow-dns", "Default_Deny", "allow_DNS")
_STORAGE_NAMES = (
    "data", "eu-data", "EU_data", "files", "db-backups", "db_backups", "web-data", "Web_Data_2", "api-backups",
    "secret-files", "Scratch_Var_Cache",
)
_DATABASE_TYPES = {"postgres": "/var/lib/postgresql/data", "mysql": "/var/lib/mysql", "redis": "/data"}


def _component_name(rng: random.Random, taken: set[str]) -> str:
    """A name not taken yet in the application, most often a base name with a suffix."""
    while True:
        if rng.random() < 0.08:
            name = rng.choice(_POLICY_NAMES)
        else:
            base = rng.choice(_BASES)
            name = (base.upper() if rng.random() < 0.15 else base) + rng.choice(_SUFFIXES)
        if name not in taken:
            taken.add(name)
            return name


def generated_file(seed: int) -> str:
    """A file that checks without errors except, perhaps, KON105: components, databases, storage
    and routes with colliding names, and environments whose namespaces may collide."""
    rng = random.Random(seed)
    lines: list[str] = []
    applications = ["shop"] if rng.random() < 0.85 else ["shop", rng.choice(["shop-eu", "Shop_Prod"])]
    for application_index, application in enumerate(applications):
        taken: set[str] = set()
        lines.append(f"application {application} {{")
        extra = rng.choice([[], [], ["DEV"], ["PERF"], ["PROD_EU like PROD"], ["EU like PERF"], ["DEV", "Prod like PERF"]])
        for index, environment in enumerate(["PROD", *extra]):
            lines.append(f'  environment {environment} "e{index}.a{application_index}.example.com"')
        lines.append("  secret token = generated")
        storages = [name for name in rng.sample(_STORAGE_NAMES, rng.randint(0, 3)) if name not in taken]
        taken.update(storages)
        for storage in storages:
            lines.append(f"  storage {storage} 1Gi")
        for index in range(rng.randint(1, 6)):
            name = _component_name(rng, taken)
            if rng.random() < 0.4:
                database_type = rng.choice(sorted(_DATABASE_TYPES))
                lines += [f"  database {name} {database_type} {{", f'    storage 1Gi read-write at "{_DATABASE_TYPES[database_type]}"', "  }"]
                continue
            lines += [f"  component {name} {{", '    image "nginx:1.27"', "    port 80"]
            if rng.random() < 0.05:
                lines.append("    port tcp-80 8080")
            if rng.random() < 0.3:
                lines.append("    env TOKEN = token as file")
            if rng.random() < 0.3:
                lines.append(f'    writes "/var/cache"{rng.choice(["", ", " + chr(34) + "/VAR/cache" + chr(34)])}')
            if rng.random() < 0.3:
                lines.append('    storage 1Gi read-write at "/cache"')
                if rng.random() < 0.5:
                    lines.append('    storage 1Gi read-write at "/more"')
            for mount_index, storage in enumerate(storage for storage in storages if rng.random() < 0.5):
                lines.append(f'    mount {storage} read-write at "/mnt/{mount_index}"')
            lines.append("  }")
            if rng.random() < 0.5:
                lines.append(f'  route {name}-route{index} path "/{index}" -> {name}:80')
        lines.append("}")
    return "\n".join(lines) + "\n"


SEEDS = range(300)


def test_kon105_is_reported_exactly_when_generated_names_would_clash() -> None:
    clashing = 0
    for seed in SEEDS:
        text = generated_file(seed)
        analysis = analyze(text, f"generated-{seed}.kon")
        reported = collisions_reported(analysis)
        errors = {diagnostic.message for diagnostic in analysis.diagnostics if diagnostic.severity is Severity.ERROR}
        assert errors <= set(reported), (seed, errors - set(reported), text)
        found = all_clashes(analysis)
        assert bool(found) == bool(reported), (seed, found, reported, text)
        clashing += bool(found)
    # The generator is meant to make both kinds of file, each often enough to matter.
    assert 0.2 * len(SEEDS) < clashing < 0.8 * len(SEEDS), clashing
