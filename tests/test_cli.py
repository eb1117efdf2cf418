"""The `koncierge` command line, run as a user runs it: a subprocess, exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPOSITORY

TODO = EXAMPLES / "todo" / "todo.kon"


def koncierge(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        [sys.executable, "-m", "koncierge_lang", *args],
        input=stdin,
        capture_output=True,
        cwd=cwd or REPOSITORY,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return subprocess.CompletedProcess(
        completed.args, completed.returncode, completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8")
    )


BROKEN = 'application a {\n  environment LOCAL "a.test"\n  component b {\n    image "b:1.0"\n    port 8080\n    env X = missing_value\n  }\n}\n'


def test_check_clean_example_exits_zero_with_warnings_only() -> None:
    result = koncierge("check", str(TODO))
    assert result.returncode == 0
    assert "warning[KON302]" in result.stdout
    # KON323 is found by building PROD (Let's Encrypt's staging server): check reports it as build does.
    assert "warning[KON323]" in result.stdout
    assert result.stdout.strip().endswith("1 file checked: 0 errors, 6 warnings")


def test_check_reports_location_source_line_and_caret(tmp_path: Path) -> None:
    path = tmp_path / "broken.kon"
    path.write_text(BROKEN, encoding="utf-8")
    result = koncierge("check", str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}:6:13: error[KON101]: `missing_value` is not declared in application `a`"
    assert lines[1] == " 6 |     env X = missing_value"
    assert lines[2] == "   |             ^^^^^^^^^^^^^"
    assert "\x1b[" not in result.stdout, "no colour when not writing to a terminal"


def test_check_reads_standard_input() -> None:
    result = koncierge("check", "-", stdin=BROKEN.encode())
    assert result.returncode == 1
    assert result.stdout.startswith("<stdin>:6:13: error[KON101]")


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda tmp: str(tmp / "nope.kon"), "no such file"),
        (lambda tmp: str(tmp), "is a directory"),
        (lambda tmp: (tmp / "l.kon").write_bytes(b"application \xe9 {}") and str(tmp / "l.kon"), "not UTF-8"),
    ],
    ids=["missing", "directory", "latin-1"],
)
def test_unusable_input_is_one_clear_line_and_exit_two(tmp_path: Path, make, expected: str) -> None:  # type: ignore[no-untyped-def]
    result = koncierge("check", make(tmp_path))
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_json_format(tmp_path: Path) -> None:
    path = tmp_path / "broken.kon"
    path.write_text(BROKEN, encoding="utf-8")
    result = koncierge("check", "--format", "json", str(path))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    (diagnostic,) = data["diagnostics"]
    assert diagnostic["code"] == "KON101"
    assert diagnostic["severity"] == "error"
    assert diagnostic["range"]["start"] == {"line": 6, "column": 13}


def test_sarif_format(tmp_path: Path) -> None:
    path = tmp_path / "broken.kon"
    path.write_text(BROKEN, encoding="utf-8")
    result = koncierge("check", "--format", "sarif", str(path), str(TODO))
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["KON101", "KON323", "KON302", "KON309", "KON309", "KON302", "KON308"]
    first = results[0]
    assert rule_ids[first["ruleIndex"]] == "KON101"
    assert first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (6, 13)
    assert results[1]["level"] == "warning"


def test_fmt_rewrites_keeps_comments_and_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "messy.kon"
    path.write_text(
        '# top\napplication   a {  environment LOCAL   "a.test" # local\n component b { image "b:1.0"\n port 80 }\n}',
        encoding="utf-8",
    )
    assert koncierge("fmt", "--check", str(path)).returncode == 1
    result = koncierge("fmt", str(path))
    assert result.returncode == 0
    formatted = path.read_text(encoding="utf-8")
    assert formatted == (
        '# top\napplication a {\n  environment LOCAL "a.test"  # local\n  component b {\n'
        '    image "b:1.0"\n    port 80\n  }\n}\n'
    )
    assert koncierge("fmt", "--check", str(path)).returncode == 0


def test_fmt_leaves_a_file_with_syntax_errors_untouched(tmp_path: Path) -> None:
    path = tmp_path / "broken.kon"
    original = "application a {\n  component b {\n"
    path.write_text(original, encoding="utf-8")
    result = koncierge("fmt", str(path))
    assert result.returncode == 1
    assert "left untouched" in result.stderr
    assert path.read_text(encoding="utf-8") == original


def test_version_and_help_on_every_command() -> None:
    version = koncierge("--version")
    assert version.returncode == 0 and version.stdout.startswith("koncierge ")
    main_help = koncierge("--help")
    commands = [name for name in ("check", "fmt", "build", "lsp") if name in main_help.stdout]
    assert {"check", "fmt"} <= set(commands)
    for command in commands:
        result = koncierge(command, "--help")
        assert result.returncode == 0, command
        assert f"usage: koncierge {command}" in result.stdout


def test_check_reports_what_build_reports(tmp_path: Path) -> None:
    """The same diagnostics, the same text: `check` on a file that builds says what `build` says."""
    checked = koncierge("check", str(TODO))
    built = koncierge("build", str(TODO), "-o", str(tmp_path / "out"))
    assert built.returncode == 0 and checked.returncode == 0
    build_diagnostics = [line for line in built.stderr.splitlines() if not line.startswith("wrote ")]
    check_diagnostics = checked.stdout.splitlines()[:-1]
    assert "warning[KON323]" in built.stderr
    assert check_diagnostics == build_diagnostics


def test_explain_prints_only_what_concerns_it(tmp_path: Path) -> None:
    """The explained environment's own compiler diagnostics (KON323 is PROD's, not LOCAL's), and
    with errors only the errors that stop it: the warnings are `koncierge check`'s to list."""
    prod = koncierge("explain", "network", str(TODO), "--env", "PROD")
    assert prod.returncode == 0 and "Allowed connections of todo in PROD" in prod.stdout
    assert "warning[KON323]" in prod.stderr and "KON302" not in prod.stderr
    local = koncierge("explain", "network", str(TODO), "--env", "LOCAL")
    assert local.returncode == 0 and local.stderr == ""
    broken = tmp_path / "broken.kon"
    broken.write_text(TODO.read_text(encoding="utf-8").replace("database.host", "databse.host"), encoding="utf-8")
    result = koncierge("explain", "network", str(broken), "--env", "PROD")
    assert result.returncode == 1 and result.stdout == ""
    codes = [line.split("[", 1)[1].split("]", 1)[0] for line in result.stderr.splitlines() if "[KON" in line]
    assert codes == ["KON101"]
    assert result.stderr.splitlines()[-1] == f"koncierge explain: {broken} has errors; nothing to explain"
