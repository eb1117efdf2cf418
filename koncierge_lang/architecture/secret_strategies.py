"""Whether an environment's secrets strategy can supply the secrets its variables use.

A secret written `from store "KEY"` lives only in a secret store (a password manager, Vault, a
cloud secret manager). Only the `external-secrets` strategy reads a store, so using such a secret
in an environment with another strategy (`plain`, `sops`, `volume`; `[secrets] strategy`,
`[environments.NAME] secrets`) is error KON329 at the variable that uses it, in `koncierge check`,
`koncierge build` and the editor alike. See docs/secrets.md.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Diagnostic, make_diagnostic
from koncierge_lang.requirements import model
from koncierge_lang.settings import Settings

STORE_SECRET_UNAVAILABLE_CODE = "KON329"
STORE_READING_STRATEGIES = ("external-secrets",)


def store_keys_used(application: model.Application, environment: str, expression: model.Expression) -> list[str]:
    """The store keys of the `from store` secrets an expression uses in `environment`, following
    named values (iteratively: a chain of values may be as long as the file)."""
    values = {value.name: value.expression for value in application.values}
    keys: list[str] = []
    seen: set[str] = set()
    pending: list[model.Expression | model.Reference | str] = [expression]
    while pending:
        item = pending.pop()
        if isinstance(item, model.Secret):
            if item.source == "store":
                keys.append(item.text)
        elif isinstance(item, model.Text):
            pending.extend(reversed(item.parts))
        elif isinstance(item, model.PerEnvironmentText):
            chosen = next((text for name, text in item.cases if name == environment), item.otherwise)
            if chosen is not None:
                pending.append(chosen)
        elif isinstance(item, model.ValueReference):
            if item.value not in seen and item.value in values:
                seen.add(item.value)
                pending.append(values[item.value])
    return list(dict.fromkeys(keys))


def secret_strategy_diagnostics(
    application: model.Application, environment: model.Environment, settings: Settings
) -> tuple[Diagnostic, ...]:
    """KON329 at each variable that uses a `from store` secret in an environment whose strategy
    cannot read a store."""
    strategy = settings.secrets_strategy_of(environment.name)
    if strategy in STORE_READING_STRATEGIES:
        return ()
    found: list[Diagnostic] = []
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
