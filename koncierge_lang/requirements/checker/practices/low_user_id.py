"""KON314 `low-user-id`: `run as user` names a user below 10000, in an application with
strict-security environments, where hardened pods otherwise run as a high user that no user of the
node has (docs/security.md)."""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.containers import every_container
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON314"
LOWEST_SEPARATE_USER = 10000


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    where = ", ".join(strict)
    for syntax, what in every_container(scope):
        items = scope.items_of(syntax, ast.RunAs)
        if not items:
            continue
        user = items[0].user
        # Root and numbers out of range are KON228's.
        if not user.text.isdigit() or not 0 < int(user.text) < LOWEST_SEPARATE_USER:
            continue
        scope.report(
            CODE,
            f"{what} runs as user {user.text} where security is strict ({where}): users below "
            f"{LOWEST_SEPARATE_USER} may be the node's own, whose files a program that escaped its container could use",
            user.span,
        )
