"""Known database types and their defaults: image, port, data directory, credentials, backup tool.

A user's explicit setting always wins over these. The default images are supported versions; what
depends on the version (the server's arguments, the backup tool) is chosen by the version the
image runs, read from an official image's tag, and works with every version when the image does
not say (`weaveworksdemos/user-db:0.3.0`). Backups run in the database's own image, so that the
dump tool matches the server. `authentication off` leaves the credential variables out and sets
what the image needs instead. The UIDs are the ones the official images run their server as.
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.requirements.image_versions import official_version


@dataclass(frozen=True, slots=True)
class DatabaseType:
    name: str
    # The default image, a supported version; `repository` is the official image's name, whose
    # tags tell the version (`image_versions.py`).
    image: str
    repository: str
    port: int
    data_directory: str
    # Variables set when the user does not set them: name -> ("generated", "") for a generated
    # password, or ("text", value) for a constant.
    default_variables: tuple[tuple[str, str, str], ...]
    extra_environment: tuple[tuple[str, str], ...]
    user_id: int
    description: str
    # The variables that make the database ask its clients for credentials, and what is set
    # instead with `authentication off`.
    credential_variables: frozenset[str] = frozenset()
    without_authentication: tuple[tuple[str, str], ...] = ()
    # (version, the first day it is no longer supported), by version: a version at or below an
    # entry's version (compared on as many numbers as the entry has) ended on that day.
    end_of_life: tuple[tuple[tuple[int, ...], str], ...] = ()
    # Whether environments that keep backups dump it: a message broker holds messages in flight,
    # not data to restore.
    backed_up: bool = True
    # What `authentication off` leaves, in the words of the warning (KON319).
    without_authentication_means: str = "asks for no credentials"


# The day the end-of-life dates below were last compared with the projects' published support
# policies; a version whose support ended before it is reported (KON318). A fixed day, so that the
# same file gets the same diagnostics on any day: the table is reviewed with each release.
END_OF_LIFE_REVIEWED = "2026-12-01"

DATABASE_TYPES: dict[str, DatabaseType] = {
    database.name: database
    for database in (
        DatabaseType(
            name="mysql",
            image="mysql:8.4",
            repository="mysql",
            port=3306,
            data_directory="/var/lib/mysql",
            default_variables=(("MYSQL_ROOT_PASSWORD", "generated", ""),),
            extra_environment=(),
            user_id=999,
            description="MySQL, from the official `mysql` image",
            credential_variables=frozenset({"MYSQL_ROOT_PASSWORD"}),
            without_authentication=(("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"),),
            # https://www.mysql.com/support/eol-notice.html and the 8.0 notice (April 2026).
            end_of_life=(((5, 5), "2018-12-31"), ((5, 6), "2021-02-28"), ((5, 7), "2023-10-31"), ((8, 0), "2026-04-30")),
        ),
        DatabaseType(
            name="mariadb",
            image="mariadb:11.4",
            repository="mariadb",
            port=3306,
            data_directory="/var/lib/mysql",
            default_variables=(("MARIADB_ROOT_PASSWORD", "generated", ""),),
            extra_environment=(),
            user_id=999,
            description="MariaDB, from the official `mariadb` image",
            credential_variables=frozenset({"MARIADB_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD"}),
            without_authentication=(("MARIADB_ALLOW_EMPTY_ROOT_PASSWORD", "1"),),
            # https://mariadb.org/about/#maintenance-policy: the long-term releases 10.6, 10.11 and
            # 11.4; the short-term releases between them have all ended.
            end_of_life=(
                ((10, 4), "2024-06-18"), ((10, 5), "2025-06-24"), ((10, 6), "2026-07-06"), ((10, 10), "2023-11-17"),
                ((10, 11), "2028-02-16"), ((11, 3), "2025-05-29"), ((11, 4), "2029-05-29"),
            ),
        ),
        DatabaseType(
            name="postgres",
            image="postgres:17.6",
            repository="postgres",
            port=5432,
            data_directory="/var/lib/postgresql/data",
            default_variables=(("POSTGRES_PASSWORD", "generated", ""), ("POSTGRES_USER", "text", "postgres")),
            extra_environment=(("PGDATA", "/var/lib/postgresql/data/pgdata"),),
            user_id=999,
            description="PostgreSQL, from the official `postgres` image",
            credential_variables=frozenset({"POSTGRES_PASSWORD"}),
            without_authentication=(("POSTGRES_HOST_AUTH_METHOD", "trust"),),
            # https://www.postgresql.org/support/versioning/
            end_of_life=(
                ((11,), "2023-11-09"), ((12,), "2024-11-21"), ((13,), "2025-11-13"), ((14,), "2026-11-12"),
                ((15,), "2027-11-11"), ((16,), "2028-11-09"), ((17,), "2029-11-08"),
            ),
        ),
        DatabaseType(
            name="mongodb",
            image="mongo:8.0",
            repository="mongo",
            port=27017,
            data_directory="/data/db",
            default_variables=(
                ("MONGO_INITDB_ROOT_USERNAME", "text", "root"),
                ("MONGO_INITDB_ROOT_PASSWORD", "generated", ""),
            ),
            extra_environment=(),
            user_id=999,
            description="MongoDB, from the official `mongo` image",
            credential_variables=frozenset({"MONGO_INITDB_ROOT_USERNAME", "MONGO_INITDB_ROOT_PASSWORD"}),
            # https://www.mongodb.com/legal/support-policy/lifecycles
            end_of_life=(
                ((4, 2), "2023-04-30"), ((4, 4), "2024-02-29"), ((5, 0), "2024-10-31"), ((6, 0), "2025-07-31"),
                ((7, 0), "2027-08-31"), ((8, 0), "2029-10-31"),
            ),
        ),
        DatabaseType(
            name="rabbitmq",
            image="rabbitmq:4.1-management",
            repository="rabbitmq",
            port=5672,
            data_directory="/var/lib/rabbitmq",
            default_variables=(
                ("RABBITMQ_DEFAULT_USER", "text", "koncierge"),
                ("RABBITMQ_DEFAULT_PASS", "generated", ""),
            ),
            extra_environment=(),
            user_id=999,
            description="RabbitMQ, the message broker, from the official `rabbitmq` image",
            credential_variables=frozenset({"RABBITMQ_DEFAULT_USER", "RABBITMQ_DEFAULT_PASS"}),
            # Without them the image keeps its `guest` user, which it lets connect from anywhere.
            backed_up=False,
            without_authentication_means="lets anyone in with the image's well-known `guest` login",
        ),
        DatabaseType(
            name="redis",
            image="redis:7.4",
            repository="redis",
            port=6379,
            data_directory="/data",
            default_variables=(),
            extra_environment=(),
            user_id=999,
            description="Redis, from the official `redis` image",
            # https://redis.io/about/releases/: 6.0 and older are no longer maintained.
            end_of_life=(((6, 0), "2023-08-01"),),
        ),
    )
}


def database_version(database_type: DatabaseType, image: str) -> tuple[int, ...] | None:
    """The version `image` runs, when it is the type's official image with a numbered tag."""
    return official_version(image, database_type.repository)


def end_of_life(database_type: DatabaseType, version: tuple[int, ...]) -> str | None:
    """The day support of `version` ended, if it ended before `END_OF_LIFE_REVIEWED`."""
    for listed, day in sorted(database_type.end_of_life):
        if version[: len(listed)] <= listed:
            return day if day < END_OF_LIFE_REVIEWED else None
    return None


def database_arguments(database_type: DatabaseType, version: tuple[int, ...] | None) -> tuple[str, ...]:
    """The server's arguments. MySQL refuses to initialise a data directory that holds anything,
    and a new volume often holds `lost+found`: 5.x ignores it by option, 8 and later keep their
    data in a directory of their own on the volume. An image whose version is not known gets none:
    it is started as its author built it."""
    if database_type.name != "mysql" or version is None:
        return ()
    if version < (8,):
        return ("--ignore-db-dir=lost+found",)
    return (f"--datadir={database_type.data_directory}/data",)


def backup_command(database_type: DatabaseType, version: tuple[int, ...] | None, authentication: bool) -> str:
    """The shell command that writes a dump of the whole database to its standard output, run in
    the database's own image (so that the dump tool and the server have the same version)."""
    name = database_type.name
    if name == "mysql":
        password = ' --password="$MYSQL_ROOT_PASSWORD"' if authentication else ""
        return f'mysqldump --host="$DATABASE_HOST" --user=root{password} --all-databases --single-transaction'
    if name == "mariadb":
        if version is None:
            tool = '"$(command -v mariadb-dump || command -v mysqldump)"'
        else:
            tool = "mariadb-dump" if version >= (10, 5) else "mysqldump"
        password = ' --password="$MARIADB_ROOT_PASSWORD"' if authentication else ""
        return f'{tool} --host="$DATABASE_HOST" --user=root{password} --all-databases --single-transaction'
    if name == "postgres":
        password = 'PGPASSWORD="$POSTGRES_PASSWORD" ' if authentication else ""
        return f'{password}pg_dumpall --host="$DATABASE_HOST" --username="$POSTGRES_USER"'
    if name == "mongodb":
        credentials = (
            ' --username="$MONGO_INITDB_ROOT_USERNAME" --password="$MONGO_INITDB_ROOT_PASSWORD"' if authentication else ""
        )
        return f'mongodump --host="$DATABASE_HOST"{credentials} --archive'
    return 'redis-cli -h "$DATABASE_HOST" --rdb /dev/stdout'
