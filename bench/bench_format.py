"""Formatting time for synthetic applications of N = 10, 100, 1,000 components: what `koncierge fmt`
and the editor's "Format Document" cost, and how much of it is reading the formatted text back.

Run: `.venv/bin/python bench/bench_format.py` (prints a Markdown table). In one process, in turns,
the median of several runs each: parsing and printing alone (the formatter before it checked its
output), and `format_file`, which also parses the formatted text and compares the trees.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate_application  # noqa: E402

from koncierge_lang.formatter import _Printer, format_file  # noqa: E402
from koncierge_lang.syntax.parser import parse  # noqa: E402


def parsed_and_printed(text: str) -> str:
    return _Printer(text, parse(text).file).print_file()


def formatted(text: str) -> str | None:
    return format_file(text).text


def timed(function: Callable[[str], object], text: str, timings: list[float]) -> None:
    start = time.perf_counter()
    function(text)
    timings.append((time.perf_counter() - start) * 1000)


def main() -> None:
    print("| components | lines | parse and print (median ms) | format_file, with the read-back (median ms) |")
    print("|---:|---:|---:|---:|")
    for n, runs in ((10, 31), (100, 15), (1000, 7)):
        text = generate_application(n)
        assert parsed_and_printed(text) == formatted(text)
        printed_timings: list[float] = []
        checked_timings: list[float] = []
        for _ in range(runs):
            timed(parsed_and_printed, text, printed_timings)
            timed(formatted, text, checked_timings)
        print(
            f"| {n:,} | {text.count(chr(10)):,} | {statistics.median(printed_timings):.1f} "
            f"| {statistics.median(checked_timings):.1f} |"
        )


if __name__ == "__main__":
    main()
