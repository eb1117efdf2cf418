"""What the author changes of hardening, in a component or one of its containers (issue 13).

`capabilities NET_BIND_SERVICE, CHOWN` names Linux capabilities (KON227 otherwise, with a
did-you-mean; `CAP_` and lower case are accepted and normalised; `ALL` is refused), `run as user
UID [group GID]` a user other than root (KON228: user 1 to 2147483647, group 0 to 2147483647, the
range Kubernetes accepts), `writes "/p" keeping contents` the paths whose scratch space starts
with the image's files, and `writes everywhere` a writable root filesystem. `run as` and `writes
everywhere` can take effect once (KON215). Where security is strict each relaxation is also a
warning, from the best-practice passes (KON312-KON315, `practices/`).
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.security.capabilities import (
    LINUX_CAPABILITIES,
    PRIVILEGED_PORT_CAPABILITY,
    PRIVILEGED_PORT_LIMIT,
    capability_risk,
    normalised_capability,
)
from koncierge_lang.syntax import ast

MAXIMUM_ID = 2147483647
"""The highest user and group Kubernetes accepts (`runAsUser`, `runAsGroup`)."""

# The statements that adjust hardening: a component with none of them is left as it is.
ADJUSTING_STATEMENTS = (ast.Capabilities, ast.RunAs, ast.WritesEverywhere, ast.Writes)


def adjustments(scope: ApplicationScope, syntax: ast.Component | ast.Container) -> model.HardeningAdjustments:
    """The hardening adjustments `syntax` declares, checked."""
    capabilities: list[str] = []
    for item in scope.items_of(syntax, ast.Capabilities):
        for written in item.names:
            name = _capability(scope, written)
            if name is not None and name not in capabilities:
                capabilities.append(name)
    user: int | None = None
    group: int | None = None
    run_as = scope.items_of(syntax, ast.RunAs)  # a second is KON215 (`components.py`)
    if run_as:
        user = _user(scope, run_as[0].user)
        if run_as[0].group is not None:
            group = _id(scope, run_as[0].group, "a group", 0)
    everywhere = scope.items_of(syntax, ast.WritesEverywhere)  # a second is KON215 (`components.py`)
    kept = tuple(
        dict.fromkeys(
            literal.value.rstrip("/")
            for item in scope.items_of(syntax, ast.Writes)
            if item.keeping
            for literal in item.paths
            if literal.value.startswith("/") and literal.value.rstrip("/")
        )
    )
    return model.HardeningAdjustments(tuple(capabilities), user, group, kept, bool(everywhere))


def _capability(scope: ApplicationScope, written: ast.Name) -> str | None:
    """A capability's normalised name, or None after KON227."""
    name = normalised_capability(written.text)
    if name in LINUX_CAPABILITIES:
        return name
    if name == "ALL":
        scope.report(
            "KON227",
            "`ALL` would give back every capability that hardening drops: name the ones the program needs, "
            "such as `NET_BIND_SERVICE` or `CHOWN`",
            written.span,
        )
        return None
    suggestion = did_you_mean(name, LINUX_CAPABILITIES)
    message = f"`{written.text}` is not a Linux capability"
    fixes: tuple[Fix, ...] = ()
    if suggestion:
        message += f"; did you mean `{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(written.span, suggestion),)),)
    else:
        message += " (see `man 7 capabilities`; write them without `CAP_`, such as `NET_BIND_SERVICE`)"
    scope.report("KON227", message, written.span, fixes=fixes)
    return None


def _user(scope: ApplicationScope, number: ast.Number) -> int | None:
    if number.text.isdigit() and int(number.text) == 0:
        scope.report(
            "KON228",
            "user 0 is root, which hardened pods never run as (`runAsNonRoot`) and which would own the node's "
            "files if the program escaped its container: run as the user the image creates for the program, "
            "and add the capabilities it needs with `capabilities`",
            number.span,
        )
        return None
    return _id(scope, number, "a user", 1)


def _id(scope: ApplicationScope, number: ast.Number, what: str, low: int) -> int | None:
    if not number.text.isdigit() or not low <= int(number.text) <= MAXIMUM_ID:
        scope.report(
            "KON228",
            f"`{number.text}` is not {what}: {what} is a whole number from {low} to {MAXIMUM_ID}",
            number.span,
        )
        return None
    return int(number.text)


def relaxing_capability(written: str, listens_below_1024: bool) -> tuple[str, str] | None:
    """A capability written in `capabilities` and what an intruder gains by it, for the warning
    (KON312); None for what is no capability (KON227) and for `NET_BIND_SERVICE` in a container
    that listens on a port below 1024, which the compiler adds by itself."""
    name = normalised_capability(written)
    if name not in LINUX_CAPABILITIES or (name == PRIVILEGED_PORT_CAPABILITY and listens_below_1024):
        return None
    return name, capability_risk(name)


def listens_on_a_privileged_port(ports: list[ast.Port]) -> bool:
    """Whether a container's program listens on a port below 1024, as written."""
    for port in ports:
        number = port.container if port.container is not None else port.number
        if number.text.isdigit() and int(number.text) < PRIVILEGED_PORT_LIMIT:
            return True
    return False
