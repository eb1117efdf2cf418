"""The parser: built strictly from the grammar, exact positions, and error recovery in the user's words."""

from __future__ import annotations

import re

import pytest

from koncierge_lang.source import SourceText
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.parser import build_lark, keyword_terminals, parse

TERMINAL_NAME = re.compile(r"\b(?:[A-Z]+_)*(?:NAME|NUMBER|STRING|LBRACE|RBRACE|__ANON_\d+|\$END)\b")


def test_grammar_builds_with_strict_lalr() -> None:
    parser = build_lark(strict=True)
    assert parser.options.parser == "lalr"


def test_positions_are_exact() -> None:
    text = 'application a {\n  environment LOCAL "a.test"\n  component web {\n    port 8080\n  }\n}\n'
    result = parse(text)
    assert not result.diagnostics
    application = result.file.applications[0]
    component = application.items[1]
    assert isinstance(component, ast.Component)
    assert (component.name.span.start_line, component.name.span.start_column) == (3, 13)
    assert SourceText(text).cut(component.span).startswith("component web {")
    assert SourceText(text).cut(component.span).endswith("}")
    port = component.items[0]
    assert isinstance(port, ast.Port)
    assert SourceText(text).cut(port.number.span) == "8080"


def test_contextual_keywords_allow_a_database_named_database() -> None:
    text = 'application a {\n  environment LOCAL "a.test"\n  database database mysql\n  component b {\n    image "b:1"\n    env H = database.host\n  }\n}\n'
    result = parse(text)
    assert not result.diagnostics
    component = result.file.applications[0].items[1]
    assert isinstance(component, ast.Component) and component.name.text == "database"


def test_two_independent_errors_are_both_reported() -> None:
    text = """application todo {
  environment LOCAL "todo.test"
  component backend {
    imag "kubernetesdemo/backend:1"
    port 8080
  }
  component frontend {
    port 8080

  component other {
    port 80
  }
}
"""
    result = parse(text)
    codes = [(d.code, d.span.start_line) for d in result.diagnostics]
    assert codes == [("KON001", 4), ("KON002", 10)]
    assert "did you mean `image`" in result.diagnostics[0].message
    assert "missing `}`" in result.diagnostics[1].message
    # Recovery keeps the rest of the file: all three components are in the tree.
    names = [item.name.text for item in result.file.applications[0].items if isinstance(item, ast.Component)]
    assert names == ["backend", "frontend", "other"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('application a {\n  component b {\n    port "abc"\n  }\n}\n', 'expected a port number after `port`, found `"abc"`'),
        ("application a {\n  environment PROD\n  component b {\n  }\n}\n", "missing the environment's domain name"),
        ('application a {\n  component b {\n    image "x:1"\n', "missing 2 closing braces"),
        ("application a { port 80 }", "expected"),
        ("component x {}", "expected `application`"),
        ('application a {\n  constant x = "a\n}\n', "never closed"),
        ("application a { @ }", "unexpected character `@`"),
    ],
)
def test_messages_are_in_the_users_words(text: str, expected: str) -> None:
    result = parse(text)
    messages = [d.message for d in result.diagnostics]
    assert any(expected in message for message in messages), messages
    for message in messages:
        assert not TERMINAL_NAME.search(message), f"a grammar terminal name leaked into: {message}"
        assert "Traceback" not in message


def test_keyword_typo_fix_replaces_the_word() -> None:
    text = 'application a {\n  component b {\n    imag "x:1"\n  }\n}\n'
    diagnostic = parse(text).diagnostics[0]
    (fix,) = diagnostic.fixes
    (edit,) = fix.edits
    assert SourceText(text).cut(edit.span) == "imag" and edit.new_text == "image"


def test_missing_brace_fix_makes_the_file_parse() -> None:
    text = 'application a {\n  component b {\n    port 80\n\n  component c {\n    port 81\n  }\n}\n'
    diagnostic = parse(text).diagnostics[0]
    edit = diagnostic.fixes[0].edits[0]
    fixed = edit.applied_to(text)
    assert not parse(fixed).diagnostics


def test_interpolation_positions_point_into_the_string() -> None:
    text = 'application a {\n  constant n = "x"\n  constant u = "jdbc://${n}/y"\n}\n'
    declaration = parse(text).file.applications[0].items[1]
    assert isinstance(declaration, ast.ValueDeclaration)
    literal = declaration.expression
    assert isinstance(literal, ast.StringLiteral)
    (reference,) = literal.references
    assert SourceText(text).cut(reference.name.span) == "n"


def test_every_keyword_has_a_literal_terminal() -> None:
    literals = set(keyword_terminals().values())
    for keyword in ("application", "environment", "component", "database", "route", "read-only", "->"):
        assert keyword in literals


@pytest.mark.parametrize(
    "inner",
    ["db_name", "database.host", "a-b.c_d", "x", " spaced ", "a . b", "a.b.c", "1abc", "", "a.", ".a", "a#b", "api.url"],
)
def test_simple_interpolations_read_as_the_reference_rule_reads_them(inner: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`${name}` and `${name.member}` skip the parser; the result must be what the parser gives."""
    import re as regular_expressions

    from koncierge_lang.syntax import parser as parser_module

    text = f'application a {{\n  constant c = "x${{{inner}}}y"\n}}\n'
    fast = parse(text)
    monkeypatch.setattr(parser_module, "_simple_reference_pattern", lambda: regular_expressions.compile(r"(?!)"))
    slow = parse(text)

    def shape(result: object) -> object:
        file = result.file  # type: ignore[attr-defined]
        literal = file.applications[0].items[0].expression if file.applications and file.applications[0].items else None
        parts = literal.parts if literal is not None else ()
        return [
            (part.text, part.name.span, part.member.span if part.member else None, part.span) if isinstance(part, ast.Reference) else part
            for part in parts
        ], [(d.code, d.span) for d in result.diagnostics]  # type: ignore[attr-defined]

    assert shape(fast) == shape(slow)


def test_applications_read_before_the_parser_gives_up_are_still_checked() -> None:
    """After too many syntax errors the rest of the file is not read, but what came before it is."""
    from koncierge_lang.analysis import analyze

    first = (
        'application shop {\n  environment LOCAL "shop.test"\n  component web {\n'
        '    image "nginx:1.27"\n    env A = missing_value\n  }\n}\n'
    )
    broken = "application other {\n" + "".join(f'  bogus\n  constant c{index} = "x"\n' for index in range(150)) + "}\n"
    analysis = analyze(first + broken)
    assert [application.name.text for application in analysis.syntax.applications] == ["shop"]
    assert "KON101" in {diagnostic.code for diagnostic in analysis.diagnostics}
    assert analysis.diagnostics[-1].message.endswith("(too many syntax errors: the rest of the file was not checked)")


def test_statement_keywords_are_the_first_words_of_every_statement() -> None:
    """Error recovery holds on to `STATEMENT_KEYWORDS`: a statement added to the grammar without
    its keyword there would not be recognised when misspelt, nor end a skipped block."""
    from koncierge_lang.syntax.parser import STATEMENT_KEYWORDS, build_lark

    lark = build_lark()
    literals = {terminal.name: terminal.pattern.value for terminal in lark.terminals if terminal.pattern.type == "str"}
    rules_by_origin: dict[str, list[list[str]]] = {}
    for rule in lark.rules:
        rules_by_origin.setdefault(rule.origin.name, []).append([symbol.name for symbol in rule.expansion])
    statements = {expansion[0] for origin in ("application_item", "component_item") for expansion in rules_by_origin[origin]}
    first_words = {"application"}
    for statement in statements:
        for expansion in rules_by_origin.get(statement, [[statement]]):
            first_words.add(literals.get(expansion[0], expansion[0]))
    assert first_words == set(STATEMENT_KEYWORDS)
