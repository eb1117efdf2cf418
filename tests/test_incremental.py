"""Incremental parsing gives exactly what a full parse gives, spans included, after any edit."""

from __future__ import annotations

import dataclasses
import random
import sys
from typing import Any

from conftest import EXAMPLES, REPOSITORY
from hypothesis import given, settings
from hypothesis import strategies as st

from koncierge_lang.source import Span
from koncierge_lang.syntax.incremental import reparse
from koncierge_lang.syntax.parser import parse

sys.path.insert(0, str(REPOSITORY / "bench"))
from synthetic import generate_application  # noqa: E402

TEXTS = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*/*.kon"))] + [generate_application(12)]
INSERTIONS = ["x", "1", " ", "\n", '"', "}", "{", "# c\n", "port 81\n    ", "\n  constant extra = \"e\"\n", "  "]


def with_spans(node: Any) -> Any:
    """A syntax tree or a model as nested tuples that include every span, for a comparison spans
    cannot escape (both leave spans out of their equality)."""
    if isinstance(node, Span):
        return ("span", *node)
    if isinstance(node, tuple | list):
        return tuple(with_spans(element) for element in node)
    if isinstance(node, frozenset | set):
        return frozenset(with_spans(element) for element in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        return (type(node).__name__, *(with_spans(getattr(node, field.name)) for field in dataclasses.fields(node)))
    return node


@st.composite
def edit(draw: st.DrawFn) -> tuple[str, str]:
    text = draw(st.sampled_from(TEXTS))
    position = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        new = text[:position] + draw(st.sampled_from(INSERTIONS)) + text[position:]
    else:
        length = draw(st.integers(1, 12))
        new = text[:position] + text[position + length :]
    return text, new


@settings(max_examples=400, deadline=None)
@given(edit())
def test_incremental_parse_equals_full_parse(texts: tuple[str, str]) -> None:
    old, new = texts
    incremental = reparse(parse(old), old, new)
    full = parse(new)
    assert with_spans(incremental.file) == with_spans(full.file)
    assert incremental.diagnostics == full.diagnostics


def test_an_edit_inside_one_component_is_read_incrementally(monkeypatch: Any) -> None:
    import koncierge_lang.syntax.incremental as incremental

    old = TEXTS[-1]
    new = old.replace("port http 8080", "port http 8081", 1)
    calls: list[str] = []
    monkeypatch.setattr(incremental, "parse", lambda *args, **kwargs: calls.append("full") or parse(*args, **kwargs))
    result = incremental.reparse(parse(old), old, new)
    assert calls == [], "the edit should not need a full parse"
    assert with_spans(result.file) == with_spans(parse(new).file)


def test_typing_within_a_line_leaves_every_other_statement_as_it_was() -> None:
    """Spans are lines and columns: a character typed in the middle of a large file changes the
    statement it is typed in and no other, so the new tree shares every other statement (and the
    checker can tell what an edit left alone). A line break moves the statements below it."""
    old = generate_application(40)
    typing_at = old.index('"', old.index(" = ", len(old) // 2)) + 1
    new = old[:typing_at] + "x" + old[typing_at:]
    previous = parse(old)
    result = reparse(previous, old, new)
    assert with_spans(result.file) == with_spans(parse(new).file)
    (before,), (after,) = previous.file.applications, result.file.applications
    assert len(before.items) == len(after.items)
    changed = [index for index, (was, now) in enumerate(zip(before.items, after.items, strict=True)) if was is not now]
    assert len(changed) == 1
    assert before.items[changed[0]].span.start_line == new[:typing_at].count("\n") + 1
    assert result.file.comments == previous.file.comments

    line_break_at = old.index("\n  component", typing_at)
    broken = old[:line_break_at] + "\n" + old[line_break_at:]
    moved = reparse(previous, old, broken)
    assert with_spans(moved.file) == with_spans(parse(broken).file)
    (after_break,) = moved.file.applications
    assert after_break.items[0] is before.items[0]
    assert after_break.items[-1] is not before.items[-1]
    assert after_break.items[-1].span.start_line == before.items[-1].span.start_line + 1


# Texts where keywords stand for names and tokens are laid out at random (tests/sentences.py).

EDIT_TOKENS = ("route", "database", "env", "constant", "storage", "port", "x", "=", "{", "}", '"x"', "3", ".", "->")
EDIT_STATEMENTS = ("route route -> route", "database database database", 'constant constant = "c"', "storage storage 1Gi")


@st.composite
def keyword_edit(draw: st.DrawFn) -> tuple[str, str]:
    """A text Lark accepts, laid out by the formatter (one statement a line, as the incremental
    parser needs to reuse statements), and an edit at a token's boundary: a line broken or joined
    before the token (so that a keyword lands first on a line, where it may be a name or start a
    statement), a token or a statement inserted, or the token deleted."""
    from sentences import generated, pieces, relaid

    from koncierge_lang.formatter import format_text

    rng = random.Random(draw(st.integers(0, 2**32)))
    old = ""
    while not old:  # Most texts are accepted; the formatter leaves the others alone.
        old = format_text(rng.choice((generated, relaid))(rng)) or ""
    found_pieces = pieces(old)
    index = draw(st.integers(0, len(found_pieces) - 1))
    piece = found_pieces[index]
    start = sum(len(earlier.before) + len(earlier.text) for earlier in found_pieces[:index])
    token_start = start + len(piece.before)
    edit = draw(st.sampled_from(("break", "join", "token", "statement", "delete")))
    if edit == "break":
        new = old[:token_start] + "\n" + " " * draw(st.integers(0, 4)) + old[token_start:]
    elif edit == "join" and "#" not in piece.before and start:
        new = old[:start] + " " + old[token_start:]
    elif edit == "statement":
        new = old[:start] + "\n  " + draw(st.sampled_from(EDIT_STATEMENTS)) + "\n" + old[start:]
    elif edit == "delete":
        new = old[:token_start] + old[token_start + len(piece.text) :]
    else:
        new = old[:token_start] + draw(st.sampled_from(EDIT_TOKENS)) + draw(st.sampled_from(("", " ", "\n  "))) + old[token_start:]
    return old, new


@settings(max_examples=400, deadline=None)
@given(keyword_edit())
def test_incremental_parse_equals_full_parse_where_keywords_are_names(texts: tuple[str, str]) -> None:
    old, new = texts
    incremental = reparse(parse(old), old, new)
    full = parse(new)
    assert with_spans(incremental.file) == with_spans(full.file)
    assert incremental.diagnostics == full.diagnostics
