"""Names: what an application declares, and the Kubernetes names they become.

Components, databases, values, storage and routes share one namespace per application, so that a
reference has exactly one meaning (KON104 for a name declared twice; `ApplicationScope.declare`).
Applications, components and storage become Kubernetes names (lower case, `-` for anything but
letters and digits), which must be valid (KON109) and must not collide (KON105): two applications
would share a namespace, two components a Deployment, two storages a claim.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import RelatedLocation
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope, FileScope
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast


def declare_names(scope: ApplicationScope) -> None:
    """Enter every value, storage, component, database and route into the application's namespace."""
    for declared_value in scope.values_syntax:
        scope.declare(declared_value.keyword, declared_value.name, declared_value, declared_value.span)
    for storage in scope.storages_syntax:
        scope.declare("storage", storage.name, storage, storage.span)
    for component in scope.components_syntax:
        scope.declare(component.keyword, component.name, component, component.span)
    for route in scope.routes_syntax:
        scope.declare("route", route.name, route, route.span)


def check_application_names(
    file: FileScope, syntax: tuple[ast.Application, ...], applications: tuple[model.Application, ...]
) -> None:
    """Each application's name is a valid namespace (KON109), declared once (KON104), and no two
    become the same namespace (KON105)."""
    seen: dict[str, ast.Application] = {}
    seen_exactly: dict[str, ast.Application] = {}
    for application_syntax, application in zip(syntax, applications, strict=True):
        if not application.kubernetes_name or len(application.kubernetes_name) > 63:
            file.report(
                "KON109",
                f"application name `{application.name}` cannot become a Kubernetes namespace: "
                + ("it needs letters or digits" if not application.kubernetes_name else "it is longer than 63 characters"),
                application_syntax.name.span,
            )
            continue
        earlier = seen_exactly.get(application.name) or seen.get(application.kubernetes_name)
        seen_exactly.setdefault(application.name, application_syntax)
        if earlier is not None:
            code = "KON104" if earlier.name.text == application.name else "KON105"
            message = (
                f"application `{application.name}` is declared twice"
                if code == "KON104"
                else f"applications `{earlier.name.text}` and `{application.name}` both become the Kubernetes "
                f"namespace `{application.kubernetes_name}`"
            )
            file.report(
                code,
                message,
                application_syntax.name.span,
                (RelatedLocation(earlier.name.span, f"`{earlier.name.text}` is declared here"),),
            )
        else:
            seen[application.kubernetes_name] = application_syntax


def check_kubernetes_names(
    scope: ApplicationScope, components: list[model.Component], storages: list[model.Storage]
) -> None:
    """Components and storage have valid Kubernetes names (KON109) that do not collide (KON105)."""
    # Point at the name that is written, not at the whole block.
    name_spans: dict[tuple[str, str], Span] = {}
    for component in scope.components_syntax:
        name_spans.setdefault(("component", component.name.text), component.name.span)
    for storage in scope.storages_syntax:
        name_spans.setdefault(("storage", storage.name.text), storage.name.span)

    def describe(thing: model.Component | model.Storage) -> str:
        if isinstance(thing, model.Storage) and thing.owner is not None:
            return f"the storage of component `{thing.owner}`"
        return f"`{thing.name}`"

    too_long: set[str] = set()
    for things, what in ((components, "component"), (storages, "storage")):
        seen: dict[str, model.Component | model.Storage] = {}
        for thing in things:
            owner = thing.owner if isinstance(thing, model.Storage) else None
            span = thing.span if owner is not None else name_spans.get((what, thing.name), thing.span)
            k8s_name = thing.kubernetes_name
            if not k8s_name or len(k8s_name) > 63:
                if what == "component":
                    too_long.add(thing.name)
                elif owner in too_long:
                    continue  # The component's own name is the problem, and is reported.
                scope.report(
                    "KON109",
                    f"{describe(thing)} cannot become a Kubernetes name: "
                    + ("it needs letters or digits" if not k8s_name else "it is longer than 63 characters"),
                    span,
                )
                continue
            earlier = seen.get(k8s_name)
            if earlier is None:
                seen[k8s_name] = thing
                continue
            earlier_owner = earlier.owner if isinstance(earlier, model.Storage) else None
            if earlier.name == thing.name and earlier_owner == owner:
                continue  # The same name declared twice: KON104 says so.
            earlier_span = (
                earlier.span if earlier_owner is not None else name_spans.get((what, earlier.name), earlier.span)
            )
            scope.report(
                "KON105",
                f"{what + 's' if what == 'component' else what} {describe(earlier)} and {describe(thing)} both become `{k8s_name}` in Kubernetes",
                span,
                (RelatedLocation(earlier_span, f"{describe(earlier)} is declared here"),),
            )
