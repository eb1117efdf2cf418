"""KON310 `setting-without-effect`: a shorthand that more exact statements beside it override.

`size` names CPU and memory together; `cpu` and `memory` lines that apply in every environment
each win over it, so with both it decides nothing. `health` gives the readiness and liveness
probes; `probe ready` and `probe live` each win over it, so with both it decides nothing.
"""

from __future__ import annotations

from koncierge_lang.diagnostics import Fix, RelatedLocation, TextEdit
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.scope import ApplicationScope
from koncierge_lang.syntax import ast

CODE = "KON310"


def check(scope: ApplicationScope, application: model.Application) -> None:
    for syntax, component in zip(scope.components_syntax, application.components, strict=True):
        sizes = scope.items_of(syntax, ast.Size)
        exact = {
            setting.kind: setting
            for setting in reversed(component.resource_settings)
            if not setting.environments
        }
        if sizes and "cpu" in exact and "memory" in exact:
            scope.report(
                CODE,
                f"`size` has no effect in `{component.name}`: its `cpu` and `memory` decide both in every "
                "environment; remove `size`",
                sizes[0].span,
                (
                    RelatedLocation(exact["cpu"].span, "CPU is given here"),
                    RelatedLocation(exact["memory"].span, "memory is given here"),
                ),
                fixes=(Fix("Remove `size`", (TextEdit(sizes[0].span, ""),)),),
            )
        ready, live = component.probe("ready"), component.probe("live")
        if component.health is not None and ready is not None and live is not None:
            health = scope.items_of(syntax, ast.Health)[0]
            scope.report(
                CODE,
                f"`health` has no effect in `{component.name}`: `probe ready` and `probe live` replace the two "
                "probes it stands for; remove `health`",
                health.span,
                (RelatedLocation(ready.span, "`probe ready` is here"), RelatedLocation(live.span, "`probe live` is here")),
                fixes=(Fix("Remove `health`", (TextEdit(health.span, ""),)),),
            )
