"""Online Boutique written as its original manifests write it: literal `host:port` addresses.

Every literal is KON222 (no flow is opened for text, so the policies block it), and applying every
quick fix gives back an application whose PROD network flows are exactly those of the example
written with references. A literal port that the target does not publish is KON103.
"""

from __future__ import annotations

import re
from pathlib import Path

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.from_requirements import build_architecture
from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.settings import Settings
from koncierge_lang.source import SourceText

BOUTIQUE = Path(__file__).resolve().parents[1] / "examples" / "online-boutique" / "online-boutique.kon"
_ADDRESS = re.compile(r'"\$\{([a-z][a-z0-9-]*)\.host\}:\$\{\1\.([a-z][a-z0-9-]*)\}"')


def literal_version(text: str) -> tuple[str, int]:
    """The example with each `"${x.host}:${x.port}"` written as the manifests do, `"x:3550"`."""
    application = analyze(text, str(BOUTIQUE)).requirements.applications[0]

    def literal(match: re.Match[str]) -> str:
        component = application.component(match.group(1))
        assert component is not None
        port = component.port(None if match.group(2) == "port" else match.group(2))
        assert port is not None
        return f'"{component.kubernetes_name}:{port.number}"'

    return _ADDRESS.subn(literal, text)


def flows(text: str) -> set[tuple[str, str, int, str]]:
    application = analyze(text, str(BOUTIQUE)).requirements.applications[0]
    environment = next(environment for environment in application.environments if environment.name == "PROD")
    return {(flow.source, flow.target, flow.port, flow.protocol) for flow in build_architecture(application, environment, Settings()).flows}


def apply_fixes(text: str, diagnostics: list[Diagnostic]) -> str:
    edits = [edit for diagnostic in diagnostics for fix in diagnostic.fixes[:1] for edit in fix.edits]
    for edit in sorted(edits, key=lambda edit: edit.span.start, reverse=True):
        text = edit.applied_to(text)
    return text


def test_every_literal_address_is_a_warning_whose_fix_restores_the_flows() -> None:
    original = BOUTIQUE.read_text(encoding="utf-8")
    literal, count = literal_version(original)
    assert count >= 16  # Every `*_SERVICE_ADDR` and `REDIS_ADDR`, `FRONTEND_ADDR`.
    analysis = analyze(literal, str(BOUTIQUE))
    warnings = [diagnostic for diagnostic in analysis.diagnostics if diagnostic.code == "KON222"]
    assert not analysis.errors
    assert len(warnings) == count
    # One warning at each literal, exactly over its `host:port`.
    addresses = [match.group(1) for match in re.finditer(r'"([a-z][a-z0-9-]*:[0-9]+)"', literal) if "shoppingassistant" not in match.group(1)]
    assert sorted(SourceText(literal).cut(warning.span) for warning in warnings) == sorted(addresses)
    # Text opens no flow: only the route and the backup are left.
    assert {(source, target) for source, target, _, _ in flows(literal)} == {("ingress", "frontend"), ("redis-cart-backup", "redis-cart")}
    fixed = apply_fixes(literal, warnings)
    remaining = {(diagnostic.code, diagnostic.message) for diagnostic in analyze(fixed, str(BOUTIQUE)).diagnostics}
    assert remaining == {(diagnostic.code, diagnostic.message) for diagnostic in analyze(original, str(BOUTIQUE)).diagnostics}
    assert not [code for code, _ in remaining if code == "KON222"]
    assert flows(fixed) == flows(original)


def test_a_literal_port_the_target_does_not_publish_is_an_error() -> None:
    original = BOUTIQUE.read_text(encoding="utf-8")
    literal, _ = literal_version(original)
    # The manifests' own mistake, had the emailservice's Service not translated 5000 to 8080.
    unpublished = literal.replace('"emailservice:5000"', '"emailservice:5001"')
    errors = [diagnostic for diagnostic in analyze(unpublished, str(BOUTIQUE)).errors]
    assert [(error.code, SourceText(unpublished).cut(error.span)) for error in errors] == [("KON103", "5001")]
    assert "has no port 5001 (its ports: grpc 5000)" in errors[0].message
