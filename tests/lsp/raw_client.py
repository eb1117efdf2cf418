"""A bare JSON-RPC client over the server's standard input and output, for what an ordinary client
library will not send: params that fail validation, malformed notifications, bodies that are not
JSON, requests cancelled at any moment. It answers the server's own requests with null and keeps
every message the server sends, in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[2]
GUARD_SECONDS = 20
"""Never a timing assertion: a bound so that a server that stopped answering fails the test."""


class RawClient:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0
        self.answers: dict[Any, asyncio.Future[dict[str, Any]]] = {}
        self.notifications: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.errors: list[bytes] = []
        self.reader = asyncio.get_running_loop().create_task(self._read())
        self.error_reader = asyncio.get_running_loop().create_task(self._read_errors())

    @property
    def stderr(self) -> str:
        """What the server wrote to its standard error so far."""
        return b"".join(self.errors).decode("utf-8", "replace")

    async def _read_errors(self) -> None:
        # Read as it comes: a full pipe would stop the server.
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self.errors.append(chunk)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        while True:
            length = None
            while True:
                header = await self.process.stdout.readline()
                if not header:
                    return
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
                if header in (b"\r\n", b"\n"):
                    break
            assert length is not None
            message = json.loads(await self.process.stdout.readexactly(length))
            if "method" in message and "id" in message:
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)
                self.arrived.set()
            else:
                future = self.answers.pop(message.get("id"), None)
                if future is not None and not future.done():
                    future.set_result(message)

    def send(self, message: dict[str, Any] | bytes) -> None:
        body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method: str, params: Any = None, *, omit_params: bool = False) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if not omit_params:
            message["params"] = params
        self.send(message)

    def start_request(
        self, method: str, params: Any = None, *, omit_params: bool = False
    ) -> tuple[int, asyncio.Future[dict[str, Any]]]:
        self.next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.answers[self.next_id] = future
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if not omit_params:
            message["params"] = params
        self.send(message)
        return self.next_id, future

    async def request(self, method: str, params: Any = None, *, omit_params: bool = False) -> dict[str, Any]:
        """The server's whole answer: a dict with `result` or `error`."""
        _, future = self.start_request(method, params, omit_params=omit_params)
        return await asyncio.wait_for(future, GUARD_SECONDS)

    def cancel(self, request_id: int) -> None:
        self.notify("$/cancelRequest", {"id": request_id})

    async def notification(self, method: str, matching: Any = None, after: int = 0) -> tuple[int, dict[str, Any]]:
        """The first notification `method` at index `after` or later whose params pass `matching`."""

        async def wait() -> tuple[int, dict[str, Any]]:
            index = after
            while True:
                while index < len(self.notifications):
                    message = self.notifications[index]
                    index += 1
                    if message["method"] == method and (matching is None or matching(message.get("params"))):
                        return index, message["params"]
                self.arrived.clear()
                await self.arrived.wait()

        return await asyncio.wait_for(wait(), GUARD_SECONDS)

    async def diagnostics(self, uri: str, version: int | None, after: int = 0) -> tuple[int, list[dict[str, Any]]]:
        index, params = await self.notification(
            "textDocument/publishDiagnostics",
            lambda params: params["uri"] == uri and (version is None or params.get("version") == version),
            after,
        )
        return index, params["diagnostics"]

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "koncierge", "version": version, "text": text}},
        )

    def change(self, uri: str, version: int, changes: list[dict[str, Any]]) -> None:
        self.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}
        )

    def shown_messages(self) -> list[dict[str, Any]]:
        return [message["params"] for message in self.notifications if message["method"] == "window/showMessage"]

    def log_messages(self) -> list[dict[str, Any]]:
        return [message["params"] for message in self.notifications if message["method"] == "window/logMessage"]


def comparable_diagnostics(found: list[dict[str, Any]]) -> list[tuple[str, int, int, int, int, str]]:
    """Published diagnostics as JSON, as sorted (code, range, message) tuples to compare."""
    return sorted(
        (
            str(d.get("code")),
            d["range"]["start"]["line"],
            d["range"]["start"]["character"],
            d["range"]["end"]["line"],
            d["range"]["end"]["character"],
            d["message"],
        )
        for d in found
    )


@contextlib.asynccontextmanager
async def raw_server(**environment: str) -> AsyncIterator[RawClient]:
    """The real server over stdio, initialised; shut down at the end (`client.stderr` holds what it
    wrote to its standard error)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "koncierge_server",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **environment},
        limit=2**26,
    )
    client = RawClient(process)
    try:
        answer = await client.request(
            "initialize", {"processId": None, "rootUri": REPOSITORY.as_uri(), "capabilities": {}}
        )
        assert "result" in answer, answer
        client.notify("initialized", {})
        yield client
        await client.request("shutdown")
        client.notify("exit")
    finally:
        assert process.stdin is not None
        with contextlib.suppress(Exception):
            process.stdin.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(process.wait(), GUARD_SECONDS)
        if process.returncode is None:
            process.kill()
            await process.wait()
        client.reader.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.error_reader, GUARD_SECONDS)
