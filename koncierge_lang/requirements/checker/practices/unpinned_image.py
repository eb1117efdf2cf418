"""KON302 `unpinned-image`: an image with no tag, or with the tag `latest` (a component's, a
database's, or a sidecar's or init container's).

The image that runs could then change without the `.kon` file changing. Only valid references are
checked (an invalid one is KON204). The fix writes a `:<version>` placeholder for the author to
fill in (unsafe), and only for an image written as plain text.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.images import escape_image, image_is_unpinned, image_problem
from koncierge_lang.requirements.checker.memo import checked
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON302"


def check(scope: ApplicationScope, application: model.Application) -> None:
    # Component by component (with its sidecars and init containers), each kept for an editor's
    # next version while it is unchanged.
    for component in scope.components_syntax:
        checked(scope, component, _check_component, CODE)


def _check_component(scope: ApplicationScope, component: ast.Component) -> None:
    _check_container(scope, component)
    for container in scope.items_of(component, ast.Container):
        _check_container(scope, container)


def _check_container(scope: ApplicationScope, component: ast.Component | ast.Container) -> None:
    images = scope.items_of(component, ast.Image)
    if not images:
        return
    reference = images[0].reference
    image = reference.value
    unpinned = image_is_unpinned(image) if image else None
    # Pinning is asked first: it is cheap, and most images are pinned.
    if unpinned is None or image_problem(image) is not None:
        return
    pinned = (image[: -len(":latest")] if image.endswith(":latest") else image) + ":<version>"
    scope.report(
        CODE,
        f"image `{image}` {unpinned}: the image that runs can change without this file changing; "
        "pin the version you tested, such as `:1.4.2`, or a digest",
        reference.span,
        fixes=(
            Fix(
                "Pin a tag (replace the placeholder with the version you tested)",
                (TextEdit(reference.span, escape_image(pinned)),),
                safe=False,
            ),
        )
        if reference.is_plain
        else (),
    )
