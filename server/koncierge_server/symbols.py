"""Document symbols (the outline), workspace symbols and folding ranges."""

from __future__ import annotations

from collections.abc import Iterable

from lsprotocol import types

from koncierge_lang.syntax import ast
from koncierge_server.documents import Snapshot
from koncierge_server.positions import range_of

SYMBOL_KINDS = {
    "application": types.SymbolKind.Module,
    "environment": types.SymbolKind.EnumMember,
    "constant": types.SymbolKind.Constant,
    "secret": types.SymbolKind.Key,
    "value": types.SymbolKind.Variable,
    "storage": types.SymbolKind.Struct,
    "component": types.SymbolKind.Class,
    "database": types.SymbolKind.Class,
    "route": types.SymbolKind.Interface,
}


def document_symbols(snapshot: Snapshot) -> list[types.DocumentSymbol]:
    source = snapshot.source
    outline = []
    for application in snapshot.analysis.syntax.applications:
        children = []
        for item in application.items:
            kind, detail = _kind_and_detail(item)
            children.append(
                types.DocumentSymbol(
                    name=item.name.text,
                    kind=SYMBOL_KINDS[kind],
                    detail=detail,
                    range=range_of(source, item.span),
                    selection_range=range_of(source, item.name.span),
                )
            )
        outline.append(
            types.DocumentSymbol(
                name=application.name.text,
                kind=types.SymbolKind.Module,
                detail=application.description.value if application.description else "application",
                range=range_of(source, application.span),
                selection_range=range_of(source, application.name.span),
                children=children,
            )
        )
    return outline


def _kind_and_detail(item: ast.ApplicationItem) -> tuple[str, str]:
    if isinstance(item, ast.Environment):
        return "environment", item.domain.value
    if isinstance(item, ast.ValueDeclaration):
        return item.keyword, item.keyword
    if isinstance(item, ast.StorageDeclaration):
        return "storage", f"storage {item.size.text}"
    if isinstance(item, ast.Component):
        return item.keyword, (f"database {item.database_type.text}" if item.database_type else "component")
    return "route", f"-> {item.component.text}"


def workspace_symbols(snapshots: Iterable[Snapshot], query: str) -> list[types.WorkspaceSymbol]:
    wanted = query.lower()
    found = []
    for snapshot in snapshots:
        for declaration in snapshot.analysis.check_result.symbols.declarations:
            if wanted and wanted not in declaration.name.lower():
                continue
            found.append(
                types.WorkspaceSymbol(
                    name=declaration.name,
                    kind=SYMBOL_KINDS.get(declaration.kind, types.SymbolKind.Variable),
                    container_name=declaration.application if declaration.kind != "application" else None,
                    location=types.Location(uri=snapshot.uri, range=range_of(snapshot.source, declaration.name_span)),
                )
            )
    return found


def folding_ranges(snapshot: Snapshot) -> list[types.FoldingRange]:
    ranges = []
    for application in snapshot.analysis.syntax.applications:
        nodes: list[object] = [application, *application.items]
        for node in nodes:
            span = node.span  # type: ignore[attr-defined]
            if span.end_line > span.start_line:
                ranges.append(types.FoldingRange(start_line=span.start_line - 1, end_line=span.end_line - 1))
    comments = snapshot.analysis.syntax.comments
    run_start = None
    previous_line = -10
    for comment in comments:
        line = comment.span.start_line
        if line != previous_line + 1:
            if run_start is not None and previous_line > run_start:
                ranges.append(
                    types.FoldingRange(
                        start_line=run_start - 1, end_line=previous_line - 1, kind=types.FoldingRangeKind.Comment
                    )
                )
            run_start = line
        previous_line = line
    if run_start is not None and previous_line > run_start:
        ranges.append(
            types.FoldingRange(
                start_line=run_start - 1, end_line=previous_line - 1, kind=types.FoldingRangeKind.Comment
            )
        )
    return ranges
