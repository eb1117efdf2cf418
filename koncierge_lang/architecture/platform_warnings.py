"""Warnings about the platform settings an environment is built with, located in the `.kon` file.

The settings come from `koncierge.toml`, which the checker never reads (`analyze` is a function of
the `.kon` text alone), so these warnings are computed where an environment is built: by
`koncierge build` (`koncierge_lang.build_pipeline`) and by the language server's lowering of each
environment. Each is located at the environment's declaration, because that is the statement whose
build the setting affects; the message says what to write in `koncierge.toml`.
"""

from __future__ import annotations

from koncierge_lang.architecture.secret_strategies import secret_strategy_diagnostics
from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.diagnostics.model import make_diagnostic
from koncierge_lang.requirements import model as requirements
from koncierge_lang.settings import LETS_ENCRYPT_PRODUCTION, LETS_ENCRYPT_STAGING, Settings


def uses_test_acme_settings(settings: Settings) -> bool:
    email_domain = settings.acme_email.rsplit("@", 1)[-1].lower() if "@" in settings.acme_email else ""
    return settings.acme_server == LETS_ENCRYPT_STAGING or email_domain == "example.com" or email_domain.endswith(
        ".example.com"
    )


def environment_platform_diagnostics(
    application: requirements.Application, environment: requirements.Environment, settings: Settings
) -> tuple[Diagnostic, ...]:
    """KON323 when this HTTPS environment would request its certificates with test settings;
    KON329 where a variable uses a secret its secrets strategy cannot supply."""
    return (
        *_test_certificates(application, environment, settings),
        *secret_strategy_diagnostics(application, environment, settings),
    )


def _test_certificates(
    application: requirements.Application, environment: requirements.Environment, settings: Settings
) -> tuple[Diagnostic, ...]:
    # Without routes there is no Ingress, hence no certificate and no ACME account.
    if not environment.https or not application.routes or not uses_test_acme_settings(settings):
        return ()
    problems: list[str] = []
    lines: list[str] = []
    if settings.acme_server == LETS_ENCRYPT_STAGING:
        problems.append("Let's Encrypt's staging server (certificates browsers do not trust)")
        lines.append(f'acme_server = "{LETS_ENCRYPT_PRODUCTION}"')
    if uses_test_acme_settings(Settings(acme_server=LETS_ENCRYPT_PRODUCTION, acme_email=settings.acme_email)):
        problems.append(f"the contact `{settings.acme_email}` (Let's Encrypt refuses `example.com` addresses)")
        lines.append('acme_email = "<your team\'s address>"')
    message = (
        f"HTTPS environment `{environment.name}` gets its certificates with {' and '.join(problems)}; "
        f"set `[certificates] {'` and `'.join(lines)}` in koncierge.toml beside this file"
    )
    return (make_diagnostic("KON323", message, environment.span),)


def platform_diagnostics(
    application: requirements.Application,
    environments: tuple[requirements.Environment, ...] | list[requirements.Environment],
    settings: Settings,
) -> tuple[Diagnostic, ...]:
    found: list[Diagnostic] = []
    for environment in environments:
        found.extend(environment_platform_diagnostics(application, environment, settings))
    return tuple(found)
