"""Checking only the statements an edit touched: the check of each value, component and route is
kept, with what it read of the rest of its application, for the check of the next version of the
file.

An editor checks the file again after every keystroke, and in a large file these statements take
most of the checker's time. Incremental parsing (`syntax/incremental.py`) gives every statement an
edit did not touch to the new tree as the same object. A statement's check is a function of the
statement and of what it reads of the rest of the application through the scope (`scope.py`
records it: the names it looks up and what each stands for, all the names, the environments'
names, which values are secrets, the components its text names by host name). When the statement
is the same object and each of those reads gives the same answer in the new application, the
check gives what it gave before: its result is kept, and what it added to the scope (diagnostics,
uses of names, symbols, storage it declares for itself) is added again, in the same order.

Anything else is checked again. So is everything in a file with syntax errors: there a check also
depends on where the errors are. A property test (`tests/test_incremental_check.py`) checks that
the result equals a check from scratch after any edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope, Entry, Reads
from koncierge_lang.requirements.checker.symbols import Declaration, ReferenceSite
from koncierge_lang.requirements.checker.values import secret_value_names
from koncierge_lang.syntax import ast

SyntaxT = TypeVar("SyntaxT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True, slots=True)
class Answers:
    """What a check read of the rest of its application, with the answers it got (None: not read)."""

    lookups: tuple[tuple[tuple[str, tuple[str, ...]], Entry | None], ...]
    hosts: tuple[tuple[str, ast.Component | None], ...]
    names: tuple[tuple[str, str], ...] | None
    environments: tuple[str, ...] | None
    secrets: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class CheckedStatement:
    """One statement's check: its result, what it read, and what it added to the scope."""

    syntax: object
    result: object
    answers: Answers
    diagnostics: tuple[Diagnostic, ...]
    references: tuple[ReferenceSite, ...]
    declarations: tuple[Declaration, ...]
    uses: tuple[tuple[str, str], ...]
    inline_storages: tuple[model.Storage, ...]


StatementChecks = dict[int, CheckedStatement]
"""The checks of one version's statements, by the identity of their syntax (each entry holds its
statement, so the identity stays its own)."""


def checked(
    scope: ApplicationScope,
    syntax: SyntaxT,
    check_statement: Callable[[ApplicationScope, SyntaxT], ResultT],
    earlier: StatementChecks | None,
    kept: StatementChecks | None,
) -> ResultT:
    """`check_statement(scope, syntax)`, or its result for the previous version (`earlier`) when it
    would give the same again; recorded in `kept` for the next version (unless None)."""
    if earlier is not None:
        found = earlier.get(id(syntax))
        if found is not None and found.syntax is syntax and _answers_hold(scope, found.answers):
            _add_again(scope, found)
            if kept is not None:
                kept[id(syntax)] = found
            # The same function of the same statement made it.
            return cast(ResultT, found.result)
    if kept is None:
        return check_statement(scope, syntax)
    file = scope.file
    marks = (len(file.diagnostics), len(file.references), len(file.declarations), len(scope.inline_storages))
    reads, uses = Reads(), list[tuple[str, str]]()
    scope.reads, scope.uses = reads, uses
    try:
        made = check_statement(scope, syntax)
    finally:
        scope.reads = scope.uses = None
    kept[id(syntax)] = CheckedStatement(
        syntax,
        made,
        _answers(scope, reads),
        tuple(file.diagnostics[marks[0] :]),
        tuple(file.references[marks[1] :]),
        tuple(file.declarations[marks[2] :]),
        tuple(uses),
        tuple(scope.inline_storages[marks[3] :]),
    )
    return made


def _answers(scope: ApplicationScope, reads: Reads) -> Answers:
    return Answers(
        tuple(reads.lookups.items()),
        tuple(reads.hosts.items()),
        scope.names_and_kinds() if reads.names else None,
        scope.environment_names_as_read() if reads.environments else None,
        scope.secret_values if reads.secrets else None,
    )


def _answers_hold(scope: ApplicationScope, answers: Answers) -> bool:
    found = scope.found
    for (name, fitting_kinds), entry in answers.lookups:
        now = found(name, fitting_kinds)
        if now is not entry and (
            now is None or entry is None or now[0] != entry[0] or now[1] is not entry[1] or now[2] is not entry[2]
        ):
            return False
    if answers.hosts:
        hosts = scope.host_names
        for word, component in answers.hosts:
            if hosts.get(word) is not component:
                return False
    if answers.names is not None and scope.names_and_kinds() != answers.names:
        return False
    if answers.environments is not None and scope.environment_names_as_read() != answers.environments:
        return False
    return answers.secrets is None or secret_value_names(scope) == answers.secrets


def _add_again(scope: ApplicationScope, checked: CheckedStatement) -> None:
    file = scope.file
    file.diagnostics.extend(checked.diagnostics)
    file.references.extend(checked.references)
    file.declarations.extend(checked.declarations)
    for kind, name in checked.uses:
        (scope.used_values if kind == "value" else scope.used_storages).add(name)
    scope.inline_storages.extend(checked.inline_storages)
