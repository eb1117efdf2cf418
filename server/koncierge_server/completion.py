"""Completion: the keywords the parser accepts at the cursor, names in scope, members, kinds,
database types, sizes and block snippets, each with documentation."""

from __future__ import annotations

import re

from lsprotocol import types

from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.pod_settings import TAINT_EFFECTS
from koncierge_lang.requirements.checker.ports import COMPONENT_MEMBERS
from koncierge_lang.requirements.checker.probes import PROBE_KINDS
from koncierge_lang.requirements.checker.values import ROUTE_MEMBERS
from koncierge_lang.requirements.database_types import DATABASE_TYPES
from koncierge_lang.requirements.model import ENVIRONMENT_KINDS
from koncierge_lang.syntax import ast
from koncierge_lang.syntax.parser import expected_at
from koncierge_server.documents import Snapshot
from koncierge_server.keywords import KEYWORD_DOCUMENTATION, SNIPPETS, keyword_texts
from koncierge_server.positions import offset_of
from koncierge_server.scope import application_at, declarations_in

TRIGGER_CHARACTERS = [".", ">", "=", ":", " ", "{"]
SIZE_UNITS = ("Mi", "Gi", "Ti", "Ki")
_VALUE_KINDS = ("constant", "secret", "value")
_MEMBER_KINDS = {"component": COMPONENT_MEMBERS, "database": COMPONENT_MEMBERS, "route": ROUTE_MEMBERS}
# `tolerates ... effect EFFECT`: what each taint effect the checker knows (TAINT_EFFECTS) does.
_TAINT_EFFECT_DOCUMENTATION = {
    "NoSchedule": "Tolerate a taint that keeps new pods off the node: the pods may be scheduled there.",
    "PreferNoSchedule": "Tolerate a taint that the scheduler avoids if it can.",
    "NoExecute": "Tolerate a taint that also evicts running pods: the pods stay on the node.",
}
_MEMBER_DOCUMENTATION = {
    "host": "The host name other components reach this component by (its Service's name).",
    "port": "The number clients reach the component's **first** port on (its Service's port). "
    "Other ports are reached by name: `port amqp 5672` is `x.amqp`.",
    "domain": "The route's domain in each environment (`subdomain.` + the environment's domain).",
    "url": "The route's full URL in each environment (`https` where the environment has HTTPS).",
}


# What each kind of probe decides, for the completion after `probe`.
_PROBE_KIND_DOCUMENTATION = {
    "ready": "`probe ready ...` — whether the program can take requests now; while it fails, its Service sends "
    "it none (Kubernetes' readiness probe).",
    "live": "`probe live ...` — whether the program still works; after `failures` failed checks in a row it is "
    "restarted (Kubernetes' liveness probe).",
    "startup": "`probe startup ...` — whether the program has finished starting; the other probes wait for it, "
    "so a slow start is not mistaken for a hang (Kubernetes' startup probe).",
}
assert set(_PROBE_KIND_DOCUMENTATION) == set(PROBE_KINDS)


def completion(snapshot: Snapshot, position: types.Position) -> types.CompletionList:
    text = snapshot.text
    offset = offset_of(snapshot.source, position)
    word_start = offset
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] in "_-"):
        word_start -= 1
    word = text[word_start:offset]
    before = text[max(0, word_start - 200) : word_start]
    line_before = before[before.rfind("\n") + 1 :]
    application = application_at(snapshot, offset)
    items: list[types.CompletionItem] = []

    interpolation = _open_interpolation(line_before)
    if interpolation is not None:
        member_in_text = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_-]*)\.[A-Za-z0-9_-]*", interpolation)
        if member_in_text is not None:
            items.extend(_member_items(snapshot, application, member_in_text.group(1)))
        else:
            items.extend(_reference_items(snapshot, application, interpolation))
        return types.CompletionList(is_incomplete=False, items=items)
    if _inside_string(line_before):
        return types.CompletionList(is_incomplete=False, items=[])

    member_of = re.search(r"([A-Za-z_][A-Za-z0-9_-]*)\.$", before)
    if member_of is not None:
        items.extend(_member_items(snapshot, application, member_of.group(1)))
        return types.CompletionList(is_incomplete=False, items=items)

    expected = _expected(snapshot, word_start)
    keywords = keyword_texts()
    for keyword in sorted(expected & keywords):
        items.append(
            types.CompletionItem(
                label=keyword,
                kind=types.CompletionItemKind.Keyword,
                documentation=_markdown(KEYWORD_DOCUMENTATION.get(keyword, f"The keyword `{keyword}`.")),
                sort_text=f"2{keyword}",
            )
        )
        if keyword in SNIPPETS:
            items.append(
                types.CompletionItem(
                    label=f"{keyword} …",
                    kind=types.CompletionItemKind.Snippet,
                    insert_text=SNIPPETS[keyword],
                    insert_text_format=types.InsertTextFormat.Snippet,
                    filter_text=keyword,
                    detail=f"a `{keyword}` block",
                    documentation=_markdown(KEYWORD_DOCUMENTATION.get(keyword, "")),
                    sort_text=f"3{keyword}",
                )
            )
    stripped = before.rstrip()
    if "NAME" in expected:
        items.extend(_name_items(snapshot, application, stripped, offset))
    if "NUMBER" in expected and re.search(r"(^|\s)storage(\s+[A-Za-z_][A-Za-z0-9_-]*)?$", stripped):
        digits = word if word.isdigit() else ""
        for amount in [digits] if digits else ["1", "10", "100"]:
            for unit in SIZE_UNITS:
                items.append(
                    types.CompletionItem(
                        label=f"{amount}{unit}",
                        kind=types.CompletionItemKind.Unit,
                        documentation=_markdown(f"{amount} {unit}B: `Ki`, `Mi`, `Gi`, `Ti` are powers of 1024."),
                        sort_text=f"0{unit}",
                    )
                )
    if "NUMBER" in expected and re.search(r"->\s*[A-Za-z_][A-Za-z0-9_-]*\s*:$", stripped):
        items.extend(_port_items(snapshot, application, stripped))
    if "NUMBER" in expected and re.search(r"(^|\s)expose$", stripped):
        component_name = _enclosing_component(snapshot, offset)
        if component_name is not None:
            items.extend(_ports_of(snapshot, application, component_name))
    connection = re.search(r"(?:^|\s)(connects\s+to|accepts\s+from)\s+([A-Za-z_][A-Za-z0-9_-]*)\s+on$", stripped)
    if "NUMBER" in expected and connection is not None:
        # `connects to x on`: a port of x; `accepts from x on`: a port of this component.
        component_name = (
            connection.group(2)
            if connection.group(1).startswith("connects")
            else _enclosing_component(snapshot, offset)
        )
        if component_name is not None:
            items.extend(_ports_of(snapshot, application, component_name))
    return types.CompletionList(is_incomplete=False, items=items)


def _expected(snapshot: Snapshot, offset: int) -> set[str]:
    """The parser's expectations at `offset`. To stay fast in long files, the parser is fed only
    the application's header and the statement around the cursor: at a statement boundary of an
    application body the parser's state is the same whatever came before."""
    text = snapshot.text
    source = snapshot.source
    position = source.line_and_column(offset)
    for application in snapshot.analysis.syntax.applications:
        body_start = text.find("{", source.offset(*application.name.span.end))
        if not (body_start != -1 and body_start < offset and position <= application.span.end):
            continue
        statement_start = body_start + 1
        for item in application.items:
            if item.span.start < position:
                statement_start = max(statement_start, source.offset(*item.span.start))
        header = "application _ {\n"
        return expected_at(header + text[statement_start:offset], len(header) + offset - statement_start)
    return expected_at(text, offset)


def _name_items(snapshot: Snapshot, application: str | None, stripped: str, offset: int) -> list[types.CompletionItem]:
    if stripped.endswith("->") or re.search(r"(^|\s)(connects\s+to|accepts\s+from)$", stripped):
        return _declared_items(snapshot, application, ("component", "database"))
    if re.search(r"(^|\s)(like|environment)$", stripped):
        # After `environment` a new environment is named after its kind; after `like`, a kind.
        return [
            types.CompletionItem(
                label=kind.name,
                kind=types.CompletionItemKind.EnumMember,
                documentation=_markdown(f"`{kind.name}`: {kind.description}. " + _flags(kind)),
            )
            for kind in ENVIRONMENT_KINDS.values()
        ]
    if re.search(r"(^|\s)database\s+[A-Za-z_][A-Za-z0-9_-]*$", stripped):
        return [
            types.CompletionItem(
                label=database.name,
                kind=types.CompletionItemKind.EnumMember,
                documentation=_markdown(
                    f"{database.description}\n\nDefault image `{database.image}`, port {database.port}, "
                    f"data in `{database.data_directory}`."
                ),
            )
            for database in DATABASE_TYPES.values()
        ]
    if re.search(r"(^|\s)(after|in)$", stripped) or re.search(r"(^|\s)(after|in)\s[^\n]*,$", stripped):
        # `after ENV, ...`, and `in ENV, ...` (the environments an `expose`, `cpu` or `memory` applies in).
        return _declared_items(snapshot, application, ("environment",))
    if re.search(r"(^|\s)effect$", stripped):
        return [
            types.CompletionItem(
                label=effect,
                kind=types.CompletionItemKind.EnumMember,
                documentation=_markdown(_TAINT_EFFECT_DOCUMENTATION.get(effect, f"The taint effect `{effect}`.")),
                sort_text=f"0{index}",
            )
            for index, effect in enumerate(TAINT_EFFECTS)
        ]
    if re.search(r"(^|\s)probe$", stripped):
        return [
            types.CompletionItem(
                label=kind,
                kind=types.CompletionItemKind.EnumMember,
                documentation=_markdown(_PROBE_KIND_DOCUMENTATION[kind]),
            )
            for kind in PROBE_KINDS
        ]
    if re.search(r"(^|\s)(cpu|memory)\s[^\n]*\sin$", stripped):
        # `cpu 200m in `: the environments it applies in (after a `,`, as in text per environment).
        return _declared_items(snapshot, application, ("environment",))
    if re.search(r"(^|\s)mount$", stripped):
        return _declared_items(snapshot, application, ("storage",))
    if stripped.endswith("{") or stripped.endswith(","):
        # Inside text per environment: `{ PROD = "...", ... }`.
        return _declared_items(snapshot, application, ("environment",))
    if stripped.endswith("="):
        return _reference_items(snapshot, application, "")
    return []


def _reference_items(snapshot: Snapshot, application: str | None, typed: str) -> list[types.CompletionItem]:
    return _declared_items(snapshot, application, _VALUE_KINDS + ("component", "database", "route"))


def _declared_items(snapshot: Snapshot, application: str | None, kinds: tuple[str, ...]) -> list[types.CompletionItem]:
    items = []
    seen: set[str] = set()
    for declaration in declarations_in(snapshot, application, kinds):
        if declaration.name in seen:
            continue
        seen.add(declaration.name)
        items.append(
            types.CompletionItem(
                label=declaration.name,
                kind=_ITEM_KINDS.get(declaration.kind, types.CompletionItemKind.Variable),
                detail=f"{declaration.kind}, line {declaration.span.start_line}",
                sort_text=f"1{declaration.name}",
                # The documentation (the declaration's line) is added by completionItem/resolve:
                # a file of a thousand components would otherwise send a thousand of them.
                data={"uri": snapshot.uri, "line": declaration.span.start_line, "kind": declaration.kind},
            )
        )
    return items


def _member_items(snapshot: Snapshot, application: str | None, name: str) -> list[types.CompletionItem]:
    kinds = {declaration.name: declaration.kind for declaration in declarations_in(snapshot, application)}
    members = _MEMBER_KINDS.get(kinds.get(name, ""), ())
    items = [
        types.CompletionItem(
            label=member,
            kind=types.CompletionItemKind.Property,
            detail=f"{name}.{member}",
            documentation=_markdown(_MEMBER_DOCUMENTATION[member]),
        )
        for member in members
    ]
    if kinds.get(name) in ("component", "database"):
        component = _model_component(snapshot, application, name)
        for port in component.ports if component is not None else ():
            if port.name and port.name not in COMPONENT_MEMBERS:
                items.append(
                    types.CompletionItem(
                        label=port.name,
                        kind=types.CompletionItemKind.Property,
                        detail=f"{name}.{port.name}: port {port.number}",
                        documentation=_markdown(_port_documentation(name, port)),
                    )
                )
    return items


def _port_documentation(component: str, port: model.Port) -> str:
    listens = f"; the container listens on {port.container}" if port.container is not None else ""
    return f"Port `{port.name or port.number}` of `{component}`: clients use {port.number}/{port.protocol}{listens}."


def _model_component(snapshot: Snapshot, application: str | None, name: str) -> model.Component | None:
    for model_application in snapshot.analysis.requirements.applications:
        if model_application.name == application:
            return model_application.component(name)
    return None


def _enclosing_component(snapshot: Snapshot, offset: int) -> str | None:
    """The component or database whose block holds `offset`."""
    position = snapshot.source.line_and_column(offset)
    for syntax_application in snapshot.analysis.syntax.applications:
        for item in syntax_application.items:
            if isinstance(item, ast.Component) and item.span.start < position <= item.span.end:
                return item.name.text
    return None


def _port_items(snapshot: Snapshot, application: str | None, stripped: str) -> list[types.CompletionItem]:
    match = re.search(r"->\s*([A-Za-z_][A-Za-z0-9_-]*)\s*:$", stripped)
    if match is None:
        return []
    return _ports_of(snapshot, application, match.group(1))


def _ports_of(snapshot: Snapshot, application: str | None, name: str) -> list[types.CompletionItem]:
    """A component's ports, by number and by name."""
    for model_application in snapshot.analysis.requirements.applications:
        if model_application.name != application:
            continue
        component = model_application.component(name)
        if component is None:
            return []
        items = []
        for port in component.ports:
            items.append(
                types.CompletionItem(
                    label=str(port.number),
                    kind=types.CompletionItemKind.Value,
                    documentation=_markdown(_port_documentation(component.name, port)),
                )
            )
            if port.name:
                items.append(
                    types.CompletionItem(
                        label=port.name, kind=types.CompletionItemKind.Value, detail=f"port {port.number}"
                    )
                )
        return items
    return []


def _open_interpolation(line_before: str) -> str | None:
    """The text typed after an unclosed `${` inside a string on this line, or None."""
    if not _inside_string(line_before):
        return None
    opened = line_before.rfind("${")
    if opened == -1 or "}" in line_before[opened:]:
        return None
    return line_before[opened + 2 :]


def _inside_string(line_before: str) -> bool:
    quotes = 0
    index = 0
    while index < len(line_before):
        character = line_before[index]
        if character == "\\":
            index += 2
            continue
        if character == '"':
            quotes += 1
        elif character == "#" and quotes % 2 == 0:
            return False
        index += 1
    return quotes % 2 == 1


def _flags(kind: object) -> str:
    names = ("backups", "performance_optimised", "strict_security", "https")
    on = [name.replace("_", " ") for name in names if getattr(kind, name)]
    return ("With " + ", ".join(on) + ".") if on else "No backups, no HTTPS."


def _markdown(text: str) -> types.MarkupContent:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)


_ITEM_KINDS = {
    "component": types.CompletionItemKind.Class,
    "database": types.CompletionItemKind.Class,
    "route": types.CompletionItemKind.Interface,
    "storage": types.CompletionItemKind.Folder,
    "environment": types.CompletionItemKind.EnumMember,
    "constant": types.CompletionItemKind.Constant,
    "secret": types.CompletionItemKind.Variable,
    "value": types.CompletionItemKind.Variable,
}


def resolve(snapshot: Snapshot, item: types.CompletionItem) -> types.CompletionItem:
    """Add a name's documentation: its kind and the line that declares it."""
    data = item.data if isinstance(item.data, dict) else {}
    line = data.get("line")
    if item.documentation is None and isinstance(line, int):
        declared = snapshot.source.line_text(line).strip()
        item.documentation = _markdown(
            f"{data.get('kind', 'name')} `{item.label}`, line {line}:\n\n```kon\n{declared}\n```"
        )
    return item
