"""Go to definition, find references and document highlight, from the checker's symbols."""

from __future__ import annotations

from lsprotocol import types

from koncierge_server.documents import Snapshot
from koncierge_server.positions import offset_of, range_of, range_of_offsets
from koncierge_server.scope import occurrences, symbol_at


def definition(snapshot: Snapshot, position: types.Position) -> list[types.Location] | None:
    symbol = symbol_at(snapshot, offset_of(snapshot.source, position))
    if symbol is None or symbol.declaration is None:
        return None
    return [types.Location(uri=snapshot.uri, range=range_of(snapshot.source, symbol.declaration.name_span))]


def references(snapshot: Snapshot, position: types.Position, include_declaration: bool) -> list[types.Location] | None:
    symbol = symbol_at(snapshot, offset_of(snapshot.source, position))
    if symbol is None:
        return None
    return [
        types.Location(uri=snapshot.uri, range=range_of_offsets(snapshot.source, start, end))
        for start, end, is_declaration in occurrences(snapshot, symbol)
        if include_declaration or not is_declaration
    ]


def highlight(snapshot: Snapshot, position: types.Position) -> list[types.DocumentHighlight] | None:
    symbol = symbol_at(snapshot, offset_of(snapshot.source, position))
    if symbol is None:
        return None
    return [
        types.DocumentHighlight(
            range=range_of_offsets(snapshot.source, start, end),
            kind=types.DocumentHighlightKind.Write if is_declaration else types.DocumentHighlightKind.Read,
        )
        for start, end, is_declaration in occurrences(snapshot, symbol)
    ]
