"""The pipeline behind `koncierge build`: analyse, refuse on errors, and write one YAML file per environment.

The command itself (its options and printing) is `koncierge_lang/commands/build.py`; this module is
everything it does except printing, and the one part of the compiler that touches the file system.

The pipeline is: `analyze` (syntax, names, semantics) -> platform settings from `koncierge.toml`
-> for each application and selected environment, stage 1 (`build_architecture`) and stage 2
(`manifests`) -> the generated objects checked against Kubernetes' limits (KON324, located in the
`.kon` file: the API server would refuse them, so nothing is written when there is one) -> text
in the chosen layout (`layouts.py`) -> files, of which only those that changed are written and
those no longer generated removed (`output_tree.py`). Every output is rendered in memory before the first byte is written, so a failure while
generating writes nothing; each file is then replaced atomically
(a temporary file in the same directory, flushed, then `os.replace`), so a crash while writing
leaves either the previous file or the new one, never half of either.

Generated passwords (`secret x = generated`, and a database's default root password) are made
once and kept in a local state file, `.koncierge-state/<file>.json` beside the `.kon` file
(ignored by git), so that building again does not rotate them. They appear in the generated
Secret manifests and nowhere else: not in a ConfigMap, the architecture print-out, or a message.
See docs/compiler.md, "Generated passwords", for the trade-off.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.architecture.from_requirements import build_architecture, index_application
from koncierge_lang.architecture.model import EnvironmentArchitecture, SecretInput
from koncierge_lang.architecture.placement import placement_diagnostics
from koncierge_lang.architecture.platform_warnings import platform_diagnostics
from koncierge_lang.architecture.printer import print_architectures
from koncierge_lang.atomic import write_atomically
from koncierge_lang.diagnostics import Diagnostic, Severity
from koncierge_lang.inputs import InputProblem, read_input
from koncierge_lang.kubernetes.limits import limit_diagnostics, merge_environments
from koncierge_lang.kubernetes.manifests import Manifest, manifests
from koncierge_lang.layouts import LAYOUTS, Delivery, delivery_files, delivery_scope, environment_files
from koncierge_lang.output_tree import MARKER_NAME, TreeFile, apply, compare
from koncierge_lang.requirements.model import Application
from koncierge_lang.settings import Settings, SettingsResult, load_settings, parse_names
from koncierge_lang.source import SourceText

STAGES = ("kubernetes", "architecture")
DEFAULT_OUTPUT_DIRECTORY = "out"
STDOUT = "-"
STATE_DIRECTORY = ".koncierge-state"
_PASSWORD_ALPHABET = string.ascii_letters + string.digits

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One generated file: `relative_path` under the output directory, and its full text."""

    relative_path: str
    text: str
    # What the file belongs to (`todo/PROD`, `todo/architecture`): see `output_tree`.
    scope: str = ""


@dataclass(frozen=True, slots=True)
class DiagnosticsReport:
    """Diagnostics of one source text (the `.kon` file or `koncierge.toml`), for rendering."""

    source: SourceText
    diagnostics: tuple[Diagnostic, ...]


@dataclass(slots=True)
class BuildOutcome:
    exit_code: int
    reports: list[DiagnosticsReport] = field(default_factory=list)
    # Problems that are not diagnostics of a file (a missing file, an unknown environment).
    messages: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    stdout_text: str = ""


@contextlib.contextmanager
def relaxed_garbage_collection() -> Iterator[None]:
    """Collect cyclic garbage rarely while a build runs, for the command line.

    A build allocates many small objects and frees almost all of them by reference counting; with
    the default thresholds the cycle collector still walks the whole (large) analysis again and
    again, which made building 1,000 components a third slower. Objects alive at the start are
    frozen out of collection and the first threshold is raised; both are restored afterwards.
    Not used by the language server, whose process lives long.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def source_display_name(kon_path: Path) -> str:
    """How generated files name the `.kon` file they come from: its path from the root of the Git
    work tree it is in, else its name. Never the path as typed, so that building from another
    folder (`koncierge build todo.kon` there, `koncierge build app/todo.kon` at the root) writes
    the same bytes and a CI check sees no drift."""
    if kon_path.as_posix() in ("-", "<stdin>"):
        return "<stdin>"
    absolute = Path(os.path.abspath(kon_path))
    for folder in absolute.parents:
        if (folder / ".git").exists():
            return absolute.relative_to(folder).as_posix()
    return absolute.name


def header(source_name: str, detail: str) -> str:
    return (
        f"Generated by Koncierge from {source_name} ({detail}). Do not edit this file:\n"
        "change the .kon file and run `koncierge build` again."
    )


def select_environments(application: Application, wanted: Sequence[str]) -> list[str]:
    names = [environment.name for environment in application.environments]
    if not wanted:
        return names
    return [name for name in names if name in wanted]


Plan = list[tuple[Application, list[EnvironmentArchitecture]]]
PlannedManifests = list[list[list[Manifest]]]
"""Stage 2 of a plan: for each application, for each of its architectures, its objects."""


def plan(analysis: Analysis, settings: Settings, wanted_environments: Sequence[str] = ()) -> Plan:
    """Stage 1 for every application and selected environment, computed once per build."""
    planned: Plan = []
    for application in analysis.requirements.applications:
        environments = select_environments(application, wanted_environments)
        if environments:
            selected = [environment for environment in application.environments if environment.name in environments]
            # What is the same in every environment is worked out once per application.
            index = index_application(application)
            planned.append(
                (
                    application,
                    [build_architecture(application, environment, settings, index) for environment in selected],
                )
            )
    return planned


def planned_platform_diagnostics(planned: Plan, settings: Settings) -> tuple[Diagnostic, ...]:
    """Warnings about the settings each planned environment is built with (e.g. KON323), located
    in the `.kon` file. The language server reports the same ones through its own lowering."""
    found: list[Diagnostic] = []
    for application, architectures in planned:
        built = {architecture.environment for architecture in architectures}
        selected = [environment for environment in application.environments if environment.name in built]
        found.extend(platform_diagnostics(application, selected, settings))
    return merge_environments(found)


def planned_manifests(planned: Plan, generated_secrets: dict[str, str] | None = None) -> PlannedManifests:
    """Stage 2 for every planned architecture; `generated_secrets` as for `render_planned`."""
    return [
        [manifests(architecture, generated_secrets or {}) for architecture in architectures]
        for _, architectures in planned
    ]


def planned_limit_diagnostics(planned: Plan, documents: PlannedManifests) -> tuple[Diagnostic, ...]:
    """KON324 for every generated object the Kubernetes API server would refuse, located in the
    `.kon` file; the same problem in several environments is reported once. The language server
    reports the same ones through `koncierge_lang.lowering`."""
    found: list[Diagnostic] = []
    for (application, architectures), application_documents in zip(planned, documents, strict=True):
        environments = {environment.name: environment for environment in application.environments}
        for architecture, environment_documents in zip(architectures, application_documents, strict=True):
            environment = environments[architecture.environment]
            found.extend(limit_diagnostics(application, environment, architecture, environment_documents))
    return merge_environments(found)


def _report_file_diagnostics(
    outcome: BuildOutcome, analysis: Analysis, found: tuple[Diagnostic, ...]
) -> None:
    """Add diagnostics found while building to the report of the `.kon` file, in source order."""
    if not found:
        return
    for index, report in enumerate(outcome.reports):
        if report.source is analysis.source:
            merged = tuple(sorted(report.diagnostics + found, key=Diagnostic.sort_key))
            outcome.reports[index] = DiagnosticsReport(report.source, merged)
            return
    outcome.reports.insert(0, DiagnosticsReport(analysis.source, tuple(sorted(found, key=Diagnostic.sort_key))))


def required_secrets_of(planned: Plan) -> list[SecretInput]:
    return [
        secret
        for _, architectures in planned
        for architecture in architectures
        for secret in architecture.generated_secrets()
    ]


def required_secrets(
    analysis: Analysis, settings: Settings, wanted_environments: Sequence[str] = ()
) -> list[SecretInput]:
    return required_secrets_of(plan(analysis, settings, wanted_environments))


def render_planned(
    planned: Plan,
    source_name: str,
    stage: str,
    generated_secrets: dict[str, str] | None = None,
    documents: PlannedManifests | None = None,
    layout: str = "files",
    delivery: Delivery | None = None,
) -> list[OutputFile]:
    """The text of every output file, in memory; `generated_secrets` must hold every generated
    secret the kubernetes stage needs (see `required_secrets_of`), unless `documents` already holds
    the planned manifests (`planned_manifests`). `layout` is one of `layouts.LAYOUTS`; the flux and
    argocd layouts need `delivery`, the repository the output folder is committed to."""
    outputs: list[OutputFile] = []
    for application_index, (application, architectures) in enumerate(planned):
        if stage == "architecture":
            detail = "deployment architecture of " + ", ".join(
                architecture.environment for architecture in architectures
            )
            text = print_architectures(architectures, header(source_name, detail))
            outputs.append(
                OutputFile(
                    f"{application.kubernetes_name}/architecture.yaml", text, f"{application.kubernetes_name}/architecture"
                )
            )
            continue
        built: list[tuple[str, Sequence[Manifest]]] = []
        for architecture_index, architecture in enumerate(architectures):
            objects = (
                documents[application_index][architecture_index]
                if documents is not None
                else manifests(architecture, generated_secrets or {})
            )
            scope = f"{application.kubernetes_name}/{architecture.environment}"
            files = environment_files(
                application.kubernetes_name,
                architecture.environment,
                objects,
                header(source_name, f"environment {architecture.environment}"),
                layout,
            )
            outputs.extend(OutputFile(path, text, scope) for path, text in files)
            built.append((architecture.environment, objects))
        if delivery is not None:
            for path, scope, text in delivery_files(
                application.kubernetes_name,
                built,
                delivery,
                lambda detail: header(source_name, detail),
                layout,
                {environment.name: environment.after for environment in application.environments},
            ):
                outputs.append(OutputFile(path, text, scope))
    return outputs


def render_outputs(
    analysis: Analysis,
    settings: Settings,
    source_name: str,
    stage: str,
    wanted_environments: Sequence[str] = (),
    generated_secrets: dict[str, str] | None = None,
) -> list[OutputFile]:
    """Both stages and the YAML text for an analysis: pure given its arguments."""
    return render_planned(plan(analysis, settings, wanted_environments), source_name, stage, generated_secrets)


def state_path(kon_path: Path) -> Path:
    return kon_path.parent / STATE_DIRECTORY / f"{kon_path.name}.json"


class StateError(Exception):
    """The password state file exists but cannot be read as one."""


def load_state(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise StateError(
            f"{path} cannot be read ({error.__class__.__name__}); move it away to generate new passwords"
        ) from None
    passwords = data.get("passwords") if isinstance(data, dict) else None
    if not isinstance(passwords, dict) or not all(isinstance(value, str) for value in passwords.values()):
        raise StateError(f"{path} is not a Koncierge state file; move it away to generate new passwords")
    return {str(key): value for key, value in passwords.items()}


def generate_password(length: int) -> str:
    """A password of `length` letters and digits from the operating system's random source.
    Letters and digits only: such a password needs no quoting in a URL, a shell or a DSN.

    Random bytes are mapped to the 62 characters by rejection (bytes at or above 248 = 4 x 62 are
    drawn again), so every character is equally likely: as `secrets.choice`, without its cost per
    character when a large application generates thousands of passwords.
    """
    alphabet = _PASSWORD_ALPHABET
    limit = 4 * len(alphabet)
    characters: list[str] = []
    while len(characters) < length:
        for byte in os.urandom(length + 8):
            if byte < limit:
                characters.append(alphabet[byte % len(alphabet)])
                if len(characters) == length:
                    break
    return "".join(characters)


def ensure_passwords(required: Sequence[SecretInput], state: dict[str, str]) -> tuple[dict[str, str], bool]:
    """The state with a password for every required generated secret, and whether any was new."""
    updated = dict(state)
    changed = False
    for secret in required:
        if secret.state_key not in updated:
            updated[secret.state_key] = generate_password(secret.length)
            changed = True
    return updated, changed


def run_build(
    kon_path: Path,
    output: str = DEFAULT_OUTPUT_DIRECTORY,
    environments: Sequence[str] = (),
    stage: str = "kubernetes",
    source_name: str | None = None,
    write: Callable[[Path, str], None] = write_atomically,
    layout: str | None = None,
    check: bool = False,
    force: bool = False,
) -> BuildOutcome:
    """Everything `koncierge build` does, except printing. Never raises on user input.

    `layout` (`layouts.LAYOUTS`) wins over `[delivery] layout` in `koncierge.toml`. With `check`
    nothing is written (not even new generated passwords): the exit status is 1 when the output
    folder differs from what the build would write, and `messages` lists how. `force` overwrites
    and removes generated files edited by hand (see `output_tree`)."""
    if stage not in STAGES:
        return BuildOutcome(EXIT_USAGE, messages=[f"unknown stage `{stage}`; use one of {', '.join(STAGES)}"])
    if layout is not None and layout not in LAYOUTS:
        return BuildOutcome(EXIT_USAGE, messages=[f"unknown layout `{layout}`; use one of {', '.join(LAYOUTS)}"])
    if check and output == STDOUT:
        return BuildOutcome(EXIT_USAGE, messages=["--check compares an output folder: give one with -o DIR"])
    if str(kon_path) == "-":
        return BuildOutcome(
            EXIT_USAGE, messages=["build reads a .kon file, not standard input: its generated passwords are kept beside it"]
        )
    # The file is read as every command reads it (koncierge_lang.inputs): the same text, the same
    # one-line messages.
    try:
        text = read_input(str(kon_path)).text
        settings_result = load_settings(kon_path)
    except InputProblem as problem:
        return BuildOutcome(EXIT_USAGE, messages=[str(problem)])
    # Diagnostics name the file as it was given (a terminal can open it); generated files name it
    # the same way from any folder (`source_display_name`).
    name = kon_path.as_posix()
    generated_from = source_name if source_name is not None else source_display_name(kon_path)
    analysis = analyze(text, name)

    outcome = BuildOutcome(EXIT_OK)
    if analysis.diagnostics:
        outcome.reports.append(DiagnosticsReport(analysis.source, analysis.diagnostics))
    settings_diagnostics = settings_result.diagnostics
    placement: tuple[Diagnostic, ...] = ()
    if not analysis.has_errors:
        # KON326, KON327: the environments' placement, which needs the file and the settings.
        placement = placement_diagnostics(analysis.requirements.applications, settings_result)
        settings_diagnostics = (*settings_diagnostics, *(found for found in placement if found.path))
        _report_file_diagnostics(outcome, analysis, tuple(found for found in placement if not found.path))
    if settings_diagnostics and settings_result.source is not None:
        outcome.reports.append(DiagnosticsReport(settings_result.source, settings_diagnostics))
    if analysis.has_errors or _has_errors(settings_result) or placement:
        outcome.exit_code = EXIT_ERRORS
        outcome.messages.append("not building: fix the errors above first; nothing was written")
        return outcome

    known = sorted(
        {
            environment.name
            for application in analysis.requirements.applications
            for environment in application.environments
        }
    )
    unknown = [environment for environment in environments if environment not in known]
    if unknown:
        outcome.exit_code = EXIT_USAGE
        outcome.messages.append(
            f"unknown environment {', '.join(f'`{name}`' for name in unknown)}; the file defines {', '.join(known) or 'none'}"
        )
        return outcome

    chosen_layout = layout if layout is not None else settings_result.settings.delivery_layout
    if output == STDOUT and chosen_layout != "files" and stage == "kubernetes":
        outcome.exit_code = EXIT_USAGE
        outcome.messages.append(f"the {chosen_layout} layout is a folder of files: give one with -o DIR")
        return outcome

    settings = settings_result.settings
    delivery = Delivery(
        settings.delivery_repository,
        settings.delivery_branch,
        settings.delivery_path,
        clusters=tuple((placement.name, placement.cluster) for placement in settings.environments),
        rollout=settings.delivery_rollout,
        prune=settings.delivery_prune,
        self_heal=settings.delivery_self_heal,
        auto_sync=settings.delivery_auto_sync,
        depends_on=parse_names(settings.delivery_depends_on) or (),
        credentials=settings.delivery_credentials,
    )
    if chosen_layout in ("flux", "argocd") and not delivery.repository and stage == "kubernetes":
        outcome.exit_code = EXIT_USAGE
        outcome.messages.append(
            f"the {chosen_layout} layout needs the Git repository the output is committed to: set "
            "`[delivery] repository` (and `branch`, `path`) in koncierge.toml"
        )
        return outcome
    if chosen_layout == "argocd" and environments and stage == "kubernetes":
        outcome.exit_code = EXIT_USAGE
        outcome.messages.append(
            "the argocd layout builds every environment: its AppProject lists the namespaces of them all"
        )
        return outcome

    planned = plan(analysis, settings_result.settings, environments)
    if not planned:
        outcome.messages.append(f"nothing to build: {name} defines no application")
        return outcome
    platform = planned_platform_diagnostics(planned, settings_result.settings)
    _report_file_diagnostics(outcome, analysis, platform)
    if stage == "kubernetes" and any(diagnostic.severity is Severity.ERROR for diagnostic in platform):
        outcome.exit_code = EXIT_ERRORS
        outcome.messages.append("not building: the environments cannot be built with these settings; nothing was written")
        return outcome
    passwords: dict[str, str] = {}
    documents: PlannedManifests | None = None
    if stage == "kubernetes":
        required = required_secrets_of(planned)
        state_file = state_path(kon_path)
        changed = False
        if required:
            try:
                state = load_state(state_file)
            except StateError as error:
                return BuildOutcome(EXIT_USAGE, outcome.reports, [str(error)])
            passwords, changed = ensure_passwords(required, state)
        # New passwords are kept only once the manifests that use them are known to be valid, so a
        # refused build leaves the state file as it was.
        documents = planned_manifests(planned, passwords)
        refused = planned_limit_diagnostics(planned, documents)
        if refused:
            _report_file_diagnostics(outcome, analysis, refused)
            outcome.exit_code = EXIT_ERRORS
            outcome.messages.append(
                "not building: Kubernetes would refuse the generated objects above; nothing was written"
            )
            return outcome
        if changed and not check:
            try:
                state_text = json.dumps({"format": 1, "passwords": passwords}, indent=2, sort_keys=True) + "\n"
                write_atomically(state_file, state_text, mode=0o600)
            except OSError as error:
                return BuildOutcome(
                    EXIT_USAGE, outcome.reports, [f"cannot keep generated passwords in {state_file}: {error}"]
                )

    files = render_planned(planned, generated_from, stage, passwords, documents, chosen_layout, delivery)
    if output == STDOUT:
        outcome.stdout_text = "".join(file.text for file in files)
        return outcome
    directory = Path(output)
    if directory.exists() and not directory.is_dir():
        return BuildOutcome(EXIT_USAGE, outcome.reports, [f"{directory}: exists and is not a directory"])
    # Every build of manifests owns its applications' shared delivery files, even when its layout
    # has none: switching from flux to kustomize removes the GitRepository.
    owned = {delivery_scope(application.kubernetes_name) for application, _ in planned} if stage == "kubernetes" else set()
    return _write_tree(outcome, directory, files, write, check, force, owned)


def _write_tree(
    outcome: BuildOutcome,
    directory: Path,
    files: list[OutputFile],
    write: Callable[[Path, str], None],
    check: bool,
    force: bool,
    owned_scopes: set[str],
) -> BuildOutcome:
    """Bring the output folder to `files` (or, with `check`, say how it differs): see `output_tree`."""
    tree = [TreeFile(file.relative_path, file.scope, file.text) for file in files]
    changes = compare(directory, tree, force, owned_scopes)
    if check:
        for label, paths in (("missing", changes.missing), ("different", changes.different), ("stale", changes.stale)):
            outcome.messages.extend(f"{label}: {directory / path}" for path in paths)
        if changes.differs:
            outcome.exit_code = EXIT_ERRORS
            outcome.messages.append(f"{directory} differs from what `koncierge build` would write")
        return outcome
    if changes.conflicts:
        outcome.exit_code = EXIT_ERRORS
        outcome.messages.extend(f"not overwriting {directory / path}: {why}" for path, why in changes.conflicts)
        outcome.messages.append(
            "nothing was written: move these files away, or build with --force to replace them "
            f"(Koncierge records what it wrote in {directory / MARKER_NAME})"
        )
        return outcome
    target: list[Path] = [directory]

    def write_and_remember(path: Path, text: str) -> None:
        target[0] = path
        write(path, text)

    try:
        outcome.written, outcome.removed = apply(directory, tree, changes, write_and_remember)
    except OSError as error:
        outcome.exit_code = EXIT_USAGE
        outcome.messages.append(f"cannot write {error.filename or target[0]}: {error.strerror or error}")
    return outcome


def _has_errors(settings_result: SettingsResult) -> bool:
    return any(diagnostic.severity is Severity.ERROR for diagnostic in settings_result.diagnostics)
