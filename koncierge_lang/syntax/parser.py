"""The parser: .kon text -> syntax tree plus syntax diagnostics. It never raises on user input.

The Lark LALR parser is built once from `grammar/koncierge.lark` and driven token by token, so
that a syntax error does not end the parse. On an unexpected token the parser either drops it
(panic mode, until the next statement keyword), or, when the token starts a statement or closes a
block, looks for the shortest sequence of missing tokens that lets it continue (a missing `}`, a
missing port number). A name first on its line that is a misspelt statement keyword is read as
the keyword (`_misspelt_statement_keyword`), and a dropped `{` has its block skipped to its own
`}` (`_skipping_block`), so that neither makes a `}` close the application. Errors are reported
in the user's words from the parser's own expectations; further errors are suppressed until a
token is accepted again, so one mistake gives one message. Statements completed with made-up
tokens are left out of the tree.

It accepts exactly the texts plain Lark accepts with the grammar and its contextual lexer, and
reads them into the same tokens (tests/test_parser_agrees_with_lark.py). Where a word could be read
in two ways, Lark's and one that gives a better error (a statement keyword first on its line where
a name stands; a keyword that runs into the word after it), the better one is taken only where
Lark fails a token or two later anyway (see `_RecoveringParser.read`).
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark, Token
from lark.exceptions import UnexpectedToken
from lark.lexer import PatternStr
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_parser_state import ParseConf, ParserState

from koncierge_lang.diagnostics import Diagnostic, Fix, TextEdit, make_diagnostic
from koncierge_lang.performance import paused_garbage_collection
from koncierge_lang.source import SourceText, Span
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.builder import MISSING, RuleNode, RuleShape, SyntaxTreeBuilder, rule_shape

MAXIMUM_REPORTED_SYNTAX_ERRORS = 100
MAXIMUM_INSERTED_TOKENS = 3

STATEMENT_KEYWORDS = (
    "application", "environment", "constant", "secret", "value", "storage", "component",
    "database", "route", "image", "port", "env", "command", "args", "mount", "replicas",
    "connects", "accepts", "size", "health", "writes", "capabilities", "run", "probe", "cpu", "memory",
    "single", "sidecar", "init", "expose", "annotation", "label", "runs", "tolerates", "stops",
    "authentication",
)

def grammar_text() -> str:
    """The grammar shipped in the package (`grammar/koncierge.lark` in the repository)."""
    return resources.files("koncierge_lang.grammar").joinpath("koncierge.lark").read_text(encoding="utf-8")


def build_lark(strict: bool = False) -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        start=["file", "reference", "application_body"],
        maybe_placeholders=True,
        cache=not strict,
        strict=strict,
    )


@lru_cache(maxsize=1)
def lark_parser() -> Lark:
    return build_lark()


@lru_cache(maxsize=1)
def keyword_terminals() -> dict[str, str]:
    """Terminal type -> the literal text of each keyword or symbol terminal."""
    literals: dict[str, str] = {}
    for terminal in lark_parser().terminals:
        if isinstance(terminal.pattern, PatternStr):
            literals[terminal.name] = terminal.pattern.value
    return literals


@lru_cache(maxsize=1)
def keyword_words() -> frozenset[str]:
    """Every keyword of the language (literal terminals that are words, such as `read-only` or `base64`)."""
    return frozenset(text for text in keyword_terminals().values() if re.fullmatch(r"[a-z][a-z0-9-]*", text))


@lru_cache(maxsize=1)
def _recovery_tables() -> tuple[frozenset[str], dict[str, str], frozenset[str]]:
    """Terminals that start statements or close blocks; statement keywords by their text; and the
    terminals error recovery may make up."""
    literals = keyword_terminals()
    statement_keyword_types = {
        text: terminal_type for terminal_type, text in literals.items() if text in STATEMENT_KEYWORDS
    }
    insertable_types = frozenset(
        {"NAME", "NUMBER", "STRING"} | {terminal_type for terminal_type, text in literals.items() if text in ("}", "]", "=")}
    )
    return _statement_terminal_types(), statement_keyword_types, insertable_types


def _statement_terminal_types() -> frozenset[str]:
    literals = keyword_terminals()
    types = {name for name, text in literals.items() if text in STATEMENT_KEYWORDS or text == "}"}
    return frozenset(types | {"$END"})


@lru_cache(maxsize=1)
def _block_ending_keywords() -> frozenset[str]:
    """The statement keywords that start a statement of a file or of an application's body but
    not of a component's or database's body (`component`, `route`, but not `storage` or `port`),
    asked of the grammar's tables. Where one starts a line, a block that error recovery is
    skipping has lost its `}`: the block ends there, and does not swallow the application."""
    literals = keyword_terminals()
    statement_types = set(_recovery_tables()[1].values())
    opening_brace = next(terminal_type for terminal_type, text in literals.items() if text == "{")
    component = _recovery_tables()[1]["component"]
    file_reader = _RecoveringParser(SourceText(""))
    body_reader = _RecoveringParser(SourceText(""), start="application_body")
    outer = file_reader.expected_terminals() | body_reader.expected_terminals()
    stack: list[Any] | None = list(body_reader.parser_state.state_stack)
    for terminal_type in (component, "NAME", opening_brace):
        assert stack is not None
        stack = body_reader._simulate(stack, terminal_type)
    assert stack is not None
    inner = body_reader.expected_terminals(stack)
    return frozenset(literals[terminal_type] for terminal_type in (outer - inner) & statement_types)


@dataclass(frozen=True, slots=True)
class _LexerTables:
    """One regular expression for every terminal of the grammar, and how to type each match."""

    pattern: re.Pattern[str]
    group_names: tuple[str, ...]
    """Terminal name by group number: a match's `lastindex` is its terminal's group (a terminal's
    own groups close before it)."""
    ignored: frozenset[str]
    keywords: dict[str, str]
    """Terminal type of each keyword that the NAME pattern also matches, by its text."""
    keywords_longest_first: tuple[tuple[str, str], ...]
    """The same keywords (text, terminal type), the longest first: the order in which Lark's
    contextual lexer tries a state's keywords against the start of a word where no name can stand."""
    whitespace: re.Pattern[str]


@lru_cache(maxsize=1)
def lexer_tables() -> _LexerTables:
    """Built from the grammar's own terminal definitions, so the grammar stays the one source.

    Keywords are matched by the NAME pattern and typed by the parser's state, as Lark's
    contextual lexer does: a keyword is a keyword where the parser can take it (or where it can
    take no name), and a name elsewhere (`_RecoveringParser.read` says where error recovery
    departs from this, and why that never changes what is accepted).
    """
    parser = lark_parser()
    ignored = frozenset(parser.lexer_conf.ignore)
    name_pattern = next(t.pattern.to_regexp() for t in parser.terminals if t.name == "NAME")
    keywords: dict[str, str] = {}
    literals: list[tuple[str, str]] = []
    expressions: list[str] = []
    for terminal in parser.terminals:
        if isinstance(terminal.pattern, PatternStr):
            if re.fullmatch(name_pattern, terminal.pattern.value):
                keywords[terminal.pattern.value] = terminal.name
            else:
                literals.append((terminal.name, terminal.pattern.value))
        else:
            expressions.append(f"(?P<{terminal.name}>{terminal.pattern.to_regexp()})")
    literals.sort(key=lambda literal: -len(literal[1]))
    expressions.extend(f"(?P<{name}>{re.escape(text)})" for name, text in literals)
    # Whitespace before a token is skipped by the same match (half of all matches otherwise).
    whitespace = next(t.pattern.to_regexp() for t in parser.terminals if t.name == "WS")
    pattern = re.compile(f"(?:{whitespace})?(?:{'|'.join(expressions)})")
    group_names = [""] * (pattern.groups + 1)
    for name, number in pattern.groupindex.items():
        group_names[number] = name
    keywords_longest_first = tuple(sorted(keywords.items(), key=lambda keyword: (-len(keyword[0]), keyword[1])))
    return _LexerTables(pattern, tuple(group_names), ignored, keywords, keywords_longest_first, re.compile(whitespace))


def _token(kind: str, value: str, start: int, line: int, column: int, end_column: int, end: int) -> Token:
    """A Lark token on one line, made without Token.__new__'s keyword handling: this runs for
    every token of every keystroke."""
    token = str.__new__(Token, value)
    token.type = kind
    token.value = value
    token.start_pos = start
    token.line = line
    token.column = column
    token.end_line = line
    token.end_column = end_column
    token.end_pos = end
    return token


@dataclass(frozen=True, slots=True)
class _DriverTables:
    """Lark's LALR tables, encoded for the parser's inner loop: per state, terminal or nonterminal
    -> the state to shift to or go to (>= 0), or `~index` of the rule to reduce by (< 0); and
    per rule, its shape."""

    actions: dict[int, dict[str, int]]
    shapes: tuple[RuleShape, ...]
    rules: tuple[Any, ...]
    """Lark's compiled rule for each shape (the tests build Lark's own tree with them)."""


@lru_cache(maxsize=1)
def _parse_table() -> Any:
    return lark_parser().parser.parser.parser.parse_table


@lru_cache(maxsize=1)
def _driver_tables() -> _DriverTables:
    parse_table = _parse_table()
    rules: dict[Any, int] = {}
    actions: dict[int, dict[str, int]] = {}
    for state, state_actions in parse_table.states.items():
        encoded: dict[str, int] = {}
        for symbol, (action, argument) in state_actions.items():
            if action is Shift:
                encoded[symbol] = argument
            else:
                encoded[symbol] = ~rules.setdefault(argument, len(rules))
        actions[state] = encoded
    return _DriverTables(actions, tuple(rule_shape(rule) for rule in rules), tuple(rules))


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*|[0-9][0-9A-Za-z.]*")
"""A word: what completion replaces when the cursor touches its end."""


@dataclass(frozen=True, slots=True)
class ParseResult:
    file: ast.File
    diagnostics: tuple[Diagnostic, ...]


_TERMINAL_DESCRIPTIONS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "text in quotes",
    "$END": "the end of the file",
}

_NUMBER_AFTER = {
    "port": "a port number",
    "storage": "a size such as `1Gi`",
    "replicas": "a number of replicas",
    "length": "a length",
}

_NAME_AFTER = {
    "application": "the application's name",
    "environment": "an environment such as `DEV` or `PROD`",
    "like": "an environment kind such as `PROD`",
    "after": "the name of an environment",
    "constant": "the value's name",
    "secret": "the secret's name",
    "value": "the value's name",
    "component": "the component's name",
    "database": "the database's name",
    "route": "the route's name",
    "->": "the name of the component the route leads to",
    "mount": "the name of the storage to mount",
    "env": "the variable's name",
    "=": "a value",
    ".": "a member such as `host`, `port`, `domain` or `url`",
}


_STATEMENT_EXPECTATIONS = {
    ("environment", "STRING"): 'the environment\'s domain name in quotes, such as `"example.com"`',
    ("image", "STRING"): 'the image in quotes, such as `"nginx:1.27"`',
    ("port", "NUMBER"): "a port number",
    ("storage", "NUMBER"): "a size such as `1Gi`",
    ("replicas", "NUMBER"): "a number of replicas",
    ("mount", "STRING"): 'the mount path in quotes, such as `"/data"`',
    ("storage", "STRING"): 'the mount path in quotes, such as `"/data"`',
}


def describe_token(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    text = str(token)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"`{text}`"


def describe_terminals(terminal_types: Iterable[str], previous: Token | None) -> str:
    literals = keyword_terminals()
    previous_text = str(previous) if previous is not None else ""
    described: list[str] = []
    for terminal_type in sorted(terminal_types, key=_terminal_order):
        if terminal_type == "NUMBER" and previous_text in _NUMBER_AFTER:
            described.append(_NUMBER_AFTER[previous_text])
        elif terminal_type == "NAME" and previous_text in _NAME_AFTER:
            described.append(_NAME_AFTER[previous_text])
        elif terminal_type in _TERMINAL_DESCRIPTIONS:
            described.append(_TERMINAL_DESCRIPTIONS[terminal_type])
        elif terminal_type in literals:
            described.append(f"`{literals[terminal_type]}`")
    described = list(dict.fromkeys(described))
    if not described:
        return "nothing more"
    if len(described) == 1:
        return described[0]
    return ", ".join(described[:-1]) + " or " + described[-1]


def _terminal_order(terminal_type: str) -> tuple[int, str]:
    literals = keyword_terminals()
    if terminal_type in ("NAME", "NUMBER", "STRING"):
        return (0, terminal_type)
    text = literals.get(terminal_type, terminal_type)
    if text in STATEMENT_KEYWORDS:
        return (1, f"{STATEMENT_KEYWORDS.index(text):03d}")
    if text.isalpha() or "-" in text:
        return (2, text)
    return (3, text)


class _RecoveringParser:
    """Feeds tokens to Lark's LALR parser state, recovering from syntax errors."""

    def __init__(self, source: SourceText, start: str = "file", limits: tuple[int, int] | None = None) -> None:
        """Read `source` from rule `start`; `limits` (start and end offsets) reads a part of it."""
        self.source = source
        self.start = start
        self.diagnostics: list[Diagnostic] = []
        self.recovering = False
        self.previous_token: Token | None = None
        self.gave_up = False
        self.limits = limits
        parse_table = _parse_table()
        driver_tables = _driver_tables()
        self.builder = SyntaxTreeBuilder(source, _read_reference, _simple_reference_pattern())
        self.actions = driver_tables.actions
        # A `?rule` of one symbol (`component_item: env`) keeps its value: None tells the loops
        # that only the state changes.
        self.reductions = [
            (shape.size, shape.origin, None if shape.size == 1 and shape.passthrough == 0 else reduction)
            for shape, reduction in zip(driver_tables.shapes, self.builder.reductions(driver_tables.shapes), strict=True)
        ]
        self.parser_state = ParserState(ParseConf(parse_table, {}, start), None)  # type: ignore[arg-type]
        self.states = parse_table.states
        self.end_state = self.parser_state.parse_conf.end_state
        self.comments: list[Token] = []
        self.sync_types, self.statement_keyword_types, self.insertable_types = _recovery_tables()
        self.text_ends_at_cursor = False
        """Set by `expected_at`: the text was cut at the cursor, so what follows it is unknown."""
        self.cursor_continues = False
        """How a look-ahead that reaches the cursor is decided: as if the text went on so that
        the reading it tests can continue (True), or as if it could not (False)."""
        self.lookahead_reached_cursor = False
        self.skipped_block_depth = 0
        """How many `{` error recovery has dropped and not yet found the `}` of: the tokens up to
        that `}` belong to a statement that could not be read, so that `}` closes no block of
        the parser's (`_skipping_block`)."""

    # The LALR tables, simulated on a copy of the state stack: cheap, and never touches values.
    def _simulate(self, stack: list[Any], terminal_type: str) -> list[Any] | None:
        states = self.states
        while True:
            actions = states[stack[-1]]
            entry = actions.get(terminal_type)
            if entry is None:
                return None
            action, argument = entry
            if action is Shift:
                stack.append(argument)
                return stack
            size = len(argument.expansion)
            if size:
                del stack[-size:]
            goto = states[stack[-1]].get(argument.origin.name)
            if goto is None:
                return None
            stack.append(goto[1])
            if terminal_type == "$END" and stack[-1] == self.end_state:
                return stack

    def _accepts(self, stack: list[Any], terminal_type: str) -> bool:
        return self._simulate(list(stack), terminal_type) is not None

    def expected_terminals(self, stack: list[Any] | None = None) -> set[str]:
        stack = self.parser_state.state_stack if stack is None else stack
        return {
            terminal_type
            for terminal_type in self.states[stack[-1]]
            if (terminal_type.isupper() or terminal_type == "$END") and self._accepts(stack, terminal_type)
        }

    def run(self) -> Any:
        """Parse the text (or its part within `limits`); the value of the start rule, or None."""
        self.read()
        if self.gave_up:
            return None
        return self.offer(self._end_token())

    def read(self, stop: int | None = None) -> None:
        """Read the tokens of the text into the parser, up to its end or, with `stop`, up to a
        word that ends at `stop` (the word being typed where completion is asked for).

        The lexer and the parser's common case (a token the current state takes) are one loop:
        keywords are typed by the parser's state, as Lark's contextual lexer does, and the LALR
        step (Lark's ParserState.feed_token) is inlined on the encoded tables. Anything else, an
        error or recovery from one, goes through `offer`. Comments are collected.

        Text is read exactly as Lark's contextual lexer reads it, with two departures that keep
        error recovery good: a statement keyword first on its line, where the state takes a name
        but not that keyword, and a word where the state takes no name but one of its keywords
        starts the word (`replicas3` is `replicas 3`). Each is read as Lark reads it only when the
        tokens after it can then be shifted (`_name_can_continue`, `_read_keyword_prefix`), and as
        the whole keyword or word otherwise, which is an error where Lark fails as well, only a
        token or two later. So both accept exactly the same texts, and read them the same way.
        """
        tables = lexer_tables()
        finditer = tables.pattern.finditer
        group_names = tables.group_names
        ignored = tables.ignored
        keywords = tables.keywords
        actions = self.actions
        reductions = self.reductions
        state_stack = self.parser_state.state_stack
        value_stack = self.parser_state.value_stack
        text = self.source.text
        position, length = self.limits if self.limits is not None else (0, len(text))
        # Lines are counted from the source's line index: crossing into a later line is one
        # comparison per token, and a bisection per line.
        line_starts = [*self.source.line_starts, len(text) + 1]
        line = bisect_right(line_starts, position)
        line_start = line_starts[line - 1]
        next_line_start = line_starts[line]
        new_string = str.__new__
        previous = self.previous_token
        recovering = self.recovering  # read again after each call that may change it
        # Whitespace is matched with the token after it (or as a token of its own), so a match
        # that does not start where the previous one ended follows characters no terminal matches.
        while position < length:
            for found in finditer(text, position, length):
                match_start = found.start()
                if match_start != position:
                    if position >= next_line_start:
                        line = bisect_right(line_starts, position)
                        line_start = line_starts[line - 1]
                        next_line_start = line_starts[line]
                    while position < match_start:
                        position = self.unexpected_character(position, line, line_start)
                    recovering = self.recovering
                    if position > match_start:
                        break  # An unclosed string was skipped to its line's end: search from there.
                group: int = found.lastindex  # type: ignore[assignment]  # every alternative is a group
                kind = group_names[group]
                position, end = found.span(group)
                if position >= next_line_start:
                    line = bisect_right(line_starts, position)
                    line_start = line_starts[line - 1]
                    next_line_start = line_starts[line]
                value = text[position:end]
                if kind in ignored:
                    if kind == "COMMENT":
                        column = position - line_start + 1
                        self.comments.append(_token("COMMENT", value, position, line, column, column + len(value), end))
                    position = end
                    continue
                if end == stop and _WORD.fullmatch(value):
                    self.previous_token = previous
                    return
                state_actions = actions[state_stack[-1]]
                if kind == "NAME" and value in keywords:
                    keyword_type = keywords[value]
                    if keyword_type in state_actions or "NAME" not in state_actions:
                        kind = keyword_type
                    elif (
                        not recovering
                        and value in STATEMENT_KEYWORDS
                        and not text[line_start:position].strip()
                        and not self._name_can_continue(end)
                    ):
                        # `port` then, on the next line, `env X = y`: Lark reads `env` as the port's
                        # name and fails at `X`; read as the statement it starts, the real mistake
                        # (the missing port number) is reported. (While recovering, `offer` does this.)
                        kind = keyword_type
                column = position - line_start + 1
                # A Lark token, made without Token.__new__'s keyword handling (see `_token`).
                token = new_string(Token, value)
                token.type = kind
                token.value = value
                token.start_pos = position
                token.line = token.end_line = line
                token.column = column
                token.end_column = column + len(value)
                token.end_pos = end
                position = end
                if not recovering:
                    # The LALR step of `_feed`, written out here (see there).
                    entry = state_actions.get(kind)
                    while entry is not None:
                        if entry >= 0:
                            state_stack.append(entry)
                            value_stack.append(token)
                            break
                        size, origin, reduce = reductions[~entry]
                        if reduce is None:
                            state = state_stack[-1] = actions[state_stack[-2]][origin]
                        else:
                            if size:
                                values = value_stack[-size:]
                                del state_stack[-size:]
                                del value_stack[-size:]
                            else:
                                values = []
                            state = actions[state_stack[-1]][origin]
                            state_stack.append(state)
                            value_stack.append(reduce(values))
                        entry = actions[state].get(kind)
                    if entry is not None:
                        previous = token
                        continue
                    # Not taken, possibly after an LALR default reduction: recover from there.
                self.previous_token = previous
                # (Kept out of the block above, whose jump would otherwise cost every token an
                # EXTENDED_ARG.)
                if not recovering and kind not in state_actions and group_names[group] == "NAME":
                    prefix_end = self._read_keyword_prefix(token, state_actions)
                    if prefix_end is not None:
                        previous = self.previous_token
                        position = prefix_end
                        break  # The rest of the word is read again from the end of the keyword.
                self.offer(token)
                previous = self.previous_token
                recovering = self.recovering
                if self.gave_up:
                    return
            else:
                # No terminal matches anything after the last match.
                if position >= next_line_start:
                    line = bisect_right(line_starts, position)
                    line_start = line_starts[line - 1]
                    next_line_start = line_starts[line]
                while position < length:
                    position = self.unexpected_character(position, line, line_start)
        self.previous_token = previous

    def _end_token(self) -> Token:
        end = self.limits[1] if self.limits is not None else len(self.source.text)
        line, column = self.source.line_and_column(end)
        return Token("$END", "", end, line, column, line, column, end)

    def offer(self, token: Token) -> Any:
        if self.skipped_block_depth and self._skipping_block(token):
            return None
        if (
            self.recovering
            and token.type == "NAME"
            and token.value in self.statement_keyword_types
            and self._first_on_its_line(token)
        ):
            # After an error, a statement keyword at the start of a line starts a new statement,
            # even where the contextual lexer read it as a name (`port "abc"` then `env X = y`).
            token = Token.new_borrow_pos(self.statement_keyword_types[token.value], token.value, token)
        if token.type in self.states[self.parser_state.state_stack[-1]]:
            try:
                return self._feed(token)
            except UnexpectedToken:
                pass  # An LALR default reduction led to an error: recover from the reduced state.
        return self.recover(token)

    def _skipping_block(self, token: Token) -> bool:
        """Whether `token` is dropped as part of a block that error recovery is skipping (one
        whose `{` it dropped, as in `service payment {`): up to the block's own `}`, which would
        otherwise close the application and leave every later statement unread. A line that
        starts with a keyword that cannot start a statement inside a block (`component`,
        `route`) ends the skipping where the block's `}` is missing; so does the end of the text."""
        if token.type == "$END" or (
            str(token) in _block_ending_keywords() and self._first_on_its_line(token)
        ):
            self.skipped_block_depth = 0
            return False
        if token.type == "LBRACE":
            self.skipped_block_depth += 1
        elif token.type == "RBRACE":
            self.skipped_block_depth -= 1
        return True

    # Look-ahead for the two places where Lark's reading and error recovery's may differ (see
    # `read`): the tokens after a word, read as Lark's contextual lexer would read them.

    def _name_can_continue(self, end: int) -> bool:
        """Whether, with the word that ends at `end` read as a name, the token after it can be shifted."""
        stack = self._simulate(list(self.parser_state.state_stack), "NAME")
        return stack is not None and self._can_continue(stack, end, 1)

    def _read_keyword_prefix(self, word: Token, state_actions: dict[str, int]) -> int | None:
        """Where no name can stand, Lark's contextual lexer reads a keyword the state takes off the
        front of a word (`replicas3`, `sizesmall`). That keyword is fed to the parser when the two
        tokens after it can then be shifted, and where it ends is returned; else None."""
        keyword = _keyword_prefix(str(word), state_actions)
        if keyword is None:
            return None
        keyword_type = lexer_tables().keywords[keyword]
        start = int(word.start_pos or 0)
        stack = self._simulate(list(self.parser_state.state_stack), keyword_type)
        if stack is None or not self._can_continue(stack, start + len(keyword), 2):
            return None
        column = int(word.column or 1)
        end = start + len(keyword)
        self._feed(_token(keyword_type, keyword, start, int(word.line or 1), column, column + len(keyword), end))
        return end

    def _can_continue(self, stack: list[Any], position: int, count: int) -> bool:
        """Whether the next `count` tokens from `position`, read as Lark's contextual lexer reads
        them, can be shifted onto `stack` (which is changed). Where the text ends at the cursor
        (completion), the unknown rest is decided by `cursor_continues`."""
        for _ in range(count):
            token = self._lark_token_at(stack, position)
            if token is None:
                self.lookahead_reached_cursor = True
                return self.cursor_continues
            terminal_type, position = token
            if self._simulate(stack, terminal_type) is None:
                return False
            if terminal_type == "$END":
                return True
        return True

    def _lark_token_at(self, stack: list[Any], position: int) -> tuple[str, int] | None:
        """The type and end of the token Lark's contextual lexer reads at `position` in the state
        on top of `stack` (an empty type where no terminal matches), or None at the cursor."""
        tables = lexer_tables()
        text = self.source.text
        limit = self.limits[1] if self.limits is not None else len(text)
        while position < limit:
            found = tables.pattern.match(text, position, limit)
            if found is None:
                return "", position
            group: int = found.lastindex  # type: ignore[assignment]  # every alternative is a group
            kind = tables.group_names[group]
            start, end = found.span(group)
            if kind in tables.ignored:
                position = end
                continue
            if self.text_ends_at_cursor and end == limit and _WORD.fullmatch(text, start, end):
                return None  # The word being typed: it may yet become any other word.
            if kind != "NAME":
                return kind, end
            word = text[start:end]
            state_actions = self.actions[stack[-1]]
            keyword_type = tables.keywords.get(word)
            if keyword_type is not None and keyword_type in state_actions:
                return keyword_type, end
            if "NAME" in state_actions:
                return "NAME", end
            prefix = _keyword_prefix(word, state_actions)
            if prefix is not None:
                return tables.keywords[prefix], start + len(prefix)
            return keyword_type or "NAME", end
        return None if self.text_ends_at_cursor else ("$END", limit)

    def _first_on_its_line(self, token: Token) -> bool:
        start = int(token.start_pos or 0)
        text = self.source.text
        line_start = text.rfind("\n", 0, start) + 1
        return text[line_start:start].strip() == ""

    def _feed(self, token: Token) -> Any:
        """Lark's LALR step (ParserState.feed_token) on the encoded tables, for error recovery
        and the end of the text. `read` has the same step written out in its loop, where a
        method call for every token would slow every parse: change the two together."""
        state_stack = self.parser_state.state_stack
        value_stack = self.parser_state.value_stack
        actions = self.actions
        reductions = self.reductions
        token_type = token.type
        result = None
        while True:
            entry = actions[state_stack[-1]].get(token_type)
            if entry is None:
                raise UnexpectedToken(token, set(actions[state_stack[-1]]), state=self.parser_state)  # type: ignore[no-untyped-call]
            if entry >= 0:
                state_stack.append(entry)
                value_stack.append(token)
                break
            size, origin, reduce = reductions[~entry]
            if reduce is None:
                state_stack[-1] = actions[state_stack[-2]][origin]
            else:
                if size:
                    values = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    values = []
                value_stack.append(reduce(values))
                state_stack.append(actions[state_stack[-1]][origin])
            if token_type == "$END" and state_stack[-1] == self.end_state:
                result = value_stack[-1]
                break
        if token.value != MISSING:
            self.recovering = False
            self.previous_token = token
        return result

    def recover(self, token: Token) -> Any:
        if (
            not self.recovering
            and token.type == "NAME"
            and token.value not in self.statement_keyword_types
            and self._first_on_its_line(token)
        ):
            keyword_type = self._misspelt_statement_keyword(token)
            if keyword_type is not None:
                # Read as the keyword it is closest to, so that the statement is read (its name
                # declared, its block closed by its own `}`) and later mistakes are reported.
                self._report_misspelt_keyword(token, keyword_terminals()[keyword_type])
                return self._feed(Token.new_borrow_pos(keyword_type, token.value, token))
        if token.type in self.sync_types:
            insertion = self._find_insertion(token.type)
            if insertion is not None and self._may_close_blocks_for(token, insertion):
                if not self.recovering:
                    self._report_missing(token, insertion)
                self.recovering = True
                for terminal_type in insertion:
                    self._feed(self._made_up_token(terminal_type, token))
                return self._feed(token)
        if not self.recovering:
            self._report_unexpected(token)
        self.recovering = True
        if token.type == "$END":
            self.gave_up = True
        elif token.type == "LBRACE":
            self.skipped_block_depth = 1
        return None

    def _may_close_blocks_for(self, token: Token, insertion: tuple[str, ...]) -> bool:
        """Whether recovery may take `token` after the made-up tokens `insertion`. After an error,
        a statement keyword in the middle of a line (the `database` of `env HOST = database.host`
        after a line that could not be read) is not taken by closing a block: that block's own
        `}` would then close the application, and every statement after it would be lost."""
        if not self.recovering or token.type in ("RBRACE", "$END") or self._first_on_its_line(token):
            return True
        return "RBRACE" not in insertion

    def _misspelt_statement_keyword(self, word: Token) -> str | None:
        """The terminal type of the statement keyword that `word` (a name first on its line, where
        the parser cannot take a name) is a misspelling of: the closest of the statement keywords
        the parser takes here, as close as the checker's "did you mean" asks (`did_you_mean` in
        koncierge_lang/requirements/checker/scope.py), and only if the two tokens after the word
        can follow that keyword. None if there is no such keyword."""
        stack = self.parser_state.state_stack
        candidates = {
            text: terminal_type
            for text, terminal_type in self.statement_keyword_types.items()
            if self._accepts(stack, terminal_type)
        }
        close = difflib.get_close_matches(str(word), sorted(candidates), n=1, cutoff=0.6)
        if not close:
            return None
        keyword_type = candidates[close[0]]
        after_keyword = self._simulate(list(stack), keyword_type)
        if after_keyword is None or not self._can_continue(after_keyword, int(word.end_pos or 0), 2):
            return None
        return keyword_type

    def _find_insertion(self, terminal_type: str) -> tuple[str, ...] | None:
        """The shortest sequence of terminals after which `terminal_type` is accepted."""
        frontier: list[tuple[tuple[str, ...], list[Any]]] = [((), list(self.parser_state.state_stack))]
        for _ in range(MAXIMUM_INSERTED_TOKENS):
            next_frontier: list[tuple[tuple[str, ...], list[Any]]] = []
            for inserted, stack in frontier:
                for candidate in sorted(self.expected_terminals(stack), key=_insertion_preference):
                    if candidate not in self.insertable_types:
                        continue
                    new_stack = self._simulate(list(stack), candidate)
                    if new_stack is None:
                        continue
                    sequence = inserted + (candidate,)
                    if self._accepts(new_stack, terminal_type):
                        return sequence
                    next_frontier.append((sequence, new_stack))
            frontier = next_frontier[:200]
        return None

    def _made_up_token(self, terminal_type: str, before: Token) -> Token:
        start = self._previous_end()
        line, column = self.source.line_and_column(start)
        return Token(terminal_type, MISSING, start, line, column, line, column, start)

    def _previous_end(self) -> int:
        if self.previous_token is not None and self.previous_token.end_pos is not None:
            return int(self.previous_token.end_pos)
        return 0

    def _span_of(self, token: Token) -> Span:
        start = token.start_pos if token.start_pos is not None else len(self.source.text)
        end = token.end_pos if token.end_pos is not None else start
        return self.source.span(int(start), int(end))

    def _add(self, diagnostic: Diagnostic) -> None:
        if len(self.diagnostics) >= MAXIMUM_REPORTED_SYNTAX_ERRORS:
            self.gave_up = True
            return
        self.diagnostics.append(diagnostic)

    def _report_unexpected(self, token: Token) -> None:
        expected = self.expected_terminals()
        expected_text = self._describe_expected(expected)
        after = self._after_text()
        found = describe_token(token)
        fixes: tuple[Fix, ...] = ()
        message = f"expected {expected_text}{after}, found {found}"
        if token.type == "NAME":
            literals = keyword_terminals()
            keywords = sorted(literals[t] for t in expected if t in literals and literals[t].isalpha())
            close = difflib.get_close_matches(str(token), keywords, n=1, cutoff=0.6)
            if close:
                self._report_misspelt_keyword(token, close[0])
                return
        elif token.type == "$END":
            message = f"unexpected end of the file: expected {expected_text}{after}"
        self._add(make_diagnostic("KON001", message, self._span_of(token), fixes=fixes))

    def _report_misspelt_keyword(self, word: Token, keyword: str) -> None:
        fix = Fix(f"Replace with `{keyword}`", (TextEdit(self._span_of(word), keyword),))
        self._add(
            make_diagnostic(
                "KON001", f"unknown keyword `{word}`; did you mean `{keyword}`?", self._span_of(word), fixes=(fix,)
            )
        )

    def _statement_so_far(self) -> list[Token]:
        """The tokens of the statement being read, from its keyword on (empty between statements)."""
        collected: list[Token] = []
        for value in reversed(self.parser_state.value_stack):
            if not isinstance(value, Token) or value.type in ("LBRACE", "RBRACE") or value.value == MISSING:
                break
            collected.append(value)
            if value.type in self.sync_types:
                break
            if len(collected) > 6:
                break
        collected.reverse()
        if collected and collected[0].type not in self.sync_types:
            return collected[-1:] if collected[-1].type in keyword_terminals() else []
        return collected

    def _after_text(self) -> str:
        statement = self._statement_so_far()
        if not statement:
            return ""
        return " after `" + " ".join(str(token) for token in statement) + "`"

    def _describe_expected(self, terminal_types: Iterable[str]) -> str:
        statement = self._statement_so_far()
        keyword = str(statement[0]) if statement else ""
        previous = statement[-1] if statement else self.previous_token
        types = set(terminal_types)
        if "NUMBER" in types and keyword == "port" and len(statement) <= 2:
            types.discard("NAME")
        special = {(keyword, t): text for (k, t), text in _STATEMENT_EXPECTATIONS.items() if k == keyword}
        if len(types) == 1:
            (only,) = types
            if (keyword, only) in special and (previous is None or str(previous) != "="):
                return special[(keyword, only)]
        return describe_terminals(types, previous)

    def _report_missing(self, token: Token, insertion: tuple[str, ...]) -> None:
        literals = keyword_terminals()
        span = self._span_of(token)
        if all(literals.get(t) == "}" for t in insertion):
            opener = self._innermost_open_block()
            closing = "}" * len(insertion)
            where = f" to close {opener}" if opener else ""
            what = "`}`" if len(insertion) == 1 else f"{len(insertion)} closing braces `}}`"
            message = f"missing {what}{where} before {describe_token(token)}"
            insert_at = self._insertion_offset(token)
            line, column = self.source.line_and_column(insert_at)
            at = Span(line, column, line, column)
            indent = ""
            text = self.source.text
            if insert_at == 0 or text[insert_at - 1] == "\n":
                new_text = f"{closing}\n"
            else:
                new_text = f"\n{indent}{closing}\n" if token.type == "$END" else f"{closing} "
            fix = Fix(f"Insert `{closing}`", (TextEdit(at, new_text),))
            self._add(make_diagnostic("KON002", message, span, fixes=(fix,)))
            return
        statement = self._statement_so_far()
        if (
            len(statement) == 2
            and str(statement[0]) == "port"
            and statement[1].type == "NAME"
            and insertion[0] == "NUMBER"
        ):
            self._add(
                make_diagnostic(
                    "KON001",
                    f"`{statement[1]}` is not a port number: ports are whole numbers from 1 to 65535",
                    self._span_of(statement[1]),
                )
            )
            return
        missing = self._describe_expected([insertion[0]])
        after = self._after_text()
        self._add(make_diagnostic("KON002", f"missing {missing}{after}, found {describe_token(token)}", span))

    def _insertion_offset(self, token: Token) -> int:
        text = self.source.text
        start = int(token.start_pos) if token.start_pos is not None else len(text)
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip() == "":
            return line_start
        return start

    def _innermost_open_block(self) -> str:
        values = self.parser_state.value_stack
        closed = 0
        for index in range(len(values) - 1, -1, -1):
            value = values[index]
            if isinstance(value, Token) and value.type == "RBRACE":
                closed += 1
                continue
            if isinstance(value, Token) and value.type == "LBRACE" and closed:
                closed -= 1
                continue
            if isinstance(value, Token) and value.type == "LBRACE":
                words: list[str] = []
                for previous in reversed(values[max(0, index - 3) : index]):
                    if not isinstance(previous, Token) or previous.type in ("LBRACE", "RBRACE"):
                        break
                    words.insert(0, str(previous))
                if words:
                    opened_line = value.line
                    return f"`{' '.join(words)} {{` (opened on line {opened_line})"
        return ""

    def unexpected_character(self, position: int, line: int, line_start: int) -> int:
        """Report a character no terminal matches; return where lexing goes on."""
        text = self.source.text
        character = text[position]
        if character == '"':
            line_end = text.find("\n", position)
            line_end = len(text) if line_end == -1 else line_end
            if not self.recovering:
                self._add(
                    make_diagnostic(
                        "KON003",
                        "this string is never closed: add `\"` before the end of the line",
                        self.source.span(position, line_end),
                        fixes=(
                            Fix(
                                'Close the string with `"`',
                                (TextEdit(self.source.span(line_end, line_end), '"'),),
                            ),
                        ),
                    )
                )
            self.recovering = True
            return line_end
        if not self.recovering:
            shown = character if character.isprintable() else f"U+{ord(character):04X}"
            self._add(
                make_diagnostic(
                    "KON004",
                    f"unexpected character `{shown}`",
                    self.source.span(position, position + 1),
                    fixes=(Fix(f"Delete `{shown}`", (TextEdit(self.source.span(position, position + 1), ""),)),),
                )
            )
        self.recovering = True
        return position + 1


def _keyword_prefix(word: str, state_actions: dict[str, int]) -> str | None:
    """The keyword that Lark's contextual lexer reads at the start of `word` in a state that takes
    no name (its longest keyword the word starts with and is longer than), or None."""
    if "NAME" in state_actions:
        return None
    for keyword, terminal_type in lexer_tables().keywords_longest_first:
        if len(keyword) < len(word) and terminal_type in state_actions and word.startswith(keyword):
            return keyword
    return None


def _insertion_preference(terminal_type: str) -> tuple[int, str]:
    # Prefer closing a block, then names, numbers and text, then keywords.
    literals = keyword_terminals()
    text = literals.get(terminal_type, "")
    if text == "}":
        return (0, terminal_type)
    if terminal_type in ("NAME", "NUMBER", "STRING"):
        return (1, terminal_type)
    return (2, terminal_type)


def parse(text: str, path: str = "<input>") -> ParseResult:
    """Parse a .kon file. Never raises on any text."""
    with paused_garbage_collection():
        return _parse(text, path)


def _parse(text: str, path: str) -> ParseResult:
    source = SourceText(text, path)
    recovering_parser = _RecoveringParser(source)
    tree = recovering_parser.run()
    comments = recovering_parser.comments
    builder = recovering_parser.builder
    diagnostics = list(recovering_parser.diagnostics)
    builder_diagnostics = builder.diagnostics
    applications: tuple[ast.Application, ...] = ()
    if isinstance(tree, RuleNode):
        applications = builder.applications(tree)
    elif recovering_parser.gave_up:
        applications = builder.partial(recovering_parser.parser_state.value_stack)
        # Only what was read into those applications is reported on.
        builder_diagnostics = [
            diagnostic
            for diagnostic in builder_diagnostics
            if any(
                application.span.start <= diagnostic.span.start and diagnostic.span.end <= application.span.end
                for application in applications
            )
        ]
        if len(diagnostics) >= MAXIMUM_REPORTED_SYNTAX_ERRORS:
            last = diagnostics[-1]
            diagnostics[-1] = make_diagnostic(
                "KON001", last.message + " (too many syntax errors: the rest of the file was not checked)", last.span
            )
    else:
        builder_diagnostics = []
    diagnostics.extend(builder_diagnostics)
    if NUL in text:
        # KON007 at the first NUL, wherever it is, says the file has NULs and how many; it takes
        # the place of the lexer's KON004 there. A later NUL outside comments and strings is still
        # a character the lexer cannot read, reported as such.
        first = source.line_and_column(text.index(NUL))
        diagnostics = [found for found in diagnostics if not (found.code == "KON004" and found.span.start == first)]
        diagnostics.append(nul_character(source))
    comment_nodes = tuple(ast.Comment(str(token), _token_span(source, token)) for token in comments)
    file = ast.File(applications, comment_nodes, source.span(0, len(text)))
    diagnostics.sort(key=Diagnostic.sort_key)
    return ParseResult(file, tuple(diagnostics))


NUL = "\x00"

MAXIMUM_NUL_CHARACTERS_FIXED = 100
"""KON007's quick fix deletes every NUL when there are at most this many: a file saved as UTF-16
has one per character, and such a file must be saved again as UTF-8 rather than edited."""


def nul_character(source: SourceText) -> Diagnostic:
    """KON007 at the first NUL character of a text that has one, saying how many there are.

    Every command reads a file with NUL characters (it is valid UTF-8) and the editor analyses it,
    so both report this one diagnostic at the same place (`koncierge_lang.inputs`)."""
    text = source.text
    first = text.index(NUL)
    count = text.count(NUL)
    if count == 1:
        message = "a NUL character (U+0000) cannot be part of a .kon file: delete it"
    else:
        message = (
            f"{count:,} NUL characters (U+0000), the first here: a .kon file cannot contain them; "
            "delete them, or save the file as UTF-8 if it was saved as UTF-16"
        )
    fixes: tuple[Fix, ...] = ()
    if count <= MAXIMUM_NUL_CHARACTERS_FIXED:
        offsets: list[int] = []
        offset = first
        while offset != -1:
            offsets.append(offset)
            offset = text.find(NUL, offset + 1)
        label = "Delete the NUL character" if count == 1 else f"Delete the {count} NUL characters"
        fixes = (Fix(label, tuple(TextEdit(source.span(offset, offset + 1), "") for offset in offsets)),)
    return make_diagnostic("KON007", message, source.span(first, first + 1), fixes=fixes)


def _token_span(source: SourceText, token: Token) -> Span:
    start = int(token.start_pos or 0)
    end = int(token.end_pos if token.end_pos is not None else start)
    return source.span(start, end)


@lru_cache(maxsize=1)
def _simple_reference_pattern() -> re.Pattern[str]:
    """`NAME` or `NAME.NAME`, with the grammar's own NAME pattern."""
    name = next(t.pattern.to_regexp() for t in lark_parser().terminals if t.name == "NAME")
    return re.compile(f"({name})(?:\\.({name}))?")


def _read_reference(text: str) -> ast.Reference | None:
    """The text inside `${...}` read with the grammar's `reference` rule (spans within `text`);
    None if it is not one."""
    reference_parser = _RecoveringParser(SourceText(text), start="reference")
    node = reference_parser.run()
    if not isinstance(node, ast.Reference) or reference_parser.diagnostics:
        return None
    return node


def expected_at(text: str, offset: int) -> set[str]:
    """What the parser accepts at `offset`, for completion: keyword and symbol texts (`component`,
    `->`, `{`) and the classes `NAME`, `NUMBER`, `STRING` and `$END`.

    The tokens before the cursor are fed to the recovering parser, so the answer comes from the
    grammar's own tables, also in a file that does not parse. A word that touches the cursor is
    the one being typed: it is left out, so that `comp|` still offers `component`. Where how a
    word before the cursor is read depends on what follows it (`route r ->` then `route` on the
    next line: the route's component, or a new route?), both readings are asked and what either
    accepts is offered. Never raises.
    """
    offset = max(0, min(offset, len(text)))
    try:
        accepted, reached_cursor = _expected_before_cursor(text[:offset], cursor_continues=False)
        if reached_cursor:
            accepted |= _expected_before_cursor(text[:offset], cursor_continues=True)[0]
        literals = keyword_terminals()
        return {literals.get(terminal_type, terminal_type) for terminal_type in accepted}
    except Exception:  # noqa: BLE001 - completion must never take the editor down with it.
        return set()


def _expected_before_cursor(text: str, cursor_continues: bool) -> tuple[set[str], bool]:
    """The terminal types accepted at the end of `text` (cut at the cursor), and whether a
    look-ahead reached the cursor (so that `cursor_continues` decided a reading)."""
    recovering_parser = _RecoveringParser(SourceText(text))
    recovering_parser.text_ends_at_cursor = True
    recovering_parser.cursor_continues = cursor_continues
    recovering_parser.read(stop=len(text))
    if recovering_parser.gave_up:
        return set(), recovering_parser.lookahead_reached_cursor
    literals = keyword_terminals()
    accepted = recovering_parser.expected_terminals()
    if recovering_parser.recovering:
        # After a syntax error, a statement keyword is accepted where the recovery would take it
        # by completing the broken statement (not by closing its block), as in a whole parse.
        for terminal_type in recovering_parser.sync_types - {"$END"}:
            insertion = recovering_parser._find_insertion(terminal_type)
            if insertion is not None and all(literals.get(inserted) != "}" for inserted in insertion):
                accepted.add(terminal_type)
    return accepted, recovering_parser.lookahead_reached_cursor
