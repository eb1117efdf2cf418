"""The VS Code extension declares the server's custom request names once in TypeScript
(vscode-extension/src/protocol.ts); they must be exactly the server's (koncierge_server.protocol)."""

from __future__ import annotations

import re
from pathlib import Path

from koncierge_server import protocol

PROTOCOL_TS = Path(__file__).resolve().parent.parent / "vscode-extension" / "src" / "protocol.ts"


def typescript_requests() -> dict[str, str]:
    text = PROTOCOL_TS.read_text(encoding="utf-8")
    block = re.search(r"export const KonciergeRequests = \{(?P<body>.*?)\} as const;", text, re.DOTALL)
    assert block is not None, f"no `export const KonciergeRequests = {{ ... }} as const;` in {PROTOCOL_TS}"
    entries = re.findall(r"^\s*(\w+):\s*\"([^\"]+)\",?\s*$", block.group("body"), re.MULTILINE)
    assert entries, "KonciergeRequests is empty or not written one `key: \"name\",` per line"
    return dict(entries)


def test_the_extension_declares_exactly_the_servers_custom_requests() -> None:
    assert typescript_requests() == protocol.CUSTOM_REQUESTS


def test_every_declared_request_has_a_handler_module() -> None:
    assert set(protocol.HANDLER_MODULES) == set(protocol.CUSTOM_REQUESTS.values())
