"""Where the settings place each environment (`[environments.NAME]` in `koncierge.toml`), checked
against the environments the `.kon` file declares.

`parse_settings` cannot know which environments a file declares, and the checker does not read the
settings, so these problems are found here, from both, by `koncierge check`, `koncierge build` and
the language server alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from koncierge_lang.architecture.from_requirements import namespace_name
from koncierge_lang.diagnostics import Diagnostic, make_diagnostic
from koncierge_lang.requirements import model
from koncierge_lang.settings import SettingsResult, environment_span, settings_diagnostic

UNKNOWN_ENVIRONMENT_CODE = "KON326"
SHARED_NAMESPACE_CODE = "KON327"


def placement_diagnostics(
    applications: Iterable[model.Application], settings_result: SettingsResult
) -> tuple[Diagnostic, ...]:
    """What the `[environments.NAME]` settings get wrong about the `.kon` file's environments: a
    table for an environment the file does not declare (KON326), and two environments of one
    application placed in the same cluster and namespace (KON327). Both need the settings and the
    requirements, so neither `parse_settings` nor the checker can find them. They are located in the
    settings file, except KON327 between two environments without a `namespace` setting, which is
    at the later environment's declaration."""
    applications = tuple(applications)
    settings = settings_result.settings
    source = settings_result.source
    found: list[Diagnostic] = []
    declared = list(
        dict.fromkeys(environment.name for application in applications for environment in application.environments)
    )
    if source is not None:
        for placement in settings.environments:
            if placement.name in declared:
                continue
            close = difflib.get_close_matches(placement.name, declared, n=1, cutoff=0.6)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            message = (
                f"[environments.{placement.name}]: the file declares no environment `{placement.name}`{hint}; "
                f"it declares {', '.join(declared) or 'none'}"
            )
            span = environment_span(source, placement.name)
            found.append(settings_diagnostic(UNKNOWN_ENVIRONMENT_CODE, message, span, source.path))
    for application in applications:
        placed: dict[tuple[str, str], model.Environment] = {}
        for environment in application.environments:
            placement = settings.environment(environment.name)
            where = (placement.cluster, namespace_name(application, environment, settings))
            earlier = placed.setdefault(where, environment)
            if earlier is environment:
                continue
            message = (
                f"environments `{earlier.name}` and `{environment.name}` of application `{application.name}` are both "
                f"placed in namespace `{where[1]}` of cluster `{where[0]}`: each would overwrite the other's objects"
            )
            overridden = next(
                (candidate for candidate in (environment, earlier) if settings.environment(candidate.name).namespace),
                None,
            )
            if source is not None and overridden is not None:
                span = environment_span(source, overridden.name, "namespace")
                found.append(settings_diagnostic(SHARED_NAMESPACE_CODE, message, span, source.path))
            else:
                found.append(make_diagnostic(SHARED_NAMESPACE_CODE, message, environment.span))
    return tuple(found)
