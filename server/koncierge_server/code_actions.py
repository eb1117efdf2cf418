"""Code actions: every fix a diagnostic carries (read back from its `data`, nothing recomputed),
and "create the missing component / value" for a reference to a name that is not declared."""

from __future__ import annotations

import re
from typing import Any

from lsprotocol import types
from lsprotocol.converters import get_converter

from koncierge_server.documents import Snapshot
from koncierge_server.positions import offset_of, position_of

_CONVERTER = get_converter()
UNKNOWN_REFERENCE = "KON101"


def code_actions(snapshot: Snapshot, params: types.CodeActionParams) -> list[types.CodeAction]:
    actions: list[types.CodeAction] = []
    for diagnostic in params.context.diagnostics:
        actions.extend(_carried_fixes(snapshot.uri, diagnostic))
        if diagnostic.code == UNKNOWN_REFERENCE:
            action = _create_missing(snapshot, diagnostic)
            if action is not None:
                actions.append(action)
    return actions


def _carried_fixes(uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    data: Any = diagnostic.data
    if not isinstance(data, dict) or not isinstance(data.get("fixes"), list):
        return []
    actions = []
    for fix in data["fixes"]:
        try:
            edits = [_CONVERTER.structure(edit, types.TextEdit) for edit in fix["edits"]]
            title = str(fix["title"])
        except Exception:  # noqa: BLE001 - a client may send back any data; such a fix is skipped.
            continue
        actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=bool(fix.get("safe")) and len(data["fixes"]) == 1,
                edit=types.WorkspaceEdit(changes={uri: edits}),
            )
        )
    return actions


def _create_missing(snapshot: Snapshot, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    source = snapshot.source
    text = snapshot.text
    start = offset_of(source, diagnostic.range.start)
    end = offset_of(source, diagnostic.range.end)
    name = text[start:end]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
        return None
    before = text[max(0, start - 100) : start].rstrip()
    after = text[end : end + 10]
    position = source.line_and_column(start)
    application = next((a for a in snapshot.analysis.syntax.applications if a.span.contains(position)), None)
    if application is None:
        return None
    closing = source.offset(*application.span.end) - 1
    if text[closing : closing + 1] != "}":
        return None
    line_start = text.rfind("\n", 0, closing) + 1
    insert_at = line_start if text[line_start:closing].strip() == "" else closing
    if before.endswith("->") or re.match(r"\.(host|port)\b", after):
        title = f"Create component `{name}`"
        new_text = f'\n  component {name} {{\n    image "registry.example.com/{name}:1.0.0"\n    port 8080\n  }}\n'
    elif re.match(r"\.(domain|url)\b", after):
        return None
    else:
        title = f"Create constant `{name}`"
        new_text = f'\n  constant {name} = ""\n'
    insertion = types.Range(start=position_of(source, insert_at), end=position_of(source, insert_at))
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes={snapshot.uri: [types.TextEdit(range=insertion, new_text=new_text)]}),
    )
