"""Checking only the statements an edit touched: the check of each value, component and route is
kept, with what it read of the rest of its application, for the check of the next version of the
file.

An editor checks the file again after every keystroke, and in a large file these statements take
most of the checker's time. Incremental parsing (`syntax/incremental.py`) gives every statement an
edit did not touch to the new tree as the same object. A statement's check is a function of the
statement and of what it reads of the rest of the application through the scope (`scope.py`
records it: the names it looks up, the words it asks whether they are host names, and whether it
read all the names, the environments' names or which values are secrets). What a look-up finds
changes only where a statement that declares the name is new or gone (`Changes`). When the
statement is the same object and nothing it read changed, the check gives what it gave before:
its result is kept, and what it added to the scope (diagnostics, uses of names, symbols, storage
it declares for itself) is added again, in the same order.

Anything else is checked again. So is everything in a file with syntax errors: there a check also
depends on where the errors are. A property test (`tests/test_incremental_check.py`) checks that
the result equals a check from scratch after any edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.performance import frozen_constructor
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope, Reads
from koncierge_lang.requirements.checker.symbols import Declaration, ReferenceSite
from koncierge_lang.requirements.checker.values import secret_value_names
from koncierge_lang.syntax import ast

SyntaxT = TypeVar("SyntaxT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True, slots=True)
class Answers:
    """What a check read of the rest of its application: the names it looked up, the words it
    asked whether they are host names, and whether it read all the names, the environments'
    names, or which values are secrets."""

    looked_up: frozenset[str]
    host_words: frozenset[str]
    all_names: bool
    environments: bool
    secrets: bool


@dataclass(frozen=True, slots=True)
class CheckedStatement:
    """One statement's check: its result, what it read, and what it added to the scope."""

    syntax: object
    given: object
    result: object
    answers: Answers
    diagnostics: tuple[Diagnostic, ...]
    references: tuple[ReferenceSite, ...]
    declarations: tuple[Declaration, ...]
    uses: tuple[tuple[str, str], ...]
    inline_storages: tuple[model.Storage, ...]


@dataclass(frozen=True, slots=True)
class ApplicationTables:
    """What the statements of one application read, as one version had it: the statements
    themselves (what they declare follows from them), every name with its kind, the
    environments' names and the secrets."""

    name: str
    statements: tuple[object, ...]
    names_and_kinds: tuple[tuple[str, str], ...]
    environments: tuple[str, ...]
    secrets: frozenset[str]


# Built for every statement an editor's check keeps: without the frozen dataclasses' `__init__`.
_new_answers = frozen_constructor(Answers)
_new_checked_statement = frozen_constructor(CheckedStatement)
_NOTHING_READ = Answers(frozenset(), frozenset(), False, False, False)


class StatementChecks:
    """One version's checks of its values, components and routes (and the best-practice passes'
    checks of them), by the identity of their syntax (each entry holds its statement, so the
    identity stays its own), and each application's tables, to find what the next version changed."""

    __slots__ = ("statements", "applications")

    def __init__(self) -> None:
        # By the statement's identity, or (identity, code) for a best-practice pass's check of it.
        self.statements: dict[object, CheckedStatement] = {}
        self.applications: list[ApplicationTables] = []

    def record_application(self, scope: ApplicationScope) -> None:
        """After an application is checked: its tables, for the next version."""
        self.applications.append(
            ApplicationTables(
                scope.application_name,
                scope.syntax.items,
                scope.names_and_kinds(),
                scope.environment_names_as_read(),
                secret_value_names(scope),
            )
        )


class Changes:
    """What the current version of one application changed since the previous one, in what its
    statements' checks read (worked out once, on first use).

    A name's declarations (what a look-up finds) change only where a statement that declares it
    is new, or gone: every other statement is the same object, in the same order. So are the host
    names, which are the components' names."""

    __slots__ = ("names", "hosts", "all_names", "environments", "secrets")

    def __init__(self, scope: ApplicationScope, before: ApplicationTables | None) -> None:
        if before is None or before.name != scope.application_name:
            self.names: frozenset[str] | None = None  # Everything changed.
            return
        now = scope.syntax.items
        earlier_ids = {id(statement) for statement in before.statements}
        current_ids = {id(statement) for statement in now}
        touched = [statement for statement in now if id(statement) not in earlier_ids] + [
            statement for statement in before.statements if id(statement) not in current_ids
        ]
        names = {name.text for statement in touched if isinstance(name := getattr(statement, "name", None), ast.Name)}
        self.names = frozenset(names)
        self.hosts = frozenset(model.kubernetes_name(name) for name in names)
        self.all_names = scope.names_and_kinds() != before.names_and_kinds
        self.environments = scope.environment_names_as_read() != before.environments
        self.secrets = secret_value_names(scope) != before.secrets

    def leave_alone(self, answers: Answers) -> bool:
        """Whether a check that read `answers` gives the same in the current version."""
        if self.names is None:
            return False
        return (
            self.names.isdisjoint(answers.looked_up)
            and (not answers.host_words or self.hosts.isdisjoint(answers.host_words))
            and not (answers.all_names and self.all_names)
            and not (answers.environments and self.environments)
            and not (answers.secrets and self.secrets)
        )


class MemoContext:
    """What one application's check reuses and keeps (`ApplicationScope.memo`): the previous
    version's checks, this version's, and what changed between the two (worked out on first use)."""

    __slots__ = ("earlier", "kept", "tables", "_changes")

    def __init__(
        self, earlier: StatementChecks | None, kept: StatementChecks | None, tables: ApplicationTables | None
    ) -> None:
        self.earlier, self.kept, self.tables = earlier, kept, tables
        self._changes: Changes | None = None

    def changes(self, scope: ApplicationScope) -> Changes:
        """What changed in `scope`'s application (the scope this context rides on: it holds no
        reference back, which would make a cycle)."""
        if self._changes is None:
            self._changes = Changes(scope, self.tables)
        return self._changes


def checked(
    scope: ApplicationScope,
    syntax: SyntaxT,
    check_statement: Callable[[ApplicationScope, SyntaxT], ResultT],
    in_pass: str | None = None,
    given: object = None,
) -> ResultT:
    """`check_statement(scope, syntax)`, or its result for the previous version when it would give
    the same again; recorded for the next version (`scope.memo`; without one, just checked).

    A best-practice pass (`in_pass`, its code) keeps its check of each statement apart from the
    statement's own; `given` is what that check is given besides the statement and the scope (such
    as which environments are strict), kept only while it stays equal."""
    memo: MemoContext | None = scope.memo
    if memo is None:
        return check_statement(scope, syntax)
    key: object = id(syntax) if in_pass is None else (id(syntax), in_pass)
    earlier, kept = memo.earlier, memo.kept
    if earlier is not None:
        found = earlier.statements.get(key)
        if (
            found is not None
            and found.syntax is syntax
            and found.given == given
            and memo.changes(scope).leave_alone(found.answers)
        ):
            _add_again(scope, found)
            if kept is not None:
                kept.statements[key] = found
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
    answers = (
        _NOTHING_READ
        if not (reads.lookups or reads.hosts or reads.names or reads.environments or reads.secrets)
        else _new_answers(frozenset(reads.lookups), frozenset(reads.hosts), reads.names, reads.environments, reads.secrets)
    )
    kept.statements[key] = _new_checked_statement(
        syntax,
        given,
        made,
        answers,
        tuple(file.diagnostics[marks[0] :]),
        tuple(file.references[marks[1] :]),
        tuple(file.declarations[marks[2] :]),
        tuple(uses),
        tuple(scope.inline_storages[marks[3] :]),
    )
    return made


def _add_again(scope: ApplicationScope, checked: CheckedStatement) -> None:
    file = scope.file
    file.diagnostics.extend(checked.diagnostics)
    file.references.extend(checked.references)
    file.declarations.extend(checked.declarations)
    for kind, name in checked.uses:
        (scope.used_values if kind == "value" else scope.used_storages).add(name)
    scope.inline_storages.extend(checked.inline_storages)
