"""Environments: their kinds, domains and promotion order.

Environments have a namespace of their own within an application (KON106 for one declared twice).
Each is one of the known kinds or declared `like` one (KON107), which decides its flags (backups,
performance, strict security, HTTPS); its domain must be a DNS name (KON205); `after` names
environments of the same application (KON101) without going round in a circle (KON209). An
application without environments can deploy nothing (KON214).
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.cycles import closing_references
from koncierge_lang.requirements.checker.literals import valid_domain
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.requirements.checker.symbols import Declaration
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast


def check_environments(scope: ApplicationScope) -> list[model.Environment]:
    """The application's environments, each declared once, with their kinds' flags."""
    environments: list[model.Environment] = []
    if not scope.environments_syntax and not scope.may_be_hidden_by_syntax_error(scope.syntax):
        scope.report(
            "KON214",
            f"application `{scope.application_name}` has no environment, so nothing can be deployed: "
            'add one such as `environment LOCAL "todo.test"`',
            scope.syntax.name.span,
        )
    for environment in scope.environments_syntax:
        name = environment.name.text
        earlier = scope.environment_names.get(name)
        if earlier is not None:
            scope.report(
                "KON106",
                f"environment `{name}` is declared twice",
                environment.name.span,
                (RelatedLocation(earlier.name.span, f"`{name}` is first declared here"),),
            )
            continue
        scope.environment_names[name] = environment
        scope.file.declarations.append(
            Declaration(scope.application_name, "environment", name, environment.name.span, environment.span)
        )
        kind = environment_kind(scope, environment)
        domain = environment.domain.value
        if not valid_domain(domain):
            scope.report(
                "KON205",
                f"`{domain}` is not a valid domain name: use lower-case labels of letters, digits and `-` "
                "separated by dots",
                environment.domain.span,
            )
        flags = model.ENVIRONMENT_KINDS[kind]
        environments.append(
            model.Environment(
                name=name,
                kind=kind,
                domain=domain,
                after=tuple(after.text for after in environment.after),
                backups=flags.backups,
                performance_optimised=flags.performance_optimised,
                strict_security=flags.strict_security,
                https=flags.https,
                span=environment.span,
            )
        )
    for environment in scope.environments_syntax:
        for after in environment.after:
            if after.text in scope.environment_names:
                scope.refer("environment", after.text, after.span)
            else:
                unknown_environment(scope, after)
    check_promotion_cycles(scope)
    return environments


def environment_kind(scope: ApplicationScope, environment: ast.Environment) -> str:
    """The kind an environment is, or is `like` (KON107 when neither is a known kind)."""
    name = environment.name.text
    known = model.ENVIRONMENT_KINDS
    if environment.like is not None:
        like = environment.like.text
        if name in known:
            scope.report(
                "KON107",
                f"`{name}` is a kind of environment itself; `like` is for new environment names such as `STAGING`",
                environment.like.span,
            )
            return name
        if like not in known:
            suggestion = did_you_mean(like, known)
            scope.report(
                "KON107",
                f"`{like}` is not a kind of environment; the kinds are {', '.join(known)}"
                + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                environment.like.span,
                fixes=(Fix(f"Replace with `{suggestion}`", (TextEdit(environment.like.span, suggestion),)),)
                if suggestion
                else (),
            )
            return suggestion or "DEV"
        return like
    if name in known:
        return name
    suggestion = did_you_mean(name.upper(), known)
    message = (
        f"`{name}` is not a kind of environment ({', '.join(known)}); to add an environment of your own, "
        f"say which kind it is like: `environment {name} like PROD ...`"
    )
    fixes: list[Fix] = []
    if suggestion:
        message = f"`{name}` is not a kind of environment; did you mean `{suggestion}`? " + (
            f"To add an environment of your own, say which kind it is like: `environment {name} like PROD ...`"
        )
        fixes.append(Fix(f"Replace with `{suggestion}`", (TextEdit(environment.name.span, suggestion),)))
    end = environment.name.span
    insert_at = Span(end.end_line, end.end_column, end.end_line, end.end_column)
    fixes.append(Fix("Declare it like PROD", (TextEdit(insert_at, " like PROD"),), safe=False))
    scope.report("KON107", message, environment.name.span, fixes=tuple(fixes))
    return suggestion or "DEV"


def unknown_environment(scope: ApplicationScope, name: ast.Name) -> str | None:
    """KON101 for a use of an undeclared environment; the name it most likely meant, if any."""
    suggestion = did_you_mean(name.text, scope.environment_names)
    message = f"environment `{name.text}` is not declared in application `{scope.application_name}`"
    fixes: tuple[Fix, ...] = ()
    if suggestion:
        message += f"; did you mean `{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(name.span, suggestion),)),)
    scope.report("KON101", message, name.span, fixes=fixes)
    return suggestion


def check_promotion_cycles(scope: ApplicationScope) -> None:
    """KON209 once for every circle in the `after` order, naming its environments. However long
    the order, each `after` is followed once (`cycles.py`). An environment after another twice
    closes the same circle twice: only the first `after` is reported."""
    environment_names = scope.environment_names
    graph: dict[str, list[tuple[str, ast.Name]]] = {}
    for environment in environment_names.values():
        first_afters: dict[str, ast.Name] = {}
        for after in environment.after:
            if after.text in environment_names:
                first_afters.setdefault(after.text, after)
        graph[environment.name.text] = list(first_afters.items())
    for name, after, length, shown in closing_references(graph):
        chain = " after ".join([*shown, shown[0]])
        if "..." in shown:
            chain += f" (a circle of {length:,} environments)"
        scope.report(
            "KON209",
            f"the promotion order goes round in a circle: {chain}",
            after.span,
            tuple(
                RelatedLocation(environment_names[member].name.span, f"`{member}` is declared here")
                for member in shown
                if member not in (name, "...")
            ),
        )
