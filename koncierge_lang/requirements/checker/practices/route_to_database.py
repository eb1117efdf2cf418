"""KON307 `route-to-database`: a route that publishes a database through the Ingress.

A database should be reached only by the components that use it, never from the internet.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import RelatedLocation
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.routes import route_target
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON307"


def check(scope: ApplicationScope, application: model.Application) -> None:
    for route in scope.routes_syntax:
        entry = route_target(scope, route)
        if entry is None:
            continue
        target = entry[2]
        assert isinstance(target, ast.Component)
        if target.database_type is None:
            continue
        scope.report(
            CODE,
            f"route `{route.name.text}` publishes database `{route.component.text}` through the Ingress; a database "
            "should only be reached by the components that use it",
            route.component.span,
            (RelatedLocation(target.name.span, f"`{route.component.text}` is declared here"),),
        )
