"""Through pytest-lsp, as an editor: after incremental edits around characters Python's
`splitlines` breaks at (and LSP does not), the server's text is still the editor's. Observed
through what the server answers: the semantic tokens and diagnostics of the edited document equal
those of the editor's final text opened fresh."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import TODO_TEXT, diagnostics_for, open_text
from tests.lsp.test_text_edits import client_apply

EDITED = "file:///tmp/koncierge-editor-text/edited.kon"
FRESH = "file:///tmp/koncierge-editor-text/fresh.kon"


def _change(line: int, start: int, end_line: int, end: int, text: str) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(
            start=types.Position(line=line, character=start), end=types.Position(line=end_line, character=end)
        ),
        text=text,
    )


async def test_the_server_ends_with_the_editors_text(client: LanguageClient) -> None:
    text = "# one \u2028 two \x0c three \x85 four \u2029 five \x1c\x1d\x1e six\n" + TODO_TEXT.replace(
        "env DB_HOST = database.host", "env DB_HOST = databse.host"
    )
    await open_text(client, text, EDITED)
    edits = [
        (1, 0, 1, 0, "# 😀 \x0b\r"),  # a lone carriage return: a new line for LSP
        (1, 3, 1, 4, "\u2028"),  # inside the surrogate pair's line, after the pair
        (2, 0, 2, 0, "# moved? \u2028\n"),
        (0, 999, 0, 999, " end of the first line"),
        (3, 0, 3, 2, ""),
    ]
    for version, (line, start, end_line, end, inserted) in enumerate(edits, start=2):
        text = client_apply(text, (line, start), (end_line, end), inserted)
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=EDITED, version=version),
                content_changes=[_change(line, start, end_line, end, inserted)],
            )
        )
    edited = await diagnostics_for(client, EDITED, len(edits) + 1)
    fresh = await open_text(client, text, FRESH)
    assert [(d.code, d.range) for d in edited] == [(d.code, d.range) for d in fresh]
    assert any(d.code == "KON101" for d in edited)
    tokens = [
        await client.text_document_semantic_tokens_full_async(
            types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        for uri in (EDITED, FRESH)
    ]
    assert tokens[0] is not None and tokens[1] is not None
    assert tokens[0].data == tokens[1].data
