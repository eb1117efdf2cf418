"""Every feature end to end over stdio: completion, hover, navigation, rename, symbols, folding,
formatting, semantic tokens, inlay hints, code actions and the custom requests."""

from __future__ import annotations

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from koncierge_lang.formatter import format_text
from koncierge_server.protocol import ARCHITECTURE, MANIFESTS
from tests.lsp.support import TODO_TEXT, TODO_URI, diagnostics_for, document, open_text, position, replace_all


async def complete(client: LanguageClient, text: str, marker: str, delta: int = 0) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=document(), position=position(text, marker, delta))
    )
    assert isinstance(result, types.CompletionList)
    return result.items


async def reopen(client: LanguageClient, text: str) -> None:
    await open_text(client, text)


async def test_completion_keywords_come_from_the_parser_even_in_a_broken_file(client: LanguageClient) -> None:
    text = TODO_TEXT.replace("  component frontend {", "  comp\n  component frontend {")
    await reopen(client, text)
    labels = {item.label for item in await complete(client, text, "  comp\n", 6)}
    assert {"component", "database", "route", "constant", "environment"} <= labels
    assert "image" not in labels  # only valid inside a component
    items = await complete(client, text, "    port 8080\n    env SERVER_URI", 4)
    inside = {item.label for item in items}
    assert {"image", "port", "env", "mount", "replicas"} <= inside and "component" not in inside
    assert all(item.documentation for item in items if item.kind == types.CompletionItemKind.Keyword)
    assert any(item.kind == types.CompletionItemKind.Snippet and item.label.startswith("env") for item in items)


async def test_completion_names_in_scope(client: LanguageClient) -> None:
    text = TODO_TEXT.replace("route web -> frontend:8080", "route web -> ")
    await reopen(client, text)
    after_arrow = {item.label for item in await complete(client, text, "route web -> ", len("route web -> "))}
    assert after_arrow == {"backend", "frontend", "database"}
    value_items = await complete(client, text, "env DB_NAME = ", len("env DB_NAME = "))
    assert {"db_user", "db_password", "db_name", "backend", "api"} <= {item.label for item in value_items}
    # Names carry their documentation through completionItem/resolve.
    resolved = await client.completion_item_resolve_async(next(item for item in value_items if item.label == "db_name"))
    assert 'constant db_name = "todo"' in resolved.documentation.value  # type: ignore[union-attr]
    members = {item.label for item in await complete(client, text, "database.host", len("database."))}
    assert members == {"host", "port"}
    route_members = {item.label for item in await complete(client, text, "api.domain", len("api."))}
    assert route_members == {"domain", "url"}


async def test_completion_kinds_types_and_sizes(client: LanguageClient) -> None:
    text = (
        TODO_TEXT.replace('environment PROD "example.com"', 'environment STAGE like  "example.com"')
        .replace("database database mysql", "database database my")
        .replace("storage 1Gi", "storage 1")
    )
    await reopen(client, text)
    kinds = {item.label for item in await complete(client, text, "like  ", len("like "))}
    assert {"LOCAL", "DEV", "PROD"} <= kinds
    types_ = {item.label for item in await complete(client, text, "database database my", len("database database my"))}
    assert {"mysql", "postgres"} <= types_
    sizes = {item.label for item in await complete(client, text, "storage 1 ", len("storage 1"))}
    assert "1Gi" in sizes and "1Mi" in sizes


async def test_hover_keyword_and_names_per_environment(client: LanguageClient) -> None:
    await reopen(client, TODO_TEXT)
    keyword = await client.text_document_hover_async(
        types.HoverParams(text_document=document(), position=position(TODO_TEXT, "component backend", 2))
    )
    assert keyword is not None and "Deployment" in keyword.contents.value  # type: ignore[union-attr]
    route = await client.text_document_hover_async(
        types.HoverParams(text_document=document(), position=position(TODO_TEXT, "env SERVER_URI = api", 18))
    )
    value = route.contents.value  # type: ignore[union-attr]
    assert "api.todo.dev.internal.example.com" in value and "https://api.example.com" in value
    component = await client.text_document_hover_async(
        types.HoverParams(text_document=document(), position=position(TODO_TEXT, "-> backend", 4))
    )
    text = component.contents.value  # type: ignore[union-attr]
    assert "Deployment `backend`" in text and "Service `backend`" in text and "PROD" in text


async def test_definition_references_highlight(client: LanguageClient) -> None:
    await reopen(client, TODO_TEXT)
    use = position(TODO_TEXT, "env DB_HOST = database", len("env DB_HOST = d"))
    definition = await client.text_document_definition_async(
        types.DefinitionParams(text_document=document(), position=use)
    )
    assert isinstance(definition, list) and definition[0].range.start == position(
        TODO_TEXT, "database database mysql", 9
    )
    references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=document(), position=use, context=types.ReferenceContext(include_declaration=True)
        )
    )
    assert references is not None and len(references) == 2
    highlights = await client.text_document_document_highlight_async(
        types.DocumentHighlightParams(text_document=document(), position=position(TODO_TEXT, "db_user =", 1))
    )
    assert highlights is not None and len(highlights) == 3


async def test_rename_every_reference_and_refusals(client: LanguageClient) -> None:
    await reopen(client, TODO_TEXT)
    at = position(TODO_TEXT, "secret db_user", len("secret d"))
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document(), position=at)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder) and prepared.placeholder == "db_user"
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=document(), position=at, new_name="db_login")
    )
    assert edit is not None and len(edit.changes[TODO_URI]) == 3  # type: ignore[index]
    for refused in ("db_name", "not valid", "component"):
        with pytest.raises(JsonRpcException):
            await client.text_document_rename_async(
                types.RenameParams(text_document=document(), position=at, new_name=refused)
            )
    nothing = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=document(), position=position(TODO_TEXT, "image", 1))
    )
    assert nothing is None


async def test_symbols_folding_formatting(client: LanguageClient) -> None:
    messy = TODO_TEXT.replace("  component frontend {", "component    frontend {")
    await reopen(client, messy)
    outline = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document()))
    assert outline is not None and outline[0].name == "todo"
    assert [child.name for child in outline[0].children][-3:] == ["database", "web", "api"]  # type: ignore[union-attr,index]
    workspace = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="back"))
    assert workspace is not None and [symbol.name for symbol in workspace] == ["backend"]
    folds = await client.text_document_folding_range_async(types.FoldingRangeParams(text_document=document()))
    assert folds is not None and any(fold.start_line == 12 and fold.end_line == 19 for fold in folds)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=document(), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert edits is not None and edits[0].new_text == format_text(messy)


async def test_semantic_tokens_and_inlay_hints(client: LanguageClient) -> None:
    await reopen(client, TODO_TEXT)
    tokens = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(text_document=document()))
    assert tokens is not None and len(tokens.data) % 5 == 0 and len(tokens.data) > 5 * 50
    # The first token is the comment on line 0; the second is the keyword `application` on line 1.
    assert list(tokens.data[:5]) == [0, 0, len(TODO_TEXT.splitlines()[0]), 11, 0]
    assert list(tokens.data[5:10]) == [1, 0, len("application"), 0, 0]
    # `database database mysql`: the second word is the database's name, the third its type.
    decoded: dict[tuple[int, int], tuple[int, int]] = {}
    line = character = 0
    for index in range(0, len(tokens.data), 5):
        line_delta, character_delta, length, token_type, _ = tokens.data[index : index + 5]
        line += line_delta
        character = character + character_delta if line_delta == 0 else character_delta
        decoded[(line, character)] = (length, token_type)
    database_line = next(
        number for number, text in enumerate(TODO_TEXT.splitlines()) if text.strip() == "database database mysql {"
    )
    legend = ["keyword", "namespace", "class", "interface", "struct", "variable", "enumMember", "property", "type"]
    column = TODO_TEXT.splitlines()[database_line].index("database")
    assert [legend[decoded[(database_line, column + offset)][1]] for offset in (0, 9, 18)] == [
        "keyword",
        "class",
        "type",
    ]
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=document(),
            range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=100, character=0)),
        )
    )
    labels = [str(hint.label) for hint in hints or []]
    assert any("https://api.example.com" not in label and "http://api.todo.test" in label for label in labels)
    assert any("k8s: backend" in label for label in labels)


async def test_code_actions_carry_fixes_and_create_missing(client: LanguageClient) -> None:
    text = TODO_TEXT.replace("env DB_NAME = db_name", "env DB_NAME = db_nme\n    env CACHE = cache.host").replace(
        'secret base64 "bWFnaWM="', 'secret "magic"'
    )
    found = await open_text(client, text)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=document(),
            range=found[0].range,
            context=types.CodeActionContext(diagnostics=found),
        )
    )
    titles = [action.title for action in actions or [] if isinstance(action, types.CodeAction)]
    assert "Replace with `db_name`" in titles
    assert "Create component `cache`" in titles
    assert "Generate the password instead" in titles
    replace = next(a for a in actions or [] if isinstance(a, types.CodeAction) and a.title == "Replace with `db_name`")
    assert replace.edit.changes[TODO_URI][0].new_text == "db_name"  # type: ignore[union-attr,index]


async def test_custom_requests(client: LanguageClient) -> None:
    await reopen(client, TODO_TEXT)
    # pygls gives results of requests it does not know as objects with attributes.
    manifests = await client.protocol.send_request_async(
        MANIFESTS, {"textDocument": {"uri": TODO_URI}, "environment": "PROD"}
    )
    assert manifests.environment == "PROD" and "kind: Ingress" in manifests.yaml
    deployment = next(o for o in manifests.objects if o.kind == "Deployment" and o.name == "backend")
    assert deployment.sourceRange.start.line == 12
    yaml_lines = manifests.yaml.splitlines()
    assert yaml_lines[deployment.yamlLines.start] == "---"
    assert "kind: Deployment" in yaml_lines[deployment.yamlLines.start : deployment.yamlLines.end + 1]
    architecture = await client.protocol.send_request_async(ARCHITECTURE, {"textDocument": {"uri": TODO_URI}})
    assert [e.environment for e in architecture.environments] == ["LOCAL", "DEV", "INT", "PERF", "PROD"]
    with pytest.raises(JsonRpcException, match="no environment `NOPE`"):
        await client.protocol.send_request_async(MANIFESTS, {"textDocument": {"uri": TODO_URI}, "environment": "NOPE"})
    with pytest.raises(JsonRpcException, match="not open"):
        await client.protocol.send_request_async(ARCHITECTURE, {"textDocument": {"uri": "file:///nowhere.kon"}})


async def test_edits_keep_features_current(client: LanguageClient) -> None:
    await reopen(client, TODO_TEXT)
    text = TODO_TEXT.replace("route web", "route www")
    waiting = diagnostics_for(client, TODO_URI, 2)
    replace_all(client, TODO_URI, 2, text)
    await waiting
    outline = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document()))
    assert "www" in [child.name for child in outline[0].children]  # type: ignore[union-attr,index]


async def test_semantic_tokens_colour_a_keyword_the_parser_read_as_a_name_as_a_name(client: LanguageClient) -> None:
    """`port replicas 8080` names the port `replicas` (the parser reads it as a name there, as Lark
    does); the next line's `replicas 2` is the statement. Only the statement's word is a keyword."""
    text = TODO_TEXT.replace("    port 8080\n", "    port replicas 8080\n    replicas 2\n", 1)
    found = await open_text(client, text)
    assert not [d for d in found if d.code is not None and str(d.code).startswith("KON0")]
    tokens = await client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(text_document=document()))
    assert tokens is not None
    keywords = set()
    line = character = 0
    for index in range(0, len(tokens.data), 5):
        line_delta, character_delta, _, token_type, _ = tokens.data[index : index + 5]
        line += line_delta
        character = character + character_delta if line_delta == 0 else character_delta
        if token_type == 0:
            keywords.add((line, character))
    lines = text.splitlines()
    port_line = next(number for number, content in enumerate(lines) if content.strip() == "port replicas 8080")
    assert (port_line, lines[port_line].index("port")) in keywords
    assert (port_line, lines[port_line].index("replicas")) not in keywords
    assert (port_line + 1, lines[port_line + 1].index("replicas")) in keywords
