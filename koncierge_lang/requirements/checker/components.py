"""Components and databases as workloads: image, ports, variables, command, size, health, replicas.

A component has one valid image (KON204; a database's type gives it one), ports from 1 to 65535
declared once (KON201) with `tcp` or `udp` (KON202), variables with usable names set once
(KON203), of which only secrets are handed over `as file` (KON221), a known `size` (KON219), a
`health` endpoint that is a path on one of its TCP ports (KON220, KON210, KON103), and each of
these settings once (KON215). Its exposed ports are read by `exposure.py`, its pod settings by
`pod_settings.py`, its probes by `probes.py`, its exact `cpu` and `memory` and `single instance` by
`resources.py`; its storage, mounts and writable paths are read by `storage.py`,
its external dependencies by `connections.py`, a database's type and defaults by `databases.py`.
"""

from __future__ import annotations

import re

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.performance import frozen_constructor
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.connections import component_connections, connections
from koncierge_lang.requirements.checker.databases import authentication, database_type_of, default_variables
from koncierge_lang.requirements.checker.exposure import exposures
from koncierge_lang.requirements.checker.fixes import add_port_fix
from koncierge_lang.requirements.checker.images import image_problem
from koncierge_lang.requirements.checker.literals import plain_string, whole_number
from koncierge_lang.requirements.checker.pod_settings import pod_settings
from koncierge_lang.requirements.checker.ports import COMPONENT_MEMBERS
from koncierge_lang.requirements.checker.probes import probes
from koncierge_lang.requirements.checker.resources import resource_settings, single_instance
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.requirements.checker.storage import mounts
from koncierge_lang.requirements.checker.values import expression, is_secret_expression
from koncierge_lang.requirements.database_types import DatabaseType, database_arguments, database_version
from koncierge_lang.requirements.generated_names import unnamed_port_name
from koncierge_lang.requirements.sizes import COMPONENT_SIZES
from koncierge_lang.syntax import ast

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PORT_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")

# The statements that make pod settings; without any, the component's are the defaults.
_POD_STATEMENTS = frozenset({ast.PodSetting, ast.Toleration, ast.Grace})
_NO_POD_SETTINGS = model.PodSettings()

# Built for every variable: without the frozen dataclass's slower `__init__`.
_new_variable = frozen_constructor(model.Variable)


def component(scope: ApplicationScope, syntax: ast.Component) -> model.Component:
    """A component or database, checked, with its database type's defaults applied."""
    name = syntax.name.text
    database_type = database_type_of(scope, syntax)
    image, image_defaulted = _image(scope, syntax, database_type)
    ports = _ports(scope, syntax, database_type.port if database_type is not None else None)
    kinds = scope.item_kinds(syntax)
    with_authentication = authentication(scope, syntax, database_type) if ast.Authentication in kinds else True
    variables = _variables(scope, syntax, database_type, with_authentication)
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = (
        database_arguments(database_type, database_version(database_type, image)) if database_type is not None else ()
    )
    _check_repeated_settings(scope, syntax)
    for item in scope.items_of(syntax, ast.CommandLine):
        words = tuple(plain_string(scope, literal) for literal in item.items)
        if item.keyword == "command":
            command = words
        else:
            args = words
    component_mounts, writable_paths = mounts(scope, syntax)
    connected = ast.Connects in kinds or ast.Accepts in kinds
    external = connections(scope, syntax) if ast.Connects in kinds else ()
    size = _size(scope, syntax)
    health = _health(scope, syntax, ports)
    replicas = None
    for replicas_item in scope.items_of(syntax, ast.Replicas):
        replicas = whole_number(scope, replicas_item.count, 0, 1000, "replicas")
    return model.Component(
        name=name,
        kubernetes_name=model.kubernetes_name(name),
        database_type=database_type.name if database_type is not None else None,
        image=image,
        ports=ports,
        variables=variables,
        command=command,
        args=args,
        mounts=component_mounts,
        replicas=replicas,
        image_defaulted=image_defaulted,
        span=syntax.span,
        connections=external,
        size=size,
        health=health,
        authentication=with_authentication,
        writable_paths=writable_paths,
        component_connections=component_connections(scope, syntax) if connected else (),
        exposures=exposures(scope, syntax) if ast.Expose in kinds else (),
        pod=pod_settings(scope, syntax) if not _POD_STATEMENTS.isdisjoint(kinds) else _NO_POD_SETTINGS,
        probes=probes(scope, syntax) if ast.Probe in kinds else (),
        resource_settings=resource_settings(scope, syntax) if ast.Resource in kinds else (),
        single_instance=single_instance(scope, syntax, replicas) if ast.SingleInstance in kinds else False,
    )


def _image(scope: ApplicationScope, syntax: ast.Component | ast.Container, database_type: DatabaseType | None) -> tuple[str, bool]:
    """The component's image, and whether it is its database type's default (KON204 if it has none)."""
    images = scope.items_of(syntax, ast.Image)
    if images:
        image = images[0].reference.value
        for extra in images[1:]:
            scope.report(
                "KON204", f"`{syntax.name.text}` has more than one image", extra.span, (RelatedLocation(images[0].span, "the first image"),)
            )
        problem = image_problem(image)
        if not image:
            scope.report(
                "KON204", 'the image is empty: write a reference such as `"registry/name:tag"`', images[0].reference.span
            )
        elif problem:
            scope.report("KON204", f"`{image}` is not a valid image reference: {problem}", images[0].reference.span)
        return image, False
    if database_type is not None:
        return database_type.image, True
    if not isinstance(syntax, ast.Component) or syntax.database_type is None:
        if scope.may_be_hidden_by_syntax_error(syntax):
            return "", False
        kind = syntax.kind if isinstance(syntax, ast.Container) else "component"
        scope.report(
            "KON204",
            f"{kind} `{syntax.name.text}` has no image: add `image \"registry/name:tag\"`",
            syntax.name.span,
        )
    return "", False


def _size(scope: ApplicationScope, syntax: ast.Component) -> str | None:
    """`size small|medium|large`; the first one counts (a second is KON215)."""
    sizes = scope.items_of(syntax, ast.Size)
    if not sizes:
        return None
    written = sizes[0].size
    if written.text in COMPONENT_SIZES:
        return written.text
    suggestion = did_you_mean(written.text.lower(), COMPONENT_SIZES)
    names = [f"`{name}`" for name in COMPONENT_SIZES]
    message = f"`{written.text}` is not a size: use {', '.join(names[:-1])} or {names[-1]}"
    if written.text[:1].isdigit():
        message += " (a size names CPU and memory together; storage is given with `storage`)"
    fixes: tuple[Fix, ...] = ()
    if suggestion:
        message += f"; did you mean `{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(written.span, suggestion),)),)
    scope.report("KON219", message, written.span, fixes=fixes)
    return None


def _health(scope: ApplicationScope, syntax: ast.Component, ports: tuple[model.Port, ...]) -> model.HealthCheck | None:
    """`health "/path" [on PORT]`: an HTTP path on one of the component's own TCP ports."""
    checks = scope.items_of(syntax, ast.Health)
    if not checks:
        return None
    item = checks[0]
    path = plain_string(scope, item.path, "a health endpoint's path")
    valid = True
    if not path.startswith("/") or any(character.isspace() for character in path):
        valid = False
        fixes: tuple[Fix, ...] = ()
        if path and not path.startswith("/") and not any(character.isspace() for character in path):
            fixes = (Fix(f"Use `/{path}`", (TextEdit(item.path.span, f'"/{path}"'),)),)
        scope.report(
            "KON220",
            f"health endpoint `{path}` must be a path starting with `/` and without spaces, such as `/healthz`",
            item.path.span,
            fixes=fixes,
        )
    tcp_ports = [port for port in ports if port.protocol == "TCP"]
    if item.port is None:
        if not tcp_ports:
            if scope.may_be_hidden_by_syntax_error(syntax):
                return None
            scope.report(
                "KON210",
                f"`health` needs a TCP port to ask on: `{syntax.name.text}` has none",
                item.span,
                fixes=add_port_fix(syntax, 8080),
            )
            return None
        port = tcp_ports[0].listens_on
    elif isinstance(item.port, ast.Number):
        matching = [
            port
            for port in tcp_ports
            if item.port.text.isdigit() and int(item.port.text) in (port.number, port.listens_on)
        ]
        if not matching:
            if scope.may_be_hidden_by_syntax_error(syntax):
                return None
            listed = ", ".join(str(port.number) for port in tcp_ports) or "none"
            number = int(item.port.text) if item.port.text.isdigit() else 0
            scope.report(
                "KON103",
                f"`{syntax.name.text}` has no TCP port {item.port.text} to ask for its health (its ports: {listed})",
                item.port.span,
                fixes=add_port_fix(syntax, number) if 1 <= number <= 65535 else (),
            )
            return None
        port = matching[0].listens_on
    else:
        named = [port for port in tcp_ports if port.name == item.port.text]
        if not named:
            if scope.may_be_hidden_by_syntax_error(syntax):
                return None
            suggestion = did_you_mean(item.port.text, [port.name for port in tcp_ports if port.name])
            scope.report(
                "KON103",
                f"`{syntax.name.text}` has no TCP port named `{item.port.text}`"
                + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                item.port.span,
                fixes=(Fix(f"Replace with `{suggestion}`", (TextEdit(item.port.span, suggestion),)),) if suggestion else (),
            )
            return None
        port = named[0].listens_on
    return model.HealthCheck(path, port, item.span) if valid else None


# The statements that can take effect only once in a block, by what the message calls them; for
# a flag (the same words each time) the second can simply be removed.
_ONCE: dict[type, tuple[str, bool]] = {
    ast.Replicas: ("replicas", False),
    ast.Size: ("size", False),
    ast.Health: ("health", False),
    ast.RunAs: ("run as", False),
    ast.Grace: ("stops within", False),
    ast.Authentication: ("authentication", False),
    ast.WritesEverywhere: ("writes everywhere", True),
    ast.SingleInstance: ("single instance", True),
}


def _check_repeated_settings(scope: ApplicationScope, syntax: ast.Component | ast.Container) -> None:
    """KON215 for a setting that can take effect only once, given twice (the first counts)."""
    first: dict[str, ast.ComponentItem] = {}
    for item in syntax.items:
        removable = False
        if isinstance(item, ast.CommandLine):
            setting = item.keyword
        elif type(item) in _ONCE:
            setting, removable = _ONCE[type(item)]
        else:
            continue
        if setting in first:
            scope.report(
                "KON215",
                f"`{setting}` is given twice in `{syntax.name.text}`; only one can take effect",
                item.span,
                (RelatedLocation(first[setting].span, "first given here"),),
                fixes=(Fix("Remove it", (TextEdit(item.span, ""),)),) if removable else (),
            )
        else:
            first[setting] = item


def _ports(scope: ApplicationScope, syntax: ast.Component | ast.Container, default_port: int | None) -> tuple[model.Port, ...]:
    """The component's ports, each declared once; a database's type's port when it declares none."""
    ports: list[model.Port] = []
    seen: dict[tuple[int, str], ast.Port] = {}
    seen_names: dict[str, ast.Port] = {}
    for item in scope.items_of(syntax, ast.Port):
        text = item.number.text
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            scope.report("KON201", f"`{text}` is not a port: ports are whole numbers from 1 to 65535", item.number.span)
            continue
        number = int(text)
        container: int | None = None
        if item.container is not None:
            container_text = item.container.text
            if not container_text.isdigit() or not 1 <= int(container_text) <= 65535:
                scope.report(
                    "KON201",
                    f"`{container_text}` is not a port: ports are whole numbers from 1 to 65535",
                    item.container.span,
                )
                continue
            container = int(container_text) if int(container_text) != number else None
        protocol = "TCP"
        if item.protocol is not None:
            if item.protocol.text.lower() not in ("tcp", "udp"):
                suggestion = did_you_mean(item.protocol.text.lower(), ("tcp", "udp"))
                scope.report(
                    "KON202",
                    f"`{item.protocol.text}` is not a protocol: use `tcp` or `udp`"
                    + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                    item.protocol.span,
                    fixes=(Fix(f"Replace with `{suggestion}`", (TextEdit(item.protocol.span, suggestion),)),)
                    if suggestion
                    else (),
                )
            else:
                protocol = item.protocol.text.upper()
        key = (number, protocol)
        if key in seen:
            scope.report(
                "KON201",
                f"port {number}/{protocol.lower()} is declared twice",
                item.span,
                (RelatedLocation(seen[key].span, "first declared here"),),
            )
            continue
        seen[key] = item
        port_name = item.name.text if item.name is not None else None
        if item.name is not None:
            if item.name.text in seen_names:
                scope.report(
                    "KON201",
                    f"two ports are named `{item.name.text}`",
                    item.name.span,
                    (RelatedLocation(seen_names[item.name.text].span, "first named here"),),
                )
            seen_names[item.name.text] = item
            if item.name.text in COMPONENT_MEMBERS:
                scope.report(
                    "KON201",
                    f"a port cannot be named `{item.name.text}`: `{syntax.name.text}.{item.name.text}` already means "
                    + ("its host name" if item.name.text == "host" else "its first port"),
                    item.name.span,
                )
            elif not _PORT_NAME.match(item.name.text):
                scope.report(
                    "KON201",
                    f"port name `{item.name.text}` must be at most 15 lower-case letters, digits and `-`",
                    item.name.span,
                )
        if container is not None:
            container_key = (container, protocol)
            clash = next((port for port in ports if port.listens_on == container and port.protocol == protocol), None)
            if clash is not None:
                scope.report(
                    "KON201",
                    f"container port {container}/{protocol.lower()} is published twice",
                    item.container.span if item.container is not None else item.span,
                    (RelatedLocation(clash.span, "also published here"),),
                )
                continue
            del container_key
        ports.append(model.Port(number, protocol, port_name, False, item.span, container))
    for port in ports:
        # A port without a name is called after its number; a port named so would share that name.
        implied = unnamed_port_name(port.number, port.protocol) if port.name is None else None
        if implied is not None and implied in seen_names:
            named = seen_names[implied]
            assert named.name is not None
            scope.report(
                "KON201",
                f"two ports are named `{implied}`: port {port.number}/{port.protocol.lower()} has no name, so it is called `{implied}`",
                named.name.span,
                (RelatedLocation(port.span, f"port {port.number}/{port.protocol.lower()}, called `{implied}`, is declared here"),),
            )
    if not ports and default_port is not None:
        ports.append(model.Port(default_port, "TCP", None, True))
    return tuple(ports)


def _variables(
    scope: ApplicationScope,
    syntax: ast.Component | ast.Container,
    database_type: DatabaseType | None,
    with_authentication: bool = True,
) -> tuple[model.Variable, ...]:
    """The component's variables, each set once, then its database type's defaults it does not set."""
    variables: list[model.Variable] = []
    seen: dict[str, ast.Variable] = {}
    for item in scope.items_of(syntax, ast.Variable):
        name = item.name.text
        if not _VARIABLE_NAME.match(name):
            replacement = re.sub(r"[^A-Za-z0-9_]", "_", name)
            if replacement[:1].isdigit() or not replacement:
                replacement = "_" + replacement
            scope.report(
                "KON203",
                f"`{name}` is not a usable variable name: use letters, digits and `_`, not starting with a digit",
                item.name.span,
                fixes=(Fix(f"Rename to `{replacement}`", (TextEdit(item.name.span, replacement),)),),
            )
        if name in seen:
            scope.report(
                "KON203",
                f"variable `{name}` is set twice in `{syntax.name.text}`",
                item.name.span,
                (RelatedLocation(seen[name].name.span, "first set here"),),
            )
            continue
        seen[name] = item
        variable_expression = expression(scope, item.expression)
        if item.as_file and not is_secret_expression(scope, item.expression):
            scope.report(
                "KON221",
                f"`{name}` is not a secret: only secrets are handed over as files; remove `as file`",
                item.span,
            )
        variables.append(_new_variable(name, variable_expression, False, item.span, item.as_file))
    for item in seen.values():
        file_variable = f"{item.name.text}_FILE"
        if item.as_file and file_variable in seen:
            scope.report(
                "KON203",
                f"`{item.name.text} ... as file` sets `{file_variable}`, which `{syntax.name.text}` also sets",
                seen[file_variable].name.span,
                (RelatedLocation(item.span, "handed over as a file here"),),
            )
    if database_type is not None:
        variables.extend(default_variables(database_type, seen, with_authentication))
    return tuple(variables)
