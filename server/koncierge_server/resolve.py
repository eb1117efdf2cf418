"""What a value expression says in one environment, as text for people (secrets stay hidden)."""

from __future__ import annotations

from koncierge_lang.requirements import model


def resolve_text(
    application: model.Application, environment: model.Environment, expression: model.Expression, depth: int = 0
) -> str:
    if depth > 20:
        return "…"
    if isinstance(expression, model.Text):
        return "".join(
            part if isinstance(part, str) else resolve_text(application, environment, part, depth + 1)
            for part in expression.parts
        )
    if isinstance(expression, model.PerEnvironmentText):
        chosen = next((text for name, text in expression.cases if name == environment.name), expression.otherwise)
        return resolve_text(application, environment, chosen, depth + 1) if chosen is not None else "(no value)"
    if isinstance(expression, model.Secret):
        return {"generated": "(a generated secret)", "base64": "(a secret, base64)"}.get(
            expression.source, "(a secret)"
        )
    if isinstance(expression, model.ValueReference):
        value = application.value(expression.value)
        return resolve_text(application, environment, value.expression, depth + 1) if value is not None else "?"
    if isinstance(expression, model.ComponentHost):
        component = application.component(expression.component)
        return component.kubernetes_name if component else model.kubernetes_name(expression.component)
    if isinstance(expression, model.ComponentPort):
        component = application.component(expression.component)
        port = component.port(expression.port) if component is not None else None
        return str(port.number) if port is not None else "?"
    if isinstance(expression, model.RouteDomain):
        route = application.route(expression.route)
        return model.route_domain(route, environment) if route else "?"
    if isinstance(expression, model.RouteUrl):
        route = application.route(expression.route)
        return model.route_url(route, environment) if route else "?"
    return "?"
