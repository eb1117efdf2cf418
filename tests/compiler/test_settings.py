"""Platform settings from koncierge.toml: defaults, strictness, locations of mistakes."""

from __future__ import annotations

from pathlib import Path

from compiler_support import REPOSITORY

from koncierge_lang.settings import SETTINGS_KEYS, Settings, load_settings, parse_settings


def test_defaults_without_a_file(tmp_path: Path) -> None:
    result = load_settings(tmp_path / "app.kon")
    assert result.settings == Settings() and not result.diagnostics and result.source is None
    # The ancestor's defaults (issue 3); KON323 warns about the ACME ones in HTTPS environments.
    assert Settings().ingress_class == "contour"
    assert Settings().acme_server == "https://acme-staging-v02.api.letsencrypt.org/directory"
    assert Settings().acme_email == "acme.administrator@example.com"
    assert Settings().force_ssl_redirect is False
    assert Settings().storage_provisioner == "dynamic"
    assert Settings().host_path_directory == "/data/k8s-storage"


def test_every_setting_is_read(tmp_path: Path) -> None:
    text = """
[ingress]
class = "traefik"
force_ssl_redirect = false
[certificates]
acme_server = "https://acme-staging-v02.api.letsencrypt.org/directory"
acme_email = "ops@example.com"
[storage]
provisioner = "host-path"
class = "fast"
host_path_directory = "/mnt/k"
[backups]
schedule = "@daily"
retention = 14
size = "20Gi"
"""
    (tmp_path / "koncierge.toml").write_text(text)
    result = load_settings(tmp_path / "app.kon")
    assert not result.diagnostics
    assert result.settings == Settings(
        ingress_class="traefik",
        force_ssl_redirect=False,
        acme_server="https://acme-staging-v02.api.letsencrypt.org/directory",
        acme_email="ops@example.com",
        storage_provisioner="host-path",
        storage_class="fast",
        host_path_directory="/mnt/k",
        backup_schedule="@daily",
        backup_retention=14,
        backup_size="20Gi",
    )


def test_unknown_keys_and_tables_are_errors_with_their_location() -> None:
    result = parse_settings('[ingress]\n  clas = "traefik"\n\n[bogus]\nx = 1\n', "koncierge.toml")
    first, second = result.diagnostics
    assert (first.code, first.path, first.span.start_line, first.span.start_column) == (
        "KON320",
        "koncierge.toml",
        2,
        3,
    )
    assert "class" in first.message  # it names the settings that exist
    assert (second.code, second.span.start_line, second.span.start_column) == ("KON320", 4, 2)
    assert result.settings == Settings()


def test_wrong_values_are_errors() -> None:
    cases = {
        '[backups]\nretention = "seven"\n': "whole number",
        "[ingress]\nforce_ssl_redirect = 1\n": "true or false",
        '[storage]\nprovisioner = "nfs"\n': "'dynamic'",
        '[ingress]\nclass = "Not Valid"\n': "IngressClass",
        '[certificates]\nacme_server = "http://insecure"\n': "https://",
        '[backups]\nschedule = "daily"\n': "cron",
        '[backups]\nsize = "lots"\n': "size",
    }
    for text, expected in cases.items():
        (diagnostic,) = parse_settings(text).diagnostics
        assert diagnostic.code == "KON321" and expected in diagnostic.message, (text, diagnostic.message)
        assert diagnostic.span.start_line == 2


def test_invalid_toml_is_an_error_with_its_location() -> None:
    (diagnostic,) = parse_settings("[ingress]\nclass = nginx\n").diagnostics
    assert diagnostic.code == "KON322"
    assert (diagnostic.span.start_line, diagnostic.span.start_column) == (2, 9)


def test_every_setting_is_documented() -> None:
    documentation = (REPOSITORY / "docs" / "compiler.md").read_text(encoding="utf-8")
    for table, key in SETTINGS_KEYS:
        assert f"`{key}`" in documentation and f"[{table}]" in documentation, (table, key)
