"""Values stage 2 computes from several inputs, pinned where mutation testing (bench/mutation.py)
found that no test did: a Secret's data joined from text and plain, base64 and generated secrets in
order, and a host-path volume's path whatever the settings' directory ends with."""

from __future__ import annotations

import base64
from pathlib import Path

from compiler_support import by_kind, documents

from koncierge_lang.settings import Settings

SHOP = """\
application shop {
  environment LOCAL "shop.test"

  secret api_key = base64 "czNjcjN0"
  secret db_password = "hunter2"
  secret session = generated length 12
  value dsn = "user:${db_password}@db/${api_key}?s=${session}&k=${api_key}"

  component web {
    image "nginx:1.27"
    port 8080
    env DSN = dsn
    env KEY = api_key
    env PASSWORD = db_password
    env KEY_FIRST = "${api_key}-${db_password}"
  }
}
"""


def test_secret_parts_are_joined_in_order(tmp_path: Path) -> None:
    path = tmp_path / "shop.kon"
    path.write_text(SHOP, encoding="utf-8")
    secret = by_kind(documents(path, "LOCAL"), "Secret")["web-secrets"]
    decoded = {key: base64.b64decode(value).decode("utf-8") for key, value in secret["data"].items()}
    # compiler_support's passwords for generated secrets are "p" repeated to the secret's length.
    assert decoded == {
        "DSN": "user:hunter2@db/s3cr3t?s=pppppppppppp&k=s3cr3t",
        "KEY": "s3cr3t",
        "PASSWORD": "hunter2",
        # A base64 secret first, and more after it: decoded and joined, not used as written.
        "KEY_FIRST": "s3cr3t-hunter2",
    }
    # A secret given in base64 alone is used as written.
    assert secret["data"]["KEY"] == "czNjcjN0"


def test_a_host_path_directory_with_a_trailing_slash_gives_clean_paths(tmp_path: Path) -> None:
    """`[storage] host_path_directory = "/mnt/data/"`: each volume's path is `/mnt/data/<namespace>/<claim>`."""
    path = tmp_path / "shop.kon"
    path.write_text(SHOP.replace("    env DSN = dsn\n", '    env DSN = dsn\n    storage 1Gi at "/data"\n'), encoding="utf-8")
    for directory in ("/mnt/data", "/mnt/data/", "/mnt/data//"):
        settings = Settings(storage_provisioner="host-path", host_path_directory=directory)
        volumes = by_kind(documents(path, "LOCAL", settings), "PersistentVolume")
        assert volumes
        for volume in volumes.values():
            claim = volume["spec"]["claimRef"]
            assert volume["spec"]["hostPath"]["path"] == f"/mnt/data/{claim['namespace']}/{claim['name']}"
