"""KON311 `no-health-check`: a component that nothing can ask whether it works, in an application
with strict-security environments.

Where security is strict, Koncierge asks every component whether it is up: its declared probes,
`health`, or else a TCP connection to its first port. A component without a TCP port and without a
`probe` (a load generator, a worker that only connects out) gets none, so a program that hangs is
never restarted (checkov CKV_K8S_8 and CKV_K8S_9). Only the author knows a command that tells.
"""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope

CODE = "KON311"


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    for syntax, component in zip(scope.components_syntax, application.components, strict=True):
        if component.is_database or component.probes or component.health is not None:
            continue
        if any(port.protocol == "TCP" and not port.sidecar for port in component.ports):
            continue
        if scope.may_be_hidden_by_syntax_error(syntax):
            continue
        scope.report(
            CODE,
            f"component `{component.name}` has no TCP port and no `probe`, so where security is strict "
            f"({', '.join(strict)}) nothing asks whether it works, and a program that hangs is never restarted; "
            'declare one, such as `probe live command ["/bin/sh", "-c", "..."]`',
            syntax.name.span,
        )
