"""Connections: `connects to NAME [on PORT]`, `accepts from NAME [on PORT]`, and external dependencies.

`connects to carts` declares that the component connects to another component or database of the
application, on its first port or the port named by number or name; `accepts from admin` that
another one connects to this component (where the program that connects is told nothing, such as a
monitoring server that polls its clients). Names are checked like references (KON101 with a
did-you-mean), ports like a route's (KON210, KON103: `ports.py`).

`connects to "TARGET" [on PORT] [/tcp|udp]`, in quotes, is an external dependency: a host, a URL
or an address block. Each becomes the target's address and the port it is reached on, from which
the network policies allow exactly that traffic out; what cannot be read as one is KON218 (KON201
and KON202 for the port and the protocol).
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.diagnostics import Fix, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.literals import plain_string, valid_domain
from koncierge_lang.requirements.checker.ports import resolve_port
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.syntax import ast

CONNECTION_KINDS = ("component", "database")

_URL_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "ldap": 389, "ldaps": 636, "smtp": 25, "smtps": 465}


@dataclass(frozen=True, slots=True)
class Dependency:
    target: str
    kind: str
    address: str
    port: int
    protocol: str


def connections(scope: ApplicationScope, syntax: ast.Component) -> tuple[model.ExternalDependency, ...]:
    """`connects to` statements: a host, a URL or an address block, each with its port."""
    found: list[model.ExternalDependency] = []
    for item in scope.items_of(syntax, ast.Connects):
        if isinstance(item.target, ast.Name):
            continue  # A component of the application: `component_connections`.
        target = plain_string(scope, item.target, "external dependencies")
        port: int | None = None
        if isinstance(item.port, ast.Name):
            scope.report(
                "KON201",
                f"`{item.port.text}` is not a port number: outside the application, say the number, as in `on 443`",
                item.port.span,
            )
            continue
        if item.port is not None:
            if not item.port.text.isdigit() or not 1 <= int(item.port.text) <= 65535:
                scope.report("KON201", f"`{item.port.text}` is not a port: ports are whole numbers from 1 to 65535", item.port.span)
                continue
            port = int(item.port.text)
        protocol = "TCP"
        if item.protocol is not None:
            if item.protocol.text.lower() not in ("tcp", "udp"):
                scope.report("KON202", f"`{item.protocol.text}` is not a protocol: use `tcp` or `udp`", item.protocol.span)
                continue
            protocol = item.protocol.text.upper()
        dependency = external_dependency(target, port, protocol)
        if isinstance(dependency, str):
            scope.report("KON218", dependency, item.target.span if "port" not in dependency else item.span)
            continue
        found.append(
            model.ExternalDependency(
                dependency.target, dependency.kind, dependency.address, dependency.port, dependency.protocol, item.span
            )
        )
    return tuple(found)


def component_connections(scope: ApplicationScope, syntax: ast.Component) -> tuple[model.ComponentConnection, ...]:
    """`connects to NAME [on PORT]` and `accepts from NAME [on PORT]`: connections between the
    component and others of the application."""
    found: list[model.ComponentConnection] = []
    name = syntax.name.text
    for item in scope.items_of(syntax, ast.Connects):
        if not isinstance(item.target, ast.Name):
            continue
        target = _peer(scope, item.target, "connects to")
        if target is None:
            continue
        if item.protocol is not None:
            scope.report(
                "KON202",
                f"`{item.target.text}`'s port has its own protocol; remove `/{item.protocol.text}`",
                item.protocol.span,
            )
        port = resolve_port(scope, target, item.port, item.target.span, f"`connects to {item.target.text}`")
        if port is not None:
            found.append(model.ComponentConnection(name, target.name.text, port.number, False, item.span))
    for accepted in scope.items_of(syntax, ast.Accepts):
        source = _peer(scope, accepted.source, "accepts from")
        if source is None:
            continue
        port = resolve_port(scope, syntax, accepted.port, accepted.span, f"`accepts from {accepted.source.text}`")
        if port is not None:
            found.append(model.ComponentConnection(source.name.text, name, port.number, True, accepted.span))
    return tuple(found)


def _peer(scope: ApplicationScope, name: ast.Name, statement: str) -> ast.Component | None:
    """The component or database `name` names in `connects to` or `accepts from` (KON101 otherwise)."""
    entry = scope.lookup(name.text, CONNECTION_KINDS)
    if entry is not None and entry[0] in CONNECTION_KINDS:
        scope.refer(entry[0], name.text, name.span)
        node = entry[2]
        assert isinstance(node, ast.Component)
        return node
    if entry is None and scope.may_be_hidden_by_syntax_error(scope.syntax):
        return None
    if entry is not None:
        scope.use_value(name.text)  # Used, wrongly: this error is the one to report.
        scope.use_storage(name.text)
    candidates = [declared for declared, (kind, _, _) in scope.names.items() if kind in CONNECTION_KINDS]
    suggestion = did_you_mean(name.text, candidates)
    message = (
        f"`{statement} {name.text}`: `{name.text}` is a {entry[0]}, not a component or database"
        if entry is not None
        else f"`{name.text}` is not a component or database of application `{scope.application_name}`"
    )
    fixes: tuple[Fix, ...] = ()
    if suggestion:
        message += f"; did you mean `{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(name.span, suggestion),)),)
    if entry is None and not suggestion:
        message += '; to connect to something outside the application, write its host in quotes: `connects to "api.example.com" on 443`'
    scope.report("KON101", message, name.span, fixes=fixes)
    return None


def external_dependency(target: str, port: int | None, protocol: str) -> Dependency | str:
    """The dependency `connects to TARGET [on PORT]` declares, or the message saying what is wrong."""
    # Imported when first needed: most files connect to nothing, and every command pays for imports.
    import ipaddress
    from urllib.parse import urlsplit

    kind = "host"
    address = target
    if "://" in target:
        parts = urlsplit(target)
        scheme = parts.scheme.lower()
        try:
            url_port = parts.port
        except ValueError:
            return f"`{target}` has an invalid port"
        host = parts.hostname or ""
        if not host:
            return f"`{target}` is not a URL with a host, such as `https://api.example.com`"
        if url_port is not None and port is not None and url_port != port:
            return f"the URL says port {url_port} but `on` says {port}: keep one"
        port = port if port is not None else url_port if url_port is not None else _URL_PORTS.get(scheme)
        if port is None:
            return f"the port of a `{scheme}` URL is not known: add it, as in `{target} on 1234`"
        address = host
    if "/" in address or address.replace(".", "").isdigit() or ":" in address:
        try:
            network = ipaddress.ip_network(address, strict=True)
        except ValueError:
            return f"`{address}` is not an address block such as `10.8.0.0/16` (host bits must be zero)"
        kind, address = "cidr", str(network)
    elif not valid_domain(address.lower().rstrip(".")):
        return f"`{target}` is not a host name, a URL or an address block such as `10.8.0.0/16`"
    else:
        address = address.lower().rstrip(".")
    if port is None:
        return f"`connects to \"{target}\"` needs the port it connects on: add `on 443` (or the right port)"
    return Dependency(target, kind, address, port, protocol)
