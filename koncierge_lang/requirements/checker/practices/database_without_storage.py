"""KON303 `database-without-storage`: a database none of whose mounts is persistent storage.

Its data would be lost whenever its pod restarts. The fix adds 1Gi of persistent storage at the
database type's data directory (unsafe: the size is a guess). Only databases of a known type are
checked (another is KON108), and not when a syntax error inside the database may have left its
storage out.
"""

from __future__ import annotations

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.fixes import add_storage_fix
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.requirements.database_types import DATABASE_TYPES

CODE = "KON303"


def check(scope: ApplicationScope, application: model.Application) -> None:
    persistent: dict[str, bool] | None = None
    for syntax, component in zip(scope.components_syntax, application.components, strict=True):
        if component.database_type is None:
            continue
        if persistent is None:
            persistent = _persistent_storage(application)
        if any(persistent.get(mount.storage, False) for mount in component.mounts):
            continue
        if scope.may_be_hidden_by_syntax_error(syntax):
            continue
        scope.report(
            CODE,
            f"database `{component.name}` has no persistent storage: its data is lost whenever its pod restarts",
            syntax.name.span,
            fixes=add_storage_fix(syntax, DATABASE_TYPES[component.database_type].data_directory),
        )


def _persistent_storage(application: model.Application) -> dict[str, bool]:
    """Whether each storage name a mount can mean is persistent: a component's own storage first,
    then the first storage declared with that name."""
    persistent: dict[str, bool] = {}
    for storage in application.storages:
        if storage.owner is not None:
            persistent.setdefault(storage.name, storage.persistent)
    for storage in application.storages:
        if storage.owner is None:
            persistent.setdefault(storage.name, storage.persistent)
    return persistent
