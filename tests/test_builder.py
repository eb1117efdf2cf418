"""The syntax-tree builder reads each rule's children as Lark's own parse tree would hold them,
and leaves out exactly the statements that error recovery had to complete."""

from __future__ import annotations

from typing import Any

import pytest
from lark import Token, Tree

from koncierge_lang.requirements import model
from koncierge_lang.source import SourceText
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.builder import RuleNode, children_reader, rule_shape
from koncierge_lang.syntax.parser import _driver_tables, _parse_table, lark_parser, parse


def _larks_callbacks() -> dict[Any, Any]:
    return lark_parser().parser.parser.parser.callbacks  # type: ignore[no-any-return]


def _values(rule: Any) -> list[Any]:
    """One distinct stand-in per symbol: a token for a terminal, a tree for a rule."""
    values: list[Any] = []
    for index, symbol in enumerate(rule.expansion):
        if symbol.is_term:
            values.append(Token(symbol.name, f"t{index}", index, 1, index + 1, 1, index + 2, index + 1))
        else:
            values.append(Tree(symbol.name, [f"c{index}a", f"c{index}b"]))
    return values


def _comparable(value: Any) -> Any:
    if isinstance(value, Tree | RuleNode):
        return ("node", value.data, tuple(_comparable(child) for child in value.children))
    if isinstance(value, Token):
        return ("token", value.type, str(value))
    return value


@pytest.mark.parametrize("rule", list(_larks_callbacks()), ids=str)
def test_each_rule_keeps_the_children_of_larks_tree(rule: Any) -> None:
    """Lark's own callback (child filter, `[optional]` placeholders, `?rule` inlining) against the
    shape the builder reads: the same children in the same places."""
    larks = _larks_callbacks()[rule](_values(rule))
    shape = rule_shape(rule)
    if shape.passthrough is not None:
        # An inlined `?rule`: Lark returns the one child itself.
        assert _comparable(_values(rule)[shape.passthrough]) == _comparable(larks)
        return
    assert isinstance(larks, Tree) and larks.data == shape.name
    reader = children_reader(shape)
    values = _values(rule)
    children = reader(values) if reader is not None else values
    assert [_comparable(child) for child in children] == [_comparable(child) for child in larks.children]


def test_every_rule_of_the_tables_has_a_shape() -> None:
    reduced = {
        argument
        for actions in _parse_table().states.values()
        for action, argument in actions.values()
        if action.name == "Reduce"
    }
    assert len(_driver_tables().shapes) == len(reduced)


def test_a_statement_completed_with_a_made_up_token_is_left_out_and_its_neighbours_kept() -> None:
    text = (
        'application a {\n  environment LOCAL "a.test"\n  component web {\n    image "nginx:1.27"\n'
        '    port\n    env A = "x"\n  }\n}\n'
    )
    result = parse(text)
    assert [diagnostic.code for diagnostic in result.diagnostics] == ["KON002"]
    component = result.file.applications[0].items[1]
    assert isinstance(component, ast.Component)
    assert [type(item).__name__ for item in component.items] == ["Image", "Variable"]


def test_an_inline_secret_spans_its_keyword() -> None:
    text = 'application a {\n  component web {\n    env TOKEN = secret generated\n  }\n}\n'
    variable = parse(text).file.applications[0].items[0].items[0]  # type: ignore[union-attr]
    assert isinstance(variable, ast.Variable)
    span = variable.expression.span
    assert SourceText(text).cut(span) == "secret generated"


@pytest.mark.parametrize(
    ("kind", "values"),
    [
        (ast.Name, ("web", ast.EMPTY_SPAN)),
        (ast.Number, ("8080", ast.EMPTY_SPAN)),
        (ast.Reference, (ast.Name("database"), ast.Name("host"), ast.EMPTY_SPAN)),
        (ast.StringLiteral, ('"x"', ("x",), ast.EMPTY_SPAN)),
        (ast.VariableName, ("DB_HOST", False, ast.EMPTY_SPAN)),
        (ast.Variable, (ast.VariableName("A"), ast.StringLiteral('"x"', ("x",)), ast.EMPTY_SPAN, True)),
        (model.ValueReference, ("db_name",)),
        (model.Variable, ("DB_NAME", model.ValueReference("db_name"), False, ast.EMPTY_SPAN, True)),
    ],
)
def test_the_fast_constructor_builds_the_same_frozen_node(kind: type, values: tuple[Any, ...]) -> None:
    import dataclasses

    from koncierge_lang.performance import frozen_constructor

    fast = frozen_constructor(kind)(*values)
    assert type(fast) is kind
    assert fast == kind(*values) and hash(fast) == hash(kind(*values))
    assert [getattr(fast, field.name) for field in dataclasses.fields(kind)] == list(values)
    first_field = dataclasses.fields(kind)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(fast, first_field, values[0])
