"""The server's view of one open document at one version: its analysis and, on demand, the
compiler's lowering of each environment. Built once per (uri, version) and shared by every
feature; nothing here knows LSP beyond the uri."""

from __future__ import annotations

from functools import cached_property

from pygls.uris import to_fs_path

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.source import SourceText
from koncierge_server.compiler import LoweredEnvironment, lower, settings_for

MAXIMUM_ANALYSED_CHARACTERS = 4_000_000
"""Above this (about 9,000 components) live checking stops: it would take seconds per edit."""


class Snapshot:
    def __init__(self, uri: str, version: int | None, text: str, previous: Snapshot | None = None) -> None:
        self.uri = uri
        self.version = version
        self.path = _path_of(uri)
        self.too_large = len(text) > MAXIMUM_ANALYSED_CHARACTERS
        self.text = text
        earlier = previous.analysis if previous is not None and not previous.too_large else None
        self.analysis: Analysis = analyze("" if self.too_large else text, self.path or uri, previous=earlier)

    @property
    def source(self) -> SourceText:
        if self.too_large:
            return SourceText(self.text, self.path or self.uri)
        return self.analysis.source

    @cached_property
    def lowered(self) -> list[LoweredEnvironment]:
        return lower(self.analysis, settings_for(self.path))

    def forget_lowering(self) -> None:
        """After a save: `koncierge.toml` beside the file may have changed."""
        self.__dict__.pop("lowered", None)


def _path_of(uri: str) -> str | None:
    try:
        return to_fs_path(uri)
    except Exception:  # noqa: BLE001 - any uri is acceptable; only file uris have a path.
        return None
