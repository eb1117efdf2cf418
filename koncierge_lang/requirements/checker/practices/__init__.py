"""Best practices (KON301-KON319): one rule per module, each a pass of its own over a checked application.

As in Ruff, each rule lives in one place, in a module named after it (`unused_value.py` is
`unused-value`), with its code (`CODE`) and its pass (`check`); this table is the one list of
them. A pass runs after the language areas have built the application's requirements model, and
reads that model, the syntax and what the areas found out (`ApplicationScope`); it only reports.
A pass that checks statement by statement may keep each statement's check for an editor's next
version (`memo.checked(scope, statement, check, CODE, given)`, as plain-text-password,
unpinned-image and secret-in-environment-variable do); such a check reads other statements only
through the scope's recording accessors (ARCHITECTURE.md, "An edit costs what it touches").
Adding one: docs/compiler.md and CONTRIBUTING.md, "Adding a diagnostic".
"""

from __future__ import annotations

from typing import Protocol

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.practices import (
    added_capability,
    authentication_off,
    database_without_storage,
    end_of_life_database,
    exposed_database,
    image_without_digest,
    kept_contents_writable,
    low_user_id,
    no_health_check,
    plain_text_password,
    route_to_database,
    secret_in_environment_variable,
    setting_without_effect,
    unpinned_image,
    unused_route,
    unused_storage,
    unused_value,
    writable_root_filesystem,
)
from koncierge_lang.requirements.checker.scope import ApplicationScope


class Practice(Protocol):
    """A best-practice rule: its module has a code and a pass."""

    CODE: str

    def check(self, scope: ApplicationScope, application: model.Application) -> None: ...


PRACTICES: tuple[Practice, ...] = (
    plain_text_password,
    unpinned_image,
    database_without_storage,
    unused_value,
    unused_storage,
    unused_route,
    route_to_database,
    image_without_digest,
    secret_in_environment_variable,
    end_of_life_database,
    authentication_off,
    exposed_database,
    setting_without_effect,
    added_capability,
    writable_root_filesystem,
    low_user_id,
    kept_contents_writable,
    no_health_check,
)


def check_practices(scope: ApplicationScope, application: model.Application) -> None:
    """Run every best-practice pass over one checked application."""
    for practice in PRACTICES:
        practice.check(scope, application)
