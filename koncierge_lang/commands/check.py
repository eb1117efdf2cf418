"""`koncierge check FILE...`: report every problem in .kon files, as text, JSON or SARIF.

A file is checked as `koncierge build` and the editor check it: the analysis (syntax, names,
semantics), the platform settings beside it (`koncierge.toml`, reported once however many files
share it) and, when the file has no errors, what building each of its environments finds
(KON323-KON325, `koncierge_lang.lowering`) and how the settings place its environments
(KON326, KON327). Text is written diagnostic by diagnostic as it is
rendered, and a long source line is shown as a window around the column, so the output grows with
the number of problems and nothing else.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.architecture.placement import placement_diagnostics
from koncierge_lang.diagnostics import Diagnostic, Severity
from koncierge_lang.inputs import InputFile, InputProblem, read_input
from koncierge_lang.lowering import compiler_diagnostics, lower_file
from koncierge_lang.render import iter_json, iter_sarif, render_diagnostic, summary_line
from koncierge_lang.settings import load_settings, parse_settings, settings_path_for
from koncierge_lang.source import SourceText


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "check",
        help="report problems in .kon files",
        description="Check .kon files and report every problem with its file, line, column and code: the "
        "language's, the platform settings' (koncierge.toml beside the file; for standard input, in the current "
        "folder) and, for a file without errors, what `koncierge build` would find in its environments. "
        "Exit status: 0 when clean or only warnings, 1 when there are errors, 2 when a file cannot be read.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="a .kon file, or - for standard input")
    parser.add_argument(
        "--format", choices=("text", "json", "sarif"), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour the text output (default: auto)"
    )
    parser.set_defaults(run=run)


Report = tuple[SourceText, tuple[Diagnostic, ...]]
"""The diagnostics of one text (a .kon file or a koncierge.toml) and the text they are located in."""


def check_input(input_file: InputFile, settings_already_reported: set[str]) -> list[Report]:
    """Everything `koncierge check` reports about one file, in source order per text. The settings
    file is reported only if its path is not yet in `settings_already_reported` (which is updated).
    Raises `InputProblem` when the settings file exists but cannot be read."""
    analysis = analyze(input_file.text, input_file.path)
    kon_path = Path(input_file.path)  # `<stdin>` is in the current folder
    settings_result = load_settings(kon_path)
    diagnostics = analysis.diagnostics
    # Placement problems (KON326, KON327) need this file's environments, so they are reported with
    # it even when the settings file itself was already reported for another file.
    placement_in_settings: tuple[Diagnostic, ...] = ()
    if not analysis.has_errors:
        # The settings as read, even with errors of their own: the editor lowers with them too.
        lowered = lower_file(analysis.requirements.applications, settings_result.settings)
        placement = placement_diagnostics(analysis.requirements.applications, settings_result)
        placement_in_settings = tuple(found for found in placement if found.path)
        found = (*compiler_diagnostics(lowered), *(found for found in placement if not found.path))
        if found:
            diagnostics = tuple(sorted((*diagnostics, *found), key=Diagnostic.sort_key))
    reports: list[Report] = [(analysis.source, diagnostics)]
    settings_key = os.path.realpath(settings_path_for(kon_path))
    settings_diagnostics: tuple[Diagnostic, ...] = placement_in_settings
    if settings_result.source is not None and settings_key not in settings_already_reported:
        settings_already_reported.add(settings_key)
        settings_diagnostics = (*settings_result.diagnostics, *placement_in_settings)
    if settings_result.source is not None and settings_diagnostics:
        reports.append((settings_result.source, tuple(sorted(settings_diagnostics, key=Diagnostic.sort_key))))
    return reports


def settings_file_report(settings_text: str, settings_path: str, kon_files: Sequence[Analysis]) -> Report:
    """What `koncierge check` reports in a `koncierge.toml` (its own problems, and the placement
    problems located in it) when it checks the `.kon` files beside it, given as their analyses: the
    language server shows this for the settings file the editor has open, with the analyses it
    already has."""
    settings_result = parse_settings(settings_text, settings_path)
    found: dict[tuple[str, tuple[int, int], tuple[int, int], str], Diagnostic] = {}
    for diagnostic in settings_result.diagnostics:
        found.setdefault((diagnostic.code, diagnostic.span.start, diagnostic.span.end, diagnostic.message), diagnostic)
    for analysis in kon_files:
        if analysis.has_errors:
            continue
        for diagnostic in placement_diagnostics(analysis.requirements.applications, settings_result):
            if diagnostic.path:
                key = (diagnostic.code, diagnostic.span.start, diagnostic.span.end, diagnostic.message)
                found.setdefault(key, diagnostic)
    source = settings_result.source or SourceText(settings_text, settings_path)
    return source, tuple(sorted(found.values(), key=Diagnostic.sort_key))


def run(args: argparse.Namespace) -> int:
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    write = sys.stdout.write
    results: list[tuple[str, tuple[Diagnostic, ...]]] = []
    input_problem = False
    errors = warnings = 0
    checked_files = 0
    settings_reported: set[str] = set()
    for path in args.files:
        try:
            reports = check_input(read_input(path), settings_reported)
        except InputProblem as problem:
            print(f"koncierge check: {problem}", file=sys.stderr)
            input_problem = True
            continue
        checked_files += 1
        for source, diagnostics in reports:
            if args.format == "text":
                for diagnostic in diagnostics:
                    write(render_diagnostic(diagnostic, source, color))
            else:
                results.append((source.path, diagnostics))
            errors += _count(diagnostics, Severity.ERROR)
            warnings += _count(diagnostics, Severity.WARNING)
    if args.format == "json":
        _write_all(iter_json(results))
    elif args.format == "sarif":
        _write_all(iter_sarif(results))
    elif checked_files or not input_problem:
        print(summary_line(errors, warnings, checked_files))
    if input_problem:
        return 2
    return 1 if errors else 0


def _count(diagnostics: Iterable[Diagnostic], severity: Severity) -> int:
    return sum(1 for diagnostic in diagnostics if diagnostic.severity is severity)


def _write_all(pieces: Iterable[str]) -> None:
    write = sys.stdout.write
    for piece in pieces:
        write(piece)
