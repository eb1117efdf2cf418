"""The server's text is the editor's: incremental edits applied as LSP defines them.

`text_edits.apply_change` is compared with a model of the client written differently: it works on
UTF-16 code units (as VS Code's documents do) and finds line breaks by looking at each unit.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types

from koncierge_server.positions import line_starts, offset_at
from koncierge_server.text_edits import analysed_text, apply_change, apply_changes, document_key

# Every character Python's str.splitlines breaks at, LSP's three line breaks, a surrogate pair.
AWKWARD = [
    "\n",
    "\r",
    "\r\n",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "😀",
    "é",
    "a",
    "#",
    " ",
]


def _client_offset(units: list[int], line: int, character: int) -> int:
    """The UTF-16 offset of a position, the way a client counts: a line ends at LF, CR or CRLF."""
    line_start = 0
    current = 0
    index = 0
    while current < line:
        if index >= len(units):
            return len(units)
        unit = units[index]
        index += 1
        if unit == 0x0D and index < len(units) and units[index] == 0x0A:
            index += 1
        if unit in (0x0A, 0x0D):
            current += 1
            line_start = index
    line_end = line_start
    while line_end < len(units) and units[line_end] not in (0x0A, 0x0D):
        line_end += 1
    offset = min(line_start + max(character, 0), line_end)
    if 0 < offset < len(units) and 0xDC00 <= units[offset] <= 0xDFFF and 0xD800 <= units[offset - 1] <= 0xDBFF:
        offset -= 1  # Inside a surrogate pair: before the pair.
    return offset


def client_apply(text: str, start: tuple[int, int], end: tuple[int, int], new_text: str) -> str:
    data = text.encode("utf-16-le")
    units = [int.from_bytes(data[index : index + 2], "little") for index in range(0, len(data), 2)]
    first, last = _client_offset(units, *start), _client_offset(units, *end)
    first, last = min(first, last), max(first, last)
    inserted = new_text.encode("utf-16-le")
    replaced = [int.from_bytes(inserted[index : index + 2], "little") for index in range(0, len(inserted), 2)]
    result = units[:first] + replaced + units[last:]
    return b"".join(unit.to_bytes(2, "little") for unit in result).decode("utf-16-le")


texts = st.lists(st.sampled_from(AWKWARD), max_size=40).map("".join)
positions = st.tuples(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=12))
edits = st.tuples(positions, positions, texts)


@settings(max_examples=400, deadline=None)
@given(texts, st.lists(edits, max_size=12))
def test_random_edits_give_the_clients_text(
    text: str, changes: list[tuple[tuple[int, int], tuple[int, int], str]]
) -> None:
    server_text = client_text = text
    for start, end, new_text in changes:
        server_text = apply_change(server_text, start, end, new_text)
        client_text = client_apply(client_text, start, end, new_text)
        assert server_text == client_text


@settings(max_examples=200, deadline=None)
@given(texts)
def test_lone_carriage_returns_become_line_feeds_and_nothing_moves(text: str) -> None:
    analysed = analysed_text(text)
    assert len(analysed) == len(text)
    assert analysed.count("\n") == text.count("\n") + text.count("\r") - text.count("\r\n")
    assert line_starts(analysed) == line_starts(text)


def test_a_range_end_past_the_last_line_end_takes_the_whole_line() -> None:
    assert apply_change("ab\ncd", (1, 1), (1, 99), "X") == "ab\ncX"
    assert apply_change("ab\ncd", (0, 1), (99, 0), "") == "a"
    assert apply_change("ab\r\ncd", (0, 99), (0, 99), "!") == "ab!\r\ncd"


def test_only_lsp_line_breaks_count() -> None:
    text = "# a\u2028b\x0cc\x85\nx = 1"
    assert apply_change(text, (1, 0), (1, 1), "y") == "# a\u2028b\x0cc\x85\ny = 1"
    assert apply_change("a\rb\rc", (2, 0), (2, 1), "Z") == "a\rb\rZ"
    assert offset_at("😀x", line_starts("😀x"), 0, 2) == 1
    assert offset_at("😀x", line_starts("😀x"), 0, 1) == 0  # inside the pair: before it


def test_changes_apply_in_order_and_a_whole_text_replaces() -> None:
    changes: list[types.TextDocumentContentChangeEvent] = [
        types.TextDocumentContentChangeWholeDocument(text="one\ntwo"),
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=1, character=0), end=types.Position(line=1, character=3)),
            text="2",
        ),
        types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=0, character=3), end=types.Position(line=0, character=0)),
            text="1",
        ),
    ]
    assert apply_changes("old", changes) == "1\n2"


def test_uris_equal_once_decoded_are_one_document() -> None:
    assert document_key("file:///tmp/a%20b.kon") == document_key("file:///tmp/a b.kon")
    assert document_key("file:///tmp/%61.kon") == document_key("file:///tmp/a.kon")
    assert document_key("file:///tmp/a.kon") != document_key("file:///tmp/b.kon")
