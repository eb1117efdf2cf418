"""What every part of the checker shares: where diagnostics go, and the names one application declares.

`FileScope` collects a file's diagnostics and symbols and knows where its syntax errors are.
`ApplicationScope` is one application's single namespace (components, databases, values, storage
and routes; environments have their own) with the look-ups every language area resolves names
with, and what the areas find out for the best-practice passes that run after them (which values
and storage are used, the storage components declare for themselves, which values hold secrets).

While a value, a component or a route is checked for an editor, the scope records what the
check reads of the rest of the application (`reads`: the names it looks up, the words it asks
whether they are host names, and whether it read all the names, the environments' names or which
values are secrets) and which names it marks used (`uses`): `memo.py` keeps the check for the next
version of the file while none of that changes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, KeysView
from typing import Any, TypeVar

from koncierge_lang.diagnostics import Diagnostic, Fix, RelatedLocation, make_diagnostic
from koncierge_lang.performance import frozen_constructor
from koncierge_lang.requirements import model
from koncierge_lang.requirements.checker.symbols import Declaration, ReferenceSite
from koncierge_lang.source import Span
from koncierge_lang.syntax import ast

ItemT = TypeVar("ItemT")

# Built for every reference and declaration: without the frozen dataclass's slower `__init__`.
_new_reference_site = frozen_constructor(ReferenceSite)
_new_declaration = frozen_constructor(Declaration)

# A declaration as the scope keeps it: its kind, its name as written, and its syntax node.
Entry = tuple[str, ast.Name, object]


class Reads:
    """What the check of one statement read of the rest of its application (`memo.py`): each name
    it looked up, each word it asked whether it is a host name, and whether it read all the
    names, the environments' names, or which values are secrets. (What a look-up finds depends
    only on the declarations of its name; `memo.py` compares those.)"""

    __slots__ = ("lookups", "hosts", "names", "environments", "secrets")

    def __init__(self) -> None:
        self.lookups: set[str] = set()
        self.hosts: set[str] = set()
        self.names = self.environments = self.secrets = False


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to a misspelt name, if one is close enough to suggest."""
    matches = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


class FileScope:
    """One file's diagnostics and symbols, and where its syntax errors are."""

    def __init__(self, syntax_error_spans: tuple[Span, ...] = ()) -> None:
        self.syntax_error_spans = syntax_error_spans
        self.diagnostics: list[Diagnostic] = []
        self.declarations: list[Declaration] = []
        self.references: list[ReferenceSite] = []

    def report(
        self,
        code: str,
        message: str,
        span: Span,
        related: tuple[RelatedLocation, ...] = (),
        fixes: tuple[Fix, ...] = (),
    ) -> None:
        self.diagnostics.append(make_diagnostic(code, message, span, related, fixes))

    def syntax_error_within(self, span: Span) -> bool:
        """Whether a syntax error lies inside `span`, so that something there may have been left out."""
        return any(span.start <= error.start and error.start < span.end for error in self.syntax_error_spans)


class ApplicationScope:
    """One application being checked: its names are resolved within it."""

    def __init__(self, file: FileScope, syntax: ast.Application) -> None:
        self.file = file
        self.syntax = syntax
        self.application_name = syntax.name.text
        self.environments_syntax = [item for item in syntax.items if isinstance(item, ast.Environment)]
        self.values_syntax = [item for item in syntax.items if isinstance(item, ast.ValueDeclaration)]
        self.storages_syntax = [item for item in syntax.items if isinstance(item, ast.StorageDeclaration)]
        self.components_syntax = [item for item in syntax.items if isinstance(item, ast.Component)]
        self.routes_syntax = [item for item in syntax.items if isinstance(item, ast.Route)]
        # Each component's items by their kind, in order: a dozen checks each read one kind.
        self.component_items: dict[int, dict[type, list[Any]]] = {}
        # One namespace for everything a reference can name.
        self._names: dict[str, Entry] = {}
        # Every declaration of a name declared more than once, so that a use resolves to the one that fits.
        self.all_declarations: dict[str, list[Entry]] = {}
        self._environment_names: dict[str, ast.Environment] = {}
        # The environments as checked, for the checks that depend on their kinds.
        self.environments: list[model.Environment] = []
        self.used_values: set[str] = set()
        self.used_storages: set[str] = set()
        # Storage that components declare for themselves (`storage 1Gi at "/data"`), in order.
        self.inline_storages: list[model.Storage] = []
        # The named values that are (or contain) a secret, worked out on first use
        # (`values.secret_value_names`): asked for every variable.
        self.secret_values: frozenset[str] | None = None
        # The host names of the components and databases, made when text first needs them
        # (`host_component`): once per application, not once per string.
        self._host_names: dict[str, ast.Component] | None = None
        # While a statement is checked for `memo.py`: what it reads of the rest of the
        # application, and the values and storage it marks used. None otherwise.
        self.reads: Reads | None = None
        self.uses: list[tuple[str, str]] | None = None
        self._names_and_kinds: tuple[tuple[str, str], ...] | None = None
        # The previous version's checks to reuse and this version's to keep, for an editor: a
        # `memo.MemoContext` (which imports this module), or None.
        self.memo: Any = None
        # Every container and how messages name it, for the best-practice passes (`containers.py`).
        self.every_container: list[tuple[ast.Component | ast.Container, str]] | None = None

    @property
    def names(self) -> dict[str, Entry]:
        """Every declared name (read whole: it is recorded as depending on all of them)."""
        if self.reads is not None:
            self.reads.names = True
        return self._names

    def names_and_kinds(self) -> tuple[tuple[str, str], ...]:
        """Every declared name with its kind, in order (made once: nothing is declared once the
        components are checked)."""
        if self._names_and_kinds is None:
            self._names_and_kinds = tuple((name, entry[0]) for name, entry in self._names.items())
        return self._names_and_kinds

    @property
    def environment_names(self) -> dict[str, ast.Environment]:
        """The environments by name (recorded as depending on all of their names)."""
        if self.reads is not None:
            self.reads.environments = True
        return self._environment_names

    def environment_names_as_read(self) -> tuple[str, ...]:
        """The environments' names, without recording the read."""
        return tuple(self._environment_names)

    def use_value(self, name: str) -> None:
        """Mark a value (or a name used as one, wrongly) used: the unused-value pass reads this."""
        self.used_values.add(name)
        if self.uses is not None:
            self.uses.append(("value", name))

    def use_storage(self, name: str) -> None:
        self.used_storages.add(name)
        if self.uses is not None:
            self.uses.append(("storage", name))

    def host_component(self, word: str) -> ast.Component | None:
        """The component or database whose host name (its Kubernetes name) `word` is."""
        found = self.host_names.get(word)
        if self.reads is not None:
            self.reads.hosts.add(word)
        return found

    @property
    def host_names(self) -> dict[str, ast.Component]:
        """The host names of the application's components and databases (not recorded: read
        them through `host_component`)."""
        if self._host_names is None:
            hosts: dict[str, ast.Component] = {}
            for kind, _, node in self._names.values():
                if kind in ("component", "database") and isinstance(node, ast.Component):
                    hosts.setdefault(model.kubernetes_name(node.name.text), node)
            self._host_names = hosts
        return self._host_names

    def report(
        self,
        code: str,
        message: str,
        span: Span,
        related: tuple[RelatedLocation, ...] = (),
        fixes: tuple[Fix, ...] = (),
    ) -> None:
        self.file.report(code, message, span, related, fixes)

    def may_be_hidden_by_syntax_error(self, node: object) -> bool:
        """Whether a syntax error inside `node` may have left out the statement a diagnostic would miss."""
        span = getattr(node, "span", None)
        return isinstance(span, Span) and self.file.syntax_error_within(span)

    def declare(self, kind: str, name: ast.Name, node: object, span: Span) -> None:
        """Enter a declared name into the application's namespace; a name taken already is KON104."""
        self.all_declarations.setdefault(name.text, []).append((kind, name, node))
        earlier = self._names.get(name.text)
        if earlier is not None:
            earlier_kind, earlier_name, _ = earlier
            self.report(
                "KON104",
                f"`{name.text}` is already declared as a {earlier_kind} in application `{self.application_name}`",
                name.span,
                (RelatedLocation(earlier_name.span, f"the {earlier_kind} `{name.text}` is declared here"),),
            )
            return
        self._names[name.text] = (kind, name, node)
        self.file.declarations.append(_new_declaration(self.application_name, kind, name.text, name.span, span))

    def lookup(self, name: str, fitting_kinds: tuple[str, ...]) -> Entry | None:
        """The declaration of `name`; of a name declared twice (already an error), the one that fits the use."""
        if self.reads is not None:
            self.reads.lookups.add(name)
        for entry in self.all_declarations.get(name, ()):
            if entry[0] in fitting_kinds:
                return entry
        return self._names.get(name)

    def refer(self, kind: str, name: str, span: Span) -> None:
        """Record a use of a declared name, for navigation."""
        self.file.references.append(_new_reference_site(self.application_name, kind, name, span))

    def item_kinds(self, component: ast.Component | ast.Container) -> KeysView[type]:
        """The kinds of statement a component's block holds: most blocks hold few of the kinds the
        language has, and the checks of the others are skipped."""
        self.items_of(component, ast.Image)
        return self.component_items[id(component)].keys()

    def items_of(self, component: ast.Component | ast.Container, kind: type[ItemT]) -> list[ItemT]:
        """The component's items of one kind, in the order they are written."""
        grouped = self.component_items.get(id(component))
        if grouped is None:
            grouped = self.component_items[id(component)] = {}
            for item in component.items:
                grouped.setdefault(type(item), []).append(item)
        return grouped.get(kind, [])
