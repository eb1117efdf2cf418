"""Ports of another component or database, as a route, a connection or a value names them.

A component's port is reached by the number clients use (the Service's port: the first number of
`port http 80 -> 8080`), by the number its program listens on (8080 there), or by its name
(`http`); `.port` and a connection that names no port mean its first port. What cannot be found is
KON210 (the target has no port at all) or KON103 (not that port), with a did-you-mean and a quick
fix that adds the port. The ports are read from the syntax tree without reporting anything, so
that a component may name the ports of one declared after it; `components.py` reports what is
wrong with the declarations themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.requirements.checker.fixes import add_port_fix
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.requirements.database_types import DATABASE_TYPES
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast

# Members every component and database has; a port may not take one of these names.
COMPONENT_MEMBERS = ("host", "port")


@dataclass(frozen=True, slots=True)
class ReachablePort:
    """One port of a component: `number` is what clients use (its Service's port), `container`
    what its program listens on, `name` its declared name, if any."""

    number: int
    container: int
    name: str | None
    protocol: str


def _number(token: ast.Number | None) -> int | None:
    if token is None or not token.text.isdigit() or not 1 <= int(token.text) <= 65535:
        return None
    return int(token.text)


def reachable_ports(scope: ApplicationScope, component: ast.Component | ast.Container) -> list[ReachablePort]:
    """A component's well-formed declared ports, in order, else its database type's default port."""
    ports: list[ReachablePort] = []
    for item in scope.items_of(component, ast.Port):
        number = _number(item.number)
        if number is None:
            continue
        container = _number(item.container) if item.container is not None else number
        if container is None:
            continue
        protocol = item.protocol.text.upper() if item.protocol is not None else "TCP"
        ports.append(ReachablePort(number, container, item.name.text if item.name else None, protocol))
    database_type = component.database_type if isinstance(component, ast.Component) else None
    if not ports and database_type is not None and database_type.text in DATABASE_TYPES:
        default = DATABASE_TYPES[database_type.text].port
        ports.append(ReachablePort(default, default, None, "TCP"))
    # A sidecar's ports are reached like the component's own (issue 13, `containers.py`).
    for sidecar in scope.items_of(component, ast.Container) if isinstance(component, ast.Component) else ():
        if sidecar.kind == "sidecar":
            ports.extend(port for port in reachable_ports(scope, sidecar) if port not in ports)
    return ports


def find_port(
    ports: list[ReachablePort], wanted: ast.Number | ast.Name | int | str, clients_only: bool = False
) -> ReachablePort | None:
    """The port `wanted` names: by the number clients use first, then (unless `clients_only`: a
    number written in an address, which only the Service's port answers) by the container's
    number, or by name."""
    if isinstance(wanted, ast.Number):
        if not wanted.text.isdigit():
            return None
        wanted = int(wanted.text)
    elif isinstance(wanted, ast.Name):
        wanted = wanted.text
    if isinstance(wanted, int):
        for port in ports:
            if port.number == wanted:
                return port
        if clients_only:
            return None
        return next((port for port in ports if port.container == wanted), None)
    return next((port for port in ports if port.name == wanted), None)


def describe_ports(ports: list[ReachablePort]) -> str:
    """`8080, amqp 5672`: a component's ports as the messages list them."""
    return ", ".join(f"{port.name} {port.number}" if port.name else str(port.number) for port in ports)


def resolve_port(
    scope: ApplicationScope,
    target: ast.Component,
    wanted: ast.Number | ast.Name | None,
    span: Span,
    what: str,
) -> ReachablePort | None:
    """The port of `target` that `what` (such as "route `web`") names, its first when `wanted` is
    None; KON210 or KON103 when there is none such."""
    name = target.name.text
    kind = "database" if target.database_type is not None else "component"
    ports = reachable_ports(scope, target)
    if not ports:
        # A database of an unknown type has the port of its type once that is right (KON108).
        if target.database_type is None and not scope.may_be_hidden_by_syntax_error(target):
            suggested = int(wanted.text) if isinstance(wanted, ast.Number) and _number(wanted) is not None else 8080
            scope.report(
                "KON210",
                f"{what} needs a port of `{name}`, but {kind} `{name}` has none, so nothing can connect to it",
                span,
                (RelatedLocation(target.name.span, f"`{name}` is declared here"),),
                fixes=add_port_fix(target, suggested),
            )
        return None
    if wanted is None:
        return ports[0]
    found = find_port(ports, wanted)
    if found is not None:
        return found
    if scope.may_be_hidden_by_syntax_error(target):
        return None
    related = (RelatedLocation(target.name.span, f"`{name}` is declared here"),)
    if isinstance(wanted, ast.Number):
        number = _number(wanted)
        scope.report(
            "KON103",
            f"{kind} `{name}` has no port {wanted.text} (its ports: {describe_ports(ports)})",
            wanted.span,
            related,
            fixes=add_port_fix(target, number) if number is not None else (),
        )
        return None
    names = [port.name for port in ports if port.name]
    suggestion = did_you_mean(wanted.text, names)
    message = f"{kind} `{name}` has no port named `{wanted.text}` (its ports: {describe_ports(ports)})"
    fixes: tuple[Fix, ...] = ()
    if suggestion:
        message += f"; did you mean `{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(wanted.span, suggestion),)),)
    scope.report("KON103", message, wanted.span, related, fixes=fixes)
    return None
