"""KON308 `image-without-digest`: an image not pinned by digest, in an application with
strict-security environments (docs/security.md).

A tag can be moved to other contents; a digest cannot. Images that are not pinned at all are
KON302's; a database's default image is checked too (the message says where to write one). The
fix appends a `@sha256:<digest>` placeholder (unsafe), only for an image written as plain text.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.images import escape_image, image_is_unpinned
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON308"


def check(scope: ApplicationScope, application: model.Application) -> None:
    strict = [environment.name for environment in application.environments if environment.strict_security]
    if not strict:
        return
    where = ", ".join(strict)
    for syntax, component in zip(scope.components_syntax, application.components, strict=True):
        image = component.image
        if not image or "@sha256:" in image:
            continue
        if not component.image_defaulted and image_is_unpinned(image):
            continue
        if scope.may_be_hidden_by_syntax_error(syntax):
            continue
        images = scope.items_of(syntax, ast.Image)
        span = images[0].reference.span if images else syntax.name.span
        fixes: tuple[Fix, ...] = ()
        if images and images[0].reference.is_plain:
            fixes = (
                Fix(
                    "Pin by digest (replace the placeholder with the digest of the image you tested)",
                    (TextEdit(images[0].reference.span, escape_image(image + "@sha256:<digest>")),),
                    safe=False,
                ),
            )
        scope.report(
            CODE,
            f"image `{image}` is not pinned by digest, which the strict-security environments ({where}) "
            "expect: a tag can be moved to other contents; "
            + ('add `@sha256:...` to it' if images else f'write `image "{image}@sha256:..."` in `{syntax.name.text}`'),
            span,
            fixes=fixes,
        )
    for syntax in scope.components_syntax:
        for container in scope.items_of(syntax, ast.Container):
            _check_container(scope, container, where)


def _check_container(scope: ApplicationScope, container: ast.Container, where: str) -> None:
    """A sidecar's or init container's image, as written (an image that is not pinned at all is KON302's)."""
    images = [item for item in container.items if isinstance(item, ast.Image)]
    if not images:
        return
    reference = images[0].reference
    image = reference.value
    if not image or "@sha256:" in image or image_is_unpinned(image):
        return
    fixes: tuple[Fix, ...] = ()
    if reference.is_plain:
        fixes = (
            Fix(
                "Pin by digest (replace the placeholder with the digest of the image you tested)",
                (TextEdit(reference.span, escape_image(image + "@sha256:<digest>")),),
                safe=False,
            ),
        )
    scope.report(
        CODE,
        f"image `{image}` is not pinned by digest, which the strict-security environments ({where}) "
        "expect: a tag can be moved to other contents; add `@sha256:...` to it",
        reference.span,
        fixes=fixes,
    )
