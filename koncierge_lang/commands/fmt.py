"""`koncierge fmt [--check] FILE...`: rewrite .kon files in the canonical layout."""

from __future__ import annotations

import argparse
import sys

from koncierge_lang.atomic import write_atomically
from koncierge_lang.formatter import format_file
from koncierge_lang.inputs import InputProblem, read_input


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "fmt",
        help="format .kon files in the canonical layout",
        description="Rewrite .kon files in the canonical layout, keeping comments and meaning. A file with "
        "syntax errors is left untouched, and so is a file whose formatted text, read again, would not "
        "mean the same. Exit status: 0 when done (or, with --check, when every file is formatted), 1 when "
        "a file has syntax errors, could not be formatted safely or (with --check) needs formatting, 2 "
        "when a file cannot be read.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="a .kon file, or - to format standard input to standard output")
    parser.add_argument("--check", action="store_true", help="change nothing; list the files that need formatting")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        try:
            input_file = read_input(path)
        except InputProblem as problem:
            print(f"koncierge fmt: {problem}", file=sys.stderr)
            status = 2
            continue
        result = format_file(input_file.text, input_file.path)
        formatted = result.text
        if formatted is None:
            if result.has_syntax_errors:
                print(
                    f"koncierge fmt: {input_file.path}: has syntax errors and was left untouched "
                    f"(see `koncierge check {path}`)",
                    file=sys.stderr,
                )
            else:
                print(
                    f"koncierge fmt: {input_file.path}: left untouched: {result.problem} "
                    "(a bug in Koncierge's formatter: please report it with the file)",
                    file=sys.stderr,
                )
            status = max(status, 1)
            continue
        # Written back in the file's own line endings (and byte-order mark), which the reading normalised.
        written = input_file.as_written(formatted)
        original = input_file.as_written(input_file.text)
        if path == "-":
            if args.check:
                if written != original:
                    print("<stdin>: needs formatting")
                    status = max(status, 1)
            else:
                sys.stdout.write(written)
            continue
        if written == original:
            continue
        if args.check:
            print(f"{input_file.path}: needs formatting")
            status = max(status, 1)
        else:
            write_atomically(path, written)
            print(f"formatted {input_file.path}")
    return status
