"""Full semantic tokens: keywords, names by what they declare or refer to, members, strings (with
`${...}` references inside them), numbers and comments."""

from __future__ import annotations

import dataclasses

from lsprotocol import types

from koncierge_lang.source import SourceText
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.parser import lexer_tables
from koncierge_server.documents import Snapshot
from koncierge_server.keywords import keyword_texts
from koncierge_server.positions import position_of

TOKEN_TYPES = [
    "keyword",
    "namespace",
    "class",
    "interface",
    "struct",
    "variable",
    "enumMember",
    "property",
    "type",
    "string",
    "number",
    "comment",
    "operator",
]
TOKEN_MODIFIERS = ["declaration", "readonly"]
LEGEND = types.SemanticTokensLegend(token_types=TOKEN_TYPES, token_modifiers=TOKEN_MODIFIERS)

_KIND_TYPES = {
    "application": "namespace",
    "component": "class",
    "database": "class",
    "route": "interface",
    "storage": "struct",
    "constant": "variable",
    "secret": "variable",
    "value": "variable",
    "environment": "enumMember",
}
_DECLARATION = 1
_READONLY = 2


def semantic_tokens(snapshot: Snapshot) -> types.SemanticTokens:
    if snapshot.too_large:
        return types.SemanticTokens(data=[])
    text = snapshot.text
    source = snapshot.source
    offset = source.offset
    symbols = snapshot.analysis.check_result.symbols
    # By the offset each name starts at: the tokens are read from the text.
    named: dict[int, tuple[int, str, int]] = {}
    for declaration in symbols.declarations:
        modifiers = _DECLARATION | (_READONLY if declaration.kind == "constant" else 0)
        span = declaration.name_span
        named[offset(span.start_line, span.start_column)] = (
            offset(span.end_line, span.end_column),
            _KIND_TYPES.get(declaration.kind, "variable"),
            modifiers,
        )
    for reference in symbols.references:
        modifiers = _READONLY if reference.kind == "constant" else 0
        span = reference.span
        named.setdefault(
            offset(span.start_line, span.start_column),
            (offset(span.end_line, span.end_column), _KIND_TYPES.get(reference.kind, "variable"), modifiers),
        )
    # A database's type (`database orders postgres`), read from the tree: the word before it may be
    # a keyword too (`database database mysql`).
    for application in snapshot.analysis.syntax.applications:
        for item in application.items:
            if isinstance(item, ast.Component) and item.database_type is not None:
                type_start, type_end = source.offsets(item.database_type.span)
                named.setdefault(type_start, (type_end, "type", 0))

    # Words the parser read as names although they are keywords elsewhere (`port replicas 2`):
    # coloured as the parser read them, not by the word alone.
    read_as_names = _name_starts(snapshot.analysis.syntax, source)
    tables = lexer_tables()
    keywords = keyword_texts()
    raw: list[tuple[int, int, str, int]] = []
    position = 0
    previous_significant = ""
    length = len(text)
    while position < length:
        found = tables.pattern.match(text, position)
        if found is None:
            position += 1
            continue
        kind = found.lastgroup or ""
        # The lexer's pattern skips the whitespace before a token in the same match.
        position, value, end = found.start(kind), found.group(kind), found.end()
        if kind == "COMMENT":
            raw.append((position, end, "comment", 0))
        elif kind in tables.ignored:
            pass
        elif kind == "STRING":
            cursor = position
            for start in sorted(offset for offset in named if position < offset < end):
                name_end, token_type, modifiers = named[start]
                raw.append((cursor, start, "string", 0))
                raw.append((start, name_end, token_type, modifiers))
                cursor = name_end
            raw.append((cursor, end, "string", 0))
        elif kind == "NUMBER":
            raw.append((position, end, "number", 0))
        elif kind == "NAME":
            if position in named:
                name_end, token_type, modifiers = named[position]
                raw.append((position, name_end, token_type, modifiers))
            elif previous_significant == ".":
                raw.append((position, end, "property", 0))
            elif value in keywords and position not in read_as_names:
                raw.append((position, end, "keyword", 0))
        elif value in ("->", "=", ":", "/"):
            raw.append((position, end, "operator", 0))
        if kind not in tables.ignored:
            previous_significant = value
        position = end
    return types.SemanticTokens(data=_encode(snapshot, raw))


def _name_starts(file: ast.File, source: SourceText) -> set[int]:
    """The offsets at which the syntax tree's names start."""
    starts: set[int] = set()
    pending: list[object] = list(file.applications)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Name):
            starts.add(source.offset(node.span.start_line, node.span.start_column))
        elif isinstance(node, tuple | list):
            pending.extend(node)
        elif dataclasses.is_dataclass(node):
            pending.extend(getattr(node, field.name) for field in dataclasses.fields(node) if field.name != "span")
    return starts


def _encode(snapshot: Snapshot, raw: list[tuple[int, int, str, int]]) -> list[int]:
    data: list[int] = []
    previous_line = 0
    previous_character = 0
    source = snapshot.source
    text = snapshot.text
    for start, end, token_type, modifiers in raw:
        # A comment's match takes the `\r` of a `\r\n` with it; the token ends at the line's end.
        while end > start and text[end - 1] == "\r":
            end -= 1
        if end <= start:
            continue
        start_position = position_of(source, start)
        end_position = position_of(source, end)
        if end_position.line != start_position.line:
            continue
        line_delta = start_position.line - previous_line
        character_delta = start_position.character - (previous_character if line_delta == 0 else 0)
        data.extend(
            [
                line_delta,
                character_delta,
                end_position.character - start_position.character,
                TOKEN_TYPES.index(token_type),
                modifiers,
            ]
        )
        previous_line, previous_character = start_position.line, start_position.character
    return data
