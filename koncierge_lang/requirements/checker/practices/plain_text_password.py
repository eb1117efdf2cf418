"""KON301 `plain-text-password`: a secret written in plain text in the `.kon` file.

Anyone who can read the repository can read it. The fixes generate the password instead (unsafe:
the program's password changes), or encode it as base64 (safe: the same password, not legible at
a glance). Values are checked, and each component's variables as they are first set (a variable
set twice is KON203, and only its first setting counts).
"""

from __future__ import annotations

import base64

from koncierge_lang.diagnostics import Fix, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.memo import checked
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON301"


def check(scope: ApplicationScope, application: model.Application) -> None:
    # Statement by statement, each kept for an editor's next version while it is unchanged.
    for declared in scope.values_syntax:
        checked(scope, declared, _check_value, CODE)
    for component in scope.components_syntax:
        checked(scope, component, _check_component, CODE)


def _check_value(scope: ApplicationScope, declared: ast.ValueDeclaration) -> None:
    _check_expression(scope, declared.expression)


def _check_component(scope: ApplicationScope, component: ast.Component) -> None:
    set_already: set[str] = set()
    for variable in scope.items_of(component, ast.Variable):
        if variable.name.text not in set_already:
            set_already.add(variable.name.text)
            _check_expression(scope, variable.expression)


def _check_expression(scope: ApplicationScope, expression: object) -> None:
    if not isinstance(expression, ast.SecretPlain):
        return
    password = expression.text  # The password itself, with or without the `secret` before it.
    fixes = (
        Fix("Generate the password instead", (TextEdit(password.span, "generated"),), safe=False),
        Fix(
            "Encode it as base64",
            (TextEdit(password.span, f'base64 "{base64.b64encode(password.value.encode()).decode()}"'),),
        ),
    )
    scope.report(
        CODE,
        "this password is written in plain text: anyone who can read the repository can read it; "
        "let Koncierge generate it, or at least encode it with `base64`",
        password.span,
        fixes=fixes,
    )
