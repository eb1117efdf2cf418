"""KON313 `writable-root-filesystem`: `writes everywhere` keeps a container's root filesystem
writable, in an application with strict-security environments (docs/security.md)."""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.containers import every_container
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON313"


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    where = ", ".join(strict)
    for syntax, what in every_container(scope):
        items = scope.items_of(syntax, ast.WritesEverywhere)
        if items:
            scope.report(
                CODE,
                f"{what} keeps a writable root filesystem where security is strict ({where}): an intruder could "
                "replace the program's files or install tools; name the directories it writes with `writes` instead",
                items[0].span,
            )
