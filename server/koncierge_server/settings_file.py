"""`koncierge.toml` in the editor: the settings file gets the diagnostics `koncierge check` reports
in it (KON320-KON322 about the file itself, KON326 and KON327 about the environments of the
`.kon` files beside it), as the platform engineer types.

The `.kon` files beside the settings file are the editor's when they are open there (their newest
analysis, which the server has made anyway) and read from disk otherwise. Nothing here writes a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from lsprotocol import types

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.commands.check import settings_file_report
from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.inputs import InputProblem, read_input
from koncierge_lang.render import documentation_url
from koncierge_lang.settings import SETTINGS_FILE_NAME
from koncierge_lang.source import SourceText
from koncierge_server.positions import range_of

SOURCE = "koncierge"
_SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def is_settings_path(path: str | None) -> bool:
    """Whether a document is a settings file: its file name is `koncierge.toml`."""
    return path is not None and os.path.basename(path) == SETTINGS_FILE_NAME


def kon_files_beside(settings_path: str, open_analyses: Mapping[str, Analysis]) -> list[Analysis]:
    """The analysis of every `.kon` file in the settings file's folder, in name order: an open
    document's newest analysis (already made), else the file on disk, analysed here; an unreadable
    file is left out."""
    folder = Path(settings_path).parent
    paths = {str(path) for path in folder.glob("*.kon") if path.is_file()}
    paths |= {path for path in open_analyses if Path(path).parent == folder and path.endswith(".kon")}
    found: list[Analysis] = []
    for path in sorted(paths):
        if path in open_analyses:
            found.append(open_analyses[path])
            continue
        try:
            found.append(analyze(read_input(path).text, path))
        except InputProblem:
            continue
    return found


def settings_diagnostics(settings_path: str, text: str, open_analyses: Mapping[str, Analysis]) -> list[types.Diagnostic]:
    """The LSP diagnostics of the settings file `settings_path` whose text is `text`."""
    source, found = settings_file_report(text, settings_path, kon_files_beside(settings_path, open_analyses))
    return [_to_lsp(source, diagnostic) for diagnostic in found]


def _to_lsp(source: SourceText, diagnostic: Diagnostic) -> types.Diagnostic:
    return types.Diagnostic(
        range=range_of(source, diagnostic.span),
        message=diagnostic.message,
        severity=_SEVERITIES[diagnostic.severity.value],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=documentation_url(diagnostic.code)),
        source=SOURCE,
    )
