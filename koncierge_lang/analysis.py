"""The one analysis entry point: `analyze(text, path) -> Analysis`. It never raises on user input.

Every client (the CLI, the language server, the diagrams) calls it. Each stage runs on first use
and is memoised on the result, so a client that only needs the syntax tree pays only for parsing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from koncierge_lang.diagnostics import Diagnostic
from koncierge_lang.requirements.checker import CheckResult, StatementChecks, check
from koncierge_lang.requirements.model import Requirements
from koncierge_lang.source import SourceText
from koncierge_lang.syntax.ast import File
from koncierge_lang.syntax.incremental import reparse
from koncierge_lang.syntax.parser import ParseResult, parse


class Analysis:
    """The results of every stage for one text, computed lazily and kept."""

    def __init__(
        self, text: str, path: str = "<input>", previous: Analysis | None = None, edited: bool = False
    ) -> None:
        self.text = text
        self.path = path
        self._previous = previous
        # A version of a file an editor has open: its check keeps what the next version's can reuse.
        self._edited = edited or previous is not None
        # The previous version's statement checks, when it was checked: its tree shares the
        # statements an edit left alone with this one's (`requirements/checker/memo.py`).
        earlier = previous.__dict__.get("check_result") if previous is not None and previous.path == path else None
        self._earlier_checks: StatementChecks | None = earlier.statement_checks if earlier is not None else None

    @cached_property
    def source(self) -> SourceText:
        # Made on first use, not kept from the parse: the server keeps a few analyses of a large
        # file alive at once, and one without diagnostics never needs the line index.
        return SourceText(self.text, self.path)

    @cached_property
    def parse_result(self) -> ParseResult:
        previous, self._previous = self._previous, None  # Keep no chain of old versions alive.
        if previous is not None and previous.path == self.path:
            return reparse(previous.parse_result, previous.text, self.text, self.path)
        return parse(self.text, self.path)

    @property
    def syntax(self) -> File:
        return self.parse_result.file

    @cached_property
    def check_result(self) -> CheckResult:
        return self._check(None)

    def check_unless(self, should_stop: Callable[[], bool]) -> CheckResult:
        """`check_result`, made here unless `should_stop()` says so between two statements
        (`CheckStopped`; then nothing is kept, and the next use checks from the start)."""
        if "check_result" not in self.__dict__:
            self.__dict__["check_result"] = self._check(should_stop)
        return self.check_result

    def _check(self, should_stop: Callable[[], bool] | None) -> CheckResult:
        parsed = self.parse_result
        result = check(parsed.file, parsed.diagnostics, should_stop, self._earlier_checks, self._edited)
        self._earlier_checks = None  # Keep no chain of old versions alive.
        return result

    @property
    def requirements(self) -> Requirements:
        return self.check_result.requirements

    @cached_property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Syntax and checker diagnostics, in source order."""
        combined = list(self.parse_result.diagnostics) + list(self.check_result.diagnostics)
        combined.sort(key=Diagnostic.sort_key)
        return tuple(combined)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics that are errors: why a command refuses to build, draw or explain."""
        from koncierge_lang.diagnostics import Severity

        return tuple(diagnostic for diagnostic in self.diagnostics if diagnostic.severity is Severity.ERROR)

    @property
    def has_errors(self) -> bool:
        from koncierge_lang.diagnostics import Severity

        return any(diagnostic.severity is Severity.ERROR for diagnostic in self.diagnostics)


def analyze(text: str, path: str = "<input>", previous: Analysis | None = None, edited: bool = False) -> Analysis:
    """Analyse `text`. With the analysis of the previous version of the same file (an editor's),
    only the statements an edit touched are parsed again, and only the values, components and
    routes it touched are checked again; the result is the same either way. `edited` says that
    the text is a version of a file an editor has open, so that the next version's analysis can
    reuse this one (implied by `previous`)."""
    return Analysis(text, path, previous, edited)
