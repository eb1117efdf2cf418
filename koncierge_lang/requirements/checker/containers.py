"""A component's sidecars and init containers, and the hardening adjustments of the component
(issue 13): read after `components.py` has checked the component itself.

A container (`sidecar NAME { ... }`, `init NAME { ... }`) is checked with the component's own
functions (`components.py`: image KON204, ports KON201/KON202, variables KON203/KON221, repeated
settings KON215), so that a statement allowed in a component means the same in a container.
Its name is a DNS label, unique among the component's containers and not the component's own
(KON229); names ending in `-contents` are the compiler's (`generated_names.contents_copy_container_name`).
Statements about the pod or the component as a whole are refused in a container (KON230). A
sidecar's ports are the pod's: no two containers listen on one number, and no two ports share a
name (an unnamed port is called `tcp-9419`) or the number clients use (KON201); they join the
component's ports, so that `x.metrics` and `connects to x on metrics` reach them.
"""

from __future__ import annotations

import dataclasses
import re

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.components import _check_repeated_settings, _image, _ports, _variables
from koncierge_lang.requirements.checker.hardening import ADJUSTING_STATEMENTS, adjustments
from koncierge_lang.requirements.checker.literals import plain_string
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.requirements.checker.storage import mount_path
from koncierge_lang.requirements.generated_names import CONTENTS_COPY_SUFFIX, unnamed_port_name
from koncierge_lang.syntax import ast

_CONTAINER_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")

# What a container may say besides its image, ports (sidecars only), variables, command and args,
# and writable paths and hardening; later, probes and resources (the component's functions read them).
_ALLOWED: dict[str, tuple[type, ...]] = {
    "sidecar": (ast.Image, ast.Port, ast.Variable, ast.CommandLine, *ADJUSTING_STATEMENTS),
    "init": (ast.Image, ast.Variable, ast.CommandLine, *ADJUSTING_STATEMENTS),
}

_POD_STATEMENT = "it applies to the whole pod; write it in the component"
# Each refused statement: how it is written, and why it is not a container's.
_REFUSED: dict[type, tuple[str, str]] = {
    ast.Port: ("port", "an init container runs to its end before the program starts, so nothing can connect to it"),
    ast.Replicas: ("replicas", "the containers run in every pod of the component; write it in the component"),
    ast.SingleInstance: ("single instance", _POD_STATEMENT),
    ast.Mount: ("mount", "only the component's own program mounts storage"),
    ast.ComponentStorage: ("storage", "only the component's own program mounts storage"),
    ast.Connects: ("connects to", "the pod has one network policy; write it in the component"),
    ast.Accepts: ("accepts from", "the pod has one network policy; write it in the component"),
    ast.Expose: ("expose", "a sidecar's ports are the component's: write `expose PORT` in the component"),
    ast.Container: ("sidecar` or `init", "containers are not nested: declare every sidecar and init container in the component"),
    ast.PodSetting: ("annotation`, `label` or `runs on", "pods carry them; write it in the component"),
    ast.Toleration: ("tolerates", _POD_STATEMENT),
    ast.Grace: ("stops within", _POD_STATEMENT),
    ast.Authentication: ("authentication", "it is a database's setting"),
    ast.Size: ("size", "not supported in a container yet; where security is strict it gets the environment's defaults"),
    ast.Resource: ("cpu or memory", "not supported in a container yet; where security is strict it gets the environment's defaults"),
    ast.Health: ("health", "not supported in a container yet; the platform asks the component's program"),
    ast.Probe: ("probe", "not supported in a container yet; the platform asks the component's program"),
}

_ISSUE_13_STATEMENTS = (*ADJUSTING_STATEMENTS, ast.Container)


def with_containers(scope: ApplicationScope, syntax: ast.Component, checked: model.Component) -> model.Component:
    """`checked` with its hardening adjustments and containers; its sidecars' ports join its own."""
    if not any(scope.items_of(syntax, kind) for kind in _ISSUE_13_STATEMENTS):
        return checked
    built = _containers(scope, syntax, checked)
    sidecar_ports = tuple(port for container in built for port in container.ports)
    return dataclasses.replace(
        checked, adjustments=adjustments(scope, syntax), containers=built, ports=checked.ports + sidecar_ports
    )


def _containers(scope: ApplicationScope, syntax: ast.Component, checked: model.Component) -> tuple[model.Container, ...]:
    built: list[model.Container] = []
    names: dict[str, ast.Container] = {}
    # The pod's ports so far: by the number the program listens on, by the Service's number, by name.
    ports = _PodPorts(checked.ports)
    for declared in scope.items_of(syntax, ast.Container):
        name = _name(scope, syntax, declared, names)
        for item in declared.items:
            if not isinstance(item, _ALLOWED[declared.kind]):
                statement, why = _REFUSED.get(type(item), (type(item).__name__.lower(), "not a container's"))
                scope.report(
                    "KON230",
                    f"`{statement}` cannot be in {'a sidecar' if declared.kind == 'sidecar' else 'an init container'}: {why}",
                    item.span,
                    (RelatedLocation(declared.name.span, f"{declared.kind} `{declared.name.text}` is declared here"),),
                )
        _check_repeated_settings(scope, declared)
        image, _ = _image(scope, declared, None)
        container_ports: tuple[model.Port, ...] = ()
        if declared.kind == "sidecar":
            owned = (dataclasses.replace(port, sidecar=name) for port in _ports(scope, declared, None))
            container_ports = tuple(port for port in owned if ports.add(scope, port, syntax.name.text))
        command: tuple[str, ...] = ()
        args: tuple[str, ...] = ()
        for line in scope.items_of(declared, ast.CommandLine):
            words = tuple(plain_string(scope, literal) for literal in line.items)
            if line.keyword == "command":
                command = words
            else:
                args = words
        paths: dict[str, ast.StringLiteral] = {}
        writable: list[str] = []
        for writes in scope.items_of(declared, ast.Writes):
            for literal in writes.paths:
                path = mount_path(scope, literal, paths, writes=True).rstrip("/")
                if path.startswith("/") and path not in writable:
                    writable.append(path)
        built.append(
            model.Container(
                name=name,
                kind=declared.kind,
                image=image,
                ports=container_ports,
                variables=_variables(scope, declared, None),
                command=command,
                args=args,
                writable_paths=tuple(writable),
                adjustments=adjustments(scope, declared),
                span=declared.span,
            )
        )
    return tuple(built)


def _name(scope: ApplicationScope, syntax: ast.Component, declared: ast.Container, names: dict[str, ast.Container]) -> str:
    """The container's name, checked (KON229)."""
    name = declared.name.text
    span = declared.name.span
    if not _CONTAINER_NAME.match(name):
        replacement = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].rstrip("-")
        fixes: tuple[Fix, ...] = ()
        if replacement and replacement not in names:
            fixes = (Fix(f"Rename to `{replacement}`", (TextEdit(span, replacement),)),)
        scope.report(
            "KON229",
            f"`{name}` cannot name a container: use at most 63 lower-case letters, digits and `-`, "
            "starting and ending with a letter or digit",
            span,
            fixes=fixes,
        )
    elif name == model.kubernetes_name(syntax.name.text):
        scope.report(
            "KON229",
            f"`{name}` is the name of {syntax.keyword} `{syntax.name.text}`'s own container: give the {'sidecar' if declared.kind == 'sidecar' else 'init container'} another name",
            span,
            (RelatedLocation(syntax.name.span, f"{syntax.keyword} `{syntax.name.text}` is declared here"),),
        )
    elif name.endswith(CONTENTS_COPY_SUFFIX):
        scope.report(
            "KON229",
            f"container names ending in `{CONTENTS_COPY_SUFFIX}` are the compiler's (the containers that copy an "
            "image's files for `writes ... keeping contents`): choose another name",
            span,
        )
    if name in names:
        scope.report(
            "KON229",
            f"`{syntax.name.text}` has two containers named `{name}`",
            span,
            (RelatedLocation(names[name].name.span, "first declared here"),),
        )
    else:
        names[name] = declared
    return name


class _PodPorts:
    """The ports of a pod so far: a sidecar's port must differ from every earlier one (KON201)."""

    def __init__(self, ports: tuple[model.Port, ...]) -> None:
        self.listening: dict[tuple[int, str], model.Port] = {}
        self.service: dict[tuple[int, str], model.Port] = {}
        self.names: dict[str, model.Port] = {}
        for port in ports:
            self.listening.setdefault((port.listens_on, port.protocol), port)
            self.service.setdefault((port.number, port.protocol), port)
            self.names.setdefault(self._name(port), port)

    @staticmethod
    def _name(port: model.Port) -> str:
        return port.name if port.name is not None else unnamed_port_name(port.number, port.protocol)

    @staticmethod
    def _owner(port: model.Port, component: str) -> str:
        return f"sidecar `{port.sidecar}`" if port.sidecar else f"`{component}`"

    def add(self, scope: ApplicationScope, port: model.Port, component: str) -> bool:
        """Whether `port` can join the pod; KON201 when it cannot."""
        protocol = port.protocol.lower()
        listening = self.listening.get((port.listens_on, port.protocol))
        service = self.service.get((port.number, port.protocol))
        named = self.names.get(self._name(port))
        if listening is not None:
            problem = f"port {port.listens_on}/{protocol} is already listened on in the pod, by {self._owner(listening, component)}: the containers of a pod share its network"
            clash = listening
        elif service is not None:
            problem = f"port {port.number}/{protocol} is already a port of {self._owner(service, component)}: clients could not tell them apart"
            clash = service
        elif named is not None:
            problem = f"a port of {self._owner(named, component)} is already called `{self._name(port)}`: the ports of a pod have one name each"
            clash = named
        else:
            self.listening[(port.listens_on, port.protocol)] = port
            self.service[(port.number, port.protocol)] = port
            self.names[self._name(port)] = port
            return True
        scope.report("KON201", problem, port.span, (RelatedLocation(clash.span, "declared here"),))
        return False


def every_container(scope: ApplicationScope) -> list[tuple[ast.Component | ast.Container, str]]:
    """Every container the application declares, its program's and its sidecars and init
    containers, with how a message names it: for the hardening warnings (`practices/`), made once
    per application (five passes read it)."""
    if scope.every_container is not None:
        return scope.every_container
    found: list[tuple[ast.Component | ast.Container, str]] = []
    for syntax in scope.components_syntax:
        found.append((syntax, f"{syntax.keyword} `{syntax.name.text}`"))
        for declared in scope.items_of(syntax, ast.Container):
            found.append((declared, f"{declared.kind} `{declared.name.text}` of `{syntax.name.text}`"))
    scope.every_container = found
    return found
