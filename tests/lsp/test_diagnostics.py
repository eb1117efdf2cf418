"""Diagnostics on open, change, save and close, with the same codes and ranges as `koncierge check`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from koncierge_lang.analysis import analyze
from koncierge_lang.render import documentation_url
from tests.lsp.support import TODO_TEXT, TODO_URI, diagnostics_for, document, open_text, replace_all

BROKEN = TODO_TEXT.replace("env DB_HOST = database.host", "env DB_HOST = databse.host")


async def test_open_reports_what_koncierge_check_reports(client: LanguageClient) -> None:
    found = await open_text(client, BROKEN)
    expected = analyze(BROKEN, "todo.kon").diagnostics
    assert [d.code for d in found] == [d.code for d in expected]
    for lsp, ours in zip(found, expected, strict=True):
        assert lsp.range.start.line == ours.span.start_line - 1
        assert lsp.range.start.character == ours.span.start_column - 1
        assert lsp.range.end.character == ours.span.end_column - 1
        assert lsp.code_description is not None and lsp.code_description.href == documentation_url(ours.code)
    unknown = next(d for d in found if d.code == "KON101")
    assert "databse" in unknown.message and unknown.severity == types.DiagnosticSeverity.Error
    assert unknown.data["fixes"][0]["edits"][0]["newText"] == "database"


async def test_fixing_the_problem_clears_it_and_close_clears_all(client: LanguageClient) -> None:
    assert any(d.code == "KON101" for d in await open_text(client, BROKEN))
    waiting = diagnostics_for(client, TODO_URI, 2)
    replace_all(client, TODO_URI, 2, TODO_TEXT)
    assert not any(d.code == "KON101" for d in await waiting)
    waiting = diagnostics_for(client, TODO_URI, None)  # type: ignore[arg-type]
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=document()))
    assert await waiting == []


async def test_related_information_points_at_the_declaration(client: LanguageClient) -> None:
    text = TODO_TEXT.replace("-> backend:8080", "-> backend:9090")
    found = await open_text(client, text)
    missing_port = next(d for d in found if d.code == "KON103")
    assert missing_port.related_information
    assert missing_port.related_information[0].location.range.start.line == 12


async def test_save_publishes_again(client: LanguageClient) -> None:
    await open_text(client, BROKEN)
    waiting = diagnostics_for(client, TODO_URI, 1)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=document()))
    assert any(d.code == "KON101" for d in await waiting)


async def test_compiler_problems_appear_in_the_source(client: LanguageClient) -> None:
    """A database name of 50 characters passes the checker, but its backup CronJob in the
    environments that keep backups (PERF, PROD) gets a name Kubernetes refuses: only building
    each environment finds it (KON324). The problem is shown on the database."""
    name = "d" * 50
    text = TODO_TEXT.replace("database database mysql", f"database {name} mysql").replace(
        "database.host", f"{name}.host"
    )
    assert not any(d.severity.value == "error" for d in analyze(text, "todo.kon").diagnostics)
    await open_text(client, text)
    while True:
        found = await diagnostics_for(client, TODO_URI, 1)
        if any(d.source == "koncierge build" for d in found):
            break
    problems = [d for d in found if d.source == "koncierge build" and d.code == "KON324"]
    # One diagnostic for both environments, with the code and documentation link `koncierge build` gives.
    assert len(problems) == 1 and problems[0].severity == types.DiagnosticSeverity.Error
    assert "CronJob" in problems[0].message and problems[0].message.startswith("in PERF, PROD: ")
    assert problems[0].code_description is not None and problems[0].code_description.href == documentation_url("KON324")
    assert problems[0].range.start.line == text.splitlines().index(f"  database {name} mysql {{")


async def test_never_published_for_an_older_version(client: LanguageClient) -> None:
    """A burst of edits: every publication is for the latest version sent before it."""
    await open_text(client, TODO_TEXT)
    text = TODO_TEXT
    for version in range(2, 32):
        text = text.replace("# The ancestor", "# The ancestor" + "s", 1)
        replace_all(client, TODO_URI, version, text)
    final = await diagnostics_for(client, TODO_URI, 31)
    assert all(d.code != "KON001" for d in final)
    # Everything that arrived after the burst is for the last version; nothing older follows it.
    assert list(client.diagnostics[TODO_URI]) == final


def _check_json(path: str) -> list[tuple[str, int, int, int, int, str]]:
    completed = subprocess.run(
        [sys.executable, "-m", "koncierge_lang", "check", "--format", "json", path], capture_output=True, text=True
    )
    return sorted(
        (
            found["code"],
            found["range"]["start"]["line"] - 1,
            found["range"]["start"]["column"] - 1,
            found["range"]["end"]["line"] - 1,
            found["range"]["end"]["column"] - 1,
            found["message"],
        )
        for found in json.loads(completed.stdout)["diagnostics"]
    )


async def test_the_editor_and_koncierge_check_report_the_same_problems(client: LanguageClient, tmp_path: Path) -> None:
    """One set of diagnostics: the To Do example's KON323 (found by building PROD) is reported by
    the editor and by `koncierge check` alike, with everything else; so is a KON324 that only
    building finds, and the checker's own problems."""
    name = "d" * 50
    texts = {
        "todo.kon": TODO_TEXT,
        "long-database.kon": TODO_TEXT.replace("database database mysql", f"database {name} mysql").replace(
            "database.host", f"{name}.host"
        ),
        "broken.kon": BROKEN,
    }
    for file_name, text in texts.items():
        path = tmp_path / file_name
        path.write_text(text, encoding="utf-8")
        expected = _check_json(str(path))
        from_building = any(code in {"KON323", "KON324", "KON325"} for code, *_ in expected)
        found = await open_text(client, text, path.as_uri())
        while from_building and not any(d.source == "koncierge build" for d in found):
            found = await diagnostics_for(client, path.as_uri(), 1)
        published = sorted(
            (
                str(d.code),
                d.range.start.line,
                d.range.start.character,
                d.range.end.line,
                d.range.end.character,
                d.message,
            )
            for d in found
        )
        assert published == expected, file_name
    assert any(code == "KON323" for code, *_ in _check_json(str(tmp_path / "todo.kon")))
    assert any(code == "KON324" for code, *_ in _check_json(str(tmp_path / "long-database.kon")))
