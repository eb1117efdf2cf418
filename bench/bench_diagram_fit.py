"""How legible each diagram is when fitted into the editor's 900 x 700 preview pane.

Run: `.venv/bin/python bench/bench_diagram_fit.py` (prints a Markdown table; needs Graphviz's
`dot`). For each view of the To Do example (PROD), of the public applications in
`../shared/fixtures/manifests/` (drawn from their YAML, as `koncierge visualize` does) and of
synthetic applications: the rendered SVG's size in points, its smallest font size, and the height
of that smallest text once the SVG is fitted into 900 x 700 pixels
(scale = min(900 / width, 700 / height)). See koncierge_lang/diagrams/measure.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import generate_application  # noqa: E402

from koncierge_lang.analysis import analyze  # noqa: E402
from koncierge_lang.diagrams import Diagram, diagram_of, render, to_dot  # noqa: E402
from koncierge_lang.diagrams.kubernetes_view import kubernetes_diagram  # noqa: E402
from koncierge_lang.diagrams.manifests import read_manifests  # noqa: E402
from koncierge_lang.diagrams.measure import PANE_HEIGHT, PANE_WIDTH, fit  # noqa: E402

REPOSITORY = Path(__file__).resolve().parents[1]
TODO = REPOSITORY / "examples" / "todo" / "todo.kon"
MANIFESTS = REPOSITORY.parent / "shared" / "fixtures" / "manifests"
VIEWS = ("requirements", "architecture", "kubernetes")
SYNTHETIC_SIZES = (10, 50)


def diagrams() -> Iterator[tuple[str, Diagram]]:
    todo = analyze(TODO.read_text(encoding="utf-8"), "todo.kon")
    for view in VIEWS:
        yield f"To Do example (PROD), {view}", diagram_of(todo, view, "PROD").diagram
    for application in sorted(path for path in MANIFESTS.iterdir() if path.is_dir()) if MANIFESTS.is_dir() else []:
        read = read_manifests([str(application)])
        yield f"{application.name} (YAML), kubernetes", kubernetes_diagram(read.objects, application.name, read.problems)
    for size in SYNTHETIC_SIZES:
        synthetic = analyze(generate_application(size), "synthetic.kon")
        for view in VIEWS:
            yield f"synthetic N={size} (PROD), {view}", diagram_of(synthetic, view, "PROD").diagram


def main() -> None:
    print(f"Fitted into {PANE_WIDTH} x {PANE_HEIGHT} px; the preview draws no caption (its title and legend are HTML),")
    print("an exported image has the caption (title and legend strip) under the drawing:")
    print()
    print("| diagram | nodes | drawn as | SVG width x height (pt) | smallest font (pt) | scale | smallest label (px) |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for name, diagram in diagrams():
        for drawn_as, caption in (("preview", False), ("exported", True)):
            fitted = fit(render(to_dot(diagram, caption=caption), "svg").decode("utf-8"))
            print(
                f"| {name} | {len(diagram.nodes)} | {drawn_as} | {fitted.width:,.0f} x {fitted.height:,.0f} "
                f"| {fitted.smallest_font:g} | {fitted.scale:.2f} | {fitted.smallest_label:.1f} |"
            )


if __name__ == "__main__":
    main()
