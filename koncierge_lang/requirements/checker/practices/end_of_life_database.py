"""KON318 `end-of-life-database`: a database image whose version is no longer supported.

The version is read from an official image's tag (`mysql:5.7`; `requirements/image_versions.py`)
and compared with the end-of-life dates of its type (`requirements/database_types.py`), as they
stood on the day that table was last reviewed, so that a file gets the same diagnostics on any
day. An unsupported version gets no security fixes. Images whose version their name does not tell
are not checked; a database's default image is always supported.
"""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.requirements.database_types import DATABASE_TYPES, database_version, end_of_life
from koncierge_lang.syntax import ast

CODE = "KON318"


def check(scope: ApplicationScope, application: model.Application) -> None:
    for syntax, component in zip(scope.components_syntax, application.components, strict=True):
        database_type = DATABASE_TYPES.get(component.database_type or "")
        if database_type is None or component.image_defaulted:
            continue
        version = database_version(database_type, component.image)
        if version is None:
            continue
        ended = end_of_life(database_type, version)
        if ended is None:
            continue
        images = scope.items_of(syntax, ast.Image)
        span = images[0].reference.span if images else syntax.name.span
        written = ".".join(str(number) for number in version)
        scope.report(
            CODE,
            f"{database_type.name} {written} is past its end of life ({ended}): it gets no more security fixes; "
            f"use a supported version, such as Koncierge's default `{database_type.image}`",
            span,
        )
