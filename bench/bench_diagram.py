"""Time to draw each view of the To Do example and of a synthetic application with 50 components.

Run: `.venv/bin/python bench/bench_diagram.py` (prints a Markdown table). For each view: the time
from `.kon` text to DOT source (analysis, the compiler stages the view needs, the drawing), and
to SVG (the same plus Graphviz's `dot` program, as the language server's `koncierge/diagram` does
on every redraw). Medians of several runs in one process, after one warm-up run.

`--large` (issue 16) draws synthetic applications of 100, 500 and 1,000 components instead (or
`--sizes 100,500`), each view once: the nodes and edges drawn (large diagrams draw their Services
in their workloads, koncierge_lang/diagrams/large.py), and the time from text to SVG, both as
wall-clock time and as processor time (this process's plus `dot`'s), which a machine busy with
other work changes less.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import generate_application  # noqa: E402

from koncierge_lang.analysis import analyze  # noqa: E402
from koncierge_lang.diagrams import diagram_of, render, to_dot  # noqa: E402

TODO = Path(__file__).resolve().parents[1] / "examples" / "todo" / "todo.kon"
VIEWS = ("requirements", "architecture", "kubernetes")


def to_dot_source(text: str, view: str) -> str:
    return to_dot(diagram_of(analyze(text, "bench.kon"), view, "PROD").diagram)


def median_ms(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def large(sizes: list[int]) -> None:
    """Each view of synthetic applications of `sizes` components, text -> SVG once."""
    print("| components | view | nodes | edges | text -> SVG, wall (s) | processor (s) | of which `dot` (s) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size in sizes:
        text = generate_application(size)
        for view in VIEWS:
            wall, processor, children = time.perf_counter(), time.process_time(), _children_seconds()
            diagram = diagram_of(analyze(text, "bench.kon"), view, "PROD").diagram
            render(to_dot(diagram), "svg")
            wall, processor = time.perf_counter() - wall, time.process_time() - processor
            children = _children_seconds() - children
            print(
                f"| {size:,} | {view} | {len(diagram.nodes):,} | {len(diagram.edges):,} | {wall:.1f} "
                f"| {processor + children:.1f} | {children:.1f} |",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="synthetic applications of 100, 500 and 1,000 components")
    parser.add_argument("--sizes", default="100,500,1000", help="with --large: comma-separated component counts")
    args = parser.parse_args()
    if args.large:
        large([int(size) for size in args.sizes.split(",")])
        return
    has_dot = shutil.which("dot") is not None
    print("| input | view | nodes | edges | text -> DOT (median ms) | text -> SVG (median ms) |")
    print("|---|---|---:|---:|---:|---:|")
    for name, text in (("To Do example (PROD)", TODO.read_text(encoding="utf-8")), ("synthetic N=50 (PROD)", generate_application(50))):
        for view in VIEWS:
            diagram = diagram_of(analyze(text, "bench.kon"), view, "PROD").diagram
            dot_ms = median_ms(lambda text=text, view=view: to_dot_source(text, view), 15)
            svg = "n/a (no Graphviz)"
            if has_dot:
                svg = f"{median_ms(lambda text=text, view=view: render(to_dot_source(text, view), 'svg'), 5):.0f}"
            print(f"| {name} | {view} | {len(diagram.nodes)} | {len(diagram.edges)} | {dot_ms:.1f} | {svg} |")


if __name__ == "__main__":
    main()
