"""The requirements view: what the author stated, before any compiler decision.

One group per application with sub-groups for its environments (and promotion order),
components and databases, storage and routes. Edges say who refers to whom (`database.host`, also
through a value made from it), who mounts what, and where each route leads. The values a
component uses are listed in it (`DB_PASSWORD = db_password (secret)`); unfolded, they are nodes
in a group of their own with a line to each variable they feed. Secrets appear by name with how
they are given (generated, base64, plain text), never with their text. A storage mounted by many
components (and, unfolded, a value many use) is listed in their details instead of drawn as a
line to each (`SHARED_BY`).
"""

from __future__ import annotations

from koncierge_lang.diagrams.model import (
    SHARED_BY,
    Diagram,
    DiagramBuilder,
    Edge,
    Group,
    Location,
    Node,
    make_id,
    short_image,
)
from koncierge_lang.requirements import model
from koncierge_lang.source import Span

_MAX_DETAILS = 8



def requirements_diagram(requirements: model.Requirements, unfold: bool = False) -> Diagram:
    """The diagram of every application in the file. The values (constants and secrets) that
    components use are listed in those components (`DB_NAME = db_name`), or drawn as nodes of their
    own with `unfold`."""
    title = "Requirements: " + (", ".join(application.name for application in requirements.applications) or "(none)")
    builder = DiagramBuilder("requirements", title)
    for application in requirements.applications:
        _application(builder, application, unfold)
    return builder.build()


def _location(span: Span) -> Location | None:
    return Location(span) if isinstance(span, Span) and span.end > span.start else None


def _application(builder: DiagramBuilder, application: model.Application, unfold: bool) -> None:
    root = builder.group(
        Group(
            make_id("application", application.name),
            f"application {application.name}" + (f" — {application.description}" if application.description else ""),
            location=_location(application.span),
        )
    )

    def sub(name: str, title: str) -> str:
        return builder.group(Group(make_id("application", application.name, name), title, root))

    environments = sub("environments", "environments")
    values = sub("values", "values")
    components = sub("components", "components and databases")
    storages = sub("storage", "storage")
    routes = sub("routes", "routes")

    def environment_id(name: str) -> str:
        return make_id(application.name, "environment", name)

    def value_id(name: str) -> str:
        return _value_id(application, name)

    def component_id(name: str) -> str:
        return _component_id(application, name)

    def storage_id(name: str) -> str:
        return make_id(application.name, "storage", name)

    def route_id(name: str) -> str:
        return _route_id(application, name)

    for environment in application.environments:
        flags = [
            flag
            for flag, on in (
                ("backups", environment.backups),
                ("HTTPS", environment.https),
                ("strict security", environment.strict_security),
                ("performance", environment.performance_optimised),
            )
            if on
        ]
        details = [environment.domain]
        if environment.kind != environment.name:
            details.append(f"like {environment.kind}")
        if flags:
            details.append(", ".join(flags))
        builder.node(
            Node(
                environment_id(environment.name),
                "environment",
                environment.name,
                tuple(details),
                group=environments,
                location=_location(environment.span),
            )
        )
        for previous in environment.after:
            builder.edge(Edge(environment_id(previous), environment_id(environment.name), "promotion"))

    value_users: dict[str, set[str]] = {}
    storage_users: dict[str, set[str]] = {}
    for component in application.components:
        for variable in component.variables:
            for reference in _references(variable.expression):
                if isinstance(reference, model.ValueReference):
                    value_users.setdefault(reference.value, set()).add(component.name)
        for mount in component.mounts:
            storage_users.setdefault(mount.storage, set()).add(component.name)
    shared_storages = {name for name, users in storage_users.items() if len(users) > SHARED_BY}
    secret_values = _secret_values(application)
    # Values listed in the components' details instead of drawn with a line to each: those many
    # components share, or, folded (the default), every value a component uses, even through
    # another value (`db_password` in `db_url`).
    folded_values = _used_values(application) if not unfold else set()
    shared_values = {name for name, users in value_users.items() if len(users) > SHARED_BY} | folded_values

    for value in application.values:
        if value.name in folded_values:
            continue
        category = "secret" if value.name in secret_values else "configuration"
        details = [_describe(value.expression)]
        if value.name in shared_values and value.name in value_users:
            details.append(f"used by {len(value_users[value.name])} components (in their details)")
        builder.node(
            Node(
                value_id(value.name),
                category,
                f"{value.declared_as} {value.name}",
                tuple(details),
                group=values,
                location=_location(value.span),
            )
        )
        for reference in _references(value.expression):
            source = _reference_node(application, reference)
            if source is not None:
                builder.edge(Edge(source, value_id(value.name), "reference"))

    for storage in application.storages:
        kind = "persistent" if storage.persistent else "ephemeral"
        owner = f", of {storage.owner}" if storage.owner else ""
        details = [f"{storage.size} {kind}{owner}"]
        if storage.name in shared_storages:
            details.append(f"mounted by {len(storage_users[storage.name])} components (in their details)")
        builder.node(
            Node(
                storage_id(storage.name),
                "storage",
                storage.name,
                tuple(details),
                group=storages,
                location=_location(storage.span),
            )
        )

    for component in application.components:
        lines: list[str] = []
        if component.is_database:
            lines.append(f"{component.database_type} database")
        lines.append(short_image(component.image) + (" (default)" if component.image_defaulted else ""))
        if component.ports:
            lines.append("ports " + ", ".join(_port(port) for port in component.ports))
        if component.replicas is not None:
            lines.append(f"replicas {component.replicas}")
        lines.extend(f"{container.kind} {container.name} ({short_image(container.image)})" for container in component.containers)
        # Variables whose value is written here, and those taken from values listed rather than
        # drawn (shared or folded), which have no line of their own to the component.
        inline = [
            _variable_line(variable, secret_values)
            for variable in component.variables
            if all(
                isinstance(reference, model.ValueReference) and reference.value in shared_values
                for reference in _references(variable.expression)
            )
        ]
        inline.extend(
            f"mounts {mount.storage} {'read-only' if mount.read_only else 'read-write'} at {mount.path}"
            for mount in component.mounts
            if mount.storage in shared_storages
        )
        if len(inline) > _MAX_DETAILS:
            inline = inline[: _MAX_DETAILS - 1] + [f"… {len(inline) - _MAX_DETAILS + 1} more variables"]
        lines.extend(inline)
        this = component_id(component.name)
        builder.node(
            Node(
                this,
                "database" if component.is_database else "workload",
                component.name,
                tuple(lines),
                group=components,
                location=_location(component.span),
            )
        )
        for variable in component.variables:
            for reference in _references(variable.expression):
                source = _reference_node(application, reference)
                if source is None:
                    continue
                if isinstance(reference, model.ValueReference):
                    if reference.value in folded_values:
                        # Listed in the component's details; a host or route the value is made
                        # from still gets its line, the way the connection goes.
                        _lines_through_value(builder, application, this, variable.name, reference.value)
                        continue
                    if reference.value in shared_values:
                        continue  # Listed in the component's details.
                    kind = "secret" if reference.value in secret_values else "configuration"
                    builder.edge(Edge(source, this, kind, variable.name))
                elif isinstance(reference, (model.ComponentHost, model.ComponentPort)):
                    # The user of a host connects to it: draw the arrow the way the connection goes.
                    builder.edge(Edge(this, source, "reference", f"{variable.name} = {_reference_text(reference)}"))
                else:
                    builder.edge(Edge(source, this, "reference", variable.name))
        for connection in component.component_connections:
            # Declared without a variable (`connects to`, `accepts from`): the way it goes.
            statement = (
                f"accepts from {connection.source}" if connection.accepted else f"connects to {connection.target}"
            )
            builder.edge(
                Edge(
                    component_id(connection.source),
                    component_id(connection.target),
                    "reference",
                    f"{statement} :{connection.port}",
                )
            )
        for mount in component.mounts:
            if mount.storage in shared_storages:
                continue  # Listed in the component's details.
            access = "read-only" if mount.read_only else "read-write"
            builder.edge(Edge(this, storage_id(mount.storage), "storage", f"{access} {mount.path}"))

    for route in application.routes:
        where = (f"{route.subdomain}." if route.subdomain else "") + "<domain>" + ("" if route.path == "/" else route.path)
        builder.node(
            Node(
                route_id(route.name),
                "route",
                f"route {route.name}",
                (where,),
                group=routes,
                location=_location(route.span),
            )
        )
        builder.edge(Edge(route_id(route.name), component_id(route.component), "route", f"port {route.port}"))


def _variable_line(variable: model.Variable, secret_values: set[str]) -> str:
    expression = variable.expression
    if isinstance(expression, model.Secret):
        described = _secret_briefly(expression)
    else:
        described = _describe(expression)
        if isinstance(expression, model.ValueReference) and expression.value in secret_values:
            described += " (secret)"
    return f"{variable.name} = {described}" + (" as file" if variable.as_file else "")


def _secret_briefly(secret: model.Secret) -> str:
    """How a secret written in a component is given, in a few words for its node."""
    return {"generated": "secret (generated)", "base64": "secret (base64)"}.get(secret.source, "secret (plain text)")


def _secret_values(application: model.Application) -> set[str]:
    """The values that are secrets or are made from one (`db_url` holding `${db_password}`),
    however long the chain: from the secrets back along the references, each followed once."""
    used_by: dict[str, list[str]] = {}
    for value in application.values:
        for reference in _references(value.expression):
            if isinstance(reference, model.ValueReference):
                used_by.setdefault(reference.value, []).append(value.name)
    secret = {value.name for value in application.values if isinstance(value.expression, model.Secret)}
    waiting = list(secret)
    while waiting:
        for user in used_by.get(waiting.pop(), ()):
            if user not in secret:
                secret.add(user)
                waiting.append(user)
    return secret


def _used_values(application: model.Application) -> set[str]:
    """The values some component uses, directly or through other values."""
    used: set[str] = set()
    waiting = [
        reference.value
        for component in application.components
        for variable in component.variables
        for reference in _references(variable.expression)
        if isinstance(reference, model.ValueReference)
    ]
    while waiting:
        name = waiting.pop()
        value = application.value(name)
        if name in used or value is None:
            continue
        used.add(name)
        waiting.extend(reference.value for reference in _references(value.expression) if isinstance(reference, model.ValueReference))
    return used


def _lines_through_value(builder: DiagramBuilder, application: model.Application, component_id: str, variable: str, value_name: str) -> None:
    """The lines a variable's value would give through its value node, now that the value is
    listed in the component: to each component whose host or port the value is made from, and
    from each route whose address it holds."""
    seen: set[str] = set()
    waiting = [value_name]
    while waiting:
        name = waiting.pop()
        value = application.value(name)
        if name in seen or value is None:
            continue
        seen.add(name)
        for reference in _references(value.expression):
            source = _reference_node(application, reference)
            if isinstance(reference, model.ValueReference):
                waiting.append(reference.value)
            elif source is None:
                continue
            elif isinstance(reference, (model.ComponentHost, model.ComponentPort)):
                builder.edge(Edge(component_id, source, "reference", f"{variable} = {value_name}"))
            else:
                builder.edge(Edge(source, component_id, "reference", f"{variable} = {value_name}"))


def _port(port: model.Port) -> str:
    name = f"{port.name} " if port.name else ""
    protocol = "" if port.protocol == "TCP" else f"/{port.protocol}"
    container = f"->{port.container}" if port.container is not None else ""
    return f"{name}{port.number}{container}{protocol}"


def _describe(expression: model.Expression) -> str:
    """What a value is, in words. A secret says how it is given and never what it is."""
    if isinstance(expression, model.Secret):
        if expression.source == "generated":
            return f"secret, generated ({expression.length} characters)"
        if expression.source == "base64":
            return "secret, given in base64"
        return "secret, given as plain text"
    if isinstance(expression, model.PerEnvironmentText):
        names = [name for name, _ in expression.cases] + (["else"] if expression.otherwise is not None else [])
        return "per environment: " + ", ".join(names)
    if isinstance(expression, model.Text):
        return '"' + "".join(part if isinstance(part, str) else "${" + _reference_text(part) + "}" for part in expression.parts) + '"'
    return _reference_text(expression)


def _reference_text(reference: model.Reference) -> str:
    if isinstance(reference, model.ValueReference):
        return reference.value
    if isinstance(reference, model.ComponentHost):
        return f"{reference.component}.host" + (f":{reference.port}" if reference.port is not None else "")
    if isinstance(reference, model.ComponentPort):
        return f"{reference.component}.{reference.port or 'port'}"
    if isinstance(reference, model.RouteDomain):
        return f"{reference.route}.domain"
    return f"{reference.route}.url"


def _references(expression: model.Expression) -> list[model.Reference]:
    if isinstance(expression, model.Text):
        return [part for part in expression.parts if not isinstance(part, str)]
    if isinstance(expression, model.PerEnvironmentText):
        texts = [text for _, text in expression.cases] + ([expression.otherwise] if expression.otherwise else [])
        return [part for text in texts for part in text.parts if not isinstance(part, str)]
    if isinstance(expression, model.Secret):
        return []
    return [expression]


def _value_id(application: model.Application, name: str) -> str:
    return make_id(application.name, "value", name)


def _component_id(application: model.Application, name: str) -> str:
    return make_id(application.name, "component", name)


def _route_id(application: model.Application, name: str) -> str:
    return make_id(application.name, "route", name)


def _reference_node(application: model.Application, reference: model.Reference) -> str | None:
    """The node a reference points at, or None when the name is unknown (the checker says so)."""
    if isinstance(reference, model.ValueReference):
        return _value_id(application, reference.value) if application.value(reference.value) else None
    if isinstance(reference, (model.ComponentHost, model.ComponentPort)):
        return _component_id(application, reference.component) if application.component(reference.component) else None
    return _route_id(application, reference.route) if application.route(reference.route) else None
