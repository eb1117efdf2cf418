"""Text and numbers as they are written: strings taken literally, whole numbers, sizes and domains.

Every language area reads some of its settings this way: a command's arguments and a mount's path
are plain strings (KON217 when they interpolate), replicas and lengths are whole numbers in a range
(KON213), storage sizes are Kubernetes quantities (KON207), and domains are DNS names.
"""

from __future__ import annotations

import re

from koncierge_lang.naming import is_dns_subdomain, is_size
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast


def plain_string(scope: ApplicationScope, literal: ast.StringLiteral, what: str = "commands and arguments") -> str:
    """The text of a string that is taken as written; `${...}` in it is KON217."""
    if not literal.is_plain:
        scope.report(
            "KON217",
            f"`${{...}}` cannot be used in {what}: they are taken as written (escape the dollar as `\\$` "
            "to mean the characters `${`)",
            literal.span,
        )
    return literal.value


def whole_number(scope: ApplicationScope, number: ast.Number, low: int, high: int, what: str) -> int | None:
    """A whole number from `low` to `high`, or None after KON213."""
    if not number.text.isdigit() or not low <= int(number.text) <= high:
        scope.report("KON213", f"{what} must be a whole number from {low} to {high}, not `{number.text}`", number.span)
        return None
    return int(number.text)


def check_size(scope: ApplicationScope, size: ast.Number) -> None:
    """A storage size: a quantity with a unit, more than zero (KON207)."""
    if is_size(size.text) and float(re.sub(r"[A-Za-z]+$", "", size.text)) <= 0:
        scope.report("KON207", f"`{size.text}` is zero: a size must be more than zero, such as `1Gi`", size.span)
        return
    if not is_size(size.text):
        hint = ""
        match = re.match(r"^([0-9.]+)([A-Za-z]+)$", size.text)
        if match and match.group(2).upper() in ("GB", "MB", "TB", "KB", "PB", "EB"):
            hint = f"; write `{match.group(1)}{match.group(2)[0].replace('K', 'k')}` (powers of 1000) or `{match.group(1)}{match.group(2)[0].upper()}i` (powers of 1024)"
        scope.report(
            "KON207",
            f"`{size.text}` is not a size: use a number with a unit such as `500Mi` or `1Gi`"
            " (k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei)" + hint,
            size.span,
        )


def valid_domain(domain: str) -> bool:
    """Whether a domain is a DNS name a route host can be made of."""
    if not domain or len(domain) > 253:
        return False
    return is_dns_subdomain(domain)


# `30`, `30s`, `2m`, `1m30s`, `1h`: whole seconds, minutes and hours, largest first.
_DURATION = re.compile(r"(?:(?P<hours>[0-9]+)h)?(?:(?P<minutes>[0-9]+)m)?(?:(?P<seconds>[0-9]+)s?)?")


def duration_seconds(text: str) -> int | None:
    """A duration as the language writes it (probe timing, `stops within`) in seconds: `10`,
    `10s`, `2m`, `1m30s`, `1h`; None for anything else."""
    match = _DURATION.fullmatch(text)
    if match is None or not text:
        return None
    hours, minutes, seconds = match.group("hours"), match.group("minutes"), match.group("seconds")
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0)
