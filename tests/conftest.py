"""Shared test helpers: paths of the repository, the examples and ../shared/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLES = REPOSITORY / "examples"
SHARED = REPOSITORY.parent / "shared"
GOLDEN = REPOSITORY / "tests" / "golden"


def update_golden() -> bool:
    """Golden files are rewritten instead of compared when KON_UPDATE_GOLDEN=1."""
    return os.environ.get("KON_UPDATE_GOLDEN") == "1"


def running_in_ci() -> bool:
    """CI sets `CI` (`.ci/run` does too): there every tool the tests use must be installed."""
    return os.environ.get("CI", "") not in ("", "0", "false")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under CI a skipped test is a failed test: a skip there means a tool (Graphviz, Neovim ...)
    that `make test` should have installed is missing, and the run must not pass without it."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and running_in_ci() and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which must run every test: {reason}"
