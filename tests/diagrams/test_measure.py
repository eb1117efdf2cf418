"""The legibility figure: the smallest text of an SVG once it is fitted into the preview pane."""

from __future__ import annotations

import pytest

from koncierge_lang.diagrams.measure import fit

SVG = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<svg width="1800pt" height="700pt" viewBox="0.00 0.00 1800.00 700.00" xmlns="http://www.w3.org/2000/svg">
<g id="graph0" class="graph">
<text text-anchor="middle" x="10" y="10" font-family="Helvetica,sans-Serif" font-size="14.00">title</text>
<text text-anchor="middle" x="10" y="30" font-family="Helvetica,sans-Serif" font-size="11.00">node</text>
</g>
</svg>
"""


def test_the_scale_is_set_by_the_tighter_side_and_applied_to_the_smallest_font() -> None:
    fitted = fit(SVG)
    assert (fitted.width, fitted.height, fitted.smallest_font) == (1800, 700, 11)
    # 900 / 1800 = 0.5 is tighter than 700 / 700 = 1.
    assert fitted.scale == 0.5 and fitted.smallest_label == 5.5
    assert fit(SVG, 3600, 350).scale == 0.5
    assert fit(SVG, 3600, 1400).smallest_label == 22


def test_an_svg_without_size_or_text_is_refused() -> None:
    with pytest.raises(ValueError, match="viewBox"):
        fit("<svg></svg>")
    with pytest.raises(ValueError, match="no text"):
        fit('<svg viewBox="0 0 10 10"></svg>')
