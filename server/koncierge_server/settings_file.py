"""`koncierge.toml` in the editor: the settings file gets the diagnostics `koncierge check` reports
in it (KON320-KON322 about the file itself, KON326 and KON327 about the environments of the
`.kon` files beside it), as the platform engineer types.

The `.kon` files beside the settings file are read from the editor when they are open there (the
text being edited, not the one saved) and from disk otherwise. Nothing here writes a file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from lsprotocol import types

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


def kon_files_beside(settings_path: str, open_texts: Mapping[str, str]) -> list[tuple[str, str]]:
    """(path, text) of every `.kon` file in the settings file's folder, in name order; an open
    document's text wins over the file on disk, and an unreadable file is left out."""
    folder = Path(settings_path).parent
    paths = {str(path) for path in folder.glob("*.kon") if path.is_file()}
    paths |= {path for path in open_texts if Path(path).parent == folder and path.endswith(".kon")}
    found: list[tuple[str, str]] = []
    for path in sorted(paths):
        if path in open_texts:
            found.append((path, open_texts[path]))
            continue
        try:
            found.append((path, read_input(path).text))
        except InputProblem:
            continue
    return found


def settings_diagnostics(settings_path: str, text: str, open_texts: Mapping[str, str]) -> list[types.Diagnostic]:
    """The LSP diagnostics of the settings file `settings_path` whose text is `text`."""
    source, found = settings_file_report(text, settings_path, kon_files_beside(settings_path, open_texts))
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
