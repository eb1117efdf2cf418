"""Pod settings: `annotation`, `label`, `runs on`, `tolerates` and `stops within`.

They apply to the component's pods in every environment, and are text taken as written (KON217
for `${...}`). Keys of annotations, labels, node labels and taints are Kubernetes qualified names,
`[dns-prefix/]name` (KON231 for metadata, KON232 for a toleration); the values of labels, node
labels and taints are label values, at most 63 letters, digits, `-`, `_` and `.` (an annotation's
value is free text). A label Koncierge sets itself (`app.kubernetes.io/name`, ...) is KON231:
selectors and network policies find the pods by them. A toleration's effect is NoSchedule,
PreferNoSchedule or NoExecute (KON232, with a did-you-mean). `stops within` is a duration of
whole seconds (`30s`), minutes (`2m`) or a plain number of seconds, from 1 second to 1 hour
(KON233). A key given twice, the same toleration twice, or `stops within` twice is KON215.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.naming import is_label_value, qualified_name_problem
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.literals import duration_seconds, plain_string
from koncierge_lang.requirements.checker.scope import ApplicationScope, did_you_mean
from koncierge_lang.syntax import ast

# The labels Koncierge puts on every pod (koncierge_lang/kubernetes/manifests.py, `labels`): its
# selectors, Services and network policies find the pods by them.
KONCIERGE_LABELS = (
    "app.kubernetes.io/component",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/managed-by",
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
)
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
GRACE_PERIOD_LIMIT = 3600
# What each kind of setting is called in messages, as written.
_STATEMENTS = {"annotation": "annotation", "label": "label", "node": "runs on"}


def pod_settings(scope: ApplicationScope, syntax: ast.Component) -> model.PodSettings:
    """The component's pod settings, checked; a setting with a mistake is left out."""
    settings: dict[str, list[tuple[str, str]]] = {"annotation": [], "label": [], "node": []}
    first: dict[tuple[str, str], ast.PodSetting] = {}
    for item in scope.items_of(syntax, ast.PodSetting):
        statement = _STATEMENTS.get(item.kind, item.kind)
        key = plain_string(scope, item.key, f"`{statement}` keys")
        value = plain_string(scope, item.value, f"`{statement}` values")
        earlier = first.get((item.kind, key))
        if earlier is not None:
            scope.report(
                "KON215",
                f"`{statement} \"{key}\"` is given twice in `{syntax.name.text}`; only one value can take effect",
                item.key.span,
                (RelatedLocation(earlier.span, "first given here"),),
            )
            continue
        first[(item.kind, key)] = item
        # Text with `${...}` is KON217 already, and taken as written.
        if item.key.is_plain and item.value.is_plain and _metadata_valid(scope, item, statement, key, value):
            settings[item.kind].append((key, value))
    return model.PodSettings(
        annotations=tuple(settings["annotation"]),
        labels=tuple(settings["label"]),
        node_selector=tuple(settings["node"]),
        tolerations=_tolerations(scope, syntax),
        grace_period=_grace_period(scope, syntax),
    )


def _metadata_valid(scope: ApplicationScope, item: ast.PodSetting, statement: str, key: str, value: str) -> bool:
    """KON231 for a key that is not a qualified name or that Koncierge sets, or a value that is not
    a label value (annotations' values are free text)."""
    problem = qualified_name_problem(key)
    if problem:
        scope.report(
            "KON231",
            f"`{key}` is not a valid {statement} key: {problem} (such as `team` or `example.com/team`)",
            item.key.span,
        )
        return False
    if item.kind == "label" and key in KONCIERGE_LABELS:
        scope.report(
            "KON231",
            f"Koncierge sets the label `{key}` itself: selectors and network policies find the pods by it; "
            "choose another key",
            item.key.span,
        )
        return False
    if item.kind != "annotation" and not is_label_value(value):
        scope.report(
            "KON231",
            f"`{value}` is not a valid {'node label' if item.kind == 'node' else 'label'} value: at most 63 letters, "
            "digits, `-`, `_` and `.`, starting and ending with a letter or digit",
            item.value.span,
        )
        return False
    return True


def _tolerations(scope: ApplicationScope, syntax: ast.Component) -> tuple[model.Toleration, ...]:
    found: list[model.Toleration] = []
    first: dict[model.Toleration, ast.Toleration] = {}
    for item in scope.items_of(syntax, ast.Toleration):
        key = plain_string(scope, item.key, "`tolerates` keys")
        value = plain_string(scope, item.value, "`tolerates` values") if item.value is not None else None
        # Text with `${...}` is KON217 already, and taken as written.
        valid = item.key.is_plain and (item.value is None or item.value.is_plain)
        problem = qualified_name_problem(key) if valid else ""
        if problem:
            valid = False
            scope.report(
                "KON232",
                f"`{key}` is not a valid taint key: {problem} (such as `dedicated` or `example.com/spot`)",
                item.key.span,
            )
        if valid and item.value is not None and value is not None and not is_label_value(value):
            valid = False
            scope.report(
                "KON232",
                f"`{value}` is not a valid taint value: at most 63 letters, digits, `-`, `_` and `.`, starting and "
                "ending with a letter or digit",
                item.value.span,
            )
        effect = _effect(scope, item.effect) if item.effect is not None else None
        if item.effect is not None and effect is None:
            valid = False
        if not valid:
            continue
        toleration = model.Toleration(key, value, effect)
        earlier = first.get(toleration)
        if earlier is not None:
            scope.report(
                "KON215",
                f"`{syntax.name.text}` tolerates the same taint twice",
                item.span,
                (RelatedLocation(earlier.span, "first given here"),),
            )
            continue
        first[toleration] = item
        found.append(toleration)
    return tuple(found)


def _effect(scope: ApplicationScope, effect: ast.Name) -> str | None:
    """A taint's effect as Kubernetes spells it; KON232 for anything else, with the closest."""
    if effect.text in TAINT_EFFECTS:
        return effect.text
    by_lower = {known.lower(): known for known in TAINT_EFFECTS}
    suggestion = by_lower.get(effect.text.lower()) or did_you_mean(effect.text, TAINT_EFFECTS)
    message = f"`{effect.text}` is not a taint effect: use NoSchedule, PreferNoSchedule or NoExecute"
    fixes: tuple[Fix, ...] = ()
    if suggestion:
        message += f"; did you mean `{suggestion}`?"
        fixes = (Fix(f"Replace with `{suggestion}`", (TextEdit(effect.span, suggestion),)),)
    scope.report("KON232", message, effect.span, fixes=fixes)
    return None


def _grace_period(scope: ApplicationScope, syntax: ast.Component) -> int | None:
    """`stops within`: seconds from 1 to an hour; the first one counts (a second is KON215)."""
    items = scope.items_of(syntax, ast.Grace)  # a second is KON215 (`components.py`)
    if not items:
        return None
    period = items[0].period
    seconds = duration_seconds(period.text)
    if seconds is None or not 1 <= seconds <= GRACE_PERIOD_LIMIT:
        reason = "is not a duration" if seconds is None else "is out of range"
        scope.report(
            "KON233",
            f"`{period.text}` {reason}: write whole seconds (`30s`), minutes (`2m`, `1m30s`) or hours (`1h`), "
            "from 1 second to 1 hour",
            period.span,
        )
        return None
    return seconds
