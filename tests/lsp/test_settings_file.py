"""The platform settings in the editor: `koncierge.toml` beside a `.kon` file changes what the
hover of an environment says (its namespace, cluster and profile as `koncierge build` places it),
and the settings file itself gets the diagnostics `koncierge check` reports about it."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import TODO_TEXT, open_text, position

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
