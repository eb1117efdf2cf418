"""A deterministic YAML writer for generated files: block style, keys in the order given.

Why not PyYAML's `safe_dump`: its output depends on options that are easy to get wrong (sorted
keys would scramble `apiVersion`/`kind`/`metadata`), it is slow for thousands of objects, and
importing it costs start-up time on every `koncierge build`. This writer handles exactly the data
the compiler makes (dicts with string keys, lists, strings, ints, bools, None) and guarantees that
every string reads back as the same string under YAML 1.1 (PyYAML, Go's yaml.v2 used by kubectl)
and YAML 1.2: anything that could be read as another type (`yes`, `no`, `on`, `off`, `null`,
`~`, `0123`, `1e3`, `1:20`, `.5`) or that contains YAML syntax is quoted.

Nothing in it knows Kubernetes or the architecture: both the architecture's print-out and the
Kubernetes stage's manifests are written with it, so it sits below both and imports nothing of ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# A string may be written plain when it starts with a letter or `/` and uses only characters that
# carry no YAML meaning in that position; `:` is allowed inside (as in `mysql:5.7`) but not at the
# end. Everything else is double-quoted.
_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./:@+-]*")
# Words that YAML 1.1 or 1.2 reads as booleans or null, whatever their case.
_RESERVED_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})
# Characters that YAML does not allow unescaped, or that parsers treat as line breaks or a BOM.
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\0": "\\0",
}
# A literal block (`|`) is used for multi-line text that it can carry exactly: printable
# characters, no tab, no trailing space on a line, not starting with a space or a line break,
# and at most one final line break.
_BLOCK_UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]| \n| $")


def dump_documents(documents: Iterable[object], header: str = "") -> str:
    """Several YAML documents, each starting with `---`, after an optional comment header."""
    chunks: list[str] = []
    if header:
        chunks.extend(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    for document in documents:
        chunks.append("---\n")
        chunks.append(dump(document))
    return "".join(chunks)


def dump(data: object) -> str:
    """One YAML document (without `---`), ending with a line break."""
    lines: list[str] = []
    _document(data, lines)
    lines.append("")
    return "\n".join(lines)


def _document(data: object, lines: list[str]) -> None:
    if type(data) is dict and data:
        _mapping(data, "", lines, "")
    elif type(data) in (list, tuple) and data:
        _sequence(data, "", lines)  # type: ignore[arg-type]
    else:
        lines.append(_scalar(data, ""))


# Exact type checks rather than `isinstance(..., Mapping)`: the writer handles the plain dicts and
# lists the compiler builds, and ABC checks were most of its time on large applications.
_SEQUENCE_TYPES = (list, tuple)
# Keys repeat across every object (`metadata`, `name`, `labels`...): quote each one once, and keep
# it with its `:` (`_KEY_COLONS`), so that a line is built from three strings.
_KEY_COLONS: dict[str, str] = {}


def _key_colon(key: object) -> str:
    if type(key) is not str:
        raise TypeError(f"mapping keys must be strings, not {type(key).__name__}")
    key_colon = quote(key) + ":"
    if len(_KEY_COLONS) < 10_000:
        _KEY_COLONS[key] = key_colon
    return key_colon


def _mapping(data: dict[object, object], indent: str, lines: list[str], prefix: str) -> None:
    # This loop writes most lines of a build's YAML (876,000 for 1,000 components in four
    # environments), so it is kept lean: the common value (a one-line string, two in three) is
    # tested first and looked up in `_QUOTED` by subscript (a `try` costs nothing unless it fails,
    # and Python 3.11 specialises `dict[key]`, not `.get`), ints are written inline, and the
    # children's indentation is made only when needed. (`lines.append` stays a method call: Python
    # 3.11 specialises it too, while a bound `append = lines.append` is slower.)
    for key, value in data.items():
        try:
            key_colon = _KEY_COLONS[key]  # type: ignore[index]
        except KeyError:
            key_colon = _key_colon(key)
        value_type = type(value)
        if value_type is str:
            try:
                # Only one-line strings are in `_QUOTED`.
                lines.append(f"{prefix}{key_colon} {_QUOTED[value]}")  # type: ignore[index]
            except KeyError:
                lines.append(f"{prefix}{key_colon} {_scalar(value, indent + '  ')}")
        elif value_type is dict and value:
            lines.append(prefix + key_colon)
            child_indent = indent + "  "
            _mapping(value, child_indent, lines, child_indent)  # type: ignore[arg-type]
        elif (value_type is list or value_type is tuple) and value:
            # Sequences in a mapping are not indented further, as kubectl writes them.
            lines.append(prefix + key_colon)
            _sequence(value, indent, lines)  # type: ignore[arg-type]
        elif value_type is int:
            lines.append(f"{prefix}{key_colon} {value}")
        else:
            lines.append(f"{prefix}{key_colon} {_scalar(value, indent + '  ')}")
        prefix = indent


def _sequence(data: Sequence[object], indent: str, lines: list[str]) -> None:
    child_indent = indent + "  "
    item_prefix = indent + "- "
    for item in data:
        item_type = type(item)
        if item_type is dict and item:
            _mapping(item, child_indent, lines, item_prefix)  # type: ignore[arg-type]
        elif item_type is str and "\n" not in item:  # type: ignore[operator]
            text: str = item  # type: ignore[assignment]
            lines.append(item_prefix + (_QUOTED.get(text) or quote(text)))
        elif item_type in _SEQUENCE_TYPES and item:
            lines.append(f"{indent}-")
            _sequence(item, child_indent, lines)  # type: ignore[arg-type]
        else:
            lines.append(item_prefix + _scalar(item, child_indent))


def _scalar(value: object, indent: str) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return str(value)
    if type(value) is str:
        if "\n" in value and not _BLOCK_UNSAFE.search(value) and value[0] not in " \n" and not value.endswith("\n\n"):
            chomping = "" if value.endswith("\n") else "-"
            body = value[:-1] if value.endswith("\n") else value
            return f"|{chomping}\n" + "\n".join(f"{indent}{line}" if line else "" for line in body.split("\n"))
        return quote(value)
    if type(value) is dict and not value:
        return "{}"
    if type(value) in _SEQUENCE_TYPES and not value:
        return "[]"
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


# Values repeat (names, labels, images...): each is quoted once. A plain dict rather than
# `lru_cache`, whose bookkeeping per hit cost more than the look-up; bounded like `_KEY_COLONS`, so
# that a long-lived process (the language server) stops adding rather than growing.
_QUOTED: dict[str, str] = {}
_QUOTED_LIMIT = 65_536


def quote(text: str) -> str:
    """`text` as a single-line YAML scalar that reads back as exactly this string."""
    quoted = _QUOTED.get(text)
    if quoted is None:
        quoted = _quote(text)
        # Only one-line text is kept: `_mapping` writes what it finds here as it is, while text
        # of several lines may become a block.
        if len(_QUOTED) < _QUOTED_LIMIT and "\n" not in text:
            _QUOTED[text] = quoted
    return quoted


def _quote(text: str) -> str:
    if _PLAIN.fullmatch(text) and not text.endswith(":") and text.lower() not in _RESERVED_WORDS:
        return text
    return '"' + _NEEDS_ESCAPE_OR_QUOTE.sub(_escape, text) + '"'


_NEEDS_ESCAPE_OR_QUOTE = re.compile(_NEEDS_ESCAPE.pattern[:-1] + '\\\\"\t]')


def _escape(match: re.Match[str]) -> str:
    character = match.group(0)
    if character in _ESCAPES:
        return _ESCAPES[character]
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"
