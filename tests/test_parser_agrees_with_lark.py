"""The parser accepts exactly what the grammar accepts, and reads it as the grammar reads it.

Plain Lark on the grammar (`Lark(grammar_text(), parser="lalr", lexer="contextual",
start="file")`) is the definition. Over sentences generated from the grammar's rules, damaged
examples and re-laid-out examples (tests/sentences.py), Lark accepts a text exactly when
Koncierge reports no syntax error, and where both accept they read the same tokens (type, text,
offset) into the same tree: Koncierge's parser, driven by Lark's own tree callbacks instead of the
syntax-tree builder, must build Lark's tree. Completion's `expected_at` offers, before each token
of an accepted text, that token as the parser read it.

Seeded, so deterministic. `KON_AGREEMENT_SCALE=100` runs a hundred times as many texts (by hand).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any

import pytest
from lark import Token, Tree
from lark.exceptions import UnexpectedInput
from sentences import (
    anything,
    damaged,
    generated,
    reference_lark,
    relaid,
    statement_keyword_read_as_a_name,
)

from koncierge_lang.source import SourceText
from koncierge_lang.syntax.parser import (
    _driver_tables,
    _RecoveringParser,
    expected_at,
    keyword_terminals,
    lark_parser,
    parse,
)

SCALE = int(os.environ.get("KON_AGREEMENT_SCALE", "1"))

GRAMMAR_SYNTAX_CODES = frozenset({"KON001", "KON002", "KON003", "KON004"})
"""What says a text is outside the grammar. The other syntax codes, KON005 (`${...}`) and KON006
(escapes), are about what is inside a string, which the grammar's STRING leaves open: they are
checked to lie inside a string Lark read."""
STRING_CONTENT_CODES = frozenset({"KON005", "KON006"})


def larks_reading(text: str) -> tuple[list[Token], Tree] | None:
    """The tokens plain Lark read and the tree it built, or None when it rejects the text."""
    interactive = reference_lark().parse_interactive(text)
    try:
        tokens = list(interactive.iter_parse())
        tree = interactive.feed_eof()
    except UnexpectedInput:
        return None
    return tokens, tree


def koncierges_reading(text: str) -> tuple[list[Token], Any, int]:
    """The tokens Koncierge's parser read, what it built with Lark's tree callbacks in place of
    the syntax-tree builder, and how many syntax errors it reported."""
    recovering_parser = _RecoveringParser(SourceText(text))
    callbacks = lark_parser().parser.parser.parser.callbacks
    tables = _driver_tables()
    tokens: dict[int, Token] = {}

    def reduction(callback: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
        def reduce(values: list[Any]) -> Any:
            # Every token the parser shifts is taken off its stack by a reduction (and again by
            # the next one when a `?rule` passes it on).
            tokens.update((id(value), value) for value in values if isinstance(value, Token))
            return callback(values)

        return reduce

    recovering_parser.reductions = [
        (shape.size, shape.origin, reduction(callbacks[rule])) for shape, rule in zip(tables.shapes, tables.rules, strict=True)
    ]
    tree = recovering_parser.run()
    read = sorted(tokens.values(), key=lambda token: token.start_pos or 0)
    return read, tree, len(recovering_parser.diagnostics)


def comparable(value: Any) -> Any:
    if isinstance(value, Tree):
        return ("tree", str(value.data), tuple(comparable(child) for child in value.children))
    if isinstance(value, Token):
        return ("token", value.type, str(value), value.start_pos, value.end_pos, value.line, value.column)
    return value


def disagreement(text: str) -> str | None:
    """What Koncierge does differently from Lark on `text`, or None."""
    larks = larks_reading(text)
    diagnostics = parse(text).diagnostics
    syntax_errors = [diagnostic for diagnostic in diagnostics if diagnostic.code in GRAMMAR_SYNTAX_CODES]
    if larks is None:
        # Lark rejects a NUL outside comments and strings; at the text's first NUL, KON007 says so.
        rejected = syntax_errors or any(diagnostic.code == "KON007" for diagnostic in diagnostics)
        return "Lark rejects it, Koncierge reports no syntax error" if not rejected else None
    if syntax_errors:
        return f"Lark accepts it, Koncierge reports {[(d.code, d.message) for d in syntax_errors]}"
    lark_tokens, lark_tree = larks
    tokens, tree, reported = koncierges_reading(text)
    if reported:
        return "Koncierge's parser, building Lark's tree, reported a syntax error"
    if [comparable(token) for token in tokens] != [comparable(token) for token in lark_tokens]:
        return f"other tokens: {[(t.type, str(t)) for t in tokens]} != {[(t.type, str(t)) for t in lark_tokens]}"
    if comparable(tree) != comparable(lark_tree):
        return f"another tree: {tree} != {lark_tree}"
    strings = [(token.start_pos, token.end_pos) for token in lark_tokens if token.type == "STRING"]
    source = SourceText(text)
    for diagnostic in diagnostics:
        # KON007 reports a NUL wherever it is, also in a comment, where Lark accepts it.
        if diagnostic.code[:4] == "KON0" and diagnostic.code != "KON007" and not any(
            start <= source.offsets(diagnostic.span)[0] and source.offsets(diagnostic.span)[1] <= end
            for start, end in strings
        ):
            return f"{diagnostic.code} outside every string: {diagnostic.message}"
    return None


def check_agreement(draw: Callable[[random.Random], str], seed: int, count: int) -> tuple[int, int]:
    """Draws `count` texts and fails on every disagreement; returns how many texts Lark accepted,
    and in how many of those a statement keyword first on its line is read as a name."""
    rng = random.Random(seed)
    failures: list[str] = []
    accepted = keyword_names = 0
    for _ in range(count):
        text = draw(rng)
        problem = disagreement(text)
        if problem is not None:
            failures.append(f"{text!r}\n    {problem}")
            continue
        larks = larks_reading(text)
        if larks is not None:
            accepted += 1
            keyword_names += statement_keyword_read_as_a_name(text, larks[0])
    assert not failures, f"{len(failures)} of {count} texts:\n" + "\n".join(failures[:10])
    return accepted, keyword_names


def test_generated_sentences_are_accepted_and_read_as_lark_reads_them() -> None:
    accepted, keyword_names = check_agreement(generated, seed=11, count=600 * SCALE)
    # The generator must keep producing what the test is about: valid text, with statement
    # keywords first on a line where a name stands.
    assert accepted >= 300 * SCALE and keyword_names >= 50 * SCALE


def test_damaged_examples_are_rejected_exactly_when_lark_rejects_them() -> None:
    accepted, _ = check_agreement(damaged, seed=12, count=600 * SCALE)
    assert accepted >= 10 * SCALE


def test_relaid_examples_are_read_as_lark_reads_them() -> None:
    accepted, _ = check_agreement(relaid, seed=13, count=300 * SCALE)
    assert accepted >= 150 * SCALE


# The shapes review found, and their neighbours that error recovery still reads as statements.


@pytest.mark.parametrize(
    "text",
    [
        "application\n  constant\n{\n}",
        'application a {\n  component c {\n    env X =\n      database\n  }\n}',
        "application a {\n  route r ->\n    route\n}",
        "application a {\n  component c {\n    port\n    replicas 2\n  }\n}",
        'application a {\n  component c {\n    env X =\n      database\n      .host\n  }\n}',
        'application a {\n  constant c = {\n    storage = "x"\n    else = "y"\n  }\n}',
        # Where no name can stand, a keyword the state takes is read off the front of a word.
        "applicationfoo {}",
        "application a { component c { replicas3 sizesmall } }",
        'application a { component c { connects to"x" on443 } }',
        "application a { component c { env X = secret generatedlength 3 } }",
        "application a { component c { env X = y asfile } }",
        'application a { component c { environment = "x" } }',
    ],
)
def test_texts_the_grammar_accepts_have_no_syntax_error(text: str) -> None:
    assert larks_reading(text) is not None
    assert disagreement(text) is None


def test_a_keyword_first_on_its_line_is_read_as_a_name_where_a_name_stands() -> None:
    (application,) = parse("application\n  constant\n{\n}").file.applications
    assert application.name.text == "constant"
    text = 'application a {\n  component c {\n    env X =\n      database\n  }\n  route r ->\n    route\n}'
    component, route = parse(text).file.applications[0].items
    assert component.items[0].expression.text == "database"  # type: ignore[union-attr]
    assert route.component.text == "route"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # After `port env`, `X` cannot follow: `env` starts the next statement.
        ('application a {\n  component c {\n    port\n    env X = "y"\n  }\n}', "missing a port number after `port`, found `env`"),
        ("application a {\n  route r ->\n  route s -> c\n}", "missing the name of the component the route leads to"),
        # Lark reads `env` off the front of `environment`, then fails at `PROD`: read whole, the
        # word says what is wrong.
        ('application a {\n  component c {\n    environment PROD "x"\n  }\n}', "before `environment`"),
        ("application a { component c { replicasx } }", "unknown keyword `replicasx`; did you mean `replicas`?"),
    ],
)
def test_where_lark_fails_a_token_later_the_keyword_starts_the_statement(text: str, message: str) -> None:
    assert larks_reading(text) is None
    messages = [diagnostic.message for diagnostic in parse(text).diagnostics]
    assert any(message in reported for reported in messages), messages


def test_interpolation_with_spaces_around_a_keyword_is_a_reference() -> None:
    text = 'application a {\n  constant c = "${ database }"\n}\n'
    assert not parse(text).diagnostics


# Completion asks the same parser.


def test_expected_at_offers_each_token_of_an_accepted_text_as_the_parser_reads_it() -> None:
    rng = random.Random(14)
    literals = keyword_terminals()
    checked = 0
    failures: list[str] = []
    while checked < 1500 * SCALE:
        text = anything(rng)
        if larks_reading(text) is None:
            continue
        tokens, _, _ = koncierges_reading(text)
        for token in tokens:
            start = int(token.start_pos or 0)
            if start == 0 or not text[start - 1].isspace():
                continue  # A word touching the cursor is the one being typed: left out.
            checked += 1
            offered = expected_at(text, start)
            if literals.get(token.type, token.type) not in offered:
                failures.append(f"{text[:start]!r} | {text[start:]!r}: {token.type} not in {sorted(offered)}")
    assert not failures, f"{len(failures)} of {checked} positions:\n" + "\n".join(failures[:10])


def test_expected_at_offers_both_readings_of_a_keyword_before_the_cursor() -> None:
    # `route` could be the component `route r ->` leads to, or start the next route.
    offered = expected_at("application a {\n  route r ->\n  route\n  ", 100)
    assert {"NAME", ":", "component", "}"} <= offered
    # Only a name may follow `port env`; `env` may also start a statement.
    offered = expected_at("application a {\n  component c {\n    port\n    env ", 100)
    assert {"NUMBER", "NAME", "STRING"} <= offered
