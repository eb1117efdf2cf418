"""KON304 `unused-value`: a constant, secret or value that nothing refers to.

Either it is left over, or the reference meant for it is misspelt (a misspelt reference counts as a
use of the name it most likely meant). Not reported for a name declared twice (KON104: a use may
have meant either), nor while a syntax error may have left the use out.
"""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope

CODE = "KON304"


def check(scope: ApplicationScope, application: model.Application) -> None:
    if scope.may_be_hidden_by_syntax_error(scope.syntax):
        return  # The use may be in a statement the syntax error left out.
    for declared in scope.values_syntax:
        name = declared.name.text
        if len(scope.all_declarations.get(name, ())) > 1:
            continue  # Declared twice: KON104 says so, and a use may have meant either.
        if name not in scope.used_values and scope.names.get(name, (None, None, None))[2] is declared:
            scope.report(CODE, f"value `{name}` is never used", declared.name.span)
