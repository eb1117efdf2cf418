"""`koncierge build FILE [-o DIR] [--env NAME]... [--stage architecture|kubernetes]`.

Writes one multi-document YAML file per environment (`out/todo/PROD.yaml`), or with `--layout
kustomize` one folder per environment (`out/todo/PROD/kustomization.yaml` and a file per object), or
the deployment architecture (`out/todo/architecture.yaml`), or everything to standard output with
`-o -`. Only files that change are written; `out/.koncierge-generated` records what Koncierge wrote,
so that files it no longer generates are removed and files edited by hand are not overwritten
without `--force`; `--check` writes nothing and says whether the folder is up to date.
Diagnostics go to standard error, so `-o -` output can be piped into `kubectl apply -f -`.
Exit status: 0 built (warnings allowed), 1 errors in the input (nothing written), 2 a usage or
file problem (a missing file, an unknown environment, an output that cannot be written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from koncierge_lang.build_pipeline import (
    DEFAULT_OUTPUT_DIRECTORY,
    STAGES,
    STDOUT,
    BuildOutcome,
    relaxed_garbage_collection,
    run_build,
)
from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.layouts import LAYOUTS
from koncierge_lang.source import SourceText


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "build",
        help="generate Kubernetes manifests (or the deployment architecture) from a .kon file",
        description="Generate one multi-document YAML file per environment from a .kon file, after checking it. "
        "With errors nothing is written. Exit status: 0 built, 1 errors in the input, 2 a usage or file problem.",
    )
    _add_arguments(parser)
    parser.set_defaults(run=run)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the .kon file to build")
    parser.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default=DEFAULT_OUTPUT_DIRECTORY,
        help=f"directory to write into, one folder per application (default: ./{DEFAULT_OUTPUT_DIRECTORY}); "
        "- for standard output",
    )
    parser.add_argument(
        "--env",
        dest="environments",
        action="append",
        default=[],
        metavar="NAME",
        help="build only this environment (repeatable; default: all)",
    )
    parser.add_argument(
        "--stage",
        choices=STAGES,
        default="kubernetes",
        help="kubernetes: the manifests (default); architecture: the deployment architecture model",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default=None,
        help="files: one multi-document YAML file per environment (default); kustomize: one folder per "
        "environment with one file per object and a kustomization.yaml; flux, argocd: the kustomize tree and "
        "the objects that make Flux or Argo CD deploy it (overrides [delivery] layout)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and list the missing, different and stale files when DIR differs "
        "from what the build would write, 0 when it is up to date",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace (or remove) generated files that were edited by hand, and files Koncierge did not write",
    )
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour diagnostics (default: auto)"
    )


def run(args: argparse.Namespace) -> int:
    with relaxed_garbage_collection():
        outcome = run_build(
            Path(args.file),
            args.output,
            tuple(args.environments),
            args.stage,
            layout=args.layout,
            check=args.check,
            force=args.force,
        )
    color = args.color == "always" or (args.color == "auto" and sys.stderr.isatty())
    _report(outcome, color)
    if outcome.stdout_text:
        sys.stdout.write(outcome.stdout_text)
        sys.stdout.flush()
    elif outcome.exit_code == 0 and args.output != STDOUT:
        for path in outcome.written:
            print(f"wrote {path}", file=sys.stderr)
        for path in outcome.removed:
            print(f"removed {path} (no longer generated)", file=sys.stderr)
    return outcome.exit_code


def _report(outcome: BuildOutcome, color: bool) -> None:
    for report in outcome.reports:
        sys.stderr.write(_render(report.diagnostics, report.source, color))
    for message in outcome.messages:
        print(f"koncierge build: {message}", file=sys.stderr)


def _render(diagnostics: Sequence[Diagnostic], source: SourceText, color: bool) -> str:
    try:
        from koncierge_lang.render import render_text
    except ImportError:  # The renderer is optional for this command: fall back to one line each.
        return "".join(
            f"{diagnostic.path or source.path}:{diagnostic.span.start_line}:{diagnostic.span.start_column}: "
            f"{diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}\n"
            for diagnostic in diagnostics
        )
    return render_text(diagnostics, source, color)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m koncierge_lang.commands.build`: the command on its own, for tests and benchmarks."""
    parser = argparse.ArgumentParser(prog="koncierge build")
    _add_arguments(parser)
    args = parser.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
