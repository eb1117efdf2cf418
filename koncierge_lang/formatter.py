"""The formatter: one canonical layout for .kon files, used by `koncierge fmt` and the editor.

It prints the syntax tree again: two-space indentation, one statement per line, single spaces
between words, at most one blank line where the author left one. Strings, names and numbers are
printed exactly as written; comments are kept, on their own line before the statement they
preceded, or at the end of the line they ended. A file with syntax errors is not formatted.

The formatted text is read again before it is given out, and refused if it does not say the same
(`formatting_problem`): a syntax tree that differs (trees compare without their spans), a comment
lost or changed, or a syntax error. So neither `koncierge fmt` nor the editor can turn a clean
file into a broken one or change its meaning, even through a bug in the printer or the parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from koncierge_lang.source import SourceText, Span
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.parser import ParseResult, parse

INDENT = "  "
MAXIMUM_INLINE_WIDTH = 100


@dataclass(frozen=True, slots=True)
class FormatResult:
    text: str | None
    """The formatted text, or None when the file is left alone (for one of the reasons below)."""
    has_syntax_errors: bool = False
    """The file has syntax errors, so there is no tree to print."""
    problem: str | None = None
    """Why the formatted text was refused (`formatting_problem`): a bug, never the user's mistake."""


def format_file(text: str, path: str = "<input>") -> FormatResult:
    """The canonical layout of `text`, once it is read back and found to say the same."""
    original = parse(text, path)
    if _has_errors(original):
        return FormatResult(None, has_syntax_errors=True)
    formatted = _Printer(text, original.file).print_file()
    problem = _problem(original, formatted, path)
    if problem is not None:
        return FormatResult(None, problem=problem)
    return FormatResult(formatted)


def format_text(text: str, path: str = "<input>") -> str | None:
    """The canonical layout of `text`, or None when it has syntax errors (or the formatted text
    was refused: see `format_file`)."""
    return format_file(text, path).text


def formatting_problem(text: str, formatted: str, path: str = "<input>") -> str | None:
    """Why `formatted` must not replace `text` (a file without syntax errors), or None when it may:
    it has syntax errors, its syntax tree differs from the original's, or a comment was lost or
    changed."""
    return _problem(parse(text, path), formatted, path)


def _problem(original: ParseResult, formatted: str, path: str) -> str | None:
    reread = parse(formatted, path)
    if _has_errors(reread):
        first = min(reread.diagnostics, key=lambda diagnostic: diagnostic.span.start)
        return (
            f"the formatted text would have an error at line {first.span.start_line}, "
            f"column {first.span.start_column}: {first.message}"
        )
    if reread.file != original.file:
        return "the formatted text would not mean the same as the file"
    if [comment.text.rstrip() for comment in reread.file.comments] != [
        comment.text.rstrip() for comment in original.file.comments
    ]:
        return "the formatted text would lose or change a comment"
    return None


def _has_errors(result: ParseResult) -> bool:
    return any(diagnostic.severity.value == "error" for diagnostic in result.diagnostics)


def escape_string(text: str) -> str:
    """`text` in quotes, as the parser reads it back: a name given in quotes takes `${` as written,
    so `${` is escaped too (unescaped, it would be read as an interpolation)."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("${", "\\${")
    )
    return f'"{escaped}"'


class _Printer:
    def __init__(self, text: str, file: ast.File) -> None:
        self.text = text
        self.source = SourceText(text)
        self.file = file
        self.comments = list(file.comments)
        self.next_comment = 0
        self.lines: list[str] = []
        self.last_end_line = 0

    # Comments

    def _emit_comments_before(self, position: tuple[int, int], depth: int) -> None:
        """The comments before `position` (a line and a column) not printed yet."""
        while self.next_comment < len(self.comments) and self.comments[self.next_comment].span.start < position:
            comment = self.comments[self.next_comment]
            self.next_comment += 1
            if self.lines and comment.span.start_line == self.last_end_line and self.lines[-1].strip():
                self.lines[-1] += f"  {comment.text.rstrip()}"
            else:
                self._blank_line_if_gap(comment.span.start_line)
                self.lines.append(INDENT * depth + comment.text.rstrip())
            self.last_end_line = comment.span.end_line

    def _trailing_comment(self, end_line: int, end: tuple[int, int]) -> None:
        if self.next_comment < len(self.comments):
            comment = self.comments[self.next_comment]
            gap = self.source.line_part(end_line, end[1], comment.span.start_column - 1) if comment.span.start >= end else "x"
            if comment.span.start_line == end_line and gap.strip(" \t{}") == "":
                self.next_comment += 1
                self.lines[-1] += f"  {comment.text.rstrip()}"

    def _blank_line_if_gap(self, start_line: int) -> None:
        if self.lines and self.last_end_line and start_line > self.last_end_line + 1:
            if self.lines[-1].strip() and not self.lines[-1].endswith("{"):
                self.lines.append("")

    def _statement(
        self, start: tuple[int, int], start_line: int, depth: int, lines: list[str], end_line: int, end: tuple[int, int]
    ) -> None:
        self._emit_comments_before(start, depth)
        self._blank_line_if_gap(start_line)
        for line in lines:
            self.lines.append(INDENT * depth + line if line else "")
        self.last_end_line = end_line
        self._trailing_comment(end_line, end)

    # The file

    def print_file(self) -> str:
        for index, application in enumerate(self.file.applications):
            if index and self.lines and self.lines[-1] != "":
                self.lines.append("")
            self.print_application(application)
        self._emit_comments_before((self.source.line_count + 1, 1), 0)
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n" if self.lines else ""

    def print_application(self, application: ast.Application) -> None:
        name = escape_string(application.name.text) if application.name_quoted else application.name.text
        header = f"application {name}"
        if application.description is not None:
            header += f" {application.description.raw}"
        header += " {"
        span = application.span
        header_end = application.description.span if application.description is not None else application.name.span
        self._statement(span.start, span.start_line, 0, [header], header_end.end_line, header_end.end)
        for item in application.items:
            self.print_item(item, 1)
        self._emit_comments_before((span.end_line, span.end_column - 1), 1)
        self.lines.append("}")
        self.last_end_line = span.end_line
        self._trailing_comment(span.end_line, span.end)

    def print_item(self, item: ast.ApplicationItem, depth: int) -> None:
        if isinstance(item, ast.Component):
            self.print_component(item, depth)
            return
        self._emit_comments_inside(item.span, depth)
        lines = self.item_lines(item)
        self._statement(item.span.start, item.span.start_line, depth, lines, item.span.end_line, item.span.end)

    def _emit_comments_inside(self, span: Span, depth: int) -> None:
        """Comments within a statement printed on fewer lines move before it."""
        self._emit_comments_before(span.start, depth)
        inner = [
            comment
            for comment in self.comments[self.next_comment :]
            if span.start <= comment.span.start < span.end and comment.span.start_line < span.end_line
        ]
        if inner:
            for comment in inner:
                self.comments.remove(comment)
            self._blank_line_if_gap(span.start_line)
            for comment in inner:
                self.lines.append(INDENT * depth + comment.text.rstrip())
            # The statement follows directly, without a blank line.
            self.last_end_line = span.start_line - 1

    def item_lines(self, item: ast.ApplicationItem) -> list[str]:
        if isinstance(item, ast.Environment):
            line = f"environment {item.name.text}"
            if item.like is not None:
                line += f" like {item.like.text}"
            line += f" {item.domain.raw}"
            if item.after:
                line += " after " + ", ".join(after.text for after in item.after)
            return [line]
        if isinstance(item, ast.ValueDeclaration):
            secret = item.keyword != "secret" and isinstance(
                item.expression, ast.SECRET_EXPRESSION_TYPES
            )
            return self.assignment(f"{item.keyword} {item.name.text} = ", item.expression, inline_secret=secret)
        if isinstance(item, ast.StorageDeclaration):
            line = f"storage {item.name.text} {item.size.text}"
            if item.lifetime:
                line += f" {item.lifetime}"
            return [line]
        if isinstance(item, ast.Route):
            line = f"route {item.name.text}"
            for option in item.option_order or tuple(
                option for option, present in (("subdomain", item.subdomain), ("path", item.path)) if present
            ):
                literal = item.subdomain if option == "subdomain" else item.path
                assert literal is not None
                line += f" {option} {literal.raw}"
            line += f" -> {item.component.text}"
            if item.port is not None:
                line += f":{item.port.text}"
            return [line]
        raise AssertionError(f"unexpected item {item!r}")

    def assignment(self, prefix: str, expression: object, inline_secret: bool) -> list[str]:
        if isinstance(expression, ast.PerEnvironment):
            cases = [self.case_text(case) for case in expression.cases]
            single = prefix + "{ " + ", ".join(cases) + " }" if cases else prefix + "{}"
            if len(single) <= MAXIMUM_INLINE_WIDTH:
                return [single]
            return [prefix + "{", *(INDENT + case for case in cases), "}"]
        return [prefix + self.expression_text(expression, inline_secret)]

    def case_text(self, case: ast.EnvironmentCase) -> str:
        environment = case.environment.text if case.environment is not None else "else"
        return f"{environment} = {case.text.raw}"

    def expression_text(self, expression: object, inline_secret: bool) -> str:
        prefix = "secret " if inline_secret else ""
        if isinstance(expression, ast.StringLiteral):
            return expression.raw
        if isinstance(expression, ast.Reference):
            return expression.text
        if isinstance(expression, ast.SecretBase64):
            return f"{prefix}base64 {expression.text.raw}"
        if isinstance(expression, ast.SecretPlain):
            return f"{prefix}{expression.text.raw}"
        if isinstance(expression, ast.SecretStore):
            return f"{prefix}from store {expression.key.raw}"
        if isinstance(expression, ast.SecretGenerated):
            text = f"{prefix}generated"
            if expression.length is not None:
                text += f" length {expression.length.text}"
            return text
        raise AssertionError(f"unexpected expression {expression!r}")

    def print_component(self, component: ast.Component, depth: int) -> None:
        header = f"{component.keyword} {component.name.text}"
        if component.database_type is not None:
            header += f" {component.database_type.text}"
        span = component.span
        if not component.items:
            self._emit_comments_inside(span, depth)
            line = header + (" {}" if component.database_type is None else "")
            self._statement(span.start, span.start_line, depth, [line], span.end_line, span.end)
            return
        header_end = component.database_type or component.name
        self._block(header, header_end, component.items, span, depth)

    def _block(self, header: str, header_end: ast.Name, items: tuple[Any, ...], span: Span, depth: int) -> None:
        """A block of component statements: a component's, a database's, a sidecar's or an init container's."""
        self._statement(span.start, span.start_line, depth, [header + " {"], header_end.span.end_line, header_end.span.end)
        for item in items:
            if isinstance(item, ast.Container):
                self.print_container(item, depth + 1)
                continue
            self._emit_comments_inside(item.span, depth + 1)
            lines = self.component_item_lines(item)
            self._statement(item.span.start, item.span.start_line, depth + 1, lines, item.span.end_line, item.span.end)
        self._emit_comments_before((span.end_line, span.end_column - 1), depth + 1)
        self.lines.append(INDENT * depth + "}")
        self.last_end_line = span.end_line
        self._trailing_comment(span.end_line, span.end)

    def print_container(self, container: ast.Container, depth: int) -> None:
        header = f"{container.kind} {container.name.text}"
        if not container.items:
            span = container.span
            self._emit_comments_inside(span, depth)
            self._statement(span.start, span.start_line, depth, [header + " {}"], span.end_line, span.end)
            return
        self._block(header, container.name, container.items, container.span, depth)

    def component_item_lines(self, item: ast.ComponentItem) -> list[str]:
        if isinstance(item, ast.Image):
            return [f"image {item.reference.raw}"]
        if isinstance(item, ast.Port):
            line = "port "
            if item.name is not None:
                line += f"{item.name.text} "
            line += item.number.text
            if item.container is not None:
                line += f" -> {item.container.text}"
            if item.protocol is not None:
                line += f"/{item.protocol.text}"
            return [line]
        if isinstance(item, ast.Variable):
            name = escape_string(item.name.text) if item.name.quoted else item.name.text
            secret = isinstance(item.expression, ast.SECRET_EXPRESSION_TYPES)
            lines = self.assignment(f"env {name} = ", item.expression, inline_secret=secret)
            if item.as_file:
                lines[-1] += " as file"
            return lines
        if isinstance(item, ast.CommandLine):
            return [f"{item.keyword} [" + ", ".join(literal.raw for literal in item.items) + "]"]
        if isinstance(item, ast.Mount):
            line = f"mount {item.storage.text}"
            if item.mode:
                line += f" {item.mode}"
            return [line + f" at {item.path.raw}"]
        if isinstance(item, ast.ComponentStorage):
            line = f"storage {item.size.text}"
            if item.lifetime:
                line += f" {item.lifetime}"
            if item.mode:
                line += f" {item.mode}"
            return [line + f" at {item.path.raw}"]
        if isinstance(item, ast.Replicas):
            return [f"replicas {item.count.text}"]
        if isinstance(item, ast.Connects):
            port = f" on {item.port.text}" if item.port is not None else ""
            protocol = f"/{item.protocol.text}" if item.port is not None and item.protocol is not None else ""
            target = item.target.raw if isinstance(item.target, ast.StringLiteral) else item.target.text
            return [f"connects to {target}{port}{protocol}"]
        if isinstance(item, ast.Accepts):
            return [f"accepts from {item.source.text}" + (f" on {item.port.text}" if item.port is not None else "")]
        if isinstance(item, ast.Size):
            return [f"size {item.size.text}"]
        if isinstance(item, ast.Health):
            return [f"health {item.path.raw}" + (f" on {item.port.text}" if item.port is not None else "")]
        if isinstance(item, ast.Writes):
            return ["writes " + ", ".join(literal.raw for literal in item.paths) + (" keeping contents" if item.keeping else "")]
        if isinstance(item, ast.WritesEverywhere):
            return ["writes everywhere"]
        if isinstance(item, ast.Capabilities):
            return ["capabilities " + ", ".join(name.text for name in item.names)]
        if isinstance(item, ast.RunAs):
            return [f"run as user {item.user.text}" + (f" group {item.group.text}" if item.group is not None else "")]
        if isinstance(item, ast.Probe):
            return [_probe_text(item)]
        if isinstance(item, ast.Resource):
            line = f"{item.kind} {item.request.text}"
            if item.limit is not None:
                line += f" up to {item.limit.text}"
            if item.environments:
                line += " in " + ", ".join(name.text for name in item.environments)
            return [line]
        if isinstance(item, ast.SingleInstance):
            return ["single instance"]
        if isinstance(item, ast.Expose):
            line = f"expose {item.port.text}"
            if item.environments:
                line += " in " + ", ".join(name.text for name in item.environments)
            return [line]
        if isinstance(item, ast.PodSetting):
            keyword = {"annotation": "annotation", "label": "label", "node": "runs on"}[item.kind]
            return [f"{keyword} {item.key.raw} = {item.value.raw}"]
        if isinstance(item, ast.Toleration):
            line = f"tolerates {item.key.raw}"
            if item.value is not None:
                line += f" = {item.value.raw}"
            if item.effect is not None:
                line += f" effect {item.effect.text}"
            return [line]
        if isinstance(item, ast.Grace):
            return [f"stops within {item.period.text}"]
        if isinstance(item, ast.Authentication):
            return [f"authentication {item.setting.text}"]
        raise AssertionError(f"unexpected item {item!r}")


def _probe_text(probe: ast.Probe) -> str:
    line = f"probe {probe.kind.text} {probe.check}"
    if probe.check == "http" and probe.path is not None:
        line += f" {probe.path.raw}"
    if probe.check == "command":
        line += " [" + ", ".join(literal.raw for literal in probe.command) + "]"
    if probe.port is not None:
        line += f" on {probe.port.text}"
    for option in probe.options:
        if option.header is not None:
            line += f" header {option.header[0].raw} = {option.header[1].raw}"
        elif option.value is not None:
            line += f" {option.name} {option.value.text}"
    return line
