"""KON312 `added-capability`: `capabilities` adds Linux capabilities back to a container, in an
application with strict-security environments (docs/security.md).

Each capability is named with what an intruder gains by it. A container that listens on a port
below 1024 gets `NET_BIND_SERVICE` from the compiler by itself; that is reported once, at the port,
because only the author can change it (a program listening on a higher port, published under the
low one); writing the capability by hand adds nothing to report.
"""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.containers import every_container
from koncierge_lang.requirements.checker.hardening import listens_on_a_privileged_port, relaxing_capability
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.security.capabilities import PRIVILEGED_PORT_LIMIT
from koncierge_lang.syntax import ast

CODE = "KON312"


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    where = ", ".join(strict)
    for syntax, what in every_container(scope):
        items = scope.items_of(syntax, ast.Capabilities)
        ports = scope.items_of(syntax, ast.Port)
        privileged_port = listens_on_a_privileged_port(ports)
        if privileged_port:
            _report_privileged_port(scope, ports, what, where)
        if not items:
            continue
        for item in items:
            for written in item.names:
                relaxing = relaxing_capability(written.text, privileged_port)
                if relaxing is None:
                    continue
                name, risk = relaxing
                scope.report(CODE, f"{what} gets `{name}` back where security is strict ({where}): {risk}", written.span)


def _report_privileged_port(scope: ApplicationScope, ports: list[ast.Port], what: str, where: str) -> None:
    """The `NET_BIND_SERVICE` the compiler adds for a port below 1024: what only the author can
    change (a program that listens on a higher port, published under the low one)."""
    for port in ports:
        listens = port.container if port.container is not None else port.number
        if listens.text.isdigit() and int(listens.text) < PRIVILEGED_PORT_LIMIT:
            scope.report(
                CODE,
                f"{what} listens on port {listens.text}, below {PRIVILEGED_PORT_LIMIT}, so it gets `NET_BIND_SERVICE` "
                f"back where security is strict ({where}): it may take any port below {PRIVILEGED_PORT_LIMIT}; if "
                f"the program can listen on a higher port, publish that one as {port.number.text} "
                f"(`port {port.number.text} -> 8080`)",
                listens.span,
            )
            return
