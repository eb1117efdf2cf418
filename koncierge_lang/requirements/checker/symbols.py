"""What the checker finds out for navigation: every declared name and every use of one.

The language server's go-to-definition, references, rename and document symbols read these; the
checker records them while it resolves names (`ApplicationScope.declare` and `refer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.source import Span


@dataclass(frozen=True, slots=True)
class Declaration:
    """A declared name, for navigation: what it is and where."""

    application: str
    kind: str
    name: str
    name_span: Span
    span: Span


@dataclass(frozen=True, slots=True)
class ReferenceSite:
    """A use of a declared name."""

    application: str
    kind: str
    name: str
    span: Span


@dataclass(frozen=True, slots=True)
class Symbols:
    declarations: tuple[Declaration, ...] = ()
    references: tuple[ReferenceSite, ...] = ()
