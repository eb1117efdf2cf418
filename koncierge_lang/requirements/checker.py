"""The checker: syntax tree -> requirements model, symbols and diagnostics. Never raises on input.

Names are resolved per application (components, databases, values, storage and routes share one
namespace; environments have their own). Each problem becomes a diagnostic from the catalogue;
statements with errors are still put into the model as well as they can be, so that clients such
as the language server keep working on a file that is being edited.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from koncierge_lang.diagnostics import Diagnostic, Fix, RelatedLocation, TextEdit, make_diagnostic
from koncierge_lang.naming import is_dns_label, is_dns_subdomain, is_size
from koncierge_lang.performance import frozen_constructor, paused_garbage_collection
from koncierge_lang.requirements import model
from koncierge_lang.requirements.databases import DATABASE_TYPES
from koncierge_lang.requirements.sizes import COMPONENT_SIZES
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast

COMPONENT_MEMBERS = ("host", "port")
ROUTE_MEMBERS = ("domain", "url")

ItemT = TypeVar("ItemT")

_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IMAGE_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_IMAGE_DOMAIN = re.compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$")
_IMAGE_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_IMAGE_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


@dataclass(frozen=True, slots=True)
class Declaration:
    """A declared name, for navigation: what it is and where."""

    application: str
    kind: str
    name: str
    name_span: Span
    span: Span


@dataclass(frozen=True, slots=True)
class ReferenceSite:
    """A use of a declared name."""

    application: str
    kind: str
    name: str
    span: Span


# Built for every variable and every reference: without the frozen dataclasses' slower `__init__`.
_new_reference_site = frozen_constructor(ReferenceSite)
_new_variable = frozen_constructor(model.Variable)
_new_value_reference = frozen_constructor(model.ValueReference)


@dataclass(frozen=True, slots=True)
class Symbols:
    declarations: tuple[Declaration, ...] = ()
    references: tuple[ReferenceSite, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckResult:
    requirements: model.Requirements
    diagnostics: tuple[Diagnostic, ...]
    symbols: Symbols = field(default_factory=Symbols)


def check(file: ast.File, syntax_diagnostics: Iterable[Diagnostic] = ()) -> CheckResult:
    """Check a syntax tree. Never raises on anything the parser produced.

    `syntax_diagnostics` are the parser's: a statement with a syntax error is left out of the
    tree, so the checker does not report what that statement would have provided (a component's
    image, a port, a use of a value): the syntax error already explains it.
    """
    checker = _Checker(tuple(diagnostic.span for diagnostic in syntax_diagnostics))
    with paused_garbage_collection():
        applications = tuple(checker.application(application) for application in file.applications)
        checker.check_application_names(file.applications, applications)
    diagnostics = sorted(checker.diagnostics, key=Diagnostic.sort_key)
    return CheckResult(
        model.Requirements(applications),
        tuple(diagnostics),
        Symbols(tuple(checker.declarations), tuple(checker.references)),
    )


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def valid_domain(domain: str) -> bool:
    if not domain or len(domain) > 253:
        return False
    return is_dns_subdomain(domain)


def image_problem(image: str) -> str | None:
    """Why an image reference is invalid, or None when it is valid."""
    if not image:
        return "the image is empty"
    if image != image.strip() or " " in image:
        return "an image reference has no spaces"
    remainder = image
    if "@" in remainder:
        remainder, digest = remainder.split("@", 1)
        if not _IMAGE_DIGEST.match(digest):
            return f"`{digest}` is not a digest such as `sha256:` followed by 64 hexadecimal digits"
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        tag = remainder[colon + 1 :]
        remainder = remainder[:colon]
        if not _IMAGE_TAG.match(tag):
            return f"`{tag}` is not a valid tag"
    components = remainder.split("/")
    if len(components) > 1 and ("." in components[0] or ":" in components[0] or components[0] == "localhost"):
        if not _IMAGE_DOMAIN.match(components[0]):
            return f"`{components[0]}` is not a valid registry"
        components = components[1:]
    for component in components:
        if not _IMAGE_PATH_COMPONENT.match(component):
            if component.lower() != component:
                return "image names are lower case"
            return f"`{component}` is not a valid part of an image name"
    return None


@dataclass(frozen=True, slots=True)
class _Dependency:
    target: str
    kind: str
    address: str
    port: int
    protocol: str


_URL_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443, "ftp": 21, "ldap": 389, "ldaps": 636, "smtp": 25, "smtps": 465}


def external_dependency(target: str, port: int | None, protocol: str) -> _Dependency | str:
    """The dependency `connects to TARGET [on PORT]` declares, or the message saying what is wrong."""
    import ipaddress
    from urllib.parse import urlsplit

    kind = "host"
    address = target
    if "://" in target:
        parts = urlsplit(target)
        scheme = parts.scheme.lower()
        try:
            url_port = parts.port
        except ValueError:
            return f"`{target}` has an invalid port"
        host = parts.hostname or ""
        if not host:
            return f"`{target}` is not a URL with a host, such as `https://api.example.com`"
        if url_port is not None and port is not None and url_port != port:
            return f"the URL says port {url_port} but `on` says {port}: keep one"
        port = port if port is not None else url_port if url_port is not None else _URL_PORTS.get(scheme)
        if port is None:
            return f"the port of a `{scheme}` URL is not known: add it, as in `{target} on 1234`"
        address = host
    if "/" in address or address.replace(".", "").isdigit() or ":" in address:
        try:
            network = ipaddress.ip_network(address, strict=True)
        except ValueError:
            return f"`{address}` is not an address block such as `10.8.0.0/16` (host bits must be zero)"
        kind, address = "cidr", str(network)
    elif not valid_domain(address.lower().rstrip(".")):
        return f"`{target}` is not a host name, a URL or an address block such as `10.8.0.0/16`"
    else:
        address = address.lower().rstrip(".")
    if port is None:
        return f"`connects to \"{target}\"` needs the port it connects on: add `on 443` (or the right port)"
    return _Dependency(target, kind, address, port, protocol)


def escape_image(image: str) -> str:
    return '"' + image.replace("\\", "\\\\").replace('"', '\\"') + '"'


def image_is_unpinned(image: str) -> str | None:
    if "@" in image:
        return None
    last_slash = image.rfind("/")
    colon = image.rfind(":")
    if colon <= last_slash:
        return "has no tag"
    if image[colon + 1 :] == "latest":
        return "uses the tag `latest`"
    return None


class _Checker:
    def __init__(self, syntax_error_spans: tuple[Span, ...] = ()) -> None:
        self.syntax_error_spans = syntax_error_spans
        self.diagnostics: list[Diagnostic] = []
        self.declarations: list[Declaration] = []
        self.references: list[ReferenceSite] = []

    def report(
        self,
        code: str,
        message: str,
        span: Span,
        related: tuple[RelatedLocation, ...] = (),
        fixes: tuple[Fix, ...] = (),
    ) -> None:
        self.diagnostics.append(make_diagnostic(code, message, span, related, fixes))

    def syntax_error_within(self, span: Span) -> bool:
        """Whether a syntax error lies inside `span`, so that something there may have been left out."""
        return any(span.start <= error.start and error.start < span.end for error in self.syntax_error_spans)

    # Applications

    def check_application_names(
        self, syntax: tuple[ast.Application, ...], applications: tuple[model.Application, ...]
    ) -> None:
        seen: dict[str, ast.Application] = {}
        seen_exactly: dict[str, ast.Application] = {}
        for application_syntax, application in zip(syntax, applications, strict=True):
            if not application.kubernetes_name or len(application.kubernetes_name) > 63:
                self.report(
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
                self.report(
                    code,
                    message,
                    application_syntax.name.span,
                    (RelatedLocation(earlier.name.span, f"`{earlier.name.text}` is declared here"),),
                )
            else:
                seen[application.kubernetes_name] = application_syntax

    def application(self, syntax: ast.Application) -> model.Application:
        scope = _ApplicationScope(self, syntax)
        return scope.build()


class _ApplicationScope:
    """Checks one application: its names are resolved within it."""

    def __init__(self, checker: _Checker, syntax: ast.Application) -> None:
        self.checker = checker
        self.syntax = syntax
        self.application_name = syntax.name.text
        self.environments_syntax = [item for item in syntax.items if isinstance(item, ast.Environment)]
        self.values_syntax = [item for item in syntax.items if isinstance(item, ast.ValueDeclaration)]
        self.storages_syntax = [item for item in syntax.items if isinstance(item, ast.StorageDeclaration)]
        self.components_syntax = [item for item in syntax.items if isinstance(item, ast.Component)]
        self.routes_syntax = [item for item in syntax.items if isinstance(item, ast.Route)]
        # Each component's items by their kind, in order: a dozen checks each read one kind.
        self.component_items: dict[int, dict[type, list[Any]]] = {}
        # One namespace for everything a reference can name.
        self.names: dict[str, tuple[str, ast.Name, object]] = {}
        # Every declaration of a name declared more than once, so that a use resolves to the one that fits.
        self.all_declarations: dict[str, list[tuple[str, ast.Name, object]]] = {}
        self.environment_names: dict[str, ast.Environment] = {}
        self.used_values: set[str] = set()
        self.used_storages: set[str] = set()
        self.inline_storages: list[model.Storage] = []
        # Whether each named value is (or contains) a secret: asked for every variable.
        self.secret_values: dict[str, bool] = {}

    def report(self, code: str, message: str, span: Span, related: tuple[RelatedLocation, ...] = (), fixes: tuple[Fix, ...] = ()) -> None:
        self.checker.report(code, message, span, related, fixes)

    def may_be_hidden_by_syntax_error(self, node: object) -> bool:
        """Whether a syntax error inside `node` may have left out the statement a diagnostic would miss."""
        span = getattr(node, "span", None)
        return isinstance(span, Span) and self.checker.syntax_error_within(span)

    def declare(self, kind: str, name: ast.Name, node: object, span: Span) -> None:
        self.all_declarations.setdefault(name.text, []).append((kind, name, node))
        earlier = self.names.get(name.text)
        if earlier is not None:
            earlier_kind, earlier_name, _ = earlier
            self.report(
                "KON104",
                f"`{name.text}` is already declared as a {earlier_kind} in application `{self.application_name}`",
                name.span,
                (RelatedLocation(earlier_name.span, f"the {earlier_kind} `{name.text}` is declared here"),),
            )
            return
        self.names[name.text] = (kind, name, node)
        self.checker.declarations.append(Declaration(self.application_name, kind, name.text, name.span, span))

    def lookup(self, name: str, fitting_kinds: tuple[str, ...]) -> tuple[str, ast.Name, object] | None:
        """The declaration of `name`; of a name declared twice (already an error), the one that fits the use."""
        for entry in self.all_declarations.get(name, ()):
            if entry[0] in fitting_kinds:
                return entry
        return self.names.get(name)

    def refer(self, kind: str, name: str, span: Span) -> None:
        self.checker.references.append(_new_reference_site(self.application_name, kind, name, span))

    def build(self) -> model.Application:
        syntax = self.syntax
        self.checker.declarations.append(
            Declaration(self.application_name, "application", syntax.name.text, syntax.name.span, syntax.span)
        )
        environments = self.check_environments()
        for value in self.values_syntax:
            self.declare(value.keyword if value.keyword != "value" else "value", value.name, value, value.span)
        for storage in self.storages_syntax:
            self.declare("storage", storage.name, storage, storage.span)
        for component in self.components_syntax:
            self.declare(component.keyword, component.name, component, component.span)
        for route in self.routes_syntax:
            self.declare("route", route.name, route, route.span)
        self.environment_list = environments
        storages = [self.storage(storage) for storage in self.storages_syntax]
        values = [self.value(value) for value in self.values_syntax]
        self.check_value_cycles()
        components = [self.component(component) for component in self.components_syntax]
        storages.extend(self.inline_storages)
        self.check_kubernetes_collisions(components, storages)
        routes = [route for route in (self.route(route) for route in self.routes_syntax) if route is not None]
        self.check_unreachable_routes(routes)
        self.check_unused()
        return model.Application(
            name=syntax.name.text,
            kubernetes_name=model.kubernetes_name(syntax.name.text),
            description=syntax.description.value if syntax.description is not None else syntax.name.text,
            environments=tuple(environments),
            values=tuple(values),
            storages=tuple(storages),
            components=tuple(components),
            routes=tuple(routes),
            span=syntax.span,
        )

    # Environments

    def check_environments(self) -> list[model.Environment]:
        environments: list[model.Environment] = []
        if not self.environments_syntax and not self.may_be_hidden_by_syntax_error(self.syntax):
            self.report(
                "KON214",
                f"application `{self.application_name}` has no environment, so nothing can be deployed: "
                'add one such as `environment LOCAL "todo.test"`',
                self.syntax.name.span,
            )
        for environment in self.environments_syntax:
            name = environment.name.text
            earlier = self.environment_names.get(name)
            if earlier is not None:
                self.report(
                    "KON106",
                    f"environment `{name}` is declared twice",
                    environment.name.span,
                    (RelatedLocation(earlier.name.span, f"`{name}` is first declared here"),),
                )
                continue
            self.environment_names[name] = environment
            self.checker.declarations.append(
                Declaration(self.application_name, "environment", name, environment.name.span, environment.span)
            )
            kind = self.environment_kind(environment)
            domain = environment.domain.value
            if not valid_domain(domain):
                self.report(
                    "KON205",
                    f"`{domain}` is not a valid domain name: use lower-case labels of letters, digits and `-` "
                    "separated by dots",
                    environment.domain.span,
                )
            flags = model.ENVIRONMENT_KINDS[kind]
            environments.append(
                model.Environment(
                    name=name,
                    kind=kind,
                    domain=domain,
                    after=tuple(after.text for after in environment.after),
                    backups=flags.backups,
                    performance_optimised=flags.performance_optimised,
                    strict_security=flags.strict_security,
                    https=flags.https,
                    span=environment.span,
                )
            )
        for environment in self.environments_syntax:
            for after in environment.after:
                if after.text in self.environment_names:
                    self.refer("environment", after.text, after.span)
                else:
                    self.unknown_environment(after)
        self.check_promotion_cycles()
        return environments

    def environment_kind(self, environment: ast.Environment) -> str:
        name = environment.name.text
        known = model.ENVIRONMENT_KINDS
        if environment.like is not None:
            like = environment.like.text
            if name in known:
                self.report(
                    "KON107",
                    f"`{name}` is a kind of environment itself; `like` is for new environment names such as `STAGING`",
                    environment.like.span,
                )
                return name
            if like not in known:
                suggestion = did_you_mean(like, known)
                self.report(
                    "KON107",
                    f"`{like}` is not a kind of environment; the kinds are {', '.join(known)}"
                    + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                    environment.like.span,
                    fixes=(Fix(f"Replace with `{suggestion}`", (TextEdit(environment.like.span, suggestion),)),)
                    if suggestion
                    else (),
                )
                return suggestion or "DEV"
            return like
        if name in known:
            return name
        suggestion = did_you_mean(name.upper(), known)
        message = (
            f"`{name}` is not a kind of environment ({', '.join(known)}); to add an environment of your own, "
            f"say which kind it is like: `environment {name} like PROD ...`"
        )
        fixes: list[Fix] = []
        if suggestion:
            message = f"`{name}` is not a kind of environment; did you mean `{suggestion}`? " + (
                f"To add an environment of your own, say which kind it is like: `environment {name} like PROD ...`"
            )
            fixes.append(Fix(f"Replace with `{suggestion}`", (TextEdit(environment.name.span, suggestion),)))
        end = environment.name.span
        insert_at = Span(end.end, end.end, end.end_line, end.end_column, end.end_line, end.end_column)
        fixes.append(Fix("Declare it like PROD", (TextEdit(insert_at, " like PROD"),), safe=False))
        self.report("KON107", message, environment.name.span, fixes=tuple(fixes))
        return suggestion or "DEV"

    def unknown_environment(self, name: ast.Name) -> str | None:
        suggestion = did_you_mean(name.text, self.environment_names)
        message = f"environment `{name.text}` is not declared in application `{self.application_name}`"
        fixes: tuple[Fix, ...] = ()
        if suggestion:
            message += f"; did you mean `{suggestion}`?"
            fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(name.span, suggestion),)),)
        self.report("KON101", message, name.span, fixes=fixes)
        return suggestion

    def check_promotion_cycles(self) -> None:
        graph = {
            environment.name.text: [after.text for after in environment.after if after.text in self.environment_names]
            for environment in self.environment_names.values()
        }
        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()

        def visit(node: str, path: list[str]) -> None:
            state[node] = 1
            path.append(node)
            for successor in graph.get(node, []):
                if state.get(successor) == 1:
                    cycle = path[path.index(successor) :]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        environment = self.environment_names[node]
                        after = next(a for a in environment.after if a.text == successor)
                        chain = " after ".join(cycle + [successor])
                        self.report(
                            "KON209",
                            f"the promotion order goes round in a circle: {chain}",
                            after.span,
                            tuple(
                                RelatedLocation(self.environment_names[member].name.span, f"`{member}` is declared here")
                                for member in cycle
                                if member != node
                            ),
                        )
                elif state.get(successor) is None:
                    visit(successor, path)  # noqa: F821 - the enclosing scope deletes `visit` after use.
            path.pop()
            state[node] = 2

        for node in graph:
            if state.get(node) is None:
                visit(node, [])
        # A recursive closure refers to itself through its cell: empty the cell, or the cycle would
        # keep this whole scope alive until the next full garbage collection.
        del visit

    # Values

    def value(self, syntax: ast.ValueDeclaration) -> model.Value:
        expression = self.expression(syntax.expression, declared_as=syntax.keyword)
        return model.Value(syntax.name.text, syntax.keyword, expression, syntax.span)

    def expression(self, syntax: object, declared_as: str = "value") -> model.Expression:
        if isinstance(syntax, ast.StringLiteral):
            return self.text(syntax)
        if isinstance(syntax, ast.Reference):
            return self.reference(syntax)
        if isinstance(syntax, ast.PerEnvironment):
            return self.per_environment(syntax)
        if isinstance(syntax, ast.SecretPlain):
            secret_span = syntax.text.span  # The password itself, with or without the `secret` before it.
            fixes = (
                Fix("Generate the password instead", (TextEdit(syntax.text.span, "generated"),), safe=False),
                Fix(
                    "Encode it as base64",
                    (TextEdit(syntax.text.span, f'base64 "{base64.b64encode(syntax.text.value.encode()).decode()}"'),),
                ),
            )
            self.report(
                "KON301",
                "this password is written in plain text: anyone who can read the repository can read it; "
                "let Koncierge generate it, or at least encode it with `base64`",
                secret_span,
                fixes=fixes,
            )
            return model.Secret("plain", syntax.text.value)
        if isinstance(syntax, ast.SecretBase64):
            text = syntax.text.value
            try:
                base64.b64decode(text.encode("ascii"), validate=True)
            except (binascii.Error, ValueError, UnicodeEncodeError):
                self.report("KON212", f"`{text}` is not valid base64", syntax.text.span)
            return model.Secret("base64", text)
        if isinstance(syntax, ast.SecretGenerated):
            length = 32
            if syntax.length is not None:
                parsed = self.whole_number(syntax.length, 8, 1024, "a generated secret's length")
                length = parsed if parsed is not None else length
            return model.Secret("generated", "", length)
        return model.Text(())

    def text(self, syntax: ast.StringLiteral) -> model.Text:
        parts: list[str | model.Reference] = []
        for part in syntax.parts:
            if isinstance(part, str):
                parts.append(part)
            else:
                parts.append(self.reference(part))
        return model.Text(tuple(parts))

    def per_environment(self, syntax: ast.PerEnvironment) -> model.PerEnvironmentText:
        cases: list[tuple[str, model.Text]] = []
        otherwise: model.Text | None = None
        misspelt: set[str] = set()
        seen_cases: dict[str, ast.EnvironmentCase] = {}
        for case in syntax.cases:
            key = case.environment.text if case.environment is not None else "else"
            if key in seen_cases:
                self.report(
                    "KON215",
                    f"`{key}` is given twice in this text per environment",
                    case.span,
                    (RelatedLocation(seen_cases[key].span, "first given here"),),
                )
                continue
            seen_cases[key] = case
            if case.environment is None:
                otherwise = self.text(case.text)
                continue
            if case.environment.text not in self.environment_names:
                suggestion = self.unknown_environment(case.environment)
                if suggestion is not None:
                    misspelt.add(suggestion)  # Most likely meant for the suggestion: it is not missing as well.
            else:
                self.refer("environment", case.environment.text, case.environment.span)
            cases.append((case.environment.text, self.text(case.text)))
        if otherwise is None:
            covered = {name for name, _ in cases} | misspelt
            missing = [name for name in self.environment_names if name not in covered]
            if missing and not self.may_be_hidden_by_syntax_error(syntax):
                self.report(
                    "KON211",
                    f"no value for environment{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
                    f"add {'them' if len(missing) > 1 else 'it'} or an `else = \"...\"` case",
                    syntax.span,
                )
        return model.PerEnvironmentText(tuple(cases), otherwise)

    def reference(self, syntax: ast.Reference) -> model.Reference:
        name = syntax.name.text
        entry = self.lookup(
            name, ("component", "database", "route") if syntax.member is not None else ("constant", "secret", "value")
        )
        if entry is None:
            candidates = list(self.names)
            suggestion = did_you_mean(name, candidates)
            message = f"`{name}` is not declared in application `{self.application_name}`"
            fixes: tuple[Fix, ...] = ()
            if suggestion is None and self.may_be_hidden_by_syntax_error(self.syntax):
                return model.ValueReference(name)  # Most likely declared in a statement with a syntax error.
            if suggestion:
                message += f"; did you mean `{suggestion}`?"
                fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.name.span, suggestion),)),)
                # The misspelt use is most likely a use of the suggestion: do not call that one unused too.
                self.used_values.add(suggestion)
            self.report("KON101", message, syntax.name.span, fixes=fixes)
            return model.ValueReference(name)
        kind, _, node = entry
        member = syntax.member.text if syntax.member is not None else None
        self.refer(kind, name, syntax.name.span)
        if kind in ("component", "database"):
            assert isinstance(node, ast.Component)
            if member not in COMPONENT_MEMBERS:
                self.bad_member(syntax, kind, COMPONENT_MEMBERS)
                return model.ComponentHost(name)
            if not self.has_ports(node) and not self.may_be_hidden_by_syntax_error(node):
                self.report(
                    "KON210",
                    f"`{name}.{member}` needs a port: {kind} `{name}` has none, so nothing can connect to it",
                    syntax.span,
                    (RelatedLocation(node.name.span, f"`{name}` is declared here"),),
                    fixes=self.add_port_fix(node, 8080),
                )
            return model.ComponentHost(name) if member == "host" else model.ComponentPort(name)
        if kind == "route":
            if member not in ROUTE_MEMBERS:
                self.bad_member(syntax, kind, ROUTE_MEMBERS)
                return model.RouteDomain(name)
            return model.RouteDomain(name) if member == "domain" else model.RouteUrl(name)
        if kind == "storage":
            self.report(
                "KON102",
                f"`{name}` is storage; storage is mounted with `mount {name} ... at \"/path\"`, not assigned to a variable",
                syntax.span,
            )
            return model.ValueReference(name)
        if member is not None:
            assert syntax.member is not None
            self.report(
                "KON102",
                f"`{name}` is a {kind} and has no members; use `{name}` alone",
                syntax.member.span,
                fixes=(Fix(f"Use `{name}`", (TextEdit(syntax.span, name),)),),
            )
        self.used_values.add(name)
        return _new_value_reference(name)

    def bad_member(self, syntax: ast.Reference, kind: str, members: tuple[str, ...]) -> None:
        name = syntax.name.text
        listed = " or ".join(f"`{name}.{member}`" for member in members)
        if syntax.member is None:
            self.report("KON102", f"`{name}` is a {kind}: say which fact about it you need, {listed}", syntax.span)
            return
        suggestion = did_you_mean(syntax.member.text, members)
        fixes: tuple[Fix, ...] = ()
        message = f"a {kind} has no member `{syntax.member.text}`; use {listed}"
        if suggestion:
            message = f"a {kind} has no member `{syntax.member.text}`; did you mean `{name}.{suggestion}`?"
            fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.member.span, suggestion),)),)
        self.report("KON102", message, syntax.member.span, fixes=fixes)

    def check_value_cycles(self) -> None:
        graph: dict[str, list[tuple[str, Span]]] = {}
        for value in self.values_syntax:
            targets: list[tuple[str, Span]] = []
            for reference in _references_in(value.expression):
                entry = self.names.get(reference.name.text)
                if entry is not None and entry[0] in ("constant", "secret", "value"):
                    targets.append((reference.name.text, reference.name.span))
            graph[value.name.text] = targets
        state: dict[str, int] = {}

        def visit(node: str) -> None:
            state[node] = 1
            for target, span in graph.get(node, []):
                if state.get(target) == 1:
                    message = (
                        f"`{node}` refers to itself: a value cannot depend on itself"
                        if target == node
                        else f"`{node}` refers to itself through `{target}`: a value cannot depend on itself"
                    )
                    self.report("KON216", message, span)
                elif state.get(target) is None:
                    visit(target)  # noqa: F821 - the enclosing scope deletes `visit` after use.
            state[node] = 2

        for node in graph:
            if state.get(node) is None:
                visit(node)
        del visit  # Break the closure's cycle (see check_promotion_cycles).

    # Storage

    def storage(self, syntax: ast.StorageDeclaration) -> model.Storage:
        self.check_size(syntax.size)
        return model.Storage(
            name=syntax.name.text,
            kubernetes_name=model.kubernetes_name(syntax.name.text),
            size=syntax.size.text,
            persistent=syntax.lifetime != "ephemeral",
            owner=None,
            span=syntax.span,
        )

    def check_size(self, size: ast.Number) -> None:
        if is_size(size.text) and float(re.sub(r"[A-Za-z]+$", "", size.text)) <= 0:
            self.report("KON207", f"`{size.text}` is zero: a size must be more than zero, such as `1Gi`", size.span)
            return
        if not is_size(size.text):
            hint = ""
            match = re.match(r"^([0-9.]+)([A-Za-z]+)$", size.text)
            if match and match.group(2).upper() in ("GB", "MB", "TB", "KB", "PB", "EB"):
                hint = f"; write `{match.group(1)}{match.group(2)[0].replace('K', 'k')}` (powers of 1000) or `{match.group(1)}{match.group(2)[0].upper()}i` (powers of 1024)"
            self.report(
                "KON207",
                f"`{size.text}` is not a size: use a number with a unit such as `500Mi` or `1Gi`"
                " (k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei)" + hint,
                size.span,
            )

    # Components

    def items_of(self, component: ast.Component, kind: type[ItemT]) -> list[ItemT]:
        """The component's items of one kind, in the order they are written."""
        grouped = self.component_items.get(id(component))
        if grouped is None:
            grouped = self.component_items[id(component)] = {}
            for item in component.items:
                grouped.setdefault(type(item), []).append(item)
        return grouped.get(kind, [])

    def has_ports(self, component: ast.Component) -> bool:
        if component.database_type is not None and component.database_type.text in DATABASE_TYPES:
            return True
        return bool(self.items_of(component, ast.Port))

    def add_port_fix(self, component: ast.Component, number: int) -> tuple[Fix, ...]:
        if not component.has_body:
            return ()
        insert_at = component.span.end - 1
        indent = " " * max(component.span.start_column - 1, 0)
        span = Span(insert_at, insert_at, component.span.end_line, component.span.end_column - 1, component.span.end_line, component.span.end_column - 1)
        return (
            Fix(
                f"Add `port {number}` to `{component.name.text}`",
                (TextEdit(span, f"  port {number}\n{indent}"),),
                safe=False,
            ),
        )

    def component(self, syntax: ast.Component) -> model.Component:
        name = syntax.name.text
        database_type = None
        if syntax.database_type is not None:
            type_name = syntax.database_type.text
            if type_name in DATABASE_TYPES:
                database_type = DATABASE_TYPES[type_name]
            else:
                suggestion = did_you_mean(type_name, DATABASE_TYPES)
                message = f"`{type_name}` is not a database type Koncierge knows ({', '.join(DATABASE_TYPES)})"
                fixes: tuple[Fix, ...] = ()
                if suggestion:
                    message += f"; did you mean `{suggestion}`?"
                    fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.database_type.span, suggestion),)),)
                self.report("KON108", message, syntax.database_type.span, fixes=fixes)

        images = self.items_of(syntax, ast.Image)
        image = ""
        image_defaulted = False
        if images:
            image = images[0].reference.value
            for extra in images[1:]:
                self.report("KON204", f"`{name}` has more than one image", extra.span, (RelatedLocation(images[0].span, "the first image"),))
            problem = image_problem(image)
            if not image:
                self.report(
                    "KON204", 'the image is empty: write a reference such as `"registry/name:tag"`', images[0].reference.span
                )
            elif problem:
                self.report("KON204", f"`{image}` is not a valid image reference: {problem}", images[0].reference.span)
            else:
                unpinned = image_is_unpinned(image)
                if unpinned:
                    pinned = (image[: -len(":latest")] if image.endswith(":latest") else image) + ":<version>"
                    self.report(
                        "KON302",
                        f"image `{image}` {unpinned}: the image that runs can change without this file changing; "
                        "pin the version you tested, such as `:1.4.2`, or a digest",
                        images[0].reference.span,
                        fixes=(
                            Fix(
                                "Pin a tag (replace the placeholder with the version you tested)",
                                (TextEdit(images[0].reference.span, escape_image(pinned)),),
                                safe=False,
                            ),
                        )
                        if images[0].reference.is_plain
                        else (),
                    )
        elif database_type is not None:
            image = database_type.image
            image_defaulted = True
        elif syntax.database_type is None and not self.may_be_hidden_by_syntax_error(syntax):
            self.report(
                "KON204",
                f"component `{name}` has no image: add `image \"registry/name:tag\"`",
                syntax.name.span,
            )

        ports = self.ports(syntax, database_type.port if database_type is not None else None)
        variables = self.variables(syntax, database_type)
        command: tuple[str, ...] = ()
        args: tuple[str, ...] = database_type.args if database_type is not None else ()
        self.check_repeated_settings(syntax)
        for item in self.items_of(syntax, ast.CommandLine):
            values = tuple(self.plain_string(literal) for literal in item.items)
            if item.keyword == "command":
                command = values
            else:
                args = values
        mounts, writable_paths = self.mounts(syntax)
        connections = self.connections(syntax)
        size = self.size(syntax)
        health = self.health(syntax, ports)
        self.check_hardening_practices(syntax, image, image_defaulted)
        replicas = None
        for replicas_item in self.items_of(syntax, ast.Replicas):
            replicas = self.whole_number(replicas_item.count, 0, 1000, "replicas")
        if database_type is not None and syntax.database_type is not None:
            persistent = any(
                (mount_storage := self.storage_of(mount)) is not None and mount_storage.persistent for mount in mounts
            )
            if not persistent and not self.may_be_hidden_by_syntax_error(syntax):
                self.report(
                    "KON303",
                    f"database `{name}` has no persistent storage: its data is lost whenever its pod restarts",
                    syntax.name.span,
                    fixes=self.add_storage_fix(syntax, database_type.data_directory),
                )
        return model.Component(
            name=name,
            kubernetes_name=model.kubernetes_name(name),
            database_type=database_type.name if database_type is not None else None,
            image=image,
            ports=ports,
            variables=variables,
            command=command,
            args=args,
            mounts=mounts,
            replicas=replicas,
            image_defaulted=image_defaulted,
            span=syntax.span,
            connections=connections,
            size=size,
            health=health,
            writable_paths=writable_paths,
        )

    def size(self, syntax: ast.Component) -> str | None:
        """`size small|medium|large`; the first one counts (a second is KON215)."""
        sizes = self.items_of(syntax, ast.Size)
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
        self.report("KON219", message, written.span, fixes=fixes)
        return None

    def health(self, syntax: ast.Component, ports: tuple[model.Port, ...]) -> model.HealthCheck | None:
        """`health "/path" [on PORT]`: an HTTP path on one of the component's own TCP ports."""
        checks = self.items_of(syntax, ast.Health)
        if not checks:
            return None
        item = checks[0]
        path = self.plain_string(item.path, "a health endpoint's path")
        valid = True
        if not path.startswith("/") or any(character.isspace() for character in path):
            valid = False
            fixes: tuple[Fix, ...] = ()
            if path and not path.startswith("/") and not any(character.isspace() for character in path):
                fixes = (Fix(f"Use `/{path}`", (TextEdit(item.path.span, f'"/{path}"'),)),)
            self.report(
                "KON220",
                f"health endpoint `{path}` must be a path starting with `/` and without spaces, such as `/healthz`",
                item.path.span,
                fixes=fixes,
            )
        tcp_ports = [port for port in ports if port.protocol == "TCP"]
        if item.port is None:
            if not tcp_ports:
                if self.may_be_hidden_by_syntax_error(syntax):
                    return None
                self.report(
                    "KON210",
                    f"`health` needs a TCP port to ask on: `{syntax.name.text}` has none",
                    item.span,
                    fixes=self.add_port_fix(syntax, 8080),
                )
                return None
            port = tcp_ports[0].number
        elif isinstance(item.port, ast.Number):
            matching = [port for port in tcp_ports if item.port.text.isdigit() and port.number == int(item.port.text)]
            if not matching:
                if self.may_be_hidden_by_syntax_error(syntax):
                    return None
                listed = ", ".join(str(port.number) for port in tcp_ports) or "none"
                number = int(item.port.text) if item.port.text.isdigit() else 0
                self.report(
                    "KON103",
                    f"`{syntax.name.text}` has no TCP port {item.port.text} to ask for its health (its ports: {listed})",
                    item.port.span,
                    fixes=self.add_port_fix(syntax, number) if 1 <= number <= 65535 else (),
                )
                return None
            port = matching[0].number
        else:
            named = [port for port in tcp_ports if port.name == item.port.text]
            if not named:
                if self.may_be_hidden_by_syntax_error(syntax):
                    return None
                suggestion = did_you_mean(item.port.text, [port.name for port in tcp_ports if port.name])
                self.report(
                    "KON103",
                    f"`{syntax.name.text}` has no TCP port named `{item.port.text}`"
                    + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                    item.port.span,
                    fixes=(Fix(f"Replace with `{suggestion}`", (TextEdit(item.port.span, suggestion),)),) if suggestion else (),
                )
                return None
            port = named[0].number
        return model.HealthCheck(path, port, item.span) if valid else None

    def connections(self, syntax: ast.Component) -> tuple[model.ExternalDependency, ...]:
        """`connects to` statements: a host, a URL or an address block, each with its port."""
        found: list[model.ExternalDependency] = []
        for item in self.items_of(syntax, ast.Connects):
            target = self.plain_string(item.target, "external dependencies")
            port: int | None = None
            if item.port is not None:
                if not item.port.text.isdigit() or not 1 <= int(item.port.text) <= 65535:
                    self.report("KON201", f"`{item.port.text}` is not a port: ports are whole numbers from 1 to 65535", item.port.span)
                    continue
                port = int(item.port.text)
            protocol = "TCP"
            if item.protocol is not None:
                if item.protocol.text.lower() not in ("tcp", "udp"):
                    self.report("KON202", f"`{item.protocol.text}` is not a protocol: use `tcp` or `udp`", item.protocol.span)
                    continue
                protocol = item.protocol.text.upper()
            dependency = external_dependency(target, port, protocol)
            if isinstance(dependency, str):
                self.report("KON218", dependency, item.target.span if "port" not in dependency else item.span)
                continue
            found.append(
                model.ExternalDependency(
                    dependency.target, dependency.kind, dependency.address, dependency.port, dependency.protocol, item.span
                )
            )
        return tuple(found)

    def check_hardening_practices(self, syntax: ast.Component, image: str, image_defaulted: bool) -> None:
        """What the generated manifests cannot fix for the author in strict-security environments
        (docs/security.md): images not pinned by digest, and secrets handed over in variables."""
        strict = [environment.name for environment in self.environment_list if environment.strict_security]
        if not strict or self.may_be_hidden_by_syntax_error(syntax):
            return
        where = ", ".join(strict)
        images = self.items_of(syntax, ast.Image)
        if image and "@sha256:" not in image and (image_defaulted or not image_is_unpinned(image)):
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
            self.report(
                "KON308",
                f"image `{image}` is not pinned by digest, which the strict-security environments ({where}) "
                "expect: a tag can be moved to other contents; "
                + ('add `@sha256:...` to it' if images else f'write `image "{image}@sha256:..."` in `{syntax.name.text}`'),
                span,
                fixes=fixes,
            )
        if syntax.database_type is not None:
            # Known databases read their secrets from files (`*_FILE`); the compiler does that itself.
            return
        for item in self.items_of(syntax, ast.Variable):
            if not item.as_file and self.is_secret_expression(item.expression):
                end = Span(
                    item.span.end, item.span.end, item.span.end_line, item.span.end_column,
                    item.span.end_line, item.span.end_column,
                )
                self.report(
                    "KON309",
                    f"secret variable `{item.name.text}` is handed to the program in its environment in the "
                    f"strict-security environments ({where}), where any process or crash dump of the container can "
                    f"read it; have the program read it from a file instead: `as file` gives it `{item.name.text}_FILE`, "
                    "the path of the file (see docs/security.md)",
                    item.span,
                    fixes=(
                        Fix(
                            f"Hand `{item.name.text}` over as a file (the program reads its path from "
                            f"`{item.name.text}_FILE`)",
                            (TextEdit(end, " as file"),),
                            safe=False,
                        ),
                    ),
                )

    def is_secret_expression(self, expression: object, visiting: frozenset[str] = frozenset()) -> bool:
        """Whether a value is (or contains) a secret, following named values."""
        if isinstance(expression, (ast.SecretBase64, ast.SecretPlain, ast.SecretGenerated)):
            return True
        for reference in _references_in(expression):
            name = reference.name.text
            if reference.member is not None or name in visiting:
                continue
            entry = self.lookup(name, ("secret", "value", "constant"))
            if entry is None:
                continue
            if entry[0] == "secret":
                return True
            node = entry[2]
            if entry[0] in ("value", "constant") and isinstance(node, ast.ValueDeclaration):
                known = self.secret_values.get(name)
                if known is None:
                    known = self.is_secret_expression(node.expression, visiting | {name})
                    if not visiting:
                        # Only a complete answer is kept: inside a cycle the walk stops early.
                        self.secret_values[name] = known
                if known:
                    return True
        return False

    def add_storage_fix(self, syntax: ast.Component, data_directory: str) -> tuple[Fix, ...]:
        line = f'storage 1Gi read-write at "{data_directory}"'
        span = syntax.span
        if syntax.has_body:
            insert_at = span.end - 1
            indent = " " * max(span.start_column - 1, 0)
            at = Span(insert_at, insert_at, span.end_line, span.end_column - 1, span.end_line, span.end_column - 1)
            return (Fix("Add 1Gi of persistent storage", (TextEdit(at, f"  {line}\n{indent}"),), safe=False),)
        indent = " " * max(span.start_column - 1, 0)
        at = Span(span.end, span.end, span.end_line, span.end_column, span.end_line, span.end_column)
        return (Fix("Add 1Gi of persistent storage", (TextEdit(at, f" {{\n{indent}  {line}\n{indent}}}"),), safe=False),)

    def storage_of(self, mount: model.Mount) -> model.Storage | None:
        for storage in self.inline_storages:
            if storage.name == mount.storage:
                return storage
        entry = self.lookup(mount.storage, ("storage",))
        if entry is not None and entry[0] == "storage":
            node = entry[2]
            assert isinstance(node, ast.StorageDeclaration)
            return model.Storage(node.name.text, model.kubernetes_name(node.name.text), node.size.text, node.lifetime != "ephemeral")
        return None

    def check_repeated_settings(self, syntax: ast.Component) -> None:
        first: dict[str, ast.ComponentItem] = {}
        for item in syntax.items:
            if isinstance(item, ast.CommandLine):
                setting = item.keyword
            elif isinstance(item, ast.Replicas):
                setting = "replicas"
            elif isinstance(item, ast.Size):
                setting = "size"
            elif isinstance(item, ast.Health):
                setting = "health"
            else:
                continue
            if setting in first:
                self.report(
                    "KON215",
                    f"`{setting}` is given twice in `{syntax.name.text}`; only one can take effect",
                    item.span,
                    (RelatedLocation(first[setting].span, "first given here"),),
                )
            else:
                first[setting] = item

    def plain_string(self, literal: ast.StringLiteral, what: str = "commands and arguments") -> str:
        if not literal.is_plain:
            self.report(
                "KON217",
                f"`${{...}}` cannot be used in {what}: they are taken as written (escape the dollar as `\\$` "
                "to mean the characters `${`)",
                literal.span,
            )
        return literal.value

    def whole_number(self, number: ast.Number, low: int, high: int, what: str) -> int | None:
        if not number.text.isdigit() or not low <= int(number.text) <= high:
            self.report("KON213", f"{what} must be a whole number from {low} to {high}, not `{number.text}`", number.span)
            return None
        return int(number.text)

    def ports(self, syntax: ast.Component, default_port: int | None) -> tuple[model.Port, ...]:
        ports: list[model.Port] = []
        seen: dict[tuple[int, str], ast.Port] = {}
        seen_names: dict[str, ast.Port] = {}
        for item in self.items_of(syntax, ast.Port):
            text = item.number.text
            if not text.isdigit() or not 1 <= int(text) <= 65535:
                self.report("KON201", f"`{text}` is not a port: ports are whole numbers from 1 to 65535", item.number.span)
                continue
            number = int(text)
            protocol = "TCP"
            if item.protocol is not None:
                if item.protocol.text.lower() not in ("tcp", "udp"):
                    suggestion = did_you_mean(item.protocol.text.lower(), ("tcp", "udp"))
                    self.report(
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
                self.report(
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
                    self.report(
                        "KON201",
                        f"two ports are named `{item.name.text}`",
                        item.name.span,
                        (RelatedLocation(seen_names[item.name.text].span, "first named here"),),
                    )
                seen_names[item.name.text] = item
                if not re.match(r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$", item.name.text):
                    self.report(
                        "KON201",
                        f"port name `{item.name.text}` must be at most 15 lower-case letters, digits and `-`",
                        item.name.span,
                    )
            ports.append(model.Port(number, protocol, port_name, False, item.span))
        if not ports and default_port is not None:
            ports.append(model.Port(default_port, "TCP", None, True))
        return tuple(ports)

    def variables(self, syntax: ast.Component, database_type: object) -> tuple[model.Variable, ...]:
        variables: list[model.Variable] = []
        seen: dict[str, ast.Variable] = {}
        for item in self.items_of(syntax, ast.Variable):
            name = item.name.text
            if not _VARIABLE_NAME.match(name):
                replacement = re.sub(r"[^A-Za-z0-9_]", "_", name)
                if replacement[:1].isdigit() or not replacement:
                    replacement = "_" + replacement
                self.report(
                    "KON203",
                    f"`{name}` is not a usable variable name: use letters, digits and `_`, not starting with a digit",
                    item.name.span,
                    fixes=(Fix(f"Rename to `{replacement}`", (TextEdit(item.name.span, replacement),)),),
                )
            if name in seen:
                self.report(
                    "KON203",
                    f"variable `{name}` is set twice in `{syntax.name.text}`",
                    item.name.span,
                    (RelatedLocation(seen[name].name.span, "first set here"),),
                )
                continue
            seen[name] = item
            expression = self.expression(item.expression)
            if item.as_file and not self.is_secret_expression(item.expression):
                self.report(
                    "KON221",
                    f"`{name}` is not a secret: only secrets are handed over as files; remove `as file`",
                    item.span,
                )
            variables.append(_new_variable(name, expression, False, item.span, item.as_file))
        for item in seen.values():
            file_variable = f"{item.name.text}_FILE"
            if item.as_file and file_variable in seen:
                self.report(
                    "KON203",
                    f"`{item.name.text} ... as file` sets `{file_variable}`, which `{syntax.name.text}` also sets",
                    seen[file_variable].name.span,
                    (RelatedLocation(item.span, "handed over as a file here"),),
                )
        from koncierge_lang.requirements.databases import DatabaseType

        if isinstance(database_type, DatabaseType):
            for variable_name, kind, text in database_type.default_variables:
                if variable_name in seen:
                    continue
                default: model.Expression = model.Secret("generated") if kind == "generated" else model.Text((text,))
                variables.append(model.Variable(variable_name, default, True))
            for variable_name, text in database_type.extra_environment:
                if variable_name not in seen:
                    variables.append(model.Variable(variable_name, model.Text((text,)), True))
        return tuple(variables)

    def mounts(self, syntax: ast.Component) -> tuple[tuple[model.Mount, ...], tuple[str, ...]]:
        """The component's mounts and the paths it `writes`, which share one set of paths."""
        mounts: list[model.Mount] = []
        writable: list[str] = []
        paths: dict[str, ast.StringLiteral] = {}
        inline_index = 0
        for item in syntax.items:
            if isinstance(item, ast.Mount):
                storage_name = item.storage.text
                entry = self.lookup(storage_name, ("storage",))
                if entry is None or entry[0] != "storage":
                    storages = [name for name, (kind, _, _) in self.names.items() if kind == "storage"]
                    suggestion = did_you_mean(storage_name, storages)
                    message = (
                        f"`{storage_name}` is not storage declared in application `{self.application_name}`"
                        if entry is None
                        else f"`{storage_name}` is a {entry[0]}, not storage"
                    )
                    fixes: tuple[Fix, ...] = ()
                    if suggestion:
                        message += f"; did you mean `{suggestion}`?"
                        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(item.storage.span, suggestion),)),)
                        # Most likely meant as a mount of the suggestion: do not call that one unused too.
                        self.used_storages.add(suggestion)
                    if entry is not None:
                        self.used_values.add(storage_name)  # Used, wrongly: this error is the one to report.
                    self.report("KON101", message, item.storage.span, fixes=fixes)
                else:
                    self.refer("storage", storage_name, item.storage.span)
                    self.used_storages.add(storage_name)
                path = self.mount_path(item.path, paths)
                mounts.append(model.Mount(storage_name, item.mode == "read-only", path, item.span))
            elif isinstance(item, ast.ComponentStorage):
                self.check_size(item.size)
                inline_index += 1
                suffix = "data" if inline_index == 1 else f"data-{inline_index}"
                storage_name = f"{syntax.name.text}-{suffix}"
                self.inline_storages.append(
                    model.Storage(
                        name=storage_name,
                        kubernetes_name=model.kubernetes_name(storage_name),
                        size=item.size.text,
                        persistent=item.lifetime != "ephemeral",
                        owner=syntax.name.text,
                        span=item.span,
                    )
                )
                path = self.mount_path(item.path, paths)
                mounts.append(model.Mount(storage_name, item.mode == "read-only", path, item.span))
            elif isinstance(item, ast.Writes):
                for literal in item.paths:
                    path = self.mount_path(literal, paths, writes=True)
                    if path.startswith("/") and path.rstrip("/") and path.rstrip("/") not in writable:
                        writable.append(path.rstrip("/"))
        return tuple(mounts), tuple(writable)

    def mount_path(self, literal: ast.StringLiteral, paths: dict[str, ast.StringLiteral], writes: bool = False) -> str:
        path = self.plain_string(literal, "mount paths")
        if not path.startswith("/"):
            self.report(
                "KON208",
                f"{'writable' if writes else 'mount'} path `{path}` is not absolute: containers "
                f"{'write scratch space' if writes else 'mount storage'} at paths starting with `/`",
                literal.span,
                fixes=(Fix(f"Use `/{path}`", (TextEdit(literal.span, f'"/{path}"'),)),),
            )
        elif writes and path.rstrip("/") == "":
            self.report(
                "KON208",
                "`/` cannot be writable scratch space: name the directories the program writes, such as `/var/cache/app`",
                literal.span,
            )
        normalised = path.rstrip("/") or "/"
        if normalised in paths:
            self.report(
                "KON208",
                f"`{path}` is {'already a mount or writable path of' if writes else 'mounted twice in'} this component: "
                "one path holds one volume",
                literal.span,
                (RelatedLocation(paths[normalised].span, "first mounted here"),),
            )
        else:
            paths[normalised] = literal
        return path

    def check_kubernetes_collisions(self, components: list[model.Component], storages: list[model.Storage]) -> None:
        # Point at the name that is written, not at the whole block.
        name_spans: dict[tuple[str, str], Span] = {}
        for component in self.components_syntax:
            name_spans.setdefault(("component", component.name.text), component.name.span)
        for storage in self.storages_syntax:
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
                    self.report(
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
                self.report(
                    "KON105",
                    f"{what + 's' if what == 'component' else what} {describe(earlier)} and {describe(thing)} both become `{k8s_name}` in Kubernetes",
                    span,
                    (RelatedLocation(earlier_span, f"{describe(earlier)} is declared here"),),
                )

    # Routes

    def route(self, syntax: ast.Route) -> model.Route | None:
        subdomain = None
        if syntax.subdomain is not None:
            subdomain = self.plain_string(syntax.subdomain, "a route's subdomain")
            if not is_dns_label(subdomain):
                self.report(
                    "KON206",
                    f"subdomain `{subdomain}` must be one lower-case label of letters, digits and `-`",
                    syntax.subdomain.span,
                )
        path = "/"
        if syntax.path is not None:
            path = self.plain_string(syntax.path, "a route's path")
            if not path.startswith("/"):
                self.report(
                    "KON206",
                    f"route path `{path}` must start with `/`",
                    syntax.path.span,
                    fixes=(Fix(f"Use `/{path}`", (TextEdit(syntax.path.span, f'"/{path}"'),)),),
                )
        target = syntax.component.text
        entry = self.lookup(target, ("component", "database"))
        if entry is None or entry[0] not in ("component", "database"):
            components = [name for name, (kind, _, _) in self.names.items() if kind in ("component", "database")]
            suggestion = did_you_mean(target, components)
            message = (
                f"route `{syntax.name.text}` leads to `{target}`, which is not a component of application "
                f"`{self.application_name}`"
                if entry is None
                else f"route `{syntax.name.text}` leads to `{target}`, which is a {entry[0]}, not a component"
            )
            fixes: tuple[Fix, ...] = ()
            if suggestion:
                message += f"; did you mean `{suggestion}`?"
                fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.component.span, suggestion),)),)
            if entry is not None:
                self.used_values.add(target)  # Used, wrongly: this error is the one to report.
                self.used_storages.add(target)
            self.report("KON101", message, syntax.component.span, fixes=fixes)
            return None
        self.refer(entry[0], target, syntax.component.span)
        component_syntax = entry[2]
        assert isinstance(component_syntax, ast.Component)
        if component_syntax.database_type is not None:
            self.report(
                "KON307",
                f"route `{syntax.name.text}` publishes database `{target}` through the Ingress; a database should "
                "only be reached by the components that use it",
                syntax.component.span,
                (RelatedLocation(component_syntax.name.span, f"`{target}` is declared here"),),
            )
        component_ports = self.ports_quietly(component_syntax)
        if not component_ports:
            if self.may_be_hidden_by_syntax_error(component_syntax):
                return None
            self.report(
                "KON210",
                f"route `{syntax.name.text}` leads to `{target}`, which has no port",
                syntax.component.span,
                (RelatedLocation(component_syntax.name.span, f"`{target}` is declared here"),),
                fixes=self.add_port_fix(component_syntax, int(syntax.port.text) if isinstance(syntax.port, ast.Number) and syntax.port.text.isdigit() else 8080),
            )
            return None
        port_number: int | None = None
        if syntax.port is None:
            if len(component_ports) > 1:
                listed = ", ".join(str(number) for number, _ in component_ports)
                self.report(
                    "KON210",
                    f"`{target}` has several ports ({listed}): say which one the route leads to, such as `{target}:{component_ports[0][0]}`",
                    syntax.component.span,
                )
            port_number = component_ports[0][0]
        elif isinstance(syntax.port, ast.Number):
            if syntax.port.text.isdigit() and any(int(syntax.port.text) == number for number, _ in component_ports):
                port_number = int(syntax.port.text)
            elif self.may_be_hidden_by_syntax_error(component_syntax):
                return None
            else:
                listed = ", ".join(str(number) for number, _ in component_ports)
                fixes = self.add_port_fix(component_syntax, int(syntax.port.text)) if syntax.port.text.isdigit() and 1 <= int(syntax.port.text) <= 65535 else ()
                self.report(
                    "KON103",
                    f"`{target}` has no port {syntax.port.text} (its ports: {listed})",
                    syntax.port.span,
                    (RelatedLocation(component_syntax.name.span, f"`{target}` is declared here"),),
                    fixes=fixes,
                )
                return None
        else:
            named = [number for number, port_name in component_ports if port_name == syntax.port.text]
            if not named:
                names = [port_name for _, port_name in component_ports if port_name]
                suggestion = did_you_mean(syntax.port.text, names)
                self.report(
                    "KON103",
                    f"`{target}` has no port named `{syntax.port.text}`"
                    + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                    syntax.port.span,
                    fixes=(Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.port.span, suggestion),)),) if suggestion else (),
                )
                return None
            port_number = named[0]
        return model.Route(syntax.name.text, subdomain, path, target, port_number, syntax.span)

    def ports_quietly(self, component: ast.Component) -> list[tuple[int, str | None]]:
        ports = [
            (int(item.number.text), item.name.text if item.name else None)
            for item in self.items_of(component, ast.Port)
            if item.number.text.isdigit()
        ]
        if not ports and component.database_type is not None and component.database_type.text in DATABASE_TYPES:
            ports.append((DATABASE_TYPES[component.database_type.text].port, None))
        return ports

    def check_unreachable_routes(self, routes: list[model.Route]) -> None:
        seen: dict[tuple[str | None, str], model.Route] = {}
        for route in routes:
            key = (route.subdomain, route.path.rstrip("/") or "/")
            if key in seen:
                earlier = seen[key]
                host = f"{route.subdomain}.<domain>" if route.subdomain else "<domain>"
                self.report(
                    "KON306",
                    f"route `{route.name}` never receives a request: route `{earlier.name}` already serves {host}{route.path if route.path != '/' else '/'}",
                    route.span,
                    (RelatedLocation(earlier.span, f"route `{earlier.name}` is declared here"),),
                )
            else:
                seen[key] = route

    # Unused declarations

    def check_unused(self) -> None:
        if self.may_be_hidden_by_syntax_error(self.syntax):
            return  # The use may be in a statement the syntax error left out.
        for value in self.values_syntax:
            if len(self.all_declarations.get(value.name.text, ())) > 1:
                continue  # Declared twice: KON104 says so, and a use may have meant either.
            if value.name.text not in self.used_values and self.names.get(value.name.text, (None, None, None))[2] is value:
                self.report(
                    "KON304",
                    f"value `{value.name.text}` is never used",
                    value.name.span,
                )
        for storage in self.storages_syntax:
            if len(self.all_declarations.get(storage.name.text, ())) > 1:
                continue  # Declared twice: KON104 says so, and a use may have meant either.
            if storage.name.text not in self.used_storages and self.names.get(storage.name.text, (None, None, None))[2] is storage:
                self.report(
                    "KON305",
                    f"storage `{storage.name.text}` is mounted by no component",
                    storage.name.span,
                )


def _references_in(expression: object) -> list[ast.Reference]:
    if isinstance(expression, ast.Reference):
        return [expression]
    if isinstance(expression, ast.StringLiteral):
        return list(expression.references)
    if isinstance(expression, ast.PerEnvironment):
        return [reference for case in expression.cases for reference in case.text.references]
    return []
