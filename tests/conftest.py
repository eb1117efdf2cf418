"""Shared test helpers: paths of the repository, the examples and ../shared/."""

from __future__ import annotations

import os
from pathlib import Path

import hypothesis
import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLES = REPOSITORY / "examples"
SHARED = REPOSITORY.parent / "shared"
GOLDEN = REPOSITORY / "tests" / "golden"


def update_golden() -> bool:
    """Golden files are rewritten instead of compared when KON_UPDATE_GOLDEN=1."""
    return os.environ.get("KON_UPDATE_GOLDEN") == "1"


def assert_golden(expected_path: Path, actual: str) -> None:
    """`actual` must equal the golden file. With KON_UPDATE_GOLDEN=1 a file that differs (or is
    missing) is rewritten and the test still fails, saying so: an update is a change to review,
    never a pass, so the variable leaking into an environment cannot make golden tests pass."""
    assert_golden_files({expected_path: actual})


def assert_golden_files(expected: dict[Path, str]) -> None:
    """`assert_golden` for several files: while updating, every file that differs is rewritten
    before the test fails."""
    differing = {}
    for expected_path, actual in expected.items():
        current = expected_path.read_text(encoding="utf-8") if expected_path.exists() else None
        if current != actual:
            differing[expected_path] = (current, actual)
    if not differing:
        return
    if update_golden():
        for expected_path, (_, actual) in differing.items():
            expected_path.parent.mkdir(parents=True, exist_ok=True)
            expected_path.write_text(actual, encoding="utf-8")
        rewritten = ", ".join(str(path) for path in differing)
        pytest.fail(f"{rewritten} was rewritten (KON_UPDATE_GOLDEN=1): review the diff, then run the tests again")
    for expected_path, (current, actual) in differing.items():
        if current is None:
            pytest.fail(f"{expected_path} is missing: run with KON_UPDATE_GOLDEN=1 and review it")
        assert actual == current, f"{expected_path} differs: run with KON_UPDATE_GOLDEN=1 and review the diff"


def running_in_ci() -> bool:
    """CI sets `CI` (`.ci/run` does too): there every tool the tests use must be installed."""
    return os.environ.get("CI", "") not in ("", "0", "false")


# Property tests draw new examples on every run on a developer's machine; under CI they draw the
# same ones every time, so a red CI run can be reproduced and is never luck.
hypothesis.settings.register_profile("ci", derandomize=True, database=None)
if running_in_ci():
    hypothesis.settings.load_profile("ci")


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
