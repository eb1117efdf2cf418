"""Addresses in text: a port written after a host reference, and literal addresses of components.

`"${rabbitmq.host}:5672"` names port 5672 of `rabbitmq`: the value connects to exactly that port,
which must be one `rabbitmq` publishes (KON103 otherwise). Text that names a component or database
of the application by its host name (`"productcatalogservice:3550"`, `"http://frontend"`,
`"mongodb://carts-db:27017/data"`, also between interpolations) is KON222: Koncierge opens no
network flow for text, so the connection would be blocked. The quick fix writes the address as
references (`${productcatalogservice.host}:${productcatalogservice.port}`); a literal port the
target does not publish is KON103.

The text is read from the string's source (`raw`), where host names and port numbers stand as
written (they contain no character that needs an escape), so that every finding has its exact
place in the file for the message and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.ports import ReachablePort, describe_ports, find_port, reachable_ports
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_PORT_AFTER = re.compile(r":([0-9]{1,5})(?![0-9A-Za-z_])")
# What may stand before a host name in text: the string's start, a separator, `://` or `@`.
_BEFORE_HOST = frozenset(" \t,;=(@")
# What may follow an address: the end of the text, a separator, or a URL's path, query or fragment.
_AFTER_ADDRESS = frozenset(" \t,;)/?#")


@dataclass(frozen=True, slots=True)
class _Piece:
    """A piece of a string's source: literal text, or an interpolation `${...}` (`reference` the
    reference read from it, if one was)."""

    start: int
    end: int
    reference: ast.Reference | None = None


def _pieces(literal: ast.StringLiteral) -> list[_Piece]:
    """The string's source between its quotes, as literal pieces and interpolations."""
    raw = literal.raw
    references = list(literal.references)
    pieces: list[_Piece] = []
    index, literal_start, end = 1, 1, len(raw) - 1
    while index < end:
        if raw[index] == "\\":
            index += 2
            continue
        if raw.startswith("${", index):
            close = raw.find("}", index + 2, end)
            if close == -1:
                break
            if literal_start < index:
                pieces.append(_Piece(literal_start, index))
            # A string never spans lines: its characters are columns of its first line.
            line, column = literal.span.start_line, literal.span.start_column
            first, last = (line, column + index), (line, column + close + 1)
            inside = next(
                (reference for reference in references if first <= reference.span.start and reference.span.end <= last),
                None,
            )
            pieces.append(_Piece(index, close + 1, inside))
            index = literal_start = close + 1
            continue
        index += 1
    if literal_start < end:
        pieces.append(_Piece(literal_start, end))
    return pieces


def _span(literal: ast.StringLiteral, start: int, end: int) -> Span:
    """The place of `raw[start:end]` in the file: a string never spans lines."""
    at = literal.span
    return Span(at.start_line, at.start_column + start, at.start_line, at.start_column + end)


def check_addresses(scope: ApplicationScope, literal: ast.StringLiteral, parts: list[str | model.Reference]) -> None:
    """Ports written after host references (recorded in `parts`), and literal addresses (KON222)."""
    if ":" not in literal.raw:
        return  # Neither an address with a port nor a URL.
    # The common cases are read from the parts; the string's source only where a message or a
    # fix needs a place in it.
    if not _ports_after_hosts_known(scope, literal, parts):
        _ports_after_hosts(scope, literal, _pieces(literal), parts)
    if not _names_a_host(scope, literal):
        return
    pieces = _pieces(literal)
    raw = literal.raw
    for position, piece in enumerate(pieces):
        if piece.reference is not None:
            continue
        text = raw[piece.start : piece.end]
        follows_interpolation = position > 0
        next_piece = pieces[position + 1] if position + 1 < len(pieces) else None
        for word in _WORD.finditer(text):
            component = scope.host_component(word.group().lower())
            if component is None:
                continue
            before = text[: word.start()]
            if before:
                url_host = before.endswith("//") or before.endswith("@")
                if not url_host and before[-1] not in _BEFORE_HOST:
                    continue
            elif follows_interpolation:
                continue  # Glued to the value of an interpolation: not a host name of its own.
            else:
                url_host = False
            after = text[word.end() :]
            port_match = _PORT_AFTER.match(after)
            if port_match is not None:
                rest = after[port_match.end() :]
                if rest and rest[0] not in _AFTER_ADDRESS:
                    continue  # `user:1234@host`: the text before `@` is not a host.
                _literal_address(scope, literal, component, piece.start + word.start(), piece.start + word.end(), port_match, piece.start + word.end())
            elif after == ":" and next_piece is not None and next_piece.reference is not None:
                _literal_address(scope, literal, component, piece.start + word.start(), piece.start + word.end(), None, 0)
            elif url_host and (not after or after[0] in _AFTER_ADDRESS) and not (after == "" and next_piece is not None):
                _literal_address(scope, literal, component, piece.start + word.start(), piece.start + word.end(), None, 0)


def _ports_after_hosts_known(scope: ApplicationScope, literal: ast.StringLiteral, parts: list[str | model.Reference]) -> bool:
    """`${x.host}:5672` where `x` publishes 5672: the port recorded in `parts` (one part per part
    of the string). False where a port is not one the host publishes: that is reported with its
    place (`_ports_after_hosts`)."""
    syntax_parts = literal.parts
    for index, part in enumerate(syntax_parts[:-1]):
        following = syntax_parts[index + 1]
        if not isinstance(part, ast.Reference) or part.member is None or part.member.text != "host":
            continue
        if not isinstance(following, str):
            continue
        port_match = _PORT_AFTER.match(following)
        if port_match is None:
            continue
        entry = scope.lookup(part.name.text, ("component", "database"))
        if entry is None or not isinstance(entry[2], ast.Component):
            continue
        found = find_port(reachable_ports(scope, entry[2]), int(port_match.group(1)), clients_only=True)
        if found is None:
            return False
        host = parts[index]
        if isinstance(host, model.ComponentHost) and host.port is None:
            parts[index] = model.ComponentHost(host.component, found.number)
    return True


def _names_a_host(scope: ApplicationScope, literal: ast.StringLiteral) -> bool:
    """Whether a literal piece of the string holds a word that is a component's host name."""
    return any(
        isinstance(part, str)
        and any(scope.host_component(word.group().lower()) is not None for word in _WORD.finditer(part))
        for part in literal.parts
    )


def _ports_after_hosts(
    scope: ApplicationScope, literal: ast.StringLiteral, pieces: list[_Piece], parts: list[str | model.Reference]
) -> None:
    """`${x.host}:5672`: the host reference names port 5672 (KON103 when `x` does not publish it)."""
    raw = literal.raw
    for position, piece in enumerate(pieces[:-1]):
        reference = piece.reference
        following = pieces[position + 1]
        if reference is None or reference.member is None or reference.member.text != "host" or following.reference is not None:
            continue
        port_match = _PORT_AFTER.match(raw, following.start)
        if port_match is None:
            continue
        entry = scope.lookup(reference.name.text, ("component", "database"))
        if entry is None or not isinstance(entry[2], ast.Component):
            continue
        target = entry[2]
        ports = reachable_ports(scope, target)
        number = int(port_match.group(1))
        found = find_port(ports, number, clients_only=True)
        if found is None:
            _unknown_port(scope, literal, target, ports, number, port_match.start(1), port_match.end(1))
            continue
        index = next(
            (
                index
                for index, part in enumerate(parts)
                if isinstance(part, model.ComponentHost) and part.component == reference.name.text and part.port is None
            ),
            None,
        )
        if index is not None:
            parts[index] = model.ComponentHost(reference.name.text, found.number)


def _unknown_port(
    scope: ApplicationScope,
    literal: ast.StringLiteral,
    target: ast.Component,
    ports: list[ReachablePort],
    number: int,
    start: int,
    end: int,
) -> None:
    kind = "database" if target.database_type is not None else "component"
    name = target.name.text
    listed = describe_ports(ports) or "none"
    container = ports[0].container if ports else 8080
    listening = next((port for port in ports if port.container == number and port.number != number), None)
    if listening is not None:
        message = (
            f"{kind} `{name}` listens on {number}, but clients reach it on {listening.number} "
            f"(`port {listening.name + ' ' if listening.name else ''}{listening.number} -> {number}`): use {listening.number}"
        )
    else:
        message = (
            f"{kind} `{name}` has no port {number} (its ports: {listed}): use one of them, or publish "
            f"{number} (`port {number} -> {container}` if the program listens on {container})"
        )
    scope.report(
        "KON103",
        message,
        _span(literal, start, end),
        (RelatedLocation(target.name.span, f"`{name}` is declared here"),),
    )


def _literal_address(
    scope: ApplicationScope,
    literal: ast.StringLiteral,
    target: ast.Component,
    host_start: int,
    host_end: int,
    port_match: re.Match[str] | None,
    port_offset: int,
) -> None:
    """KON222 at a host name in text, with the fix that writes it as references; KON103 when the
    port it names is not one the target publishes."""
    name = target.name.text
    raw = literal.raw
    host = raw[host_start:host_end]
    replacement = "${" + name + ".host}"
    end = host_end
    written = host
    if port_match is not None:
        number = int(port_match.group(1))
        ports = reachable_ports(scope, target)
        found = find_port(ports, number, clients_only=True)
        if found is None:
            _unknown_port(scope, literal, target, ports, number, port_offset + port_match.start(1), port_offset + port_match.end(1))
            return
        end = port_offset + port_match.end()
        written = raw[host_start:end]
        if found is ports[0]:
            port_text = "${" + name + ".port}"
        elif found.name:
            port_text = "${" + name + "." + found.name + "}"
        else:
            port_text = str(found.number)
        replacement += ":" + port_text
    kind = "database" if target.database_type is not None else "component"
    scope.report(
        "KON222",
        f"`{written}` names {kind} `{name}` in text: Koncierge opens no network flow for text, so the "
        f"network policies block this connection; write it as a reference: `{replacement}`",
        _span(literal, host_start, end),
        (RelatedLocation(target.name.span, f"`{name}` is declared here"),),
        fixes=(Fix(f"Write `{replacement}`", (TextEdit(_span(literal, host_start, end), replacement),)),),
    )
