"""The editor's text, exactly: LSP's lines and incremental edits, as the specification defines them.

LSP knows three line breaks, `\\n`, `\\r\\n` and `\\r`, and no others: U+2028, U+2029, U+0085,
`\\x0b`, `\\x0c` and `\\x1c`-`\\x1e` (where Python's `str.splitlines` breaks) are ordinary
characters. A position's `character` counts UTF-16 code units. An edit's range is clamped to the
text: a character past the end of its line means the end of that line (before its line break), a
line past the last line means the end of the text; a position inside a surrogate pair means the
position before the pair; a range whose end comes before its start is read the other way round.

Pure functions over strings; the server applies every `didChange` with `apply_changes`. The
conversion of a position to an offset in the editor's text is positions.py's (`offset_at`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable

from lsprotocol import types

from koncierge_server.positions import line_starts, offset_at

_LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")


def apply_change(text: str, start: tuple[int, int], end: tuple[int, int], new_text: str) -> str:
    """`text` with the range from `start` to `end` ((line, character) pairs) replaced."""
    starts = line_starts(text)
    first = offset_at(text, starts, *start)
    last = offset_at(text, starts, *end)
    if last < first:
        first, last = last, first
    return text[:first] + new_text + text[last:]


def apply_changes(text: str, changes: Iterable[types.TextDocumentContentChangeEvent]) -> str:
    """`text` after a `didChange`'s changes, applied in order (each to the result of the last)."""
    for change in changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            begin, finish = change.range.start, change.range.end
            text = apply_change(text, (begin.line, begin.character), (finish.line, finish.character), change.text)
        else:
            text = change.text
    return text


def analysed_text(text: str) -> str:
    """The text the analysis reads: lone carriage returns become `\\n`, which keeps every offset and
    gives `koncierge_lang` (whose lines end at `\\n`; `\\r\\n` it reads already) LSP's lines."""
    if "\r" not in text:
        return text
    return _LONE_CARRIAGE_RETURN.sub("\n", text)


def document_key(uri: str) -> str:
    """One key per document: two uris that are equal once percent-decoded name the same document."""
    return urllib.parse.unquote(uri)
