"""The checker stops when its caller asks (the language server, once newer text has come), and a
stopped check leaves nothing behind: the next use checks from the start and gets what `check` gets."""

from __future__ import annotations

import sys

import pytest
from conftest import REPOSITORY

from koncierge_lang.analysis import analyze
from koncierge_lang.requirements.checker import CheckStopped, check

sys.path.insert(0, str(REPOSITORY / "bench"))
from synthetic import generate_application  # noqa: E402

TEXT = generate_application(30)


def test_the_checker_asks_before_each_component_and_stops_when_told() -> None:
    syntax = analyze(TEXT, "synthetic.kon").parse_result
    asked = 0

    def count() -> bool:
        nonlocal asked
        asked += 1
        return False

    check(syntax.file, syntax.diagnostics, count)
    assert asked >= 30  # At least once per component: a large file's components are most of it.
    with pytest.raises(CheckStopped):
        check(syntax.file, syntax.diagnostics, lambda: True)
    for stop_at in (1, 5, asked):
        calls = 0

        def after(limit: int = stop_at) -> bool:
            nonlocal calls
            calls += 1
            return calls >= limit

        with pytest.raises(CheckStopped):
            check(syntax.file, syntax.diagnostics, after)


def test_a_stopped_analysis_keeps_nothing_and_checks_again_in_full() -> None:
    text = TEXT.replace('port http 8080\n', 'port http 99999\n', 1)  # One error, to see it come back.
    analysis = analyze(text, "synthetic.kon")
    with pytest.raises(CheckStopped):
        analysis.check_unless(lambda: True)
    assert "check_result" not in analysis.__dict__
    fresh = analyze(text, "synthetic.kon")
    assert analysis.check_unless(lambda: False) == fresh.check_result
    assert analysis.diagnostics == fresh.diagnostics
    assert "KON201" in {diagnostic.code for diagnostic in analysis.diagnostics}
