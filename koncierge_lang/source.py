"""Positions in source text: spans and the conversions between offsets, lines and columns.

Lines and columns are 1-based and count Unicode code points, as people and `koncierge check`
read them. The language server converts to 0-based UTF-16 positions at its edge.
"""

from __future__ import annotations

import bisect
from typing import NamedTuple


class Span(NamedTuple):
    """A range of source text: its first and last positions as 1-based lines and columns (the last
    is just after the range's last character).

    No offsets into the text: a position is a line and a column, so an edit moves only what
    follows it on its own line, and, when it adds or removes line breaks, the lines below by whole
    lines. Typing within a line of a large file therefore leaves every other statement's syntax
    tree as it was (`syntax/incremental.py`). A `SourceText` turns a span into offsets
    (`offsets`) where text is cut.

    An immutable named tuple rather than a frozen dataclass: every node of every parse has one,
    and a tuple is built about three times faster.
    """

    start_line: int
    start_column: int
    end_line: int
    end_column: int

    @property
    def start(self) -> tuple[int, int]:
        """The first position, (line, column): positions compare in text order."""
        return (self.start_line, self.start_column)

    @property
    def end(self) -> tuple[int, int]:
        """The position just after the last character, (line, column)."""
        return (self.end_line, self.end_column)

    @property
    def is_empty(self) -> bool:
        return self.end_line == self.start_line and self.end_column <= self.start_column

    def cover(self, other: Span) -> Span:
        """The smallest span that contains both spans."""
        first = self if self.start <= other.start else other
        last = self if self.end >= other.end else other
        return Span(first.start_line, first.start_column, last.end_line, last.end_column)

    def contains(self, position: tuple[int, int]) -> bool:
        """Whether the (line, column) position lies in the span, its ends included."""
        return self.start <= position <= self.end


class SourceText:
    """Text with a line index, to turn offsets into lines and columns and back."""

    __slots__ = ("text", "path", "_line_starts")

    def __init__(self, text: str, path: str = "<input>") -> None:
        self.text = text
        self.path = path
        starts = [0]
        position = text.find("\n")
        while position != -1:
            starts.append(position + 1)
            position = text.find("\n", position + 1)
        self._line_starts = starts

    @property
    def line_starts(self) -> list[int]:
        """The offset at which each line starts (the first is 0). Not to be changed."""
        return self._line_starts

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_and_column(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line_index = bisect.bisect_right(self._line_starts, offset) - 1
        return line_index + 1, offset - self._line_starts[line_index] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column, clamped to the text."""
        if line < 1:
            return 0
        if line > len(self._line_starts):
            return len(self.text)
        line_start = self._line_starts[line - 1]
        line_end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return min(line_start + max(column, 1) - 1, line_end)

    def span(self, start: int, end: int) -> Span:
        """The span of the text from offset `start` to offset `end`."""
        start_line, start_column = self.line_and_column(start)
        end_line, end_column = self.line_and_column(end)
        return Span(start_line, start_column, end_line, end_column)

    def offsets(self, span: Span) -> tuple[int, int]:
        """The offsets of a span's ends in this text."""
        return self.offset(span.start_line, span.start_column), self.offset(span.end_line, span.end_column)

    def cut(self, span: Span) -> str:
        """The text a span covers."""
        start, end = self.offsets(span)
        return self.text[start:end]

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self._line_starts):
            return ""
        line_start = self._line_starts[line - 1]
        line_end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        return self.text[line_start:line_end].rstrip("\r")

    def line_length(self, line: int) -> int:
        """The number of characters of a 1-based line, without its line break (0 outside the text)."""
        if line < 1 or line > len(self._line_starts):
            return 0
        line_start = self._line_starts[line - 1]
        line_end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.text)
        if line_end > line_start and self.text[line_end - 1] == "\r":
            line_end -= 1
        return line_end - line_start

    def line_part(self, line: int, first_column: int, last_column: int) -> str:
        """Columns `first_column` to `last_column` (1-based, inclusive) of a line: a window into a
        long line that costs its own length, not the line's."""
        if line < 1 or line > len(self._line_starts):
            return ""
        line_start = self._line_starts[line - 1]
        first = max(first_column, 1)
        last = min(last_column, self.line_length(line))
        if last < first:
            return ""
        return self.text[line_start + first - 1 : line_start + last]
