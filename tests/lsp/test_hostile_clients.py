"""A hostile client gets an answer to every request, no error dialog, and the server keeps the
editor's exact text (issue 16). Driven over stdio by a bare JSON-RPC client (raw_client.py), since
an ordinary client library refuses to send most of these messages."""

from __future__ import annotations

import random
from typing import Any

from tests.lsp.raw_client import RawClient, comparable_diagnostics, raw_server
from tests.lsp.support import TODO_TEXT
from tests.lsp.test_text_edits import AWKWARD, client_apply

URI = "file:///tmp/koncierge-hostile/todo.kon"
INVALID_PARAMS = -32602
REQUEST_FAILED = -32803
BROKEN = TODO_TEXT.replace("env DB_HOST = database.host", "env DB_HOST = databse.host")


def _document(uri: str = URI) -> dict[str, Any]:
    return {"uri": uri}


def _at(line: int, character: int) -> dict[str, Any]:
    return {"textDocument": _document(), "position": {"line": line, "character": character}}


async def _still_serving(client: RawClient, uri: str = URI) -> None:
    answer = await client.request("textDocument/documentSymbol", {"textDocument": _document(uri)})
    assert answer.get("result"), answer


def _tokens(answer: dict[str, Any]) -> list[int]:
    return list(answer["result"]["data"])


async def test_params_that_fail_validation_are_answered_with_invalid_params() -> None:
    async with raw_server() as client:
        client.open(URI, TODO_TEXT)
        await client.diagnostics(URI, 1)
        invalid: list[tuple[str, Any, bool]] = [
            ("textDocument/hover", _at(-1, 0), False),
            ("textDocument/hover", _at(0, 2**31), False),
            ("textDocument/completion", _at(2**31 + 5, -3), False),
            ("textDocument/definition", None, False),
            ("textDocument/hover", None, True),
            ("textDocument/rename", {"textDocument": _document(), "position": {"line": 0}}, False),
            ("textDocument/semanticTokens/full", {"textDocument": {}}, False),
            ("koncierge/manifests", None, True),
            ("koncierge/architecture", None, False),
            ("koncierge/diagram", None, True),
            ("koncierge/diagram", {"textDocument": _document(), "view": 7}, False),
            ("koncierge/manifests", {"textDocument": _document()}, False),
        ]
        for method, params, omit in invalid:
            answer = await client.request(method, params, omit_params=omit)
            assert answer.get("error", {}).get("code") == INVALID_PARAMS, (method, params, answer)
            assert answer["error"]["message"], (method, params)
        await _still_serving(client)
    assert "Traceback" not in client.stderr


async def test_refusals_are_request_failed_and_not_logged_as_failures() -> None:
    async with raw_server() as client:
        client.open(URI, TODO_TEXT)
        await client.diagnostics(URI, 1)
        line = TODO_TEXT.splitlines().index("    env DB_NAME = db_name")
        at_name = _at(line, len("    env DB_NAME = d"))
        for new_name in ("component", "not a name"):
            answer = await client.request("textDocument/rename", {**at_name, "newName": new_name})
            assert answer["error"]["code"] == REQUEST_FAILED, answer
        await _still_serving(client)
    assert "Traceback" not in client.stderr


async def test_malformed_notifications_are_logged_once_and_never_shown() -> None:
    async with raw_server() as client:
        client.open(URI, TODO_TEXT)
        await client.diagnostics(URI, 1)
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": URI, "version": 2},
                "contentChanges": [
                    {"range": {"start": {"line": -4, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}
                ],
            },
        )
        client.notify("textDocument/didOpen", {"textDocument": {"uri": URI}})
        client.notify("textDocument/didClose", None)
        client.notify("textDocument/didSave", omit_params=True)
        client.notify("koncierge/noSuchNotification", {"a": 1})
        client.send(b"{this is not json")
        await _still_serving(client)
        # The change that failed validation was not applied: the text is still version 1's.
        answer = await client.request(
            "textDocument/formatting", {"textDocument": _document(), "options": {"tabSize": 4, "insertSpaces": True}}
        )
        assert "result" in answer, answer
        warnings = [message for message in client.log_messages() if message["type"] == 2]
    assert client.shown_messages() == []
    assert sum("malformed textDocument/didChange" in message["message"] for message in warnings) == 1
    assert "Traceback" not in client.stderr
    assert "not JSON" in client.stderr


async def test_random_edits_leave_the_server_with_the_clients_text() -> None:
    """Edits at random places with every line break Python knows, lone carriage returns and
    surrogate pairs; then the server's view of the document (its semantic tokens, diagnostics and
    formatting) equals its view of the client's text opened fresh under another uri."""
    generator = random.Random(16)
    text = "# intro \u2028 still a comment\r" + TODO_TEXT.replace("\n", "\r\n", 3)
    async with raw_server(KONCIERGE_LSP_DEBOUNCE_MS="0") as client:
        client.open(URI, text)
        await client.diagnostics(URI, 1)
        version = 1
        for _ in range(150):
            version += 1
            line = generator.randrange(0, 8)
            start = (line, generator.randrange(0, 40))
            end = (line + generator.randrange(0, 2), generator.randrange(0, 40))
            inserted = "# " + "".join(generator.choice(AWKWARD) for _ in range(generator.randrange(0, 4)))
            if generator.random() < 0.5:
                inserted = "".join(generator.choice(AWKWARD) for _ in range(generator.randrange(0, 3)))
            text = client_apply(text, start, end, inserted)
            range_ = {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}
            client.change(URI, version, [{"range": range_, "text": inserted}])
        text = client_apply(text, (10_000, 0), (10_000, 0), "\rvalue x = missing_name\r\n")
        client.change(
            URI,
            version + 1,
            [
                {
                    "range": {"start": {"line": 10_000, "character": 0}, "end": {"line": 10_001, "character": 5}},
                    "text": "\rvalue x = missing_name\r\n",
                }
            ],
        )
        _, edited = await client.diagnostics(URI, version + 1)
        fresh_uri = "file:///tmp/koncierge-hostile/fresh.kon"
        client.open(fresh_uri, text)
        _, fresh = await client.diagnostics(fresh_uri, 1)
        assert comparable_diagnostics(edited) == comparable_diagnostics(fresh)
        assert edited
        tokens = [
            await client.request("textDocument/semanticTokens/full", {"textDocument": _document(uri)})
            for uri in (URI, fresh_uri)
        ]
        assert _tokens(tokens[0]) == _tokens(tokens[1])


async def test_lone_carriage_returns_are_line_breaks() -> None:
    async with raw_server() as client:
        client.open(URI, BROKEN.replace("\n", "\r"))
        _, found = await client.diagnostics(URI, 1)
        lf_uri = "file:///tmp/koncierge-hostile/lf.kon"
        client.open(lf_uri, BROKEN)
        _, expected = await client.diagnostics(lf_uri, 1)
        assert comparable_diagnostics(found) == comparable_diagnostics(expected)
        assert any(d["range"]["start"]["line"] > 0 for d in found)


async def test_one_document_per_decoded_uri_and_a_reopen_replaces_it() -> None:
    encoded, decoded = "file:///tmp/koncierge-hostile/my%20app.kon", "file:///tmp/koncierge-hostile/my app.kon"
    async with raw_server() as client:
        client.open(encoded, BROKEN)
        index, found = await client.diagnostics(encoded, 1)
        assert any(d["code"] == "KON101" for d in found)
        # The same version opened again with other text: the new text is analysed.
        client.open(encoded, TODO_TEXT)
        index, found = await client.diagnostics(encoded, 1, after=index)
        assert not any(d["code"] == "KON101" for d in found)
        # A change through the other spelling of the uri edits the same document, whose diagnostics
        # keep the uri it was opened with.
        line = TODO_TEXT.splitlines().index("    env DB_HOST = database.host")
        client.change(
            decoded,
            2,
            [
                {
                    "range": {"start": {"line": line, "character": 18}, "end": {"line": line, "character": 19}},
                    "text": "x",
                }
            ],
        )
        index, found = await client.diagnostics(encoded, 2, after=index)
        assert any(d["code"] == "KON101" for d in found)
        hover = await client.request(
            "textDocument/hover", {"textDocument": _document(encoded), "position": {"line": line, "character": 5}}
        )
        assert hover.get("result") is not None
        client.notify("textDocument/didClose", {"textDocument": _document(decoded)})
        index, found = await client.diagnostics(encoded, None, after=index)
        assert found == []
        answer = await client.request(
            "textDocument/hover", {"textDocument": _document(encoded), "position": {"line": line, "character": 5}}
        )
        assert answer == {"jsonrpc": "2.0", "id": answer["id"], "result": None}


async def test_a_comment_token_in_a_crlf_file_ends_at_the_line_end() -> None:
    text = "# a comment\r\n" + TODO_TEXT.replace("\n", "\r\n")
    async with raw_server() as client:
        client.open(URI, text)
        await client.diagnostics(URI, 1)
        data = _tokens(await client.request("textDocument/semanticTokens/full", {"textDocument": _document()}))
        assert data[:3] == [0, 0, len("# a comment")]
        lines = text.split("\r\n")
        line = character = 0
        for index in range(0, len(data), 5):
            line += data[index]
            character = data[index + 1] + (character if data[index] == 0 else 0)
            assert character + data[index + 2] <= len(lines[line]), (line, character, data[index + 2])


async def test_an_edit_is_analysed_at_once_while_the_compiler_pass_waits_for_a_pause() -> None:
    """The compiler pass waits for typing to pause (here for ten minutes); an edit meanwhile is
    analysed at once, not after that wait (which the guard of raw_client.py would fail)."""
    async with raw_server(KONCIERGE_LSP_COMPILER_IDLE_MS="600000") as client:
        client.open(URI, TODO_TEXT)
        await client.diagnostics(URI, 1)
        line = TODO_TEXT.splitlines().index("    env DB_HOST = database.host")
        for version in (2, 3):
            character = 18 if version == 2 else 19
            client.change(
                URI,
                version,
                [
                    {
                        "range": {
                            "start": {"line": line, "character": character},
                            "end": {"line": line, "character": character},
                        },
                        "text": "x",
                    }
                ],
            )
            _, found = await client.diagnostics(URI, version)
            assert any(d["code"] == "KON101" for d in found)
