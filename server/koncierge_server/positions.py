"""UTF-16 LSP positions <-> Koncierge spans and offsets. The only place that converts.

`koncierge_lang` counts code points (Python string offsets); LSP counts UTF-16 code units per
line by default. A character outside the Basic Multilingual Plane is one code point and two UTF-16
units. Positions the client sends are clamped to the text: a line past the end means the end of
the text, a character past the end of its line means the end of that line.

`line_starts` and `offset_at` read the editor's own text (for applying its edits): LSP's three
line breaks (`\n`, `\r\n`, `\r`) and no others. The spans' conversions read the analysed text,
where a lone `\r` is already `\n` (documents.py), so both agree on every line.
"""

from __future__ import annotations

import re

from lsprotocol import types

from koncierge_lang.source import SourceText, Span

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def line_starts(text: str) -> list[int]:
    """The offset at which each LSP line of `text` starts (the first is 0)."""
    if "\r" not in text:
        starts = [0]
        position = text.find("\n")
        while position != -1:
            starts.append(position + 1)
            position = text.find("\n", position + 1)
        return starts
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def _content_end(text: str, starts: list[int], line: int) -> int:
    """Where line `line` (0-based, in range) ends, before its line break."""
    if line + 1 >= len(starts):
        return len(text)
    end = starts[line + 1]
    return end - 2 if end >= 2 and text[end - 2 : end] == "\r\n" else end - 1


def offset_at(text: str, starts: list[int], line: int, character: int) -> int:
    """The code-point offset of a 0-based line and UTF-16 character, clamped to the text."""
    if line >= len(starts):
        return len(text)
    start = starts[line]
    end = _content_end(text, starts, line)
    character = max(character, 0)
    if _ASTRAL.search(text, start, min(end, start + character)) is None:
        return min(start + character, end)
    units = 0
    for offset in range(start, end):
        width = 2 if ord(text[offset]) > 0xFFFF else 1
        if units + width > character:
            return offset
        units += width
    return end


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
    # Between the `\r` and the `\n` of a line break is no position of LSP's: it is the line's end
    # (a span the analysis ends after a `\r`, such as an unclosed string's, ends where
    # `koncierge check`, which reads `\r\n` as `\n`, ends it).
    if 0 < offset < len(source.text) and source.text[offset - 1] == "\r" and source.text[offset] == "\n":
        offset -= 1
    line, column = source.line_and_column(offset)
    line_start = offset - (column - 1)
    return types.Position(line=line - 1, character=_utf16_length(source.text[line_start:offset]))


def range_of(source: SourceText, span: Span) -> types.Range:
    start, end = source.offsets(span)
    return types.Range(start=position_of(source, start), end=position_of(source, end))


def range_of_offsets(source: SourceText, start: int, end: int) -> types.Range:
    return types.Range(start=position_of(source, start), end=position_of(source, end))


def whole_text_range(source: SourceText) -> types.Range:
    return range_of_offsets(source, 0, len(source.text))
