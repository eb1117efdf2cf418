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

Secrets strategies (docs/secrets.md): an environment whose `secrets` strategy is `sops` gets its
Secret objects in files of their own, encrypted with `sops` (`koncierge_lang/sops.py`) for the
recipients of `[secrets.sops]`, a `.sops.yaml` at the output folder's root and, with the flux
layout, a `decryption` block in its Kustomization. An encrypted file whose plaintext did not
change is kept byte for byte (its fingerprint in the marker says so), and a generated password
missing from the state file is read back from the encrypted Secret that holds it. The flux and
argocd layouts refuse plain Secret objects (KON328) unless `[secrets] allow_plain_in_git`.
The `external-secrets` and `volume` strategies hold no secret value in the output at all: nothing
here encrypts or refuses for them.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import gc
import json
import os
import string
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.architecture.from_requirements import build_architecture, index_application
from koncierge_lang.architecture.model import EnvironmentArchitecture, SecretInput, SecretItem
from koncierge_lang.architecture.placement import placement_diagnostics
from koncierge_lang.architecture.platform_warnings import platform_diagnostics
from koncierge_lang.architecture.printer import print_architectures
from koncierge_lang.architecture.secrets_in_git import plain_secrets_in_git as secrets_in_git
from koncierge_lang.atomic import write_atomically
from koncierge_lang.diagnostics import Diagnostic, Severity
from koncierge_lang.inputs import InputProblem, read_input
from koncierge_lang.kubernetes.limits import limit_diagnostics, merge_environments
from koncierge_lang.kubernetes.manifests import Manifest, manifests
from koncierge_lang.layouts import (
    LAYOUTS,
    Delivery,
    delivery_files,
    delivery_scope,
    environment_files,
    secret_paths,
)
from koncierge_lang.output_tree import (
    GENERATED_HEADER,
    MARKER_NAME,
    TreeFile,
    apply,
    compare,
    digest,
    read_bytes,
    read_marker,
)
from koncierge_lang.requirements.model import Application
from koncierge_lang.settings import Settings, SettingsResult, load_settings, parse_names
from koncierge_lang.sops import (
    CONFIG_FILE_NAME,
    KEY_FILE_VARIABLE,
    Recipients,
    SopsError,
    SopsKeyMissing,
    application_path_prefix,
    config_text,
    decrypt,
    encrypt,
    environment_path_regex,
    fingerprint,
    fingerprint_matches,
    is_encrypted,
    recipients_of,
)
from koncierge_lang.source import SourceText

STAGES = ("kubernetes", "architecture")
DEFAULT_OUTPUT_DIRECTORY = "out"
STDOUT = "-"
STATE_DIRECTORY = ".koncierge-state"
# The scope of the output folder's `.sops.yaml` in the marker: shared by every application built
# into the folder, each keeping the others' rules.
SOPS_CONFIG_SCOPE = "sops"
# The layouts whose output is meant to be committed: plain secret values there are KON328.
GIT_LAYOUTS = ("flux", "argocd")
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
    # A file of Secret objects that the sops strategy encrypts: `text` is the plaintext until
    # `seal_secrets` replaces it with the encrypted text and sets `fingerprint`.
    encrypted: bool = False
    fingerprint: str = ""


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
    sops_scopes: Collection[str] = (),
) -> list[OutputFile]:
    """The text of every output file, in memory; `generated_secrets` must hold every generated
    secret the kubernetes stage needs (see `required_secrets_of`), unless `documents` already holds
    the planned manifests (`planned_manifests`). `layout` is one of `layouts.LAYOUTS`; the flux and
    argocd layouts need `delivery`, the repository the output folder is committed to. The Secret
    files of the environments in `sops_scopes` (`todo/PROD`) are marked `encrypted`, still in
    plain text (`seal_secrets` encrypts them)."""
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
            sealed = scope in sops_scopes
            files = environment_files(
                application.kubernetes_name,
                architecture.environment,
                objects,
                header(source_name, f"environment {architecture.environment}"),
                layout,
                secrets_apart=sealed,
            )
            encrypted = (
                set(secret_paths(application.kubernetes_name, architecture.environment, objects, layout))
                if sealed
                else set()
            )
            outputs.extend(OutputFile(path, text, scope, path in encrypted) for path, text in files)
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
        sops_environments=tuple(
            sorted(
                {
                    environment.name
                    for application in analysis.requirements.applications
                    for environment in application.environments
                    if settings.secrets_strategy_of(environment.name) == "sops"
                }
            )
        ),
        credentials=settings.delivery_credentials,
        sops_secret_name=settings.sops_flux_key_secret,
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
    sops_scopes = sops_scopes_of(planned, settings) if stage == "kubernetes" else set()
    unreadable: list[PasswordLocked] = []
    recipients = Recipients(settings.sops_age_recipients, settings.sops_pgp_fingerprints)
    directory = Path(output)
    if stage == "kubernetes" and chosen_layout in GIT_LAYOUTS:
        # KON328: plain Secret objects in a tree that is meant to be committed. Nothing is written.
        plain = plain_secrets_in_git(planned, settings, chosen_layout)
        _report_file_diagnostics(outcome, analysis, plain)
        if any(found.severity is Severity.ERROR for found in plain):
            outcome.exit_code = EXIT_ERRORS
            outcome.messages.append("not building: secret values would be committed in plain text; nothing was written")
            return outcome
    if stage == "kubernetes":
        required = required_secrets_of(planned)
        state_file = state_path(kon_path)
        changed = False
        if required:
            try:
                state = load_state(state_file)
            except StateError as error:
                return BuildOutcome(EXIT_USAGE, outcome.reports, [str(error)])
            if sops_scopes and output != STDOUT:
                # A password another machine generated is in the encrypted Secret that holds it:
                # read it back rather than rotate it silently.
                try:
                    # `--check` without the key still checks everything else: the files that hold
                    # a password it cannot read are taken as they are, and said so.
                    recovered = recover_generated_passwords(
                        directory, planned, sops_scopes, state, unreadable if check else None
                    )
                except PasswordLocked as locked:
                    return BuildOutcome(EXIT_USAGE, outcome.reports, [locked.message(kon_path)])
                except SopsError as error:
                    return BuildOutcome(EXIT_USAGE, outcome.reports, [str(error)])
                state = {**state, **recovered}
                changed = bool(recovered)
            passwords, generated = ensure_passwords(required, state)
            changed = changed or generated
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

    files = render_planned(planned, generated_from, stage, passwords, documents, chosen_layout, delivery, sops_scopes)
    if output != STDOUT and directory.exists() and not directory.is_dir():
        return BuildOutcome(EXIT_USAGE, outcome.reports, [f"{directory}: exists and is not a directory"])
    if sops_scopes:
        try:
            unverified = {problem.relative_path for problem in unreadable}
            files = seal_secrets(files, None if output == STDOUT else directory, recipients, check, unverified)
        except SopsError as error:
            return BuildOutcome(EXIT_USAGE, outcome.reports, [str(error)])
        outcome.messages.extend(
            f"not verified: {path}: it holds the generated password `{generated_secret_name(key)}`, which neither "
            f"the state file nor a key ({KEY_FILE_VARIABLE}) can read"
            for path, key in sorted({(str(problem.path), problem.state_key) for problem in unreadable})
        )
        if output != STDOUT:
            files.append(
                sops_config_file(directory, analysis.requirements.applications, settings, recipients, planned)
            )
    if output == STDOUT:
        outcome.stdout_text = "".join(file.text for file in files)
        return outcome
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
    tree = [TreeFile(file.relative_path, file.scope, file.text, file.fingerprint) for file in files]
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


def sops_scopes_of(planned: Plan, settings: Settings) -> set[str]:
    """The scopes (`todo/PROD`) of the planned environments whose strategy is `sops`."""
    return {
        f"{application.kubernetes_name}/{architecture.environment}"
        for application, architectures in planned
        for architecture in architectures
        if settings.secrets_strategy_of(architecture.environment) == "sops"
    }


def plain_secrets_in_git(planned: Plan, settings: Settings, layout: str) -> tuple[Diagnostic, ...]:
    """KON328 at each planned environment whose Secret objects would hold plain values in a tree
    meant for Git (`architecture.secrets_in_git`)."""
    found: list[Diagnostic] = []
    for application, architectures in planned:
        declared = {environment.name: environment for environment in application.environments}
        for architecture in architectures:
            diagnostic = secrets_in_git(declared[architecture.environment], architecture, settings, layout)
            if diagnostic is not None:
                found.append(diagnostic)
    return tuple(found)


def generated_secret_name(state_key: str) -> str:
    """The name `koncierge secrets rotate` knows a generated password by: its state key without
    the application and environment (`todo/PROD/values/db_password` -> `db_password`,
    `todo/PROD/database/MYSQL_ROOT_PASSWORD` -> `database/MYSQL_ROOT_PASSWORD`)."""
    tail = state_key.split("/", 2)[-1]
    return tail.removeprefix("values/")


class PasswordLocked(Exception):
    """A generated password the state file lacks is in an encrypted Secret no key at hand decrypts."""

    def __init__(self, state_key: str, environment: str, directory: Path, relative_path: str) -> None:
        super().__init__(state_key)
        self.state_key = state_key
        self.environment = environment
        self.relative_path = relative_path
        self.path = directory / relative_path

    def message(self, kon_path: Path) -> str:
        name = generated_secret_name(self.state_key)
        return (
            f"the generated password `{name}` of {self.environment} is not in {state_path(kon_path)}, and "
            f"{self.path} holds it encrypted, which no age key at hand decrypts: set {KEY_FILE_VARIABLE} to the file "
            "of an age key it was encrypted for, so that the build reuses it rather than replace it silently; "
            f"or make a new one on purpose with `koncierge secrets rotate {kon_path.as_posix()} {name} "
            f"--env {self.environment}`"
        )


def _existing_secrets(directory: Path, scope: str) -> dict[str, tuple[str, str]]:
    """The Secrets a previous build wrote for `scope` (`todo/PROD`), by name: (path under
    `directory`, the file's text), encrypted or not (the environment may have been plain before).
    The files are those the marker lists for the scope and, should the marker be lost, the
    generated files where any layout puts an environment's Secrets. Their metadata is readable
    without a key."""
    found: dict[str, tuple[str, str]] = {}
    listed = {path for path, entry in read_marker(directory).items() if entry.scope == scope}
    on_disk = {
        path.relative_to(directory).as_posix()
        for pattern in (f"{scope}/secret-*.yaml", f"{scope}.secrets.yaml", f"{scope}.yaml")
        for path in directory.glob(pattern)
    }
    for path in sorted(listed | on_disk):
        data = read_bytes(directory / path)
        if data is None or (path not in listed and not data.startswith(GENERATED_HEADER)):
            continue
        try:
            text = data.decode("utf-8")
            documents = list(yaml.safe_load_all(text))
        except (UnicodeDecodeError, yaml.YAMLError):
            continue
        for document in documents:
            if isinstance(document, dict) and document.get("kind") == "Secret":
                metadata = document.get("metadata")
                if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
                    found.setdefault(metadata["name"], (path, text))
    return found


def _secret_value_of(item: SecretItem, document_value: str, known: dict[str, str]) -> tuple[str, str] | None:
    """(state key, value) of the one generated password in `item` that `known` lacks, cut out of
    the item's decrypted base64 value between the parts around it; None when that cannot be done."""
    unknown = [
        index
        for index, part in enumerate(item.parts)
        if isinstance(part, SecretInput) and part.origin == "generated" and part.state_key not in known
    ]
    if len(unknown) != 1:
        return None

    def part_bytes(part: object) -> bytes:
        if isinstance(part, str):
            return part.encode("utf-8")
        assert isinstance(part, SecretInput)
        if part.origin == "base64":
            return base64.b64decode(part.text)
        if part.origin == "generated":
            return known[part.state_key].encode("utf-8")
        return part.text.encode("utf-8")

    position = unknown[0]
    try:
        value = base64.b64decode(document_value, validate=True)
        prefix = b"".join(part_bytes(part) for part in item.parts[:position])
        suffix = b"".join(part_bytes(part) for part in item.parts[position + 1 :])
    except (ValueError, TypeError):
        return None
    if len(value) < len(prefix) + len(suffix) or not value.startswith(prefix) or not value.endswith(suffix):
        return None
    middle = value[len(prefix) : len(value) - len(suffix)]
    try:
        part = item.parts[position]
        assert isinstance(part, SecretInput)
        return part.state_key, middle.decode("utf-8")
    except UnicodeDecodeError:
        return None


def recover_generated_passwords(
    directory: Path,
    planned: Plan,
    sops_scopes: Collection[str],
    state: dict[str, str],
    locked: list[PasswordLocked] | None = None,
) -> dict[str, str]:
    """The generated passwords of sops environments that `state` lacks but an encrypted Secret a
    previous build wrote into `directory` holds, decrypted with the key at hand. A password whose
    Secret is not there yet is left out (the build generates it). When the Secret is there and no
    key decrypts it: `PasswordLocked`, or, given a `locked` list, one entry per such file in it."""
    recovered: dict[str, str] = {}
    decrypted: dict[str, list[object]] = {}
    for application, architectures in planned:
        for architecture in architectures:
            scope = f"{application.kubernetes_name}/{architecture.environment}"
            missing = {secret.state_key for secret in architecture.generated_secrets() if secret.state_key not in state}
            if scope not in sops_scopes or not missing:
                continue
            existing = _existing_secrets(directory, scope)
            for secret_set in architecture.secret_sets:
                if secret_set.name not in existing:
                    continue
                path, text = existing[secret_set.name]
                for item in secret_set.items:
                    wanted = [
                        part.state_key
                        for part in item.parts
                        if isinstance(part, SecretInput) and part.state_key in missing and part.state_key not in recovered
                    ]
                    if not wanted:
                        continue
                    if path not in decrypted:
                        try:
                            decrypted[path] = list(yaml.safe_load_all(decrypt(text) if is_encrypted(text) else text))
                        except SopsKeyMissing:
                            problem = PasswordLocked(wanted[0], architecture.environment, directory, path)
                            if locked is None:
                                raise problem from None
                            locked.append(problem)
                            decrypted[path] = []
                        except SopsError as error:
                            raise SopsError(f"{directory / path}: {error}") from None
                        except yaml.YAMLError:
                            decrypted[path] = []
                    value = _data_value(decrypted[path], secret_set.name, item.key)
                    if value is None:
                        continue
                    found = _secret_value_of(item, value, {**state, **recovered})
                    if found is not None:
                        recovered[found[0]] = found[1]
    return recovered


def _data_value(documents: list[object], secret_name: str, key: str) -> str | None:
    for document in documents:
        if not isinstance(document, dict) or document.get("kind") != "Secret":
            continue
        metadata = document.get("metadata")
        data = document.get("data")
        if isinstance(metadata, dict) and metadata.get("name") == secret_name and isinstance(data, dict):
            value = data.get(key)
            return value if isinstance(value, str) else None
    return None


def seal_secrets(
    files: list[OutputFile],
    directory: Path | None,
    recipients: Recipients,
    check: bool,
    unverified: Collection[str] = (),
) -> list[OutputFile]:
    """The files with every `encrypted` one encrypted for `recipients`, keeping the file already in
    `directory` byte for byte when its fingerprint in the marker matches the new plaintext and it
    was not edited since (SOPS encryption is not deterministic: encrypting again would change every
    byte). With `check`, nothing is encrypted: a file that would be re-encrypted keeps its
    plaintext, which differs from what is on disk, so `--check` reports it. The `unverified` paths
    (whose plaintext `--check` cannot know without a key) are taken as they are on disk when they
    are as Koncierge wrote them."""
    marker = read_marker(directory) if directory is not None else {}
    sealed: list[OutputFile] = []
    for file in files:
        if not file.encrypted:
            sealed.append(file)
            continue
        entry = marker.get(file.relative_path)
        current = read_bytes(directory / file.relative_path) if directory is not None else None
        if (
            entry is not None
            and current is not None
            and digest(current) == entry.digest
            and entry.fingerprint
            and (file.relative_path in unverified or fingerprint_matches(file.text, recipients, entry.fingerprint))
        ):
            sealed.append(dataclasses.replace(file, text=current.decode("utf-8"), fingerprint=entry.fingerprint))
        elif current is not None and (entry is None or not entry.fingerprint) and _decrypts_to(current, file.text, recipients):
            # No fingerprint to compare with (the marker was lost): with a key, the file itself says
            # it holds this plaintext for these recipients, and is kept.
            sealed.append(
                dataclasses.replace(file, text=current.decode("utf-8"), fingerprint=fingerprint(file.text, recipients))
            )
        elif check:
            sealed.append(file)
        else:
            sealed.append(
                dataclasses.replace(
                    file, text=encrypt(file.text, recipients), fingerprint=fingerprint(file.text, recipients)
                )
            )
    return sealed


def _decrypts_to(current: bytes, plaintext: str, recipients: Recipients) -> bool:
    """Whether an encrypted file is for exactly `recipients` and decrypts, with the key at hand, to
    the same objects as `plaintext`; False without a key."""
    try:
        text = current.decode("utf-8")
    except UnicodeDecodeError:
        return False
    found = recipients_of(text) if is_encrypted(text) else None
    if found is None or found != Recipients(tuple(sorted(recipients.age)), tuple(sorted(recipients.pgp))):
        return False
    try:
        return list(yaml.safe_load_all(decrypt(text))) == list(yaml.safe_load_all(plaintext))
    except (SopsError, yaml.YAMLError):
        return False


def sops_config_file(
    directory: Path,
    applications: Sequence[Application],
    settings: Settings,
    recipients: Recipients,
    planned: Plan,
) -> OutputFile:
    """`.sops.yaml` at the output folder's root: a creation rule per sops environment of the built
    applications (all their environments, not only those of `--env`), and the rules of other
    applications built into the folder before, kept from the file if Koncierge wrote it."""
    built = {application.kubernetes_name for application, _ in planned}
    rules = [
        (environment_path_regex(application.kubernetes_name, environment.name), recipients)
        for application in applications
        if application.kubernetes_name in built
        for environment in application.environments
        if settings.secrets_strategy_of(environment.name) == "sops"
    ]
    kept: list[tuple[str, Recipients]] = []
    if CONFIG_FILE_NAME in read_marker(directory):
        kept = [
            rule
            for rule in _config_rules(directory / CONFIG_FILE_NAME)
            if not any(rule[0].startswith(application_path_prefix(folder)) for folder in built)
        ]
    # One header whichever `.kon` file was built last: the file is shared, and must not change
    # when another application is built into the folder.
    comment = (
        "Generated by Koncierge: how sops encrypts the Secrets of each environment that keeps its\n"
        "secrets with sops. Run `sops` inside this folder. Do not edit this file: change koncierge.toml\n"
        "and run `koncierge build` again."
    )
    text = config_text(sorted(kept + rules, key=lambda rule: rule[0]), comment)
    return OutputFile(CONFIG_FILE_NAME, text, SOPS_CONFIG_SCOPE)


def _config_rules(path: Path) -> list[tuple[str, Recipients]]:
    """The creation rules of a `.sops.yaml` Koncierge wrote; none when it cannot be read as one."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    rules = document.get("creation_rules") if isinstance(document, dict) else None
    found: list[tuple[str, Recipients]] = []
    for rule in rules if isinstance(rules, list) else []:
        if isinstance(rule, dict) and isinstance(rule.get("path_regex"), str):
            age = tuple(part for part in str(rule.get("age") or "").split(",") if part)
            pgp = tuple(part for part in str(rule.get("pgp") or "").split(",") if part)
            found.append((rule["path_regex"], Recipients(age, pgp)))
    return found


def _has_errors(settings_result: SettingsResult) -> bool:
    return any(diagnostic.severity is Severity.ERROR for diagnostic in settings_result.diagnostics)
