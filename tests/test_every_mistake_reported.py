"""One run reports every independent mistake (docs/language.md), also after a damaged statement.

Every example is damaged one statement keyword at a time (misspelt, or replaced by a word that is
like no keyword), and two independent mistakes are planted after the damage; both must still be
reported, where they are. Issue 12: a misspelt `component` made the block's `}` close the
application, and nothing after it was reported. The unit cases below pin how such statements are
read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import EXAMPLES

from koncierge_lang.analysis import analyze
from koncierge_lang.diagnostics import Diagnostic, Fix
from koncierge_lang.source import SourceText
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.parser import STATEMENT_KEYWORDS, parse

EXAMPLE_FILES = sorted(EXAMPLES.glob("**/*.kon"))

# Planted before the last `}` of the file: a syntax error in a statement of its own, and a route
# to a component that is not declared. (An unknown *value*, `env X = no_such_value`, is no good
# here: the checker does not report an unknown name it has no suggestion for in an application
# with a syntax error, since the statement that was not read may have declared it.)
# Once laid out a statement a line, once with the component on one line.
PLANTINGS = {
    "lines": """
  component planted_component {
    image "planted:1"
    port 8080
    replicas planted_not_a_number
  }
  route planted_route -> planted_no_such_component:8080
""",
    "one-line": """
  component planted_component { image "planted:1"  port 8080  replicas planted_not_a_number }
  route planted_route -> planted_no_such_component:8080
""",
}
PLANTED_MISTAKES = (("KON001", "planted_not_a_number"), ("KON101", "planted_no_such_component"))

UNRELATED_WORD = "frobnicate"

_FIRST_WORD = re.compile(r"[ \t]*([a-z]+)\b")


def misspellings(keyword: str) -> list[str]:
    """Two letters swapped (at the front and in the middle) and one letter dropped."""
    spellings = []
    for index in (0, len(keyword) // 2 - 1):
        swapped = keyword[:index] + keyword[index + 1] + keyword[index] + keyword[index + 2 :]
        spellings.append(swapped)
    middle = len(keyword) // 2
    spellings.append(keyword[:middle] + keyword[middle + 1 :])
    return [spelling for spelling in dict.fromkeys(spellings) if spelling != keyword]


def damaged_versions() -> Iterator[tuple[str, str, str, int, str]]:
    """(example, keyword, replacement, offset of the replacement, damaged text) for each
    statement keyword first on its line of each example."""
    for path in EXAMPLE_FILES:
        text = path.read_text(encoding="utf-8")
        offset = 0
        for line in text.splitlines(keepends=True):
            found = _FIRST_WORD.match(line)
            if found is not None and found.group(1) in STATEMENT_KEYWORDS:
                keyword = found.group(1)
                start = offset + found.start(1)
                replacements = misspellings(keyword)
                # With no keyword left on the `application` line, nothing says that what follows
                # is an application: only a misspelling of it can be read on.
                if keyword != "application":
                    replacements.append(UNRELATED_WORD)
                for replacement in replacements:
                    damaged = text[:start] + replacement + text[start + len(keyword) :]
                    yield path.relative_to(EXAMPLES).as_posix(), keyword, replacement, start, damaged
            offset += len(line)


DAMAGED = list(damaged_versions())


def with_planted_mistakes(text: str, planted: str) -> str:
    closing = text.rindex("}")
    return text[:closing] + planted + text[closing:]


def apply(text: str, fix: Fix) -> str:
    for edit in sorted(fix.edits, key=lambda edit: edit.span.start, reverse=True):
        text = edit.applied_to(text)
    return text


def syntax_errors(text: str) -> tuple[Diagnostic, ...]:
    return parse(text).diagnostics


def test_every_example_is_damaged() -> None:
    # The damage is made from the examples on disk, so an example added later is damaged too.
    assert EXAMPLE_FILES
    assert {example for example, *_ in DAMAGED} == {path.relative_to(EXAMPLES).as_posix() for path in EXAMPLE_FILES}


@pytest.mark.parametrize("planting", sorted(PLANTINGS))
@pytest.mark.parametrize(
    "example, keyword, replacement, offset, damaged",
    DAMAGED,
    ids=[f"{example}:{offset}:{replacement}" for example, _, replacement, offset, _ in DAMAGED],
)
def test_mistakes_after_a_damaged_statement_are_reported(
    example: str, keyword: str, replacement: str, offset: int, damaged: str, planting: str
) -> None:
    text = with_planted_mistakes(damaged, PLANTINGS[planting])
    diagnostics = analyze(text, example).diagnostics
    source = SourceText(text)
    reported = {(diagnostic.code, source.offsets(diagnostic.span)[0]) for diagnostic in diagnostics}
    for code, word in PLANTED_MISTAKES:
        assert (code, text.index(word)) in reported, f"{code} at `{word}` not reported: {diagnostics}"
    damage_reported = [d for d in diagnostics if d.code == "KON001" and source.offsets(d.span)[0] == offset]
    assert damage_reported, f"`{replacement}` (for `{keyword}`) not reported: {diagnostics}"
    if replacement != UNRELATED_WORD:
        (diagnostic,) = damage_reported
        assert diagnostic.message == f"unknown keyword `{replacement}`; did you mean `{keyword}`?"
        # The quick fix restores the example, which has no syntax error.
        (fix,) = diagnostic.fixes
        fixed = apply(damaged, fix)
        assert fixed == (EXAMPLES / example).read_text(encoding="utf-8")
        assert not syntax_errors(fixed)


# The unit cases: how the statement after the damage is read.

ISSUE_12 = """application shop {
  environment LOCAL "shop.test"
  compnent payment {
    image "payment:1"
    port 8080
  }
  component web {
    image "web:1"
    port 8080
    env PAYMENT = paymnt.host
  }
  route web -> nosuch:8080
}
"""


def application_of(text: str) -> ast.Application:
    (application,) = parse(text).file.applications
    return application


def component_names(application: ast.Application) -> list[str]:
    return [item.name.text for item in application.items if isinstance(item, ast.Component)]


def test_a_misspelt_statement_keyword_is_read_as_the_keyword() -> None:
    result = parse(ISSUE_12)
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "KON001"
    assert diagnostic.message == "unknown keyword `compnent`; did you mean `component`?"
    assert (diagnostic.span.start_line, diagnostic.span.start_column) == (3, 3)
    (application,) = result.file.applications
    assert component_names(application) == ["payment", "web"]
    assert any(isinstance(item, ast.Route) for item in application.items)


def test_the_statements_after_a_misspelt_keyword_are_checked() -> None:
    diagnostics = analyze(ISSUE_12).diagnostics
    messages = [(diagnostic.code, diagnostic.span.start_line) for diagnostic in diagnostics]
    assert ("KON001", 3) in messages
    assert ("KON101", 10) in messages  # `paymnt`: did you mean `payment`?
    assert any(d.code == "KON101" and "nosuch" in d.message for d in diagnostics)


def test_the_fix_of_a_misspelt_statement_keyword_leaves_no_syntax_error() -> None:
    (diagnostic,) = parse(ISSUE_12).diagnostics
    (fix,) = diagnostic.fixes
    fixed = apply(ISSUE_12, fix)
    assert "  component payment {" in fixed
    assert not syntax_errors(fixed)


def test_a_misspelt_component_item_keyword_is_read_as_the_keyword() -> None:
    text = 'application a {\n  component c {\n    imgae "x:1"\n    port 8080\n  }\n  route r -> c\n}\n'
    (diagnostic,) = syntax_errors(text)
    assert diagnostic.message == "unknown keyword `imgae`; did you mean `image`?"
    (component,) = application_of(text).items[:1]
    assert isinstance(component, ast.Component)
    assert [type(item) for item in component.items] == [ast.Image, ast.Port]
    assert not syntax_errors(apply(text, diagnostic.fixes[0]))


def test_a_word_is_read_as_a_keyword_only_where_what_follows_can_follow_the_keyword() -> None:
    # `secret` is as close to `service` as the threshold asks, but `secret payment {` cannot be read.
    text = 'application a {\n  service payment {\n    image "x:1"\n  }\n  component web {\n    image "y:1"\n  }\n}\n'
    (diagnostic,) = syntax_errors(text)
    assert diagnostic.span.start_line == 2
    assert component_names(application_of(text)) == ["web"]


def test_a_block_that_cannot_be_read_is_skipped_to_its_own_closing_brace() -> None:
    text = (
        "application a {\n"
        "  service payment {\n"
        '    image "x:1"\n'
        '    env X = { LOCAL = "a", else = "b" }\n'
        "  }\n"
        "  component web {\n"
        '    image "y:1"\n'
        "    replicas many\n"
        "  }\n"
        "}\n"
    )
    diagnostics = syntax_errors(text)
    assert [(d.code, d.span.start_line) for d in diagnostics] == [("KON001", 2), ("KON001", 8)]
    assert component_names(application_of(text)) == ["web"]


def test_a_skipped_block_without_its_closing_brace_ends_at_an_application_statement() -> None:
    for word in ("service", "compnent"):
        text = (
            "application a {\n"
            f"  {word} payment {{\n"
            '    image "x:1"\n'
            "\n"
            "  component web {\n"
            '    image "y:1"\n'
            "    replicas many\n"
            "  }\n"
            "  route r -> web\n"
            "}\n"
        )
        diagnostics = syntax_errors(text)
        assert ("KON001", 7) in [(d.code, d.span.start_line) for d in diagnostics], word
        application = application_of(text)
        assert "web" in component_names(application), word
        assert any(isinstance(item, ast.Route) for item in application.items), word


def test_a_component_item_keyword_does_not_end_a_skipped_block() -> None:
    # `storage` and `port` start statements inside a block too: they belong to the skipped one.
    text = (
        "application a {\n"
        "  service payment {\n"
        "    storage 1Gi at \"/data\"\n"
        "    port 8080\n"
        "  }\n"
        "  component web {\n"
        '    image "y:1"\n'
        "  }\n"
        "}\n"
    )
    (diagnostic,) = syntax_errors(text)
    assert diagnostic.span.start_line == 2
    assert component_names(application_of(text)) == ["web"]
