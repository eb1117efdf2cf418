"""The compiler pass of a superseded text stops between two environments (issue 16): a thread
cannot be stopped from outside, and an abandoned pass would share the interpreter lock with the
analysis of the newer text. A request still gets a whole lowering."""

from __future__ import annotations

import pytest

from koncierge_lang.analysis import analyze
from koncierge_lang.lowering import LoweringStopped, lower_file
from koncierge_lang.settings import Settings
from koncierge_server.diagnostics import compiler_diagnostics
from koncierge_server.documents import Snapshot
from tests.lsp.support import TODO_TEXT, TODO_URI


def test_lower_file_stops_between_environments_when_asked() -> None:
    applications = analyze(TODO_TEXT, "todo.kon").requirements.applications
    asked: list[int] = []

    def after_two() -> bool:
        asked.append(1)
        return len(asked) > 2

    with pytest.raises(LoweringStopped):
        lower_file(applications, Settings(), should_stop=after_two)
    assert len(asked) == 3  # Asked before each environment: two lowered, the third stopped.
    assert len(lower_file(applications, Settings(), should_stop=lambda: False)) == 5


def test_a_stopped_compiler_pass_keeps_nothing_and_a_request_still_gets_the_whole_lowering() -> None:
    snapshot = Snapshot(TODO_URI, 1, TODO_TEXT)
    assert compiler_diagnostics(snapshot, should_stop=lambda: True) is None
    assert snapshot.lowered_unless(lambda: True) is None
    lowered = snapshot.lowered
    assert [environment.environment.name for environment in lowered] == ["LOCAL", "DEV", "INT", "PERF", "PROD"]
    # Made once, it is kept: a later pass, stopped or not, reads it.
    assert snapshot.lowered_unless(lambda: True) is lowered
    assert compiler_diagnostics(snapshot, should_stop=lambda: True) == compiler_diagnostics(snapshot)
