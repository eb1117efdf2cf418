"""KON306 `unused-route`: a route that never receives a request.

An earlier route already serves the same host and path (paths compared without a trailing `/`),
and the Ingress sends each request to the first.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import RelatedLocation
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope

CODE = "KON306"


def check(scope: ApplicationScope, application: model.Application) -> None:
    seen: dict[tuple[str | None, str], model.Route] = {}
    for route in application.routes:
        key = (route.subdomain, route.path.rstrip("/") or "/")
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = route
            continue
        host = f"{route.subdomain}.<domain>" if route.subdomain else "<domain>"
        scope.report(
            CODE,
            f"route `{route.name}` never receives a request: route `{earlier.name}` already serves {host}{route.path if route.path != '/' else '/'}",
            route.span,
            (RelatedLocation(earlier.span, f"route `{earlier.name}` is declared here"),),
        )
