"""The language server's memory under a long day of typing: does anything stay behind per edit?

Opens the synthetic 1,000-component application, waits for its diagnostics, then sends 10,000
single-character edits (typing a character and deleting it again, so the text keeps its size),
waiting for the diagnostics of every 1,000th version, and prints the server's resident memory
(VmRSS from /proc) after each thousand and the growth from the first sample. The issue's target:
less than 5 MB for 10,000 edits. (Before the fix pygls kept two futures per `didChange`, about
2.8 MB per 1,000 edits.)

Usage: python bench/bench_lsp_memory.py [--edits 10000] [--components 1000]
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

from lsp_latency import position_of, rss_megabytes  # noqa: E402
from synthetic import generate_application  # noqa: E402


async def measure(edits: int, components: int) -> None:
    text = generate_application(components)
    client = LanguageClient("koncierge-bench", "1")
    waiting: dict[int, asyncio.Future[None]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        future = waiting.get(params.version or -1)
        if future is not None and not future.done():
            future.set_result(None)

    await client.start_io(sys.executable, "-m", "koncierge_server", env=dict(os.environ), cwd=str(REPOSITORY))
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=os.getpid())
    )
    client.initialized(types.InitializedParams())
    assert client._server is not None
    pid = client._server.pid
    uri = (REPOSITORY / "bench" / "memory.kon").as_uri()
    loop = asyncio.get_running_loop()
    waiting[1] = loop.create_future()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="koncierge", version=1, text=text)
        )
    )
    await waiting[1]
    middle = text.index("\n", len(text) // 2)
    typing_at = position_of(text, text.index('"', text.index(" = ", middle)) + 1)
    after = types.Position(line=typing_at.line, character=typing_at.character + 1)
    first = rss_megabytes(pid)
    print(f"{text.count(chr(10)):,} lines, {components:,} components; server RSS after opening: {first:.1f} MB")
    print(f"{'edits':>8}{'RSS MB':>10}{'growth MB':>11}{'seconds':>9}")
    started = time.perf_counter()
    for index in range(edits):
        version = index + 2
        typing = index % 2 == 0
        change = types.TextDocumentContentChangePartial(
            range=types.Range(start=typing_at, end=typing_at if typing else after), text="x" if typing else ""
        )
        if (index + 1) % 1000 == 0:
            waiting[version] = loop.create_future()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]
            )
        )
        if (index + 1) % 1000 == 0:
            await waiting[version]
            del waiting[version]
            now = rss_megabytes(pid)
            print(f"{index + 1:>8,}{now:>10.1f}{now - first:>11.1f}{time.perf_counter() - started:>9.1f}")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=10_000)
    parser.add_argument("--components", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(measure(args.edits, args.components))
    return 0


if __name__ == "__main__":
    sys.exit(main())
