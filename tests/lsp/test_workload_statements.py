"""Issue 13's workload statements in the editor, over stdio: completion of a probe's kind and of
the environments a `cpu` or `memory` line applies in, and hover on their keywords."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import document, open_text, position

SHOP = """\
application shop {
  environment LOCAL "shop.test"
  environment PROD "shop.example.com"

  component web {
    image "nginx:1.27"
    port 8080
    probe ready http "/healthz" every 10s
    cpu 200m up to 300m in PROD
    memory 64Mi
    single instance
  }
}
"""


async def _complete(client: LanguageClient, text: str, marker: str, delta: int) -> set[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=document(), position=position(text, marker, delta))
    )
    assert isinstance(result, types.CompletionList)
    return {item.label for item in result.items}


async def test_completion_offers_the_kinds_of_probe(client: LanguageClient) -> None:
    text = SHOP.replace('probe ready http "/healthz" every 10s', "probe ")
    await open_text(client, text)
    assert await _complete(client, text, "probe ", len("probe ")) == {"ready", "live", "startup"}


async def test_completion_offers_environments_after_in_on_a_resource_line(client: LanguageClient) -> None:
    text = SHOP.replace("cpu 200m up to 300m in PROD", "cpu 200m up to 300m in ")
    await open_text(client, text)
    assert await _complete(client, text, "300m in ", len("300m in ")) == {"LOCAL", "PROD"}
    text = SHOP.replace("memory 64Mi", "memory 64Mi in LOCAL, ")
    await open_text(client, text, version=2)
    assert await _complete(client, text, "LOCAL, ", len("LOCAL, ")) == {"LOCAL", "PROD"}


async def test_hover_explains_the_statements(client: LanguageClient) -> None:
    await open_text(client, SHOP)
    for marker, expected in (
        ("probe ready", "ready for requests"),
        ("every 10s", "10s unless given"),
        ("single", "replica"),
    ):
        hover = await client.text_document_hover_async(
            types.HoverParams(text_document=document(), position=position(SHOP, marker, 1))
        )
        assert hover is not None and isinstance(hover.contents, types.MarkupContent)
        assert expected in hover.contents.value
