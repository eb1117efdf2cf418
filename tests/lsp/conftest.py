"""End-to-end fixtures: the real server over stdio, driven by pytest-lsp like an editor."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

REPOSITORY = Path(__file__).resolve().parents[2]
TODO = REPOSITORY / "examples" / "todo" / "todo.kon"
SERVER = [sys.executable, "-m", "koncierge_server"]


def _config(**environment: str) -> ClientServerConfig:
    return ClientServerConfig(server_command=SERVER, server_env={**os.environ, **environment})


async def start(client: LanguageClient, editor: str = "visual-studio-code") -> None:
    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None

    await client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities(editor), root_uri=REPOSITORY.as_uri())
    )


@pytest_lsp.fixture(config=_config())
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await start(lsp_client)
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=_config(KONCIERGE_LSP_TEST_FAULT="textDocument/hover"))
async def faulty_client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    await start(lsp_client)
    yield lsp_client
    await lsp_client.shutdown_session()
