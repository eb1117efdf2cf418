"""Incremental parsing: after an edit, re-read only the statements it touched.

An editor sends a new version of the file after every keystroke. When the previous version
parsed without errors and the edit lies within one application's body, only the statements
around the edit are parsed again (with the grammar's `application_body` start rule); the
statements before it are kept as they are, and those after it are moved by the edit's length.
Anything else (an edit across statements' boundaries at the file's top level, a previous version
with syntax errors, a fragment that does not parse cleanly) falls back to a full parse, so the
result is always exactly what `parse(new_text)` gives; a property test checks that.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from koncierge_lang.performance import paused_garbage_collection
from koncierge_lang.source import SourceText, Span
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.builder import RuleNode
from koncierge_lang.syntax.parser import ParseResult, _RecoveringParser, parse


def reparse(previous: ParseResult, previous_text: str, text: str, path: str = "<input>") -> ParseResult:
    """The parse of `text`, reusing `previous` (the parse of `previous_text`) where it can."""
    if previous.diagnostics or previous_text == text:
        return parse(text, path) if previous_text != text else previous
    with paused_garbage_collection():
        result = _reparse(previous, previous_text, text, path)
    return result if result is not None else parse(text, path)


def _edit_region(old: str, new: str) -> tuple[int, int, int]:
    """(start, old end, new end) of the part that differs between the two texts."""
    limit = min(len(old), len(new))
    start = 0
    # Compare in blocks first: most of a large file is unchanged.
    block = 4096
    while start + block <= limit and old[start : start + block] == new[start : start + block]:
        start += block
    while start < limit and old[start] == new[start]:
        start += 1
    suffix = 0
    maximum_suffix = limit - start
    while suffix + block <= maximum_suffix and old[len(old) - suffix - block : len(old) - suffix] == new[
        len(new) - suffix - block : len(new) - suffix
    ]:
        suffix += block
    while suffix < maximum_suffix and old[len(old) - suffix - 1] == new[len(new) - suffix - 1]:
        suffix += 1
    return start, len(old) - suffix, len(new) - suffix


def _reparse(previous: ParseResult, old_text: str, text: str, path: str) -> ParseResult | None:
    start, old_end, new_end = _edit_region(old_text, text)
    delta = new_end - old_end
    applications = previous.file.applications
    for index, application in enumerate(applications):
        body_start = old_text.find("{", application.name.span.end if not application.description else application.description.span.end)
        body_end = application.span.end - 1  # the closing `}`
        if body_start == -1 or not (body_start < start and old_end <= body_end):
            continue
        body_start += 1
        items = application.items
        before = [item for item in items if item.span.end < start]
        # What follows the edit is moved, not read again, only from a line the edit did not touch:
        # there every column stays the same.
        # (The newline before such a statement is itself untouched, so its line starts in the same
        # place in the new text.)
        after = [item for item in items if _line_start(old_text, item.span.start) - 1 >= old_end]
        fragment_start = before[-1].span.end if before else body_start
        fragment_old_end = after[0].span.start if after else body_end
        if fragment_old_end < old_end or (not after and _line_start(old_text, body_end) - 1 < old_end):
            return None
        fragment_new_end = fragment_old_end + delta
        source = SourceText(text, path)
        fragment = _parse_fragment(source, fragment_start, fragment_new_end)
        if fragment is None:
            return None
        new_items, new_comments = fragment
        old_lines = old_text.count("\n", start, old_end)
        line_delta = text.count("\n", start, new_end) - old_lines
        moved = tuple(shift(item, delta, line_delta) for item in after)
        last_line = source.line_and_column(application.span.end + delta)
        new_application = dataclasses.replace(
            application,
            items=tuple(before) + new_items + moved,
            span=Span(
                application.span.start,
                application.span.end + delta,
                application.span.start_line,
                application.span.start_column,
                last_line[0],
                last_line[1],
            ),
        )
        later = tuple(shift(other, delta, line_delta) for other in applications[index + 1 :])
        comments = (
            tuple(comment for comment in previous.file.comments if comment.span.end <= fragment_start)
            + new_comments
            + tuple(
                shift(comment, delta, line_delta)
                for comment in previous.file.comments
                if comment.span.start >= fragment_old_end
            )
        )
        file = ast.File(applications[:index] + (new_application,) + later, comments, source.span(0, len(text)))
        return ParseResult(file, ())
    return None


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _parse_fragment(source: SourceText, start: int, end: int) -> tuple[tuple[Any, ...], tuple[ast.Comment, ...]] | None:
    reader = _RecoveringParser(source, start="application_body", limits=(start, end))
    node = reader.run()
    # A statement left out for a made-up token always comes with a syntax error: any error, and
    # the whole file is read again.
    if not isinstance(node, RuleNode) or reader.diagnostics or reader.builder.diagnostics:
        return None
    items = node.children
    comments = tuple(
        ast.Comment(str(token), source.span(int(token.start_pos or 0), int(token.end_pos or 0))) for token in reader.comments
    )
    return tuple(items), comments


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(field.name for field in dataclasses.fields(kind))
    return names


def shift(node: Any, offset_delta: int, line_delta: int) -> Any:
    """A copy of a syntax node `offset_delta` characters and `line_delta` lines further on.
    Columns stay: the node starts on a line of its own (the caller checks)."""
    if isinstance(node, Span):
        return Span(
            node.start + offset_delta,
            node.end + offset_delta,
            node.start_line + line_delta,
            node.start_column,
            node.end_line + line_delta,
            node.end_column,
        )
    if isinstance(node, tuple):
        return tuple(shift(element, offset_delta, line_delta) for element in node)
    if hasattr(node, "__dataclass_fields__"):
        kind = type(node)
        return kind(*(shift(getattr(node, name), offset_delta, line_delta) for name in _field_names(kind)))
    return node
