"""Running a benchmark on another revision of the repository, for before-and-after figures.

`checkout(revision)` makes a temporary git worktree; `PRELUDE` is the Python that a fresh process
runs first so that it imports that tree's `koncierge_lang` and loads that tree's grammar (the
grammar is a package of its own in the wheel, `grammar/` in the repository, which an editable
install would otherwise take from the working copy).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent

PRELUDE = r"""
import importlib.util
import sys
from importlib import resources

tree = sys.argv[1]
sys.path.insert(0, tree)
sys.path.insert(0, sys.argv[2])  # this repository's bench/: the same synthetic files for every revision
import koncierge_lang

assert koncierge_lang.__file__.startswith(tree), koncierge_lang.__file__
spec = importlib.util.spec_from_file_location(
    "koncierge_lang.grammar", tree + "/grammar/__init__.py", submodule_search_locations=[tree + "/grammar"]
)
module = importlib.util.module_from_spec(spec)
sys.modules["koncierge_lang.grammar"] = module
spec.loader.exec_module(module)
assert str(resources.files("koncierge_lang.grammar")).startswith(tree)
"""
"""Expects the tree's path as the process's first argument and `BENCH` as its second."""

BENCH = str(REPOSITORY / "bench")


@contextmanager
def checkout(revision: str) -> Iterator[Path]:
    """A temporary worktree of `revision`, removed afterwards."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        subprocess.run(
            ["git", "-C", str(REPOSITORY), "worktree", "add", "--detach", str(tree), revision],
            check=True,
            capture_output=True,
        )
        try:
            yield tree
        finally:
            subprocess.run(
                ["git", "-C", str(REPOSITORY), "worktree", "remove", "--force", str(tree)],
                check=False,
                capture_output=True,
            )
