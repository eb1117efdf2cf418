"""Diagnostics for people and machines: caret-underlined text, JSON and SARIF 2.1.0.

Text output is `path:line:col: severity[KON###]: message`, then the source line with a caret
underline; colour only when asked (the CLI asks when writing to a terminal).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from koncierge_lang import __version__
from koncierge_lang.diagnostics import RULES, Diagnostic, Severity
from koncierge_lang.source import SourceText, Span

_COLOURS = {
    Severity.ERROR: "\x1b[1;31m",
    Severity.WARNING: "\x1b[1;33m",
    Severity.INFORMATION: "\x1b[1;34m",
    Severity.HINT: "\x1b[1;36m",
}
_BOLD = "\x1b[1m"
_ENCODER = json.JSONEncoder(indent=2, ensure_ascii=False)
_RESET = "\x1b[0m"


@cache
def documentation_url(code: str) -> str:
    """A `file:` URI of the code's page (`docs/diagnostics/KON###.md`), which ships with the package
    (`koncierge_lang.diagnostic_pages`): editors and code-scanning tools open it without a network."""
    page = resources.files("koncierge_lang.diagnostic_pages").joinpath(f"{code}.md")
    return Path(str(page)).resolve().as_uri()


MAXIMUM_SHOWN_LINE = 160
"""A source line up to this many characters is shown whole under its diagnostic's header."""
SHOWN_WINDOW = 120
"""Of a longer line, a window of this many characters around the diagnostic's column is shown,
so that the output grows with the number of diagnostics, not with their lines' length (a
generated file may hold one line of megabytes)."""
SHOWN_BEFORE_COLUMN = 40
"""How much of the window comes before the diagnostic's column."""
_ELLIPSIS = "..."


def render_text(diagnostics: Sequence[Diagnostic], source: SourceText, color: bool = False) -> str:
    """Each diagnostic with its location, the source line and a caret underline."""
    return "".join(render_diagnostic(diagnostic, source, color) for diagnostic in diagnostics)


def render_diagnostic(diagnostic: Diagnostic, source: SourceText, color: bool = False) -> str:
    """One diagnostic: `path:line:col: severity[KON###]: message`, the source line (or a window of
    it around the column) with a caret underline, and a note for each related location."""
    span = diagnostic.span
    severity = diagnostic.severity.value
    location = f"{source.path}:{span.start_line}:{span.start_column}"
    if color:
        header = (
            f"{_BOLD}{location}{_RESET}: {_COLOURS[diagnostic.severity]}{severity}[{diagnostic.code}]{_RESET}: "
            f"{diagnostic.message}\n"
        )
    else:
        header = f"{location}: {severity}[{diagnostic.code}]: {diagnostic.message}\n"
    lines = [header]
    if 1 <= span.start_line <= source.line_count:
        shown, underline_column, width = _excerpt(source, span)
        number = str(span.start_line)
        gutter = " " * len(number)
        underline = " " * (underline_column - 1) + "^" * width
        if color:
            underline = _COLOURS[diagnostic.severity] + underline + _RESET
        lines.append(f" {number} | {shown}\n")
        lines.append(f" {gutter} | {underline}\n")
    for related in diagnostic.related:
        lines.append(f"  note: {source.path}:{related.span.start_line}:{related.span.start_column}: {related.message}\n")
    return "".join(lines)


_CONTROL_PICTURES = {code: 0x2400 + code for code in range(0x20) if code not in (0x09, 0x0A)} | {0x7F: 0x2421}
"""Control characters in a shown source line become their pictures (a NUL is `␀`): one column
each, so the underline stays under them, and never raw bytes in the terminal."""


def _excerpt(source: SourceText, span: Span) -> tuple[str, int, int]:
    """The part of the span's first line to show, the column of the underline in it, and its width."""
    line = span.start_line
    length = source.line_length(line)
    start_column = min(span.start_column, length + 1)
    if span.end_line == span.start_line:
        end_column = max(span.end_column, start_column + 1)
    else:
        end_column = max(length + 1, start_column + 1)
    if length <= MAXIMUM_SHOWN_LINE:
        first, last = 1, length
    else:
        first = max(1, start_column - SHOWN_BEFORE_COLUMN)
        last = min(length, first + SHOWN_WINDOW - 1)
        first = max(1, min(first, last - SHOWN_WINDOW + 1))
    shown = source.line_part(line, first, last).replace("\t", " ").translate(_CONTROL_PICTURES)
    prefix = _ELLIPSIS if first > 1 else ""
    suffix = _ELLIPSIS if last < length else ""
    # The underline stops at the window's end (one column past it for a point at the line's end).
    width = max(1, min(end_column, last + 1 + (1 if start_column > last else 0)) - start_column)
    return prefix + shown + suffix, len(prefix) + start_column - first + 1, width


def summary_line(error_count: int, warning_count: int, file_count: int) -> str:
    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    files = plural(file_count, "file")
    if not error_count and not warning_count:
        return f"{files} checked: no problems"
    return f"{files} checked: {plural(error_count, 'error')}, {plural(warning_count, 'warning')}"


def diagnostic_to_data(diagnostic: Diagnostic, path: str) -> dict[str, Any]:
    span = diagnostic.span
    return {
        "path": path,
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "range": {
            "start": {"line": span.start_line, "column": span.start_column},
            "end": {"line": span.end_line, "column": span.end_column},
        },
        "related": [
            {
                "message": related.message,
                "range": {
                    "start": {"line": related.span.start_line, "column": related.span.start_column},
                    "end": {"line": related.span.end_line, "column": related.span.end_column},
                },
            }
            for related in diagnostic.related
        ],
        "fixes": [
            {
                "title": fix.title,
                "safe": fix.safe,
                "edits": [
                    {
                        "range": {
                            "start": {"line": edit.span.start_line, "column": edit.span.start_column},
                            "end": {"line": edit.span.end_line, "column": edit.span.end_column},
                        },
                        "newText": edit.new_text,
                    }
                    for edit in fix.edits
                ],
            }
            for fix in diagnostic.fixes
        ],
    }


def render_json(results: Sequence[tuple[str, Sequence[Diagnostic]]]) -> str:
    return "".join(iter_json(results))


def iter_json(results: Sequence[tuple[str, Sequence[Diagnostic]]]) -> Iterator[str]:
    """The JSON report in pieces, to be written as they come instead of as one string."""
    data = [diagnostic_to_data(diagnostic, path) for path, diagnostics in results for diagnostic in diagnostics]
    yield from _ENCODER.iterencode({"version": __version__, "diagnostics": data})
    yield "\n"



_SARIF_LEVELS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}


def render_sarif(results: Sequence[tuple[str, Sequence[Diagnostic]]]) -> str:
    """SARIF 2.1.0, as code-scanning interfaces read it."""
    return "".join(iter_sarif(results))


def iter_sarif(results: Sequence[tuple[str, Sequence[Diagnostic]]]) -> Iterator[str]:
    """The SARIF report in pieces, to be written as they come instead of as one string."""
    rules = [
        {
            "id": entry.code,
            "name": entry.name,
            "shortDescription": {"text": entry.summary},
            "fullDescription": {"text": entry.why},
            "helpUri": documentation_url(entry.code),
            "help": {"text": entry.fix},
            "defaultConfiguration": {"level": _SARIF_LEVELS[entry.severity]},
        }
        for entry in RULES
    ]
    rule_index = {entry.code: index for index, entry in enumerate(RULES)}
    sarif_results = []
    for path, diagnostics in results:
        for diagnostic in diagnostics:
            span = diagnostic.span
            region = {
                "startLine": span.start_line,
                "startColumn": span.start_column,
                "endLine": span.end_line,
                "endColumn": max(span.end_column, span.start_column + (1 if span.end_line == span.start_line else 0)),
            }
            result: dict[str, Any] = {
                "ruleId": diagnostic.code,
                "ruleIndex": rule_index[diagnostic.code],
                "level": _SARIF_LEVELS[diagnostic.severity],
                "message": {"text": diagnostic.message},
                "locations": [
                    {"physicalLocation": {"artifactLocation": {"uri": path}, "region": region}}
                ],
            }
            if diagnostic.related:
                result["relatedLocations"] = [
                    {
                        "id": index,
                        "message": {"text": related.message},
                        "physicalLocation": {
                            "artifactLocation": {"uri": path},
                            "region": {"startLine": related.span.start_line, "startColumn": related.span.start_column},
                        },
                    }
                    for index, related in enumerate(diagnostic.related)
                ]
            sarif_results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "koncierge",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": sarif_results,
            }
        ],
    }
    yield from _ENCODER.iterencode(document)
    yield "\n"
