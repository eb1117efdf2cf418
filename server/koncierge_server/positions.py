"""UTF-16 LSP positions <-> Koncierge spans and offsets. The only place that converts.

`koncierge_lang` counts code points (Python string offsets); LSP counts UTF-16 code units per
line by default. A character outside the Basic Multilingual Plane is one code point and two UTF-16
units. Positions the client sends are clamped to the text: a line past the end means the end of
the text, a character past the end of its line means the end of that line.
"""

from __future__ import annotations

from lsprotocol import types

from koncierge_lang.source import SourceText, Span


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for character in text if ord(character) > 0xFFFF)


def offset_of(source: SourceText, position: types.Position) -> int:
    """The code-point offset of an LSP position, clamped to the text."""
    line_number = position.line + 1
    if line_number > source.line_count:
        return len(source.text)
    line_start = source.offset(line_number, 1)
    line_text = source.line_text(line_number)
    units = 0
    for index, character in enumerate(line_text):
        if units >= position.character:
            return line_start + index
        units += 2 if ord(character) > 0xFFFF else 1
    return line_start + len(line_text)


def position_of(source: SourceText, offset: int) -> types.Position:
    offset = max(0, min(offset, len(source.text)))
    line, column = source.line_and_column(offset)
    line_start = offset - (column - 1)
    return types.Position(line=line - 1, character=_utf16_length(source.text[line_start:offset]))


def range_of(source: SourceText, span: Span) -> types.Range:
    return types.Range(start=position_of(source, span.start), end=position_of(source, span.end))


def range_of_offsets(source: SourceText, start: int, end: int) -> types.Range:
    return types.Range(start=position_of(source, start), end=position_of(source, end))


def whole_text_range(source: SourceText) -> types.Range:
    return range_of_offsets(source, 0, len(source.text))
