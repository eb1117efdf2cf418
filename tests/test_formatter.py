"""The formatter never hands out a text that does not mean what the file meant: it reads its
output again and refuses it if the syntax tree differs, a comment is lost or an error appears."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPOSITORY

from koncierge_lang.formatter import format_file, format_text, formatting_problem
from koncierge_lang.syntax.parser import parse

STORAGE_ENVIRONMENT = """application shop {
  environment storage "storage.example.com"
  environment PROD "example.com"
  constant greeting = { storage = "a rather long greeting for the storage environment", PROD = "and one for production" }
}
"""
"""A per-environment value too long for one line, so the formatter puts one case on each line,
and the first case's line starts with `storage`, a statement keyword."""


def test_fmt_splits_a_value_whose_environment_is_named_storage_into_a_clean_file(tmp_path: Path) -> None:
    path = tmp_path / "shop.kon"
    path.write_text(STORAGE_ENVIRONMENT, encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, "-m", "koncierge_lang", "fmt", str(path)],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert (completed.returncode, completed.stderr) == (0, "")
    formatted = path.read_text(encoding="utf-8")
    assert '\n    storage = "a rather long greeting for the storage environment"\n' in formatted
    reread = parse(formatted)
    assert not reread.diagnostics
    assert reread.file == parse(STORAGE_ENVIRONMENT).file


def test_the_check_refuses_a_formatted_text_that_does_not_mean_the_same() -> None:
    original = 'application a {\n  constant c = { PROD = "p", else = "x" }  # the default\n}\n'
    assert formatting_problem(original, format_text(original) or "") is None
    # A case left out: the tree differs.
    dropped = 'application a {\n  constant c = { else = "x" }  # the default\n}\n'
    assert formatting_problem(original, dropped) == "the formatted text would not mean the same as the file"
    # The comment left out.
    uncommented = 'application a {\n  constant c = { PROD = "p", else = "x" }\n}\n'
    assert formatting_problem(original, uncommented) == "the formatted text would lose or change a comment"


def test_the_check_refuses_what_the_printer_wrote_for_a_quoted_name_with_an_escaped_dollar() -> None:
    """Before `${` was escaped in quoted names, `application "a\\${x}"` was printed with the escape
    dropped, which is an interpolation and an error there."""
    original = 'application "a\\${x}" {}\n'
    printed_before = 'application "a${x}" {\n}\n'
    problem = formatting_problem(original, printed_before)
    assert problem is not None and problem.startswith("the formatted text would have an error at line 1, column 13: ")
    assert format_text(original) == 'application "a\\${x}" {\n}\n'


def test_a_file_with_syntax_errors_is_left_alone() -> None:
    result = format_file("application a {\n  component b {\n")
    assert result.text is None and result.has_syntax_errors and result.problem is None
