"""What one keystroke costs the analysis of the synthetic 1,000-component application (14,012
lines), in process: the incremental parse and the check, each edit analysed with the previous
version's analysis as an editor's is (`analyze(text, path, previous)`), against a check from
scratch.

Prints the median and the fastest of 15 edits of each kind:
- a character typed in a constant's text in the middle of the file (the statement that reads it
  is checked again, nothing else);
- a character typed in a component's text (the component is checked again);
- a line break at the end of a component's first line (every statement below moves a line: they
  are parsed into new nodes and checked again);
- the check of the whole file from scratch, for reference: as `koncierge check` makes it, and as an
  editor's first version makes it (keeping each statement's check for the next edit).

Usage: .venv/bin/python bench/bench_incremental.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "bench"))

from synthetic import generate_application  # noqa: E402

from koncierge_lang.analysis import analyze  # noqa: E402
from koncierge_lang.requirements.checker import check  # noqa: E402

EDITS = 15
PATH = "bench.kon"


def typing(text: str, find_place: Callable[[str], int], typed: str) -> tuple[list[float], list[float]]:
    """Type `typed` EDITS times at the place `find_place` finds, each edit after the last."""
    previous = analyze(text, PATH, edited=True)
    previous.check_result  # noqa: B018 - the previous version is checked, as in an editor.
    at = find_place(text)
    parses, checks = [], []
    for _ in range(EDITS):
        text = text[:at] + typed + text[at:]
        started = time.perf_counter()
        analysis = analyze(text, PATH, previous)
        analysis.parse_result  # noqa: B018 - timed on its own.
        parsed = time.perf_counter()
        analysis.check_result  # noqa: B018
        checked = time.perf_counter()
        parses.append(parsed - started)
        checks.append(checked - parsed)
        previous, at = analysis, at + len(typed)
    return parses, checks


def milliseconds(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1000:6.1f} ms, fastest {min(samples) * 1000:6.1f} ms"


def main() -> int:
    text = generate_application(1000)
    middle = len(text) // 2
    cases = {
        "a character in a constant's text": (lambda t: t.index('"', t.index("constant name", middle)) + 1, "x"),
        "a character in a component's text": (lambda t: t.index("/api", middle) + 1, "x"),
        "a line break (every statement below moves)": (lambda t: t.index("\n", t.index("component service", middle)), "\n"),
    }
    print(f"synthetic-1000: {text.count(chr(10)):,} lines, {EDITS} edits of each kind")
    for name, (find_place, typed) in cases.items():
        parses, checks = typing(text, find_place, typed)
        print(f"{name}:")
        print(f"  incremental parse  {milliseconds(parses)}")
        print(f"  check              {milliseconds(checks)}")
    tree = analyze(text, PATH).parse_result.file
    for keep, name in ((False, "check from scratch (koncierge check)"), (True, "check from scratch, kept for the next edit")):
        from_scratch = []
        for _ in range(EDITS):
            started = time.perf_counter()
            check(tree, keep=keep)
            from_scratch.append(time.perf_counter() - started)
        print(f"{name}:")
        print(f"  check              {milliseconds(from_scratch)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
