"""Per known database image: the paths it writes outside its data directory, the commands that
say it is ready (by the version the image runs: `readiness_command`), and the variables its
entrypoint also reads from a file (`NAME_FILE`).

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
    # RabbitMQ keeps its node database and Erlang cookie in its data directory (its HOME).
    "rabbitmq": DatabaseHardening(("/tmp",), ("rabbitmq-diagnostics", "-q", "ping"), frozenset()),
}

def readiness_command(database_type: str, version: tuple[int, ...] | None) -> tuple[str, ...]:
    """The command that says the database answers, for the version its image runs (None: not
    known, so the command works with every version). MongoDB 6 dropped the `mongo` shell for
    `mongosh`, which 4.x and older do not have; MariaDB 10.5 added `mariadb-admin`, and 11 dropped
    the `mysqladmin` name."""
    if database_type == "mongodb":
        ping = "--quiet --eval 'db.adminCommand(\"ping\")'"
        if version is None:
            return ("sh", "-c", f"if command -v mongosh >/dev/null 2>&1; then mongosh {ping}; else mongo {ping}; fi")
        return (("mongosh",) if version >= (6,) else ("mongo",)) + ("--quiet", "--eval", "db.adminCommand('ping')")
    if database_type == "mariadb":
        if version is None:
            return (
                "sh",
                "-c",
                "if command -v mariadb-admin >/dev/null 2>&1; then mariadb-admin ping --host=127.0.0.1; "
                "else mysqladmin ping --host=127.0.0.1; fi",
            )
        return ("mariadb-admin" if version >= (10, 5) else "mysqladmin", "ping", "--host=127.0.0.1")
    if database_type == "rabbitmq" and version is not None and version < (3, 7):
        # `rabbitmq-diagnostics` came with 3.7.
        return ("rabbitmqctl", "status")
    if database_type == "rabbitmq" and version is None:
        return (
            "sh",
            "-c",
            "if command -v rabbitmq-diagnostics >/dev/null 2>&1; then rabbitmq-diagnostics -q ping; "
            "else rabbitmqctl status; fi",
        )
    return DATABASE_HARDENING[database_type].readiness_command


OTHER_WRITABLE_PATHS = ("/tmp",)
"""What every other hardened workload (a component, a backup) may write besides the paths its
author declares: most programs expect a writable `/tmp`."""

SECRET_FILES_DIRECTORY = "/run/secrets/koncierge"
