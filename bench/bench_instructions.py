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
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

_RUN = r"""
import importlib.util
import sys
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[4])
import koncierge_lang
assert koncierge_lang.__file__.startswith(sys.argv[1]), koncierge_lang.__file__
# The grammar is a package of its own in the wheel (`grammar/` in the repository): load the tree's.
grammar = sys.argv[1] + "/grammar"
spec = importlib.util.spec_from_file_location(
    "koncierge_lang.grammar", grammar + "/__init__.py", submodule_search_locations=[grammar]
)
module = importlib.util.module_from_spec(spec)
sys.modules["koncierge_lang.grammar"] = module
spec.loader.exec_module(module)
from importlib import resources
assert str(resources.files("koncierge_lang.grammar")).startswith(sys.argv[1])
from synthetic import generate_application
from koncierge_lang.analysis import analyze
text = generate_application(int(sys.argv[3]))
for _ in range(int(sys.argv[2])):
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
            str(runs),
            str(components),
            str(REPOSITORY / "bench"),
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
    with tempfile.TemporaryDirectory() as scratch:
        other = None
        if arguments.against:
            other = Path(scratch) / "other"
            subprocess.run(
                ["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", str(other), arguments.against],
                check=True,
                capture_output=True,
            )
        try:
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
        finally:
            if other is not None:
                subprocess.run(
                    ["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(other)],
                    check=False,
                    capture_output=True,
                )


if __name__ == "__main__":
    main()
