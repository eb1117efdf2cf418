"""The syntax tree of a .kon file: frozen dataclasses, each with the span it was read from.

Spans are excluded from equality, so two trees are equal when they say the same thing however
they are laid out; the formatter's "never changes meaning" property relies on this. Statements
that could not be read completely (error recovery filled a gap) are left out of the tree; their
syntax error is reported instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from koncierge_lang.source import Span

EMPTY_SPAN = Span(1, 1, 1, 1)


def _span() -> Span:
    return field(default=EMPTY_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Number:
    """A number or a size as written: `8080`, `1Gi`; the checker says whether it is valid."""

    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Reference:
    """`name` or `name.member`, in an expression or inside `${...}`."""

    name: Name
    member: Name | None = None
    span: Span = _span()

    @property
    def text(self) -> str:
        return self.name.text if self.member is None else f"{self.name.text}.{self.member.text}"


@dataclass(frozen=True, slots=True)
class StringLiteral:
    """Text in quotes. `raw` is the source text with its quotes; `parts` is the text with escapes
    resolved, split into literal pieces and `${...}` references."""

    raw: str
    parts: tuple[str | Reference, ...]
    span: Span = _span()

    @property
    def value(self) -> str:
        """The text with each interpolation written back as `${...}`."""
        return "".join(part if isinstance(part, str) else "${" + part.text + "}" for part in self.parts)

    @property
    def is_plain(self) -> bool:
        return all(isinstance(part, str) for part in self.parts)

    @property
    def references(self) -> tuple[Reference, ...]:
        return tuple(part for part in self.parts if isinstance(part, Reference))


@dataclass(frozen=True, slots=True)
class SecretBase64:
    text: StringLiteral
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SecretPlain:
    text: StringLiteral
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SecretGenerated:
    length: Number | None = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SecretStore:
    """`from store "payments/stripe"`: a secret whose value lives only in a secret store (a
    password manager, Vault, a cloud secret manager) under that key; Koncierge never sees it."""

    key: StringLiteral
    span: Span = _span()


SecretExpression = SecretBase64 | SecretPlain | SecretGenerated | SecretStore
SECRET_EXPRESSION_TYPES = (SecretBase64, SecretPlain, SecretGenerated, SecretStore)


@dataclass(frozen=True, slots=True)
class EnvironmentCase:
    """`PROD = "warn"`; `environment` is None for the `else` case."""

    environment: Name | None
    text: StringLiteral
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class PerEnvironment:
    cases: tuple[EnvironmentCase, ...]
    span: Span = _span()


Expression = StringLiteral | Reference | SecretExpression | PerEnvironment
"""After `=`: text, a reference, text per environment, or (after `secret`) a secret."""


@dataclass(frozen=True, slots=True)
class Environment:
    name: Name
    like: Name | None
    domain: StringLiteral
    after: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ValueDeclaration:
    """`constant`, `secret` or `value` NAME = ..."""

    keyword: str
    name: Name
    expression: Expression | SecretExpression
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class StorageDeclaration:
    name: Name
    size: Number
    lifetime: str | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Image:
    reference: StringLiteral
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Port:
    """`port [NAME] NUMBER [-> NUMBER] [/PROTOCOL]`: `number` is the port clients use (the
    Service's); `container` the port the program listens on, when it differs (`port http 80 -> 8080`)."""

    name: Name | None
    number: Number
    protocol: Name | None
    span: Span = _span()
    container: Number | None = None


@dataclass(frozen=True, slots=True)
class VariableName:
    """An environment variable's name: a bare name, or text in quotes for unusual names."""

    text: str
    quoted: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Variable:
    """`env NAME = EXPRESSION [as file]`; `as_file`: the program receives `NAME_FILE`, the path of a
    file holding the value, instead of the value."""

    name: VariableName
    expression: Expression
    span: Span = _span()
    as_file: bool = False


@dataclass(frozen=True, slots=True)
class CommandLine:
    """`command [...]` or `args [...]`."""

    keyword: str
    items: tuple[StringLiteral, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Mount:
    storage: Name
    mode: str | None
    path: StringLiteral
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ComponentStorage:
    size: Number
    lifetime: str | None
    mode: str | None
    path: StringLiteral
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Replicas:
    count: Number
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Connects:
    """`connects to carts [on PORT]`: a connection to another component or database of the
    application (`target` a name), or `connects to "api.stripe.com" on 443`: to something outside
    it (`target` text)."""

    target: StringLiteral | Name
    port: Number | Name | None
    protocol: Name | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Accepts:
    """`accepts from admin [on PORT]`: component `admin` connects to this one (on its first port,
    or the port named), declared where the connection arrives."""

    source: Name
    port: Number | Name | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Size:
    """`size medium`: how much CPU and memory the component asks for and may use."""

    size: Name
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Health:
    """`health "/healthz" [on PORT]`: the HTTP path that answers whether the program is well."""

    path: StringLiteral
    port: Number | Name | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Writes:
    """`writes "/var/cache/nginx", ... [keeping contents]`: paths the program writes besides its
    storage; `keeping`: the image's files there are copied into the scratch space first."""

    paths: tuple[StringLiteral, ...]
    span: Span = _span()
    keeping: bool = False


@dataclass(frozen=True, slots=True)
class WritesEverywhere:
    """`writes everywhere`: the root filesystem stays writable."""

    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Capabilities:
    """`capabilities NET_BIND_SERVICE, CHOWN`: Linux capabilities added to a hardened container."""

    names: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RunAs:
    """`run as user 999 [group 999]`."""

    user: Number
    group: Number | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ProbeOption:
    """One setting of a probe: `every 10s`, `after 15s`, `timeout 2s`, `failures 3` (`value`), or
    `header "NAME" = "VALUE"` (`header`)."""

    name: str
    value: Number | None
    header: tuple[StringLiteral, StringLiteral] | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Probe:
    """`probe KIND CHECK OPTION*`: `kind` ready, live or startup; `check` http (with `path`), grpc,
    tcp (each on `port`) or command (`command`)."""

    kind: Name
    check: str
    path: StringLiteral | None
    port: Number | Name | None
    command: tuple[StringLiteral, ...]
    options: tuple[ProbeOption, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Resource:
    """`cpu 200m [up to 300m] [in PROD, ...]` or `memory ...`: what the program asks for and may use."""

    kind: str
    request: Number
    limit: Number | None
    environments: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SingleInstance:
    """`single instance`: one replica in every environment."""

    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Container:
    """`sidecar NAME { ... }` (beside the program) or `init NAME { ... }` (before it): `kind` is
    `sidecar` or `init`; `items` are component statements."""

    kind: str
    name: Name
    items: tuple[Any, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Expose:
    """`expose PORT [in ENV, ...]`: the port is reachable from outside the cluster."""

    port: Number | Name
    environments: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class PodSetting:
    """`annotation "K" = "V"`, `label "K" = "V"` or `runs on "K" = "V"` (`kind` annotation, label or
    node): metadata of the pods, or a node label they need."""

    kind: str
    key: StringLiteral
    value: StringLiteral
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Toleration:
    """`tolerates "KEY" [= "VALUE"] [effect EFFECT]`: pods may run on nodes with this taint."""

    key: StringLiteral
    value: StringLiteral | None
    effect: Name | None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Grace:
    """`stops within 30s`: the termination grace period."""

    period: Number
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Authentication:
    """`authentication off` (or `on`): whether a database asks its clients for credentials."""

    setting: Name
    span: Span = _span()


ComponentItem = (
    Image
    | Port
    | Variable
    | CommandLine
    | Mount
    | ComponentStorage
    | Replicas
    | Connects
    | Accepts
    | Size
    | Health
    | Writes
    | WritesEverywhere
    | Capabilities
    | RunAs
    | Probe
    | Resource
    | SingleInstance
    | Container
    | Expose
    | PodSetting
    | Toleration
    | Grace
    | Authentication
)


@dataclass(frozen=True, slots=True)
class Component:
    """A `component`, or a `database` when `database_type` is set."""

    name: Name
    database_type: Name | None
    items: tuple[ComponentItem, ...]
    has_body: bool = field(default=True, compare=False)
    span: Span = _span()

    @property
    def keyword(self) -> str:
        return "component" if self.database_type is None else "database"


@dataclass(frozen=True, slots=True)
class Route:
    name: Name
    subdomain: StringLiteral | None
    path: StringLiteral | None
    component: Name
    port: Number | Name | None
    span: Span = _span()
    option_order: tuple[str, ...] = field(default=(), compare=False)


ApplicationItem = Environment | ValueDeclaration | StorageDeclaration | Component | Route


@dataclass(frozen=True, slots=True)
class Application:
    name: Name
    name_quoted: bool
    description: StringLiteral | None
    items: tuple[ApplicationItem, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Comment:
    text: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class File:
    applications: tuple[Application, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
    span: Span = _span()
