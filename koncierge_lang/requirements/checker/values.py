"""Values and expressions: constants, secrets, text per environment, and references to other names.

A reference names a value (`db_name`), or a fact about a component or database (`.host`,
`.port`) or a route (`.domain`, `.url`); anything else is KON101 or KON102, and a fact about a
component without ports is KON210. Text per environment covers every environment or has an `else`
(KON211) and gives each once (KON215); base64 secrets must decode (KON212); a value cannot depend
on itself (KON216). Whether a value is a secret, following the values it refers to, is asked by
the components (`as file`) and by the best-practice passes.
"""

from __future__ import annotations

import base64
import binascii

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.performance import frozen_constructor
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.addresses import check_addresses
from koncierge_lang.requirements.checker.cycles import closing_references
from koncierge_lang.requirements.checker.databases import has_ports
from koncierge_lang.requirements.checker.environments import unknown_environment
from koncierge_lang.requirements.checker.fixes import add_port_fix
from koncierge_lang.requirements.checker.literals import whole_number
from koncierge_lang.requirements.checker.ports import COMPONENT_MEMBERS, reachable_ports
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast

ROUTE_MEMBERS = ("domain", "url")

# Built for nearly every reference: without the frozen dataclass's slower `__init__`.
_new_value_reference = frozen_constructor(model.ValueReference)


def value(scope: ApplicationScope, syntax: ast.ValueDeclaration) -> model.Value:
    expression_model = expression(scope, syntax.expression)
    return model.Value(syntax.name.text, syntax.keyword, expression_model, syntax.span)


def expression(scope: ApplicationScope, syntax: object) -> model.Expression:
    """The meaning of a value's or a variable's expression, its names resolved."""
    if isinstance(syntax, ast.StringLiteral):
        return text(scope, syntax)
    if isinstance(syntax, ast.Reference):
        return reference(scope, syntax)
    if isinstance(syntax, ast.PerEnvironment):
        return per_environment(scope, syntax)
    if isinstance(syntax, ast.SecretPlain):
        # A password in plain text is a best-practice warning (practices/plain_text_password.py).
        return model.Secret("plain", syntax.text.value)
    if isinstance(syntax, ast.SecretBase64):
        encoded = syntax.text.value
        try:
            base64.b64decode(encoded.encode("ascii"), validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            scope.report("KON212", f"`{encoded}` is not valid base64", syntax.text.span)
        return model.Secret("base64", encoded)
    if isinstance(syntax, ast.SecretStore):
        key = syntax.key.value
        if not key.strip():
            scope.report(
                "KON235",
                "the key of a secret in a store is empty: write the key of its entry, such as `\"payments/stripe-key\"`",
                syntax.key.span,
            )
        elif not syntax.key.is_plain:
            scope.report(
                "KON235",
                "the key of a secret in a store is fixed text, such as `\"payments/stripe-key\"`; "
                "the store's key pattern (docs/secrets.md) adds the application and environment when you need them",
                syntax.key.span,
            )
        return model.Secret("store", key)
    if isinstance(syntax, ast.SecretGenerated):
        length = 32
        if syntax.length is not None:
            parsed = whole_number(scope, syntax.length, 8, 1024, "a generated secret's length")
            length = parsed if parsed is not None else length
        return model.Secret("generated", "", length)
    return model.Text(())


def text(scope: ApplicationScope, syntax: ast.StringLiteral) -> model.Text:
    parts: list[str | model.Reference] = []
    for part in syntax.parts:
        if isinstance(part, str):
            parts.append(part)
        else:
            parts.append(reference(scope, part))
    check_addresses(scope, syntax, parts)
    return model.Text(tuple(parts))


def per_environment(scope: ApplicationScope, syntax: ast.PerEnvironment) -> model.PerEnvironmentText:
    """`{ PROD = "...", else = "..." }`: each environment once, and every one covered."""
    cases: list[tuple[str, model.Text]] = []
    otherwise: model.Text | None = None
    misspelt: set[str] = set()
    seen_cases: dict[str, ast.EnvironmentCase] = {}
    for case in syntax.cases:
        key = case.environment.text if case.environment is not None else "else"
        if key in seen_cases:
            scope.report(
                "KON215",
                f"`{key}` is given twice in this text per environment",
                case.span,
                (RelatedLocation(seen_cases[key].span, "first given here"),),
            )
            continue
        seen_cases[key] = case
        if case.environment is None:
            otherwise = text(scope, case.text)
            continue
        if case.environment.text not in scope.environment_names:
            suggestion = unknown_environment(scope, case.environment)
            if suggestion is not None:
                misspelt.add(suggestion)  # Most likely meant for the suggestion: it is not missing as well.
        else:
            scope.refer("environment", case.environment.text, case.environment.span)
        cases.append((case.environment.text, text(scope, case.text)))
    if otherwise is None:
        covered = {name for name, _ in cases} | misspelt
        missing = [name for name in scope.environment_names if name not in covered]
        if missing and not scope.may_be_hidden_by_syntax_error(syntax):
            scope.report(
                "KON211",
                f"no value for environment{'s' if len(missing) > 1 else ''} {', '.join(missing)}: "
                f"add {'them' if len(missing) > 1 else 'it'} or an `else = \"...\"` case",
                syntax.span,
            )
    return model.PerEnvironmentText(tuple(cases), otherwise)


def reference(scope: ApplicationScope, syntax: ast.Reference) -> model.Reference:
    """What a reference names, resolved in the application's namespace."""
    name = syntax.name.text
    entry = scope.lookup(
        name, ("component", "database", "route") if syntax.member is not None else ("constant", "secret", "value")
    )
    if entry is None:
        candidates = list(scope.names)
        suggestion = did_you_mean(name, candidates)
        message = f"`{name}` is not declared in application `{scope.application_name}`"
        fixes: tuple[Fix, ...] = ()
        if suggestion is None and scope.may_be_hidden_by_syntax_error(scope.syntax):
            return model.ValueReference(name)  # Most likely declared in a statement with a syntax error.
        if suggestion:
            message += f"; did you mean `{suggestion}`?"
            fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.name.span, suggestion),)),)
            # The misspelt use is most likely a use of the suggestion: do not call that one unused too.
            scope.use_value(suggestion)
        scope.report("KON101", message, syntax.name.span, fixes=fixes)
        return model.ValueReference(name)
    kind, _, node = entry
    member = syntax.member.text if syntax.member is not None else None
    scope.refer(kind, name, syntax.name.span)
    if kind in ("component", "database"):
        assert isinstance(node, ast.Component)
        if member not in COMPONENT_MEMBERS:
            port_names = [
                port.name for port in reachable_ports(scope, node) if port.name and port.name not in COMPONENT_MEMBERS
            ]
            if member is not None and member in port_names:
                return model.ComponentPort(name, member)
            bad_member(scope, syntax, kind, COMPONENT_MEMBERS, tuple(port_names))
            return model.ComponentHost(name)
        if not has_ports(scope, node) and not scope.may_be_hidden_by_syntax_error(node):
            scope.report(
                "KON210",
                f"`{name}.{member}` needs a port: {kind} `{name}` has none, so nothing can connect to it",
                syntax.span,
                (RelatedLocation(node.name.span, f"`{name}` is declared here"),),
                fixes=add_port_fix(node, 8080),
            )
        return model.ComponentHost(name) if member == "host" else model.ComponentPort(name)
    if kind == "route":
        if member not in ROUTE_MEMBERS:
            bad_member(scope, syntax, kind, ROUTE_MEMBERS)
            return model.RouteDomain(name)
        return model.RouteDomain(name) if member == "domain" else model.RouteUrl(name)
    if kind == "storage":
        scope.report(
            "KON102",
            f"`{name}` is storage; storage is mounted with `mount {name} ... at \"/path\"`, not assigned to a variable",
            syntax.span,
        )
        return model.ValueReference(name)
    if member is not None:
        assert syntax.member is not None
        scope.report(
            "KON102",
            f"`{name}` is a {kind} and has no members; use `{name}` alone",
            syntax.member.span,
            fixes=(Fix(f"Use `{name}`", (TextEdit(syntax.span, name),)),),
        )
    scope.use_value(name)
    return _new_value_reference(name)


def bad_member(
    scope: ApplicationScope, syntax: ast.Reference, kind: str, members: tuple[str, ...], port_names: tuple[str, ...] = ()
) -> None:
    """KON102 for a missing or unknown member of a component, database or route (a component's
    members are `.host`, `.port`, its first port, and its named ports)."""
    name = syntax.name.text
    if kind in ("component", "database"):
        listed = f"`{name}.host` or `{name}.port` (its first port)" + "".join(
            f", `{name}.{port_name}`" for port_name in port_names
        )
        if not port_names:
            listed += "; name a port (`port amqp 5672`) to refer to it by name"
    else:
        listed = " or ".join(f"`{name}.{member}`" for member in members)
    if syntax.member is None:
        scope.report("KON102", f"`{name}` is a {kind}: say which fact about it you need, {listed}", syntax.span)
        return
    suggestion = did_you_mean(syntax.member.text, members + port_names)
    fixes: tuple[Fix, ...] = ()
    message = f"{kind} `{name}` has no member or port named `{syntax.member.text}`; use {listed}" if kind in (
        "component",
        "database",
    ) else f"a {kind} has no member `{syntax.member.text}`; use {listed}"
    if suggestion:
        message = f"a {kind} has no member `{syntax.member.text}`; did you mean `{name}.{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(syntax.member.span, suggestion),)),)
    scope.report("KON102", message, syntax.member.span, fixes=fixes)


def check_value_cycles(scope: ApplicationScope) -> None:
    """KON216 for every value that depends on itself, directly or through others, naming the
    values the circle goes through. However long the chain, each reference is followed once
    (`cycles.py`)."""
    graph: dict[str, list[tuple[str, Span]]] = {}
    for declaration in scope.values_syntax:
        targets: list[tuple[str, Span]] = []
        for used in references_in(declaration.expression):
            entry = scope.names.get(used.name.text)
            if entry is not None and entry[0] in ("constant", "secret", "value"):
                targets.append((used.name.text, used.name.span))
        graph[declaration.name.text] = targets
    for name, span, length, shown in closing_references(graph):
        scope.report("KON216", _cycle_message(name, shown[:-1], length), span)


def _cycle_message(name: str, through: list[str], length: int) -> str:
    """KON216's message: `name` and the values its reference goes through to come back to it
    (`through`, shortened with `...` in a circle of `length` values longer than a line)."""
    if not through:
        return f"`{name}` refers to itself: a value cannot depend on itself"
    quoted = [member if member == "..." else f"`{member}`" for member in through]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    if "..." in through:
        listed += f" (a circle of {length:,} values)"
    return f"`{name}` refers to itself through {listed}: a value cannot depend on itself"


def is_secret_expression(scope: ApplicationScope, syntax: object) -> bool:
    """Whether a value is (or contains) a secret, following named values."""
    if isinstance(syntax, ast.SECRET_EXPRESSION_TYPES):
        return True
    secret_names = secret_value_names(scope)
    for used in references_in(syntax):
        if used.member is None and used.name.text in secret_names:
            return True
    return False


def secret_value_names(scope: ApplicationScope) -> frozenset[str]:
    """The names of the secrets, and of the constants and values that are (or contain) a secret
    through the values they refer to, however long the chain: worked out once per application,
    from the secrets back along the references (linear in the number of references)."""
    if scope.reads is not None:
        # Recorded as one read of which values are secrets, not as the look-ups that find them.
        reads, scope.reads = scope.reads, None
        try:
            return secret_value_names(scope)
        finally:
            reads.secrets = True
            scope.reads = reads
    if scope.secret_values is not None:
        return scope.secret_values
    kinds = ("secret", "value", "constant")
    referred_by: dict[str, list[str]] = {}
    secret: list[str] = []
    for name in dict.fromkeys(declaration.name.text for declaration in scope.values_syntax):
        entry = scope.lookup(name, kinds)
        if entry is None:
            continue
        node = entry[2]
        if entry[0] == "secret" or (
            isinstance(node, ast.ValueDeclaration)
            and isinstance(node.expression, ast.SECRET_EXPRESSION_TYPES)
        ):
            secret.append(name)
            continue
        if entry[0] not in ("value", "constant") or not isinstance(node, ast.ValueDeclaration):
            continue
        for used in references_in(node.expression):
            if used.member is None:
                referred_by.setdefault(used.name.text, []).append(name)
    found = set(secret)
    while secret:
        for referrer in referred_by.get(secret.pop(), ()):
            if referrer not in found:
                found.add(referrer)
                secret.append(referrer)
    scope.secret_values = frozenset(found)
    return scope.secret_values


def references_in(syntax: object) -> list[ast.Reference]:
    """The references an expression makes, in order."""
    if isinstance(syntax, ast.Reference):
        return [syntax]
    if isinstance(syntax, ast.StringLiteral):
        return list(syntax.references)
    if isinstance(syntax, ast.PerEnvironment):
        return [used for case in syntax.cases for used in case.text.references]
    return []
