"""KON315 `kept-contents-writable`: `writes "/path" keeping contents` makes the image's own files at
the path writable by the running program, in an application with strict-security environments
(docs/security.md)."""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.containers import every_container
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON315"


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    where = ", ".join(strict)
    for syntax, what in every_container(scope):
        for item in scope.items_of(syntax, ast.Writes):
            if not item.keeping:
                continue
            paths = ", ".join(f"`{literal.value}`" for literal in item.paths)
            scope.report(
                CODE,
                f"the image's files at {paths} become writable by {what} where security is strict ({where}): "
                "an intruder could change what the program serves or reads there until the pod restarts",
                item.span,
            )
