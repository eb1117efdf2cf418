"""The platform settings in the editor: `koncierge.toml` beside a `.kon` file changes what the
hover of an environment says (its namespace, cluster and profile as `koncierge build` places it),
and the settings file itself gets the diagnostics `koncierge check` reports about it. Also a
component's hover that does not wait for a large file's compiler pass (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from bench.synthetic import generate_application
from tests.lsp.conftest import _config, start
from tests.lsp.support import TODO_TEXT, diagnostics_for, open_text, position

PLACEMENT = '[environments.PROD]\nnamespace = "shop"\ncluster = "eu-prod"\n\n[environments.DEV]\nprofile = "performance"\n'


async def hover_text(client: LanguageClient, uri: str, text: str, marker: str) -> str:
    """The hover at the last word of `marker`."""
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position(text, marker, len(marker) - 1)
        )
    )
    assert hover is not None
    return hover.contents.value  # type: ignore[union-attr]


async def test_environment_hover_follows_the_placement_settings(client: LanguageClient, tmp_path: Path) -> None:
    kon = tmp_path / "todo.kon"
    kon.write_text(TODO_TEXT)
    (tmp_path / "koncierge.toml").write_text(PLACEMENT)
    await open_text(client, TODO_TEXT, kon.as_uri())
    prod = await hover_text(client, kon.as_uri(), TODO_TEXT, "environment PROD")
    assert "namespace `shop` on cluster `eu-prod`, profile `performance`" in prod
    dev = await hover_text(client, kon.as_uri(), TODO_TEXT, "environment DEV")
    assert "namespace `todo-dev` on cluster `default`, profile `performance`" in dev
    intermediate = await hover_text(client, kon.as_uri(), TODO_TEXT, "environment INT")
    assert "namespace `todo-int` on cluster `default`, profile `budget`" in intermediate


def open_settings(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="toml", version=version, text=text)
        )
    )


async def test_the_settings_file_gets_what_check_reports_in_it_as_it_is_typed(
    client: LanguageClient, tmp_path: Path
) -> None:
    kon = tmp_path / "todo.kon"
    kon.write_text(TODO_TEXT)
    settings = tmp_path / "koncierge.toml"
    text = '[environments.PROOD]\ncluster = "x"\n\n[ingress]\nclas = "x"\n'
    settings.write_text(text)
    waiting = diagnostics_for(client, settings.as_uri(), 1)
    open_settings(client, settings.as_uri(), text)
    found = await waiting
    assert [(d.code, d.range.start.line, d.range.start.character) for d in found] == [
        ("KON326", 0, 1),
        ("KON320", 4, 0),
    ]
    assert "did you mean `PROD`" in found[0].message and found[0].severity == types.DiagnosticSeverity.Error

    # Typed, not saved: the server checks the editor's text.
    waiting = diagnostics_for(client, settings.as_uri(), 2)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=settings.as_uri(), version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=4, character=0), end=types.Position(line=4, character=4)),
                    text="class",
                )
            ],
        )
    )
    assert [d.code for d in await waiting] == ["KON326"]

    # The .kon file open in the editor, with PROD renamed PROOD: the table now names a declared
    # environment, and the settings file's diagnostics follow the unsaved text.
    renamed = TODO_TEXT.replace("environment PROD ", "environment PROOD ")
    waiting = diagnostics_for(client, settings.as_uri(), 2)
    await open_text(client, renamed, kon.as_uri())
    assert [d.code for d in await waiting] == []

    # Nothing else is answered for the settings file, and closing it clears its diagnostics.
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=settings.as_uri()), position=types.Position(0, 1))
    )
    assert hover is None
    waiting = diagnostics_for(client, settings.as_uri(), None)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=settings.as_uri()))
    )
    assert await waiting == []


@pytest_lsp.fixture(config=_config(KONCIERGE_LSP_COMPILER_IDLE_MS="600000"))
async def client_without_compiler_pass(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    """A server whose compiler pass waits ten minutes of quiet: as if it had not run yet."""
    await start(lsp_client)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_a_component_hover_answers_without_waiting_for_a_large_files_compiler_pass(
    client_without_compiler_pass: LanguageClient, tmp_path: Path
) -> None:
    """Issue 16: a hover on a component of a large file must not wait for the lowering of every
    environment; it says the Kubernetes objects come once the compiler has run. A small file's
    hover lowers at once (test_features.py shows its objects)."""
    client = client_without_compiler_pass
    text = generate_application(120)
    uri = (tmp_path / "large.kon").as_uri()
    await open_text(client, text, uri)
    marker = "component service1"
    assert marker in text
    hover = await hover_text(client, uri, text, marker)
    assert "once the compiler has run" in hover and "| environment | Kubernetes objects |" not in hover


STORE_KON = """application shop "Shop" {
  environment DEV "shop.dev.example.com"

  secret stripe_key = from store "payments/stripe-key"

  component web {
    image "nginx:1.27"
    port 8080
    env STRIPE_KEY = stripe_key as file
  }
}
"""


async def test_a_store_secret_the_strategy_cannot_read_is_an_error_at_its_use_in_the_editor(
    client: LanguageClient, tmp_path: Path
) -> None:
    """Issue 15: KON329 comes with the compiler's problems, once typing pauses, where the secret
    is used (no koncierge.toml: the `plain` strategy). test_secrets_settings.py shows the same
    lowering without it under `external-secrets`."""
    kon = tmp_path / "shop.kon"
    kon.write_text(STORE_KON)
    await open_text(client, STORE_KON, kon.as_uri())
    while True:
        published = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        found = [d for d in published.diagnostics if d.code == "KON329"] if published.uri == kon.as_uri() else []
        if found:
            break
    (diagnostic,) = found
    assert diagnostic.range.start == position(STORE_KON, "env STRIPE_KEY")
    assert diagnostic.severity == types.DiagnosticSeverity.Error and "`plain`" in diagnostic.message
