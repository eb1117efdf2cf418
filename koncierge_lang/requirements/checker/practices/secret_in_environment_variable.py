"""KON309 `secret-in-environment-variable`: a secret handed to a program in an environment
variable, in an application with strict-security environments (docs/security.md).

Any process or crash dump of the container can read its environment; `as file` gives the program
`NAME_FILE`, the path of a file holding the secret, instead. Databases of known types are not
checked: the compiler hands their secrets over as files itself (`*_FILE`); their sidecars and init
containers are, like a component's. The fix appends
`as file` (unsafe: the program must read the file).
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.memo import checked
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.requirements.checker.values import is_secret_expression
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast

CODE = "KON309"


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    where = ", ".join(strict)

    def check_component(scope: ApplicationScope, component: ast.Component) -> None:
        _check_component(scope, component, where)

    # Component by component, each kept for an editor's next version while it and `where` are
    # unchanged (which values are secrets is read through the scope).
    for component in scope.components_syntax:
        checked(scope, component, check_component, CODE, where)


def _check_component(scope: ApplicationScope, component: ast.Component, where: str) -> None:
    if scope.may_be_hidden_by_syntax_error(component):
        return
    # The program's variables (not a known database's: its image reads `*_FILE` itself), and
    # its sidecars' and init containers'.
    blocks: list[ast.Component | ast.Container] = [] if component.database_type is not None else [component]
    blocks.extend(scope.items_of(component, ast.Container))
    for item in (variable for block in blocks for variable in scope.items_of(block, ast.Variable)):
        if item.as_file or not is_secret_expression(scope, item.expression):
            continue
        end = Span(item.span.end_line, item.span.end_column, item.span.end_line, item.span.end_column)
        scope.report(
            CODE,
            f"secret variable `{item.name.text}` is handed to the program in its environment in the "
            f"strict-security environments ({where}), where any process or crash dump of the container can "
            f"read it; have the program read it from a file instead: `as file` gives it `{item.name.text}_FILE`, "
            "the path of the file (see docs/security.md)",
            item.span,
            fixes=(
                Fix(
                    f"Hand `{item.name.text}` over as a file (the program reads its path from "
                    f"`{item.name.text}_FILE`)",
                    (TextEdit(end, " as file"),),
                    safe=False,
                ),
            ),
        )
