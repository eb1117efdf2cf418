"""Diagnostics: the checker's, plus what building each environment finds, in LSP terms.

Each diagnostic carries its fixes in `data` (ranges already in LSP terms), so a code action
recomputes nothing: it reads them back from the diagnostic the client sends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lsprotocol import types

from koncierge_lang.diagnostics import Diagnostic, Severity
from koncierge_lang.lowering import compiler_diagnostics as lowering_diagnostics
from koncierge_lang.render import documentation_url
from koncierge_server.documents import MAXIMUM_ANALYSED_CHARACTERS, Snapshot
from koncierge_server.positions import range_of, range_of_offsets

SOURCE = "koncierge"
COMPILER_SOURCE = "koncierge build"

_SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFORMATION: types.DiagnosticSeverity.Information,
    Severity.HINT: types.DiagnosticSeverity.Hint,
}


def range_json(lsp_range: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": lsp_range.start.line, "character": lsp_range.start.character},
        "end": {"line": lsp_range.end.line, "character": lsp_range.end.character},
    }


def checker_diagnostics(snapshot: Snapshot) -> list[types.Diagnostic]:
    if snapshot.too_large:
        return [
            types.Diagnostic(
                range=range_of_offsets(snapshot.source, 0, 0),
                message=f"this file is too large to check while editing ({len(snapshot.text):,} characters, the limit is "
                f"{MAXIMUM_ANALYSED_CHARACTERS:,}); run `koncierge check` on it",
                severity=types.DiagnosticSeverity.Information,
                source=SOURCE,
            )
        ]
    return [to_lsp(snapshot, diagnostic) for diagnostic in snapshot.analysis.diagnostics]


def to_lsp(snapshot: Snapshot, diagnostic: Diagnostic) -> types.Diagnostic:
    source = snapshot.source
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(uri=snapshot.uri, range=range_of(source, location.span)),
            message=location.message,
        )
        for location in diagnostic.related
    ]
    fixes = [
        {
            "title": fix.title,
            "safe": fix.safe,
            "edits": [
                {"range": range_json(range_of(source, edit.span)), "newText": edit.new_text} for edit in fix.edits
            ],
        }
        for fix in diagnostic.fixes
    ]
    return types.Diagnostic(
        range=range_of(source, diagnostic.span),
        message=diagnostic.message,
        severity=_SEVERITIES[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=documentation_url(diagnostic.code)),
        source=SOURCE,
        related_information=related or None,
        data={"fixes": fixes} if fixes else None,
    )


def compiler_diagnostics(
    snapshot: Snapshot, should_stop: Callable[[], bool] | None = None
) -> list[types.Diagnostic] | None:
    """What building each environment finds (`koncierge_lang.lowering`), with the same codes as
    `koncierge build`; the same problem in several environments is shown once. None while the file
    has errors (the build refuses such a file, and the checker's errors explain it), or when
    `should_stop()` stopped the lowering (newer text has come)."""
    if snapshot.too_large or snapshot.analysis.has_errors:
        return []
    lowered = snapshot.lowered if should_stop is None else snapshot.lowered_unless(should_stop)
    if lowered is None:
        return None
    found = lowering_diagnostics(lowered)
    published = []
    for diagnostic in found:
        converted = to_lsp(snapshot, diagnostic)
        converted.source = COMPILER_SOURCE
        published.append(converted)
    return published
