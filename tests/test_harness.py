"""The test harness itself (tests/conftest.py): it must not let a broken feature pass.

Under CI a skipped test fails the run, so a missing tool cannot pass unnoticed; and a golden
update (KON_UPDATE_GOLDEN=1) rewrites what differs and fails, so the variable leaking into an
environment cannot make golden tests pass vacuously.
"""

from __future__ import annotations

import pytest
from conftest import REPOSITORY

pytest_plugins = ["pytester"]

SKIPPING = """
import shutil
import pytest

@pytest.mark.skipif(shutil.which("no-such-tool-here") is None, reason="no-such-tool-here is not installed")
def test_needs_a_tool():
    pass

def test_skips_itself():
    pytest.skip("a tool is missing")

def test_runs():
    pass
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str | None) -> pytest.RunResult:
    pytester.makeconftest((REPOSITORY / "tests" / "conftest.py").read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_harness_skipping_case=SKIPPING)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    return pytester.runpytest_inprocess("-q")


def test_a_skip_fails_under_ci(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, "true")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 1
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) == 2
    assert "skipped" not in outcomes
    result.stdout.fnmatch_lines(["*skipped under CI, which must run every test*no-such-tool-here is not installed*"])
    assert result.ret != 0


def test_a_skip_is_a_skip_on_a_developer_machine(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(pytester, monkeypatch, None)
    assert result.parseoutcomes() == {"passed": 1, "skipped": 2}
    assert result.ret == 0


GOLDEN_TEST = """
from pathlib import Path
from conftest import assert_golden

def test_golden():
    assert_golden(Path("expected.txt"), "new output\\n")
"""


@pytest.mark.parametrize("update", ["1", None])
def test_a_golden_file_that_differs_fails_even_while_updating(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, update: str | None
) -> None:
    pytester.makeconftest((REPOSITORY / "tests" / "conftest.py").read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_harness_golden_case=GOLDEN_TEST)
    expected = pytester.path / "expected.txt"
    expected.write_text("old output\n", encoding="utf-8")
    if update is None:
        monkeypatch.delenv("KON_UPDATE_GOLDEN", raising=False)
    else:
        monkeypatch.setenv("KON_UPDATE_GOLDEN", update)
    first = pytester.runpytest_inprocess("-q")
    assert first.parseoutcomes() == {"failed": 1}
    if update is None:
        assert expected.read_text(encoding="utf-8") == "old output\n"
        first.stdout.fnmatch_lines(["*expected.txt differs: run with KON_UPDATE_GOLDEN=1*"])
        return
    first.stdout.fnmatch_lines(["*expected.txt was rewritten (KON_UPDATE_GOLDEN=1): review the diff*"])
    assert expected.read_text(encoding="utf-8") == "new output\n"
    # Once rewritten, the file matches: the second run passes, update or not.
    assert pytester.runpytest_inprocess("-q").parseoutcomes() == {"passed": 1}
