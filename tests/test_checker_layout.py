"""Each best-practice rule of the checker lives in one place: its own module, named after it.

As Ruff keeps one rule per file, `koncierge_lang/requirements/checker/practices/` has one module per
best-practice code (KON301-KON309) with the rule's name (`unused-value` is `unused_value.py`), and
no other module of the checker reports that code.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from conftest import REPOSITORY

from koncierge_lang.diagnostics import RULES, rule
from koncierge_lang.requirements.checker.practices import PRACTICES

CHECKER = REPOSITORY / "koncierge_lang" / "requirements" / "checker"
# Best practices the checker finds; KON32x and KON33x come from the settings and the compiler.
CHECKER_PRACTICE_CODES = sorted(
    entry.code for entry in RULES if entry.code.startswith("KON3") and not entry.code.startswith(("KON32", "KON33"))
)


def module_path(practice: object) -> Path:
    return Path(sys.modules[practice.__name__].__file__ or "")  # type: ignore[attr-defined]


def test_every_best_practice_code_has_one_module_named_after_its_rule() -> None:
    codes = [practice.CODE for practice in PRACTICES]
    assert sorted(codes) == CHECKER_PRACTICE_CODES
    for practice in PRACTICES:
        assert module_path(practice).stem == rule(practice.CODE).name.replace("-", "_")


def test_no_other_module_of_the_checker_reports_a_best_practice_code() -> None:
    homes = {practice.CODE: module_path(practice).resolve() for practice in PRACTICES}
    elsewhere: list[str] = []
    for path in sorted(CHECKER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in homes:
                if path.resolve() != homes[node.value]:
                    elsewhere.append(f"{path.relative_to(REPOSITORY)}:{node.lineno} mentions {node.value}")
    assert elsewhere == []
