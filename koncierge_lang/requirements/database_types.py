"""Known database types and their defaults: image, port, data directory, credentials, backup tool.

A user's explicit setting always wins over these. The UIDs are the ones the official images run
their server as; the hardened workloads use them (see docs/security.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DatabaseType:
    name: str
    image: str
    port: int
    data_directory: str
    args: tuple[str, ...]
    # Variables set when the user does not set them: name -> ("generated", "") for a generated
    # password, or ("text", value) for a constant.
    default_variables: tuple[tuple[str, str, str], ...]
    extra_environment: tuple[tuple[str, str], ...]
    user_id: int
    backup_command: str
    backup_image: str
    description: str


DATABASE_TYPES: dict[str, DatabaseType] = {
    database.name: database
    for database in (
        DatabaseType(
            name="mysql",
            image="mysql:5.7",
            port=3306,
            data_directory="/var/lib/mysql",
            args=("--ignore-db-dir=lost+found",),
            default_variables=(("MYSQL_ROOT_PASSWORD", "generated", ""),),
            extra_environment=(),
            user_id=999,
            backup_command=(
                'mysqldump --host="$DATABASE_HOST" --user=root --password="$MYSQL_ROOT_PASSWORD" '
                "--all-databases --single-transaction"
            ),
            backup_image="mysql:5.7",
            description="MySQL, from the official `mysql` image",
        ),
        DatabaseType(
            name="mariadb",
            image="mariadb:11.4",
            port=3306,
            data_directory="/var/lib/mysql",
            args=(),
            default_variables=(("MARIADB_ROOT_PASSWORD", "generated", ""),),
            extra_environment=(),
            user_id=999,
            backup_command=(
                'mariadb-dump --host="$DATABASE_HOST" --user=root --password="$MARIADB_ROOT_PASSWORD" '
                "--all-databases --single-transaction"
            ),
            backup_image="mariadb:11.4",
            description="MariaDB, from the official `mariadb` image",
        ),
        DatabaseType(
            name="postgres",
            image="postgres:16.4",
            port=5432,
            data_directory="/var/lib/postgresql/data",
            args=(),
            default_variables=(("POSTGRES_PASSWORD", "generated", ""), ("POSTGRES_USER", "text", "postgres")),
            extra_environment=(("PGDATA", "/var/lib/postgresql/data/pgdata"),),
            user_id=999,
            backup_command='PGPASSWORD="$POSTGRES_PASSWORD" pg_dumpall --host="$DATABASE_HOST" --username="$POSTGRES_USER"',
            backup_image="postgres:16.4",
            description="PostgreSQL, from the official `postgres` image",
        ),
        DatabaseType(
            name="mongodb",
            image="mongo:7.0",
            port=27017,
            data_directory="/data/db",
            args=(),
            default_variables=(
                ("MONGO_INITDB_ROOT_USERNAME", "text", "root"),
                ("MONGO_INITDB_ROOT_PASSWORD", "generated", ""),
            ),
            extra_environment=(),
            user_id=999,
            backup_command=(
                'mongodump --host="$DATABASE_HOST" --username="$MONGO_INITDB_ROOT_USERNAME" '
                '--password="$MONGO_INITDB_ROOT_PASSWORD" --archive'
            ),
            backup_image="mongo:7.0",
            description="MongoDB, from the official `mongo` image",
        ),
        DatabaseType(
            name="redis",
            image="redis:7.4",
            port=6379,
            data_directory="/data",
            args=(),
            default_variables=(),
            extra_environment=(),
            user_id=999,
            backup_command='redis-cli -h "$DATABASE_HOST" --rdb /dev/stdout',
            backup_image="redis:7.4",
            description="Redis, from the official `redis` image",
        ),
    )
}
