"""Starting the server: `koncierge lsp` (with `--stdio` as editors append it) and `--tcp HOST:PORT`."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import pytest_lsp
from lsprotocol import types
from pygls.lsp.client import LanguageClient as PlainClient
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.lsp.conftest import REPOSITORY, start
from tests.lsp.support import TODO_TEXT, open_text


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "koncierge_lang", "lsp", "--stdio"])
)
async def cli_client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await start(lsp_client)
    yield lsp_client
    await lsp_client.shutdown_session()


async def test_koncierge_lsp_stdio(cli_client: LanguageClient) -> None:
    """Standard output carries only LSP messages: pytest-lsp would fail on anything else."""
    found = await open_text(cli_client, TODO_TEXT.replace("db_name\n  }", "db_nam\n  }"))
    assert any(d.code == "KON101" for d in found)
    assert any("ready" in message.message for message in cli_client.log_messages)


def test_bad_tcp_address_is_a_usage_error() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "koncierge_lang", "lsp", "--tcp", "nowhere"], capture_output=True, text=True, timeout=30
    )
    assert completed.returncode == 2 and "HOST:PORT" in completed.stderr and completed.stdout == ""


async def test_koncierge_lsp_tcp() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "koncierge_lang", "lsp", "--tcp", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPOSITORY,
    )
    try:
        client = PlainClient("tcp-test", "1")
        for _ in range(100):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)  # Waiting for the process to listen: no message to wait for yet.
        # A client that prefers UTF-8 still gets UTF-16, the encoding positions.py converts to.
        capabilities = types.ClientCapabilities(
            general=types.GeneralClientCapabilities(
                position_encodings=[types.PositionEncodingKind.Utf8, types.PositionEncodingKind.Utf16]
            )
        )
        result = await client.initialize_async(types.InitializeParams(capabilities=capabilities))
        assert result.capabilities.completion_provider is not None
        assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf16
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    finally:
        process.kill()
        process.wait(timeout=10)
