"""Exposure: `expose PORT [in ENV, ...]`, a port of the component reachable from outside the cluster.

The port is one of the component's own, named by the number clients use, the number its program
listens on, or its name (`ports.resolve_port`: KON210 when it has none, KON103 when not that one);
the environments after `in` are the application's (KON101, with a did-you-mean). The same port
exposed twice where the environments overlap is KON215. Exposing a database is a best practice's
concern (`practices/exposed_database.py`); exposing a port that a route also leads to is allowed
(a gRPC port with a web page beside it).
"""

from __future__ import annotations

from koncierge_lang.diagnostics import RelatedLocation
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.environments import unknown_environment
from koncierge_lang.requirements.checker.ports import resolve_port
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast


def exposures(scope: ApplicationScope, syntax: ast.Component) -> tuple[model.Exposure, ...]:
    """The component's exposed ports, each with the environments it is exposed in."""
    found: list[model.Exposure] = []
    first: dict[tuple[int, str], list[tuple[ast.Expose, tuple[str, ...]]]] = {}
    for item in scope.items_of(syntax, ast.Expose):
        environments: list[str] = []
        for name in item.environments:
            if name.text in scope.environment_names:
                scope.refer("environment", name.text, name.span)
                if name.text not in environments:
                    environments.append(name.text)
            else:
                unknown_environment(scope, name)
        if item.environments and not environments:
            continue  # Exposed in no environment there is: KON101 says why.
        port = resolve_port(scope, syntax, item.port, item.port.span, "`expose`")
        if port is None:
            continue
        key = (port.container, port.protocol)
        earlier = next(
            (
                earlier_item
                for earlier_item, earlier_environments in first.get(key, [])
                if not earlier_environments or not environments or set(earlier_environments) & set(environments)
            ),
            None,
        )
        if earlier is not None:
            scope.report(
                "KON215",
                f"port {port.number}/{port.protocol.lower()} of `{syntax.name.text}` is exposed twice"
                + (" in the same environment" if environments else "")
                + "; expose it once, naming every environment",
                item.span,
                (RelatedLocation(earlier.span, "first exposed here"),),
            )
            continue
        first.setdefault(key, []).append((item, tuple(environments)))
        found.append(model.Exposure(port.number, port.container, port.protocol, tuple(environments), item.span))
    return tuple(found)
