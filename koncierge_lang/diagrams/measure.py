"""How legible a rendered diagram is once fitted into a pane: the figure the bench prints and the
tests check.

A diagram is read where it is shown: the editor's preview beside the code (about 900 by 700
pixels) scales the whole SVG down to fit. What matters then is the smallest text on the screen:
`fitted_label_height` takes the SVG's own size (its `viewBox`, in points, one CSS pixel each at
scale 1), the smallest `font-size` of any `<text>` in it, and the scale
`min(pane width / width, pane height / height)` that fits it into the pane. It is a property of
Graphviz's deterministic layout, not a timing, so a test may assert it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PANE_WIDTH = 900
PANE_HEIGHT = 700

_VIEW_BOX = re.compile(r'<svg\b[^>]*\bviewBox="\s*([-\d.]+)[\s,]+([-\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"')
_FONT_SIZE = re.compile(r'<text\b[^>]*\bfont-size="([\d.]+)"')


@dataclass(frozen=True, slots=True)
class Fit:
    """An SVG's size in points, its smallest font size, and both once fitted into the pane."""

    width: float
    height: float
    smallest_font: float
    scale: float

    @property
    def smallest_label(self) -> float:
        """The height in pixels of the smallest text once the drawing is fitted into the pane."""
        return self.smallest_font * self.scale


def fit(svg: str, pane_width: float = PANE_WIDTH, pane_height: float = PANE_HEIGHT) -> Fit:
    """The fit of an SVG written by Graphviz into a pane; ValueError when it has no size or no text."""
    view_box = _VIEW_BOX.search(svg)
    if view_box is None:
        raise ValueError("the SVG has no viewBox")
    width, height = float(view_box.group(3)), float(view_box.group(4))
    sizes = [float(size) for size in _FONT_SIZE.findall(svg)]
    if width <= 0 or height <= 0 or not sizes:
        raise ValueError("the SVG has no size or no text")
    return Fit(width, height, min(sizes), min(pane_width / width, pane_height / height))
