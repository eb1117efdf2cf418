"""`koncierge secrets rotate FILE NAME [--env ENV]`: a new value for a generated password.

A generated password (`secret NAME = generated`, or a database's default root password) is made
once and kept in the state file beside the `.kon` file (docs/compiler.md, "Generated passwords");
with the sops strategy it also lives, encrypted, in the Secret the build wrote. Rotating makes the
new value right away and keeps it in the state file, which every build reads first: the next
`koncierge build` writes it into the Secrets that hold it (encrypting them again in sops
environments) instead of reading the old value back from the encrypted tree. Nothing else is
written here, so the output folder changes only when someone builds, as always.

Only the strategies where Koncierge holds the value can rotate here (`plain`, `sops`); for
`external-secrets` and `volume` the value lives in the store or on the volume, and the message
says where (docs/secrets.md, "Rotation"). Exit status: 0 rotated, 1 the file or its settings have
errors, 2 a usage problem (an unknown NAME or ENV, with the closest names; an unreadable file).
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from koncierge_lang.analysis import analyze
from koncierge_lang.atomic import write_atomically
from koncierge_lang.build_pipeline import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    StateError,
    generate_password,
    generated_secret_name,
    load_state,
    plan,
    required_secrets_of,
    state_path,
)
from koncierge_lang.diagnostics import Severity
from koncierge_lang.inputs import InputProblem, read_input
from koncierge_lang.settings import load_settings

# Strategies whose values Koncierge holds, and where the others keep theirs.
HELD_BY_KONCIERGE = ("plain", "sops")
ROTATE_ELSEWHERE = {
    "external-secrets": "the value lives in the secret store: rotate it there, and the ExternalSecret brings "
    "the new value into the cluster at its next refresh",
    "volume": "the value lives on the environment's password volume: delete its file there, and the init "
    "container makes a new one at the next start",
}


@dataclass(slots=True)
class RotateOutcome:
    exit_code: int
    # What was rotated: (environment, name, state key).
    rotated: list[tuple[str, str, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "secrets",
        help="manage the secret values Koncierge holds (rotate a generated password)",
        description="Manage the secret values Koncierge holds for a .kon file (docs/secrets.md).",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION")
    rotate = actions.add_parser(
        "rotate",
        help="make a new value for a generated password",
        description="Make a new value for a generated password of FILE and keep it in the state file beside it; "
        "the next `koncierge build` writes it into the Secrets that hold it. Exit status: 0 rotated, 1 errors in "
        "the file or its settings, 2 an unknown NAME or ENV, or an unreadable file.",
    )
    rotate.add_argument("file", metavar="FILE", help="the .kon file")
    rotate.add_argument(
        "name",
        metavar="NAME",
        help="the generated secret: `db_password` for `secret db_password = generated`, "
        "`database/MYSQL_ROOT_PASSWORD` (or `MYSQL_ROOT_PASSWORD`) for a database's default",
    )
    rotate.add_argument(
        "--env", dest="environment", metavar="ENV", help="rotate it in this environment only (default: every one)"
    )
    rotate.set_defaults(run=run_rotate)
    parser.set_defaults(run=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def run_rotate(args: argparse.Namespace) -> int:
    outcome = rotate(Path(args.file), args.name, args.environment)
    for message in outcome.messages:
        print(f"koncierge secrets rotate: {message}", file=sys.stderr if outcome.exit_code else sys.stdout)
    return outcome.exit_code


def _did_you_mean(wanted: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(wanted, choices, n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def rotate(kon_path: Path, name: str, environment: str | None = None) -> RotateOutcome:
    """Replace the state's value of generated password `name` (in `environment`, or every
    environment that has it) with a new one. Never raises on user input."""
    try:
        text = read_input(str(kon_path)).text
        settings_result = load_settings(kon_path)
    except InputProblem as problem:
        return RotateOutcome(EXIT_USAGE, messages=[str(problem)])
    analysis = analyze(text, kon_path.as_posix())
    settings_errors = any(found.severity is Severity.ERROR for found in settings_result.diagnostics)
    if analysis.has_errors or settings_errors:
        return RotateOutcome(
            EXIT_ERRORS,
            messages=[f"{kon_path} or its koncierge.toml has errors; see `koncierge check {kon_path.as_posix()}`"],
        )
    settings = settings_result.settings
    declared = list(
        dict.fromkeys(item.name for application in analysis.requirements.applications for item in application.environments)
    )
    if environment is not None and environment not in declared:
        return RotateOutcome(
            EXIT_USAGE,
            messages=[
                f"`{environment}` is not an environment of {kon_path}; it declares {', '.join(declared) or 'none'}"
                + _did_you_mean(environment, declared)
            ],
        )
    # Every generated secret the file has, whatever the strategy: under external-secrets and volume
    # the cluster makes them (the architecture lists none), and rotating them is answered below.
    all_plain = replace(
        settings,
        secrets_strategy="plain",
        environments=tuple(replace(placement, secrets="") for placement in settings.environments),
    )
    secrets = required_secrets_of(plan(analysis, all_plain, (environment,) if environment else ()))
    names = sorted({generated_secret_name(secret.state_key) for secret in secrets})
    matching = [
        secret
        for secret in secrets
        if name in (generated_secret_name(secret.state_key), generated_secret_name(secret.state_key).rpartition("/")[2])
    ]
    where = f" in {environment}" if environment else ""
    if not matching:
        listed = ", ".join(f"`{item}`" for item in names) or "none"
        short = sorted({item.rpartition("/")[2] for item in names} | set(names))
        return RotateOutcome(
            EXIT_USAGE,
            messages=[
                f"`{name}` is not a generated secret of {kon_path}{where}; its generated secrets are {listed}"
                + _did_you_mean(name, short)
            ],
        )
    full_names = sorted({generated_secret_name(secret.state_key) for secret in matching})
    if len(full_names) > 1:
        return RotateOutcome(
            EXIT_USAGE,
            messages=[f"`{name}` is ambiguous: say which, {' or '.join(f'`{item}`' for item in full_names)}"],
        )

    state_file = state_path(kon_path)
    try:
        state = load_state(state_file)
    except StateError as error:
        return RotateOutcome(EXIT_USAGE, messages=[str(error)])
    outcome = RotateOutcome(EXIT_OK)
    skipped: list[str] = []
    for secret in matching:
        environment_name = secret.state_key.split("/")[1]
        strategy = settings.secrets_strategy_of(environment_name)
        if strategy not in HELD_BY_KONCIERGE:
            skipped.append(f"{environment_name} keeps its secrets with the {strategy} strategy: {ROTATE_ELSEWHERE[strategy]}")
            continue
        state[secret.state_key] = _new_password(secret.length, state.get(secret.state_key))
        outcome.rotated.append((environment_name, generated_secret_name(secret.state_key), secret.state_key))
    if not outcome.rotated:
        return RotateOutcome(EXIT_USAGE, messages=[*skipped, "nothing was rotated (docs/secrets.md, \"Rotation\")"])
    try:
        state_text = json.dumps({"format": 1, "passwords": state}, indent=2, sort_keys=True) + "\n"
        write_atomically(state_file, state_text, mode=0o600)
    except OSError as error:
        return RotateOutcome(EXIT_USAGE, messages=[f"cannot keep the new password in {state_file}: {error}"])
    outcome.messages.extend(
        f"`{secret_name}` of {environment_name}: new value kept in {state_file}"
        for environment_name, secret_name, _ in outcome.rotated
    )
    outcome.messages.extend(f"skipped: {reason}" for reason in skipped)
    sops_environments = sorted(
        {item for item, _, _ in outcome.rotated if settings.secrets_strategy_of(item) == "sops"}
    )
    encrypted = f" (encrypted again in {', '.join(sops_environments)})" if sops_environments else ""
    outcome.messages.append(
        f"next: `koncierge build {kon_path.as_posix()}` with your usual options writes it into the Secrets that "
        f"hold it{encrypted}; commit, deploy and restart the workloads that read it. A database keeps the password "
        "it was initialised with: change it inside the database too. Whoever else builds this file removes the "
        "entry from their own state file first, or their build writes the old value back"
        + (" (with the age key, their build then reads the new one from the encrypted tree)" if sops_environments else "")
    )
    return outcome


def _new_password(length: int, old: str | None) -> str:
    """A new password, never the old one (a 1 in 62**length chance, but rotation must rotate)."""
    while True:
        password = generate_password(length)
        if password != old:
            return password
