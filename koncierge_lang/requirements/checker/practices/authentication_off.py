"""KON319 `authentication-off`: a database that asks its clients for no credentials, in an
application with strict-security environments.

`authentication off` reproduces images whose programs connect without credentials (the Sock
Shop's MongoDB clients); there, anything that reaches the database's port may read and change
every record. The network policies still let only the components that connect to it reach it.
"""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.requirements.database_types import DATABASE_TYPES
from koncierge_lang.syntax import ast

CODE = "KON319"


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    for syntax, component in zip(scope.components_syntax, application.components, strict=True):
        if component.authentication or not component.is_database:
            continue
        settings = scope.items_of(syntax, ast.Authentication)
        database_type = DATABASE_TYPES.get(component.database_type or "")
        means = database_type.without_authentication_means if database_type is not None else "asks for no credentials"
        scope.report(
            CODE,
            f"database `{component.name}` {means} in {', '.join(strict)}: whatever reaches its "
            "port may read and change all its data (the network policies let only the components that connect "
            "to it reach it); turn authentication on when its clients can log in",
            settings[-1].span if settings else syntax.name.span,
        )
