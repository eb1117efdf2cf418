"""KON316 `exposed-database`: `expose` makes a port of a database reachable from outside the cluster.

Like a route to a database (KON307), but without even the Ingress in front: a LoadBalancer address
that any address may reach, as the generated network policy says.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import RelatedLocation
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON316"


def check(scope: ApplicationScope, application: model.Application) -> None:
    for component in scope.components_syntax:
        if component.database_type is None:
            continue
        for item in scope.items_of(component, ast.Expose):
            scope.report(
                CODE,
                f"`expose` makes database `{component.name.text}` reachable from outside the cluster; a database "
                "should only be reached by the components that use it",
                item.span,
                (RelatedLocation(component.name.span, f"`{component.name.text}` is declared here"),),
            )
