"""Properties that must hold for every input: the analysis never raises, and formatting is
idempotent and never changes meaning."""

from __future__ import annotations

from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koncierge_lang.analysis import analyze
from koncierge_lang.formatter import format_text
from koncierge_lang.source import SourceText

EXAMPLE_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(EXAMPLES.glob("*/*.kon"))]
WORDS = [
    "application", "environment", "component", "database", "route", "secret", "constant", "value", "storage",
    "mount", "env", "port", "image", "like", "after", "at", "read-only", "read-write", "base64", "generated",
    "subdomain", "path", "->", "{", "}", "=", ":", ".", ",", "[", "]", '"x"', '"${a.b}"', "8080", "1Gi", "PROD",
    "mysql", "db", "\n", "#", "/", "else", "replicas", "command", "args", "connects", "to", "on",
    "size", "small", "health", '"/healthz"', "writes", "as", "file",
]


def analyse_everything(text: str) -> None:
    analysis = analyze(text, "fuzz.kon")
    source = SourceText(text)
    for diagnostic in analysis.diagnostics:
        span = diagnostic.span
        # Every position lies in the text: a line of it, and a column within that line or just
        # after its end.
        assert 1 <= span.start_line <= span.end_line <= source.line_count
        assert 1 <= span.start_column <= len(source.line_text(span.start_line)) + 2
        assert 1 <= span.end_column <= len(source.line_text(span.end_line)) + 2
        start, end = source.offsets(span)
        assert 0 <= start <= end <= len(text)
        assert source.span(start, end) == span  # The offsets are the span's own: nothing was clamped.


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    analyse_everything(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join))
def test_never_raises_on_keyword_soup(text: str) -> None:
    analyse_everything(text)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(EXAMPLE_TEXTS))
    unit = draw(st.sampled_from(["line", "character"]))
    pieces: list[str] = text.splitlines(keepends=True) if unit == "line" else list(text)
    for _ in range(draw(st.integers(1, 4))):
        if not pieces:
            break
        index = draw(st.integers(0, len(pieces) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap"]))
        if operation == "delete":
            del pieces[index]
        elif operation == "duplicate":
            pieces.insert(index, pieces[index])
        else:
            other = draw(st.integers(0, len(pieces) - 1))
            pieces[index], pieces[other] = pieces[other], pieces[index]
    return "".join(pieces)


@settings(max_examples=300, deadline=None)
@given(mutated_example())
def test_never_raises_on_damaged_examples(text: str) -> None:
    analyse_everything(text)
    formatted = format_text(text)
    if formatted is not None:
        assert format_text(formatted) == formatted


def test_never_raises_on_a_megabyte() -> None:
    valid = EXAMPLE_TEXTS[-1]
    large = (valid * (1_000_000 // len(valid) + 1))[:1_000_000]
    analyse_everything(large)
    garbage = ("}{ @ \" application ==> " * 50_000)[:1_000_000]
    analyse_everything(garbage)


# Generated programs, laid out at random, for the formatter's properties.

names = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda name: name not in {"else", "at", "like", "after", "path", "subdomain", "length", "base64", "generated",
                              "secret", "persistent", "ephemeral"}
)
# Text in quotes: plain runs and well-formed `${name}` / `${name.member}` interpolations. (Drawing
# characters such as `$`, `{` and `}` freely made `"${}"` or `"${ a}"` now and then, a syntax error
# (KON005) that failed the test at random.)
plain_text = st.from_regex(r"[a-z0-9 .:/_-]{0,8}", fullmatch=True)
interpolation = st.one_of(
    names.map(lambda name: "${" + name + "}"),
    st.tuples(names, names).map(lambda pair: "${" + pair[0] + "." + pair[1] + "}"),
)
strings = st.lists(st.one_of(plain_text, interpolation), max_size=3).map(lambda parts: '"' + "".join(parts) + '"')
spaces = st.sampled_from([" ", "  ", "\n", " \n\n  ", "\t"])
comments = st.sampled_from(["", " # note\n", "\n# a comment line\n"])


@st.composite
def program(draw: st.DrawFn) -> str:
    def gap() -> str:
        return draw(spaces) + draw(comments)

    statements: list[str] = []
    for kind in draw(st.lists(st.sampled_from(["LOCAL", "DEV", "PROD"]), min_size=1, max_size=3, unique=True)):
        statements.append(f'environment {kind}{gap()}"{kind.lower()}.example.com"')
    for _ in range(draw(st.integers(0, 3))):
        keyword = draw(st.sampled_from(["constant", "secret", "value"]))
        value = draw(strings) if keyword != "secret" else draw(st.sampled_from(['generated', 'base64 "eA=="', 'generated length 12']))
        statements.append(f"{keyword} {draw(names)}{gap()}={gap()}{value}")
    for _ in range(draw(st.integers(0, 3))):
        items = []
        for _ in range(draw(st.integers(0, 4))):
            items.append(
                draw(
                    st.sampled_from(
                        [
                            'image "nginx:1.27"',
                            "port 8080",
                            "port http 80/tcp",
                            f"env A_{draw(names).upper()} = {draw(strings)}",
                            'storage 1Gi read-write at "/data"',
                            'command ["run", "--fast"]',
                            "replicas 2",
                            'env P = { PROD = "p", else = "x" }',
                            'connects to "api.stripe.com" on 443',
                            'connects to "https://hooks.example.org"',
                            'connects to "10.8.0.0/16" on 53/udp',
                            "size medium",
                            "size huge",
                            'health "/healthz"',
                            'health "/ready" on 8080',
                            "health \"/live\" on http",
                            'writes "/var/cache/nginx", "/run"',
                            'writes "/tmp"',
                            "env S_A = secret generated as file",
                            'env S_B = { PROD = "p", else = "x" } as file',
                        ]
                    )
                )
            )
        body = gap().join(items)
        keyword = draw(st.sampled_from(["component", "database"]))
        type_name = " postgres" if keyword == "database" else ""
        statements.append(f"{keyword} {draw(names)}{type_name}{gap()}{{{gap()}{body}{gap()}}}")
    for _ in range(draw(st.integers(0, 2))):
        statements.append(f"route {draw(names)} subdomain {draw(strings)} ->{gap()}{draw(names)}:8080")
    body = gap().join(statements)
    return f"{draw(comments)}application {draw(names)}{gap()}{draw(strings)} {{{gap()}{body}{gap()}}}{draw(comments)}"


@settings(max_examples=200, deadline=None)
@given(program())
def test_formatting_is_idempotent_and_keeps_meaning(text: str) -> None:
    original = analyze(text)
    assert not [d for d in original.parse_result.diagnostics if d.severity.value == "error"], text
    formatted = format_text(text)
    assert formatted is not None
    assert format_text(formatted) == formatted
    reformatted = analyze(formatted)
    assert reformatted.syntax == original.syntax
    assert reformatted.requirements == original.requirements
    assert [c.text.rstrip() for c in reformatted.syntax.comments] == [c.text.rstrip() for c in original.syntax.comments]
