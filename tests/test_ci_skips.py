"""Under CI a skipped test fails the run (tests/conftest.py): a missing tool cannot pass unnoticed."""

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
    pytester.makepyfile(test_tools=SKIPPING)
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
