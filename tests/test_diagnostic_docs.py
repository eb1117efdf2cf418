"""The per-code documentation pages are generated from the catalogue and must be current."""

from __future__ import annotations

import re

from conftest import REPOSITORY

from koncierge_lang.diagnostics import RULES
from koncierge_lang.diagnostics.docs import expected_files


def test_generated_pages_are_current() -> None:
    directory = REPOSITORY / "docs" / "diagnostics"
    expected = expected_files()
    stale = [name for name, text in expected.items() if not (directory / name).exists() or (directory / name).read_text(encoding="utf-8") != text]
    extra = [path.name for path in directory.glob("KON*.md") if path.name not in expected]
    assert not stale and not extra, (
        f"docs/diagnostics is out of date (stale: {stale}, extra: {extra}); "
        "run `python -m koncierge_lang.diagnostics.docs docs/diagnostics`"
    )


def test_catalogue_codes_are_unique_well_formed_and_documented() -> None:
    codes = [entry.code for entry in RULES]
    assert len(codes) == len(set(codes))
    names = [entry.name for entry in RULES]
    assert len(names) == len(set(names))
    for entry in RULES:
        assert re.fullmatch(r"KON[0-3][0-9][0-9]", entry.code)
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", entry.name)
        for section in (entry.summary, entry.why, entry.example, entry.fix):
            assert section.strip(), f"{entry.code} has an empty documentation section"


def test_every_code_in_the_source_is_in_the_catalogue() -> None:
    known = {entry.code for entry in RULES}
    used: set[str] = set()
    for path in (REPOSITORY / "koncierge_lang").rglob("*.py"):
        if path.name == "catalogue.py":
            continue
        used |= set(re.findall(r'"(KON[0-9]{3})"', path.read_text(encoding="utf-8")))
    assert used <= known, f"codes used but not in the catalogue: {sorted(used - known)}"
