"""The last step of stage 1: an environment's secrets as its secrets strategy keeps them.

`apply_secrets_strategy(architecture, settings)` records the strategy on the architecture and, for
the two strategies under which the cluster makes the generated passwords
(docs/secrets.md):

- `external-secrets`: every secret input gets the key it is read from in the store; each generated
  password that is a variable's whole value leaves its secret set and becomes a `ClusterPassword`
  with a Secret of its own, which every variable that uses it reads (`Variable.secret_key`), so
  that every workload gets the same value. A generated password inside composed text cannot be
  made so (KON330, `secret_strategies.py`) and is left as it is.
- `volume`: each generated password that is a variable's whole value leaves its secret set and is
  read as a file (`ValueSource.PASSWORD_FILE`) from the environment's password volume, which an
  init container of each workload that uses one fills on first start. Secrets with a value in the
  file stay in their Secret. A generated password the program would receive as a plain variable
  or inside composed text is KON331; the architecture still hands it over as a file.

Pure: a function of the finished architecture and the settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from koncierge_lang.architecture.model import (
    Claim,
    ClusterPassword,
    Container,
    EnvironmentArchitecture,
    Hardening,
    PasswordVolume,
    Resources,
    SecretInput,
    SecretItem,
    SecretSet,
    SecretsStrategy,
    ValueSource,
    Variable,
    Volume,
    VolumeMount,
    Workload,
)
from koncierge_lang.requirements.generated_names import (
    PASSWORDS_CLAIM,
    PASSWORDS_INIT_CONTAINER,
    cluster_password_secret_name,
)
from koncierge_lang.security.databases import SECRET_FILES_DIRECTORY
from koncierge_lang.security.password_volume import (
    PASSWORDS_CLAIM_SIZE,
    PASSWORDS_DIRECTORY,
    PASSWORDS_IMAGE,
    PASSWORDS_INIT_DIRECTORY,
    password_creation_script,
)
from koncierge_lang.settings import Settings, secret_store_key

# The key of the one password in each Secret the `external-secrets` strategy makes.
CLUSTER_PASSWORD_KEY = "password"
# What the init container may use: it runs for a moment and writes a few bytes.
_INIT_RESOURCES = Resources("10m", "16Mi", "100m", "32Mi")


def password_key(name: str) -> str:
    """A secret's name (`SecretInput.name`) as a Secret's key and a file name: `db_password`,
    `database.MYSQL_ROOT_PASSWORD`."""
    return re.sub(r"[^-._a-zA-Z0-9]", "-", name.replace("/", "."))


def single_generated(item: SecretItem) -> SecretInput | None:
    """The generated password that is the item's whole value, if it is one."""
    if len(item.parts) == 1 and isinstance(item.parts[0], SecretInput) and item.parts[0].origin == "generated":
        return item.parts[0]
    return None


def secrets_strategy(environment: str, settings: Settings) -> SecretsStrategy:
    name = settings.secrets_strategy_of(environment)
    if name != "external-secrets":
        return SecretsStrategy(name)
    return SecretsStrategy(
        name,
        settings.external_secrets_store,
        settings.external_secrets_store_kind,
        settings.external_secrets_key_pattern,
        settings.external_secrets_refresh_interval,
    )


def apply_secrets_strategy(architecture: EnvironmentArchitecture, settings: Settings) -> EnvironmentArchitecture:
    strategy = secrets_strategy(architecture.environment, settings)
    if strategy.name == "external-secrets":
        return _external_secrets(replace(architecture, secrets=strategy))
    if strategy.name == "volume":
        return _volume(replace(architecture, secrets=strategy))
    return replace(architecture, secrets=strategy)


@dataclass(slots=True)
class _Passwords:
    """The generated passwords taken out of the secret sets, by key."""

    # (set name, item key) -> the password's key.
    moved: dict[tuple[str, str], str] = field(default_factory=dict)
    inputs: dict[str, SecretInput] = field(default_factory=dict)
    users: dict[str, set[str]] = field(default_factory=dict)


def _take_generated(
    architecture: EnvironmentArchitecture, keep: Callable[[SecretItem], SecretItem]
) -> tuple[tuple[SecretSet, ...], _Passwords]:
    """The secret sets without the items that are one generated password each, and those passwords."""
    passwords = _Passwords()
    secret_sets: list[SecretSet] = []
    for secret_set in architecture.secret_sets:
        items: list[SecretItem] = []
        for item in secret_set.items:
            generated = single_generated(item)
            if generated is None:
                items.append(keep(item))
                continue
            key = password_key(generated.name)
            passwords.moved[(secret_set.name, item.key)] = key
            passwords.inputs.setdefault(key, generated)
        if items:
            secret_sets.append(replace(secret_set, items=tuple(items)))
    return tuple(secret_sets), passwords


def _external_secrets(architecture: EnvironmentArchitecture) -> EnvironmentArchitecture:
    strategy = architecture.secrets

    def with_store_keys(item: SecretItem) -> SecretItem:
        parts = tuple(
            replace(
                part,
                store_key=part.text
                if part.origin == "store"
                else secret_store_key(
                    strategy.key_pattern, architecture.application, architecture.environment, part.name
                ),
            )
            if isinstance(part, SecretInput) and part.origin != "generated"
            else part
            for part in item.parts
        )
        return SecretItem(item.key, parts)

    secret_sets, passwords = _take_generated(architecture, with_store_keys)

    def redirect(workload: Workload, variable: Variable) -> Variable:
        key = passwords.moved.get((variable.set_name, variable.key))
        if key is None or variable.source is not ValueSource.SECRET:
            return variable
        passwords.users.setdefault(key, set()).add(workload.name)
        return replace(
            variable,
            set_name=cluster_password_secret_name(passwords.inputs[key].name),
            secret_key=CLUSTER_PASSWORD_KEY,
        )

    workloads = tuple(
        replace(
            workload,
            variables=tuple(redirect(workload, variable) for variable in workload.variables),
            containers=tuple(
                replace(container, variables=tuple(redirect(workload, variable) for variable in container.variables))
                for container in workload.containers
            ),
        )
        for workload in architecture.workloads
    )
    return replace(
        architecture,
        workloads=workloads,
        secret_sets=secret_sets,
        cluster_passwords=_cluster_passwords(passwords, in_secrets=True),
    )


def _cluster_passwords(passwords: _Passwords, in_secrets: bool) -> tuple[ClusterPassword, ...]:
    return tuple(
        ClusterPassword(
            name=passwords.inputs[key].name,
            key=key,
            object_name=cluster_password_secret_name(passwords.inputs[key].name) if in_secrets else "",
            length=passwords.inputs[key].length,
            used_by=tuple(sorted(passwords.users.get(key, set()))),
        )
        for key in sorted(passwords.inputs)
    )


def _volume(architecture: EnvironmentArchitecture) -> EnvironmentArchitecture:
    secret_sets, passwords = _take_generated(architecture, lambda item: item)
    if not passwords.moved:
        return replace(architecture, secret_sets=secret_sets)
    volume = PasswordVolume(
        claim=PASSWORDS_CLAIM,
        image=PASSWORDS_IMAGE,
        init_container=PASSWORDS_INIT_CONTAINER,
        init_directory=PASSWORDS_INIT_DIRECTORY,
        directory=PASSWORDS_DIRECTORY,
    )
    workloads = tuple(_workload_reading_files(workload, passwords) for workload in architecture.workloads)
    users = [
        workload
        for workload in workloads
        if workload.name in {user for found in passwords.users.values() for user in found}
    ]
    # Pods on several nodes need a volume that several nodes mount at once.
    several = len(users) > 1 or any(workload.replicas > 1 or workload.autoscale is not None for workload in users)
    claim = Claim(
        PASSWORDS_CLAIM,
        "",
        PASSWORDS_CLAIM_SIZE,
        "read-write-many" if several else "read-write-once",
        None,
        implied=True,
    )
    return replace(
        architecture,
        workloads=workloads,
        secret_sets=secret_sets,
        claims=(*architecture.claims, claim),
        cluster_passwords=_cluster_passwords(passwords, in_secrets=False),
        password_volume=volume,
    )


def _workload_reading_files(workload: Workload, passwords: _Passwords) -> Workload:
    """The workload with its generated passwords read from the password volume, and the init
    container that creates them; unchanged where it uses none."""
    needed: dict[str, int] = {}

    def as_file(variable: Variable) -> Variable:
        key = passwords.moved.get((variable.set_name, variable.key))
        if key is None or variable.source is not ValueSource.SECRET:
            return variable
        passwords.users.setdefault(key, set()).add(workload.name)
        needed[key] = passwords.inputs[key].length
        return replace(variable, source=ValueSource.PASSWORD_FILE, set_name=PASSWORDS_CLAIM, key=key)

    variables = tuple(as_file(variable) for variable in workload.variables)
    containers = tuple(
        replace(
            container,
            variables=(container_variables := tuple(as_file(variable) for variable in container.variables)),
            secret_files=_with_password_files(container.secret_files, container_variables),
        )
        for container in workload.containers
    )
    if not needed:
        return workload
    secret_files = _with_password_files(workload.secret_files, variables)
    command = workload.command
    if workload.role == "backup" and len(command) == 3:
        # A backup's script reads its secrets itself (where hardened, from the secret files).
        script = command[2]
        for variable in variables:
            if variable.source is ValueSource.PASSWORD_FILE:
                hardened_read = f'{variable.name}="$(cat {SECRET_FILES_DIRECTORY}/{variable.name})"\n'
                read = f'{variable.name}="$(cat {PASSWORDS_DIRECTORY}/{variable.key})"\n'
                if hardened_read in script:
                    script = script.replace(hardened_read, read)
                else:
                    script = script.replace("set -eu\n", "set -eu\n" + read, 1)
        command = (command[0], command[1], script)
    hardening = workload.hardening
    init = Container(
        name=PASSWORDS_INIT_CONTAINER,
        kind="init",
        image=PASSWORDS_IMAGE,
        command=("/bin/sh", "-c", password_creation_script(tuple(sorted(needed.items())))),
        mounts=(VolumeMount(PASSWORDS_CLAIM, PASSWORDS_INIT_DIRECTORY, False),),
        # As the pod's user where hardened (the pod's fsGroup makes the volume writable); elsewhere
        # as root, which owns a new volume, but without any capability or privilege either way.
        hardening=Hardening(hardening.run_as_user, hardening.run_as_group)
        if hardening is not None
        else Hardening(0, 0),
        resources=_INIT_RESOURCES,
        image_pull_policy=workload.image_pull_policy,
        implied=True,
        implied_reason=f"`{workload.name}` reads generated passwords from the volume `{PASSWORDS_CLAIM}`",
    )
    return replace(
        workload,
        command=command,
        variables=variables,
        secret_files=secret_files,
        containers=(init, *containers),
        volumes=(*workload.volumes, Volume(PASSWORDS_CLAIM, PASSWORDS_CLAIM, PASSWORDS_CLAIM_SIZE)),
    )


def _with_password_files(secret_files: tuple[str, ...], variables: tuple[Variable, ...]) -> tuple[str, ...]:
    """A password from the volume is always a file."""
    return tuple(
        dict.fromkeys(
            (*secret_files, *(variable.name for variable in variables if variable.source is ValueSource.PASSWORD_FILE))
        )
    )
