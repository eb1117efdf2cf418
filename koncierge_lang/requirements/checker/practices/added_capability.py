"""KON312 `added-capability`: `capabilities` adds Linux capabilities back to a container, in an
application with strict-security environments (docs/security.md).

Each capability is named with what an intruder gains by it. `NET_BIND_SERVICE` in a container that
listens on a port below 1024 is what the compiler adds by itself, so it is not reported.
"""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.containers import every_container
from koncierge_lang.requirements.checker.hardening import listens_on_a_privileged_port, relaxing_capability
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON312"


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    where = ", ".join(strict)
    for syntax, what in every_container(scope):
        items = scope.items_of(syntax, ast.Capabilities)
        if not items:
            continue
        privileged_port = listens_on_a_privileged_port(scope.items_of(syntax, ast.Port))
        for item in items:
            for written in item.names:
                relaxing = relaxing_capability(written.text, privileged_port)
                if relaxing is None:
                    continue
                name, risk = relaxing
                scope.report(CODE, f"{what} gets `{name}` back where security is strict ({where}): {risk}", written.span)
