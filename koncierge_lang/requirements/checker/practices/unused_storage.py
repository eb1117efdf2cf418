"""KON305 `unused-storage`: declared storage that no component mounts.

A claim would be made for nothing. Not reported for a name declared twice (KON104: a mount may
have meant either), nor while a syntax error may have left the mount out.
"""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope

CODE = "KON305"


def check(scope: ApplicationScope, application: model.Application) -> None:
    if scope.may_be_hidden_by_syntax_error(scope.syntax):
        return  # The mount may be in a statement the syntax error left out.
    for storage in scope.storages_syntax:
        name = storage.name.text
        if len(scope.all_declarations.get(name, ())) > 1:
            continue  # Declared twice: KON104 says so, and a mount may have meant either.
        if name not in scope.used_storages and scope.names.get(name, (None, None, None))[2] is storage:
            scope.report(CODE, f"storage `{name}` is mounted by no component", storage.name.span)
