"""The syntax tree, built while the LALR parser reduces: each grammar rule has a reduction.

The parser (koncierge_lang/syntax/parser.py) calls one reduction per rule it recognises, with the
values of the rule's symbols: tokens, and what the reductions of its sub-rules returned. Statements
(`component`, `env`, `route`, ...) become syntax-tree nodes at once, and so do references and
plain text, where nothing can be reported; the other parts of a statement (`environment_after`,
text with escapes or `${...}`, ...) are kept as light `RuleNode`s until their statement reads
them, so that a statement which error recovery had to complete with made-up tokens is left out
whole, with nothing in it reported. Building the tree in the same pass as the parse spares
Lark's per-rule wrappers and `Tree`s, and a second walk over them.

Which symbols a rule keeps, and where an omitted `[optional]` part leaves a `None`, is read from
Lark's own compiled rules (`filter_out`, `keep_all_tokens`, `empty_indices`, `expand1`), so the
children a reduction receives are exactly the children of Lark's tree for that rule
(`maybe_placeholders=True`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from lark import Token

from koncierge_lang.diagnostics import Diagnostic, make_diagnostic
from koncierge_lang.performance import frozen_constructor
from koncierge_lang.source import SourceText, Span
from koncierge_lang.syntax import ast

MISSING = "\x00missing"
"""The value of a token that error recovery made up; statements holding one are left out."""


class _Incomplete(Exception):
    """A statement holds a token made up by error recovery; it is left out of the tree."""


class RuleNode:
    """A part of a statement, as Lark's tree would hold it: the rule's name, its kept children
    (with `None` for an omitted optional part) and the span from its first to its last symbol."""

    __slots__ = ("data", "children", "span")

    def __init__(self, data: str, children: list[Any], span: Span | None) -> None:
        self.data = data
        self.children = children
        self.span = span

    def __repr__(self) -> str:
        return f"RuleNode({self.data!r}, {self.children!r})"


INCOMPLETE = RuleNode("incomplete", [], None)
"""What the reduction of a statement that holds a made-up token returns; lists leave it out."""


@dataclass(frozen=True, slots=True)
class RuleShape:
    """How one compiled grammar rule (one expansion) becomes a reduction's children."""

    size: int
    """How many values the rule takes off the parser's stack."""
    origin: str
    """The nonterminal it reduces to (the parser's goto)."""
    name: str
    """Its alias or its nonterminal's name: which reduction builds it."""
    layout: tuple[tuple[int, bool], ...] | None
    """Per kept child: its index among the values (or -1 for an omitted optional part) and
    whether it is an inlined `_rule` whose own children are spliced in. None when the values
    are kept as they are."""
    passthrough: int | None
    """For an inlined `?rule` with one child: that child's index; the rule builds nothing."""
    lists_statements: bool
    """A repetition of statements (Lark's `__..._star_N` for `application*`, `application_item*`
    or `component_item*`): one that could not be read completely is left out of the list."""


def rule_shape(rule: Any) -> RuleShape:
    """The shape of a Lark `Rule`, as Lark's `maybe_create_child_filter` and `ExpandSingleChild`
    compute it for `maybe_placeholders=True`."""
    expansion = rule.expansion
    options = rule.options
    empty_indices = options.empty_indices
    if empty_indices:
        ones = "".join(str(int(flag)) for flag in empty_indices).split("0")
        nones_before = [len(run) for run in ones]
    else:
        nones_before = [0] * (len(expansion) + 1)
    layout: list[tuple[int, bool]] = []
    for index, symbol in enumerate(expansion):
        layout.extend([(-1, False)] * nones_before[index])
        if options.keep_all_tokens or not (symbol.is_term and symbol.filter_out):
            layout.append((index, not symbol.is_term and symbol.name.startswith("_")))
    layout.extend([(-1, False)] * nones_before[len(expansion)])
    passthrough = None
    if options.expand1 and not rule.alias and len(layout) == 1 and layout[0][0] >= 0 and not layout[0][1]:
        passthrough = layout[0][0]
    identity = len(layout) == len(expansion) and all(kept == (index, False) for index, kept in enumerate(layout))
    return RuleShape(
        len(expansion),
        rule.origin.name,
        rule.alias or rule.origin.name,
        None if identity else tuple(layout),
        passthrough,
        rule.origin.name.startswith("__") and any(symbol.name in _ITEM_LISTS for symbol in expansion),
    )


_new_tuple = tuple.__new__
# The syntax-tree nodes built for nearly every statement, built without the frozen dataclasses'
# slower `__init__` (every field, in order).
_new_name = frozen_constructor(ast.Name)
_new_number = frozen_constructor(ast.Number)
_new_reference = frozen_constructor(ast.Reference)
_new_string = frozen_constructor(ast.StringLiteral)
_new_variable_name = frozen_constructor(ast.VariableName)
_new_variable = frozen_constructor(ast.Variable)


def _position_of(value: Any) -> Any:
    """Where a value on the parser's stack lies: a token, or the span of what a rule built."""
    if type(value) is Token:
        return value
    return getattr(value, "span", None)


def span_of_values(values: Sequence[Any]) -> Span | None:
    """From the first positioned value to the last: the span of a rule's text (tokens that the
    tree leaves out, such as keywords and braces, included)."""
    first = last = None
    for value in values:
        position = _position_of(value)
        if position is not None:
            first = position
            break
    if first is None:
        return None
    for value in reversed(values):
        position = _position_of(value)
        if position is not None:
            last = position
            break
    assert last is not None
    start = (first.line, first.column) if type(first) is Token else (first.start_line, first.start_column)
    end = (last.end_line, last.end_column) if type(last) is Token else (last.end_line, last.end_column)
    return _new_tuple(Span, (start[0], start[1], end[0], end[1]))


def _splicing_getter(layout: tuple[tuple[int, bool], ...]) -> Callable[[list[Any]], list[Any]]:
    """Kept children for a rule that inlines a `_rule` (Lark's ChildFilterLALR)."""

    def kept(values: list[Any]) -> list[Any]:
        children: list[Any] = []
        for index, splice in layout:
            if index < 0:
                children.append(None)
            elif splice:
                if children:
                    children += values[index].children
                else:
                    # Left recursion (`_star: _star item`): the list grows in place, as in Lark.
                    children = values[index].children
            else:
                children.append(values[index])
        return children

    return kept


def _plain_getter(layout: tuple[tuple[int, bool], ...]) -> Callable[[list[Any]], Any]:
    """Kept children for a rule without inlined parts: one C call (`itemgetter`)."""
    indices = [index for index, _ in layout]
    if not indices:
        return lambda values: ()
    if len(indices) == 1:
        (only,) = indices
        return lambda values: (values[only],)
    return itemgetter(*indices)


def children_reader(shape: RuleShape) -> Callable[[list[Any]], Sequence[Any]] | None:
    """values -> the children Lark's tree would hold for the rule; None when they are the values."""
    layout = shape.layout
    if layout is None:
        return None
    if any(splice for _, splice in layout):
        return _splicing_getter(layout)
    if all(index >= 0 for index, _ in layout):
        return _plain_getter(layout)
    # An omitted optional part reads the `None` appended to the values (a list of its own).
    size = shape.size
    getter = _plain_getter(tuple((size if index < 0 else index, splice) for index, splice in layout))

    def with_placeholders(values: list[Any]) -> Sequence[Any]:
        values.append(None)
        return getter(values)  # type: ignore[no-any-return]

    return with_placeholders


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "$": "$"}

_ITEM_LISTS = ("application", "application_item", "component_item")
"""The items of these lists are statements: one that could not be read completely is left out."""

_STATEMENTS = frozenset(
    {
        "application", "environment", "constant", "secret", "value", "storage", "component", "database",
        "route", "image", "port", "env", "command", "args", "mount", "component_storage", "replicas",
        "connects", "accepts", "size", "health", "writes", "writes_everywhere", "capabilities", "run_as",
        "probe", "cpu", "memory", "single_instance", "sidecar", "init_container", "expose", "annotation",
        "label", "runs_on", "toleration", "grace", "authentication",
    }
)


class SyntaxTreeBuilder:
    """The reductions of one parse: grammar rule -> syntax-tree node, resolving string escapes and
    `${...}` interpolation. Diagnostics of the strings it reads are collected in `diagnostics`."""

    def __init__(
        self, source: SourceText, read_reference: Callable[[str], Any], simple_reference: re.Pattern[str]
    ) -> None:
        """`read_reference` parses the text inside `${...}` with the grammar's `reference` rule
        (the parser's job, handed in so that this module does not import the parser);
        `simple_reference` matches the common case, `name` or `name.member`, without a parser."""
        self.source = source
        self.read_reference = read_reference
        self.simple_reference = simple_reference
        self.diagnostics: list[Diagnostic] = []

    def reductions(self, shapes: Sequence[RuleShape]) -> list[Callable[[list[Any]], Any]]:
        """Per rule (in the order of `shapes`): values on the stack -> the rule's value."""
        return [self._reduction(shape) for shape in shapes]

    def _reduction(self, shape: RuleShape) -> Callable[[list[Any]], Any]:
        if shape.passthrough is not None:
            if shape.size == 1:
                return itemgetter(shape.passthrough)
            return self._widening_passthrough(shape.passthrough)
        name = shape.name
        if name.startswith("__"):
            return self._list_reduction(shape)
        build = getattr(self, "build_" + name, None)
        if build is None:
            build = self._rule_node(name)
        statement = name in _STATEMENTS
        kept = children_reader(shape)
        new_tuple = _new_tuple

        def reduce(values: list[Any]) -> Any:
            span: Span | None = None
            if values:
                first = values[0]
                last = values[-1]
                if type(first) is Token:
                    if type(last) is Token:
                        span = new_tuple(
                            Span,
                            (first.line, first.column, last.end_line, last.end_column),
                        )
                    elif (last_span := last.span) is not None:
                        # A statement from its keyword to what a sub-rule built (`env X = ref`).
                        span = new_tuple(
                            Span,
                            (first.line, first.column, last_span.end_line, last_span.end_column),
                        )
                    else:
                        span = span_of_values(values)
                else:
                    span = span_of_values(values)
            children = kept(values) if kept is not None else values
            if not statement:
                return build(children, span)
            try:
                return build(children, span)
            except _Incomplete:
                return INCOMPLETE

        return reduce

    def _widening_passthrough(self, index: int) -> Callable[[list[Any]], Any]:
        """An inlined `?rule` whose other symbols are left out (`"secret" secret_value`): its
        one child's node spans the whole rule, keyword included, as Lark's positions would."""

        def reduce(values: list[Any]) -> Any:
            child = values[index]
            if type(child) is RuleNode:
                child.span = span_of_values(values)
            return child

        return reduce

    def _list_reduction(self, shape: RuleShape) -> Callable[[list[Any]], Any]:
        """A repetition (`item*`, which Lark compiles to a left-recursive `__..._star_N` rule)."""
        # Always a list of its own: the next reduction of the repetition appends to it.
        kept = _splicing_getter(shape.layout) if shape.layout is not None else None
        skips_incomplete = shape.lists_statements
        name = shape.name

        if skips_incomplete and shape.layout in (None, ((0, True), (1, False))):
            # A list of statements (`list: item | list item`, one reduction per statement) grows
            # in place: the parser has popped the list it extends. It is always inside braces or
            # the whole file, whose span does not come from it, so it needs no span of its own.

            def reduce_statements(values: list[Any]) -> RuleNode:
                if len(values) == 2:
                    statements, statement = values
                    if statement is not INCOMPLETE:
                        statements.children.append(statement)
                    return statements  # type: ignore[no-any-return]
                statement = values[0]
                return RuleNode(name, [] if statement is INCOMPLETE else [statement], None)

            return reduce_statements
        assert not skips_incomplete, shape

        def reduce(values: list[Any]) -> RuleNode:
            return RuleNode(name, kept(values) if kept is not None else values, span_of_values(values))

        return reduce

    def _rule_node(self, name: str) -> Callable[[Sequence[Any], Span | None], RuleNode]:
        def build(children: Sequence[Any], span: Span | None) -> RuleNode:
            return RuleNode(name, list(children), span)

        return build

    # Reading tokens --------------------------------------------------------------------------

    def token_text(self, token: Any) -> str:
        if token.value == MISSING:
            raise _Incomplete
        return str(token)

    def span(self, token: Any) -> Span:
        return _new_tuple(
            Span, (token.line, token.column, token.end_line, token.end_column)
        )

    def name(self, token: Any) -> ast.Name:
        if token.value == MISSING:
            raise _Incomplete
        return _new_name(
            token.value,
            _new_tuple(Span, (token.line, token.column, token.end_line, token.end_column)),
        )

    def number(self, token: Any) -> ast.Number:
        return _new_number(self.token_text(token), self.span(token))

    # The file and the application -------------------------------------------------------------

    def applications(self, node: Any) -> tuple[ast.Application, ...]:
        """The applications of a whole file (the `file` rule's node)."""
        return tuple(node.children)

    def partial(self, values: list[Any]) -> tuple[ast.Application, ...]:
        """The applications completed before the parser gave up: the list of those before the
        last, and the last, when the parser had not yet added it to the list."""
        applications: list[ast.Application] = []
        for value in values:
            if type(value) is ast.Application:
                applications.append(value)
            elif type(value) is RuleNode and value.children and type(value.children[0]) is ast.Application:
                applications.extend(value.children)  # the file's list of applications
        return tuple(applications)

    def build_application(self, children: Sequence[Any], span: Span) -> ast.Application:
        name_token = children[0]
        quoted = name_token.type == "STRING"
        if quoted:
            name_literal = self.string(name_token)
            if not name_literal.is_plain:
                self.diagnostics.append(
                    make_diagnostic(
                        "KON217",
                        "`${...}` cannot be used in an application's name: it is taken as written",
                        name_literal.span,
                    )
                )
            name = ast.Name(name_literal.value, name_literal.span)
        else:
            name = self.name(name_token)
        description = None
        rest = children[1:]
        if rest and type(rest[0]) is Token and rest[0].type == "STRING":
            description = self.string(rest[0])
            rest = rest[1:]
        items = tuple(item for item in rest if item is not None)
        return ast.Application(name, quoted, description, items, span)

    # Application items ----------------------------------------------------------------------

    def build_environment(self, children: Sequence[Any], span: Span) -> ast.Environment:
        name_token, like_node, domain_token, after_node = children
        like = self.name(like_node.children[0]) if like_node is not None else None
        after = tuple(self.name(token) for token in after_node.children) if after_node is not None else ()
        return ast.Environment(self.name(name_token), like, self.string(domain_token), after, span)

    def build_constant(self, children: Sequence[Any], span: Span) -> ast.ValueDeclaration:
        name_token, expression_node = children
        return ast.ValueDeclaration("constant", self.name(name_token), self.expression(expression_node), span)

    def build_secret(self, children: Sequence[Any], span: Span) -> ast.ValueDeclaration:
        name_token, expression_node = children
        return ast.ValueDeclaration("secret", self.name(name_token), self.expression(expression_node), span)

    def build_value(self, children: Sequence[Any], span: Span) -> ast.ValueDeclaration:
        name_token, expression_node = children
        return ast.ValueDeclaration("value", self.name(name_token), self.expression(expression_node), span)

    def build_storage(self, children: Sequence[Any], span: Span) -> ast.StorageDeclaration:
        name_token, size_token, lifetime_node = children
        lifetime = str(lifetime_node.children[0]) if lifetime_node is not None else None
        return ast.StorageDeclaration(self.name(name_token), self.number(size_token), lifetime, span)

    def build_component(self, children: Sequence[Any], span: Span) -> ast.Component:
        name = self.name(children[0])
        return ast.Component(name, None, tuple(children[1:]), True, span)

    def build_database(self, children: Sequence[Any], span: Span) -> ast.Component:
        name = self.name(children[0])
        database_type = self.name(children[1])
        has_body = self.source.cut(span).endswith("}")
        return ast.Component(name, database_type, tuple(children[2:]), has_body, span)

    def build_route(self, children: Sequence[Any], span: Span) -> ast.Route:
        name_token, *rest = children
        subdomain = None
        path = None
        order: list[str] = []
        index = 0
        while index < len(rest) and type(rest[index]) is RuleNode:
            option = rest[index]
            option_name = "subdomain" if option.data == "route_subdomain" else "path"
            if option_name in order:
                self.diagnostics.append(
                    make_diagnostic(
                        "KON215",
                        f"`{option_name}` is given twice in route `{name_token}`; only one can take effect",
                        option.span,
                    )
                )
            if option.data == "route_subdomain":
                subdomain = self.string(option.children[0])
                order.append("subdomain")
            else:
                path = self.string(option.children[0])
                order.append("path")
            index += 1
        component_token = rest[index]
        port_token = rest[index + 1] if index + 1 < len(rest) else None
        port: ast.Number | ast.Name | None = None
        if port_token is not None:
            port = self.number(port_token) if port_token.type == "NUMBER" else self.name(port_token)
        return ast.Route(self.name(name_token), subdomain, path, self.name(component_token), port, span, tuple(order))

    # Component items ------------------------------------------------------------------------

    def build_image(self, children: Sequence[Any], span: Span) -> ast.Image:
        return ast.Image(self.string(children[0]), span)

    def build_port(self, children: Sequence[Any], span: Span) -> ast.Port:
        # With maybe_placeholders the shape is (name?, number, container number?, protocol?).
        name_token, number_token, container_token, protocol_token = children
        return ast.Port(
            self.name(name_token) if name_token is not None else None,
            self.number(number_token),
            self.name(protocol_token) if protocol_token is not None else None,
            span,
            self.number(container_token) if container_token is not None else None,
        )

    def build_env(self, children: Sequence[Any], span: Span) -> ast.Variable:
        name_node, expression_node, as_file_node = children
        if name_node.type == "STRING":
            literal = self.string(name_node)
            variable_name = _new_variable_name(literal.value, True, literal.span)
        else:
            variable_name = _new_variable_name(self.token_text(name_node), False, self.span(name_node))
        return _new_variable(variable_name, self.expression(expression_node), span, as_file_node is not None)

    def build_command(self, children: Sequence[Any], span: Span) -> ast.CommandLine:
        return ast.CommandLine("command", tuple(self.string(token) for token in children[0].children), span)

    def build_args(self, children: Sequence[Any], span: Span) -> ast.CommandLine:
        return ast.CommandLine("args", tuple(self.string(token) for token in children[0].children), span)

    def build_mount(self, children: Sequence[Any], span: Span) -> ast.Mount:
        storage_token, mode_node, path_token = children
        mode = str(mode_node.children[0]) if mode_node is not None else None
        return ast.Mount(self.name(storage_token), mode, self.string(path_token), span)

    def build_component_storage(self, children: Sequence[Any], span: Span) -> ast.ComponentStorage:
        size_token, lifetime_node, mode_node, path_token = children
        lifetime = str(lifetime_node.children[0]) if lifetime_node is not None else None
        mode = str(mode_node.children[0]) if mode_node is not None else None
        return ast.ComponentStorage(self.number(size_token), lifetime, mode, self.string(path_token), span)

    def build_replicas(self, children: Sequence[Any], span: Span) -> ast.Replicas:
        return ast.Replicas(self.number(children[0]), span)

    def build_connects(self, children: Sequence[Any], span: Span) -> ast.Connects:
        target_token, port_token, protocol_token = children
        return ast.Connects(
            self.string(target_token) if target_token.type == "STRING" else self.name(target_token),
            self.port_reference(port_token),
            self.name(protocol_token) if protocol_token is not None else None,
            span,
        )

    def build_accepts(self, children: Sequence[Any], span: Span) -> ast.Accepts:
        source_token, port_token = children
        return ast.Accepts(self.name(source_token), self.port_reference(port_token), span)

    def port_reference(self, token: Any) -> ast.Number | ast.Name | None:
        """A port by number or by name, where one may be given."""
        if token is None:
            return None
        return self.number(token) if token.type == "NUMBER" else self.name(token)

    def build_size(self, children: Sequence[Any], span: Span) -> ast.Size:
        return ast.Size(self.name(children[0]), span)  # a NUMBER too: the checker says sizes are named

    def build_health(self, children: Sequence[Any], span: Span) -> ast.Health:
        path_token, port_token = children
        port: ast.Number | ast.Name | None = None
        if port_token is not None:
            port = self.number(port_token) if port_token.type == "NUMBER" else self.name(port_token)
        return ast.Health(self.string(path_token), port, span)

    def build_writes(self, children: Sequence[Any], span: Span) -> ast.Writes:
        # (path, path, ..., keeping?): the last child is the optional `keeping contents`.
        *paths, keeping = children
        return ast.Writes(tuple(self.string(token) for token in paths), span, keeping is not None)

    def build_writes_everywhere(self, children: Sequence[Any], span: Span) -> ast.WritesEverywhere:
        return ast.WritesEverywhere(span)

    def build_capabilities(self, children: Sequence[Any], span: Span) -> ast.Capabilities:
        return ast.Capabilities(tuple(self.name(token) for token in children), span)

    def build_run_as(self, children: Sequence[Any], span: Span) -> ast.RunAs:
        user_token, group_token = children
        return ast.RunAs(self.number(user_token), self.number(group_token) if group_token is not None else None, span)

    def build_probe(self, children: Sequence[Any], span: Span) -> ast.Probe:
        kind_token, check, *options = children
        check_name = check.data.removeprefix("probe_")
        path: ast.StringLiteral | None = None
        port: ast.Number | ast.Name | None = None
        command: tuple[ast.StringLiteral, ...] = ()
        if check_name == "http":
            path = self.string(check.children[0])
            port = self.port_reference(check.children[1])
        elif check_name == "command":
            command = tuple(self.string(token) for token in check.children[0].children)
        else:
            port = self.port_reference(check.children[0])
        built: list[ast.ProbeOption] = []
        for option in options:
            option_name = option.data.removeprefix("probe_")
            if option_name == "header":
                header = (self.string(option.children[0]), self.string(option.children[1]))
                built.append(ast.ProbeOption(option_name, None, header, option.span))
            else:
                built.append(ast.ProbeOption(option_name, self.number(option.children[0]), None, option.span))
        return ast.Probe(self.name(kind_token), check_name, path, port, command, tuple(built), span)

    def _resource(self, kind: str, children: Sequence[Any], span: Span) -> ast.Resource:
        request_token, limit_node, environments_node = children
        limit = self.number(limit_node.children[0]) if limit_node is not None else None
        environments = (
            tuple(self.name(token) for token in environments_node.children) if environments_node is not None else ()
        )
        return ast.Resource(kind, self.number(request_token), limit, environments, span)

    def build_cpu(self, children: Sequence[Any], span: Span) -> ast.Resource:
        return self._resource("cpu", children, span)

    def build_memory(self, children: Sequence[Any], span: Span) -> ast.Resource:
        return self._resource("memory", children, span)

    def build_single_instance(self, children: Sequence[Any], span: Span) -> ast.SingleInstance:
        return ast.SingleInstance(span)

    def build_sidecar(self, children: Sequence[Any], span: Span) -> ast.Container:
        return ast.Container("sidecar", self.name(children[0]), tuple(item for item in children[1:] if item is not None), span)

    def build_init_container(self, children: Sequence[Any], span: Span) -> ast.Container:
        return ast.Container("init", self.name(children[0]), tuple(item for item in children[1:] if item is not None), span)

    def build_expose(self, children: Sequence[Any], span: Span) -> ast.Expose:
        port_token, environments_node = children
        port = self.port_reference(port_token)
        assert port is not None
        environments = (
            tuple(self.name(token) for token in environments_node.children) if environments_node is not None else ()
        )
        return ast.Expose(port, environments, span)

    def build_annotation(self, children: Sequence[Any], span: Span) -> ast.PodSetting:
        return ast.PodSetting("annotation", self.string(children[0]), self.string(children[1]), span)

    def build_label(self, children: Sequence[Any], span: Span) -> ast.PodSetting:
        return ast.PodSetting("label", self.string(children[0]), self.string(children[1]), span)

    def build_runs_on(self, children: Sequence[Any], span: Span) -> ast.PodSetting:
        return ast.PodSetting("node", self.string(children[0]), self.string(children[1]), span)

    def build_toleration(self, children: Sequence[Any], span: Span) -> ast.Toleration:
        key_token, value_token, effect_token = children
        return ast.Toleration(
            self.string(key_token),
            self.string(value_token) if value_token is not None else None,
            self.name(effect_token) if effect_token is not None else None,
            span,
        )

    def build_grace(self, children: Sequence[Any], span: Span) -> ast.Grace:
        return ast.Grace(self.number(children[0]), span)

    def build_authentication(self, children: Sequence[Any], span: Span) -> ast.Authentication:
        return ast.Authentication(self.name(children[0]), span)

    # Expressions ------------------------------------------------------------------------------

    def build_reference(self, children: Sequence[Any], span: Span) -> ast.Reference | RuleNode:
        """`name` or `name.member`, read at once: nothing in it can be reported."""
        name_token, member_token = children
        if name_token.value == MISSING or (member_token is not None and member_token.value == MISSING):
            return RuleNode("reference", list(children), span)  # left out where it is used
        member = self.name(member_token) if member_token is not None else None
        return _new_reference(self.name(name_token), member, span)

    def build_string(self, children: Sequence[Any], span: Span) -> ast.StringLiteral | RuleNode:
        """Text without escapes or `${...}` is read at once; other text when its statement is
        read, so that a statement left out reports nothing about its text."""
        raw = children[0].value
        if raw == MISSING or "\\" in raw or "$" in raw:
            return RuleNode("string", list(children), span)
        return _new_string(raw, (raw[1:-1],) if len(raw) > 2 else (), span)

    def expression(self, node: Any) -> Any:
        kind = type(node)
        if kind is ast.Reference or kind is ast.StringLiteral:
            return node
        if kind is not RuleNode:
            raise _Incomplete
        data = node.data
        if data == "reference":
            return self.reference(node)
        if data == "string":
            return self.string(node.children[0])
        if data == "per_environment":
            return self.per_environment(node)
        if data in ("secret_base64", "secret_plain", "secret_generated", "secret_store"):
            # An inline secret's node holds only the secret's own children; the keyword `secret`
            # before it is part of the variable's span.
            return self.secret(node)
        raise _Incomplete

    def secret(self, node: RuleNode) -> ast.SecretExpression:
        if node.data == "secret_base64":
            return ast.SecretBase64(self.string(node.children[0]), node.span)  # type: ignore[arg-type]
        if node.data == "secret_plain":
            return ast.SecretPlain(self.string(node.children[0]), node.span)  # type: ignore[arg-type]
        if node.data == "secret_store":
            return ast.SecretStore(self.string(node.children[0]), node.span)  # type: ignore[arg-type]
        length = node.children[0] if node.children else None
        return ast.SecretGenerated(self.number(length) if length is not None else None, node.span)  # type: ignore[arg-type]

    def reference(self, node: RuleNode) -> ast.Reference:
        name_token, member_token = node.children
        member = self.name(member_token) if member_token is not None else None
        return ast.Reference(self.name(name_token), member, node.span)  # type: ignore[arg-type]

    def per_environment(self, node: RuleNode) -> ast.PerEnvironment:
        cases = []
        for case in node.children:
            if case.data == "otherwise_case":
                cases.append(ast.EnvironmentCase(None, self.string(case.children[0]), case.span))
            else:
                environment_token, text_token = case.children
                cases.append(ast.EnvironmentCase(self.name(environment_token), self.string(text_token), case.span))
        return ast.PerEnvironment(tuple(cases), node.span)  # type: ignore[arg-type]

    def string(self, token: Any) -> ast.StringLiteral:
        raw = token.value
        if raw == MISSING:
            raise _Incomplete
        span = _new_tuple(Span, (token.line, token.column, token.end_line, token.end_column))
        if "\\" not in raw and "$" not in raw:
            # Most strings have neither escapes nor interpolation.
            return _new_string(raw, (raw[1:-1],) if len(raw) > 2 else (), span)
        start = int(token.start_pos or 0)
        parts: list[str | ast.Reference] = []
        buffer: list[str] = []
        index = 1
        end = len(raw) - 1
        while index < end:
            character = raw[index]
            if character == "\\" and index + 1 < end + 1:
                escaped = raw[index + 1] if index + 1 < len(raw) else ""
                if escaped in _ESCAPES and index + 1 < end:
                    buffer.append(_ESCAPES[escaped])
                else:
                    self.diagnostics.append(
                        make_diagnostic(
                            "KON006",
                            f"`\\{escaped}` is not an escape: write `\\\\` for a backslash",
                            self.source.span(start + index, start + index + 2),
                        )
                    )
                    buffer.append(escaped)
                index += 2
                continue
            if character == "$" and raw.startswith("${", index):
                close = raw.find("}", index + 2, end)
                if close == -1:
                    self.diagnostics.append(
                        make_diagnostic(
                            "KON005",
                            "`${` is never closed: add `}` after the name",
                            self.source.span(start + index, start + end),
                        )
                    )
                    buffer.append(raw[index:end])
                    index = end
                    continue
                reference = self.interpolation(raw[index + 2 : close], start + index + 2)
                if reference is not None:
                    if buffer:
                        parts.append("".join(buffer))
                        buffer = []
                    parts.append(reference)
                index = close + 1
                continue
            buffer.append(character)
            index += 1
        if buffer:
            parts.append("".join(buffer))
        return ast.StringLiteral(raw, tuple(parts), span)

    def interpolation(self, inner: str, offset: int) -> ast.Reference | None:
        simple = self.simple_reference.fullmatch(inner)
        if simple is not None:
            # `name` or `name.member` exactly, as the `reference` rule reads it (in that rule
            # every word is a name): no parser needed for the common case.
            name = ast.Name(simple.group(1), self.source.span(offset, offset + simple.end(1)))
            member = None
            if simple.group(2) is not None:
                member = ast.Name(simple.group(2), self.source.span(offset + simple.start(2), offset + simple.end(2)))
            return ast.Reference(name, member, self.source.span(offset, offset + len(inner)))
        span = self.source.span(offset, offset + len(inner))
        node = self.read_reference(inner)
        if node is None:
            self.diagnostics.append(
                make_diagnostic(
                    "KON005",
                    f"`${{{inner}}}` is not a reference: put a name such as `db_name` or `database.host` inside",
                    span,
                )
            )
            return None

        # `read_reference` reads `inner` on its own, on one line: its columns count from the
        # start of `inner`, which lies at `offset` (an interpolation never spans lines).
        def shifted(inner_name: ast.Name) -> ast.Name:
            return ast.Name(
                inner_name.text,
                self.source.span(offset + inner_name.span.start_column - 1, offset + inner_name.span.end_column - 1),
            )

        name = shifted(node.name)
        member = shifted(node.member) if node.member is not None else None
        return ast.Reference(name, member, name.span.cover(member.span) if member is not None else name.span)

