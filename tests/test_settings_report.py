"""`settings_file_report`, what the editor shows in an open `koncierge.toml`, is exactly what
`koncierge check` reports in that file when it checks the `.kon` files beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from koncierge_lang.analysis import analyze
from koncierge_lang.commands.check import settings_file_report

REPOSITORY = Path(__file__).resolve().parents[1]
SETTINGS = '[environments.PROOD]\ncluster = "x"\n\n[environments.INT]\nnamespace = "todo-dev"\n\n[ingress]\nclas = "x"\n'


def test_the_settings_report_equals_what_check_reports_in_the_settings_file(tmp_path: Path) -> None:
    kon = tmp_path / "todo.kon"
    kon.write_text((REPOSITORY / "examples" / "todo" / "todo.kon").read_text())
    settings = tmp_path / "koncierge.toml"
    settings.write_text(SETTINGS)
    checked = subprocess.run(
        [sys.executable, "-m", "koncierge_lang", "check", "--format", "json", str(kon)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )
    from_check = [
        (entry["code"], entry["range"]["start"]["line"], entry["range"]["start"]["column"], entry["message"])
        for entry in json.loads(checked.stdout)["diagnostics"]
        if entry["path"] == str(settings)
    ]
    _, found = settings_file_report(SETTINGS, str(settings), [analyze(kon.read_text(), str(kon))])
    reported = [(d.code, d.span.start_line, d.span.start_column, d.message) for d in found]
    assert reported == from_check
    assert sorted(code for code, *_ in reported) == ["KON320", "KON326", "KON327"]
    # Without the .kon file, only the settings file's own problem remains.
    _, alone = settings_file_report(SETTINGS, str(settings), [])
    assert [diagnostic.code for diagnostic in alone] == ["KON320"]
