"""Connections in the editor, over stdio: completion of ports and peers, hover on ports and
connections, rename and references through `connects to`, and the literal-address quick fix."""

from __future__ import annotations

from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp.support import TODO_URI, document, open_text, position

SHOP = """\
application shop {
  environment LOCAL "shop.test"

  component queue {
    image "rabbitmq:3.13"
    port amqp 5672
    port management 15672
  }

  component frontend {
    image "frontend:1.0"
    port http 80 -> 8080
    env QUEUE = "${queue.host}:${queue.amqp}"
    env CATALOG = "catalog:3550"
    connects to queue on management
  }

  component catalog {
    image "catalog:1.0"
    port grpc 3550
  }

  route web -> frontend:80
}
"""


async def _complete(client: LanguageClient, text: str, marker: str, delta: int) -> set[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=document(), position=position(text, marker, delta))
    )
    assert isinstance(result, types.CompletionList)
    return {item.label for item in result.items}


async def test_completion_offers_named_ports_peers_and_their_ports(client: LanguageClient) -> None:
    await open_text(client, SHOP)
    assert await _complete(client, SHOP, "${queue.amqp}", len("${queue.")) == {"host", "port", "amqp", "management"}
    text = SHOP.replace("connects to queue on management", "connects to ")
    await open_text(client, text, version=2)
    assert await _complete(client, text, "connects to ", len("connects to ")) == {"queue", "frontend", "catalog"}
    text = SHOP.replace("connects to queue on management", "connects to queue on ")
    await open_text(client, text, version=3)
    assert {"5672", "amqp", "15672", "management"} <= await _complete(
        client, text, "connects to queue on ", len("connects to queue on ")
    )


async def test_hover_says_which_port_a_member_is_and_who_connects(client: LanguageClient) -> None:
    await open_text(client, SHOP)
    member = await client.text_document_hover_async(
        types.HoverParams(text_document=document(), position=position(SHOP, "${queue.amqp}", len("${queue.a")))
    )
    assert member is not None and isinstance(member.contents, types.MarkupContent)
    assert "port `amqp` of `queue`, `5672`" in member.contents.value
    component = await client.text_document_hover_async(
        types.HoverParams(text_document=document(), position=position(SHOP, "component queue", len("component q")))
    )
    assert component is not None and isinstance(component.contents, types.MarkupContent)
    hover = component.contents.value
    assert "`queue.port` is the first port (5672)" in hover
    assert "`frontend` on 5672 (QUEUE = queue.amqp; QUEUE = queue.host)" in hover
    assert "`frontend` on 15672 (connects to queue)" in hover
    published = await client.text_document_hover_async(
        types.HoverParams(text_document=document(), position=position(SHOP, "component frontend", len("component f")))
    )
    assert published is not None and isinstance(published.contents, types.MarkupContent)
    assert "`http` 80 (the container listens on 8080)" in published.contents.value


async def test_rename_and_references_go_through_connections(client: LanguageClient) -> None:
    await open_text(client, SHOP)
    at = position(SHOP, "component queue", len("component q"))
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=document(), position=at, context=types.ReferenceContext(include_declaration=False)
        )
    )
    assert references is not None
    assert position(SHOP, "connects to queue", len("connects to ")) in [
        reference.range.start for reference in references
    ]
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=document(), position=at, new_name="broker")
    )
    assert edit is not None and edit.changes is not None
    renamed = SHOP
    for text_edit in sorted(
        edit.changes[TODO_URI], key=lambda item: (item.range.start.line, item.range.start.character), reverse=True
    ):
        lines = renamed.split("\n")
        line = lines[text_edit.range.start.line]
        lines[text_edit.range.start.line] = (
            line[: text_edit.range.start.character] + text_edit.new_text + line[text_edit.range.end.character :]
        )
        renamed = "\n".join(lines)
    assert "connects to broker on management" in renamed and "${broker.host}:${broker.amqp}" in renamed


async def test_literal_address_warning_and_its_quick_fix(client: LanguageClient) -> None:
    found = await open_text(client, SHOP)
    literal = [diagnostic for diagnostic in found if diagnostic.code == "KON222"]
    assert len(literal) == 1 and literal[0].range.start == position(SHOP, "catalog:3550")
    assert literal[0].severity == types.DiagnosticSeverity.Warning
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=document(), range=literal[0].range, context=types.CodeActionContext(diagnostics=literal)
        )
    )
    fix = next(
        action for action in actions or [] if isinstance(action, types.CodeAction) and action.title.startswith("Write")
    )
    assert fix.edit is not None and fix.edit.changes is not None
    (text_edit,) = fix.edit.changes[TODO_URI]
    line = SHOP.split("\n")[text_edit.range.start.line]
    fixed_line = line[: text_edit.range.start.character] + text_edit.new_text + line[text_edit.range.end.character :]
    assert fixed_line == '    env CATALOG = "${catalog.host}:${catalog.port}"'
    fixed = SHOP.replace(line, fixed_line)
    assert [diagnostic.code for diagnostic in await open_text(client, fixed, version=2)] == []


async def test_online_boutique_with_literal_addresses_gets_a_working_fix_at_each(client: LanguageClient) -> None:
    from tests.test_literal_addresses import BOUTIQUE, literal_version

    literal, count = literal_version(BOUTIQUE.read_text(encoding="utf-8"))
    found = await open_text(client, literal)
    warnings = [diagnostic for diagnostic in found if diagnostic.code == "KON222"]
    assert len(warnings) == count
    edits: list[types.TextEdit] = []
    for warning in warnings:
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=document(), range=warning.range, context=types.CodeActionContext(diagnostics=[warning])
            )
        )
        fix = next(
            action
            for action in actions or []
            if isinstance(action, types.CodeAction) and action.title.startswith("Write")
        )
        assert fix.edit is not None and fix.edit.changes is not None
        edits.extend(fix.edit.changes[TODO_URI])
    lines = literal.split("\n")
    for text_edit in sorted(edits, key=lambda item: (item.range.start.line, item.range.start.character), reverse=True):
        assert text_edit.range.start.line == text_edit.range.end.line
        line = lines[text_edit.range.start.line]
        lines[text_edit.range.start.line] = (
            line[: text_edit.range.start.character] + text_edit.new_text + line[text_edit.range.end.character :]
        )
    fixed = await open_text(client, "\n".join(lines), version=2)
    assert not [diagnostic for diagnostic in fixed if diagnostic.code == "KON222"]
    assert not [diagnostic for diagnostic in fixed if diagnostic.severity == types.DiagnosticSeverity.Error]


WORKLOAD = """\
application shop {
  environment LOCAL "shop.test"
  environment PROD "shop.example.com"

  component broker {
    image "broker:1.0"
    port amqp 5672
    port stomp 61613
    expose stomp in PROD
    tolerates "dedicated" = "broker" effect NoSchedule
  }
}
"""


async def test_completion_offers_exposed_ports_their_environments_and_taint_effects(client: LanguageClient) -> None:
    text = WORKLOAD.replace("expose stomp in PROD", "expose ")
    await open_text(client, text)
    assert {"5672", "amqp", "61613", "stomp"} <= await _complete(client, text, "expose ", len("expose "))
    text = WORKLOAD.replace("expose stomp in PROD", "expose stomp in ")
    await open_text(client, text, version=2)
    assert await _complete(client, text, "expose stomp in ", len("expose stomp in ")) == {"LOCAL", "PROD"}
    text = WORKLOAD.replace("effect NoSchedule", "effect ")
    await open_text(client, text, version=3)
    assert await _complete(client, text, "effect ", len("effect ")) == {"NoSchedule", "PreferNoSchedule", "NoExecute"}


async def test_hover_on_a_component_says_how_it_runs(client: LanguageClient) -> None:
    text = SHOP.replace(
        '    image "rabbitmq:3.13"\n',
        '    image "rabbitmq:3.13"\n    probe ready tcp on amqp\n    cpu 100m up to 200m\n    single instance\n'
        '    expose amqp\n    sidecar exporter {\n      image "exporter:1.0"\n      port metrics 9419\n    }\n',
    )
    found = await open_text(client, text)
    assert not [diagnostic for diagnostic in found if diagnostic.severity == types.DiagnosticSeverity.Error]
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=document(), position=position(text, "component queue", len("component q")))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    value = hover.contents.value
    assert "probe ready: tcp on 5672" in value and "cpu 100m up to 200m" in value
    assert "single instance" in value and "port 5672 reachable from outside the cluster" in value
    assert "sidecar `exporter` (exporter:1.0)" in value
