"""Exact resources and replicas: `cpu`, `memory` and `single instance`.

`cpu` is a number of CPUs (`0.5`, `2`) or thousandths of one (`200m`); `memory` a size with a unit
(`64Mi`, `1Gi`); both more than zero, and the limit after `up to` not below the request (KON225).
A line applies in the environments it names (KON101 for one not declared), or in every other
one; a kind of resource is given once per environment (KON215). `single instance` cannot stand
beside `replicas` of more than one (KON226).
"""

from __future__ import annotations

import re

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.naming import is_size
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.environments import unknown_environment
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

_CPU = re.compile(r"(?P<number>[0-9]+(\.[0-9]+)?)(?P<milli>m?)")
_MEMORY_UNITS = {
    "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60,
}
_MEMORY = re.compile(r"(?P<number>[0-9]+(\.[0-9]+)?)(?P<unit>[A-Za-z]*)")
# A whole number of CPUs this large is thousandths written without their `m`.
_MOST_LIKELY_MILLICPUS = 100


def resource_settings(scope: ApplicationScope, syntax: ast.Component) -> tuple[model.ResourceSetting, ...]:
    """The component's `cpu` and `memory` lines, checked, in the order written."""
    settings: list[model.ResourceSetting] = []
    # (kind, environment or "" for every environment) -> the line that first said it.
    given: dict[tuple[str, str], ast.Resource] = {}
    for item in scope.items_of(syntax, ast.Resource):
        request = _quantity(scope, item.kind, item.request)
        limit = _quantity(scope, item.kind, item.limit) if item.limit is not None else request
        environments: list[str] = []
        repeated = False
        for name in item.environments or (None,):
            if name is not None and name.text not in scope.environment_names:
                unknown_environment(scope, name)
                continue
            key = (item.kind, name.text if name is not None else "")
            if key in given:
                where = f" for `{name.text}`" if name is not None else ""
                scope.report(
                    "KON215",
                    f"`{item.kind}`{where} is given twice in `{syntax.name.text}`; only one can take effect",
                    name.span if name is not None else item.span,
                    (RelatedLocation(given[key].span, "first given here"),),
                )
                repeated = True
                continue
            given[key] = item
            if name is not None:
                environments.append(name.text)
        if request is None or limit is None or (item.environments and not environments) or (repeated and not environments):
            continue
        if item.limit is not None and _amount(item.kind, limit) < _amount(item.kind, request):
            scope.report(
                "KON225",
                f"the {item.kind} limit `{limit}` is below the request `{request}`: the program may use at most "
                "its limit, so the limit must be at least the request",
                item.limit.span,
            )
            continue
        settings.append(model.ResourceSetting(item.kind, request, limit, tuple(environments), item.span))
    return tuple(settings)


def _quantity(scope: ApplicationScope, kind: str, number: ast.Number) -> str | None:
    text = number.text
    if kind == "cpu":
        match = _CPU.fullmatch(text)
        if match is not None and float(match.group("number")) > 0:
            if not match.group("milli") and "." not in text and int(text) >= _MOST_LIKELY_MILLICPUS:
                scope.report(
                    "KON225",
                    f"`cpu {text}` asks for {text} whole CPUs; did you mean `{text}m`, thousandths of one?",
                    number.span,
                    fixes=(Fix(f"Replace with `{text}m`", (TextEdit(number.span, f"{text}m"),)),),
                )
                return None
            return text
        message = f"`{text}` is not an amount of CPU: write CPUs (`0.5`, `2`) or thousandths of one (`200m`)"
        if match is not None:
            message = f"`{text}` is no CPU: the amount must be more than zero"
        scope.report("KON225", message, number.span)
        return None
    match = _MEMORY.fullmatch(text)
    if is_size(text) and match is not None and float(match.group("number")) > 0:
        return text
    message = f"`{text}` is not an amount of memory: write a number with a unit such as `64Mi` or `1Gi`"
    fixes: tuple[Fix, ...] = ()
    if match is not None and not match.group("unit"):
        if float(match.group("number")) > 0:
            message += f" (`{text}` alone would be bytes); did you mean `{text}Mi`?"
            fixes = (Fix(f"Replace with `{text}Mi`", (TextEdit(number.span, f"{text}Mi"),)),)
        else:
            message = f"`{text}` is no memory: the amount must be more than zero"
    elif match is not None and match.group("unit").upper() in ("KB", "MB", "GB", "TB", "PB", "EB"):
        number_text, unit = match.group("number"), match.group("unit")
        binary = f"{number_text}{unit[0].upper()}i"
        message = f"`{text}` is not an amount of memory Kubernetes reads: write `{binary}` (powers of 1024) or `{number_text}{unit[0].replace('K', 'k')}` (powers of 1000)"
        fixes = (Fix(f"Replace with `{binary}`", (TextEdit(number.span, binary),), safe=False),)
    elif match is not None and float(match.group("number")) <= 0:
        message = f"`{text}` is no memory: the amount must be more than zero"
    scope.report("KON225", message, number.span, fixes=fixes)
    return None


def _amount(kind: str, quantity: str) -> float:
    """A checked quantity as a number: CPUs, or bytes."""
    if kind == "cpu":
        return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)
    match = _MEMORY.fullmatch(quantity)
    assert match is not None
    return float(match.group("number")) * _MEMORY_UNITS.get(match.group("unit"), 1)


def single_instance(scope: ApplicationScope, syntax: ast.Component, replicas: int | None) -> bool:
    """Whether the component says `single instance`; KON226 beside `replicas` of more than one."""
    items = scope.items_of(syntax, ast.SingleInstance)
    if not items:
        return False
    # A second `single instance` is KON215 (`components._check_repeated_settings`).
    if replicas is not None and replicas > 1:
        replicas_item = scope.items_of(syntax, ast.Replicas)[-1]
        scope.report(
            "KON226",
            f"`{syntax.name.text}` is a single instance, so it cannot run {replicas} replicas: "
            "remove `replicas`, or `single instance` if it can run several at once",
            replicas_item.span,
            (RelatedLocation(items[0].span, "declared a single instance here"),),
            fixes=(Fix("Remove `replicas`", (TextEdit(replicas_item.span, ""),), safe=False),),
        )
    return True
