"""Hardening that adapts to the program (issue 13): NET_BIND_SERVICE for a port below 1024, the
author's capabilities, `run as`, `writes ... keeping contents` and `writes everywhere`, and the
warnings that name each relaxation where security is strict (docs/security.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
from security_support import objects_of, pod_specs

from koncierge_lang.analysis import analyze
from koncierge_lang.settings import Settings

SHOP = """
application shop {
  environment DEV "dev.shop.test"
  environment PROD "shop.example.com"

  component web {
    image "nginx:1.27"
    port http 80
    writes "/usr/share/nginx/html" keeping contents
    writes "/var/cache/nginx"
  }

  component api {
    image "acme/api:1.0"
    port 8080
  }

  component legacy {
    image "acme/legacy:1.0"
    port 8081
    capabilities cap_chown, SETUID
    run as user 999 group 998
    writes everywhere
  }
}
"""


def containers(environment: str, settings: Settings | None = None) -> dict[str, dict[str, Any]]:
    return {name: spec["containers"][0] for name, spec in pod_specs(objects_of(SHOP, environment, settings)).items()}


def test_a_port_below_1024_adds_net_bind_service_and_nothing_else() -> None:
    prod = containers("PROD")
    assert prod["web"]["securityContext"]["capabilities"] == {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}
    assert prod["api"]["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    # Where not hardened the runtime's defaults already allow it: nothing is said.
    assert "securityContext" not in containers("DEV")["web"]


def test_declared_capabilities_user_and_writable_root_filesystem() -> None:
    specs = pod_specs(objects_of(SHOP, "PROD"))
    context = specs["legacy"]["containers"][0]["securityContext"]
    assert context["capabilities"] == {"drop": ["ALL"], "add": ["CHOWN", "SETUID"]}
    assert context["runAsUser"] == 999 and context["runAsGroup"] == 998 and context["runAsNonRoot"] is True
    assert context["readOnlyRootFilesystem"] is False and context["allowPrivilegeEscalation"] is False
    pod = specs["legacy"]["securityContext"]
    assert (pod["runAsUser"], pod["runAsGroup"], pod["fsGroup"]) == (999, 998, 998)
    # The others keep the platform's user and a read-only root filesystem.
    assert specs["api"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True
    assert specs["api"]["securityContext"]["runAsUser"] == 10001


def test_run_as_applies_in_every_environment_but_relaxations_only_where_hardened() -> None:
    dev = containers("DEV")
    assert dev["legacy"]["securityContext"] == {"runAsUser": 999, "runAsGroup": 998}
    assert "initContainers" not in pod_specs(objects_of(SHOP, "DEV"))["web"]


def test_keeping_contents_copies_the_images_files_with_a_hardened_init_container() -> None:
    web = pod_specs(objects_of(SHOP, "PROD"))["web"]
    (copy,) = web["initContainers"]
    assert copy["name"] == "web-contents" and copy["image"] == "nginx:1.27"
    assert copy["command"][:2] == ["/bin/sh", "-c"]
    assert "cp -a /usr/share/nginx/html/. /koncierge-contents/scratch-usr-share-nginx-html/" in copy["command"][2]
    assert copy["volumeMounts"] == [
        {"name": "scratch-usr-share-nginx-html", "mountPath": "/koncierge-contents/scratch-usr-share-nginx-html"}
    ]
    context = copy["securityContext"]
    assert context["readOnlyRootFilesystem"] is True and context["capabilities"] == {"drop": ["ALL"]}
    assert context["runAsUser"] == 10001 and "resources" in copy
    main = web["containers"][0]
    assert {"name": "scratch-usr-share-nginx-html", "mountPath": "/usr/share/nginx/html"} in main["volumeMounts"]
    # Only the kept path is copied: `/var/cache/nginx` starts empty.
    assert "/var/cache/nginx" not in copy["command"][2]


def test_the_platforms_user_follows_the_settings_unless_the_author_names_one() -> None:
    settings = Settings(run_as_user=20000)
    specs = pod_specs(objects_of(SHOP, "PROD", settings))
    assert specs["web"]["initContainers"][0]["securityContext"]["runAsUser"] == 20000
    assert specs["legacy"]["securityContext"]["runAsUser"] == 999


def test_every_object_is_valid_kubernetes() -> None:
    for environment in ("DEV", "PROD"):
        for item in objects_of(SHOP, environment):
            if item["kind"] != "Issuer":
                kubernetes_validate.validate(item, "1.37", strict=True)


def test_each_relaxation_is_a_warning_naming_its_risk_where_security_is_strict() -> None:
    warnings = {(item.code, item.message.split(":")[0]) for item in analyze(SHOP, "shop.kon").diagnostics if item.code.startswith("KON31")}
    codes = sorted(code for code, _ in warnings)
    # Two capabilities added by hand, and NET_BIND_SERVICE for web's port 80 (only the author can
    # change the port the program listens on).
    assert codes == ["KON312", "KON312", "KON312", "KON313", "KON314", "KON315"], warnings
    # Not where nothing is hardened: DEV alone relaxes nothing.
    dev_only = SHOP.replace('  environment PROD "shop.example.com"\n', "")
    assert not [item for item in analyze(dev_only, "shop.kon").diagnostics if item.code.startswith("KON31")]


def test_explain_hardening_lists_each_exception_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "shop.kon"
    path.write_text(SHOP, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "koncierge_lang", "explain", "hardening", str(path), "--env", "PROD"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "adds NET_BIND_SERVICE" in result.stdout and "listens on a port below 1024" in result.stdout
    assert "web/web-contents" in result.stdout and "writable root filesystem" in result.stdout
    assert "user 999, group 998" in result.stdout
