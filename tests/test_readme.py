"""The README's example and the error its tour shows are what Koncierge really does."""

from __future__ import annotations

import re

from conftest import EXAMPLES, REPOSITORY

from koncierge_lang.analysis import analyze
from koncierge_lang.render import render_text


def readme() -> str:
    return (REPOSITORY / "README.md").read_text(encoding="utf-8")


def test_readme_example_has_only_the_warning_the_readme_mentions() -> None:
    (block,) = re.findall(r"```kon\n(.*?)```", readme(), re.DOTALL)
    assert [diagnostic.code for diagnostic in analyze(block).diagnostics] == ["KON308", "KON308"]
    assert "pinned by digest" in readme()


def test_tour_shows_the_real_message() -> None:
    broken = (EXAMPLES / "todo" / "todo.kon").read_text(encoding="utf-8").replace("database.host", "databse.host")
    analysis = analyze(broken, "examples/todo/todo.kon")
    (error,) = [d for d in analysis.diagnostics if d.code == "KON101"]
    rendered = render_text([error], analysis.source)
    for line in rendered.splitlines():
        assert line in readme(), f"the README's tour no longer matches: {line!r}"
