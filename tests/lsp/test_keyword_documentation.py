"""Every keyword of the grammar has real documentation for hover and completion (no server needed):
a keyword added to grammar/koncierge.lark fails here until keywords.py says what it means."""

from __future__ import annotations

import re

import pytest

from koncierge_lang.syntax.parser import keyword_words
from koncierge_server.keywords import KEYWORD_DOCUMENTATION, SNIPPETS, keyword_texts


def _grammar_keywords() -> list[str]:
    # keyword_words() is the language's list; keyword_texts() is the server's (it also has `base64`).
    return sorted(keyword_words() | keyword_texts())


def test_the_grammar_has_the_keywords_this_test_expects() -> None:
    assert {
        "application",
        "component",
        "size",
        "health",
        "writes",
        "as",
        "file",
        "connects",
        "to",
        "on",
        "base64",
    } <= set(_grammar_keywords())


def test_every_keyword_of_the_grammar_is_documented() -> None:
    missing = [keyword for keyword in _grammar_keywords() if keyword not in KEYWORD_DOCUMENTATION]
    assert missing == [], f"keywords without documentation in server/koncierge_server/keywords.py: {missing}"


def test_no_documentation_for_a_word_that_is_not_a_keyword() -> None:
    extra = sorted(set(KEYWORD_DOCUMENTATION) - set(_grammar_keywords()))
    assert extra == [], f"documented but not keywords of grammar/koncierge.lark: {extra}"


@pytest.mark.parametrize("keyword", _grammar_keywords())
def test_documentation_shows_the_keyword_in_use(keyword: str) -> None:
    """Not the generic fallback: the text shows the keyword in a code span and explains it."""
    text = KEYWORD_DOCUMENTATION[keyword]
    code_spans = re.findall(r"`([^`]+)`", text)
    assert any(re.search(rf"(?<![\w-]){re.escape(keyword)}(?![\w-])", span) for span in code_spans), text
    explanation = re.sub(r"`[^`]*`", "", text)
    assert len(explanation.split()) >= 5, text
    assert text != f"The keyword `{keyword}`."


def test_snippets_are_for_keywords_and_start_with_them() -> None:
    for keyword, body in SNIPPETS.items():
        assert keyword in KEYWORD_DOCUMENTATION, keyword
        assert body.startswith(f"{keyword} "), body
