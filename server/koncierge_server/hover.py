"""Hover: documentation for keywords; for a name, its declaration and what it resolves to in each
environment (a route's domain and URL, a value's text, the Kubernetes objects a component becomes)."""

from __future__ import annotations

from lsprotocol import types

from koncierge_lang.requirements import model
from koncierge_server.compiler import settings_for
from koncierge_server.documents import Snapshot
from koncierge_server.keywords import KEYWORD_DOCUMENTATION
from koncierge_server.positions import offset_of, range_of_offsets
from koncierge_server.resolve import resolve_text
from koncierge_server.scope import SymbolAt, application_at, model_application, symbol_at, word_at


def hover(snapshot: Snapshot, position: types.Position) -> types.Hover | None:
    offset = offset_of(snapshot.source, position)
    symbol = symbol_at(snapshot, offset)
    if symbol is not None:
        text = symbol_documentation(snapshot, symbol)
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=range_of_offsets(snapshot.source, symbol.start, symbol.end),
        )
    found = word_at(snapshot.text, offset)
    member = _member_documentation(snapshot, offset, found)
    if found is not None and member is not None:
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=member),
            range=range_of_offsets(snapshot.source, found[0], found[1]),
        )
    if found is not None and found[2] in KEYWORD_DOCUMENTATION:
        start, end, word = found
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=KEYWORD_DOCUMENTATION[word]),
            range=range_of_offsets(snapshot.source, start, end),
        )
    return None


def symbol_documentation(snapshot: Snapshot, symbol: SymbolAt) -> str:
    lines = [f"**{symbol.kind}** `{symbol.name}`"]
    declaration = symbol.declaration
    if declaration is None:
        lines.append("\nNot declared in this application.")
        return "\n".join(lines)
    declared_line = snapshot.source.line_text(declaration.span.start_line).strip()
    lines.append(f"\n```kon\n{declared_line}\n```\n(line {declaration.span.start_line})")
    application = model_application(snapshot, symbol.application)
    if application is None:
        return "\n".join(lines)
    lines.append("")
    lines.extend(_resolution(snapshot, application, symbol))
    return "\n".join(lines)


def _resolution(snapshot: Snapshot, application: model.Application, symbol: SymbolAt) -> list[str]:
    kind = symbol.kind
    if kind == "route":
        route = application.route(symbol.name)
        if route is None:
            return []
        rows = ["| environment | domain | URL |", "|---|---|---|"]
        rows += [
            f"| {e.name} | `{model.route_domain(route, e)}` | {model.route_url(route, e)} |"
            for e in application.environments
        ]
        return [f"Leads to `{route.component}` port {route.port}.", ""] + rows
    if kind in ("component", "database"):
        component = application.component(symbol.name)
        if component is None:
            return []
        out = [
            f"Kubernetes name `{component.kubernetes_name}`; other components reach it at host `{component.kubernetes_name}`"
            + (f", port {component.ports[0].number}." if component.ports else "."),
            f"Image `{component.image}`" + (" (the database type's default)." if component.image_defaulted else "."),
        ]
        if component.ports:
            out.append("")
            out.append("Ports: " + "; ".join(_port_text(port) for port in component.ports) + ".")
            out.append(
                f"`{symbol.name}.port` is the first port ({component.ports[0].number}). `{symbol.name}.host` alone "
                "connects to the first port; a value that names another port (by name, or "
                f"`${{{symbol.name}.host}}:NUMBER`) connects to that port only."
            )
        out.extend(_connections(snapshot, application, component))
        out.extend(_workload_settings(component))
        lowered_environments = snapshot.lowered_without_waiting()
        if lowered_environments is None:
            return [*out, "", "Its Kubernetes objects show here once the compiler has run (a moment after typing stops)."]
        out += [
            "",
            "| environment | Kubernetes objects |",
            "|---|---|",
        ]
        for lowered in lowered_environments:
            if lowered.application.name != application.name or lowered.architecture is None:
                continue
            objects = [
                f"{document.get('kind')} `{_name(document)}`"
                for document, span in zip(lowered.documents, lowered.sources, strict=True)
                if span == component.span
            ]
            out.append(f"| {lowered.environment.name} | {', '.join(objects) or '—'} |")
        return out
    if kind in ("constant", "secret", "value"):
        value = application.value(symbol.name)
        if value is None:
            return []
        rows = ["| environment | value |", "|---|---|"]
        for environment in application.environments:
            rows.append(f"| {environment.name} | {resolve_text(application, environment, value.expression)} |")
        return rows
    if kind == "environment":
        declared = application.environment(symbol.name)
        if declared is None:
            return []
        kind_info = model.ENVIRONMENT_KINDS.get(declared.kind)
        flags = [
            name for name in ("backups", "https", "strict_security", "performance_optimised") if getattr(declared, name)
        ]
        from koncierge_lang.architecture.from_requirements import namespace_name
        from koncierge_lang.settings import resolved_profile

        # Placed as `koncierge build` places it: the settings beside the file may name the
        # namespace, the cluster and the profile (`[environments.NAME]`).
        settings = settings_for(snapshot.path)
        placement = settings.environment(declared.name)
        profile = resolved_profile(placement, declared.performance_optimised)
        return [
            f"Kind `{declared.kind}`" + (f" ({kind_info.description})" if kind_info else "") + f", domain `{declared.domain}`,",
            f"namespace `{namespace_name(application, declared, settings)}` on cluster `{placement.cluster}`, "
            f"profile `{profile}`; " + (", ".join(flags) or "no backups, no HTTPS") + ".",
            f"After: {', '.join(declared.after) or 'nothing (first in line)'}.",
        ]
    if kind == "storage":
        storage = application.storage(symbol.name)
        if storage is None:
            return []
        lifetime = "persistent (a PersistentVolumeClaim)" if storage.persistent else "ephemeral (an emptyDir)"
        return [f"{storage.size}, {lifetime}; Kubernetes name `{storage.kubernetes_name}`."]
    if kind == "application":
        return [
            f"{application.description}; Kubernetes name `{application.kubernetes_name}`.",
            f"Environments: {', '.join(e.name for e in application.environments) or 'none'}.",
        ]
    return []


def _port_text(port: model.Port) -> str:
    name = f"`{port.name}` " if port.name else ""
    listens = f" (the container listens on {port.container})" if port.container is not None else ""
    protocol = "" if port.protocol == "TCP" else f"/{port.protocol}"
    return f"{name}{port.number}{protocol}{listens}"


def _workload_settings(component: model.Component) -> list[str]:
    """What the component declares of how it runs: probes, exact resources, single instance,
    exposed ports and the pod's other containers."""
    lines: list[str] = []
    for probe in component.probes:
        where = f" `{probe.path}`" if probe.check == "http" else ""
        on = f" on {probe.port}" if probe.check != "command" else ""
        lines.append(f"probe {probe.kind}: {probe.check}{where}{on}")
    for setting in component.resource_settings:
        environments = f" in {', '.join(setting.environments)}" if setting.environments else ""
        lines.append(f"{setting.kind} {setting.request} up to {setting.limit}{environments}")
    if component.single_instance:
        lines.append("single instance: one replica in every environment")
    for exposure in component.exposures:
        environments = f" in {', '.join(exposure.environments)}" if exposure.environments else ""
        lines.append(f"port {exposure.port} reachable from outside the cluster{environments}")
    lines.extend(f"{container.kind} `{container.name}` ({container.image})" for container in component.containers)
    return ["", "Runs with: " + "; ".join(lines) + "."] if lines else []


def _connections(snapshot: Snapshot, application: model.Application, component: model.Component) -> list[str]:
    """Who the component connects to and who connects to it, port by port, as the network
    policies of the application's first environment allow it."""
    architecture = next(
        (
            lowered.architecture
            for lowered in snapshot.lowered_without_waiting() or ()
            if lowered.application.name == application.name and lowered.architecture is not None
        ),
        None,
    )
    if architecture is None:
        return []
    name = component.kubernetes_name
    outgoing = [f"`{flow.target}` {flow.port} ({flow.reason})" for flow in architecture.flows if flow.source == name]
    incoming = [f"`{flow.source}` on {flow.port} ({flow.reason})" for flow in architecture.flows if flow.target == name]
    lines = [""]
    lines.append("Connects to: " + ("; ".join(outgoing) if outgoing else "nothing in the application") + ".")
    lines.append("Reached by: " + ("; ".join(incoming) if incoming else "nothing in the application") + ".")
    return lines


def _member_documentation(snapshot: Snapshot, offset: int, found: tuple[int, int, str] | None) -> str | None:
    """Hover over `.host`, `.port` or a port's name after a component's name."""
    if found is None:
        return None
    start, _, member = found
    text = snapshot.text
    if start == 0 or text[start - 1] != ".":
        return None
    owner = word_at(text, start - 1)
    if owner is None:
        return None
    application_name = application_at(snapshot, offset)
    application = model_application(snapshot, application_name) if application_name is not None else None
    component = application.component(owner[2]) if application is not None else None
    if component is None:
        return None
    if member == "host":
        first = (
            f" Alone in a value it connects to the first port ({component.ports[0].number})." if component.ports else ""
        )
        return (
            f"**`{component.name}.host`**: the host name `{component.kubernetes_name}` (its Service's name).{first} "
            f"Name another port after it (`${{{component.name}.host}}:NUMBER` or a named port) to connect to that one instead."
        )
    port = component.port(None if member == "port" else member)
    if port is None:
        return None
    which = "the **first** port" if member == "port" else f"port `{member}`"
    listens = f"; the container listens on {port.container}" if port.container is not None else ""
    return (
        f"**`{component.name}.{member}`**: {which} of `{component.name}`, `{port.number}` (the number clients use{listens}). "
        f"A value that names it connects to this port: the network policies allow exactly it."
    )


def _name(document: dict[str, object]) -> str:
    metadata = document.get("metadata")
    return str(metadata.get("name")) if isinstance(metadata, dict) else ""
