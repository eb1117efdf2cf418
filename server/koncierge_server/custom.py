"""`koncierge/manifests` and `koncierge/architecture` (see docs/lsp-extensions.md)."""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from koncierge_lang.architecture.printer import architecture_data
from koncierge_lang.yaml_writer import dump
from koncierge_server.compiler import LoweredEnvironment
from koncierge_server.diagnostics import range_json
from koncierge_server.documents import Snapshot
from koncierge_server.errors import RequestFailed
from koncierge_server.positions import range_of

__all__ = ["RequestFailed", "architecture_request", "document_uri", "manifests_request", "parameter"]


def parameter(params: Any, name: str) -> Any:
    """A field of the request's params, whether pygls gave us an object or a dict."""
    if isinstance(params, dict):
        return params.get(name)
    return getattr(params, name, None)


def document_uri(params: Any) -> str:
    document = parameter(params, "textDocument")
    uri = parameter(document, "uri") if document is not None else None
    if not isinstance(uri, str):
        raise JsonRpcInvalidParams("params.textDocument.uri is required")
    return uri


def _selected(snapshot: Snapshot, params: Any, environment_required: bool) -> list[LoweredEnvironment]:
    if snapshot.too_large:
        raise RequestFailed("the file is too large to compile while editing; run `koncierge build`")
    environment = parameter(params, "environment")
    application = parameter(params, "application")
    lowered = [
        entry
        for entry in snapshot.lowered
        if (application is None or entry.application.name == application)
        and (environment is None or entry.environment.name == environment)
    ]
    if environment_required and environment is None:
        raise JsonRpcInvalidParams('params.environment is required, such as "PROD"')
    if not lowered:
        known = sorted({entry.environment.name for entry in snapshot.lowered})
        raise JsonRpcInvalidParams(
            f"no environment `{environment}`"
            + (f" in application `{application}`" if application else "")
            + f"; the file defines {', '.join(known) or 'none'}"
        )
    return lowered


def manifests_request(snapshot: Snapshot, params: Any) -> dict[str, Any]:
    lowered = _selected(snapshot, params, environment_required=True)
    entry = lowered[0]
    if entry.architecture is None:
        failure = entry.failure
        raise RequestFailed(failure.message if failure is not None else "the compiler could not lower this environment")
    chunks: list[str] = []
    objects: list[dict[str, Any]] = []
    line = 0
    for document, span in zip(entry.documents, entry.sources, strict=True):
        text = "---\n" + dump(document)
        lines = text.count("\n")
        metadata = document.get("metadata")
        objects.append(
            {
                "apiVersion": document.get("apiVersion"),
                "kind": document.get("kind"),
                "name": metadata.get("name") if isinstance(metadata, dict) else None,
                "yamlLines": {"start": line, "end": line + lines - 1},
                "sourceRange": range_json(range_of(snapshot.source, span)),
            }
        )
        chunks.append(text)
        line += lines
    return {
        "uri": snapshot.uri,
        "version": snapshot.version,
        "application": entry.application.name,
        "environment": entry.environment.name,
        "hasErrors": snapshot.analysis.has_errors,
        "yaml": "".join(chunks),
        "objects": objects,
    }


def architecture_request(snapshot: Snapshot, params: Any) -> dict[str, Any]:
    lowered = _selected(snapshot, params, environment_required=False)
    environments = []
    for entry in lowered:
        if entry.architecture is None:
            continue
        data = architecture_data(entry.architecture)
        data["sourceRange"] = range_json(range_of(snapshot.source, entry.environment.span))
        environments.append(data)
    return {
        "uri": snapshot.uri,
        "version": snapshot.version,
        "hasErrors": snapshot.analysis.has_errors,
        "environments": environments,
    }
