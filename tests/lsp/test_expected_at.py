"""`expected_at`: the parser's own expectations at a cursor, also in text that does not parse."""

from __future__ import annotations

import pytest

from koncierge_lang.syntax.parser import expected_at

ITEMS = {"environment", "constant", "secret", "value", "storage", "component", "database", "route", "}"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {"application", "$END"}),
        ("application a { ", ITEMS),
        ("application a { comp", ITEMS),
        ("application a { component x { ", {"image", "port", "env", "command", "args", "mount", "storage", "replicas", "}"}),
        ("application a { route r -> ", {"NAME"}),
        ("application a { constant x = ", {"STRING", "{"}),
        ("application a { storage s 1", {"NUMBER"}),
        ("application a { component x { port 80 }\n garbage garbage \n ", ITEMS),
        ('application a { component x { image "unterminated\n ', {"STRING", "image", "port", "env", "command", "args", "mount", "storage", "replicas", "}"}),
    ],
)
def test_expected_at(text: str, expected: set[str]) -> None:
    assert expected_at(text, len(text)) == expected


def test_offsets_out_of_range_are_clamped() -> None:
    assert expected_at("application a {", 10_000) == expected_at("application a {", 15)
    assert expected_at("application a {", -3) == {"application", "$END"}
