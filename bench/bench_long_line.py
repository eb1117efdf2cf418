"""`koncierge check` on one long line with many errors: analysis, rendering, output size and memory.

Run: `.venv/bin/python bench/bench_long_line.py [--cases N]` (default 16,000; prints a Markdown table).

The file is one 192 KB line holding a text per environment whose case `PROD` is repeated N times:
N - 1 errors (KON215), all on that line. Rendering used to copy the whole line under each of them
(2.1 GB of output, 9 GB of memory, 26-43 s); a window around the column keeps the output
proportional to the number of diagnostics. Analysis and rendering are timed in this process
(median of five); the command's own wall time, peak memory (maximum resident set size of the
child) and output size come from running `koncierge check` as a user does.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from koncierge_lang.analysis import analyze
from koncierge_lang.render import render_text


def one_line_with_repeated_cases(count: int) -> str:
    cases = " ".join(['PROD = "a",'] * count)
    return 'application a { environment PROD "x.com" constant c = { ' + cases + " } }\n"


def median_seconds(action, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=16_000)
    arguments = parser.parse_args()
    text = one_line_with_repeated_cases(arguments.cases)
    analysis = analyze(text, "long.kon")
    diagnostics = analysis.diagnostics
    analysis_seconds = median_seconds(lambda: analyze(text, "long.kon").diagnostics)
    render_seconds = median_seconds(lambda: render_text(diagnostics, analysis.source))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.kon"
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "koncierge_lang", "check", str(path)], capture_output=True, check=False
        )
        command_seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print("| line | diagnostics | analysis (median s) | rendering (median s) | `koncierge check` (s) | its peak memory (MiB) | its output (MB) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(text) / 1000:,.0f} KB | {len(diagnostics):,} | {analysis_seconds:.2f} | {render_seconds:.2f} | "
        f"{command_seconds:.2f} | {peak_kib / 1024:.0f} | {len(completed.stdout) / 1e6:.1f} |"
    )


if __name__ == "__main__":
    main()
