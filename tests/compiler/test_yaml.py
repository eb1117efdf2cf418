"""The YAML writer: every string reads back exactly, output is block style and stable."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from koncierge_lang.yaml_writer import dump, dump_documents, quote

AWKWARD = [
    "",
    " ",
    "a: b",
    "a:",
    "#comment",
    "a #b",
    'say "hi"',
    "it's",
    "line\nbreak",
    "trailing\n",
    "two\n\n",
    "0123",
    "007",
    "1e3",
    "1_000",
    "0x1F",
    "0o17",
    "1:20",
    ".5",
    "-",
    "- item",
    "? key",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "N",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "NaN",
    ".inf",
    "-.inf",
    "2001-12-14",
    "3.14",
    "=",
    "<<",
    "@at",
    "`tick",
    "%percent",
    "!tag",
    "&anchor",
    "*alias",
    "[list]",
    "{map}",
    "|",
    ">",
    "tab\there",
    "carriage\rreturn",
    "\x00\x01\x7f",
    "\u0085\u2028\u2029\ufeff",
    "héllo wörld",
    "日本語",
    "emoji 🚀",
    "\\backslash",
    "ends with space ",
    "  leading",
    "mysql:5.7",
    "https://example.com/a?b=c#d",
    "--ignore-db-dir=lost+found",
    "8080",
    "-1",
    "+1",
    "a\tb\nc d\n",
]


def round_trip(value: object) -> object:
    return yaml.safe_load(dump(value))


def test_awkward_strings_round_trip_as_values_keys_and_list_items() -> None:
    for text in AWKWARD:
        assert round_trip({"key": text}) == {"key": text}, text
        assert round_trip({text: "value"}) == {text: "value"}, text
        assert round_trip([text, {"nested": [text]}]) == [text, {"nested": [text]}], text


def test_strings_that_look_like_other_types_are_quoted() -> None:
    for text in ["yes", "no", "on", "off", "y", "n", "true", "null", "~", "0123", "8080", "1e3", "1:20", ".5"]:
        assert quote(text).startswith('"'), text
    assert quote("mysql:5.7") == "mysql:5.7"
    assert quote("app.kubernetes.io/name") == "app.kubernetes.io/name"


def test_multi_line_text_is_a_literal_block() -> None:
    script = "set -eu\necho one\n  indented"
    written = dump({"script": script})
    assert written == "script: |-\n  set -eu\n  echo one\n    indented\n"
    assert yaml.safe_load(written) == {"script": script}


def test_block_style_and_key_order() -> None:
    data = {"b": 1, "a": [{"z": True, "x": None}, []], "c": {}}
    assert dump(data) == "b: 1\na:\n- z: true\n  x: null\n- []\nc: {}\n"


def test_documents_have_a_comment_header() -> None:
    text = dump_documents([{"a": 1}, {"b": 2}], header="Generated.\nSecond line.")
    assert text == "# Generated.\n# Second line.\n---\na: 1\n---\nb: 2\n"
    assert list(yaml.safe_load_all(text)) == [{"a": 1}, {"b": 2}]


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_round_trips(text: str) -> None:
    assert round_trip({"value": text, text: [text]}) == {"value": text, text: [text]}


JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(JSON_LIKE)
def test_any_nested_data_round_trips(data: object) -> None:
    assert round_trip({"root": data}) == {"root": data}
