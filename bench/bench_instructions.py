"""Instructions executed per parse-and-check, counted by Valgrind's callgrind: a figure that does
not move with this machine's speed, which varies by 10 to 25 % over minutes.

Run: `.venv/bin/python bench/bench_instructions.py [--against REVISION] [N ...]` (N defaults to
300; each count takes about half a minute). With `--against`, the same count is made for another
revision of the repository (checked out in a temporary git worktree) and the change is printed:
the way to tell whether an optimisation pays before the wall-clock figures of bench_check.py can.

The count is the difference between a process that analyses the text three times and one that
does it once, halved: start-up, imports and the grammar's load cancel out. Each revision runs with
its own `koncierge_lang` and its own grammar, and the same hash seed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from revisions import BENCH, PRELUDE, REPOSITORY, checkout  # noqa: E402

_RUN = PRELUDE + r"""
from synthetic import generate_application
from koncierge_lang.analysis import analyze
text = generate_application(int(sys.argv[4]))
for _ in range(int(sys.argv[3])):
    analyze(text).diagnostics
"""


def instructions(tree: Path, runs: int, components: int) -> int:
    completed = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            _RUN,
            str(tree),
            BENCH,
            str(runs),
            str(components),
        ],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        check=False,
        # The same hash seed for both revisions: set and dict layouts change the count a little.
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = re.search(r"Collected : (\d+)", completed.stderr)
    if completed.returncode != 0 or found is None:
        raise SystemExit(f"callgrind failed on {tree}:\n{completed.stderr[-2000:]}")
    return int(found.group(1))


def per_analysis(tree: Path, components: int) -> float:
    """Millions of instructions per `analyze(text).diagnostics`."""
    return (instructions(tree, 3, components) - instructions(tree, 1, components)) / 2 / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("components", nargs="*", type=int, default=[300])
    parser.add_argument("--against", metavar="REVISION", help="also count a git revision, and print the change")
    arguments = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    with ExitStack() as stack:
        other = stack.enter_context(checkout(arguments.against)) if arguments.against else None
        header = "| components | this tree (M instructions) |"
        if other is not None:
            header += f" {arguments.against} (M instructions) | change |"
        print(header)
        print("|---:|---:|" + ("---:|---:|" if other is not None else ""))
        for components in arguments.components:
            this = per_analysis(REPOSITORY, components)
            row = f"| {components:,} | {this:,.1f} |"
            if other is not None:
                before = per_analysis(other, components)
                row += f" {before:,.1f} | {(this - before) / before * 100:+.1f} % |"
            print(row, flush=True)


if __name__ == "__main__":
    main()
