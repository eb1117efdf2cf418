"""`koncierge diagram FILE --view VIEW [--env NAME] [--unfold] [--format svg|png|dot] [-o PATH]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from koncierge_lang.analysis import analyze
from koncierge_lang.diagnostics import Severity
from koncierge_lang.diagrams.dot import to_dot
from koncierge_lang.diagrams.model import VIEWS
from koncierge_lang.diagrams.output import STDOUT, emit, format_for
from koncierge_lang.diagrams.render import FORMATS
from koncierge_lang.diagrams.views import DiagramRequestError, default_environment, diagram_of
from koncierge_lang.inputs import InputProblem, read_input
from koncierge_lang.render import render_text
from koncierge_lang.settings import Settings, load_settings

UNFOLD_HELP = (
    "draw configuration and secrets (values, configuration and secret sets, ConfigMaps, Secrets) and each "
    "workload's own ServiceAccount and NetworkPolicy as nodes of their own, instead of listing them in the "
    "workloads that use them; in a large diagram (over 400 nodes), each Service too, instead of a line in the "
    "workload it selects"
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "diagram",
        help="draw the requirements, architecture or Kubernetes view of a .kon file",
        description="Draw one view of a .kon file with Graphviz. `--format dot` always works; svg and png need "
        "Graphviz's `dot` program. Exit status: 0 when drawn, 1 when the file has errors, 2 for usage problems "
        "(an unreadable file, an unknown environment, Graphviz missing).",
    )
    parser.add_argument("file", metavar="FILE", help="a .kon file, or - for standard input")
    parser.add_argument("--view", required=True, choices=VIEWS, help="what to draw")
    parser.add_argument(
        "--env",
        metavar="NAME",
        help="the environment of the architecture and kubernetes views (default: the PROD one, else the last)",
    )
    parser.add_argument("--unfold", action="store_true", help=UNFOLD_HELP)
    parser.add_argument("--format", choices=FORMATS, help="output format (default: from -o's extension, else svg)")
    parser.add_argument("-o", "--output", default=STDOUT, metavar="PATH", help="where to write (default: standard output)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        input_file = read_input(args.file)
    except InputProblem as problem:
        print(f"koncierge diagram: {problem}", file=sys.stderr)
        return 2
    analysis = analyze(input_file.text, input_file.path)
    if analysis.has_errors:
        sys.stderr.write(render_text(analysis.errors, analysis.source, False))
        print("koncierge diagram: not drawing: fix the errors above first", file=sys.stderr)
        return 1
    settings = Settings()
    if args.file != "-" and args.view != "requirements":
        try:
            settings_result = load_settings(Path(args.file))
        except InputProblem as problem:
            print(f"koncierge diagram: {problem}", file=sys.stderr)
            return 2
        settings_errors = tuple(d for d in settings_result.diagnostics if d.severity is Severity.ERROR)
        if settings_errors and settings_result.source is not None:
            sys.stderr.write(render_text(settings_errors, settings_result.source, False))
            return 1
        settings = settings_result.settings
    try:
        drawn = diagram_of(analysis, args.view, args.env, settings, unfold=args.unfold)
    except DiagramRequestError as problem:
        print(f"koncierge diagram: {problem}", file=sys.stderr)
        return 2
    applications = analysis.requirements.applications
    if args.env is None and drawn.environment is not None and applications and len(applications[0].environments) > 1:
        chosen = default_environment(applications[0])
        if chosen is not None:
            print(f"koncierge diagram: drawing environment {chosen.name}; choose another with --env", file=sys.stderr)
    return emit(to_dot(drawn.diagram), format_for(args.format, args.output), args.output, "diagram")
