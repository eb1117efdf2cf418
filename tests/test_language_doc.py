"""The language reference cannot drift from the grammar: every ```kon block in docs/language.md parses.

Conventions (stated at the top of docs/language.md): a block that does not start with `application`
(after leading comments and blank lines) is a fragment of statements inside an application, and is
wrapped in `application doc { environment LOCAL "doc.test" ... }` before parsing. Only syntax is
checked here (codes KON0xx); some examples deliberately show checker warnings. Blocks tagged `text`
are syntax summaries and mistakes and are not parsed.
"""

from __future__ import annotations

import re

import pytest
from conftest import REPOSITORY

from koncierge_lang.diagnostics.catalogue import RULES
from koncierge_lang.syntax.parser import parse

LANGUAGE_DOC = REPOSITORY / "docs" / "language.md"

_FENCE = re.compile(r"^```(?P<tag>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def kon_blocks(markdown: str) -> list[tuple[int, str]]:
    """(line number, text) of every fenced block tagged `kon`."""
    blocks = []
    for match in _FENCE.finditer(markdown):
        if match.group("tag").strip() == "kon":
            line = markdown.count("\n", 0, match.start()) + 1
            blocks.append((line, match.group("body")))
    return blocks


def is_fragment(block: str) -> bool:
    for line in block.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        return not re.match(r"application\b", stripped)
    return True


def as_file(block: str) -> str:
    if not is_fragment(block):
        return block
    indented = "\n".join("  " + line if line.strip() else line for line in block.splitlines())
    return 'application doc {\n  environment LOCAL "doc.test"\n' + indented + "\n}\n"


BLOCKS = kon_blocks(LANGUAGE_DOC.read_text(encoding="utf-8"))


def test_the_reference_has_examples() -> None:
    assert len(BLOCKS) >= 15, "docs/language.md should show an example for every construct"


@pytest.mark.parametrize(("line", "block"), BLOCKS, ids=[f"line-{line}" for line, _ in BLOCKS])
def test_kon_block_parses(line: int, block: str) -> None:
    result = parse(as_file(block), f"docs/language.md:{line}")
    syntax_errors = [
        f"{diagnostic.code} at block line {diagnostic.span.start_line}: {diagnostic.message}"
        for diagnostic in result.diagnostics
        if diagnostic.code.startswith("KON0")
    ]
    assert not syntax_errors, f"the ```kon block at docs/language.md line {line} does not parse:\n" + "\n".join(
        syntax_errors
    )


def test_fragments_are_wrapped_and_whole_files_are_not() -> None:
    assert is_fragment('component web { image "nginx:1.27" }')
    assert not is_fragment('# a comment\n\napplication shop {\n  environment LOCAL "shop.test"\n}')
    wrapped = as_file('constant x = "y"')
    assert wrapped.startswith("application doc {") and not parse(wrapped).diagnostics


def test_linked_diagnostic_codes_exist() -> None:
    known = {rule.code for rule in RULES}
    linked = set(re.findall(r"diagnostics/(KON\d{3})\.md", LANGUAGE_DOC.read_text(encoding="utf-8")))
    assert linked, "the reference links no diagnostics"
    assert linked <= known, f"links to unknown codes: {sorted(linked - known)}"


def test_formatting_example_is_what_fmt_prints() -> None:
    from koncierge_lang.formatter import format_text

    markdown = LANGUAGE_DOC.read_text(encoding="utf-8")
    start = markdown.index("`koncierge fmt` turns")
    before, after = [body for line, body in kon_blocks(markdown[start:])][:2]
    assert format_text(before) == after
    assert format_text(after) == after
