"""Parse-and-check time and peak memory for synthetic applications of N = 10, 100, 1,000 components.

Run: `.venv/bin/python bench/bench_check.py` (prints a Markdown table; `make bench` runs it).
Each figure is the median of several runs in one process, after one warm-up run.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import generate_application  # noqa: E402

from koncierge_lang.analysis import analyze  # noqa: E402


def measure(n: int, runs: int) -> tuple[int, float, float]:
    text = generate_application(n)
    analysis = analyze(text)
    assert not analysis.has_errors, [d.message for d in analysis.diagnostics][:3]
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        _ = analyze(text).diagnostics
        timings.append(time.perf_counter() - start)
    tracemalloc.start()
    _ = analyze(text).diagnostics
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return text.count("\n"), statistics.median(timings) * 1000, peak / 1024 / 1024


def main() -> None:
    print("| components | lines | parse + check (median ms) | peak memory (MiB) |")
    print("|---:|---:|---:|---:|")
    for n, runs in ((10, 30), (100, 15), (1000, 5)):
        lines, milliseconds, peak = measure(n, runs)
        print(f"| {n:,} | {lines:,} | {milliseconds:.1f} | {peak:.1f} |")


if __name__ == "__main__":
    main()
