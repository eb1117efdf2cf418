"""Routes: `route NAME [subdomain "..."] [path "/..."] -> COMPONENT[:PORT]`.

A route's subdomain is one DNS label and its path starts with `/` (KON206); it leads to a component
or database of the application (KON101) on one of its ports (KON210 when it has none, or several
and the route does not say which; KON103 for a port it does not have). Whether a route can ever
receive a request, and whether it publishes a database, are best-practice passes
(`practices/unused_route.py`, `practices/route_to_database.py`).
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.naming import is_dns_label
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.fixes import add_port_fix
from koncierge_lang.requirements.checker.literals import plain_string
from koncierge_lang.requirements.checker.ports import describe_ports, reachable_ports, resolve_port
from koncierge_lang.requirements.checker.scope import ApplicationScope, Entry, did_you_mean
from koncierge_lang.syntax import ast

ROUTE_TARGET_KINDS = ("component", "database")


def route_target(scope: ApplicationScope, syntax: ast.Route) -> Entry | None:
    """The component or database a route leads to, or None when its target is not one."""
    entry = scope.lookup(syntax.component.text, ROUTE_TARGET_KINDS)
    return entry if entry is not None and entry[0] in ROUTE_TARGET_KINDS else None


def route(scope: ApplicationScope, syntax: ast.Route) -> model.Route | None:
    """The route, or None when it leads nowhere it could be built to."""
    subdomain = None
    if syntax.subdomain is not None:
        subdomain = plain_string(scope, syntax.subdomain, "a route's subdomain")
        if not is_dns_label(subdomain):
            scope.report(
                "KON206",
                f"subdomain `{subdomain}` must be one lower-case label of letters, digits and `-`",
                syntax.subdomain.span,
            )
    path = "/"
    if syntax.path is not None:
        path = plain_string(scope, syntax.path, "a route's path")
        if not path.startswith("/"):
            scope.report(
                "KON206",
                f"route path `{path}` must start with `/`",
                syntax.path.span,
                fixes=(Fix(f"Use `/{path}`", (TextEdit(syntax.path.span, f'"/{path}"'),)),),
            )
    target = syntax.component.text
    entry = scope.lookup(target, ROUTE_TARGET_KINDS)
    if entry is None or entry[0] not in ROUTE_TARGET_KINDS:
        components = [name for name, (kind, _, _) in scope.names.items() if kind in ROUTE_TARGET_KINDS]
        suggestion = did_you_mean(target, components)
        message = (
            f"route `{syntax.name.text}` leads to `{target}`, which is not a component of application "
            f"`{scope.application_name}`"
            if entry is None
            else f"route `{syntax.name.text}` leads to `{target}`, which is a {entry[0]}, not a component"
        )
        fixes: tuple[Fix, ...] = ()
        if suggestion:
            message += f"; did you mean `{suggestion}`?"
            fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.component.span, suggestion),)),)
        if entry is not None:
            scope.use_value(target)  # Used, wrongly: this error is the one to report.
            scope.use_storage(target)
        scope.report("KON101", message, syntax.component.span, fixes=fixes)
        return None
    scope.refer(entry[0], target, syntax.component.span)
    component_syntax = entry[2]
    assert isinstance(component_syntax, ast.Component)
    component_ports = reachable_ports(scope, component_syntax)
    if not component_ports:
        if scope.may_be_hidden_by_syntax_error(component_syntax) or component_syntax.database_type is not None:
            return None  # A database of an unknown type: KON108 is the mistake to report.
        scope.report(
            "KON210",
            f"route `{syntax.name.text}` leads to `{target}`, which has no port",
            syntax.component.span,
            (RelatedLocation(component_syntax.name.span, f"`{target}` is declared here"),),
            fixes=add_port_fix(
                component_syntax,
                int(syntax.port.text) if isinstance(syntax.port, ast.Number) and syntax.port.text.isdigit() else 8080,
            ),
        )
        return None
    if syntax.port is None and len(component_ports) > 1:
        scope.report(
            "KON210",
            f"`{target}` has several ports ({describe_ports(component_ports)}): say which one the route leads to, "
            f"such as `{target}:{component_ports[0].number}`",
            syntax.component.span,
        )
    port = resolve_port(scope, component_syntax, syntax.port, syntax.component.span, f"route `{syntax.name.text}`")
    if port is None:
        return None
    return model.Route(syntax.name.text, subdomain, path, target, port.number, syntax.span, port.container)
