"""Architecture invariants of the language server's layering."""

from __future__ import annotations

import re

from tests.lsp.conftest import REPOSITORY

SERVER = REPOSITORY / "server" / "koncierge_server"


def test_koncierge_lang_never_imports_the_lsp_libraries() -> None:
    offenders = [
        str(path.relative_to(REPOSITORY))
        for path in (REPOSITORY / "koncierge_lang").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+(pygls|lsprotocol)\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert offenders == []


def test_positions_are_converted_in_one_place() -> None:
    """Only positions.py builds LSP positions or counts UTF-16 units."""
    offenders = [
        path.name
        for path in SERVER.glob("*.py")
        if path.name != "positions.py"
        and re.search(r"types\.Position\(|utf-16|utf_16|0xFFFF", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_custom_requests_are_declared_once() -> None:
    from koncierge_server.protocol import CUSTOM_REQUESTS, HANDLER_MODULES

    assert set(HANDLER_MODULES) == set(CUSTOM_REQUESTS.values())
    literal = re.compile(r'"koncierge/[a-z]+"')
    for path in SERVER.glob("*.py"):
        if path.name != "protocol.py":
            assert not literal.search(path.read_text(encoding="utf-8")), path.name
