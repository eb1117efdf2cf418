"""Golden tests of the checker: `tests/golden/<case>/input.kon` -> caret-rendered `diagnostics.txt`.

Regenerate with `KON_UPDATE_GOLDEN=1 pytest tests/test_golden_diagnostics.py`, then read the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GOLDEN, assert_golden

from koncierge_lang.analysis import analyze
from koncierge_lang.diagnostics import RULES
from koncierge_lang.render import render_text

CASES = sorted(path.parent for path in GOLDEN.glob("*/input.kon"))


def rendered_diagnostics(case: Path) -> str:
    text = (case / "input.kon").read_text(encoding="utf-8")
    analysis = analyze(text, "input.kon")
    return render_text(analysis.diagnostics, analysis.source, color=False) or "no diagnostics\n"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_golden_diagnostics(case: Path) -> None:
    assert_golden(case / "diagnostics.txt", rendered_diagnostics(case))


def test_every_code_has_a_golden_case() -> None:
    covered = set()
    for case in CASES:
        for line in (case / "diagnostics.txt").read_text(encoding="utf-8").splitlines():
            if "[KON" in line and "]: " in line:
                covered.add(line.split("[", 1)[1].split("]", 1)[0])
    # KON32x and KON33x come from the platform settings (koncierge.toml), not from a .kon file
    # alone; the compiler's tests cover them.
    missing = sorted(
        entry.code for entry in RULES if entry.code not in covered and not entry.code.startswith(("KON32", "KON33"))
    )
    assert not missing, f"codes without a golden case: {missing}"


def test_no_expected_output_without_input() -> None:
    orphans = [
        path
        for path in GOLDEN.glob("*/diagnostics.txt")
        if not (path.parent / "input.kon").exists()
    ]
    assert not orphans, f"expected output without input.kon: {orphans}"
