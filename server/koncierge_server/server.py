"""The Koncierge language server: a thin pygls 2 layer over `koncierge_lang.analysis`.

Every request handler does five things: find the document, get its analysis for the current
version (cached per uri and version), convert the position, call the feature module, convert the
result. A failure inside one feature answers that request with an error, is logged to standard
error and the client's log, and the server keeps serving.

Diagnostics: on open and save at once, on change after a short debounce (a task the next change
cancels); the checker's diagnostics are published first, then, once typing has paused, again with
the problems the compiler finds while lowering each environment. Nothing is ever published for a
version older than the latest the client sent.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from koncierge_lang import __version__
from koncierge_server import (
    code_actions,
    completion,
    custom,
    diagnostics,
    formatting,
    hover,
    inlay_hints,
    navigation,
    rename,
    semantic_tokens,
    symbols,
)
from koncierge_server.documents import Snapshot
from koncierge_server.protocol import HANDLER_MODULES

VERSION = __version__
DEFAULT_DEBOUNCE_SECONDS = 0.02
COMPILER_IDLE_SECONDS = 0.3
FAULT_VARIABLE = "KONCIERGE_LSP_TEST_FAULT"
"""Test-only hook: a method name (such as `textDocument/hover`) whose handler then fails on purpose."""

logger = logging.getLogger("koncierge_server")
Result = TypeVar("Result")


class KonciergeProtocol(LanguageServerProtocol):
    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        # Positions are converted to UTF-16 in one place (positions.py): always negotiate UTF-16,
        # which every client supports, whatever other encodings the client offers.
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None
        return (yield from super().lsp_initialize(params))


class ClientLogHandler(logging.Handler):
    """Sends the server's log records to the client's log (`window/logMessage`)."""

    _TYPES = {
        logging.ERROR: types.MessageType.Error,
        logging.WARNING: types.MessageType.Warning,
        logging.INFO: types.MessageType.Info,
    }

    def __init__(self, server: KonciergeLanguageServer) -> None:
        super().__init__(level=logging.INFO)
        self.server = server

    def emit(self, record: logging.LogRecord) -> None:
        if not self.server.initialized:
            return
        try:
            message_type = self._TYPES.get(record.levelno, types.MessageType.Log)
            self.server.window_log_message(types.LogMessageParams(type=message_type, message=self.format(record)))
        except Exception:  # noqa: BLE001 - logging must never break the server.
            pass


class KonciergeLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "koncierge",
            VERSION,
            protocol_cls=KonciergeProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.initialized = False
        self.snapshots: dict[str, Snapshot] = {}
        self.latest_versions: dict[str, int] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.last_change: dict[str, float] = {}
        self.debounce_seconds = _seconds_from_environment("KONCIERGE_LSP_DEBOUNCE_MS", DEFAULT_DEBOUNCE_SECONDS)
        self.compiler_idle_seconds = _seconds_from_environment("KONCIERGE_LSP_COMPILER_IDLE_MS", COMPILER_IDLE_SECONDS)

    # Documents and their analyses

    def is_open(self, uri: str) -> bool:
        return uri in self.latest_versions

    def snapshot(self, uri: str) -> Snapshot | None:
        """The analysis of the document's current text, made once per version. None if not open."""
        if not self.is_open(uri):
            return None
        document = self.workspace.get_text_document(uri)
        cached = self.snapshots.get(uri)
        if cached is not None and cached.version == document.version:
            return cached
        # The previous version's analysis lets the parser re-read only what the edit touched.
        snapshot = Snapshot(uri, document.version, document.source, previous=cached)
        self.snapshots[uri] = snapshot
        return snapshot

    def schedule_diagnostics(self, uri: str, delay: float) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        task = asyncio.get_running_loop().create_task(self._publish_when_quiet(uri, delay))
        self.pending[uri] = task
        task.add_done_callback(lambda finished: self._forget_task(uri, finished))

    def _forget_task(self, uri: str, task: asyncio.Task[None]) -> None:
        if self.pending.get(uri) is task:
            del self.pending[uri]
        if not task.cancelled() and task.exception() is not None:
            logger.error("diagnostics for %s failed", uri, exc_info=task.exception())

    async def _publish_when_quiet(self, uri: str, delay: float) -> None:
        # Even without a delay, yield once: edits already received are applied first.
        await asyncio.sleep(delay)
        snapshot = self.snapshot(uri)
        if snapshot is None:
            return
        checked = diagnostics.checker_diagnostics(snapshot)
        self.publish(snapshot, checked)
        if snapshot.analysis.has_errors or snapshot.too_large:
            return
        # The compiler's problems come once typing has paused: lowering every environment of a
        # large file takes longer than the checker, and the next keystroke cancels this.
        await asyncio.sleep(self.compiler_idle_seconds)
        if self.latest_versions.get(uri) != snapshot.version:
            return
        lowered = diagnostics.compiler_diagnostics(snapshot)
        if lowered:
            self.publish(snapshot, checked + lowered)

    def publish(self, snapshot: Snapshot, found: list[types.Diagnostic]) -> None:
        if self.latest_versions.get(snapshot.uri) != snapshot.version:
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=snapshot.uri, version=snapshot.version, diagnostics=found)
        )


def _seconds_from_environment(variable: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ[variable]) / 1000)
    except (KeyError, ValueError):
        return default


server = KonciergeLanguageServer()


def feature(method: str, options: Any = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an async handler that turns any failure into an error answer to this one request."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        async def handler(ls: KonciergeLanguageServer, params: Any) -> Any:
            try:
                if os.environ.get(FAULT_VARIABLE) == method:
                    raise RuntimeError(f"fault injected by {FAULT_VARIABLE} for tests")
                result = function(ls, params)
                if asyncio.iscoroutine(result):
                    result = await result
                return result
            except JsonRpcException:
                raise
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.exception("%s failed", method)
                raise JsonRpcInternalError(f"{method} failed inside the Koncierge server: {error!r}") from error

        server.feature(method, options)(handler)
        return function

    return register


def _notification(method: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a notification handler; a failure is logged and never reaches the client."""

    def register(function: Callable[..., None]) -> Callable[..., None]:
        async def handler(ls: KonciergeLanguageServer, params: Any) -> None:
            try:
                function(ls, params)
            except Exception:  # noqa: BLE001 - a notification has no answer to carry an error.
                logger.exception("%s failed", method)

        server.feature(method)(handler)
        return function

    return register


@_notification(types.INITIALIZED)
def initialized(ls: KonciergeLanguageServer, params: types.InitializedParams) -> None:
    ls.initialized = True
    logger.info("Koncierge language server %s ready (debounce %.0f ms)", VERSION, ls.debounce_seconds * 1000)


@server.feature(types.INITIALIZE)
def initialize(ls: KonciergeLanguageServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict) and isinstance(options.get("debounceMilliseconds"), (int, float)):
        ls.debounce_seconds = max(0.0, float(options["debounceMilliseconds"]) / 1000)


@_notification(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: KonciergeLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.latest_versions[params.text_document.uri] = params.text_document.version
    ls.schedule_diagnostics(params.text_document.uri, 0)


@_notification(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: KonciergeLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if not ls.is_open(uri):
        return
    ls.latest_versions[uri] = params.text_document.version
    # A leading-edge debounce: an edit that follows the previous one by more than the debounce is
    # checked at once (typing at human speed); edits that come faster than that are coalesced,
    # and only the last of a burst is checked.
    now = time.monotonic()
    previous = ls.last_change.get(uri, float("-inf"))
    ls.last_change[uri] = now
    ls.schedule_diagnostics(uri, ls.debounce_seconds if now - previous < ls.debounce_seconds else 0)


@_notification(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: KonciergeLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if not ls.is_open(uri):
        return
    cached = ls.snapshots.get(uri)
    if cached is not None:
        cached.forget_lowering()
    ls.schedule_diagnostics(uri, 0)


@_notification(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: KonciergeLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    pending = ls.pending.pop(uri, None)
    if pending is not None:
        pending.cancel()
    ls.snapshots.pop(uri, None)
    ls.latest_versions.pop(uri, None)
    ls.last_change.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _with_snapshot(
    compute: Callable[[Snapshot, Any], Result],
) -> Callable[[KonciergeLanguageServer, Any], Result | None]:
    def run(ls: KonciergeLanguageServer, params: Any) -> Result | None:
        snapshot = ls.snapshot(params.text_document.uri)
        if snapshot is None:
            logger.info("%s for a document that is not open: %s", type(params).__name__, params.text_document.uri)
            return None
        return compute(snapshot, params)

    return run


feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=completion.TRIGGER_CHARACTERS, resolve_provider=True),
)(_with_snapshot(lambda snapshot, params: completion.completion(snapshot, params.position)))
feature(types.TEXT_DOCUMENT_HOVER)(_with_snapshot(lambda snapshot, params: hover.hover(snapshot, params.position)))
feature(types.TEXT_DOCUMENT_DEFINITION)(
    _with_snapshot(lambda snapshot, params: navigation.definition(snapshot, params.position))
)
feature(types.TEXT_DOCUMENT_REFERENCES)(
    _with_snapshot(
        lambda snapshot, params: navigation.references(snapshot, params.position, params.context.include_declaration)
    )
)
feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)(
    _with_snapshot(lambda snapshot, params: navigation.highlight(snapshot, params.position))
)
feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(
    _with_snapshot(lambda snapshot, params: rename.prepare_rename(snapshot, params.position))
)
feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))(
    _with_snapshot(lambda snapshot, params: rename.rename(snapshot, params.position, params.new_name))
)
feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(_with_snapshot(lambda snapshot, params: symbols.document_symbols(snapshot)))
feature(types.TEXT_DOCUMENT_FOLDING_RANGE)(_with_snapshot(lambda snapshot, params: symbols.folding_ranges(snapshot)))
feature(types.TEXT_DOCUMENT_FORMATTING)(_with_snapshot(lambda snapshot, params: formatting.formatting(snapshot)))
feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, semantic_tokens.LEGEND)(
    _with_snapshot(lambda snapshot, params: semantic_tokens.semantic_tokens(snapshot))
)
feature(types.TEXT_DOCUMENT_INLAY_HINT)(
    _with_snapshot(lambda snapshot, params: inlay_hints.inlay_hints(snapshot, params.range))
)
feature(
    types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
)(_with_snapshot(code_actions.code_actions))


@feature(types.COMPLETION_ITEM_RESOLVE)
def completion_item_resolve(ls: KonciergeLanguageServer, item: types.CompletionItem) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    snapshot = ls.snapshot(data["uri"]) if isinstance(data.get("uri"), str) else None
    return completion.resolve(snapshot, item) if snapshot is not None else item


@feature(types.WORKSPACE_SYMBOL)
def workspace_symbol(ls: KonciergeLanguageServer, params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
    snapshots = [snapshot for snapshot in (ls.snapshot(uri) for uri in list(ls.latest_versions)) if snapshot is not None]
    return symbols.workspace_symbols(snapshots, params.query)


def _register_custom_requests() -> None:
    """Each request in protocol.HANDLER_MODULES whose module exists (the diagram comes later)."""
    for method, (module_name, function_name) in HANDLER_MODULES.items():
        try:
            module = importlib.import_module(f"koncierge_server.{module_name}")
        except ModuleNotFoundError as error:
            if error.name != f"koncierge_server.{module_name}":
                raise
            continue
        handle = getattr(module, function_name)
        feature(method)(_custom_request(handle))


def _custom_request(handle: Callable[[Snapshot, Any], Any]) -> Callable[[KonciergeLanguageServer, Any], Any]:
    def run(ls: KonciergeLanguageServer, params: Any) -> Any:
        uri = custom.document_uri(params)
        snapshot = ls.snapshot(uri)
        if snapshot is None:
            raise JsonRpcInvalidParams(f"{uri} is not open: send textDocument/didOpen first")
        return handle(snapshot, params)

    return run


_register_custom_requests()


def configure_logging() -> None:
    """Logs go to standard error and the client's log; standard output carries only LSP messages."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING)
    logger.setLevel(logging.INFO)
    client_handler = ClientLogHandler(server)
    client_handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(client_handler)


def start(tcp: tuple[str, int] | None = None) -> None:
    configure_logging()
    if tcp is not None:
        server.start_tcp(*tcp)
    else:
        server.start_io()


