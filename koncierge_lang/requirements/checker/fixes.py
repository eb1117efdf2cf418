"""Quick fixes that add a statement to a component's block: a port, or persistent storage.

They are unsafe (`safe=False`): the number or the size is a guess the author should check. A
component written without a block (`database db mysql`) gets one for the storage; a port can only
go into an existing block.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, TextEdit
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast


def add_port_fix(component: ast.Component, number: int) -> tuple[Fix, ...]:
    """Add `port NUMBER` at the end of the component's block."""
    if not component.has_body:
        return ()
    indent = " " * max(component.span.start_column - 1, 0)
    # Before the closing `}`, the last character of the block.
    span = Span(component.span.end_line, component.span.end_column - 1, component.span.end_line, component.span.end_column - 1)
    return (
        Fix(
            f"Add `port {number}` to `{component.name.text}`",
            (TextEdit(span, f"  port {number}\n{indent}"),),
            safe=False,
        ),
    )


def add_storage_fix(component: ast.Component, data_directory: str) -> tuple[Fix, ...]:
    """Add 1Gi of persistent storage at `data_directory`, making a block when there is none."""
    line = f'storage 1Gi read-write at "{data_directory}"'
    span = component.span
    if component.has_body:
        indent = " " * max(span.start_column - 1, 0)
        at = Span(span.end_line, span.end_column - 1, span.end_line, span.end_column - 1)
        return (Fix("Add 1Gi of persistent storage", (TextEdit(at, f"  {line}\n{indent}"),), safe=False),)
    indent = " " * max(span.start_column - 1, 0)
    at = Span(span.end_line, span.end_column, span.end_line, span.end_column)
    return (Fix("Add 1Gi of persistent storage", (TextEdit(at, f" {{\n{indent}  {line}\n{indent}}}"),), safe=False),)
