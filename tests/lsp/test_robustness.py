"""The server never dies on user input or a bad request; a bug in one feature answers that one
request with an error and the server keeps serving.

The feature bug is provoked with the test-only environment variable `KONCIERGE_LSP_TEST_FAULT`
(see `faulty_client` in conftest.py): set to a method name, that method's handler raises.
"""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from koncierge_server.documents import MAXIMUM_ANALYSED_CHARACTERS
from tests.lsp.support import TODO_TEXT, TODO_URI, diagnostics_for, document, open_text, replace_all

FAR = types.Position(line=10_000, character=10_000)


async def still_serving(client: LanguageClient, uri: str = TODO_URI) -> None:
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert symbols is not None


async def test_invalid_positions(client: LanguageClient) -> None:
    await open_text(client, TODO_TEXT)
    for position in (FAR, types.Position(line=1, character=10_000), types.Position(line=10_000, character=0)):
        await client.text_document_hover_async(types.HoverParams(text_document=document(), position=position))
        await client.text_document_completion_async(types.CompletionParams(text_document=document(), position=position))
        await client.text_document_definition_async(types.DefinitionParams(text_document=document(), position=position))
        await client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=document(), position=position)
        )
    await still_serving(client)


async def test_unknown_documents(client: LanguageClient) -> None:
    unknown = types.TextDocumentIdentifier(uri="file:///nowhere/missing.kon")
    assert await client.text_document_hover_async(types.HoverParams(text_document=unknown, position=FAR)) is None
    assert (
        await client.text_document_completion_async(types.CompletionParams(text_document=unknown, position=FAR)) is None
    )
    assert await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=unknown)) is None
    replace_all(client, unknown.uri, 5, "application x {}")  # a change to a document never opened
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=unknown))
    await open_text(client, TODO_TEXT)
    await still_serving(client)


async def test_binary_and_unicode_content(client: LanguageClient) -> None:
    binary = "".join(chr(code) for code in range(0, 0x800, 3)) + "\x00\ufffd\U0001f600" * 200
    found = await open_text(client, binary)
    assert found and found[0].code == "KON007"  # the text starts with a NUL (tests/test_nul.py)
    emoji = TODO_TEXT.replace('"To Do Application"', '"To Do 😀 Application"').replace("databse", "x")
    emoji = emoji.replace("env DB_NAME = db_name", 'env DB_NAME = "😀😀${db_nme}"')
    waiting = diagnostics_for(client, TODO_URI, 2)
    replace_all(client, TODO_URI, 2, emoji)
    unknown = next(d for d in await waiting if d.code == "KON101")
    line = emoji.splitlines()[unknown.range.start.line]
    # UTF-16: each 😀 is two code units.
    assert unknown.range.start.character == line.index("db_nme") + 2
    await still_serving(client)


async def test_huge_content(client: LanguageClient) -> None:
    huge = "# filler\n" * (MAXIMUM_ANALYSED_CHARACTERS // 9 + 10)
    found = await open_text(client, huge)
    assert len(found) == 1 and "too large" in found[0].message
    await still_serving(client)
    await client.text_document_completion_async(types.CompletionParams(text_document=document(), position=FAR))


async def test_burst_of_incremental_edits(client: LanguageClient) -> None:
    await open_text(client, TODO_TEXT)
    line = TODO_TEXT.splitlines().index("    env DB_NAME = db_name")
    version = 1
    for index in range(60):
        version += 1
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=TODO_URI, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            start=types.Position(line=line, character=len("    env DB_NAME = db_name") + index),
                            end=types.Position(line=line, character=len("    env DB_NAME = db_name") + index),
                        ),
                        text="x",
                    )
                ],
            )
        )
    found = await diagnostics_for(client, TODO_URI, version)
    unknown = next(d for d in found if d.code == "KON101")
    assert "db_name" + "x" * 60 in unknown.message
    await still_serving(client)


async def test_a_feature_bug_answers_with_an_error_and_the_server_keeps_serving(faulty_client: LanguageClient) -> None:
    await open_text(faulty_client, TODO_TEXT)
    with pytest.raises(JsonRpcException, match="textDocument/hover failed inside the Koncierge server"):
        await faulty_client.text_document_hover_async(types.HoverParams(text_document=document(), position=FAR))
    assert any("textDocument/hover failed" in message.message for message in faulty_client.log_messages)
    await still_serving(faulty_client)
    with pytest.raises(JsonRpcException):
        await faulty_client.text_document_hover_async(types.HoverParams(text_document=document(), position=FAR))
