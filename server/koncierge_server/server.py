"""The Koncierge language server: a thin pygls 2 layer over `koncierge_lang.analysis`.

Every request handler does five things: find the document, get its analysis, convert the
position, call the feature module, convert the result. A failure inside one feature answers that
request with an error, is logged to standard error and the client's log, and the server keeps
serving.

The editor's text exactly: the server keeps each open document's text itself (`text_edits`
applies every incremental change as LSP defines it; pygls's workspace is not used), under one key
per document (`text_edits.document_key`: uris equal once percent-decoded are one document). A
`didOpen` replaces the text and the analysis, even with the same version.

Latest version first: the event loop only reads messages, applies edits and answers; analysis
runs in a thread of its own (`analysis_executor`), the compiler pass in another
(`compiler_executor`) and the features in a third (`request_executor`); diagrams are drawn in a
process of their own (`drawing_process.py`), whose seconds of Python on a large application never
share the interpreter lock with the analysis of an edit. Each document has at most
one worker task: it waits for the debounce (leading-edge: an edit after a pause is analysed at
once), analyses the newest text, publishes the checker's diagnostics if no newer text has arrived
meanwhile, and, once typing has paused, the compiler's. Edits that arrive during an analysis
coalesce: the checker stops at its next statement, and only the newest text is analysed next.
Nothing is ever published for a version older than the latest the client sent. A request waits
for the analysis of the newest text, for at most `REQUEST_WAIT_SECONDS`; then it is answered from
the newest analysis ready, except the requests whose answer is an edit of the text (completion,
formatting, rename, code actions), which answer ContentModified (-32801) rather than edit a text
the client no longer has. The analysis a newer one replaces is freed in a release thread, after
the newer one's diagnostics are published.

Every request is answered: params that fail validation answer InvalidParams (-32602) with what is
wrong; a malformed notification is logged once, as a warning without a traceback, and never
reaches the client as an error dialog; expected refusals are answered, not logged as failures.
pygls keeps the future of every notification it runs in a table it only cleans for requests (two
per `didChange` for ever): `KonciergeProtocol` forgets each one when it is done.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import functools
import importlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar

import cattrs
from lsprotocol import types
from pygls.exceptions import (
    JsonRpcContentModified,
    JsonRpcException,
    JsonRpcInternalError,
    JsonRpcInvalidParams,
)
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method

from koncierge_lang import __version__
from koncierge_lang.requirements.checker import CheckStopped
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
from koncierge_server.documents import Snapshot, path_of
from koncierge_server.drawing_process import DrawingProcess
from koncierge_server.protocol import HANDLER_MODULES
from koncierge_server.settings_file import is_settings_path, settings_diagnostics
from koncierge_server.text_edits import apply_changes, document_key

VERSION = __version__
DEFAULT_DEBOUNCE_SECONDS = 0.02
COMPILER_IDLE_SECONDS = 0.3
REQUEST_WAIT_SECONDS = 1.0
"""How long a request waits for the analysis of the newest text before it uses an older one."""
FAULT_VARIABLE = "KONCIERGE_LSP_TEST_FAULT"
"""Test-only hook: a method name (such as `textDocument/hover`) whose handler then fails on purpose."""

logger = logging.getLogger("koncierge_server")
Result = TypeVar("Result")


@dataclasses.dataclass(frozen=True, slots=True)
class MalformedMessage:
    """A request or notification whose params failed validation: answered or logged, never run."""

    id: Any
    method: str
    reason: str
    jsonrpc: str = "2.0"


def _validation_reason(error: Exception) -> str:
    """What is wrong with the params, in one line: the field and the problem."""
    if isinstance(error, cattrs.ClassValidationError):
        problems = cattrs.transform_error(error, path="params")
        return "; ".join(problems) if problems else str(error)
    return str(error) or type(error).__name__


class KonciergeProtocol(LanguageServerProtocol):
    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Any:
        # Positions are converted to UTF-16 in one place (positions.py): always negotiate UTF-16,
        # which every client supports, whatever other encodings the client offers.
        if params.capabilities.general is not None:
            params.capabilities.general.position_encodings = None
        return (yield from super().lsp_initialize(params))

    @property
    def _koncierge(self) -> KonciergeLanguageServer:
        assert isinstance(self._server, KonciergeLanguageServer)
        return self._server

    # The documents' text is the server's own (text_edits.py), not pygls's workspace: these
    # replace pygls's built-in handlers, and being plain functions they leave no future behind.

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        _guarded(types.TEXT_DOCUMENT_DID_OPEN, self._koncierge.open_document, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        _guarded(types.TEXT_DOCUMENT_DID_CHANGE, self._koncierge.change_document, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        _guarded(types.TEXT_DOCUMENT_DID_CLOSE, self._koncierge.close_document, params)

    def structure_message(self, data: Any) -> Any:
        """A message that fails validation becomes a `MalformedMessage` instead of an exception
        that pygls would log with a traceback and leave unanswered."""
        if not isinstance(data, dict) or "jsonrpc" not in data:
            return data  # A part of a message (its params), or not JSON-RPC at all.
        method = data.get("method")
        is_request = "id" in data and method is not None
        try:
            if not isinstance(method, str):
                if "id" in data and ("result" in data or "error" in data):
                    return super().structure_message(data)  # The client's answer to a request of ours.
                raise ValueError("a message needs a method (or, as an answer, a result or an error)")
            message_type = self.get_message_type(method)
            if message_type is not None:
                return self._converter.structure(data, message_type)
            if "params" not in data:
                if is_request and method in HANDLER_MODULES:
                    raise ValueError("params are required: {textDocument: {uri}, ...}")
                data = {**data, "params": None}
            return super().structure_message(data)
        except Exception as error:  # noqa: BLE001 - any invalid message is answered or logged, never raised.
            return MalformedMessage(
                id=data.get("id") if is_request else None, method=str(method), reason=_validation_reason(error)
            )

    def handle_message(self, message: Any) -> None:
        if isinstance(message, MalformedMessage):
            if message.id is not None:
                self._send_response(
                    message.id,
                    error=JsonRpcInvalidParams(
                        f"invalid params for {message.method}: {message.reason}"
                    ).to_response_error(),
                )
            else:
                logger.warning("ignored a malformed %s message: %s", message.method, message.reason)
            return
        if not hasattr(message, "jsonrpc"):
            logger.warning("ignored a message that is not a JSON-RPC object: %.80r", message)
            return
        super().handle_message(message)

    def _send_handler_result(self, future: Any, *, msg_id: Any) -> None:
        # An error the handler chose (InvalidParams, RequestFailed, ContentModified) is the answer,
        # not a failure: pygls would log it with a traceback.
        if future.done() and not future.cancelled() and isinstance(future.exception(), JsonRpcException):
            self._request_futures.pop(msg_id, None)
            self._result_types.pop(msg_id, None)
            self._send_response(msg_id, error=future.exception().to_response_error())
            return
        super()._send_handler_result(future, msg_id=msg_id)

    def _execute_handler(self, msg_id: Any, handler: Any, callback: Any, args: Any = None, kwargs: Any = None) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        # pygls removes a request's future when it answers, but never a notification's (nor that
        # of the step a built-in handler delegates to): forget each one once it is done.
        future = self._request_futures.get(msg_id)
        if future is not None:
            future.add_done_callback(functools.partial(self._forget_future, msg_id))

    def _forget_future(self, msg_id: Any, future: Any) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]


def _guarded(method: str, function: Callable[[Any], None], params: Any) -> None:
    try:
        function(params)
    except Exception:  # noqa: BLE001 - a notification has no answer to carry an error.
        logger.exception("%s failed", method)


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


@dataclasses.dataclass(slots=True, eq=False)
class OpenDocument:
    """One open document: the text the client last sent, and the newest analysis ready for it.

    The server's live state, so mutable; only the event loop's thread touches it. `revision`
    counts every text the client sent (an open, a change, a save), so that a re-open with the same
    version is new text all the same.
    """

    uri: str
    version: int
    text: str
    revision: int = 0
    last_change: float = float("-inf")
    debounce_until: float = float("-inf")
    ready: Snapshot | None = None
    ready_revision: int = -1
    ready_event: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    new_text: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    """Set by every open, change and save: the worker stops waiting for a compiler pass."""
    worker: asyncio.Task[None] | None = None

    @property
    def up_to_date(self) -> bool:
        return self.ready is not None and self.ready_revision == self.revision


@dataclasses.dataclass
class OpenSettings:
    """An open `koncierge.toml`: its text as the client last sent it. Its diagnostics depend on it
    and on the `.kon` files beside it (`settings_file.py`)."""

    uri: str
    path: str
    version: int
    text: str
    task: asyncio.Task[None] | None = None


async def _set_within(event: asyncio.Event, seconds: float | None, until: asyncio.Future[Any] | None = None) -> bool:
    """Whether `event` is set within `seconds` (or before `until` is done)."""
    waiting = asyncio.ensure_future(event.wait())
    try:
        await asyncio.wait(
            {waiting} | ({until} if until is not None else set()), timeout=seconds, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        waiting.cancel()
    return event.is_set()


def _retrieve(future: asyncio.Future[Any]) -> None:
    """A compiler pass nobody waits for any more: its failure is logged, not left unread."""
    if not future.cancelled() and future.exception() is not None:
        logger.error("the compiler pass failed", exc_info=future.exception())


_LONGEST_HEADER_LINE = 2**20


class _PipeReader:
    """An asyncio stream as pygls's message loop reads it: a line, then exactly n bytes (fewer at
    the end of the input, as a file's `read` gives)."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream

    async def readline(self) -> bytes:
        try:
            return await self.stream.readline()
        except ValueError:  # A "line" longer than any header: not LSP; skip it.
            await self.stream.read(_LONGEST_HEADER_LINE)
            return b"\r\n"

    async def readexactly(self, n: int) -> bytes:
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError as error:
            return error.partial


def _release(snapshot: Snapshot) -> None:
    """In the release thread: the last reference to a replaced analysis goes here, its lowering
    one environment at a time (freeing millions of objects holds the interpreter lock throughout;
    in pieces, the other threads get it in between)."""
    lowered = snapshot.forget_lowering()
    while lowered:
        lowered.pop()


def _analyse(
    uri: str, version: int, text: str, previous: Snapshot | None, superseded: Callable[[], bool]
) -> tuple[Snapshot, list[types.Diagnostic]] | None:
    """In the analysis thread: the snapshot of one text, with every stage the features read; None
    when newer text came while the checker ran (`superseded()`, asked between statements)."""
    snapshot = Snapshot(uri, version, text, previous=previous)
    try:
        snapshot.analysis.check_unless(superseded)
    except CheckStopped:
        return None
    return snapshot, diagnostics.checker_diagnostics(snapshot)


class KonciergeLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "koncierge",
            VERSION,
            protocol_cls=KonciergeProtocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.initialized = False
        self.documents: dict[str, OpenDocument] = {}
        self.settings_documents: dict[str, OpenSettings] = {}
        self.debounce_seconds = _seconds_from_environment("KONCIERGE_LSP_DEBOUNCE_MS", DEFAULT_DEBOUNCE_SECONDS)
        self.compiler_idle_seconds = _seconds_from_environment("KONCIERGE_LSP_COMPILER_IDLE_MS", COMPILER_IDLE_SECONDS)
        self.request_wait_seconds = _seconds_from_environment("KONCIERGE_LSP_REQUEST_WAIT_MS", REQUEST_WAIT_SECONDS)
        self.analysis_executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="koncierge-analysis")
        self.compiler_executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="koncierge-compiler")
        self.request_executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="koncierge-request")
        self.release_executor = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="koncierge-release")
        self.drawing_process = DrawingProcess()

    def _start_io_async(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Standard input read by the event loop itself, not line by line in a thread as pygls
        does: with the analysis thread busy, every hand-over between threads waits for Python's
        interpreter lock (up to 5 ms), and pygls's reader takes three per message, so a burst of
        200 edits took seconds just to be read."""
        stop_event = self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        source = stdin or sys.stdin.buffer

        async def serve() -> None:
            reader: Any
            try:
                stream = asyncio.StreamReader(limit=_LONGEST_HEADER_LINE)
                await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), source)
                reader = _PipeReader(stream)
            except (OSError, ValueError):  # Not a pipe, a socket or a terminal: pygls's own reader.
                reader = StdinAsyncReader(source, self.thread_pool)
            try:
                await run_async(
                    stop_event=stop_event,
                    reader=reader,
                    protocol=self.protocol,
                    logger=logger,
                    error_handler=self.report_server_error,
                )
            finally:
                # While the event loop still runs, which must see the drawing process end.
                await self.drawing_process.close()

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            logger.error("the connection to the client is lost: shutting down")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls would show an error dialog for a failed notification: log a warning instead."""
        logger.warning("%s", error)

    # Documents: their text, as the client sent it

    def document(self, uri: str) -> OpenDocument | None:
        return self.documents.get(document_key(uri))

    def is_open(self, uri: str) -> bool:
        return document_key(uri) in self.documents

    def open_document(self, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        key = document_key(item.uri)
        path = path_of(item.uri)
        if is_settings_path(path):
            assert path is not None
            settings = OpenSettings(item.uri, path, item.version, item.text)
            self.settings_documents[key] = settings
            self.check_settings(settings)
            return
        document = self.documents.get(key)
        if document is None:
            document = OpenDocument(uri=item.uri, version=item.version, text=item.text)
            self.documents[key] = document
        else:
            document.uri, document.version, document.text = item.uri, item.version, item.text
            document.revision += 1
        document.debounce_until = float("-inf")
        self.ensure_worker(document)

    def change_document(self, params: types.DidChangeTextDocumentParams) -> None:
        settings = self.settings_documents.get(document_key(params.text_document.uri))
        if settings is not None:
            settings.text = apply_changes(settings.text, params.content_changes)
            settings.version = params.text_document.version
            self.check_settings(settings)
            return
        document = self.document(params.text_document.uri)
        if document is None:
            return
        document.text = apply_changes(document.text, params.content_changes)
        document.version = params.text_document.version
        document.revision += 1
        # A leading-edge debounce: an edit that follows the previous one by more than the
        # debounce is analysed at once (typing at human speed); faster edits are coalesced.
        now = time.monotonic()
        if now - document.last_change < self.debounce_seconds:
            document.debounce_until = now + self.debounce_seconds
        document.last_change = now
        self.ensure_worker(document)

    def save_document(self, uri: str) -> None:
        settings = self.settings_documents.get(document_key(uri))
        if settings is not None:
            # The saved settings are what `koncierge build` reads: the `.kon` files beside them
            # are lowered again with them.
            folder = os.path.dirname(settings.path)
            for open_document in list(self.documents.values()):
                path = path_of(open_document.uri)
                if path is not None and os.path.dirname(path) == folder:
                    self.save_document(open_document.uri)
            return
        document = self.document(uri)
        if document is None:
            return
        # `koncierge.toml` beside the file may have changed: analyse and lower again.
        document.revision += 1
        document.debounce_until = float("-inf")
        self.ensure_worker(document)

    def close_document(self, params: types.DidCloseTextDocumentParams) -> None:
        settings = self.settings_documents.pop(document_key(params.text_document.uri), None)
        if settings is not None:
            if settings.task is not None:
                settings.task.cancel()
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=settings.uri, diagnostics=[]))
            return
        document = self.documents.pop(document_key(params.text_document.uri), None)
        if document is not None:
            if document.worker is not None:
                document.worker.cancel()
            document.ready_event.set()  # Requests waiting for its analysis answer now: not open.
        # Diagnostics are published under the uri the document was opened with; so is their end.
        uri = document.uri if document is not None else params.text_document.uri
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    # The settings file

    def check_settings(self, settings: OpenSettings) -> None:
        """Publish the diagnostics of an open settings file for its newest text, off the event loop
        (it analyses the `.kon` files beside it); an older check still running publishes nothing."""
        if settings.task is not None:
            settings.task.cancel()
        settings.task = asyncio.get_running_loop().create_task(self._check_settings(settings))

    async def _check_settings(self, settings: OpenSettings) -> None:
        version, text = settings.version, settings.text
        open_analyses = {
            path: document.ready.analysis
            for document in self.documents.values()
            if document.ready is not None and (path := path_of(document.uri)) is not None and path.endswith(".kon")
        }
        found = await asyncio.get_running_loop().run_in_executor(
            self.request_executor, settings_diagnostics, settings.path, text, open_analyses
        )
        if self.settings_documents.get(document_key(settings.uri)) is settings and settings.version == version:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=settings.uri, version=version, diagnostics=found)
            )

    def check_settings_beside(self, uri: str) -> None:
        """After a `.kon` file's new text: the environments it declares may have changed what an
        open settings file beside it gets wrong (KON326, KON327)."""
        path = path_of(uri)
        if path is None:
            return
        for settings in self.settings_documents.values():
            if os.path.dirname(settings.path) == os.path.dirname(path):
                self.check_settings(settings)

    # Analysis: the newest text first, off the event loop

    def ensure_worker(self, document: OpenDocument) -> None:
        document.new_text.set()
        if document.worker is None or document.worker.done():
            document.worker = asyncio.get_running_loop().create_task(self._work(document))
            document.worker.add_done_callback(self._worker_done)

    @staticmethod
    def _worker_done(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            logger.error("analysis failed", exc_info=task.exception())

    def _is_current(self, document: OpenDocument) -> bool:
        return self.documents.get(document_key(document.uri)) is document

    async def _work(self, document: OpenDocument) -> None:
        loop = asyncio.get_running_loop()
        while self._is_current(document) and not document.up_to_date:
            # Yield once, so that edits already received are applied first; then wait out the
            # debounce of a burst.
            await asyncio.sleep(0)
            while (wait := document.debounce_until - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            if not self._is_current(document):
                return
            revision = document.revision
            replaced = document.ready

            # The checker stops between two statements once newer text has come, so that the
            # analysis of that text starts at once, instead of after this one.
            def superseded(document: OpenDocument = document, revision: int = revision) -> bool:
                return not self._is_current(document) or document.revision != revision

            analysed = await loop.run_in_executor(
                self.analysis_executor, _analyse, document.uri, document.version, document.text, replaced, superseded
            )
            if not self._is_current(document):
                return
            if analysed is None:
                continue  # Stopped for newer text: analyse that.
            snapshot, checked = analysed
            self._make_ready(document, snapshot, revision)
            if document.revision != revision:
                self.release(replaced)
                continue  # Newer text arrived meanwhile: analyse that, publish nothing for this.
            self.publish(document, snapshot, checked)
            # Freeing the analysis this one replaces takes a tenth of a second on a large file
            # (more with its lowering): after the publish, in the release thread.
            self.release(replaced)
            replaced = None
            self.check_settings_beside(document.uri)
            if snapshot.analysis.has_errors or snapshot.too_large:
                continue
            # The compiler's problems come once typing has paused: lowering every environment of
            # a large file takes longer than the checker. New text ends the wait, and the wait for
            # the pass itself (which finishes in its thread, unused): its analysis comes first.
            document.new_text.clear()
            if await _set_within(document.new_text, self.compiler_idle_seconds):
                continue
            if not self._is_current(document) or document.revision != revision:
                continue
            # The pass stops between two environments once newer text has come: a thread cannot be
            # stopped, and an abandoned pass would share the interpreter lock with the analysis of
            # that text.
            compiling = loop.run_in_executor(
                self.compiler_executor, diagnostics.compiler_diagnostics, snapshot, superseded
            )
            compiling.add_done_callback(_retrieve)
            if await _set_within(document.new_text, None, until=compiling):
                continue
            lowered = compiling.result()
            if lowered and self._is_current(document) and document.revision == revision:
                self.publish(document, snapshot, checked + lowered)

    def release(self, replaced: Snapshot | None) -> None:
        """Free an analysis no document keeps any more in the release thread, not on the event loop
        (requests still reading it keep it until they are done)."""
        if replaced is not None:
            self.release_executor.submit(_release, replaced)

    def _make_ready(self, document: OpenDocument, snapshot: Snapshot, revision: int) -> None:
        document.ready = snapshot
        document.ready_revision = revision
        event, document.ready_event = document.ready_event, asyncio.Event()
        event.set()

    def publish(self, document: OpenDocument, snapshot: Snapshot, found: list[types.Diagnostic]) -> None:
        if not self._is_current(document) or document.version != snapshot.version:
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=document.uri, version=snapshot.version, diagnostics=found)
        )

    async def snapshot_for(self, uri: str, edits_text: bool = False) -> Snapshot | None:
        """The analysis of the document's newest text, waited for at most `request_wait_seconds`;
        then the newest ready (or ContentModified when the answer would be an edit of the text).
        None if the document is not open."""
        document = self.document(uri)
        if document is None:
            return None
        self.ensure_worker(document)
        deadline = time.monotonic() + self.request_wait_seconds
        while self._is_current(document) and (not document.up_to_date):
            remaining = deadline - time.monotonic()
            if remaining <= 0 and document.ready is not None:
                break
            try:
                # Without any analysis yet, wait for the first: it always comes.
                await asyncio.wait_for(document.ready_event.wait(), remaining if document.ready is not None else None)
            except TimeoutError:
                break
        if not self._is_current(document):
            return None
        if edits_text and not document.up_to_date:
            raise JsonRpcContentModified("the document changed while this edit was being made; ask again")
        return document.ready

    def newest_ready(self, uri: str) -> Snapshot | None:
        document = self.document(uri)
        return document.ready if document is not None else None

    async def in_request_thread(self, function: Callable[..., Result], *arguments: Any) -> Result:
        return await asyncio.get_running_loop().run_in_executor(self.request_executor, function, *arguments)


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
        # A plain function, run at once on the event loop: pygls keeps no future for it.
        def handler(ls: KonciergeLanguageServer, params: Any) -> None:
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


@_notification(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: KonciergeLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.save_document(params.text_document.uri)


def _with_snapshot(
    compute: Callable[[Snapshot, Any], Result], edits_text: bool = False
) -> Callable[[KonciergeLanguageServer, Any], Any]:
    """A request on one document: its newest analysis, then the feature in the request thread."""

    async def run(ls: KonciergeLanguageServer, params: Any) -> Result | None:
        snapshot = await ls.snapshot_for(params.text_document.uri, edits_text)
        if snapshot is None:
            logger.info("%s for a document that is not open: %s", type(params).__name__, params.text_document.uri)
            return None
        return await ls.in_request_thread(compute, snapshot, params)

    return run


feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=completion.TRIGGER_CHARACTERS, resolve_provider=True),
)(_with_snapshot(lambda snapshot, params: completion.completion(snapshot, params.position), edits_text=True))
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
    _with_snapshot(lambda snapshot, params: rename.rename(snapshot, params.position, params.new_name), edits_text=True)
)
feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(
    _with_snapshot(lambda snapshot, params: symbols.document_symbols(snapshot))
)
feature(types.TEXT_DOCUMENT_FOLDING_RANGE)(_with_snapshot(lambda snapshot, params: symbols.folding_ranges(snapshot)))
feature(types.TEXT_DOCUMENT_FORMATTING)(
    _with_snapshot(lambda snapshot, params: formatting.formatting(snapshot), edits_text=True)
)
feature(types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, semantic_tokens.LEGEND)(
    _with_snapshot(lambda snapshot, params: semantic_tokens.semantic_tokens(snapshot))
)
feature(types.TEXT_DOCUMENT_INLAY_HINT)(
    _with_snapshot(lambda snapshot, params: inlay_hints.inlay_hints(snapshot, params.range))
)
feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))(
    _with_snapshot(code_actions.code_actions, edits_text=True)
)


@feature(types.COMPLETION_ITEM_RESOLVE)
def completion_item_resolve(ls: KonciergeLanguageServer, item: types.CompletionItem) -> types.CompletionItem:
    data = item.data if isinstance(item.data, dict) else {}
    snapshot = ls.newest_ready(data["uri"]) if isinstance(data.get("uri"), str) else None
    return completion.resolve(snapshot, item) if snapshot is not None else item


@feature(types.WORKSPACE_SYMBOL)
async def workspace_symbol(
    ls: KonciergeLanguageServer, params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    snapshots = [document.ready for document in list(ls.documents.values()) if document.ready is not None]
    return await ls.in_request_thread(symbols.workspace_symbols, snapshots, params.query)


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


def _custom_request(handle: Callable[..., Any]) -> Callable[[KonciergeLanguageServer, Any], Any]:
    async def run(ls: KonciergeLanguageServer, params: Any) -> Any:
        uri = custom.document_uri(params)
        snapshot = await ls.snapshot_for(uri)
        if snapshot is None:
            raise JsonRpcInvalidParams(f"{uri} is not open: send textDocument/didOpen first")
        if asyncio.iscoroutinefunction(handle):
            # An async handler (the diagram) runs its heavy steps in the drawing process.
            return await handle(snapshot, params, ls.drawing_process.run)
        return await ls.in_request_thread(handle, snapshot, params)

    return run


_register_custom_requests()


class _OneLineForMalformedInput(logging.Filter):
    """pygls logs a message it cannot even read as JSON with a traceback: one line is enough."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], json.JSONDecodeError):
            record.msg = f"ignored a message that is not JSON: {record.exc_info[1]}"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure_logging() -> None:
    """Logs go to standard error and the client's log; standard output carries only LSP messages."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    handler.addFilter(_OneLineForMalformedInput())
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
