"""The README's example and the error its tour shows are what Koncierge really does."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import EXAMPLES, REPOSITORY

from koncierge_lang.analysis import analyze
from koncierge_lang.commands.check import check_input
from koncierge_lang.inputs import read_input
from koncierge_lang.render import render_text


def readme() -> str:
    return (REPOSITORY / "README.md").read_text(encoding="utf-8")


def test_readme_example_has_only_the_warnings_the_readme_mentions(tmp_path: Path) -> None:
    """What `koncierge check` reports on the README's example (the compiler's KON323 included)."""
    (block,) = re.findall(r"```kon\n(.*?)```", readme(), re.DOTALL)
    (tmp_path / "todo.kon").write_text(block, encoding="utf-8")
    ((_, diagnostics),) = check_input(read_input(str(tmp_path / "todo.kon")), set())
    assert [diagnostic.code for diagnostic in diagnostics] == ["KON323", "KON308", "KON308"]
    assert "no errors and three warnings" in readme()
    assert "pinned by digest" in readme() and "staging server" in readme()


def test_tour_shows_the_real_message() -> None:
    broken = (EXAMPLES / "todo" / "todo.kon").read_text(encoding="utf-8").replace("database.host", "databse.host")
    analysis = analyze(broken, "examples/todo/todo.kon")
    (error,) = [d for d in analysis.diagnostics if d.code == "KON101"]
    rendered = render_text([error], analysis.source)
    for line in rendered.splitlines():
        assert line in readme(), f"the README's tour no longer matches: {line!r}"
