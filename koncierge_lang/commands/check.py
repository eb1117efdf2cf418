"""`koncierge check FILE...`: report every problem in .kon files, as text, JSON or SARIF."""

from __future__ import annotations

import argparse
import sys

from koncierge_lang.analysis import analyze
from koncierge_lang.diagnostics import Diagnostic, Severity
from koncierge_lang.inputs import InputProblem, read_input
from koncierge_lang.render import render_json, render_sarif, render_text, summary_line


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "check",
        help="report problems in .kon files",
        description="Check .kon files and report every problem with its file, line, column and code. "
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


def run(args: argparse.Namespace) -> int:
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    results: list[tuple[str, tuple[Diagnostic, ...]]] = []
    input_problem = False
    errors = warnings = 0
    for path in args.files:
        try:
            input_file = read_input(path)
        except InputProblem as problem:
            print(f"koncierge check: {problem}", file=sys.stderr)
            input_problem = True
            continue
        analysis = analyze(input_file.text, input_file.path)
        diagnostics = analysis.diagnostics
        results.append((input_file.path, diagnostics))
        errors += sum(1 for d in diagnostics if d.severity is Severity.ERROR)
        warnings += sum(1 for d in diagnostics if d.severity is Severity.WARNING)
        if args.format == "text":
            sys.stdout.write(render_text(diagnostics, analysis.source, color))
    if args.format == "json":
        sys.stdout.write(render_json(results))
    elif args.format == "sarif":
        sys.stdout.write(render_sarif(results))
    else:
        print(summary_line(errors, warnings, len(results)))
    if input_problem:
        return 2
    return 1 if errors else 0
