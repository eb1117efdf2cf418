"""The analysis leaves no reference cycles behind: the stages hand what they build straight to the
oldest generation of the garbage collector (koncierge_lang/performance.py), so a cycle there would
live until the next full collection and an editor's memory would grow with every keystroke."""

from __future__ import annotations

import gc
import sys

from conftest import EXAMPLES, REPOSITORY

from koncierge_lang.analysis import analyze
from koncierge_lang.formatter import format_text

sys.path.insert(0, str(REPOSITORY / "bench"))
from synthetic import generate_application  # noqa: E402


def test_analysing_edits_leaves_no_cycles() -> None:
    text = generate_application(30)
    damaged = (EXAMPLES / "todo" / "todo.kon").read_text(encoding="utf-8").replace("}", "", 1)
    # An editor's analysis (`edited`): the next one reuses its statements' checks (memo.py).
    previous = analyze(text, edited=True)
    _ = previous.diagnostics
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        edited = text.replace("port http 8080", "port http 8081", 1)
        _ = analyze(edited, previous=previous).diagnostics
        _ = analyze(damaged).diagnostics
        format_text(edited)
        del previous
        gc.collect()
        leftovers = [type(thing).__name__ for thing in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert leftovers == [], f"reference cycles left behind: {sorted(set(leftovers))}"
