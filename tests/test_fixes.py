"""Quick fixes are data on diagnostics: applying one must give text that still parses, and the
safe ones must make their diagnostic go away."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GOLDEN

from koncierge_lang.analysis import analyze
from koncierge_lang.diagnostics import Diagnostic, Fix

CASES = sorted(path.parent for path in GOLDEN.glob("*/input.kon"))


def apply(text: str, fix: Fix) -> str:
    for edit in sorted(fix.edits, key=lambda edit: edit.span.start, reverse=True):
        text = edit.applied_to(text)
    return text


def fixes_of(case: Path) -> list[tuple[str, Diagnostic, Fix]]:
    text = (case / "input.kon").read_text(encoding="utf-8")
    return [(text, diagnostic, fix) for diagnostic in analyze(text).diagnostics for fix in diagnostic.fixes]


ALL_FIXES = [(case.name, *entry) for case in CASES for entry in fixes_of(case)]


@pytest.mark.parametrize(
    "case, text, diagnostic, fix",
    ALL_FIXES,
    ids=[f"{case}:{diagnostic.code}:{index}" for index, (case, _, diagnostic, _) in enumerate(ALL_FIXES)],
)
def test_fix_gives_text_that_parses_and_safe_fixes_resolve(case: str, text: str, diagnostic: Diagnostic, fix: Fix) -> None:
    fixed = apply(text, fix)
    before_syntax = {d.code for d in analyze(text).parse_result.diagnostics}
    after = analyze(fixed)
    new_syntax_errors = [d for d in after.parse_result.diagnostics if d.code not in before_syntax]
    assert not new_syntax_errors, f"{fix.title} broke the syntax: {new_syntax_errors[0].message}"
    if fix.safe:
        same = [
            d for d in after.diagnostics
            if d.code == diagnostic.code and d.span.start_line == diagnostic.span.start_line and d.message == diagnostic.message
        ]
        assert not same, f"safe fix {fix.title!r} did not resolve {diagnostic.code}: {diagnostic.message}"


def test_there_are_fixes_for_the_main_codes() -> None:
    codes = {diagnostic.code for _, _, diagnostic, _ in ALL_FIXES}
    assert {"KON001", "KON002", "KON101", "KON103", "KON301", "KON302", "KON303", "KON208"} <= codes


def test_pin_a_tag_fix_leaves_a_placeholder_to_fill_in() -> None:
    text = 'application a {\n  environment LOCAL "a.test"\n  component web {\n    image "nginx:latest"\n    port 80\n  }\n}\n'
    (diagnostic,) = [d for d in analyze(text).diagnostics if d.code == "KON302"]
    (fix,) = diagnostic.fixes
    fixed = apply(text, fix)
    assert 'image "nginx:<version>"' in fixed
    assert any(d.code == "KON204" for d in analyze(fixed).diagnostics), "the placeholder must be flagged until filled in"
