"""Platform settings: how the generated Kubernetes fits the cluster it is applied to.

A platform team sets them once in an optional `koncierge.toml` beside the `.kon` file; without
the file every setting has the ancestor's default. The file is strict: an unknown table or key, or
a value of the wrong type, is a diagnostic with its file, line and column (codes KON320..KON322),
never a silently ignored typo.

Every key is documented in `docs/compiler.md` ("Settings reference"); `SETTINGS_KEYS` below is the
one list of them, and a test checks that the documentation names each one.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.diagnostics.model import make_diagnostic
from koncierge_lang.inputs import read_input
from koncierge_lang.naming import QUANTITY, is_dns_label, is_dns_subdomain
from koncierge_lang.source import SourceText, Span

SETTINGS_FILE_NAME = "koncierge.toml"
LETS_ENCRYPT_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory"
LETS_ENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory"
ANCESTOR_ACME_EMAIL = "acme.administrator@example.com"


PROFILES = ("performance", "budget")
SECRETS_STRATEGIES = ("plain", "sops", "external-secrets", "volume")
KEY_PATTERN_FIELDS = ("application", "environment", "name")
DEFAULT_CLUSTER = "default"


@dataclass(frozen=True, slots=True)
class EnvironmentSettings:
    """Where one environment is placed (`[environments.NAME]`, NAME as declared in the `.kon` file).

    An empty `namespace` or `profile` was not set: the namespace is then `<application>-<environment>`
    and the profile follows the environment's kind (`resolved_profile`)."""

    name: str
    cluster: str = DEFAULT_CLUSTER
    namespace: str = ""
    profile: str = ""
    # Empty: `[secrets] strategy`.
    secrets: str = ""


@dataclass(frozen=True, slots=True)
class ProfileSettings:
    """What a profile (`[profiles.performance]`, `[profiles.budget]`) decides for an environment.

    Replicas, the disruption budget, spreading and autoscaling are for the components that may run
    as several interchangeable copies: never a database, a component with storage of its own, or
    one declared `single instance`. The defaults reproduce what the environment kinds decided
    before profiles existed (two replicas in performance, one in budget), and add Guaranteed QoS
    for the databases of performance environments and fewer kept backups in budget ones.

    `autoscale_max` 0 means no autoscaling; `autoscale_min` 0 means the profile's `replicas`.
    `backup_schedule` "" and `backup_retention` 0 mean `[backups]`; an empty request or limit means
    `[resources]`, else the environment's built-in default."""

    name: str
    replicas: int = 1
    disruption_budget: bool = False
    spread_across_nodes: bool = False
    spread_across_zones: bool = False
    autoscale_min: int = 0
    autoscale_max: int = 0
    autoscale_cpu: int = 80
    backup_schedule: str = ""
    backup_retention: int = 0
    cpu_request: str = ""
    memory_request: str = ""
    cpu_limit: str = ""
    memory_limit: str = ""
    # Every container of a database's pod gets limits equal to its requests: Guaranteed QoS, the
    # last class the kubelet evicts under node pressure, and a whole CPU share that is never lent.
    guaranteed_databases: bool = False


# Budget keeps three dumps rather than `[backups] retention` (7 by default): budget environments
# can be rebuilt from production's data, so a few days of history is enough there.
BUDGET_BACKUP_RETENTION = 3
DEFAULT_PROFILES = (
    ProfileSettings("performance", replicas=2, guaranteed_databases=True),
    ProfileSettings("budget", backup_retention=BUDGET_BACKUP_RETENTION),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """The platform settings, with the ancestor's defaults."""

    # [ingress]
    ingress_class: str = "contour"
    force_ssl_redirect: bool = False
    # [certificates]
    # Staging certificates are not trusted by browsers, and Let's Encrypt refuses `example.com`
    # contacts: both defaults are the ancestor's, kept for parity, and building an HTTPS environment
    # with them is warning KON323 until the platform team sets its own.
    acme_server: str = LETS_ENCRYPT_STAGING
    acme_email: str = ANCESTOR_ACME_EMAIL
    # [storage]
    storage_provisioner: str = "dynamic"
    storage_class: str = ""
    host_path_directory: str = "/data/k8s-storage"
    # [backups]
    backup_schedule: str = "0 3 * * *"
    backup_retention: int = 7
    backup_size: str = ""
    # [network]
    network_policies: bool = True
    # Where the ingress controller's proxies run: only they may open connections to routed ports.
    # Contour's quick-start runs its Envoy proxies in `projectcontour` with the label `app=envoy`.
    ingress_controller_namespace: str = "projectcontour"
    ingress_controller_labels: str = "app=envoy"
    dns_namespace: str = "kube-system"
    dns_labels: str = "k8s-app=kube-dns"
    # [security]
    # "strict": harden workloads in environments with strict security (INT, ACC, PERF, PROD);
    # "all": in every environment; "none": never.
    hardening: str = "strict"
    run_as_user: int = 10001
    # Empty: `Always` in hardened environments (a re-pushed tag is never served stale from a
    # node's cache), `IfNotPresent` elsewhere (images built into a local cluster keep working).
    image_pull_policy: str = ""
    # [resources]  Empty: the defaults of the environment (docs/security.md).
    cpu_request: str = ""
    memory_request: str = ""
    cpu_limit: str = ""
    memory_limit: str = ""
    # [delivery]  How `koncierge build` lays out its output folder (`--layout` wins), and for the
    # flux and argocd layouts the Git repository the folder is committed to, its branch and the
    # folder's path inside it.
    delivery_layout: str = "files"
    delivery_repository: str = ""
    delivery_branch: str = "main"
    delivery_path: str = ""
    # "in-order": environments are rolled out in the promotion order (`after`): Flux waits with
    # `dependsOn`, Argo CD syncs an ApplicationSet's RollingSync steps; "together": all at once.
    delivery_rollout: str = "in-order"
    delivery_prune: bool = True
    delivery_self_heal: bool = True
    delivery_auto_sync: bool = True
    # Flux Kustomizations in `flux-system` that install what the output needs (cert-manager, the
    # ingress controller), comma-separated: every environment's Kustomization waits for them.
    delivery_depends_on: str = ""
    # A Secret in `flux-system` with the credentials Flux reads a private repository with.
    delivery_credentials: str = ""
    # [secrets]  Where secret values live (docs/secrets.md): `plain` Secret objects; `sops`
    # Secret objects encrypted for `[secrets.sops]`'s recipients; `external-secrets` ExternalSecret
    # objects that read a store; `volume` generated in the cluster onto a persistent volume.
    secrets_strategy: str = "plain"
    # The flux and argocd layouts refuse plain secret values (they would be committed to Git)
    # unless this says the team accepts it.
    secrets_allow_plain_in_git: bool = False
    # [secrets.sops]
    sops_age_recipients: tuple[str, ...] = ()
    sops_pgp_fingerprints: tuple[str, ...] = ()
    # [secrets.external-secrets]
    external_secrets_store: str = ""
    external_secrets_store_kind: str = "ClusterSecretStore"
    external_secrets_key_pattern: str = "{application}/{environment}/{name}"
    external_secrets_refresh_interval: str = "1h"
    # [environments.NAME], in the file's order.
    environments: tuple[EnvironmentSettings, ...] = field(default=())
    # [profiles.performance], [profiles.budget]: both always present, with their defaults.
    profiles: tuple[ProfileSettings, ...] = field(default=DEFAULT_PROFILES)

    def profile(self, name: str) -> ProfileSettings:
        """The knobs of profile `name` (`performance` or `budget`)."""
        return next(entry for entry in self.profiles if entry.name == name)

    def environment(self, name: str) -> EnvironmentSettings:
        """The placement of the environment declared as `name`: its table, or the defaults."""
        return next((entry for entry in self.environments if entry.name == name), EnvironmentSettings(name))

    def secrets_strategy_of(self, environment: str) -> str:
        """How the environment declared as `environment` keeps its secrets: its own `secrets`
        setting, else `[secrets] strategy`."""
        return self.environment(environment).secrets or self.secrets_strategy


def resolved_profile(placement: EnvironmentSettings, performance_optimised: bool) -> str:
    """The profile an environment is built with: its setting, else `performance` for the kinds that
    are performance-optimised (PERF, PROD) and `budget` for the others."""
    return placement.profile or ("performance" if performance_optimised else "budget")


# (table, key) -> (Settings field, expected Python type, allowed values or None).
SETTINGS_KEYS: dict[tuple[str, str], tuple[str, type, tuple[str, ...] | None]] = {
    ("ingress", "class"): ("ingress_class", str, None),
    ("ingress", "force_ssl_redirect"): ("force_ssl_redirect", bool, None),
    ("certificates", "acme_server"): ("acme_server", str, None),
    ("certificates", "acme_email"): ("acme_email", str, None),
    ("storage", "provisioner"): ("storage_provisioner", str, ("dynamic", "host-path")),
    ("storage", "class"): ("storage_class", str, None),
    ("storage", "host_path_directory"): ("host_path_directory", str, None),
    ("backups", "schedule"): ("backup_schedule", str, None),
    ("backups", "retention"): ("backup_retention", int, None),
    ("backups", "size"): ("backup_size", str, None),
    ("network", "policies"): ("network_policies", bool, None),
    ("network", "ingress_controller_namespace"): ("ingress_controller_namespace", str, None),
    ("network", "ingress_controller_labels"): ("ingress_controller_labels", str, None),
    ("network", "dns_namespace"): ("dns_namespace", str, None),
    ("network", "dns_labels"): ("dns_labels", str, None),
    ("security", "hardening"): ("hardening", str, ("strict", "all", "none")),
    ("security", "run_as_user"): ("run_as_user", int, None),
    ("security", "image_pull_policy"): ("image_pull_policy", str, ("", "Always", "IfNotPresent", "Never")),
    ("resources", "cpu_request"): ("cpu_request", str, None),
    ("resources", "memory_request"): ("memory_request", str, None),
    ("resources", "cpu_limit"): ("cpu_limit", str, None),
    ("resources", "memory_limit"): ("memory_limit", str, None),
    ("delivery", "layout"): ("delivery_layout", str, ("files", "kustomize", "flux", "argocd")),
    ("delivery", "repository"): ("delivery_repository", str, None),
    ("delivery", "branch"): ("delivery_branch", str, None),
    ("delivery", "path"): ("delivery_path", str, None),
    ("delivery", "rollout"): ("delivery_rollout", str, ("in-order", "together")),
    ("delivery", "prune"): ("delivery_prune", bool, None),
    ("delivery", "self_heal"): ("delivery_self_heal", bool, None),
    ("delivery", "auto_sync"): ("delivery_auto_sync", bool, None),
    ("delivery", "depends_on"): ("delivery_depends_on", str, None),
    ("delivery", "credentials"): ("delivery_credentials", str, None),
    ("secrets", "strategy"): ("secrets_strategy", str, SECRETS_STRATEGIES),
    ("secrets", "allow_plain_in_git"): ("secrets_allow_plain_in_git", bool, None),
    ("secrets.sops", "age_recipients"): ("sops_age_recipients", list, None),
    ("secrets.sops", "pgp_fingerprints"): ("sops_pgp_fingerprints", list, None),
    ("secrets.external-secrets", "store"): ("external_secrets_store", str, None),
    ("secrets.external-secrets", "store_kind"): (
        "external_secrets_store_kind",
        str,
        ("ClusterSecretStore", "SecretStore"),
    ),
    ("secrets.external-secrets", "key_pattern"): ("external_secrets_key_pattern", str, None),
    ("secrets.external-secrets", "refresh_interval"): ("external_secrets_refresh_interval", str, None),
}

ENVIRONMENTS_TABLE = "environments"
# key of [environments.NAME] -> (EnvironmentSettings field, allowed values or None); all strings.
ENVIRONMENT_KEYS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "cluster": ("cluster", None),
    "namespace": ("namespace", None),
    "profile": ("profile", PROFILES),
    "secrets": ("secrets", SECRETS_STRATEGIES),
}

PROFILES_TABLE = "profiles"
# key of [profiles.NAME] -> (ProfileSettings field, expected Python type).
PROFILE_KEYS: dict[str, tuple[str, type]] = {
    "replicas": ("replicas", int),
    "disruption_budget": ("disruption_budget", bool),
    "spread_across_nodes": ("spread_across_nodes", bool),
    "spread_across_zones": ("spread_across_zones", bool),
    "autoscale_min": ("autoscale_min", int),
    "autoscale_max": ("autoscale_max", int),
    "autoscale_cpu": ("autoscale_cpu", int),
    "backup_schedule": ("backup_schedule", str),
    "backup_retention": ("backup_retention", int),
    "cpu_request": ("cpu_request", str),
    "memory_request": ("memory_request", str),
    "cpu_limit": ("cpu_limit", str),
    "memory_limit": ("memory_limit", str),
    "guaranteed_databases": ("guaranteed_databases", bool),
}

_TABLES = tuple(sorted({table for table, _ in SETTINGS_KEYS} | {ENVIRONMENTS_TABLE, PROFILES_TABLE}))
# Tables written inside another (`[secrets.sops]` is the key `sops` of `[secrets]` to TOML).
_NESTED_TABLES = tuple(table for table in _TABLES if "." in table)
_AGE_RECIPIENT = re.compile(r"age1[02-9ac-hj-np-z]{58}")
_PGP_FINGERPRINT = re.compile(r"[0-9A-Fa-f]{40}")
_DURATION = re.compile(r"([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+")
_CPU = re.compile(r"[0-9]+(\.[0-9]+)?m?")
_LABEL_KEY = re.compile(r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")
_SCHEDULE = re.compile(r"(@(yearly|annually|monthly|weekly|daily|midnight|hourly))|(\S+\s+\S+\s+\S+\s+\S+\s+\S+)")

assert {name for name, _, _ in SETTINGS_KEYS.values()} | {"environments", "profiles"} == {item.name for item in fields(Settings)}


def parse_names(text: str) -> tuple[str, ...] | None:
    """`cert-manager, ingress` as a tuple of object names in the written order; None when one of
    them is not a valid Kubernetes object name."""
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    return names if all(is_dns_subdomain(name) for name in names) else None


def parse_labels(text: str) -> tuple[tuple[str, str], ...] | None:
    """`app=envoy,tier=edge` as sorted (key, value) pairs; None when it is not such a list."""
    pairs: dict[str, str] = {}
    for item in text.split(","):
        key, equals, value = item.strip().partition("=")
        if not equals or not _LABEL_KEY.fullmatch(key.strip()) or not _LABEL_VALUE.fullmatch(value.strip()):
            return None
        pairs[key.strip()] = value.strip()
    return tuple(sorted(pairs.items()))


@dataclass(frozen=True, slots=True)
class SettingsResult:
    settings: Settings
    diagnostics: tuple[Diagnostic, ...]
    # The settings file that was read, for rendering its diagnostics; None without one.
    source: SourceText | None


def settings_path_for(kon_path: Path) -> Path:
    return kon_path.parent / SETTINGS_FILE_NAME


def load_settings(kon_path: Path) -> SettingsResult:
    """The settings for a `.kon` file: from `koncierge.toml` beside it, or the defaults.

    The file is read as every input is (`koncierge_lang.inputs`); one that exists but cannot be
    read raises `InputProblem`, whose message is one line for the user."""
    path = settings_path_for(kon_path)
    if not os.path.lexists(path):
        return SettingsResult(Settings(), (), None)
    return parse_settings(read_input(str(path)).text, str(path))


def parse_settings(text: str, path: str = SETTINGS_FILE_NAME) -> SettingsResult:
    """Settings from the text of a `koncierge.toml`. Never raises on user input."""
    import tomllib  # Imported here: most builds have no settings file and should not pay for it.

    source = SourceText(text, path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, column = _error_position(str(error))
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", str(error))
        span = _point(source, line, column)
        return SettingsResult(
            Settings(), (_diagnostic("KON322", f"{path} is not valid TOML: {message}", span, path),), source
        )

    diagnostics: list[Diagnostic] = []
    values: dict[str, Any] = {}
    tables: list[tuple[str, Any]] = [(name, document[name]) for name in document]
    while tables:
        table_name, table = tables.pop(0)
        if table_name == ENVIRONMENTS_TABLE and isinstance(table, dict):
            values["environments"] = _environments(source, table, diagnostics, path)
            continue
        if table_name == PROFILES_TABLE and isinstance(table, dict):
            values["profiles"] = _profiles(source, table, diagnostics, path)
            continue
        if table_name not in _TABLES or table_name in _NESTED_TABLES and "." not in table_name or not isinstance(table, dict):
            span = _locate(source, None, table_name)
            top_level = [name for name in _TABLES if name not in _NESTED_TABLES]
            message = (
                f"`{table_name}` is not a settings table; the tables are {', '.join(f'[{name}]' for name in top_level)}"
                f", {', '.join(f'[{name}]' for name in _NESTED_TABLES)}, [environments.NAME] and [profiles.NAME]"
            )
            diagnostics.append(_diagnostic("KON320", message, span, path))
            continue
        for key in table:
            nested = f"{table_name}.{key}"
            if nested in _NESTED_TABLES and isinstance(table[key], dict):
                tables.insert(0, (nested, table[key]))
                continue
            entry = SETTINGS_KEYS.get((table_name, key))
            span = _locate(source, table_name, key)
            if entry is None:
                known = sorted(known_key for known_table, known_key in SETTINGS_KEYS if known_table == table_name)
                known += sorted(name.rpartition(".")[2] for name in _NESTED_TABLES if name.rpartition(".")[0] == table_name)
                message = f"`{key}` is not a setting of [{table_name}]{_did_you_mean(key, known)}; its settings are {', '.join(known)}"
                diagnostics.append(_diagnostic("KON320", message, span, path))
                continue
            field_name, expected_type, allowed = entry
            value = table[key]
            problem = _value_problem(field_name, value, expected_type, allowed)
            if problem:
                diagnostics.append(_diagnostic("KON321", f"[{table_name}] {key}: {problem}", span, path))
                continue
            values[field_name] = tuple(value) if isinstance(value, list) else value
    settings = Settings(**values)
    diagnostics.extend(_strategy_problems(source, settings, path))
    return SettingsResult(settings, tuple(diagnostics), source)


def _strategy_problems(source: SourceText, settings: Settings, path: str) -> list[Diagnostic]:
    """A secrets strategy chosen without the settings it needs: `sops` without a recipient,
    `external-secrets` without a store. Located at each place the strategy is chosen."""
    needs = {
        "sops": (
            not settings.sops_age_recipients and not settings.sops_pgp_fingerprints,
            "needs at least one recipient: `age_recipients` (or `pgp_fingerprints`) in [secrets.sops]",
        ),
        "external-secrets": (
            not settings.external_secrets_store,
            "needs the store to read from: `store` in [secrets.external-secrets]",
        ),
    }
    found: list[Diagnostic] = []
    choices = [("secrets", "strategy", settings.secrets_strategy)] + [
        (f"{ENVIRONMENTS_TABLE}.{entry.name}", "secrets", entry.secrets) for entry in settings.environments
    ]
    for table, key, strategy in choices:
        missing, message = needs.get(strategy, (False, ""))
        if missing:
            span = _locate(source, table, key)
            found.append(_diagnostic("KON321", f"[{table}] {key}: the {strategy} strategy {message}", span, path))
    return found




def _environments(
    source: SourceText, tables: dict[str, Any], diagnostics: list[Diagnostic], path: str
) -> tuple[EnvironmentSettings, ...]:
    """`[environments.NAME]` tables; whether NAME is declared is checked against the `.kon` file
    (KON326, `koncierge_lang.lowering`)."""
    found: list[EnvironmentSettings] = []
    for name, table in tables.items():
        table_path = f"{ENVIRONMENTS_TABLE}.{name}"
        if not isinstance(table, dict):
            message = f"`{table_path}` must be a table `[{table_path}]` of the keys {', '.join(ENVIRONMENT_KEYS)}"
            diagnostics.append(_diagnostic("KON320", message, _locate(source, ENVIRONMENTS_TABLE, name), path))
            continue
        values: dict[str, str] = {}
        for key, value in table.items():
            span = _locate(source, table_path, key)
            entry = ENVIRONMENT_KEYS.get(key)
            if entry is None:
                known = sorted(ENVIRONMENT_KEYS)
                message = f"`{key}` is not a setting of [{table_path}]{_did_you_mean(key, known)}; its settings are {', '.join(known)}"
                diagnostics.append(_diagnostic("KON320", message, span, path))
                continue
            field_name, allowed = entry
            problem = _value_problem(field_name, value, str, allowed)
            if not problem and field_name in ("cluster", "namespace") and not is_dns_label(str(value)):
                problem = f"`{value}` is not a {field_name} name (a DNS label: lower-case letters, digits and `-`)"
            if problem:
                diagnostics.append(_diagnostic("KON321", f"[{table_path}] {key}: {problem}", span, path))
                continue
            values[field_name] = value
        found.append(EnvironmentSettings(name, **values))
    return tuple(found)


def _profiles(
    source: SourceText, tables: dict[str, Any], diagnostics: list[Diagnostic], path: str
) -> tuple[ProfileSettings, ...]:
    """`[profiles.performance]` and `[profiles.budget]`, each over its defaults."""
    found = {profile.name: profile for profile in DEFAULT_PROFILES}
    for name, table in tables.items():
        table_path = f"{PROFILES_TABLE}.{name}"
        if name not in PROFILES or not isinstance(table, dict):
            message = (
                f"`{table_path}` is not a profile table{_did_you_mean(name, list(PROFILES))}; "
                f"the profiles are {', '.join(f'[{PROFILES_TABLE}.{known}]' for known in PROFILES)}"
            )
            diagnostics.append(_diagnostic("KON320", message, _locate(source, None, table_path), path))
            continue
        values: dict[str, Any] = {}
        for key, value in table.items():
            span = _locate(source, table_path, key)
            entry = PROFILE_KEYS.get(key)
            if entry is None:
                known = sorted(PROFILE_KEYS)
                message = f"`{key}` is not a setting of [{table_path}]{_did_you_mean(key, known)}; its settings are {', '.join(known)}"
                diagnostics.append(_diagnostic("KON320", message, span, path))
                continue
            field_name, expected_type = entry
            problem = _profile_value_problem(field_name, value, expected_type)
            if not problem and field_name in ("replicas", "autoscale_max", "autoscale_min") and not 0 <= value <= 1000:
                problem = "expected a number of replicas between 0 and 1000"
            if not problem and field_name == "replicas" and value < 1:
                problem = "run at least 1 replica"
            if not problem and field_name == "autoscale_cpu" and not 1 <= value <= 1000:
                problem = "expected a target CPU utilisation in percent of the request, between 1 and 1000"
            if problem:
                diagnostics.append(_diagnostic("KON321", f"[{table_path}] {key}: {problem}", span, path))
                continue
            values[field_name] = value
        profile = ProfileSettings(name, **{**_profile_values(found[name]), **values})
        if profile.autoscale_max and profile.autoscale_max < (profile.autoscale_min or profile.replicas):
            span = _locate(source, table_path, "autoscale_max")
            message = (
                f"[{table_path}] autoscale_max: {profile.autoscale_max} is fewer than the minimum of "
                f"{profile.autoscale_min or profile.replicas} replicas"
            )
            diagnostics.append(_diagnostic("KON321", message, span, path))
            profile = ProfileSettings(name, **{**_profile_values(profile), "autoscale_max": 0})
        found[name] = profile
    return tuple(found[name] for name in PROFILES)


def _profile_value_problem(field_name: str, value: object, expected_type: type) -> str:
    """What is wrong with a profile's value: checked as the `[backups]` and `[resources]` keys of
    the same name are, except that an unset schedule ("") or retention (0) means `[backups]`."""
    if field_name == "backup_schedule" and value == "":
        return ""
    if field_name == "backup_retention" and type(value) is int and value == 0:
        return ""
    problem = _value_problem(field_name, value, expected_type, None)
    if problem and field_name == "backup_retention" and type(value) is int:
        return f"{problem}, or 0 for the `[backups]` retention"
    return problem


def _profile_values(profile: ProfileSettings) -> dict[str, Any]:
    return {key: getattr(profile, key) for key, _ in PROFILE_KEYS.values()}


def _did_you_mean(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def environment_span(source: SourceText, name: str, key: str | None = None) -> Span:
    """Where `[environments.NAME]` (or its `key`) is in a settings file, for diagnostics that need
    the `.kon` file as well (KON326, KON327)."""
    if key is None:
        return _locate(source, None, f"{ENVIRONMENTS_TABLE}.{name}")
    return _locate(source, f"{ENVIRONMENTS_TABLE}.{name}", key)


def _value_problem(field_name: str, value: object, expected_type: type, allowed: tuple[str, ...] | None) -> str:
    # bool is a subclass of int, so check the exact type.
    if type(value) is not expected_type or isinstance(value, list) and not all(isinstance(item, str) for item in value):
        type_names = {str: "a string", bool: "true or false", int: "a whole number", list: "a list of strings"}
        return f"expected {type_names[expected_type]}, found `{value!r}`"
    items = [str(item) for item in value] if isinstance(value, list) else []
    if field_name == "sops_age_recipients" and (bad := [item for item in items if not _AGE_RECIPIENT.fullmatch(item)]):
        return f"`{bad[0]}` is not an age public key such as `age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p`"
    if field_name == "sops_pgp_fingerprints" and (bad := [item for item in items if not _PGP_FINGERPRINT.fullmatch(item)]):
        return f"`{bad[0]}` is not a PGP key fingerprint (40 hexadecimal digits)"
    if field_name == "external_secrets_store" and value and not is_dns_subdomain(str(value)):
        return f"`{value}` is not a SecretStore name (lower-case letters, digits, `-` and `.`)"
    if field_name == "external_secrets_key_pattern":
        return _key_pattern_problem(str(value))
    if field_name == "external_secrets_refresh_interval" and not _DURATION.fullmatch(str(value)):
        return f"`{value}` is not a duration such as `1h` or `15m`"
    if allowed is not None and value not in allowed:
        return f"expected one of {', '.join(repr(option) for option in allowed)}, found {value!r}"
    if field_name == "ingress_class" and not is_dns_subdomain(str(value)):
        return f"`{value}` is not a valid IngressClass name (lower-case letters, digits, `-` and `.`)"
    if field_name == "storage_class" and value and not is_dns_subdomain(str(value)):
        return f"`{value}` is not a valid StorageClass name (lower-case letters, digits, `-` and `.`)"
    if field_name == "acme_server" and not str(value).startswith("https://"):
        return "the ACME server must be an https:// URL"
    if field_name == "host_path_directory" and not str(value).startswith("/"):
        return "the host-path directory must be an absolute path"
    if field_name == "backup_retention" and not 1 <= int(str(value)) <= 1000:
        return "keep between 1 and 1000 backups"
    if field_name == "backup_size" and value and not QUANTITY.fullmatch(str(value)):
        return f"`{value}` is not a size such as `5Gi`"
    if field_name == "backup_schedule" and not _SCHEDULE.fullmatch(str(value).strip()):
        return f"`{value}` is not a cron schedule such as `0 3 * * *`"
    if field_name in ("ingress_controller_namespace", "dns_namespace") and not is_dns_label(str(value)):
        return f"`{value}` is not a namespace name (lower-case letters, digits and `-`)"
    if field_name in ("ingress_controller_labels", "dns_labels") and parse_labels(str(value)) is None:
        return f"`{value}` is not a list of labels such as `app=envoy` or `a=b,c=d`"
    if field_name == "delivery_branch" and not re.fullmatch(r"[A-Za-z0-9._/-]+", str(value)):
        return f"`{value}` is not a branch name such as `main`"
    if field_name == "delivery_path" and (
        str(value).startswith("/") or ".." in str(value).split("/") or "\\" in str(value)
    ):
        return "the path of the output folder must be relative to the repository root, without `..`"
    if field_name == "delivery_repository" and value and not re.fullmatch(r"(https|ssh|http)://\S+|git@\S+:\S+", str(value)):
        return f"`{value}` is not a Git repository URL such as `https://github.com/team/deploy.git`"
    if field_name == "delivery_credentials" and value and not is_dns_subdomain(str(value)):
        return f"`{value}` is not a Secret name (lower-case letters, digits, `-` and `.`)"
    if field_name == "delivery_depends_on" and value and parse_names(str(value)) is None:
        return f"`{value}` is not a list of Flux Kustomization names such as `cert-manager` or `cert-manager,ingress`"
    if field_name == "run_as_user" and not 1 <= int(str(value)) <= 2_147_483_647:
        return "the user ID must be a positive number (not 0: that is root)"
    if field_name in ("cpu_request", "cpu_limit") and value and not _CPU.fullmatch(str(value)):
        return f"`{value}` is not a CPU quantity such as `250m` or `1`"
    if field_name in ("memory_request", "memory_limit") and value and not QUANTITY.fullmatch(str(value)):
        return f"`{value}` is not a memory size such as `256Mi`"
    return ""


def _key_pattern_problem(pattern: str) -> str:
    """Why `pattern` cannot name a key in a secret store; empty when it can."""
    fields = re.findall(r"\{([^{}]*)\}", pattern)
    unknown = [name for name in fields if name not in KEY_PATTERN_FIELDS]
    if unknown:
        return f"`{{{unknown[0]}}}` is not a field of a key pattern; use {', '.join(f'{{{name}}}' for name in KEY_PATTERN_FIELDS)}"
    if "name" not in fields:
        return "the key pattern must contain `{name}`, or every secret would read the same key"
    if re.sub(r"\{[^{}]*\}", "", pattern).count("{") or re.sub(r"\{[^{}]*\}", "", pattern).count("}"):
        return "unbalanced `{` or `}` in the key pattern"
    return ""


def secret_store_key(pattern: str, application: str, environment: str, name: str) -> str:
    """The key a secret is read from in the store: `pattern` with its fields filled in."""
    return pattern.format(application=application, environment=environment, name=name)


def settings_diagnostic(code: str, message: str, span: Span, path: str) -> Diagnostic:
    """A diagnostic located in the settings file at `path`."""
    return _diagnostic(code, message, span, path)


def _diagnostic(code: str, message: str, span: Span, path: str) -> Diagnostic:
    diagnostic = make_diagnostic(code, message, span)
    return Diagnostic(
        diagnostic.code,
        diagnostic.severity,
        diagnostic.message,
        diagnostic.span,
        diagnostic.related,
        diagnostic.fixes,
        path,
    )


def _error_position(message: str) -> tuple[int, int]:
    match = re.search(r"at line (\d+), column (\d+)", message)
    if match:
        return int(match.group(1)), int(match.group(2))
    return 1, 1


def _point(source: SourceText, line: int, column: int) -> Span:
    offset = source.offset(line, column)
    return source.span(offset, offset)


_TABLE_HEADER = re.compile(r"^\s*\[\s*((?:\"[^\"]*\"|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:\"[^\"]*\"|[A-Za-z0-9_-]+))*)\s*\]")
_KEY_LINE = re.compile(r"^(\s*)(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def _locate(source: SourceText, table: str | None, key: str) -> Span:
    """The span of `key` in `table` (or of the table header `[key]` when `table` is None).

    tomllib gives no positions, so this scans the lines: settings files are small and flat, and
    when the scan cannot find the key (an unusual layout such as dotted keys) the diagnostic
    points at the start of the file rather than nowhere.
    """
    current_table: str | None = None
    offset = 0
    for line in source.text.splitlines(keepends=True):
        header = _TABLE_HEADER.match(line)
        if header:
            current_table = ".".join(part.strip().strip('"') for part in header.group(1).split("."))
            if table is None and current_table == key:
                start = offset + header.start(1)
                return source.span(start, start + len(header.group(1)))
        else:
            key_match = _KEY_LINE.match(line)
            if key_match and key_match.group(2).strip("\"'") == key:
                if table is None and current_table is None or table is not None and current_table == table:
                    start = offset + key_match.start(2)
                    return source.span(start, start + len(key_match.group(2)))
        offset += len(line)
    return source.span(0, 0)
