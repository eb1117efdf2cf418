"""Storage: declared storage, the storage a component declares for itself, mounts and writable paths.

Declared storage (`storage files 10Gi`) has a size (KON207) and is mounted by name (KON101 when the
name is not storage). A component's own storage (`storage 1Gi at "/data"`) is named after it:
`<component>-data`, then `<component>-data-2`, ... Mount paths and `writes` paths are absolute
(KON208) and each path holds one volume. Whether declared storage is used at all is a
best-practice pass (`practices/unused_storage.py`).
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.literals import check_size, plain_string
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.requirements.generated_names import inline_storage_name
from koncierge_lang.syntax import ast


def declared_storage(scope: ApplicationScope, syntax: ast.StorageDeclaration) -> model.Storage:
    check_size(scope, syntax.size)
    return model.Storage(
        name=syntax.name.text,
        kubernetes_name=model.kubernetes_name(syntax.name.text),
        size=syntax.size.text,
        persistent=syntax.lifetime != "ephemeral",
        owner=None,
        span=syntax.span,
    )


def mounts(scope: ApplicationScope, syntax: ast.Component) -> tuple[tuple[model.Mount, ...], tuple[str, ...]]:
    """The component's mounts and the paths it `writes`, which share one set of paths."""
    found: list[model.Mount] = []
    writable: list[str] = []
    paths: dict[str, ast.StringLiteral] = {}
    inline_index = 0
    for item in syntax.items:
        if isinstance(item, ast.Mount):
            storage_name = item.storage.text
            entry = scope.lookup(storage_name, ("storage",))
            if entry is None or entry[0] != "storage":
                storages = [name for name, (kind, _, _) in scope.names.items() if kind == "storage"]
                suggestion = did_you_mean(storage_name, storages)
                message = (
                    f"`{storage_name}` is not storage declared in application `{scope.application_name}`"
                    if entry is None
                    else f"`{storage_name}` is a {entry[0]}, not storage"
                )
                fixes: tuple[Fix, ...] = ()
                if suggestion:
                    message += f"; did you mean `{suggestion}`?"
                    fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(item.storage.span, suggestion),)),)
                    # Most likely meant as a mount of the suggestion: do not call that one unused too.
                    scope.use_storage(suggestion)
                if entry is not None:
                    scope.use_value(storage_name)  # Used, wrongly: this error is the one to report.
                scope.report("KON101", message, item.storage.span, fixes=fixes)
            else:
                scope.refer("storage", storage_name, item.storage.span)
                scope.use_storage(storage_name)
            path = mount_path(scope, item.path, paths)
            found.append(model.Mount(storage_name, item.mode == "read-only", path, item.span))
        elif isinstance(item, ast.ComponentStorage):
            check_size(scope, item.size)
            inline_index += 1
            storage_name = inline_storage_name(syntax.name.text, inline_index)
            scope.inline_storages.append(
                model.Storage(
                    name=storage_name,
                    kubernetes_name=model.kubernetes_name(storage_name),
                    size=item.size.text,
                    persistent=item.lifetime != "ephemeral",
                    owner=syntax.name.text,
                    span=item.span,
                )
            )
            path = mount_path(scope, item.path, paths)
            found.append(model.Mount(storage_name, item.mode == "read-only", path, item.span))
        elif isinstance(item, ast.Writes):
            for literal in item.paths:
                path = mount_path(scope, literal, paths, writes=True)
                if path.startswith("/") and path.rstrip("/") and path.rstrip("/") not in writable:
                    writable.append(path.rstrip("/"))
    return tuple(found), tuple(writable)


def mount_path(
    scope: ApplicationScope, literal: ast.StringLiteral, paths: dict[str, ast.StringLiteral], writes: bool = False
) -> str:
    """A mount's or a writable path: absolute, and not already taken in this component (KON208)."""
    path = plain_string(scope, literal, "mount paths")
    if not path.startswith("/"):
        scope.report(
            "KON208",
            f"{'writable' if writes else 'mount'} path `{path}` is not absolute: containers "
            f"{'write scratch space' if writes else 'mount storage'} at paths starting with `/`",
            literal.span,
            fixes=(Fix(f"Use `/{path}`", (TextEdit(literal.span, f'"/{path}"'),)),),
        )
    elif writes and path.rstrip("/") == "":
        scope.report(
            "KON208",
            "`/` cannot be writable scratch space: name the directories the program writes, such as `/var/cache/app`",
            literal.span,
        )
    normalised = path.rstrip("/") or "/"
    if normalised in paths:
        scope.report(
            "KON208",
            f"`{path}` is {'already a mount or writable path of' if writes else 'mounted twice in'} this component: "
            "one path holds one volume",
            literal.span,
            (RelatedLocation(paths[normalised].span, "first mounted here"),),
        )
    else:
        paths[normalised] = literal
    return path
