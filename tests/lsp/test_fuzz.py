"""A seeded run of the hostile mix (issue 16): random incremental edits, every request kind at valid
and invalid positions, cancels, malformed messages, close and reopen, against the real server over
stdio. Asserts that the server never crashes, answers every request (with a result or an expected
error, never an internal error), never publishes an older version after a newer one, and, at
checkpoints, publishes exactly what `koncierge check` reports for the client's text."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from koncierge_server.positions import line_starts
from tests.lsp.raw_client import GUARD_SECONDS, RawClient, comparable_diagnostics, raw_server
from tests.lsp.support import TODO_TEXT
from tests.lsp.test_text_edits import AWKWARD, client_apply

SEED = 16
OPERATIONS = 240
CHECKPOINTS = 3
EXPECTED_ERRORS = {-32602, -32803, -32800, -32801}
"""InvalidParams, RequestFailed, RequestCancelled, ContentModified: answers, not failures."""
BUILD_CODES = {"KON323", "KON324", "KON325"}
WORDS = [
    "component ",
    "database ",
    "value ",
    "env ",
    "port 80",
    "replicas 2",
    " = ",
    "web",
    "db_name",
    "database.host",
    '"text"',
    "${db_name}",
    "{",
    "}",
    "\n",
    "\r\n",
    "\r",
    "# note\n",
    "    ",
    "->",
    "route ",
    "😀",
    *AWKWARD,
]


def _position(generator: random.Random, valid: bool) -> dict[str, int]:
    if valid:
        return {"line": generator.randrange(0, 60), "character": generator.choice([0, 1, 5, 12, 40, 2**31 - 1])}
    return {"line": generator.choice([-1, 2**31, 3]), "character": generator.choice([-7, 0, 2**32])}


def _request(generator: random.Random, uri: str) -> tuple[str, Any, bool]:
    """A random request: (method, params, omit params)."""
    document = {"uri": uri}
    at = {"textDocument": document, "position": _position(generator, generator.random() < 0.8)}
    whole_range = {"start": _position(generator, True), "end": _position(generator, True)}
    choices: list[tuple[str, Any, bool]] = [
        ("textDocument/hover", at, False),
        ("textDocument/completion", at, False),
        ("textDocument/definition", at, False),
        ("textDocument/references", {**at, "context": {"includeDeclaration": True}}, False),
        ("textDocument/documentHighlight", at, False),
        ("textDocument/prepareRename", at, False),
        ("textDocument/rename", {**at, "newName": generator.choice(["renamed", "component", "a b"])}, False),
        ("textDocument/documentSymbol", {"textDocument": document}, False),
        ("textDocument/foldingRange", {"textDocument": document}, False),
        ("textDocument/formatting", {"textDocument": document, "options": {"tabSize": 4, "insertSpaces": True}}, False),
        ("textDocument/semanticTokens/full", {"textDocument": document}, False),
        ("textDocument/inlayHint", {"textDocument": document, "range": whole_range}, False),
        (
            "textDocument/codeAction",
            {"textDocument": document, "range": whole_range, "context": {"diagnostics": []}},
            False,
        ),
        ("completionItem/resolve", {"label": "component", "data": {"uri": uri}}, False),
        ("workspace/symbol", {"query": "d"}, False),
        ("koncierge/manifests", {"textDocument": document, "environment": "PROD"}, False),
        ("koncierge/architecture", {"textDocument": document}, False),
        ("koncierge/diagram", {"textDocument": document, "view": "requirements"}, False),
        (generator.choice(["textDocument/hover", "koncierge/diagram"]), None, generator.random() < 0.5),
    ]
    return generator.choice(choices)


def _check(text: str, folder: Path) -> list[tuple[str, int, int, int, int, str]]:
    """`koncierge check`'s diagnostics for `text`, with columns in UTF-16 like the editor's."""
    path = folder / "fuzz.kon"
    path.write_bytes(text.encode("utf-8"))
    completed = subprocess.run(
        [sys.executable, "-m", "koncierge_lang", "check", "--format", "json", str(path)], capture_output=True, text=True
    )
    starts = line_starts(text)

    def units(line: int, column: int) -> int:
        start = starts[line] if line < len(starts) else len(text)
        return len(text[start : start + column].encode("utf-16-le")) // 2

    found = []
    for diagnostic in json.loads(completed.stdout)["diagnostics"]:
        start, end = diagnostic["range"]["start"], diagnostic["range"]["end"]
        found.append(
            (
                diagnostic["code"],
                start["line"] - 1,
                units(start["line"] - 1, start["column"] - 1),
                end["line"] - 1,
                units(end["line"] - 1, end["column"] - 1),
                diagnostic["message"],
            )
        )
    return sorted(found)


async def _answers(pending: list[tuple[str, asyncio.Future[dict[str, Any]]]]) -> None:
    for method, future in pending:
        try:
            answer = await asyncio.wait_for(future, GUARD_SECONDS)
        except TimeoutError:
            raise AssertionError(f"no answer to {method}") from None
        assert "result" in answer or answer.get("error", {}).get("code") in EXPECTED_ERRORS, (method, answer)
    pending.clear()


async def _checkpoint(client: RawClient, uri: str, version: int, text: str, folder: Path) -> None:
    expected = _check(text, folder)
    index, found = await client.diagnostics(uri, version)
    while any(code in BUILD_CODES for code, *_ in expected) and not any(
        d.get("source") == "koncierge build" for d in found
    ):
        index, found = await client.diagnostics(uri, version, after=index)
    assert comparable_diagnostics(found) == expected


async def test_the_hostile_mix(tmp_path: Path) -> None:
    generator = random.Random(SEED)
    uri = (tmp_path / "fuzz.kon").as_uri()
    text = TODO_TEXT
    version = 1
    pending: list[tuple[str, asyncio.Future[dict[str, Any]]]] = []
    async with raw_server() as client:
        client.open(uri, text)
        for step in range(1, OPERATIONS + 1):
            choice = generator.random()
            if choice < 0.45:
                version += 1
                start = (generator.randrange(0, 70), generator.randrange(0, 50))
                end = (start[0] + generator.randrange(0, 2), generator.randrange(0, 50))
                inserted = "".join(generator.choice(WORDS) for _ in range(generator.randrange(0, 4)))
                text = client_apply(text, start, end, inserted)
                range_ = {
                    "start": {"line": start[0], "character": start[1]},
                    "end": {"line": end[0], "character": end[1]},
                }
                client.change(uri, version, [{"range": range_, "text": inserted}])
            elif choice < 0.8:
                method, params, omit = _request(generator, uri)
                request_id, future = client.start_request(method, params, omit_params=omit)
                pending.append((method, future))
                if generator.random() < 0.2:
                    client.cancel(request_id)
            elif choice < 0.9:
                client.notify(
                    generator.choice(["textDocument/didChange", "textDocument/didOpen", "textDocument/didClose"]),
                    generator.choice([None, {}, {"textDocument": {}}, {"contentChanges": [{"range": 3}]}]),
                )
            elif choice < 0.95:
                client.send(generator.choice([b"{", b"[]", b'{"jsonrpc": "2.0"}', b'{"jsonrpc": "2.0", "id": null}']))
            else:
                client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                if generator.random() < 0.5:
                    text = TODO_TEXT
                version += 1
                client.open(uri, text, version)
            if step % (OPERATIONS // CHECKPOINTS) == 0:
                await _answers(pending)
                await _checkpoint(client, uri, version, text, tmp_path)
        await _answers(pending)
    versions = [
        message["params"].get("version")
        for message in client.notifications
        if message["method"] == "textDocument/publishDiagnostics" and message["params"].get("version") is not None
    ]
    assert versions == sorted(versions), "a version was published after a newer one"
    assert client.shown_messages() == []
    assert "Traceback" not in client.stderr
