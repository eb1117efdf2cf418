"""Build time and peak memory of `koncierge build`, and its cold start-up cost.

Run: `.venv/bin/python bench/bench_build.py`. It prints two Markdown tables:

1. For synthetic applications of N = 10, 100, 1,000 components (`bench/synthetic.py`), the time to
   build every environment in-process, from text to YAML (analysis, settings, architecture,
   manifests, YAML text; files are not written), the part of it after analysis, and the peak
   memory traced by `tracemalloc` during one build. Medians of several runs after a warm-up.
2. Cold `koncierge build examples/todo/todo.kon -o <temporary directory>` against a bare
   `python -c pass` in the same virtual environment: the median wall time of several runs each.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPOSITORY = BENCH.parent
sys.path.insert(0, str(BENCH))

from synthetic import generate_application  # noqa: E402

from koncierge_lang.analysis import analyze  # noqa: E402
from koncierge_lang.build_pipeline import (  # noqa: E402
    ensure_passwords,
    plan,
    relaxed_garbage_collection,
    render_planned,
    required_secrets_of,
)
from koncierge_lang.settings import Settings  # noqa: E402


def build_in_process(text: str) -> tuple[int, float]:
    """Build every environment as `koncierge build` does (with its garbage-collection setting);
    returns (characters of YAML, seconds spent after analysis)."""
    with relaxed_garbage_collection():
        return _build(text)


def _build(text: str) -> tuple[int, float]:
    analysis = analyze(text, "synthetic.kon")
    assert not analysis.has_errors, [diagnostic.message for diagnostic in analysis.diagnostics][:3]
    start = time.perf_counter()
    settings = Settings()
    planned = plan(analysis, settings)
    passwords, _ = ensure_passwords(required_secrets_of(planned), {})
    outputs = render_planned(planned, "synthetic.kon", "kubernetes", passwords)
    return sum(len(output.text) for output in outputs), time.perf_counter() - start


def measure(n: int, runs: int) -> tuple[float, float, float, int]:
    text = generate_application(n)
    build_in_process(text)  # Warm-up: imports, regex compilation, caches.
    totals, generation = [], []
    size = 0
    for _ in range(runs):
        start = time.perf_counter()
        size, generating = build_in_process(text)
        totals.append(time.perf_counter() - start)
        generation.append(generating)
    tracemalloc.start()
    build_in_process(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(totals) * 1000, statistics.median(generation) * 1000, peak / 1024 / 1024, size


def wall_time(command: list[str], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPOSITORY, check=True, capture_output=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def koncierge_command() -> list[str]:
    script = Path(sys.executable).parent / "koncierge"
    return [str(script)] if script.exists() else [sys.executable, "-m", "koncierge_lang"]


def main() -> None:
    print(
        "| components | build, all environments (median ms) | of which after analysis (ms) | peak memory (MiB) | YAML (KiB) |"
    )
    print("|---:|---:|---:|---:|---:|")
    for n, runs in ((10, 20), (100, 10), (1000, 5)):
        total, generation, peak, size = measure(n, runs)
        print(f"| {n:,} | {total:.1f} | {generation:.1f} | {peak:.1f} | {size / 1024:,.0f} |")

    runs = 15
    with tempfile.TemporaryDirectory() as output:
        command = [*koncierge_command(), "build", "examples/todo/todo.kon", "-o", output]
        subprocess.run(command, cwd=REPOSITORY, check=True, capture_output=True)  # Warm the file cache.
        bare = wall_time([sys.executable, "-c", "pass"], runs)
        build = wall_time(command, runs)
    print()
    print(f"| cold start (median of {runs} runs) | ms |")
    print("|---|---:|")
    print(f"| `python -c pass` | {bare:.0f} |")
    print(f"| `koncierge build examples/todo/todo.kon` (5 environments) | {build:.0f} |")
    print(f"| difference | {build - bare:.0f} |")
    print(f"\n(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
