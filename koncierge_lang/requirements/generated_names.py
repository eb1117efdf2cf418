"""The names of the objects the compiler generates, derived from the names a `.kon` file declares.

Stage 1 (`koncierge_lang/architecture/`) and stage 2 (`koncierge_lang/kubernetes/`) name what they
generate with these functions, and the checker reserves the same names (KON105 in
`requirements/checker/names.py`): a component called `db-backup` beside a database `db` would
otherwise share the backup's ServiceAccount and NetworkPolicy without a word. Keeping every
derived name here is what lets the two agree; a new generated object whose name comes from a
declared one belongs here, with its reservation in the checker.

All functions take and return Kubernetes names (`model.kubernetes_name`), except where a
parameter says it is a name as declared.
"""

from __future__ import annotations

import re
from functools import lru_cache

from koncierge_lang.requirements.model import kubernetes_name

NAMESPACE_LIMIT = 63
"""A Namespace's name is a DNS label."""

DEFAULT_DENY_POLICY = "default-deny"
"""The NetworkPolicy that denies all traffic in an environment's namespace."""

ALLOW_DNS_POLICY = "allow-dns"
"""The NetworkPolicy that lets every pod of the namespace reach the cluster's DNS."""

ENVIRONMENT_POLICIES = (DEFAULT_DENY_POLICY, ALLOW_DNS_POLICY)
"""The NetworkPolicies of a whole environment; every workload has one named after it as well."""

HOST_PATH_STORAGE_CLASS = "koncierge-host-path"
"""The StorageClass of volumes on the node's disk (`[storage] provisioner = "host-path"`)."""

SCRATCH_VOLUME_PREFIX = "scratch-"
"""How the scratch volumes of the paths a hardened workload writes are named (`scratch_volume_name`)."""

SECRET_FILES_VOLUME = "secret-files"
"""The volume of a pod from which its secrets are handed over as files; each storage a pod mounts
is a volume named after the storage."""


def namespace_name(application: str, environment_as_declared: str) -> str:
    """One namespace per application and environment: `todo-prod`. A DNS label, so at most 63
    characters; the application part is shortened if both together are longer."""
    environment_part = kubernetes_name(environment_as_declared)
    application_part = application[: NAMESPACE_LIMIT - 1 - len(environment_part)].rstrip("-")
    return f"{application_part}-{environment_part}"


def configuration_set_name(workload: str) -> str:
    """The ConfigMap of a workload's configuration."""
    return f"{workload}-config"


def secret_set_name(workload: str) -> str:
    """The Secret of a workload's secrets."""
    return f"{workload}-secrets"


def backup_name(database: str) -> str:
    """The implied backup of a database (its CronJob, ServiceAccount and NetworkPolicy), in
    environments that keep backups."""
    return f"{database}-backup"


def backup_claim_name(database: str) -> str:
    """The PersistentVolumeClaim a database's backups are written to."""
    return f"{database}-backups"


def public_service_name(workload: str) -> str:
    """The LoadBalancer Service of the ports a component exposes (`expose grpc`): `<component>-public`,
    beside its own Service, which stays inside the cluster."""
    return f"{workload}-public"


def inline_storage_name(component_as_declared: str, index: int) -> str:
    """The name, as declared, of the `index`-th storage a component declares for itself
    (`storage 1Gi at "/data"`): `<component>-data`, then `<component>-data-2`, ..."""
    return f"{component_as_declared}-{'data' if index == 1 else f'data-{index}'}"


def persistent_volume_name(namespace: str, claim: str) -> str:
    """The PersistentVolume of a claim with host-path storage. Persistent volumes are not in a
    namespace, so the name holds the namespace's."""
    return f"{namespace}-{claim}"


def issuer_name(application: str) -> str:
    """The cert-manager Issuer of an HTTPS environment."""
    return f"{application}-acme"


def issuer_account_secret_name(application: str) -> str:
    """The Secret in which cert-manager keeps the ACME account's key."""
    return f"{application}-acme-account"


def tls_secret_name(application: str) -> str:
    """The Secret in which cert-manager keeps the routes' certificate."""
    return f"{application}-tls"


def unnamed_port_name(number: int, protocol: str) -> str:
    """The name of a port declared without one (`tcp-8080`): Services route to ports by name."""
    return f"{protocol.lower()}-{number}"


# Cached: every hardened workload has `/tmp`, and each name is needed for its mount and its volume.
@lru_cache(maxsize=1024)
def scratch_volume_name(path: str) -> str:
    """The scratch (`emptyDir`) volume of a path a hardened workload writes: `/var/cache` is
    `scratch-var-cache`, shortened to 63 characters."""
    return (SCRATCH_VOLUME_PREFIX + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-"))[:63].rstrip("-")


CONTENTS_COPY_SUFFIX = "-contents"
"""How the init container that copies an image's files into a container's scratch space
(`writes "/p" keeping contents`) is named after the container: the checker reserves the suffix
for container names."""

CONTENTS_COPY_DIRECTORY = "/koncierge-contents"
"""Where that init container mounts the scratch volumes it fills, one directory per volume."""


def contents_copy_container_name(container: str) -> str:
    """The init container that fills `container`'s scratch space with its image's files: a DNS
    label, so the container's part is shortened to fit 63 characters."""
    return container[: 63 - len(CONTENTS_COPY_SUFFIX)].rstrip("-") + CONTENTS_COPY_SUFFIX


PASSWORDS_CLAIM = "generated-passwords"
"""The `volume` secrets strategy's PersistentVolumeClaim of an environment's generated passwords,
and the volume of each pod that mounts it (docs/secrets.md)."""

PASSWORDS_INIT_CONTAINER = "generated-passwords"
"""The init container that creates the missing passwords on that volume before a pod starts."""


def cluster_password_secret_name(name_as_declared: str) -> str:
    """The Secret (and its ExternalSecret) of one password the `external-secrets` strategy makes in
    the cluster: `password.db-password`, `password.database.mysql-root-password` for the secret
    `database/MYSQL_ROOT_PASSWORD` written in place. The dot keeps it apart from every name made of
    a declared name alone (those are DNS labels)."""
    return "password." + ".".join(kubernetes_name(segment) or "x" for segment in name_as_declared.split("/"))


def password_generator_name(length: int) -> str:
    """The external-secrets `Password` generator of the passwords of one length."""
    return f"password-{length}"
