"""Parse-and-check time of applications whose every component names a peer in text, N = 100 and 1,000.

Run: `.venv/bin/python bench/bench_addresses.py` (prints a Markdown table). Each component has a
literal address of the next (`"http://c1:8080/api"`, KON222) and a reference with a named port to
the one after (`"${c2.host}:${c2.http}"`), so every string is scanned for addresses; the same
application with plain text instead (`"see the manual"`) is the comparison. Median of five runs
after a warm-up.
"""

from __future__ import annotations

import statistics
import time

from koncierge_lang.analysis import analyze


def application(n: int, with_addresses: bool) -> str:
    lines = ["application a {", '  environment LOCAL "a.test"']
    for index in range(n):
        peer, next_peer = (index + 1) % n, (index + 2) % n
        first = f'"http://c{peer}:8080/api"' if with_addresses else '"see the manual"'
        second = f'"${{c{next_peer}.host}}:${{c{next_peer}.http}}"' if with_addresses else '"see the index"'
        lines += [
            f"  component c{index} {{",
            '    image "c:1.0"',
            "    port http 8080",
            f"    env PEER = {first}",
            f"    env NEXT = {second}",
            "  }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def median_ms(text: str) -> tuple[float, int]:
    assert analyze(text, "a.kon").diagnostics is not None  # warm-up
    times = []
    for _ in range(5):
        started = time.perf_counter()
        diagnostics = analyze(text, "a.kon").diagnostics
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), sum(1 for diagnostic in diagnostics if diagnostic.code == "KON222")


def main() -> None:
    print("| components | with addresses (ms) | KON222 | plain text (ms) |")
    print("|---:|---:|---:|---:|")
    for n in (100, 1000):
        with_addresses, warnings = median_ms(application(n, True))
        plain, _ = median_ms(application(n, False))
        print(f"| {n:,} | {with_addresses:.1f} | {warnings:,} | {plain:.1f} |")


if __name__ == "__main__":
    main()
