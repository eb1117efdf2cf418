"""Long chains of references (issue 16): the time to check, and to lower, files whose values or
environments refer to each other in chains and circles of 1,000, 10,000 and 100,000 names.

Run: `.venv/bin/python bench/bench_chains.py` (prints a Markdown table). Each figure is the median
of three runs in one process, after one warm-up run; `--lengths 1000,10000` picks other lengths.
The files are `bench/chains.py`'s. Linear means ten times the names, about ten times the time
(parsing, which is linear, is included in every figure).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chains import promotion_chain, value_chain, value_cycle  # noqa: E402

from koncierge_lang.analysis import analyze  # noqa: E402
from koncierge_lang.lowering import lower_file  # noqa: E402
from koncierge_lang.settings import Settings  # noqa: E402


def _check(text: str) -> None:
    _ = analyze(text).diagnostics


def _check_and_lower(text: str) -> None:
    analysis = analyze(text)
    assert not analysis.has_errors
    lowered = lower_file(analysis.requirements.applications, Settings())
    assert all(environment.failure is None for environment in lowered)


CASES: dict[str, tuple[Callable[[int], str], Callable[[str], None]]] = {
    "value chain: check": (value_chain, _check),
    "value chain ending in a secret: check": (lambda n: value_chain(n, secret=True), _check),
    "value circle: check (one KON216)": (value_cycle, _check),
    "value chain: check and lower": (value_chain, _check_and_lower),
    "promotion chain: check": (promotion_chain, _check),
    "promotion circle: check (one KON209)": (lambda n: promotion_chain(n, cycle=True), _check),
}


def measure(make: Callable[[int], str], run: Callable[[str], None], n: int, runs: int = 3) -> float:
    text = make(n)
    run(text)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        run(text)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="1000,10000,100000", help="comma-separated chain lengths")
    args = parser.parse_args()
    lengths = [int(length) for length in args.lengths.split(",")]
    print("| case | " + " | ".join(f"{length:,}" for length in lengths) + " | per name at the longest |")
    print("|---|" + "---:|" * len(lengths) + "---:|")
    for name, (make, run) in CASES.items():
        seconds = [measure(make, run, length) for length in lengths]
        cells = " | ".join(f"{value * 1000:,.0f} ms" for value in seconds)
        print(f"| {name} | {cells} | {seconds[-1] / lengths[-1] * 1e6:.0f} µs |", flush=True)


if __name__ == "__main__":
    main()
