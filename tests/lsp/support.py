"""Helpers for the end-to-end tests: open a text, edit it, wait for its diagnostics, find positions."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.conftest import TODO

TODO_TEXT = TODO.read_text(encoding="utf-8")
TODO_URI = TODO.as_uri()


async def diagnostics_for(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    """Wait until diagnostics for `version` of `uri` arrive (never sleeps)."""
    while True:
        params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        if params.uri == uri and (params.version == version or version is None):
            return list(params.diagnostics)


async def open_text(client: LanguageClient, text: str, uri: str = TODO_URI, version: int = 1) -> list[types.Diagnostic]:
    waiting = diagnostics_for(client, uri, version)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="koncierge", version=version, text=text)
        )
    )
    return await waiting


def replace_all(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def position(text: str, marker: str, delta: int = 0) -> types.Position:
    """The position of the first `marker` in `text` (plus `delta` characters), in UTF-16."""
    offset = text.index(marker) + delta
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    prefix = text[line_start:offset]
    return types.Position(line=line, character=len(prefix.encode("utf-16-le")) // 2)


def document(uri: str = TODO_URI) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)
