"""Databases: a database's type, and the defaults the type brings (image, port, arguments, variables).

`database NAME TYPE` names one of the types Koncierge knows (`koncierge_lang/requirements/
database_types.py`; KON108 for another). The defaults are put into the requirements model, marked
as defaults, so that they are visible and that an author's own setting always wins. Whether a
database keeps its data on persistent storage is a best practice, checked after the model is built
(`practices/database_without_storage.py`).
"""

from __future__ import annotations

from collections.abc import Container

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.requirements.database_types import DATABASE_TYPES, DatabaseType
from koncierge_lang.syntax import ast


def database_type_of(scope: ApplicationScope, syntax: ast.Component) -> DatabaseType | None:
    """The type of a database (KON108 when Koncierge does not know it); None for a component."""
    if syntax.database_type is None:
        return None
    type_name = syntax.database_type.text
    if type_name in DATABASE_TYPES:
        return DATABASE_TYPES[type_name]
    suggestion = did_you_mean(type_name, DATABASE_TYPES)
    message = f"`{type_name}` is not a database type Koncierge knows ({', '.join(DATABASE_TYPES)})"
    fixes: tuple[Fix, ...] = ()
    if suggestion:
        message += f"; did you mean `{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.database_type.span, suggestion),)),)
    scope.report("KON108", message, syntax.database_type.span, fixes=fixes)
    return None


def has_ports(scope: ApplicationScope, component: ast.Component) -> bool:
    """Whether anything can connect to a component: it declares a port, or its database type has
    one. A database of a type Koncierge does not know counts as having one: KON108 says what is
    wrong, and a port it would need once its type is right is no mistake of its own."""
    if component.database_type is not None:
        return True
    if scope.items_of(component, ast.Port):
        return True
    # A sidecar's ports are reached like the component's own.
    return any(
        container.kind == "sidecar" and any(isinstance(item, ast.Port) for item in container.items)
        for container in scope.items_of(component, ast.Container)
    )


def reachable_ports(scope: ApplicationScope, component: ast.Component) -> list[tuple[int, str | None]]:
    """A component's ports as (number, name), read without reporting anything: its well-formed
    declared ports, else its database type's default port."""
    ports = [
        (int(item.number.text), item.name.text if item.name else None)
        for item in scope.items_of(component, ast.Port)
        if item.number.text.isdigit()
    ]
    if not ports and component.database_type is not None and component.database_type.text in DATABASE_TYPES:
        ports.append((DATABASE_TYPES[component.database_type.text].port, None))
    return ports


def authentication(scope: ApplicationScope, syntax: ast.Component, database_type: DatabaseType | None) -> bool:
    """`authentication off|on`: only for databases of a type with credentials, off without the
    author setting a credential variable (KON234)."""
    enabled = True
    # The first counts; a second is KON215 (`components._check_repeated_settings`).
    for item in scope.items_of(syntax, ast.Authentication)[:1]:
        setting = item.setting.text
        if setting not in ("on", "off"):
            suggestion = did_you_mean(setting, ("on", "off"))
            scope.report(
                "KON234",
                f"`authentication {setting}`: say `authentication off` (or `on`, the default)"
                + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                item.setting.span,
                fixes=(Fix(f"Replace with `{suggestion}`", (TextEdit(item.setting.span, suggestion),)),) if suggestion else (),
            )
            continue
        if syntax.database_type is None:
            scope.report(
                "KON234",
                f"`authentication` is a setting of databases; component `{syntax.name.text}` is not one",
                item.span,
            )
            continue
        if database_type is None:
            continue  # An unknown type: KON108 says what is wrong.
        if not database_type.credential_variables:
            scope.report(
                "KON234",
                f"a {database_type.name} database of Koncierge asks for no credentials: `authentication` changes nothing",
                item.span,
            )
            continue
        enabled = setting == "on"
        if not enabled:
            for variable in scope.items_of(syntax, ast.Variable):
                if variable.name.text in database_type.credential_variables:
                    scope.report(
                        "KON234",
                        f"`authentication off`, but `{variable.name.text}` sets a credential: remove one of the two",
                        variable.name.span,
                        (RelatedLocation(item.span, "authentication is turned off here"),),
                    )
    return enabled


def default_variables(
    database_type: DatabaseType, set_by_author: Container[str], with_authentication: bool = True
) -> list[model.Variable]:
    """The variables a database's type sets that its author did not: generated passwords and
    constants, or without authentication what the image needs instead of credentials."""
    variables: list[model.Variable] = []
    for variable_name, kind, text in database_type.default_variables:
        if variable_name in set_by_author:
            continue
        if not with_authentication and variable_name in database_type.credential_variables:
            continue
        default: model.Expression = model.Secret("generated") if kind == "generated" else model.Text((text,))
        variables.append(model.Variable(variable_name, default, True))
    extra = database_type.extra_environment + (() if with_authentication else database_type.without_authentication)
    for variable_name, text in extra:
        if variable_name not in set_by_author:
            variables.append(model.Variable(variable_name, model.Text((text,)), True))
    return variables
