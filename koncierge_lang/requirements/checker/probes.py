"""Probes: `probe ready|live|startup http|grpc|tcp|command ...` and their timing.

A probe's kind is `ready`, `live` or `startup` (KON223, with a did-you-mean), given once per
component (KON215). An `http` probe asks for a path starting with `/` (KON223) and may send
headers, which no other check can (KON223). `http`, `grpc` and `tcp` ask on one of the component's
own TCP ports, the first when none is named (KON210 when it has none, KON103 when it has not that
one); the probe connects to the port the program listens on (`port http 80 -> 8080`: 8080).
`every`, `after` and `timeout` are whole seconds, written `10`, `10s`, `2m` or `1m30s`, and
`failures` a count (KON224); each option once per probe (KON215).
"""

from __future__ import annotations

import re

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.fixes import add_port_fix
from koncierge_lang.requirements.checker.literals import duration_seconds, plain_string
from koncierge_lang.requirements.checker.ports import ReachablePort, reachable_ports, resolve_port
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.syntax import ast

PROBE_KINDS = ("ready", "live", "startup")
# What people write for a kind, from Kubernetes' own names.
_KIND_ALIASES = {
    "readiness": "ready",
    "liveness": "live",
    "alive": "live",
    "start": "startup",
    "started": "startup",
    "starting": "startup",
}
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# The longest a probe may wait for anything: longer is a mistake in the unit.
_LONGEST = 3600
_LONGEST_TEXT = "1 hour (`60m`)"
_MOST_FAILURES = 1000


def probes(scope: ApplicationScope, syntax: ast.Component) -> tuple[model.ProbeCheck, ...]:
    """The component's probes, checked: one per kind, in the order written."""
    checked: list[model.ProbeCheck] = []
    first: dict[str, ast.Probe] = {}
    for item in scope.items_of(syntax, ast.Probe):
        kind = _kind(scope, item.kind)
        if kind is None:
            # Its kind is wrong, but the rest of it is still worth checking.
            _probe(scope, syntax, item, item.kind.text)
            continue
        if kind in first:
            scope.report(
                "KON215",
                f"`probe {kind}` is given twice in `{syntax.name.text}`; only one can take effect",
                item.span,
                (RelatedLocation(first[kind].span, "first given here"),),
            )
            continue
        first[kind] = item
        probe = _probe(scope, syntax, item, kind)
        if probe is not None:
            checked.append(probe)
    return tuple(checked)


def _kind(scope: ApplicationScope, name: ast.Name) -> str | None:
    if name.text in PROBE_KINDS:
        return name.text
    suggestion = _KIND_ALIASES.get(name.text.lower()) or did_you_mean(name.text.lower(), PROBE_KINDS)
    message = f"`{name.text}` is not a kind of probe: use `ready`, `live` or `startup`"
    fixes: tuple[Fix, ...] = ()
    if suggestion:
        message += f"; did you mean `{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(name.span, suggestion),)),)
    scope.report("KON223", message, name.span, fixes=fixes)
    return None


def _probe(scope: ApplicationScope, syntax: ast.Component, item: ast.Probe, kind: str) -> model.ProbeCheck | None:
    valid = True
    path = ""
    command: tuple[str, ...] = ()
    port = 0
    if item.check == "command":
        command = tuple(plain_string(scope, literal) for literal in item.command)
        if not command or not command[0]:
            scope.report(
                "KON223",
                f"`probe {kind} command` needs the program to run, such as `[\"redis-cli\", \"ping\"]`",
                item.span,
            )
            valid = False
    else:
        if item.path is not None:
            path = plain_string(scope, item.path, "a probe's path")
            valid &= _check_path(scope, item.path, path)
        found = _port(scope, syntax, item, kind)
        if found is None:
            valid = False
        else:
            port = found.container
    timing: dict[str, int] = {}
    headers: list[tuple[str, str]] = []
    seen: dict[str, ast.ProbeOption] = {}
    for option in item.options:
        if option.name in seen and option.name != "header":
            scope.report(
                "KON215",
                f"`{option.name}` is given twice in `probe {kind}`; only one can take effect",
                option.span,
                (RelatedLocation(seen[option.name].span, "first given here"),),
            )
            continue
        seen[option.name] = option
        if option.header is not None:
            header = _header(scope, item, kind, option, option.header)
            if header is not None:
                headers.append(header)
        elif option.value is not None:
            value = _timing(scope, option.name, option.value)
            if value is not None:
                timing[option.name] = value
    if not valid:
        return None
    return model.ProbeCheck(
        kind=kind,
        check=item.check,
        port=port,
        path=path,
        command=command,
        headers=tuple(headers),
        every=timing.get("every"),
        after=timing.get("after"),
        timeout=timing.get("timeout"),
        failures=timing.get("failures"),
        span=item.span,
    )


def _check_path(scope: ApplicationScope, literal: ast.StringLiteral, path: str) -> bool:
    if path.startswith("/") and not any(character.isspace() for character in path):
        return True
    fixes: tuple[Fix, ...] = ()
    if path and not any(character.isspace() for character in path):
        fixes = (Fix(f"Use `/{path}`", (TextEdit(literal.span, f'"/{path}"'),)),)
    scope.report(
        "KON223",
        f"`{path}` is not a path to ask for: start it with `/` and leave out spaces, such as `/healthz`",
        literal.span,
        fixes=fixes,
    )
    return False


def _port(scope: ApplicationScope, syntax: ast.Component, item: ast.Probe, kind: str) -> ReachablePort | None:
    """The TCP port the probe asks on: the one it names, else the component's first TCP port."""
    what = f"`probe {kind} {item.check}`"
    if item.port is None:
        tcp_ports = [port for port in reachable_ports(scope, syntax) if port.protocol == "TCP"]
        if tcp_ports:
            return tcp_ports[0]
        if not scope.may_be_hidden_by_syntax_error(syntax):
            scope.report(
                "KON210",
                f"{what} needs a TCP port to ask on: `{syntax.name.text}` has none",
                item.span,
                fixes=add_port_fix(syntax, 8080),
            )
        return None
    found = resolve_port(scope, syntax, item.port, item.port.span, what)
    if found is not None and found.protocol != "TCP":
        scope.report(
            "KON223",
            f"{what} connects over TCP, but port `{item.port.text}` of `{syntax.name.text}` is {found.protocol}",
            item.port.span,
        )
        return None
    return found


def _header(
    scope: ApplicationScope,
    item: ast.Probe,
    kind: str,
    option: ast.ProbeOption,
    header: tuple[ast.StringLiteral, ast.StringLiteral],
) -> tuple[str, str] | None:
    if item.check != "http":
        scope.report(
            "KON223",
            f"only an `http` probe sends headers; `probe {kind} {item.check}` cannot: remove the header",
            option.span,
            fixes=(Fix("Remove the header", (TextEdit(option.span, ""),)),),
        )
        return None
    name = plain_string(scope, header[0], "a probe's header")
    value = plain_string(scope, header[1], "a probe's header")
    if not _HEADER_NAME.fullmatch(name):
        scope.report(
            "KON223",
            f"`{name}` is not a header name: use letters, digits and `-`, such as `X-Probe`",
            header[0].span,
        )
        return None
    return name, value


def _timing(scope: ApplicationScope, option: str, number: ast.Number) -> int | None:
    """`failures`: a count from 1; the others: seconds, `after` from 0 and the rest from 1."""
    text = number.text
    if option == "failures":
        if text.isdigit() and 1 <= int(text) <= _MOST_FAILURES:
            return int(text)
        scope.report(
            "KON224",
            f"`failures` counts failed checks in a row: a whole number from 1 to {_MOST_FAILURES}, not `{text}`",
            number.span,
        )
        return None
    seconds = duration_seconds(text)
    lowest = 0 if option == "after" else 1
    if seconds is not None and lowest <= seconds <= _LONGEST:
        return seconds
    if seconds is not None:
        problem = f"`{option}` must be from {lowest}s to {_LONGEST_TEXT}, not `{text}`"
    elif text.endswith("ms"):
        problem = f"`{text}` is shorter than probes count: they wait whole seconds, such as `1s`"
    else:
        problem = f"`{text}` is not a time: write seconds, minutes or hours, such as `10`, `10s`, `2m`, `1m30s` or `1h`"
    scope.report("KON224", problem, number.span)
    return None
