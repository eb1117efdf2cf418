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


def is_size(text: str) -> bool:
    """A quantity with a unit, as `.kon` files write sizes (`1Gi`, `500M`)."""
    return QUANTITY.fullmatch(text) is not None and text[-1].isalpha()
