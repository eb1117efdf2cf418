"""Rename with prepareRename: every declaration and reference of a name; refuses a new name that is
not a name of the language, is a keyword, or is already declared in the same namespace."""

from __future__ import annotations

import re

from lsprotocol import types

from koncierge_server.documents import Snapshot
from koncierge_server.errors import RequestFailed
from koncierge_server.keywords import keyword_texts
from koncierge_server.positions import offset_of, range_of_offsets
from koncierge_server.scope import declarations_in, occurrences, symbol_at

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


class RenameRefused(RequestFailed):
    """Answered to the client as RequestFailed (-32803), with a message for the user."""


def prepare_rename(snapshot: Snapshot, position: types.Position) -> types.PrepareRenamePlaceholder | None:
    symbol = symbol_at(snapshot, offset_of(snapshot.source, position))
    if symbol is None or symbol.declaration is None:
        return None
    return types.PrepareRenamePlaceholder(
        range=range_of_offsets(snapshot.source, symbol.start, symbol.end), placeholder=symbol.name
    )


def rename(snapshot: Snapshot, position: types.Position, new_name: str) -> types.WorkspaceEdit | None:
    symbol = symbol_at(snapshot, offset_of(snapshot.source, position))
    if symbol is None or symbol.declaration is None:
        return None
    if not _NAME.fullmatch(new_name):
        raise RenameRefused(
            f"`{new_name}` is not a valid name: use letters, digits, `_` and `-`, starting with a letter or `_`"
        )
    if new_name in keyword_texts():
        raise RenameRefused(f"`{new_name}` is a keyword of the language")
    if new_name == symbol.name:
        return types.WorkspaceEdit(changes={snapshot.uri: []})
    in_environments = symbol.kind == "environment"
    for declaration in declarations_in(snapshot, symbol.application):
        if declaration.name == new_name and (declaration.kind == "environment") == in_environments:
            raise RenameRefused(
                f"`{new_name}` is already declared as a {declaration.kind} on line {declaration.name_span.start_line}"
            )
    edits = [
        types.TextEdit(range=range_of_offsets(snapshot.source, start, end), new_text=new_name)
        for start, end, _ in occurrences(snapshot, symbol)
    ]
    return types.WorkspaceEdit(changes={snapshot.uri: edits})
