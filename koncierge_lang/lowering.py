"""One application in one environment through both compiler stages, with every problem as a diagnostic.

`lower_environment` runs stage 1 (`build_architecture`) and stage 2 (`manifests`) and gathers what
building that environment finds, located in the `.kon` file:

- KON323: the platform settings it is built with are test settings
  (`koncierge_lang.architecture.platform_warnings`);
- KON324: a generated object that the Kubernetes API server would refuse
  (`koncierge_lang.kubernetes.limits`);
- KON325: the compiler itself failed on this environment. That is a bug in Koncierge, never in the
  file, but a long-lived client (the language server) must keep working and say where it happened,
  so the failure becomes a diagnostic at the environment's declaration instead of an exception.

Generated passwords are supplied by the caller (`secret_values`, from the environment's
architecture): the language server passes placeholders, because only `koncierge build` may make
and keep real ones. `koncierge build` does not call this function: it builds every architecture
first to know which passwords it must keep, then checks the manifests it is about to write with
the same `limit_diagnostics`, and a compiler failure there is reported as an internal error (exit
status 3) by the command line's last line of defence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.architecture.model import EnvironmentArchitecture
from koncierge_lang.architecture.platform_warnings import environment_platform_diagnostics
from koncierge_lang.architecture.secrets_in_git import plain_secrets_in_git
from koncierge_lang.diagnostics import Diagnostic, make_diagnostic
from koncierge_lang.kubernetes.limits import limit_diagnostics, merge_environments, sources_of
from koncierge_lang.kubernetes.manifests import Manifest, manifests
from koncierge_lang.requirements import model
from koncierge_lang.settings import Settings
from koncierge_lang.source import Span

LOWERING_FAILED_CODE = "KON325"

SecretValues = Callable[[EnvironmentArchitecture], Mapping[str, str]]
"""The value of every generated secret of an architecture, by state key."""


@dataclass(frozen=True, slots=True)
class LoweredEnvironment:
    """One application in one environment, lowered as far as the compiler got."""

    application: model.Application
    environment: model.Environment
    architecture: EnvironmentArchitecture | None
    """None when the compiler failed (see the KON325 diagnostic)."""
    documents: tuple[Manifest, ...]
    sources: tuple[Span, ...]
    """For each document, the span of the statement it comes from."""
    diagnostics: tuple[Diagnostic, ...]

    @property
    def failure(self) -> Diagnostic | None:
        """The KON325 diagnostic when the compiler could not lower this environment."""
        return next((found for found in self.diagnostics if found.code == LOWERING_FAILED_CODE), None)


def lowering_failed(environment: model.Environment, error: Exception) -> Diagnostic:
    """KON325 at the environment's declaration, naming the exception."""
    return make_diagnostic(
        LOWERING_FAILED_CODE,
        f"the compiler could not lower environment `{environment.name}`: {error.__class__.__name__}: {error}. "
        "This is a bug in Koncierge; please report it with this file",
        environment.span,
    )


def lower_environment(
    application: model.Application,
    environment: model.Environment,
    settings: Settings,
    secret_values: SecretValues,
) -> LoweredEnvironment:
    """Both stages for one environment, and what building it finds. Never raises on a compiler bug;
    expects requirements without errors, as the build does."""
    warnings = environment_platform_diagnostics(application, environment, settings)
    try:
        architecture = build_architecture(application, environment, settings)
        documents = tuple(manifests(architecture, secret_values(architecture)))
        sources = sources_of(documents, application, environment, architecture)
    except Exception as error:  # noqa: BLE001 - a compiler bug becomes KON325, see the module's docstring.
        return LoweredEnvironment(application, environment, None, (), (), (*warnings, lowering_failed(environment, error)))
    limits = limit_diagnostics(application, environment, architecture, documents, sources)
    # KON328 for the layout the settings name: `koncierge build --layout` checks the one it writes.
    in_git = plain_secrets_in_git(environment, architecture, settings, settings.delivery_layout)
    found = (*warnings, *limits, *((in_git,) if in_git is not None else ()))
    return LoweredEnvironment(application, environment, architecture, documents, sources, found)


GENERATED_PLACEHOLDER = "generated-by-koncierge-build"
"""What a generated password is in manifests made by anything but `koncierge build` (the editor,
`koncierge check`): only the build may make passwords and keep them in its state file."""


def placeholder_secret_values(architecture: EnvironmentArchitecture) -> dict[str, str]:
    """A placeholder for every generated secret of an environment, instead of a password."""
    return {secret.state_key: GENERATED_PLACEHOLDER for secret in architecture.generated_secrets()}


class LoweringStopped(Exception):
    """`lower_file` stopped because its caller asked it to (`should_stop`): a long-lived caller (the
    language server) has newer text to lower, and a thread cannot be stopped from outside."""


def lower_file(
    applications: Iterable[model.Application],
    settings: Settings,
    secret_values: SecretValues = placeholder_secret_values,
    should_stop: Callable[[], bool] | None = None,
) -> list[LoweredEnvironment]:
    """Every (application, environment) of a file, lowered. Never raises on a compiler bug; raises
    `LoweringStopped` between two environments when `should_stop()` says so."""
    lowered: list[LoweredEnvironment] = []
    for application in applications:
        for environment in application.environments:
            if should_stop is not None and should_stop():
                raise LoweringStopped
            lowered.append(lower_environment(application, environment, settings, secret_values))
    return lowered


def compiler_diagnostics(lowered: Iterable[LoweredEnvironment]) -> tuple[Diagnostic, ...]:
    """What building each environment finds (KON323-KON325), located in the `.kon` file; the same
    problem in several environments is reported once (`in PERF, PROD: ...`). `koncierge check` and
    the language server report exactly these for a file without errors."""
    return merge_environments(diagnostic for environment in lowered for diagnostic in environment.diagnostics)
