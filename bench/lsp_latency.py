"""Drive the language server over stdio like an editor and print its latencies.

For the To Do example and the synthetic applications of 100 and 1,000 components: didOpen, then
50 single-character edits (typed into a text in the middle of the file), measuring for each edit
the time from sending didChange to receiving publishDiagnostics for that version, and the time of
a completion request after `=` in a component in the middle of the file. Prints p50 and p95, the
server's debounce (leading-edge: only edits closer together than it wait for it), the resident
memory of the server with the N=1,000 file open, and, in this process, how long lowering every
environment takes (the compiler's problems are published after that, once typing pauses).

Usage: python bench/lsp_latency.py [--edits 50] [--debounce-ms 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "bench"))
sys.path.insert(0, str(REPOSITORY))

from synthetic import generate_application  # noqa: E402


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def position_of(text: str, offset: int) -> types.Position:
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    return types.Position(line=line, character=len(text[line_start:offset].encode("utf-16-le")) // 2)


def rss_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def measure(name: str, text: str, edits: int, debounce_ms: float) -> dict[str, float]:
    client = LanguageClient("koncierge-bench", "1")
    waiting: dict[int, asyncio.Future[float]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        future = waiting.get(params.version or -1)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    environment = {**os.environ, "KONCIERGE_LSP_DEBOUNCE_MS": str(debounce_ms)}
    await client.start_io(sys.executable, "-m", "koncierge_server", env=environment, cwd=str(REPOSITORY))
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=os.getpid()))
    client.initialized(types.InitializedParams())
    uri = (REPOSITORY / "bench" / f"{name}.kon").as_uri()

    loop = asyncio.get_running_loop()
    waiting[1] = loop.create_future()
    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="koncierge", version=1, text=text))
    )
    open_seconds = await waiting[1] - started

    # Type into a text in the middle of the file; complete after `env NAME =` in the next component.
    middle = text.index("\n", len(text) // 2)
    typing_at = text.index('"', text.index(" = ", middle)) + 1
    completion_at = text.index(" = ", text.index("    env ", middle)) + 3
    diagnostics_latencies: list[float] = []
    completion_latencies: list[float] = []
    for index in range(edits):
        version = index + 2
        waiting[version] = loop.create_future()
        insert_at = typing_at + index
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(start=position_of(text, insert_at), end=position_of(text, insert_at)), text="x"
                    )
                ],
            )
        )
        text = text[:insert_at] + "x" + text[insert_at:]
        if insert_at <= completion_at:
            completion_at += 1
        diagnostics_latencies.append(await waiting[version] - started)
        started = time.perf_counter()
        result = await client.text_document_completion_async(
            types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, completion_at))
        )
        completion_latencies.append(time.perf_counter() - started)
        assert result is not None and result.items, f"completion returned nothing: {result!r}"

    memory = rss_megabytes(client._server.pid) if client._server is not None else float("nan")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {
        "open": open_seconds,
        "diagnostics p50": percentile(diagnostics_latencies, 0.5),
        "diagnostics p95": percentile(diagnostics_latencies, 0.95),
        "completion p50": percentile(completion_latencies, 0.5),
        "completion p95": percentile(completion_latencies, 0.95),
        "memory MB": memory,
    }


def lowering_seconds(text: str) -> float:
    from koncierge_server.documents import Snapshot

    snapshot = Snapshot("file:///bench.kon", 1, text)
    _ = snapshot.analysis.diagnostics
    started = time.perf_counter()
    _ = snapshot.lowered
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--debounce-ms", type=float, default=20.0, help="the server's debounce (default: its default, 20)")
    args = parser.parse_args()
    cases = [
        ("todo", (REPOSITORY / "examples" / "todo" / "todo.kon").read_text(encoding="utf-8")),
        ("synthetic-100", generate_application(100)),
        ("synthetic-1000", generate_application(1000)),
    ]
    print(
        f"Language server latency: {args.edits} single-character edits per file, each sent when the previous one's "
        f"diagnostics and a completion have arrived.\nDebounce: {args.debounce_ms:.0f} ms, leading-edge: applied only to an "
        "edit that comes less than that after the previous one (then included in its figure)."
    )
    header = f"{'file':<16}{'lines':>7}{'open':>9}{'diag p50':>10}{'diag p95':>10}{'compl p50':>11}{'compl p95':>11}{'RSS MB':>8}{'lowering':>10}"
    print(header)
    print(f"{'':<16}{'':>7}{'':>9}{'(edit -> publishDiagnostics)':>20}{'':>22}{'(server)':>8}{'(all envs)':>10}")
    for name, text in cases:
        figures = asyncio.run(measure(name, text, args.edits, args.debounce_ms))
        lowering = lowering_seconds(text)
        print(
            f"{name:<16}{text.count(chr(10)):>7}{figures['open'] * 1000:>7.0f}ms"
            f"{figures['diagnostics p50'] * 1000:>8.1f}ms{figures['diagnostics p95'] * 1000:>8.1f}ms"
            f"{figures['completion p50'] * 1000:>9.1f}ms{figures['completion p95'] * 1000:>9.1f}ms"
            f"{figures['memory MB']:>8.0f}{lowering * 1000:>8.0f}ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
