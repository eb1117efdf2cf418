"""The `koncierge` command line: `check`, `fmt`, `build`, `secrets rotate`, `lsp`, `diagram`, `visualize`,
`explain`, and `--version`.

Every subcommand lives in `koncierge_lang.commands`. No Python traceback reaches the user: an
unexpected failure is reported in one line with a request to file a bug, and exit status 3.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from koncierge_lang import __version__
from koncierge_lang.commands import COMMAND_MODULES


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with `only`, just that subcommand's module is imported (start-up time
    matters: `koncierge build` should not pay for the diagram code)."""
    parser = argparse.ArgumentParser(
        prog="koncierge",
        description="Koncierge: state what your application needs in a .kon file; "
        "get checked requirements, Kubernetes manifests and diagrams.",
    )
    parser.add_argument("--version", action="version", version=f"koncierge {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        if only is not None and module_name != only:
            continue
        try:
            module = importlib.import_module(f"koncierge_lang.commands.{module_name}")
        except ModuleNotFoundError as error:
            if error.name == f"koncierge_lang.commands.{module_name}":
                continue
            raise
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    first_word = next((argument for argument in arguments if not argument.startswith("-")), None)
    parser = build_parser(first_word if first_word in COMMAND_MODULES else None)
    args = parser.parse_args(arguments)
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help()
        return 2
    try:
        return int(run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # The last line of defence: never show a traceback to a user.
        print(
            f"koncierge: internal error: {type(error).__name__}: {error}. "
            "This is a bug in Koncierge; please report it with the input that caused it.",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
