"""Diagnostics as data: what the checker, the compiler and every client share.

A diagnostic has a stable code from the catalogue (`KON###`), a severity, a message in the
user's words, a span, related locations and optional fixes (text edits). The CLI renders them as
text, JSON or SARIF; the language server converts them to LSP at its edge and nowhere else.
"""

from koncierge_lang.diagnostics.catalogue import RULES, Rule, rule
from koncierge_lang.diagnostics.model import Diagnostic, Fix, RelatedLocation, TextEdit, make_diagnostic
from koncierge_lang.diagnostics.severity import Severity

__all__ = [
    "Diagnostic",
    "Fix",
    "RelatedLocation",
    "RULES",
    "Rule",
    "Severity",
    "TextEdit",
    "make_diagnostic",
    "rule",
]
