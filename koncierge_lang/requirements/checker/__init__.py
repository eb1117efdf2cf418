"""The checker: syntax tree -> requirements model, symbols and diagnostics. Never raises on input.

`check(file, syntax_diagnostics)` is the one entry point (`koncierge_lang.analysis` calls it). Per
application it runs the language areas in order, each a module of functions over the
application's scope (`scope.py`), which build the requirements model and report what is wrong in
their area (1xx names, 2xx semantics):

1. `environments.py`: environments, their kinds and promotion order;
2. `names.py`: everything else the application declares enters one namespace;
3. `storage.py` and `values.py` (with `addresses.py`, addresses written in text): declared
   storage; values and the expressions they hold;
4. `components.py` (with `databases.py`, `storage.py`, `connections.py`, `ports.py`, `probes.py`,
   `resources.py`, `exposure.py`, `pod_settings.py`): components and databases, with
   `containers.py` and `hardening.py` their sidecars, init containers and hardening adjustments,
   then `names.py` again: the Kubernetes names they and their storage become, and
   `implied_names.py`: none of them takes the name of an object the compiler generates;
5. `routes.py`: routes.

Once every application is checked, `names.py` and `implied_names.py` compare them: no two may
share a namespace (KON104, KON105, KON109).

An editor's next version of the file keeps the check of each value, component and route its
edit left alone (`memo.py`), and the costliest best-practice passes' checks of them, while what
each check read of the rest is unchanged.

Then the best-practice passes (3xx, `practices/`, one module per rule) read the finished model.
Statements with errors are still put into the model as well as they can be, so that clients such
as the language server keep working on a file that is being edited. Everything is pure: the scope
is made for one call and dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.performance import paused_garbage_collection
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.components import component
from koncierge_lang.requirements.checker.containers import with_containers
from koncierge_lang.requirements.checker.environments import check_environments
from koncierge_lang.requirements.checker.implied_names import check_implied_names, check_namespaces
from koncierge_lang.requirements.checker.memo import MemoContext, checked
from koncierge_lang.requirements.checker.memo import StatementChecks as StatementChecks
from koncierge_lang.requirements.checker.names import check_application_names, check_kubernetes_names, declare_names
from koncierge_lang.requirements.checker.practices import check_practices
from koncierge_lang.requirements.checker.routes import route
from koncierge_lang.requirements.checker.scope import ApplicationScope, FileScope
from koncierge_lang.requirements.checker.storage import declared_storage
from koncierge_lang.requirements.checker.symbols import Declaration, Symbols
from koncierge_lang.requirements.checker.values import check_value_cycles, value
from koncierge_lang.syntax import ast


class CheckStopped(Exception):
    """`check` stopped because its caller asked it to (`should_stop`): a long-lived caller (the
    language server) has newer text to check, and a thread cannot be stopped from outside."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    requirements: model.Requirements
    diagnostics: tuple[Diagnostic, ...]
    symbols: Symbols = field(default_factory=Symbols)
    # Each statement's checks, for the check of the next version of the file (`memo.py`).
    statement_checks: StatementChecks = field(default_factory=StatementChecks, compare=False, repr=False)


def check(
    file: ast.File,
    syntax_diagnostics: Iterable[Diagnostic] = (),
    should_stop: Callable[[], bool] | None = None,
    earlier: StatementChecks | None = None,
    keep: bool = False,
) -> CheckResult:
    """Check a syntax tree. Never raises on anything the parser produced; raises `CheckStopped`
    between two statements when `should_stop()` says so.

    `earlier` are the statement checks of the previous version of the file (its
    `CheckResult.statement_checks`), when its tree shares statements with this one (an editor's
    incremental parse): the values, components and routes an edit left alone, whose checks read
    nothing the edit changed, are not checked again. The result is the same either way. `keep`
    records each statement's checks for the next version (`CheckResult.statement_checks`), which
    makes this check slower (by about a seventh in `bench/bench_incremental.py`): an editor's, not
    `koncierge check`'s.

    `syntax_diagnostics` are the parser's: a statement with a syntax error is left out of the
    tree, so the checker does not report what that statement would have provided (a component's
    image, a port, a use of a value): the syntax error already explains it.
    """
    file_scope = FileScope(tuple(diagnostic.span for diagnostic in syntax_diagnostics))
    stop = should_stop if should_stop is not None else _never
    # With syntax errors, a check also depends on where they are: nothing is kept or reused.
    kept: StatementChecks | None = StatementChecks() if keep and not file_scope.syntax_error_spans else None
    if file_scope.syntax_error_spans:
        earlier = None
    with paused_garbage_collection():
        applications = tuple(
            check_application(file_scope, application, stop, earlier, kept, index)
            for index, application in enumerate(file.applications)
        )
        check_application_names(file_scope, file.applications, applications)
        check_namespaces(file_scope, file.applications, applications)
    diagnostics = sorted(file_scope.diagnostics, key=Diagnostic.sort_key)
    return CheckResult(
        model.Requirements(applications),
        tuple(diagnostics),
        Symbols(tuple(file_scope.declarations), tuple(file_scope.references)),
        kept if kept is not None else StatementChecks(),
    )


def _component(scope: ApplicationScope, syntax: ast.Component) -> model.Component:
    return with_containers(scope, syntax, component(scope, syntax))


def _never() -> bool:
    return False


def _stop_if(should_stop: Callable[[], bool]) -> None:
    if should_stop():
        raise CheckStopped


def check_application(
    file_scope: FileScope,
    syntax: ast.Application,
    should_stop: Callable[[], bool] = _never,
    earlier: StatementChecks | None = None,
    kept: StatementChecks | None = None,
    index: int = 0,
) -> model.Application:
    """One application: its language areas in order, then its best-practice passes; `should_stop`
    is asked at the start, before each component (a large file's components take most of the
    time), after the last and before the best-practice passes."""
    _stop_if(should_stop)
    scope = ApplicationScope(file_scope, syntax)
    file_scope.declarations.append(
        Declaration(scope.application_name, "application", syntax.name.text, syntax.name.span, syntax.span)
    )
    environments = check_environments(scope)
    declare_names(scope)
    scope.environments = environments
    tables = earlier.applications[index] if earlier is not None and index < len(earlier.applications) else None
    scope.memo = MemoContext(earlier, kept, tables) if earlier is not None or kept is not None else None
    storages = [declared_storage(scope, storage) for storage in scope.storages_syntax]
    values = [checked(scope, declared, value) for declared in scope.values_syntax]
    check_value_cycles(scope)
    components = []
    for declared in scope.components_syntax:
        _stop_if(should_stop)
        components.append(checked(scope, declared, _component))
    _stop_if(should_stop)
    storages.extend(scope.inline_storages)
    check_kubernetes_names(scope, components, storages)
    check_implied_names(scope, components, storages)
    routes = [
        built
        for built in (checked(scope, declared, route) for declared in scope.routes_syntax)
        if built is not None
    ]
    application = model.Application(
        name=syntax.name.text,
        kubernetes_name=model.kubernetes_name(syntax.name.text),
        description=syntax.description.value if syntax.description is not None else syntax.name.text,
        environments=tuple(environments),
        values=tuple(values),
        storages=tuple(storages),
        components=tuple(components),
        routes=tuple(routes),
        span=syntax.span,
    )
    if kept is not None:
        kept.record_application(scope)
    _stop_if(should_stop)
    check_practices(scope, application)
    return application
