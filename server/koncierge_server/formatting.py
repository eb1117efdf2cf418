"""Formatting: the same formatter as `koncierge fmt`; a file with syntax errors is left alone."""

from __future__ import annotations

from lsprotocol import types

from koncierge_lang.formatter import format_text
from koncierge_server.documents import Snapshot
from koncierge_server.positions import whole_text_range


def formatting(snapshot: Snapshot) -> list[types.TextEdit]:
    if snapshot.too_large:
        return []
    formatted = format_text(snapshot.text, snapshot.path or snapshot.uri)
    if formatted is None or formatted == snapshot.text:
        return []
    return [types.TextEdit(range=whole_text_range(snapshot.source), new_text=formatted)]
