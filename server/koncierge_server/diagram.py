"""`koncierge/diagram`: one view of an open document as SVG and DOT, with each node's source range.

Params: `{textDocument: {uri}, view, env, unfold}` (`environment` is a synonym of `env`, as in
`koncierge/manifests`; without either, the architecture and kubernetes views draw the PROD
environment, else the last one; `unfold: true` draws configuration, secrets and each workload's
own objects as nodes of their own instead of listing them in the workloads). The answer: `{uri,
version, view, environment, unfold, title, legend, dot, svg, nodes: [{id, range}], message}`.
The SVG has no title and no legend: the preview shows `title` and `legend` (one entry per shape
and line the drawing uses) as HTML beside it, so that the whole pane goes to the drawing. `svg` is
null and `message` says how to install Graphviz when its `dot` program is missing; the DOT source
is always there. A node's `id` is also the `id` of its `<g>` element in the SVG, so a click can
jump to `range` (0-based, UTF-16, like every LSP range).

The five steps of every handler: the snapshot (given), the analysis, nothing to convert on the
way in, the engine (`koncierge_lang.diagrams`), ranges converted on the way out. The analysis and
the engine run in the server's drawing process (`drawing_process.py`), not in the server: drawing
a large application takes seconds of Python, and in the server's own process that would share
the interpreter lock with the analysis of each edit typed meanwhile. Graphviz runs as an asyncio
subprocess, so a newer edit's request is not held up by this one and a cancelled request kills its
`dot`.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from koncierge_lang.diagrams.dot import to_dot
from koncierge_lang.diagrams.legend import LegendEntry, legend_of
from koncierge_lang.diagrams.model import VIEWS
from koncierge_lang.diagrams.render import INSTALL_HINT
from koncierge_lang.diagrams.views import DiagramRequestError, diagram_of
from koncierge_server.compiler import settings_for
from koncierge_server.custom import RequestFailed, parameter
from koncierge_server.diagnostics import range_json
from koncierge_server.documents import Snapshot
from koncierge_server.positions import range_of

_RENDER_TIMEOUT_SECONDS = 30

RunElsewhere = Callable[..., Awaitable[Any]]
"""The server's drawing process (`drawing_process.DrawingProcess.run`): runs a function, named as
`drawing_process.FUNCTIONS` names it, with its arguments, in a process of its own."""


async def handle(snapshot: Snapshot, params: Any, run_elsewhere: RunElsewhere) -> dict[str, Any]:
    view = parameter(params, "view") or "requirements"
    if not isinstance(view, str) or view not in VIEWS:
        raise JsonRpcInvalidParams(f"params.view must be one of {', '.join(VIEWS)}, not {view!r}")
    environment = parameter(params, "env") or parameter(params, "environment")
    if environment is not None and not isinstance(environment, str):
        raise JsonRpcInvalidParams('params.env must be an environment name such as "PROD"')
    unfold = parameter(params, "unfold")
    if unfold is not None and not isinstance(unfold, bool):
        raise JsonRpcInvalidParams("params.unfold must be true or false")
    if snapshot.too_large:
        raise RequestFailed("the file is too large to draw while editing; run `koncierge diagram`")
    # Only the text travels: the drawing process analyses it again, which costs it a fraction of
    # what drawing does, and leaves the server's interpreter to the edits typed meanwhile.
    answer: dict[str, Any] = await run_elsewhere(
        "diagram", snapshot.uri, snapshot.version, snapshot.text, view, environment, unfold is True
    )
    answer["svg"], answer["message"] = await render_svg(answer["dot"])
    return answer


def model_of_text(
    uri: str, version: int | None, text: str, view: str, environment: str | None, unfold: bool
) -> dict[str, Any]:
    """In the drawing process: the answer but its SVG, for one version of a document's text."""
    return _model(Snapshot(uri, version, text), view, environment, unfold)


def _model(snapshot: Snapshot, view: str, environment: str | None, unfold: bool) -> dict[str, Any]:
    """Everything of the answer but the SVG: the diagram, its DOT source and its nodes' ranges."""
    try:
        drawn = diagram_of(snapshot.analysis, view, environment, settings_for(snapshot.path), unfold=unfold)
    except DiagramRequestError as problem:
        raise JsonRpcInvalidParams(str(problem)) from None
    except Exception as error:  # noqa: BLE001 - stage 1 assumes an error-free file; say so, do not crash.
        if snapshot.analysis.has_errors:
            raise RequestFailed(f"the {view} view cannot be drawn until the errors in the file are fixed") from error
        raise
    dot_source = to_dot(drawn.diagram, caption=False)
    source = snapshot.source
    nodes = [
        {"id": node_id, "range": range_json(range_of(source, location.span))}
        for node_id, location in drawn.diagram.locations().items()
        if location.path is None
    ]
    return {
        "uri": snapshot.uri,
        "version": snapshot.version,
        "view": view,
        "environment": drawn.environment,
        "unfold": unfold,
        "title": drawn.diagram.title,
        "legend": [legend_json(entry) for entry in legend_of(drawn.diagram)],
        "hasErrors": snapshot.analysis.has_errors,
        "dot": dot_source,
        "svg": None,
        "nodes": nodes,
        "message": None,
    }


def legend_json(entry: LegendEntry) -> dict[str, Any]:
    """A legend entry for the preview, which draws its sample from the shape and colours."""
    return {
        "kind": entry.kind,
        "name": entry.name,
        "text": entry.text,
        "meaning": entry.meaning,
        "shape": entry.shape,
        "fill": entry.fill,
        "color": entry.color,
        "rounded": entry.rounded,
        "dashed": entry.dashed,
    }


async def render_svg(dot_source: str) -> tuple[str | None, str | None]:
    """(svg, None), or (None, why not) when Graphviz is missing or fails."""
    program = shutil.which("dot")
    if program is None:
        return None, INSTALL_HINT
    process = await asyncio.create_subprocess_exec(
        program,
        "-Tsvg",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        output, errors = await asyncio.wait_for(
            process.communicate(dot_source.encode("utf-8")), _RENDER_TIMEOUT_SECONDS
        )
    except (TimeoutError, asyncio.CancelledError) as stopped:
        if process.returncode is None:
            process.kill()
            await process.wait()
        if isinstance(stopped, TimeoutError):
            return None, f"Graphviz took longer than {_RENDER_TIMEOUT_SECONDS} s to draw the diagram"
        raise
    if process.returncode != 0:
        lines = errors.decode("utf-8", "replace").strip().splitlines()
        return None, "Graphviz could not draw the diagram: " + (
            lines[-1] if lines else f"exit status {process.returncode}"
        )
    return output.decode("utf-8"), None
