"""KON328: secret values in plain text in an output tree that is meant to be committed.

The `flux` and `argocd` layouts write a tree for a Git repository. An environment whose `Secret`
objects hold their values in plain text (base64 is no encryption) would put its passwords in that
repository's history: the `plain` strategy always, and the `volume` strategy for the secrets whose
value is written in the `.kon` file (only generated passwords go to the volume). `sops` encrypts
the Secrets and `external-secrets` emits none. It is an error at the environment's declaration,
or a warning with `[secrets] allow_plain_in_git = true`.

`koncierge build` checks the layout it writes; `koncierge check` and the editor check the layout
`[delivery] layout` names, so the error shows before anyone builds. See docs/secrets.md.
"""

from __future__ import annotations

import dataclasses

from koncierge_lang.architecture.model import EnvironmentArchitecture
from koncierge_lang.diagnostics import Diagnostic, Severity, make_diagnostic
from koncierge_lang.requirements import model
from koncierge_lang.settings import Settings

PLAIN_SECRETS_IN_GIT_CODE = "KON328"
COMMITTED_LAYOUTS = ("flux", "argocd")
# The strategies whose Secret objects may hold plain values: `volume` keeps the secrets written in
# the file in Secret objects.
_PLAIN_VALUE_STRATEGIES = ("plain", "volume")


def plain_secrets_in_git(
    environment: model.Environment, architecture: EnvironmentArchitecture, settings: Settings, layout: str
) -> Diagnostic | None:
    """KON328 for one environment built with `layout`, or None."""
    name = environment.name
    strategy = settings.secrets_strategy_of(name)
    if layout not in COMMITTED_LAYOUTS or strategy not in _PLAIN_VALUE_STRATEGIES or not architecture.secret_sets:
        return None
    change = (
        f'change `secrets = "{strategy}"` in [environments.{name}] of koncierge.toml to `"sops"`'
        if settings.environment(name).secrets
        else f'set `secrets = "sops"` in [environments.{name}] of koncierge.toml, or `strategy = "sops"` in '
        "[secrets] for every environment"
    )
    what = (
        "its Secret objects unencrypted"
        if strategy == "plain"
        else "the Secret objects of the secrets whose value is in the file unencrypted (the volume strategy "
        "keeps only generated passwords out of them)"
    )
    if settings.secrets_allow_plain_in_git:
        message = (
            f"environment `{name}` commits its secret values to Git in plain text (the {layout} layout writes {what}), "
            f"as `[secrets] allow_plain_in_git = true` allows; to keep them out of Git, {change} (docs/secrets.md)"
        )
        severity = Severity.WARNING
    else:
        message = (
            f"environment `{name}` would commit its secret values to Git in plain text (the {layout} layout writes "
            f"{what}); {change} (docs/secrets.md), or accept plain secrets in Git with `allow_plain_in_git = true` "
            "in [secrets]"
        )
        severity = Severity.ERROR
    return dataclasses.replace(make_diagnostic(PLAIN_SECRETS_IN_GIT_CODE, message, environment.span), severity=severity)
