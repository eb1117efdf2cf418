"""One reading of NUL (issue 16): a NUL character is KON007 at its line and column, for every command
and for `analyze` (the editor) alike, wherever it is; nothing refuses the file or skips it.

Before, `koncierge check` refused such a file as binary (exit 2) while the language server
analysed it and said nothing about a NUL in a comment or a string.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import EXAMPLES
from test_cli import koncierge
from test_one_reading import COMMANDS

from koncierge_lang.analysis import analyze
from koncierge_lang.diagnostics import Severity
from koncierge_lang.source import SourceText
from koncierge_lang.syntax.incremental import reparse
from koncierge_lang.syntax.parser import MAXIMUM_NUL_CHARACTERS_FIXED, parse

HELLO = (EXAMPLES / "hello" / "hello.kon").read_text(encoding="utf-8")


def _with_nul_before(anchor: str, text: str = HELLO) -> str:
    index = text.index(anchor)
    return text[:index] + "\x00" + text[index:]


# Where a NUL can be: in a statement (the lexer would call it an unexpected character), in a
# comment (which the lexer skips) and in a string (which would carry it into a variable).
PLACES = {
    "statement": _with_nul_before("image"),
    "comment": _with_nul_before("smallest"),
    "string": _with_nul_before("nginxinc"),
}


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_nul_anywhere_is_one_kon007_at_its_position(place: str) -> None:
    text = PLACES[place]
    diagnostics = analyze(text, "hello.kon").diagnostics
    nul_reports = [found for found in diagnostics if found.code == "KON007"]
    assert len(nul_reports) == 1
    (found,) = nul_reports
    assert found.severity is Severity.ERROR
    assert SourceText(text).offsets(found.span) == (text.index("\x00"), text.index("\x00") + 1)
    assert (found.span.start_line, found.span.start_column) == _line_and_column(text, text.index("\x00"))
    assert "NUL character" in found.message
    # Never also an "unexpected character `U+0000`".
    assert not any(found.code == "KON004" for found in diagnostics)
    # The quick fix deletes it, giving back the file without the NUL.
    (fix,) = found.fixes
    (edit,) = fix.edits
    assert edit.applied_to(text) == HELLO


def test_many_nuls_are_reported_once_with_their_count() -> None:
    """A file saved as UTF-16: a NUL after every character. One diagnostic, at the first NUL, says
    how many there are and how to save the file; too many to fix one by one, it has no fix."""
    text = "".join(character + "\x00" for character in HELLO)
    diagnostics = analyze(text, "hello.kon").diagnostics
    (found,) = [found for found in diagnostics if found.code == "KON007"]
    assert SourceText(text).offsets(found.span)[0] == 1
    assert f"{len(HELLO):,} NUL characters" in found.message
    assert "UTF-8" in found.message
    assert found.fixes == ()
    few = _with_nul_before("port", _with_nul_before("image"))
    (found,) = [found for found in analyze(few, "hello.kon").diagnostics if found.code == "KON007"]
    (fix,) = found.fixes
    assert len(fix.edits) == 2 <= MAXIMUM_NUL_CHARACTERS_FIXED


def test_an_edit_that_adds_a_nul_is_reported_like_a_fresh_parse() -> None:
    """The editor reparses incrementally: a NUL typed into a clean file (here in a comment, which the
    fragment's parse would accept silently) gives what a parse of the whole text gives."""
    previous = parse(HELLO, "hello.kon")
    assert previous.diagnostics == ()
    text = PLACES["comment"]
    incremental = reparse(previous, HELLO, text, "hello.kon")
    assert [found.code for found in incremental.diagnostics] == ["KON007"]
    assert incremental.diagnostics == parse(text, "hello.kon").diagnostics


@pytest.mark.parametrize("place", sorted(PLACES))
def test_check_reports_what_analyze_reports(tmp_path: Path, place: str) -> None:
    text = PLACES[place]
    path = tmp_path / "hello.kon"
    path.write_bytes(text.encode("utf-8"))
    result = koncierge("check", "--format", "json", str(path))
    assert result.returncode == 1, result.stderr
    reported = [(found["code"], found["range"]["start"]["line"], found["range"]["start"]["column"], found["message"])
                for found in json.loads(result.stdout)["diagnostics"]]
    expected = [(found.code, found.span.start_line, found.span.start_column, found.message)
                for found in analyze(text, str(path)).diagnostics]
    assert reported == expected
    assert ("KON007", *_line_and_column(text, text.index("\x00"))) in [entry[:3] for entry in reported]


def test_the_text_output_shows_the_nul_as_a_picture(tmp_path: Path) -> None:
    path = tmp_path / "hello.kon"
    path.write_bytes(PLACES["comment"].encode("utf-8"))
    result = koncierge("check", str(path))
    assert "\x00" not in result.stdout
    assert "# The \u2400smallest useful application" in result.stdout
    assert "error[KON007]" in result.stdout


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_reports_the_nul_and_does_nothing_else(tmp_path: Path, command: str) -> None:
    """An error like any other: exit status 1, KON007 named (or, for `fmt`, the syntax error
    pointed to), nothing written, no traceback."""
    path = tmp_path / "hello.kon"
    path.write_bytes(PLACES["string"].encode("utf-8"))
    result = koncierge(*COMMANDS[command](path, tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    output = result.stdout + result.stderr
    assert "KON007" in output or (command == "fmt" and "syntax errors" in output)
    assert not (tmp_path / "out").exists()
    assert path.read_bytes() == PLACES["string"].encode("utf-8")
