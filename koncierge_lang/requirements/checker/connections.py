"""External dependencies: `connects to TARGET [on PORT] [/tcp|udp]`, a host, a URL or an address block.

Each becomes the target's address and the port it is reached on, from which the network policies
allow exactly that traffic out; what cannot be read as one is KON218 (KON201 and KON202 for the
port and the protocol).
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.literals import plain_string, valid_domain
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

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
        target = plain_string(scope, item.target, "external dependencies")
        port: int | None = None
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
