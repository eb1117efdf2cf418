"""`expected_at`: the parser's own expectations at a cursor, also in text that does not parse."""

from __future__ import annotations

import pytest

from koncierge_lang.syntax.parser import expected_at

ITEMS = {"environment", "constant", "secret", "value", "storage", "component", "database", "route", "}"}
COMPONENT_ITEMS = {"image", "port", "env", "command", "args", "mount", "storage", "replicas", "}"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {"application", "$END"}),
        ("application a { ", ITEMS),
        ("application a { comp", ITEMS),
        ("application a { component x { ", COMPONENT_ITEMS),
        ("application a { route r -> ", {"NAME"}),
        ("application a { constant x = ", {"STRING", "{"}),
        ("application a { storage s 1", {"NUMBER"}),
        ("application a { component x { port 80 }\n garbage garbage \n ", ITEMS),
        ('application a { component x { image "unterminated\n ', COMPONENT_ITEMS | {"STRING"}),
    ],
)
def test_expected_at(text: str, expected: set[str]) -> None:
    found = expected_at(text, len(text))
    if expected >= COMPONENT_ITEMS:
        # The grammar grows new component statements; none of the application's may appear.
        assert found >= expected and not (found & (ITEMS - {"storage", "}"}))
    else:
        assert found == expected


def test_offsets_out_of_range_are_clamped() -> None:
    assert expected_at("application a {", 10_000) == expected_at("application a {", 15)
    assert expected_at("application a {", -3) == {"application", "$END"}
