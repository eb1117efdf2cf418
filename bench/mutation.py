"""Mutation testing with mutmut: how many seeded one-line bugs in a module the tests let through.

Run: `make mutation` (installs mutmut 3.8.1 into .venv), or
`.venv/bin/python bench/mutation.py [--module PATH] [--tests PATH ...] [--keep DIR]`.

mutmut changes the module one small step at a time (an operator, a constant, a string, a removed
call) and runs the tests that cover each change; a mutant the tests do not fail ("survived") is a
behaviour no test pins down. The work happens in a copy of the committed tree (`git archive HEAD`)
with `../shared` beside it, so the repository is never touched; with `--keep DIR` the copy stays,
and running again with the same DIR resumes where mutmut stopped. The compiler's `manifests.py`
gives 974 mutants, 6 to 8 minutes on this project's 2-core machine: a measurement to run by hand
(figures in docs/benchmarks.md), not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
SHARED = REPOSITORY.parent / "shared"
MUTMUT = Path(sys.executable).parent / "mutmut"

DEFAULT_MODULE = "koncierge_lang/kubernetes/manifests.py"
DEFAULT_TESTS = ("tests/compiler/", "tests/security/")


def prepare(copy: Path, module: str, tests: list[str]) -> None:
    """The committed tree in `copy`, with the mutmut settings for `module` and `tests`."""
    if (copy / "pyproject.toml").exists():
        return  # A kept copy: mutmut resumes with what it has done there.
    copy.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPOSITORY, capture_output=True, check=True).stdout
    with tempfile.TemporaryFile() as handle:
        handle.write(archive)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(copy, filter="data")
    # The tests read ../shared (CRDs, fixtures) beside the tree they run in, which is mutmut's
    # `mutants/` folder inside the copy.
    (copy / "shared").symlink_to(SHARED)
    settings = {
        "source_paths": [module],
        "pytest_add_cli_args": ["-q", "-x", "-p", "no:cacheprovider"],
        "pytest_add_cli_args_test_selection": tests,
        # The whole package and what the tests read, so that only the mutated module differs.
        "also_copy": ["koncierge_lang", "grammar", "docs", "examples", "tests", "server", "bench"],
    }
    with (copy / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write("\n[tool.mutmut]\n")
        for key, value in settings.items():
            pyproject.write(f"{key} = {json.dumps(value)}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", default=DEFAULT_MODULE, help=f"the module to mutate (default {DEFAULT_MODULE})")
    parser.add_argument("--tests", nargs="+", default=list(DEFAULT_TESTS), help="the tests to run on each mutant")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (resumable)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        copy = arguments.keep.resolve() if arguments.keep else Path(scratch) / "koncierge"
        prepare(copy, arguments.module, arguments.tests)
        run = subprocess.run([str(MUTMUT), "run", "--max-children", "2"], cwd=copy, check=False)
        if run.returncode != 0:
            sys.exit(f"mutmut failed (exit status {run.returncode}): see its output above")
        subprocess.run([str(MUTMUT), "export-cicd-stats"], cwd=copy, check=True, capture_output=True)
        stats = json.loads((copy / "mutants" / "mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    print("| module | tests | mutants | killed | survived | timeout | no tests |")
    print("|---|---|---:|---:|---:|---:|---:|")
    print(
        f"| `{arguments.module}` | {', '.join(f'`{test}`' for test in arguments.tests)} | {stats['total']} | "
        f"{stats['killed']} | {stats['survived']} | {stats['timeout']} | {stats['no_tests']} |"
    )


if __name__ == "__main__":
    main()
