"""What the author declares per component for how it runs: `size`, `health`, `writes` and secrets
handed over `as file` (docs/language.md, docs/security.md)."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
from security_support import objects_of, pod_specs

from koncierge_lang.analysis import analyze
from koncierge_lang.settings import Settings

KUBERNETES_VERSION = "1.37"

SOURCE = """
application shop {
  environment LOCAL "shop.test"
  environment PROD "shop.example.com" after LOCAL
  secret api_key = generated
  value api_url = "https://user:${api_key}@api.example.com"
  component web {
    image "nginxinc/nginx-unprivileged:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    port http 8080
    port admin 9090
    size large
    health "/healthz" on admin
    writes "/var/cache/nginx", "/tmp", "/var/run/"
    env API_KEY = api_key as file
    env API_URL = api_url as file
    env PLAIN = "x"
  }
  component worker {
    image "acme/worker:1.0@sha256:0000000000000000000000000000000000000000000000000000000000000000"
    port 7000
  }
  database db postgres {
    storage 1Gi at "/var/lib/postgresql/data"
    writes "/var/lib/postgresql/scratch", "/tmp"
    size medium
  }
}
"""


def objects(environment: str, settings: Settings | None = None, source: str = SOURCE) -> list[dict[str, Any]]:
    return objects_of(source, environment, settings)


pods = pod_specs


@pytest.mark.parametrize("environment", ["LOCAL", "PROD"])
def test_every_object_is_valid_kubernetes(environment: str) -> None:
    for item in objects(environment):
        kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


def test_size_wins_over_environment_defaults_and_platform_settings_in_every_environment() -> None:
    for environment in ("LOCAL", "PROD"):
        web = pods(objects(environment, Settings(cpu_limit="3", memory_request="1Ki")))["web"]["containers"][0]
        assert web["resources"] == {"limits": {"cpu": "2", "memory": "2Gi"}, "requests": {"cpu": "1", "memory": "1Gi"}}
    prod = pods(objects("PROD"))
    # PROD's profile (performance) gives databases Guaranteed QoS: the size's memory limit is also
    # the request, and its CPU request also the limit (docs/compiler.md, "Profiles").
    assert prod["db"]["containers"][0]["resources"] == {
        "limits": {"cpu": "250m", "memory": "512Mi"},
        "requests": {"cpu": "250m", "memory": "512Mi"},
    }
    # Without a size: the environment's defaults where hardened, nothing elsewhere.
    assert prod["worker"]["containers"][0]["resources"]["requests"] == {"cpu": "250m", "memory": "256Mi"}
    assert "resources" not in pods(objects("LOCAL"))["worker"]["containers"][0]
    # The backup of a sized database keeps the defaults: it is not the database.
    assert prod["db-backup"]["containers"][0]["resources"]["requests"] == {"cpu": "250m", "memory": "256Mi"}
    assert pods(objects("PROD", Settings(cpu_request="300m")))["worker"]["containers"][0]["resources"]["requests"]["cpu"] == "300m"


def test_health_endpoint_gives_http_probes_everywhere_else_tcp_where_hardened() -> None:
    for environment in ("LOCAL", "PROD"):
        web = pods(objects(environment))["web"]["containers"][0]
        for probe in ("livenessProbe", "readinessProbe"):
            assert web[probe]["httpGet"] == {"path": "/healthz", "port": 9090}
    prod, local = pods(objects("PROD")), pods(objects("LOCAL"))
    assert prod["worker"]["containers"][0]["livenessProbe"]["tcpSocket"] == {"port": 7000}
    assert "livenessProbe" not in local["worker"]["containers"][0]
    # The first TCP port when `on` is left out.
    text = SOURCE.replace('health "/healthz" on admin', 'health "/up"')
    assert pods(objects("PROD", source=text))["web"]["containers"][0]["readinessProbe"]["httpGet"] == {"path": "/up", "port": 8080}


def test_writable_paths_are_scratch_volumes_where_the_root_filesystem_is_read_only() -> None:
    prod = pods(objects("PROD"))
    web = prod["web"]
    mounts = {mount["mountPath"]: mount["name"] for mount in web["containers"][0]["volumeMounts"]}
    assert {"/tmp", "/var/cache/nginx", "/var/run"} <= set(mounts)
    assert list(mounts).count("/tmp") == 1
    volumes = {volume["name"]: volume for volume in web["volumes"]}
    assert all("emptyDir" in volumes[mounts[path]] for path in ("/tmp", "/var/cache/nginx", "/var/run"))
    database_paths = [mount["mountPath"] for mount in prod["db"]["containers"][0]["volumeMounts"]]
    assert database_paths.count("/tmp") == 1
    assert {"/var/run/postgresql", "/var/lib/postgresql/scratch"} <= set(database_paths)
    # Where the root filesystem is writable, nothing is added.
    local_mounts = pods(objects("LOCAL"))["web"]["containers"][0].get("volumeMounts", [])
    assert not any(mount["mountPath"] == "/var/cache/nginx" for mount in local_mounts)


def test_secrets_as_files_in_every_environment() -> None:
    for environment, mode in (("LOCAL", 0o444), ("PROD", 0o440)):
        documents = objects(environment)
        web = pods(documents)["web"]
        container = web["containers"][0]
        variables = {item["name"]: item for item in container["env"]}
        assert variables["API_KEY_FILE"] == {"name": "API_KEY_FILE", "value": "/run/secrets/koncierge/API_KEY"}
        assert variables["API_URL_FILE"]["value"] == "/run/secrets/koncierge/API_URL"
        assert "API_KEY" not in variables and "API_URL" not in variables
        assert not any("secretKeyRef" in item.get("valueFrom", {}) for item in container["env"])
        (mount,) = [mount for mount in container["volumeMounts"] if mount["mountPath"] == "/run/secrets/koncierge"]
        assert mount["readOnly"] is True
        (volume,) = [volume for volume in web["volumes"] if volume["name"] == mount["name"]]
        assert volume["projected"]["defaultMode"] == mode
        (source,) = volume["projected"]["sources"]
        assert source["secret"] == {
            "name": "web-secrets",
            "items": [{"key": "API_KEY", "path": "API_KEY"}, {"key": "API_URL", "path": "API_URL"}],
        }
        secret = next(d for d in documents if d["kind"] == "Secret" and d["metadata"]["name"] == "web-secrets")
        assert set(secret["data"]) == {"API_KEY", "API_URL"}


def codes(source: str) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in analyze(source, "x.kon").diagnostics if d.code != "KON304"]


def wrap(body: str, environment: str = 'environment LOCAL "a.test"') -> str:
    return f"application a {{\n  {environment}\n  secret s = generated\n  {body}\n}}\n"


def test_checker_diagnostics() -> None:
    found = codes(wrap('component web { image "a:1" port 80 size medum }'))
    assert found == [("KON219", "`medum` is not a size: use `small`, `medium` or `large`; did you mean `medium`?")]
    found = codes(wrap('component web { image "a:1" port 80 health "healthz" }'))
    assert [code for code, _ in found] == ["KON220"]
    found = codes(wrap('component web { image "a:1" port http 80 health "/h" on htp }'))
    assert found == [("KON103", "`web` has no TCP port named `htp`; did you mean `http`?")]
    assert [code for code, _ in codes(wrap('component web { image "a:1" port 80 health "/h" on 81 }'))] == ["KON103"]
    assert [code for code, _ in codes(wrap('component web { image "a:1" port 53/udp health "/h" }'))] == ["KON210"]
    assert [code for code, _ in codes(wrap('component web { image "a:1" writes "var/x" }'))] == ["KON208"]
    clash = codes(wrap('component web { image "a:1" storage 1Gi at "/data" writes "/data/" }'))
    assert [code for code, _ in clash] == ["KON208"]
    assert [code for code, _ in codes(wrap('component web { image "a:1" env A = "x" as file }'))] == ["KON221"]
    assert codes(wrap('value v = s\n  component web { image "a:1" env A = v as file }')) == []
    both = codes(wrap('component web { image "a:1" env A = s as file env A_FILE = "/x" }'))
    assert [code for code, _ in both] == ["KON203"]
    assert [code for code, _ in codes(wrap('component web { image "a:1" port 80 size small size large }'))] == ["KON215"]


def test_kon309_quick_fix_hands_the_secret_over_as_a_file() -> None:
    text = wrap(
        'component web { image "a:1@sha256:' + "0" * 64 + '" port 8080 env A = s }', 'environment PROD "a.example.com"'
    )
    (diagnostic,) = analyze(text, "x.kon").diagnostics
    assert diagnostic.code == "KON309"
    (fix,) = diagnostic.fixes
    (edit,) = fix.edits
    fixed = edit.applied_to(text)
    assert "env A = s as file }" in fixed
    assert analyze(fixed, "x.kon").diagnostics == ()
