"""Texts for the tests that hold the parser to the grammar: sentences generated from the grammar's
own rules, examples with tokens damaged, and examples laid out again.

Everything is drawn from a `random.Random` the caller seeds, so a failure can be replayed. Names
are often keywords (`route r -> route`), and tokens are often laid out as people do not write
them: one per line, indented at random, or with no space between them, so that a keyword lands
at the start of a line where a name is expected, or runs into the word after it.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from conftest import EXAMPLES, GOLDEN
from lark import Lark
from lark.grammar import Rule
from lark.lexer import PatternStr

from koncierge_lang.syntax.parser import STATEMENT_KEYWORDS, grammar_text, keyword_words, lexer_tables

NAMES = ("web", "db", "PROD", "LOCAL", "x_1", "a-b", "_tmp", "Orders")
NUMBERS = ("8080", "443", "3", "0", "1Gi", "500M", "1.5", "10Gi")
STRINGS = ('"x"', '"nginx:1.27"', '"/data"', '""', '"a b"', '"${db.host}"', '"say \\"hi\\""', '"t\\tab"', '"${ web }/y"')
"""Well-formed text only: a bad escape or `${` is reported by the builder (KON005, KON006), which
Lark's grammar does not see."""
SEPARATORS = (" ", " ", " ", "\n", "\n  ", "\n\n    ", "\t", "  # note\n", "\n# line\n")
MAXIMUM_TOKENS = 120
MAXIMUM_DEPTH = 14
"""Beyond these, a sentence is ended by the shortest rules (lists of statements recurse once per item)."""


@lru_cache(maxsize=1)
def reference_lark() -> Lark:
    """Plain Lark on the grammar: what the grammar accepts, by definition."""
    return Lark(grammar_text(), parser="lalr", lexer="contextual", start="file")


# Tokens of existing texts --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """A token as written (or a comment), and the whitespace and comments before it."""

    before: str
    text: str
    comment: bool = False


def pieces(text: str) -> list[Piece]:
    """The tokens of `text` as the lexer's pattern splits them (comments kept as tokens);
    a character no terminal matches is a piece of its own."""
    tables = lexer_tables()
    found_pieces: list[Piece] = []
    position = 0
    pending = ""
    while position < len(text):
        found = tables.pattern.match(text, position)
        if found is None:
            found_pieces.append(Piece(pending, text[position]))
            pending = ""
            position += 1
            continue
        kind = tables.group_names[found.lastindex]  # type: ignore[index]
        start, end = found.span(found.lastindex)  # type: ignore[arg-type]
        pending += text[position:start]
        if kind == "WS":
            pending += text[start:end]
        else:
            found_pieces.append(Piece(pending, text[start:end], comment=kind == "COMMENT"))
            pending = ""
        position = end
    if pending:
        found_pieces.append(Piece(pending, ""))
    return found_pieces


def joined(found_pieces: list[Piece]) -> str:
    return "".join(piece.before + piece.text for piece in found_pieces)


@lru_cache(maxsize=1)
def example_texts() -> tuple[str, ...]:
    """The examples and the golden cases' inputs (valid and broken ones)."""
    paths = sorted(EXAMPLES.glob("*/*.kon")) + sorted(GOLDEN.glob("*/input.kon"))
    return tuple(path.read_text(encoding="utf-8") for path in paths)


def damaged(rng: random.Random) -> str:
    """An example with one to three tokens deleted, duplicated or swapped."""
    found_pieces = pieces(rng.choice(example_texts()))
    for _ in range(rng.randint(1, 3)):
        if len(found_pieces) < 2:
            break
        index = rng.randrange(len(found_pieces) - 1)  # The last piece may be trailing whitespace.
        operation = rng.choice(("delete", "duplicate", "swap"))
        if operation == "delete":
            del found_pieces[index]
        elif operation == "duplicate":
            found_pieces.insert(index, Piece(" ", found_pieces[index].text, found_pieces[index].comment))
        else:
            other = rng.randrange(len(found_pieces) - 1)
            first, second = found_pieces[index], found_pieces[other]
            found_pieces[index] = Piece(first.before, second.text, second.comment)
            found_pieces[other] = Piece(second.before, first.text, first.comment)
    return _with_comments_ended(found_pieces)


def relaid(rng: random.Random) -> str:
    """An example's tokens with other whitespace: one token per line, all on one line, as little
    space as the tokens allow, or at random."""
    tokens = [(piece.text, piece.comment) for piece in pieces(rng.choice(example_texts())) if piece.text]
    style = rng.choice(("one per line", "one line", "tight", "random"))
    layout: dict[str, Callable[[str, str], str]] = {
        "one per line": lambda previous, token: "\n" + " " * rng.randint(0, 6),
        "one line": lambda previous, token: " ",
        "tight": lambda previous, token: "" if stays_apart(previous, token) else " ",
        "random": lambda previous, token: separator(rng, previous, token),
    }
    return lay_out(tokens, layout[style])


def lay_out(tokens: list[tuple[str, bool]], gap: Callable[[str, str], str]) -> str:
    """Tokens (text, whether it is a comment) joined by `gap(previous, token)`; a comment always
    ends its line."""
    found_pieces: list[Piece] = []
    previous = ""
    for text, comment in tokens:
        found_pieces.append(Piece(gap(previous, text) if found_pieces else "", text, comment))
        previous = text
    return _with_comments_ended(found_pieces)


def _with_comments_ended(found_pieces: list[Piece]) -> str:
    parts: list[str] = []
    after_comment = False
    for piece in found_pieces:
        before = piece.before
        if after_comment and "\n" not in before:
            before = "\n" + before
        parts.append(before + piece.text)
        after_comment = piece.comment or "#" in before.rsplit("\n", 1)[-1]
    return "".join(parts) + ("\n" if after_comment else "")


def stays_apart(previous: str, token: str) -> bool:
    """Whether `previous` written right before `token` is still read as itself by the lexer's
    pattern, the grammar's terminals without context (`a` `->` is not: `a-` is a name)."""
    if not previous:
        return True
    found = lexer_tables().pattern.match(previous + token)
    return found is not None and found.end() == len(previous) and found.start(found.lastindex) == 0  # type: ignore[arg-type]


def separator(rng: random.Random, previous: str, token: str) -> str:
    """Whitespace between two tokens: often none where they stay apart, and now and then none even
    where they do not, so that a keyword runs into the word after it (`replicas3`)."""
    draw = rng.random()
    if draw < 0.25 and stays_apart(previous, token):
        return ""
    if draw < 0.26:
        return ""
    return rng.choice(SEPARATORS)


# Sentences of the grammar --------------------------------------------------------------------


@lru_cache(maxsize=1)
def _rules_by_origin() -> dict[str, list[Rule]]:
    by_origin: dict[str, list[Rule]] = defaultdict(list)
    for rule in reference_lark().rules:
        by_origin[rule.origin.name].append(rule)
    return by_origin


@lru_cache(maxsize=1)
def _shortest_lengths() -> dict[str, int]:
    """Per nonterminal, the fewest tokens it derives: where a deep sentence is steered to end."""
    lengths: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for origin, rules in _rules_by_origin().items():
            for rule in rules:
                total = 0
                for symbol in rule.expansion:
                    if symbol.is_term:
                        total += 1
                    elif symbol.name in lengths:
                        total += lengths[symbol.name]
                    else:
                        break
                else:
                    if total < lengths.get(origin, 1 << 30):
                        lengths[origin] = total
                        changed = True
    return lengths


@lru_cache(maxsize=1)
def _literal_texts() -> dict[str, str]:
    return {
        terminal.name: terminal.pattern.value
        for terminal in reference_lark().terminals
        if isinstance(terminal.pattern, PatternStr)
    }


def _rule_length(rule: Rule) -> int:
    lengths = _shortest_lengths()
    return sum(1 if symbol.is_term else lengths[symbol.name] for symbol in rule.expansion)


def sentence_tokens(rng: random.Random) -> list[str]:
    """The tokens of one random sentence of the grammar's `file` rule."""
    tokens: list[str] = []
    literals = _literal_texts()
    keywords = sorted(keyword_words())

    def terminal_text(name: str) -> str:
        if name in literals:
            return literals[name]
        if name == "NAME":
            draw = rng.random()
            if draw < 0.3:
                return rng.choice(STATEMENT_KEYWORDS)
            if draw < 0.5:
                return rng.choice(keywords)
            return rng.choice(NAMES)
        if name == "NUMBER":
            return rng.choice(NUMBERS)
        if name == "STRING":
            return rng.choice(STRINGS)
        raise AssertionError(f"no text for terminal {name}")

    def derive(symbol: Any, depth: int) -> None:
        if symbol.is_term:
            tokens.append(terminal_text(symbol.name))
            return
        rules = _rules_by_origin()[symbol.name]
        if depth > MAXIMUM_DEPTH or len(tokens) > MAXIMUM_TOKENS:
            rule = min(rules, key=_rule_length)
        else:
            # An empty list or an omitted part now and then: most sentences should say something.
            filled = [rule for rule in rules if rule.expansion]
            rule = rng.choice(filled if filled and rng.random() < 0.85 else rules)
        for child in rule.expansion:
            derive(child, depth + 1)

    derive(_rules_by_origin()["file"][0].origin, 0)
    return tokens


def generated(rng: random.Random) -> str:
    """A sentence of the grammar, laid out at random."""
    tokens = sentence_tokens(rng)
    return lay_out([(token, False) for token in tokens], lambda previous, token: separator(rng, previous, token))


def anything(rng: random.Random) -> str:
    """One of the three kinds of text, at random."""
    return rng.choice((generated, damaged, relaid))(rng)


def statement_keyword_read_as_a_name(text: str, tokens: list[Any]) -> bool:
    """Whether one of `tokens` (as Lark read `text`) is a statement keyword first on its line and
    read as a name: the shape error recovery reads differently when what follows cannot continue."""
    return any(
        token.type == "NAME"
        and str(token) in STATEMENT_KEYWORDS
        and not text[text.rfind("\n", 0, token.start_pos) + 1 : token.start_pos].strip()
        for token in tokens
    )
