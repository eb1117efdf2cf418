"""Kubernetes' rules for names and quantities, in one place for the checker, the settings and the
compiler's limit checks.

Every pattern is meant for `fullmatch`. Lengths are checked by the functions, not the patterns.
"""

from __future__ import annotations

import re

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
"""RFC 1123 label: Services and Namespaces are named so (at most 63 characters)."""

DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
"""RFC 1123 subdomain: most objects' names and every host (at most 253 characters)."""

LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
"""A label's value (at most 63 characters; may be empty)."""

QUALIFIED_NAME = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
"""The name part of a label or annotation key (at most 63 characters), after an optional DNS
subdomain prefix and `/` (`prometheus.io/scrape`)."""

SIZE_UNITS = ("Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "k", "M", "G", "T", "P", "E")
QUANTITY = re.compile(r"[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")
"""A storage or memory quantity: a number with an optional binary or decimal unit."""


def is_dns_label(text: str) -> bool:
    return len(text) <= 63 and DNS_LABEL.fullmatch(text) is not None


def is_dns_subdomain(text: str) -> bool:
    return (
        len(text) <= 253
        and DNS_SUBDOMAIN.fullmatch(text) is not None
        and all(len(label) <= 63 for label in text.split("."))
    )


def is_label_value(text: str) -> bool:
    return len(text) <= 63 and LABEL_VALUE.fullmatch(text) is not None


def qualified_name_problem(text: str) -> str:
    """Why `text` is not a label or annotation key (`[prefix/]name`), or "" when it is one."""
    prefix, slash, name = text.rpartition("/")
    if slash and (not prefix or not is_dns_subdomain(prefix)):
        return f"its prefix `{prefix}` must be a lower-case DNS name such as `example.com`"
    if not name:
        return "its name is empty"
    if len(name) > 63:
        return f"its name is longer than 63 characters ({len(name)})"
    if QUALIFIED_NAME.fullmatch(name) is None:
        return "its name must be letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"
    return ""


def is_size(text: str) -> bool:
    """A quantity with a unit, as `.kon` files write sizes (`1Gi`, `500M`)."""
    return QUANTITY.fullmatch(text) is not None and text[-1].isalpha()
