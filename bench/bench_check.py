"""Parse-and-check time and peak memory for synthetic applications of N = 10, 100, 1,000 components.

Run: `.venv/bin/python bench/bench_check.py` (prints a Markdown table; `make bench` runs it).
Each figure is the median of several runs in one process, after one warm-up run.

`--against REVISION [--rounds K]` compares with another revision instead: fresh processes, one per
revision in turn, K rounds (default 4), each the median of five runs on 1,000 components; this
machine's speed changes over minutes, so only figures taken in turns compare.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import tracemalloc
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from revisions import BENCH, PRELUDE, REPOSITORY, checkout  # noqa: E402
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


_TIMED = PRELUDE + r"""
import statistics
import time

from synthetic import generate_application
from koncierge_lang.analysis import analyze

text = generate_application(int(sys.argv[3]))
analyze(text).diagnostics
timings = []
for _ in range(5):
    start = time.perf_counter()
    analyze(text).diagnostics
    timings.append(time.perf_counter() - start)
print(statistics.median(timings) * 1000)
"""


def in_turns(revision: str, rounds: int, components: int = 1000) -> None:
    """Median milliseconds per parse-and-check, this tree and `revision` in turns."""
    with ExitStack() as stack:
        trees = {"this tree": REPOSITORY, revision: stack.enter_context(checkout(revision))}
        figures: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(rounds):
            for name, tree in trees.items():
                completed = subprocess.run(
                    [sys.executable, "-c", _TIMED, str(tree), BENCH, str(components)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                figures[name].append(float(completed.stdout))
    print(f"| revision | parse + check, {components:,} components (median ms) | each round (ms) |")
    print("|---|---:|---|")
    for name, values in figures.items():
        print(f"| {name} | {statistics.median(values):.1f} | {', '.join(f'{value:.1f}' for value in values)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REVISION", help="compare with a git revision, in turns")
    parser.add_argument("--rounds", type=int, default=4)
    arguments = parser.parse_args()
    if arguments.against:
        in_turns(arguments.against, arguments.rounds)
        return
    print("| components | lines | parse + check (median ms) | peak memory (MiB) |")
    print("|---:|---:|---:|---:|")
    for n, runs in ((10, 30), (100, 15), (1000, 5)):
        lines, milliseconds, peak = measure(n, runs)
        print(f"| {n:,} | {lines:,} | {milliseconds:.1f} | {peak:.1f} |")


if __name__ == "__main__":
    main()
