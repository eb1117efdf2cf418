"""Database types that fit their image: what depends on the version the image runs (readiness
command, server arguments, backup tool), backups in the database's own image, `authentication off`,
and the end-of-life table."""

from __future__ import annotations

from typing import Any

import pytest

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.kubernetes.manifests import manifests
from koncierge_lang.requirements.database_types import DATABASE_TYPES, end_of_life
from koncierge_lang.requirements.image_versions import official_version, repository_and_tag
from koncierge_lang.settings import Settings


def _objects(databases: str, environment: str = "PROD") -> list[dict[str, Any]]:
    source = f'application shop {{\n  environment LOCAL "shop.test"\n  environment PROD "shop.example.com"\n{databases}\n}}\n'
    analysis = analyze(source, "shop.kon")
    assert not analysis.errors, [error.message for error in analysis.errors]
    application = analysis.requirements.applications[0]
    chosen = next(item for item in application.environments if item.name == environment)
    architecture = build_architecture(application, chosen, Settings())
    return manifests(architecture, {secret.state_key: "x" for secret in architecture.generated_secrets()})  # type: ignore[return-value]


def _database(kind: str, image: str = "", extra: str = "") -> str:
    data = {
        "mysql": "/var/lib/mysql", "mariadb": "/var/lib/mysql", "mongodb": "/data/db",
        "postgres": "/var/lib/postgresql/data", "redis": "/data", "rabbitmq": "/var/lib/rabbitmq",
    }[kind]
    image_line = f'    image "{image}"\n' if image else ""
    return f'  database db {kind} {{\n{image_line}    storage 1Gi read-write at "{data}"\n{extra}  }}'


def _container(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    document = next(item for item in objects if item["kind"] == kind and item["metadata"]["name"] == name)
    spec = document["spec"]["jobTemplate"]["spec"]["template"]["spec"] if kind == "CronJob" else document["spec"]["template"]["spec"]
    return spec["containers"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("kind", "image", "first_word"),
    [
        ("mongodb", "mongo:3.6", "mongo"),
        ("mongodb", "mongo:8.0", "mongosh"),
        ("mongodb", "", "mongosh"),
        ("mariadb", "mariadb:10.4", "mysqladmin"),
        ("mariadb", "mariadb:11.4", "mariadb-admin"),
        ("mysql", "mysql:8.4", "mysqladmin"),
        ("rabbitmq", "rabbitmq:3.6.8-management", "rabbitmqctl"),
        ("rabbitmq", "rabbitmq:4.1-management", "rabbitmq-diagnostics"),
    ],
)
def test_the_readiness_command_is_one_the_images_version_has(kind: str, image: str, first_word: str) -> None:
    readiness = _container(_objects(_database(kind, image)), "StatefulSet", "db")["readinessProbe"]["exec"]["command"]
    assert readiness[0] == first_word


@pytest.mark.parametrize(("kind", "image"), [("mongodb", "weaveworksdemos/user-db:0.3.0"), ("mariadb", "registry.example.com/mariadb:1")])
def test_an_image_that_does_not_say_its_version_gets_a_command_for_every_version(kind: str, image: str) -> None:
    readiness = _container(_objects(_database(kind, image)), "StatefulSet", "db")["readinessProbe"]["exec"]["command"]
    assert readiness[:2] == ["sh", "-c"]
    tools = ("mongosh", "mongo ") if kind == "mongodb" else ("mariadb-admin", "mysqladmin")
    assert all(tool in readiness[2] for tool in tools)


@pytest.mark.parametrize(
    ("image", "args"),
    [
        ("mysql:5.7", ["--ignore-db-dir=lost+found"]),
        ("mysql:8.4.3", ["--datadir=/var/lib/mysql/data"]),
        ("weaveworksdemos/catalogue-db:0.3.0", None),
    ],
)
def test_mysql_arguments_by_version(image: str, args: list[str] | None) -> None:
    assert _container(_objects(_database("mysql", image)), "StatefulSet", "db").get("args") == args


@pytest.mark.parametrize(
    ("kind", "image", "tool"),
    [
        ("mongodb", "mongo:4.4", "mongodump"),
        ("mariadb", "mariadb:10.4", "mysqldump --host"),
        ("mariadb", "mariadb:11.4", "mariadb-dump --host"),
        ("postgres", "postgres:17.6", "pg_dumpall"),
        ("redis", "redis:7.4", "redis-cli"),
    ],
)
def test_backups_run_in_the_databases_own_image_with_its_tool(kind: str, image: str, tool: str) -> None:
    backup = _container(_objects(_database(kind, image)), "CronJob", "db-backup")
    assert backup["image"] == image
    assert tool in backup["command"][2]


def test_without_authentication_no_credentials_are_made_or_used() -> None:
    objects = _objects(_database("mongodb", "mongo:8.0", "    authentication off\n") + "\n" + _database("postgres", "postgres:17.6", "    authentication off\n").replace("database db", "database pg"))
    names = {
        (item["kind"], item["metadata"]["name"]): set((item.get("data") or item.get("stringData") or {}).keys())
        for item in objects
        if item["kind"] in ("Secret", "ConfigMap")
    }
    everything = set().union(*names.values())
    assert not {"MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD", "POSTGRES_PASSWORD"} & everything
    assert "POSTGRES_HOST_AUTH_METHOD" in everything
    mongo_backup = _container(objects, "CronJob", "db-backup")["command"][2]
    assert "mongodump --host=\"$DATABASE_HOST\" --archive" in mongo_backup and "password" not in mongo_backup
    postgres_backup = _container(objects, "CronJob", "pg-backup")["command"][2]
    assert "PGPASSWORD" not in postgres_backup and "pg_dumpall" in postgres_backup


def test_with_authentication_the_credentials_stay() -> None:
    backup = _container(_objects(_database("mongodb", "mongo:8.0")), "CronJob", "db-backup")["command"][2]
    assert '--username="$MONGO_INITDB_ROOT_USERNAME" --password="$MONGO_INITDB_ROOT_PASSWORD"' in backup


def test_image_versions_are_read_from_official_images_only() -> None:
    assert repository_and_tag("registry.example.com:5000/team/mongo:3.6@sha256:abc") == ("registry.example.com:5000/team/mongo", "3.6")
    assert official_version("mongo:8.0.4-noble", "mongo") == (8, 0, 4)
    assert official_version("docker.io/library/postgres:17", "postgres") == (17,)
    assert official_version("mongo", "mongo") is None
    assert official_version("mongo:latest", "mongo") is None
    assert official_version("bitnami/mongodb:8.0", "mongo") is None


def test_end_of_life_by_the_table_as_reviewed() -> None:
    mysql, postgres, mariadb = DATABASE_TYPES["mysql"], DATABASE_TYPES["postgres"], DATABASE_TYPES["mariadb"]
    assert end_of_life(mysql, (5, 7, 44)) == "2023-10-31"
    assert end_of_life(mysql, (8, 0)) == "2026-04-30"
    assert end_of_life(mysql, (8, 4)) is None
    assert end_of_life(postgres, (14,)) == "2026-11-12"
    assert end_of_life(postgres, (15, 10)) is None  # Supported until November 2027.
    assert end_of_life(mariadb, (10, 7)) == "2023-11-17"  # A short-term release between two long-term ones.
    assert end_of_life(mariadb, (11, 4)) is None
    for database_type in DATABASE_TYPES.values():
        default = official_version(database_type.image, database_type.repository)
        assert default is not None and end_of_life(database_type, default) is None, database_type.image


def test_a_broker_is_one_instance_and_is_not_backed_up() -> None:
    objects = _objects(_database("rabbitmq", "rabbitmq:4.1-management"))
    kinds = {(item["kind"], item["metadata"]["name"]) for item in objects}
    assert ("StatefulSet", "db") in kinds and ("CronJob", "db-backup") not in kinds
    broker = next(item for item in objects if item["kind"] == "StatefulSet")
    assert broker["spec"]["replicas"] == 1
    secrets = {key for item in objects if item["kind"] == "Secret" for key in (item.get("data") or {})}
    assert "RABBITMQ_DEFAULT_PASS" in secrets  # A generated password, unless `authentication off`.
