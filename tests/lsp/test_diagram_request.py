"""`koncierge/diagram` end to end: the real server over stdio, driven by pytest-lsp."""

from __future__ import annotations

import asyncio
import base64
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from koncierge_server.protocol import DIAGRAM
from tests.lsp.support import TODO_TEXT, TODO_URI, diagnostics_for, open_text, replace_all

REPOSITORY = Path(__file__).resolve().parents[2]

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


async def request(client: LanguageClient, view: str, env: str | None = None, **more: object):  # type: ignore[no-untyped-def]
    params: dict[str, object] = {"textDocument": {"uri": TODO_URI}, "view": view, **more}
    if env is not None:
        params["env"] = env
    return await client.protocol.send_request_async(DIAGRAM, params)


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n")


@needs_graphviz
async def test_each_view_answers_svg_dot_and_source_ranges(client: LanguageClient) -> None:
    await open_text(client, TODO_TEXT)
    for view in ("requirements", "architecture", "kubernetes"):
        answer = await request(client, view, None if view == "requirements" else "PROD")
        assert answer.view == view
        assert answer.dot.startswith(f"digraph {view} {{")
        assert answer.svg.lstrip().startswith("<?xml") and "</svg>" in answer.svg
        ranges = {node.id: node.range for node in answer.nodes}
        for node_id in ranges:
            # Each node's id is the id of its element in the SVG, so a click can find its range.
            assert f'id="{node_id}"' in html.unescape(answer.svg)
        backend = {
            "requirements": "todo/component/backend",
            "architecture": "todo-prod/workload/backend",
            "kubernetes": "k8s/todo-prod/Deployment/backend",
        }[view]
        assert ranges[backend].start.line == line_of(TODO_TEXT, "component backend")
        # Secret values never leave the server in a diagram.
        # Secret values never leave the server in a diagram (a decoded value as a word of its own:
        # `user` is also part of the name `db_user`, which may be shown).
        for secret in ("dXNlcg==", "ZGV2ZWxvcA==", "bWFnaWM="):
            decoded = re.compile(rf"(?<![\w-]){re.escape(base64.b64decode(secret).decode())}(?![\w-])")
            for drawn in (answer.dot, html.unescape(answer.svg)):
                assert secret not in drawn and not decoded.search(drawn)


async def test_the_diagram_follows_edits(client: LanguageClient) -> None:
    await open_text(client, TODO_TEXT)
    text = TODO_TEXT.replace("  route web -> frontend:8080\n", "  route www -> frontend:8080\n")
    waiting = diagnostics_for(client, TODO_URI, 2)
    replace_all(client, TODO_URI, 2, text)
    await waiting
    answer = await request(client, "requirements")
    assert answer.version == 2
    ids = {node.id for node in answer.nodes}
    assert "todo/route/www" in ids and "todo/route/web" not in ids
    www = next(node for node in answer.nodes if node.id == "todo/route/www")
    assert www.range.start.line == line_of(text, "route www")


async def test_default_environment_unknown_environment_and_unknown_view(client: LanguageClient) -> None:
    await open_text(client, TODO_TEXT)
    answer = await request(client, "architecture")
    assert answer.environment == "PROD"
    with pytest.raises(JsonRpcException, match="unknown environment `NOPE`"):
        await request(client, "kubernetes", "NOPE")
    with pytest.raises(JsonRpcException, match="params.view"):
        await request(client, "sequence")


@needs_graphviz
async def test_the_legend_and_title_come_beside_the_svg_and_unfold_brings_the_nodes_back(
    client: LanguageClient,
) -> None:
    await open_text(client, TODO_TEXT)
    folded = await request(client, "kubernetes", "PROD")
    assert folded.unfold is False and folded.title == "Kubernetes objects of todo in PROD"
    # The SVG is only the drawing: its title and legend are data for the preview's HTML.
    assert folded.title not in html.unescape(folded.svg) and "legend" not in folded.dot
    legend = {(entry.kind, entry.name): entry for entry in folded.legend}
    workload = legend[("node", "workload")]
    assert (workload.text, workload.shape, workload.fill, workload.rounded) == ("workload", "box", "#dbeafe", True)
    assert ("line", "network") in legend and ("implied", "implied") in legend and ("node", "secret") not in legend
    ids = {node.id for node in folded.nodes}
    assert "k8s/todo-prod/ConfigMap/backend-config" not in ids
    assert "ConfigMap backend-config: DB_HOST," in html.unescape(folded.svg)
    unfolded = await request(client, "kubernetes", "PROD", unfold=True)
    assert unfolded.unfold is True
    assert "k8s/todo-prod/ConfigMap/backend-config" in {node.id for node in unfolded.nodes}
    assert ("node", "secret") in {(entry.kind, entry.name) for entry in unfolded.legend}
    with pytest.raises(JsonRpcException, match="params.unfold"):
        await request(client, "kubernetes", "PROD", unfold="yes")


def drawing_processes(client: LanguageClient) -> list[int]:
    """The server's child processes that draw diagrams (`koncierge_server.drawing_process`)."""
    server = client._server  # noqa: SLF001 - pytest-lsp's handle on the server process
    assert server is not None
    found = []
    for task in Path(f"/proc/{server.pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            except FileNotFoundError:
                continue  # It ended meanwhile.
            if b"koncierge_server.drawing_process" in command:
                found.append(int(child))
    return found


async def until(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    """Wait for something another process does, checking every 20 ms, for at most `seconds`."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {seconds} s: {condition}")


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def test_diagrams_are_drawn_in_a_process_of_their_own_and_a_lost_one_is_replaced(
    client: LanguageClient,
) -> None:
    # Drawing a large application is seconds of Python: in the server's process it would slow
    # the analysis of every edit typed meanwhile (issue 16).
    await open_text(client, TODO_TEXT)
    assert drawing_processes(client) == []  # Started on the first diagram, not before.
    assert (await request(client, "architecture")).title == "Architecture of todo in PROD"
    [first] = drawing_processes(client)
    assert (await request(client, "requirements")).view == "requirements"
    assert drawing_processes(client) == [first]  # One process, kept for the next diagram.
    os.kill(first, signal.SIGKILL)
    await until(lambda: not alive(first))
    assert (await request(client, "kubernetes", "PROD")).title == "Kubernetes objects of todo in PROD"
    [second] = drawing_processes(client)
    assert second != first


async def test_a_cancelled_diagram_stops_its_drawing_process(client: LanguageClient) -> None:
    sys.path.insert(0, str(REPOSITORY / "bench"))
    from synthetic import generate_application

    await open_text(client, generate_application(300))
    drawing = client.protocol.send_request(
        DIAGRAM, {"textDocument": {"uri": TODO_URI}, "view": "architecture"}, msg_id="drawing"
    )
    await until(lambda: bool(drawing_processes(client)))
    [process] = drawing_processes(client)
    client.cancel_request(types.CancelParams(id="drawing"))
    await until(lambda: not alive(process))
    with pytest.raises(JsonRpcException, match="cancel"):
        await asyncio.wrap_future(drawing)
    answer = await request(client, "requirements")
    assert answer.view == "requirements" and drawing_processes(client) != [process]


def test_the_drawing_process_answers_errors_and_ends_with_its_input() -> None:
    requests = b""
    for arguments in (
        [TODO_URI, 3, TODO_TEXT, "architecture", "PROD", False],
        [TODO_URI, 3, TODO_TEXT, "architecture", "NOPE", False],
    ):
        body = json.dumps({"function": "diagram", "arguments": arguments}).encode()
        requests += b"%d\n" % len(body) + body
    finished = subprocess.run(
        [sys.executable, "-m", "koncierge_server.drawing_process"],
        input=requests,
        capture_output=True,
        timeout=120,
        check=True,  # The end of its input ends it, with exit status 0.
    )
    answers = []
    output = finished.stdout
    while output:
        header, _, output = output.partition(b"\n")
        answers.append(json.loads(output[: int(header)]))
        output = output[int(header) :]
    drawn, refused = answers
    assert drawn["result"]["version"] == 3 and drawn["result"]["dot"].startswith("digraph architecture {")
    assert refused == {"error": {"code": -32602, "message": refused["error"]["message"]}}
    assert "unknown environment `NOPE`" in refused["error"]["message"]
