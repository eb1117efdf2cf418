"""The server's view of one open document at one version: its analysis and, on demand, the
compiler's lowering of each environment. Built once per text the client sent (off the event loop,
in the server's analysis thread) and then only read, by every feature; nothing here knows LSP
beyond the uri.

`text` is the text the analysis reads: the editor's text with each lone carriage return read as
`\n` (`text_edits.analysed_text`), so that offsets are the editor's and lines are LSP's."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pygls.uris import to_fs_path

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.lowering import LoweringStopped
from koncierge_lang.source import SourceText
from koncierge_server.compiler import LoweredEnvironment, lower, settings_for
from koncierge_server.text_edits import analysed_text

MAXIMUM_ANALYSED_CHARACTERS = 4_000_000
"""Above this (about 9,000 components) live checking stops: it would take seconds per edit."""


class Snapshot:
    def __init__(self, uri: str, version: int | None, text: str, previous: Snapshot | None = None) -> None:
        self.uri = uri
        self.version = version
        self.path = path_of(uri)
        self.too_large = len(text) > MAXIMUM_ANALYSED_CHARACTERS
        text = analysed_text(text)
        self.text = text
        self._lowering_lock = threading.Lock()
        self._lowered: list[LoweredEnvironment] | None = None
        earlier = previous.analysis if previous is not None and not previous.too_large else None
        self.analysis: Analysis = analyze("" if self.too_large else text, self.path or uri, previous=earlier, edited=True)

    @property
    def source(self) -> SourceText:
        if self.too_large:
            return SourceText(self.text, self.path or self.uri)
        return self.analysis.source

    # Lowering at most this many (component, environment) pairs takes tens of milliseconds: a
    # request may make the lowering itself rather than go without it.
    CHEAP_LOWERING = 400

    def lowered_without_waiting(self) -> list[LoweredEnvironment] | None:
        """The lowering if it is made, or cheap to make now; None when making it would keep a
        request waiting (a large file whose compiler pass has not run yet): a hover must answer
        at once while the compiler pass runs (issue 16)."""
        made = self._lowered
        if made is not None:
            return made
        pairs = sum(
            len(application.components) * len(application.environments)
            for application in self.analysis.requirements.applications
        )
        return self.lowered if pairs <= self.CHEAP_LOWERING else None

    def lowered_unless(self, should_stop: Callable[[], bool]) -> list[LoweredEnvironment] | None:
        """The lowering, made here if no thread has made it, unless `should_stop()` says so between
        two environments (newer text has come: the compiler pass of this one is not needed); then
        None, and nothing is kept, so a request still gets a whole lowering."""
        with self._lowering_lock:
            if self._lowered is None:
                try:
                    self._lowered = lower(self.analysis, settings_for(self.path), should_stop)
                except LoweringStopped:
                    return None
            return self._lowered

    def forget_lowering(self) -> list[LoweredEnvironment]:
        """Give up the lowering (a request that asks again makes it again): for the server to
        free a replaced analysis in pieces."""
        with self._lowering_lock:
            lowered, self._lowered = self._lowered, None
        return lowered or []

    @property
    def lowered(self) -> list[LoweredEnvironment]:
        """Made once, by whichever thread asks first (the compiler pass or a custom request)."""
        with self._lowering_lock:
            if self._lowered is None:
                self._lowered = lower(self.analysis, settings_for(self.path))
            return self._lowered


def path_of(uri: str) -> str | None:
    """The file system path of a `file:` uri; None for any other uri."""
    try:
        return to_fs_path(uri)
    except Exception:  # noqa: BLE001 - any uri is acceptable; only file uris have a path.
        return None
