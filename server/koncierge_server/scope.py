"""Names in scope at a place in a file, and the symbol under the cursor, from the checker's symbols.

The requests give offsets into the snapshot's text; the symbols' spans are lines and columns: an
offset is turned into a position once, and only the spans found are turned into offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from koncierge_lang.requirements.checker.symbols import Declaration, ReferenceSite
from koncierge_lang.requirements.model import Application
from koncierge_server.documents import Snapshot

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def application_at(snapshot: Snapshot, offset: int) -> str | None:
    """The name of the application whose block holds `offset` (the first one otherwise)."""
    applications = [d for d in snapshot.analysis.check_result.symbols.declarations if d.kind == "application"]
    position = snapshot.source.line_and_column(offset)
    for declaration in applications:
        if declaration.span.contains(position):
            return declaration.name
    return applications[0].name if applications else None


def model_application(snapshot: Snapshot, name: str | None) -> Application | None:
    for application in snapshot.analysis.requirements.applications:
        if application.name == name:
            return application
    return None


def declarations_in(snapshot: Snapshot, application: str | None, kinds: tuple[str, ...] = ()) -> list[Declaration]:
    return [
        declaration
        for declaration in snapshot.analysis.check_result.symbols.declarations
        if declaration.application == application
        and declaration.kind != "application"
        and (not kinds or declaration.kind in kinds)
    ]


@dataclass(frozen=True, slots=True)
class SymbolAt:
    """The declared thing a name at the cursor stands for, with its declaration if there is one."""

    application: str
    kind: str
    name: str
    start: int
    end: int
    declaration: Declaration | None


def symbol_at(snapshot: Snapshot, offset: int) -> SymbolAt | None:
    symbols = snapshot.analysis.check_result.symbols
    source = snapshot.source
    position = source.line_and_column(offset)
    for declaration in symbols.declarations:
        span = declaration.name_span
        if span.contains(position) and not span.is_empty:
            return SymbolAt(declaration.application, declaration.kind, declaration.name, *source.offsets(span), declaration)
    for reference in symbols.references:
        span = reference.span
        if span.contains(position):
            return SymbolAt(
                reference.application, reference.kind, reference.name, *source.offsets(span), declaration_of(snapshot, reference)
            )
    return None


def declaration_of(snapshot: Snapshot, reference: ReferenceSite | SymbolAt) -> Declaration | None:
    for declaration in snapshot.analysis.check_result.symbols.declarations:
        if (
            declaration.application == reference.application
            and declaration.name == reference.name
            and _same_namespace(declaration.kind, reference.kind)
        ):
            return declaration
    return None


def _same_namespace(first: str, second: str) -> bool:
    """Environments have their own names; everything else shares one namespace per application."""
    return (first == "environment") == (second == "environment") and (first == "application") == (
        second == "application"
    )


def occurrences(snapshot: Snapshot, symbol: SymbolAt) -> list[tuple[int, int, bool]]:
    """Every place the symbol's name is declared (True) or used (False)."""
    symbols = snapshot.analysis.check_result.symbols
    source = snapshot.source
    found: list[tuple[int, int, bool]] = []
    for declaration in symbols.declarations:
        if (
            declaration.application == symbol.application
            and declaration.name == symbol.name
            and _same_namespace(declaration.kind, symbol.kind)
        ):
            found.append((*source.offsets(declaration.name_span), True))
    for reference in symbols.references:
        if (
            reference.application == symbol.application
            and reference.name == symbol.name
            and _same_namespace(reference.kind, symbol.kind)
        ):
            found.append((*source.offsets(reference.span), False))
    return sorted(set(found))


def word_at(text: str, offset: int) -> tuple[int, int, str] | None:
    """The name-like word that touches `offset`."""
    start = offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-"):
        start -= 1
    end = offset
    while end < len(text) and (text[end].isalnum() or text[end] in "_-"):
        end += 1
    if start == end:
        return None
    return start, end, text[start:end]
