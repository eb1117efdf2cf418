"""Rendering diagnostics for people: a long line is shown as a window around the column, so output
grows with the number of diagnostics and not with the length of their lines."""

from __future__ import annotations

import json

from test_cli import koncierge

from koncierge_lang.analysis import analyze
from koncierge_lang.diagnostics import make_diagnostic
from koncierge_lang.render import MAXIMUM_SHOWN_LINE, SHOWN_WINDOW, render_diagnostic, render_text
from koncierge_lang.source import SourceText


def _one_line_with_repeated_cases(count: int) -> str:
    cases = " ".join(['PROD = "a",'] * count)
    return 'application a { environment PROD "x.com" constant c = { ' + cases + " } }\n"


def test_a_short_line_is_shown_whole_with_its_underline() -> None:
    source = SourceText('application a {\n  constant x = "1"\n}\n', "a.kon")
    diagnostic = make_diagnostic("KON304", "value `x` is never used", source.span(27, 28))
    assert render_diagnostic(diagnostic, source) == (
        "a.kon:2:12: warning[KON304]: value `x` is never used\n"
        ' 2 |   constant x = "1"\n'
        "   |            ^\n"
    )


def test_a_long_line_is_shown_as_a_window_around_the_column() -> None:
    text = _one_line_with_repeated_cases(2_000)
    source = SourceText(text, "long.kon")
    start = text.index("PROD", len(text) // 2)
    diagnostic = make_diagnostic("KON215", "`PROD` is given twice", source.span(start, start + 10))
    header, shown, underline = render_diagnostic(diagnostic, source).splitlines()
    assert header.startswith(f"long.kon:1:{start + 1}: error[KON215]")
    assert shown.startswith(" 1 | ...") and shown.endswith("...")
    assert len(shown) == len(" 1 | ") + SHOWN_WINDOW + 2 * len("...")
    # The underline sits under the same characters as in the whole line.
    caret = underline.index("^")
    assert underline[caret:] == "^" * 10
    assert shown[caret : caret + 10] == text[start : start + 10]


def test_the_window_reaches_both_ends_of_a_long_line() -> None:
    text = "x" * 500
    source = SourceText(text, "x.kon")
    first = render_diagnostic(make_diagnostic("KON001", "at the start", source.span(0, 1)), source).splitlines()
    assert first[1] == " 1 | " + "x" * SHOWN_WINDOW + "..." and first[2] == "   | ^"
    last = render_diagnostic(make_diagnostic("KON001", "at the end", source.span(500, 500)), source).splitlines()
    assert last[1] == " 1 | ..." + "x" * SHOWN_WINDOW
    assert last[2] == "   | " + " " * (3 + SHOWN_WINDOW) + "^"
    # A span running past the window is underlined to the window's end.
    wide = render_diagnostic(make_diagnostic("KON001", "wide", source.span(10, 400)), source).splitlines()
    assert wide[2] == "   | " + " " * 10 + "^" * (SHOWN_WINDOW - 10)


def test_a_line_up_to_the_limit_is_shown_whole() -> None:
    text = "y" * MAXIMUM_SHOWN_LINE
    source = SourceText(text, "y.kon")
    shown = render_diagnostic(make_diagnostic("KON001", "m", source.span(150, 151)), source).splitlines()[1]
    assert shown == " 1 | " + text


def test_output_of_many_errors_on_one_long_line_is_proportional_to_their_number() -> None:
    """16,000 repeated cases on one 192 KB line: each of the 16,000 diagnostics shows a window, not
    the line (which made 2.1 GB of output before)."""
    text = _one_line_with_repeated_cases(16_000)
    analysis = analyze(text, "long.kon")
    assert len(analysis.diagnostics) >= 16_000
    rendered = render_text(analysis.diagnostics, analysis.source)
    per_diagnostic = len(rendered) / len(analysis.diagnostics)
    assert per_diagnostic < 400, per_diagnostic


def test_check_streams_json_that_parses(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "long.kon"
    path.write_text(_one_line_with_repeated_cases(300), encoding="utf-8")
    result = koncierge("check", "--format", "json", str(path))
    assert result.returncode == 1
    codes = [diagnostic["code"] for diagnostic in json.loads(result.stdout)["diagnostics"]]
    assert codes.count("KON215") == 299
