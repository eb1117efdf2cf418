"""The language server under load (issue 16): does the newest version come first?

Drives the server over stdio like an editor, on the synthetic 1,000-component application
(14,012 lines), and prints:

- single edit: edit -> its publishDiagnostics, one edit after a pause (median of 10; the
  reference for steady typing);
- burst: 200 edits sent back to back -> time from the last edit to its diagnostics, and how many
  publishes the burst caused (older versions must never be published after a newer one);
- steady typing at 10 keys/s (`--keys-per-second`) for 10 s: p50 and p95 of edit -> diagnostics of that version or a
  newer one (an edit whose diagnostics are superseded by the next edit's counts until those);
- hover during the compiler pass: the compiler pass (lowering every environment) starts as soon as
  the checker's diagnostics are out (`KONCIERGE_LSP_COMPILER_IDLE_MS=0`); a hover sent then, on a
  keyword and on a component's name (whose hover lists the objects it becomes, from that lowering);
- edit during a diagram request: three lone edits first (the reference), then three times
  `koncierge/diagram` (architecture view) and, 0.2 s later, an edit; the time from that edit to
  its diagnostics, how much longer that is than a lone edit's, and the diagram's own time.

Usage: python bench/bench_lsp_load.py [--components 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY / "bench"))

from lsp_latency import percentile, position_of  # noqa: E402
from synthetic import generate_application  # noqa: E402


class Editor:
    """One document in the server, edited by typing `x` at one place; knows when each version's
    diagnostics arrive."""

    def __init__(self, client: LanguageClient, uri: str, text: str) -> None:
        self.client = client
        self.uri = uri
        self.text = text
        self.version = 1
        self.arrivals: list[tuple[float, int, bool]] = []  # (time, version, from the compiler pass)
        self.changed = asyncio.Event()
        middle = text.index("\n", len(text) // 2)
        self.typing_at = text.index('"', text.index(" = ", middle)) + 1

    def published(self, params: types.PublishDiagnosticsParams) -> None:
        if params.uri == self.uri and params.version is not None:
            from_compiler = any(d.source == "koncierge build" for d in params.diagnostics)
            self.arrivals.append((time.perf_counter(), params.version, from_compiler))
            self.changed.set()

    async def diagnostics_for(self, version: int, after: float = 0.0) -> float:
        """When diagnostics for `version` or newer arrived (after `after`)."""
        while True:
            for arrived, published, _ in self.arrivals:
                if published >= version and arrived >= after:
                    return arrived
            self.changed.clear()
            await self.changed.wait()

    def type_character(self) -> tuple[int, float]:
        self.version += 1
        at = position_of(self.text, self.typing_at)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text="x")],
            )
        )
        self.text = self.text[: self.typing_at] + "x" + self.text[self.typing_at :]
        self.typing_at += 1
        return self.version, time.perf_counter()


async def start(text: str, environment: dict[str, str]) -> tuple[LanguageClient, Editor]:
    client = LanguageClient("koncierge-bench", "1")
    uri = (REPOSITORY / "bench" / "load.kon").as_uri()
    editor = Editor(client, uri, text)
    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        editor.published(params)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def logged(params: types.LogMessageParams) -> None:
        return None

    await client.start_io(
        sys.executable, "-m", "koncierge_server", env={**os.environ, **environment}, cwd=str(REPOSITORY)
    )
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=os.getpid())
    )
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="koncierge", version=1, text=text)
        )
    )
    await editor.diagnostics_for(1)
    return client, editor


async def stop(client: LanguageClient) -> None:
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


async def pause_until_quiet(editor: Editor, seconds: float) -> None:
    """Let the compiler pass of the last edit finish before the next measurement."""
    await asyncio.sleep(seconds)


async def single_and_burst_and_steady(text: str, quiet: float, keys_per_second: float) -> dict[str, Any]:
    client, editor = await start(text, {})
    await pause_until_quiet(editor, quiet)
    single = []
    for _ in range(10):
        version, sent = editor.type_character()
        single.append(await editor.diagnostics_for(version) - sent)
        await pause_until_quiet(editor, quiet)
    burst_first = len(editor.arrivals)
    for _ in range(200):
        version, sent = editor.type_character()
    burst_seconds = await editor.diagnostics_for(version) - sent
    burst_versions = [published for _, published, _ in editor.arrivals[burst_first:]]
    await pause_until_quiet(editor, quiet)
    steady: list[float] = []
    sent_at: list[tuple[int, float]] = []
    typing_started = time.perf_counter()
    for index in range(int(10 * keys_per_second)):
        await asyncio.sleep(max(0.0, typing_started + index / keys_per_second - time.perf_counter()))
        sent_at.append(editor.type_character())
    for version, sent in sent_at:
        steady.append(await editor.diagnostics_for(version, sent) - sent)
    await stop(client)
    return {
        "single": statistics.median(single),
        "burst": burst_seconds,
        "burst publishes": len(burst_versions),
        "burst in order": burst_versions == sorted(burst_versions),
        "steady p50": percentile(steady, 0.5),
        "steady p95": percentile(steady, 0.95),
    }


async def hover_during_compiler_pass(text: str) -> dict[str, float]:
    client, editor = await start(text, {"KONCIERGE_LSP_COMPILER_IDLE_MS": "0"})
    await asyncio.sleep(3)
    # A quarter into the file, before the place typed at, so that typing moves neither.
    keyword = text.index("    env ", len(text) // 4) + 5
    component = text.index("component ", len(text) // 4) + len("component ")
    figures: dict[str, list[float]] = {"keyword": [], "component": []}
    for _ in range(5):
        for name, offset in (("keyword", keyword), ("component", component)):
            version, _ = editor.type_character()
            await editor.diagnostics_for(version)
            # The checker's diagnostics are out: the compiler pass of this version is running now.
            started = time.perf_counter()
            await client.text_document_hover_async(
                types.HoverParams(
                    text_document=types.TextDocumentIdentifier(uri=editor.uri),
                    position=position_of(editor.text, offset),
                )
            )
            figures[name].append(time.perf_counter() - started)
            await asyncio.sleep(3)
    await stop(client)
    return {name: statistics.median(samples) for name, samples in figures.items()}


async def edit_during_diagram(text: str, quiet: float) -> dict[str, float]:
    client, editor = await start(text, {})
    await asyncio.sleep(quiet)
    lone: list[float] = []
    for _ in range(3):
        version, sent = editor.type_character()
        lone.append(await editor.diagnostics_for(version) - sent)
        await asyncio.sleep(quiet)
    edits: list[float] = []
    diagrams: list[float] = []
    for _ in range(3):
        started = time.perf_counter()
        request = asyncio.ensure_future(
            client.protocol.send_request_async(
                "koncierge/diagram", {"textDocument": {"uri": editor.uri}, "view": "architecture"}
            )
        )
        await asyncio.sleep(0.2)
        version, sent = editor.type_character()
        edits.append(await editor.diagnostics_for(version) - sent)
        await request
        diagrams.append(time.perf_counter() - started)
        await asyncio.sleep(quiet)
    await stop(client)
    return {"lone": statistics.median(lone), "edit": statistics.median(edits), "diagram": statistics.median(diagrams)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--components", type=int, default=1000)
    parser.add_argument(
        "--keys-per-second", type=float, default=10.0, help="the typing speed of the steady-typing measure (10 s of it)"
    )
    parser.add_argument(
        "--quiet", type=float, default=3.0, help="seconds to wait for the compiler pass between measurements"
    )
    args = parser.parse_args()
    text = generate_application(args.components)
    print(f"synthetic-{args.components}: {text.count(chr(10)):,} lines")
    figures = asyncio.run(single_and_burst_and_steady(text, args.quiet, args.keys_per_second))
    print(f"single edit -> diagnostics (median of 10):             {figures['single'] * 1000:8.0f} ms")
    print(
        f"200-edit burst: last edit -> its diagnostics:          {figures['burst'] * 1000:8.0f} ms"
        f"  ({figures['burst publishes']} publishes, in version order: {figures['burst in order']})"
    )
    print(
        f"steady typing at {args.keys_per_second:g} keys/s, edit -> diagnostics:  p50 {figures['steady p50'] * 1000:8.0f} ms"
        f"   p95 {figures['steady p95'] * 1000:6.0f} ms  ({figures['steady p95'] / figures['single']:.1f}x the single edit)"
    )
    hover = asyncio.run(hover_during_compiler_pass(text))
    print(
        f"hover during the compiler pass (median of 5): on a keyword {hover['keyword'] * 1000:6.1f} ms, on a component {hover['component'] * 1000:6.1f} ms"
    )
    diagram = asyncio.run(edit_during_diagram(text, args.quiet))
    print(
        f"edit -> diagnostics during a koncierge/diagram request (median of 3): {diagram['edit'] * 1000:6.0f} ms,"
        f" {(diagram['edit'] - diagram['lone']) * 1000:+.0f} ms against a lone edit of the same server"
        f" ({diagram['lone'] * 1000:.0f} ms; the architecture diagram itself: {diagram['diagram']:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
