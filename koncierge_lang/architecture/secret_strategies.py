"""Whether an environment's secrets strategy can supply the secrets its variables use.

A secret written `from store "KEY"` lives only in a secret store (a password manager, Vault, a
cloud secret manager). Only the `external-secrets` strategy reads a store, so using such a secret
in an environment with another strategy (`plain`, `sops`, `volume`; `[secrets] strategy`,
`[environments.NAME] secrets`) is error KON329 at the variable that uses it, in `koncierge check`,
`koncierge build` and the editor alike. See docs/secrets.md.

Under the strategies that make generated passwords in the cluster
(docs/secrets.md), some uses of one cannot be supplied, and are errors at the
variable: inside composed text under `external-secrets` (KON330), and anywhere but alone in a
variable handed over as a file under `volume` (KON331, where the database images' `*_FILE`
variables count as files). Under `external-secrets`, a secret whose value is written in the file is
read from the store instead: information KON332 at the secret, once per environment.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Diagnostic, make_diagnostic
from koncierge_lang.requirements import model
from koncierge_lang.security.databases import DATABASE_HARDENING
from koncierge_lang.settings import Settings, secret_store_key

STORE_SECRET_UNAVAILABLE_CODE = "KON329"
STORE_READING_STRATEGIES = ("external-secrets",)
GENERATED_IN_TEXT_CODE = "KON330"
GENERATED_NEEDS_FILE_CODE = "KON331"
VALUE_READ_FROM_STORE_CODE = "KON332"


def store_keys_used(application: model.Application, environment: str, expression: model.Expression) -> list[str]:
    """The store keys of the `from store` secrets an expression uses in `environment`, following
    named values (`value_parts`)."""
    keys = [
        secret.text
        for _, secret, _ in value_parts(application, environment, expression)
        if secret is not None and secret.source == "store"
    ]
    return list(dict.fromkeys(keys))


def value_parts(
    application: model.Application, environment: str, expression: model.Expression
) -> list[tuple[str, model.Secret | None, str]]:
    """What a variable's value is made of in `environment`, in order, as stage 1 resolves it: each
    secret with the named secret it comes from (`""` for one written in place), and `("text",
    None, "")` for any text around (literal or derived). A cycle of values, which the checker
    reports, contributes nothing."""
    found: list[tuple[str, model.Secret | None, str]] = []
    following: set[str] = set()
    # (item, the named secret it belongs to), or (a bare name) the end of a named value's
    # expression: one set of the values being followed, not a copy per step, keeps a long chain
    # linear.
    pending: list[tuple[model.Expression | model.Reference | str, str] | str] = [(expression, "")]
    while pending:
        entry = pending.pop()
        if isinstance(entry, str):
            following.discard(entry)
            continue
        item, named = entry
        if isinstance(item, str):
            if item:
                found.append(("text", None, ""))
        elif isinstance(item, model.Secret):
            found.append(("secret", item, named))
        elif isinstance(item, model.Text):
            pending.extend((part, named) for part in reversed(item.parts))
        elif isinstance(item, model.PerEnvironmentText):
            chosen = next((text for name, text in item.cases if name == environment), item.otherwise)
            if chosen is not None:
                pending.append((chosen, named))
        elif isinstance(item, model.ValueReference):
            value = application.value(item.value)
            if item.value not in following and value is not None:
                following.add(item.value)
                pending.append(item.value)
                pending.append((value.expression, item.value))
        else:
            found.append(("text", None, ""))
    return found


def _uses_of_generated(parts: list[tuple[str, model.Secret | None, str]]) -> tuple[bool, bool]:
    """(whether a generated password is among the parts, whether it is the whole value)."""
    generated = [secret for kind, secret, _ in parts if secret is not None and secret.source == "generated"]
    return bool(generated), len(parts) == 1 and len(generated) == 1


def _variables(application: model.Application) -> list[tuple[model.Component, model.Variable, bool]]:
    """Every variable with its component, and whether the program's container receives it."""
    found: list[tuple[model.Component, model.Variable, bool]] = []
    for component in application.components:
        found.extend((component, variable, True) for variable in component.variables)
        for container in component.containers:
            found.extend((component, variable, False) for variable in container.variables)
    return found


def _at_variable(code: str, message: str, variable: model.Variable, component: model.Component) -> Diagnostic:
    """A diagnostic at the variable; a database's implied variables are written nowhere, so theirs
    is at the database."""
    return make_diagnostic(code, message, variable.span if variable.span.end > variable.span.start else component.span)


def secret_strategy_diagnostics(
    application: model.Application, environment: model.Environment, settings: Settings
) -> tuple[Diagnostic, ...]:
    """KON329 at each variable that uses a `from store` secret in an environment whose strategy
    cannot read a store; KON330, KON331 and KON332 for the strategies that make passwords in the
    cluster."""
    strategy = settings.secrets_strategy_of(environment.name)
    if strategy == "external-secrets":
        return _external_secrets_diagnostics(application, environment, settings)
    found: list[Diagnostic] = []
    if strategy == "volume":
        found.extend(_volume_diagnostics(application, environment))
    for component in application.components:
        for variable in component.variables:
            keys = store_keys_used(application, environment.name, variable.expression)
            if not keys:
                continue
            # `in PROD: ...`, so that the same use in several environments is reported once
            # (`kubernetes.limits.merge_environments`).
            message = (
                f"in {environment.name}: `{variable.name}` uses a secret that lives only in a secret store "
                f"(`{keys[0]}`), which the `{strategy}` secrets strategy cannot read; choose `external-secrets` "
                "(`[secrets] strategy` or `[environments.NAME] secrets` in koncierge.toml), or give the secret a "
                "value in the file"
            )
            found.append(make_diagnostic(STORE_SECRET_UNAVAILABLE_CODE, message, variable.span))
    return tuple(found)


def _external_secrets_diagnostics(
    application: model.Application, environment: model.Environment, settings: Settings
) -> tuple[Diagnostic, ...]:
    found: list[Diagnostic] = []
    # Each secret whose value is written in the file, once: at the named secret, or the variable.
    read_from_store: set[str] = set()
    value_spans = {value.name: value.span for value in reversed(application.values)}
    for component, variable, _ in _variables(application):
        parts = value_parts(application, environment.name, variable.expression)
        generated, alone = _uses_of_generated(parts)
        if generated and not alone:
            message = (
                f"in {environment.name}: `{variable.name}` puts a generated password inside text, which the "
                "`external-secrets` strategy cannot do: the cluster makes the password into a Secret of its own, "
                "the same for every workload, and cannot write it into other text; keep the whole text in the store "
                '(`secret NAME = from store "KEY"`), or hand the password over alone and let the program build the text'
            )
            found.append(_at_variable(GENERATED_IN_TEXT_CODE, message, variable, component))
        for _, secret, named in parts:
            name = named or f"{component.name}/{variable.name}"
            if secret is None or secret.source not in ("plain", "base64") or name in read_from_store:
                continue
            read_from_store.add(name)
            key = secret_store_key(
                settings.external_secrets_key_pattern, application.kubernetes_name, environment.name, name
            )
            message = (
                f"in {environment.name}: the value written here is not used: the `external-secrets` strategy reads "
                f"`{name}` from the store `{settings.external_secrets_store}` at the key `{key}`; put it there"
            )
            if named:
                found.append(make_diagnostic(VALUE_READ_FROM_STORE_CODE, message, value_spans.get(named, variable.span)))
            else:
                found.append(_at_variable(VALUE_READ_FROM_STORE_CODE, message, variable, component))
    return tuple(found)


def _volume_diagnostics(application: model.Application, environment: model.Environment) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for component, variable, in_program in _variables(application):
        generated, alone = _uses_of_generated(value_parts(application, environment.name, variable.expression))
        if not generated:
            continue
        database = DATABASE_HARDENING.get(component.database_type or "")
        read_from_file = variable.as_file or (
            in_program and database is not None and variable.name in database.file_variables
        )
        if alone and read_from_file:
            continue
        if alone and variable.span.end <= variable.span.start:
            # A database's default password, written nowhere: its image reads no file for it.
            problem = "as a plain environment variable (its image reads no password file)"
            fix = (
                f"give it a value (`env {variable.name} = secret base64 \"...\"` in `{component.name}`), or choose "
                "another secrets strategy for the environment"
            )
        elif alone:
            problem = "as a plain environment variable"
            fix = f"write `as file` after it (the program then reads the path of the file from `{variable.name}_FILE`)"
        else:
            problem = "inside text"
            fix = (
                "hand the password over alone `as file` and let the program build the text, or choose another "
                "secrets strategy for the environment"
            )
        message = (
            f"in {environment.name}: `{variable.name}` receives a generated password {problem}, which the `volume` "
            "strategy cannot supply: the cluster creates the password on a volume, and programs read it as a file; "
            + fix
        )
        found.append(_at_variable(GENERATED_NEEDS_FILE_CODE, message, variable, component))
    return found
