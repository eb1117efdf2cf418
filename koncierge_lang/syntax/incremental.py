"""Incremental parsing: after an edit, re-read only the statements it touched.

An editor sends a new version of the file after every keystroke. When the previous version
parsed without errors and the edit lies within one application's body, only the statements
around the edit are parsed again (with the grammar's `application_body` start rule); the
statements before it are kept as they are, and so are those after it when the edit stays within
its lines (spans are lines and columns, not offsets): typing leaves every other statement the
same object. An edit that adds or removes lines moves the statements after it by that many lines.
Anything else (an edit across statements' boundaries at the file's top level, a previous version
with syntax errors, a fragment that does not parse cleanly) falls back to a full parse, so the
result is always exactly what `parse(new_text)` gives; a property test checks that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from koncierge_lang.performance import paused_garbage_collection
from koncierge_lang.source import SourceText, Span
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.builder import RuleNode
from koncierge_lang.syntax.parser import NUL, ParseResult, _RecoveringParser, parse


def reparse(previous: ParseResult, previous_text: str, text: str, path: str = "<input>") -> ParseResult:
    """The parse of `text`, reusing `previous` (the parse of `previous_text`) where it can."""
    if previous.diagnostics or previous_text == text:
        return parse(text, path) if previous_text != text else previous
    if NUL in text:
        return parse(text, path)  # KON007 is about the whole text (the first NUL and how many).
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
    # Where the edit lies, as lines and columns: the spans of the tree have no offsets. Before
    # `start` the two texts are the same, so that position is the same in both.
    line_before_start = old_text.rfind("\n", 0, start)
    start_position = (old_text.count("\n", 0, start) + 1, start - line_before_start)
    old_end_line = start_position[0] + old_text.count("\n", start, old_end)
    old_end_position = (old_end_line, old_end - old_text.rfind("\n", 0, old_end))
    line_delta = text.count("\n", start, new_end) - (old_end_line - start_position[0])
    source = SourceText(text, path)
    applications = previous.file.applications
    for index, application in enumerate(applications):
        header_end = application.name.span if not application.description else application.description.span
        if not header_end.end < start_position:
            continue  # The edit touches the application's header, or comes before it.
        body_start = text.find("{", source.offset(header_end.end_line, header_end.end_column))
        closing = (application.span.end_line, application.span.end_column - 1)  # the closing `}`
        if body_start == -1 or not (body_start < start and old_end_position <= closing):
            continue
        body_start += 1
        items = application.items
        before = [item for item in items if item.span.end < start_position]
        # What follows the edit is kept, not read again, only from a line the edit did not touch:
        # there every column stays the same, and the line moves by the lines the edit added or
        # removed. (The newline before such a statement is itself untouched.)
        after = [item for item in items if item.span.start_line > old_end_line]
        if not after and closing[0] <= old_end_line:
            return None
        fragment_start = source.offset(*before[-1].span.end) if before else body_start
        fragment_old_end = after[0].span.start if after else closing
        fragment_new_end = source.offset(fragment_old_end[0] + line_delta, fragment_old_end[1])
        fragment = _parse_fragment(source, fragment_start, fragment_new_end)
        if fragment is None:
            return None
        new_items, new_comments = fragment
        moved = shift(tuple(after), line_delta)
        new_application = dataclasses.replace(
            application,
            items=tuple(before) + new_items + moved,
            span=Span(
                application.span.start_line,
                application.span.start_column,
                application.span.end_line + line_delta,
                application.span.end_column,
            ),
        )
        later = shift(applications[index + 1 :], line_delta)
        fragment_start_position = before[-1].span.end if before else source.line_and_column(body_start)
        comments = (
            tuple(comment for comment in previous.file.comments if comment.span.end <= fragment_start_position)
            + new_comments
            + shift(
                tuple(comment for comment in previous.file.comments if comment.span.start >= fragment_old_end),
                line_delta,
            )
        )
        file = ast.File(applications[:index] + (new_application,) + later, comments, source.span(0, len(text)))
        return ParseResult(file, ())
    return None


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


_LEAVES = frozenset({str, int, float, bool, type(None)})
"""The types of field value that hold no position: kept as they are."""

_SHIFTERS: dict[type, Callable[[Any, int], Any] | None] = {}
"""Per type: the function that shifts a node of a syntax-tree dataclass, or None for a leaf."""

_new_tuple = tuple.__new__
_new_object = object.__new__


def _shifter(kind: type) -> Callable[[Any, int], Any] | None:
    """The shift of one dataclass, written out field by field once per class: a shift runs over
    every node after an edit that adds or removes lines (tens of thousands in a large file), and a
    loop over the fields, with a look-up of each, took most of its time."""
    if kind in _SHIFTERS:
        return _SHIFTERS[kind]
    shifter = None
    if dataclasses.is_dataclass(kind):
        names = [field.name for field in dataclasses.fields(kind)]
        namespace: dict[str, Any] = {
            "Span": Span,
            "LEAVES": _LEAVES,
            "shift": shift,
            "new_tuple": _new_tuple,
            "new_object": _new_object,
            "kind": kind,
            **{f"set_{index}": getattr(kind, name).__set__ for index, name in enumerate(names)},
        }
        lines = ["def shift_node(node, line_delta):", "    copy = new_object(kind)"]
        for index, name in enumerate(names):
            lines += [
                f"    value = node.{name}",
                "    value_kind = type(value)",
                "    if value_kind is Span:",
                "        value = new_tuple(Span, (value[0] + line_delta, value[1], value[2] + line_delta, value[3]))",
                "    elif value_kind not in LEAVES:",
                "        value = shift(value, line_delta)",
                f"    set_{index}(copy, value)",
            ]
        lines.append("    return copy")
        exec("\n".join(lines), namespace)  # noqa: S102 - our own text, made from the class's field names.
        shifter = namespace["shift_node"]
    _SHIFTERS[kind] = shifter
    return shifter


def shift(node: Any, line_delta: int) -> Any:
    """A copy of a syntax node `line_delta` lines further on. Columns stay: the node starts on a
    line the edit did not touch (the caller checks).

    An edit within a line moves nothing here: the node is returned as it is, so that every
    statement the edit did not touch is the same object in the new tree as in the old. An edit
    that adds or removes lines copies every node after it, so each frozen dataclass is copied slot
    by slot (as `koncierge_lang.performance.frozen_constructor` does) rather than through its
    `__init__`, by a function written for its class (`_shifter`)."""
    if not line_delta:
        return node
    kind = type(node)
    if kind is Span:
        return _new_tuple(Span, (node.start_line + line_delta, node.start_column, node.end_line + line_delta, node.end_column))
    if kind is tuple:
        return tuple([element if type(element) in _LEAVES else shift(element, line_delta) for element in node])
    shifter = _SHIFTERS[kind] if kind in _SHIFTERS else _shifter(kind)
    return node if shifter is None else shifter(node, line_delta)
