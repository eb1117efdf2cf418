"""Inlay hints: the Kubernetes name of a declaration where it differs from the name as written,
and each route's URL in the first environment."""

from __future__ import annotations

from lsprotocol import types

from koncierge_lang.requirements import model
from koncierge_server.documents import Snapshot
from koncierge_server.positions import offset_of, position_of


def inlay_hints(snapshot: Snapshot, visible: types.Range) -> list[types.InlayHint]:
    if snapshot.too_large:
        return []
    source = snapshot.source
    first = source.line_and_column(offset_of(source, visible.start))
    last = source.line_and_column(offset_of(source, visible.end))
    hints: list[types.InlayHint] = []
    name_ends = {
        (declaration.application, declaration.name): declaration.name_span.end
        for declaration in snapshot.analysis.check_result.symbols.declarations
        if declaration.kind in ("component", "database")
    }
    for application in snapshot.analysis.requirements.applications:
        environment = application.environments[0] if application.environments else None
        for component in application.components:
            name_end = name_ends.get((application.name, component.name))
            if name_end is not None and first <= name_end <= last:
                hints.append(
                    types.InlayHint(
                        position=position_of(source, source.offset(*name_end)),
                        label=f" k8s: {component.kubernetes_name}",
                        kind=types.InlayHintKind.Type,
                        tooltip=f"the Deployment/StatefulSet and Service are named `{component.kubernetes_name}`",
                    )
                )
        if environment is None:
            continue
        for route in application.routes:
            if first <= route.span.end <= last:
                url = model.route_url(route, environment)
                hints.append(
                    types.InlayHint(
                        position=position_of(source, source.offset(*route.span.end)),
                        label=f"  {url} ({environment.name})",
                        kind=types.InlayHintKind.Parameter,
                        tooltip=f"the route's URL in {environment.name}; hover the route for every environment",
                    )
                )
    return hints
