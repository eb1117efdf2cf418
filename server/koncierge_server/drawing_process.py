"""The server's drawing process: diagrams are drawn here, not in the language server's process.

Drawing a large application is seconds of Python. In the server's own process, even in a thread,
that would share the interpreter lock with the analysis of every edit typed meanwhile (issue 16:
an edit during a diagram of 1,000 components waited 170 ms longer for its diagnostics). This
process has its own interpreter, so on a machine with two cores editing goes on at full speed.

The server starts it on the first diagram request (`python -m koncierge_server.drawing_process`)
and talks to it over its own standard input and output, never the LSP channel: one request at a
time, each message a line with the length of a JSON body, then the body. A request names a
function of `FUNCTIONS` and its arguments; the answer is `{"result": ...}`, `{"error": {"code",
"message"}}` for an LSP error the function chose, or `{"failure": traceback}`. The process ends at
the end of its input, so it never outlives the server. A request the client cancels, or no longer
needs, kills it; the next request starts another.
"""

from __future__ import annotations

import asyncio
import json
import sys
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams

from koncierge_server.errors import RequestFailed

FUNCTIONS: dict[str, tuple[str, str]] = {"diagram": ("koncierge_server.diagram", "model_of_text")}
"""What the process can be asked to run: a name -> (module, function)."""

_ERRORS: dict[int, type[JsonRpcException]] = {
    JsonRpcInvalidParams.CODE: JsonRpcInvalidParams,
    RequestFailed.CODE: RequestFailed,
}


def _write(stream: BinaryIO, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode("utf-8")
    stream.write(b"%d\n" % len(body) + body)
    stream.flush()


def _answer(name: str, arguments: list[Any]) -> dict[str, Any]:
    try:
        module_name, function_name = FUNCTIONS[name]
        module = __import__(module_name, fromlist=[function_name])
        function: Callable[..., Any] = getattr(module, function_name)
        return {"result": function(*arguments)}
    except JsonRpcException as error:
        return {"error": {"code": error.code, "message": error.message}}
    except Exception:  # noqa: BLE001 - the server logs it and answers its client with an error.
        return {"failure": traceback.format_exc()}


def main() -> None:
    """Answer requests until the input ends. Anything printed goes to standard error: standard
    output carries only answers."""
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr
    requests = sys.stdin.buffer
    try:
        while header := requests.readline():
            request = json.loads(requests.read(int(header)))
            _write(answers, _answer(request["function"], request["arguments"]))
    except (BrokenPipeError, ValueError):
        pass  # The server ended while this drawing was made, or mid-request: nothing to answer.


class DrawingProcess:
    """The server's side: starts the process when first needed, and one request at a time."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.lock = asyncio.Lock()

    async def run(self, function: str, *arguments: Any) -> Any:
        """The result of `function(*arguments)` in the drawing process. A process that died
        (killed, out of memory) is replaced and asked once more."""
        async with self.lock:
            for _ in range(2):
                try:
                    answer = await self._ask(function, list(arguments))
                except asyncio.CancelledError:
                    self.stop()  # It is drawing what nobody waits for any more.
                    raise
                except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                    self.stop()
                    continue
                if "error" in answer:
                    error = answer["error"]
                    raise _ERRORS.get(error["code"], JsonRpcException)(error["message"], error["code"])
                if "failure" in answer:
                    raise RuntimeError(f"the drawing process failed:\n{answer['failure']}")
                return answer["result"]
            raise RequestFailed("the drawing process stopped twice before it answered; ask again")

    async def _ask(self, function: str, arguments: list[Any]) -> dict[str, Any]:
        if self.process is None or self.process.returncode is not None:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "koncierge_server.drawing_process",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        body = json.dumps({"function": function, "arguments": arguments}).encode("utf-8")
        self.process.stdin.write(b"%d\n" % len(body) + body)
        await self.process.stdin.drain()
        header = await self.process.stdout.readline()
        answer: dict[str, Any] = json.loads(await self.process.stdout.readexactly(int(header)))
        return answer

    def stop(self) -> None:
        """Kill the process (the event loop sees it end)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
        self.process = None

    async def close(self) -> None:
        """Kill the process and wait for its end: when the server stops, before its event loop
        does (asyncio reports a process that ends after its loop as an error)."""
        process, self.process = self.process, None
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()


if __name__ == "__main__":
    main()
