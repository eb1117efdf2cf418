"""An editor's next version of a file is checked reusing the checks of the statements its edit left
alone (`koncierge_lang/requirements/checker/memo.py`): the result equals a check from scratch,
positions included, after any edit and after several edits in a row."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_incremental import TEXTS, generate_application, with_spans

from koncierge_lang.analysis import Analysis, analyze

# Edits that change what statements read of each other: names, host names, ports, secrets' files.
INSERTIONS = ["x", "1", "-", " ", "\n", '"', "}", ".host", ".url", "${", "# c\n", ":8080", "s", "e", "0", "_FILE"]


def assert_same_as_from_scratch(analysis: Analysis) -> None:
    fresh = analyze(analysis.text, analysis.path)
    assert analysis.diagnostics == fresh.diagnostics
    assert with_spans(analysis.requirements) == with_spans(fresh.requirements)
    assert analysis.check_result.symbols == fresh.check_result.symbols


def checked_again(before: Analysis, after: Analysis) -> list[str]:
    """The values, components and routes whose check `after` made itself rather than kept from
    `before`'s, by name."""
    (application,) = after.syntax.applications
    earlier, now = before.check_result.statement_checks.statements, after.check_result.statement_checks.statements
    return sorted(
        item.name.text for item in application.items if id(item) in now and now[id(item)] is not earlier.get(id(item))
    )


@st.composite
def edits(draw: st.DrawFn) -> list[str]:
    """A text and the texts one to four edits in a row make of it: characters typed or deleted
    anywhere, mostly near one place (as typing is)."""
    text = draw(st.sampled_from(TEXTS))
    versions = [text]
    position = draw(st.integers(0, len(text)))
    for _ in range(draw(st.integers(1, 4))):
        current = versions[-1]
        position = min(len(current), max(0, position + draw(st.integers(-40, 40))))
        if draw(st.booleans()):
            versions.append(current[:position] + draw(st.sampled_from(INSERTIONS)) + current[position:])
        else:
            versions.append(current[:position] + current[position + draw(st.integers(1, 8)) :])
    return versions


@settings(max_examples=300, deadline=None)
@given(edits())
def test_an_incremental_check_equals_a_check_from_scratch(versions: list[str]) -> None:
    analysis = analyze(versions[0], "edited.kon", edited=True)
    assert analysis.check_result.requirements.applications
    for text in versions[1:]:
        analysis = analyze(text, "edited.kon", previous=analysis)
        assert_same_as_from_scratch(analysis)


def test_typing_in_a_constant_checks_again_only_what_reads_it() -> None:
    """In a file of 40 components, typing in one constant's text checks that constant again and
    the component that uses it; every other value, component and route keeps its check."""
    text = generate_application(40)
    typing_at = text.index('"', text.index("constant name20 = ")) + 1
    before = analyze(text, "typed.kon", edited=True)
    assert not before.has_errors
    after = analyze(text[:typing_at] + "x" + text[typing_at:], "typed.kon", previous=before)
    assert_same_as_from_scratch(after)
    assert checked_again(before, after) == ["name20", "service20"]
    assert len(after.check_result.statement_checks.statements) > 100


def test_a_renamed_component_checks_again_what_names_it() -> None:
    """Renaming `service21` changes what `service20`'s `${service21.host}` and the route to it
    find: both are checked again, and the file's diagnostics are those of a check from scratch."""
    text = generate_application(40)
    renamed_at = text.index("component service21 {") + len("component service21")
    before = analyze(text, "renamed.kon", edited=True)
    assert not before.has_errors
    after = analyze(text[:renamed_at] + "x" + text[renamed_at:], "renamed.kon", previous=before)
    assert_same_as_from_scratch(after)
    assert any(diagnostic.code == "KON101" and "service21" in diagnostic.message for diagnostic in after.diagnostics)
    names = checked_again(before, after)
    assert {"service21x", "service20", "route21"} <= set(names)
    assert "service30" not in names
