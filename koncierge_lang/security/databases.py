"""Per known database image: the paths it writes outside its data directory, the commands that
say it is ready, and the variables its entrypoint also reads from a file (`NAME_FILE`).

With a read-only root filesystem every path an image writes must be a volume: the data directory
is the database's claim; the paths here become scratch (`emptyDir`) volumes. Each entry is
explained in docs/security.md. The official images run their server as UID 999; hardened
workloads run them as the platform's high UID instead (setting `[security] run_as_user`), which
each of these entrypoints supports (it only switches user when started as root), with the data
volume made writable through the pod's `fsGroup`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DatabaseHardening:
    writable_paths: tuple[str, ...]
    readiness_command: tuple[str, ...]
    file_variables: frozenset[str]


DATABASE_HARDENING: dict[str, DatabaseHardening] = {
    "mysql": DatabaseHardening(
        ("/tmp", "/var/run/mysqld", "/var/lib/mysql-files"),
        ("mysqladmin", "ping", "--host=127.0.0.1"),
        frozenset({"MYSQL_ROOT_PASSWORD", "MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE", "MYSQL_ROOT_HOST"}),
    ),
    "mariadb": DatabaseHardening(
        ("/tmp", "/run/mysqld"),
        ("mariadb-admin", "ping", "--host=127.0.0.1"),
        frozenset(
            {
                "MARIADB_ROOT_PASSWORD", "MARIADB_USER", "MARIADB_PASSWORD", "MARIADB_DATABASE",
                "MYSQL_ROOT_PASSWORD", "MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE",
            }
        ),
    ),
    "postgres": DatabaseHardening(
        ("/tmp", "/var/run/postgresql"),
        ("pg_isready", "--host=127.0.0.1"),
        frozenset({"POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB", "POSTGRES_INITDB_ARGS"}),
    ),
    "mongodb": DatabaseHardening(
        ("/tmp", "/data/configdb"),
        ("mongosh", "--quiet", "--eval", "db.adminCommand('ping')"),
        frozenset({"MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"}),
    ),
    "redis": DatabaseHardening(("/tmp",), ("redis-cli", "ping"), frozenset()),
}

OTHER_WRITABLE_PATHS = ("/tmp",)
"""What every other hardened workload (a component, a backup) may write besides the paths its
author declares: most programs expect a writable `/tmp`."""

SECRET_FILES_DIRECTORY = "/run/secrets/koncierge"
