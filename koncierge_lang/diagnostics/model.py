"""The diagnostic data model: severity, span, related locations and fixes.

A diagnostic's severity and name come from its code's entry in the catalogue, which this module
reads; the catalogue itself knows nothing of diagnostics (both import `severity` from below).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from koncierge_lang.diagnostics.catalogue import rule
from koncierge_lang.diagnostics.severity import Severity
from koncierge_lang.source import SourceText, Span


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the text of `span` with `new_text` (an empty span inserts)."""

    span: Span
    new_text: str

    def applied_to(self, text: str) -> str:
        """`text` with this edit made (the span's lines and columns read in `text`)."""
        start, end = SourceText(text).offsets(self.span)
        return text[:start] + self.new_text + text[end:]


@dataclass(frozen=True, slots=True)
class Fix:
    """A change that resolves a diagnostic. `safe` fixes keep the author's intent exactly."""

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True


@dataclass(frozen=True, slots=True)
class RelatedLocation:
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    related: tuple[RelatedLocation, ...] = ()
    fixes: tuple[Fix, ...] = ()
    path: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        return rule(self.code).name

    def sort_key(self) -> tuple[tuple[int, int], tuple[int, int], str, str]:
        return (self.span.start, self.span.end, self.code, self.message)


def make_diagnostic(
    code: str,
    message: str,
    span: Span,
    related: tuple[RelatedLocation, ...] = (),
    fixes: tuple[Fix, ...] = (),
) -> Diagnostic:
    """A diagnostic with the severity that the catalogue gives its code."""
    return Diagnostic(code, rule(code).severity, message, span, related, fixes)
