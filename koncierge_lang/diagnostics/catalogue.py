"""The catalogue of diagnostic codes: one entry per code, with its documentation.

Codes are grouped by stage: 0xx syntax, 1xx names, 2xx semantics, 3xx generation and best
practice. A code, once published, keeps its meaning forever. `docs/diagnostics/KON###.md` is
generated from these entries (`python -m koncierge_lang.diagnostics.docs`), and a test fails when
the generated pages are not current.
"""

from __future__ import annotations

from dataclasses import dataclass

from koncierge_lang.diagnostics.severity import Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    example: str
    fix: str


E = Severity.ERROR
W = Severity.WARNING
I = Severity.INFORMATION  # noqa: E741  # One letter, as E and W.

RULES: tuple[Rule, ...] = (
    # 0xx: syntax
    Rule(
        "KON001", "unexpected-token", E,
        "The parser found a word or symbol where the language does not allow it.",
        "Every statement starts with a keyword and has a fixed shape; anything else cannot be read. "
        "The parser skips to the next statement and keeps going, so every independent mistake "
        "in a file is reported in one run.",
        'component backend {\n  imag "kubernetesdemo/to-do-app-backend"\n}',
        "Write the keyword the message suggests (here `image`); the quick fix does it for you "
        "when the mistake is a misspelt keyword.",
    ),
    Rule(
        "KON002", "missing-token", E,
        "Something that must be there is missing, most often a closing `}` or the value after `=`.",
        "Without it the parser cannot tell where a block or a statement ends.",
        'component backend {\n  port 8080\n\ncomponent frontend {\n  port 8080\n}',
        "Insert what the message names at the place it points to; for a missing `}` the quick fix "
        "inserts it.",
    ),
    Rule(
        "KON003", "unterminated-string", E,
        "A string starts with `\"` but the line ends before its closing `\"`.",
        "Strings cannot span lines, so the rest of the line cannot be read.",
        'image "kubernetesdemo/to-do-app-backend',
        "Close the string with `\"` on the same line.",
    ),
    Rule(
        "KON004", "unexpected-character", E,
        "A character that is not part of the language, such as `@` or `;`.",
        "Koncierge has no use for it, and guessing what was meant could change the meaning.",
        "port 8080;",
        "Delete the character. Statements need no terminator; comments start with `#`.",
    ),
    Rule(
        "KON005", "invalid-interpolation", E,
        "The text inside `${...}` in a string is not a reference such as `db_name` or `database.host`, "
        "or the `${` is never closed.",
        "Only names of values and their members can be put into a string; anything else would have no "
        "value at deployment time.",
        'env URL = "jdbc:mysql://${database.host:3306/todo"',
        "Close the interpolation with `}` and put a single name or `name.member` inside. To write a "
        "literal `${`, escape the dollar: `\\${`.",
    ),
    Rule(
        "KON006", "invalid-escape", E,
        "A backslash in a string is followed by a character that has no escape meaning.",
        "Only `\\\"`, `\\\\`, `\\n`, `\\t` and `\\$` are escapes; anything else is most likely a typo "
        "(for example a Windows path).",
        'constant path = "C:\\data"',
        "Double the backslash (`\\\\`) or remove it.",
    ),
    Rule(
        "KON007", "nul-character", E,
        "The file contains a NUL character (U+0000, the byte 0): in a statement, a comment or a string. "
        "It is reported once, at the first one, with how many there are; the rest of the file is "
        "still checked.",
        "A `.kon` file is text, and no program can receive a NUL in a variable or a command. Most often "
        "it is a stray byte from a copy and paste, or the whole file was saved as UTF-16, which puts a "
        "NUL after every letter.",
        'port 8080<NUL>   # the NUL, shown here as <NUL>, is invisible in most editors',
        "Delete the character (the quick fix deletes every NUL when there are a few). A file saved as "
        "UTF-16 must be saved again as UTF-8.",
    ),
    # 1xx: names
    Rule(
        "KON101", "unknown-reference", E,
        "A name refers to a value, component, route, storage or environment that the application does "
        "not declare.",
        "Koncierge would have nothing to put in the variable, route or mount at deployment time; a "
        "Kubernetes schema cannot catch this, Koncierge can.",
        "env DB_HOST = databse.host",
        "Correct the spelling (the quick fix offers the closest declared name) or declare the missing "
        "thing.",
    ),
    Rule(
        "KON102", "unknown-member", E,
        "A `.member` after a name is not one that kind of thing has (components have `.host`, "
        "`.port`, their first port, and one member per named port, such as `.amqp` for "
        "`port amqp 5672`; routes have `.domain` and `.url`), or a member is missing where one is needed.",
        "Members say which fact about a component or route a variable receives.",
        "env SERVER_URI = api.host",
        "Use one of the members the message lists.",
    ),
    Rule(
        "KON103", "unknown-port", E,
        "A route, a connection (`connects to x on 5672`, `accepts from x on http`), a port written "
        "after a host (`\"${x.host}:5672\"` or `\"x:5672\"`), or a component's `health` endpoint "
        "names a port that the component does not have (a health endpoint needs a TCP port). A port "
        "is named by the number clients use, the number its program listens on, or its name.",
        "The route would send traffic, the connection would be made, and the health probe would ask, "
        "on a port nothing listens on.",
        "component backend {\n  port 8080\n}\nroute api -> backend:8081",
        "Use a declared port, or add the port to the component (quick fix).",
    ),
    Rule(
        "KON104", "duplicate-name", E,
        "Two declarations in one application have the same name.",
        "Components, databases, values, storage and routes share one namespace, so that a reference "
        "such as `backend.host` has exactly one meaning.",
        'constant backend = "x"\ncomponent backend {\n  image "nginx:1.27"\n}',
        "Rename one of them.",
    ),
    Rule(
        "KON105", "kubernetes-name-collision", E,
        "Two different names become the same name in Kubernetes, or a name becomes the name of an "
        "object Koncierge generates from another declaration (such as database `db`'s backup "
        "`db-backup`). The diagnostic is on the declaration that takes the name; the declaration "
        "whose generated object has it is the related location.",
        "Kubernetes names are lower case with `-` for anything other than letters and digits, so "
        "`To Do` and `to-do` would become the same namespace, and `web_api` and `web-api` the same "
        "Deployment. Two objects of one kind with one name in one namespace are one object to "
        "Kubernetes: the second overwrites the first without a word, and a Service's selector picks "
        "up the other's pods. The names Koncierge generates are reserved in the same way: in "
        "environments that keep backups, a database `db` has a backup `db-backup` (a CronJob with its "
        "ServiceAccount, NetworkPolicy and ConfigMap) and a claim `db-backups`; every environment has "
        "the NetworkPolicies `default-deny` and `allow-dns`; each application and environment is a "
        "namespace `<application>-<environment>`, so environments `PROD` and `Prod` would share one; "
        "with host-path storage each claim has a PersistentVolume `<namespace>-<claim>`; and within a "
        "pod each mounted storage is a volume named after it, beside the volume `secret-files` of "
        "secrets handed over as files and, where hardened, a scratch volume `scratch-<path>` for `/tmp` "
        "and each writable path (the API server refuses a pod with two volumes of one name).",
        "component web_api {\n  image \"nginx:1.27\"\n}\ncomponent web-api {\n  image \"nginx:1.27\"\n}\n\n"
        "environment PROD \"shop.example.com\"   # keeps backups\n"
        "database db postgres\ncomponent db-backup {   # the backup of `db` is `db-backup`\n"
        "  image \"busybox:1.36\"\n}",
        "Rename one of them so that their Kubernetes names differ; for a name a generated object takes, "
        "rename the declaration the diagnostic is on (`db-archive` instead of `db-backup`).",
    ),
    Rule(
        "KON106", "duplicate-environment", E,
        "An environment is declared twice in one application.",
        "Each environment has one domain name and one place in the promotion order.",
        'environment DEV "dev.example.com"\nenvironment DEV "dev2.example.com"',
        "Remove one declaration, or declare a new environment based on the kind: "
        '`environment DEV2 like DEV "dev2.example.com"`.',
    ),
    Rule(
        "KON107", "unknown-environment-kind", E,
        "An environment is neither one of the known kinds (LOCAL, DEV, INT, ACC, PERF, PROD) nor "
        "declared `like` one of them; or `like` names something that is not a known kind.",
        "The kind decides the environment's defaults: backups, performance, strict security and HTTPS.",
        'environment STAGING "staging.example.com"',
        'Say which kind it is like: `environment STAGING like PROD "staging.example.com"`.',
    ),
    Rule(
        "KON108", "unknown-database-type", E,
        "A database has a type Koncierge does not know.",
        "The type decides the image, port, data directory, credential variables and backup tool.",
        "database cache redds",
        "Use one of mysql, postgres, mariadb, mongodb, redis; or declare a `component` with your own "
        "image.",
    ),
    Rule(
        "KON109", "invalid-kubernetes-name", E,
        "A name cannot become a Kubernetes name: it has no letters or digits, or it is longer than "
        "the 63 characters Kubernetes allows.",
        "Applications become namespaces and components become Deployments and Services; Kubernetes "
        "rejects such names.",
        'application "---" {\n}',
        "Choose a name with letters or digits, at most 63 characters long.",
    ),
    # 2xx: semantics
    Rule(
        "KON201", "invalid-port", E,
        "A port number is not a whole number from 1 to 65535, or a port is declared twice, or two ports "
        "have one name (a port declared without a name is called after its protocol and number, "
        "`tcp-8080`).",
        "Kubernetes and the operating system accept only these ports, and a Service reaches a "
        "container's port by its name, which must be unique in the container.",
        "port 80800",
        "Use the port your program listens on, between 1 and 65535; give each port its own name.",
    ),
    Rule(
        "KON202", "invalid-protocol", E,
        "A port's protocol is neither `tcp` nor `udp`.",
        "Those are the protocols a Service can route for an application.",
        "port dns 53/upd",
        "Write `/tcp` (the default, so it can be left out) or `/udp`.",
    ),
    Rule(
        "KON203", "invalid-variable-name", E,
        "An environment variable's name is not letters, digits and `_`, starting with a letter or `_`; "
        "or a component sets the same variable twice.",
        "Shells and most programs can only read such names, and a variable has one value.",
        "env DB-HOST = database.host",
        "Use `_` instead of `-` (quick fix); remove the second assignment.",
    ),
    Rule(
        "KON204", "invalid-image", E,
        "A container image reference is not valid, or a component has no image.",
        "The cluster could not pull the image and the component would never start.",
        'image "Kubernetesdemo/To Do"',
        "Use `registry/name:tag` or `name@sha256:digest`, in lower case without spaces.",
    ),
    Rule(
        "KON205", "invalid-domain", E,
        "An environment's domain name is not a valid DNS name.",
        "Routes become Ingress hosts and certificates, which need valid DNS names.",
        'environment PROD "example..com"',
        "Use labels of letters, digits and `-`, separated by dots, such as `todo.example.com`.",
    ),
    Rule(
        "KON206", "invalid-route", E,
        "A route's subdomain is not a single DNS label, or its path does not start with `/`.",
        "Subdomains are put in front of the environment's domain and paths become Ingress path prefixes.",
        'route api subdomain "api.v2" -> backend:8080',
        "Use one label such as `api` and a path such as `/docs`.",
    ),
    Rule(
        "KON207", "invalid-size", E,
        "A storage size is not a number with a Kubernetes unit.",
        "Kubernetes reads sizes such as `1Gi` or `500M`; `1GB` means nothing to it.",
        "storage 1GB read-write at \"/data\"",
        "Use k, M, G, T, P, E (powers of 1000) or Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024).",
    ),
    Rule(
        "KON208", "invalid-mount-path", E,
        "A mount path or a `writes` path is not absolute (or is `/`), or one component mounts two "
        "things at the same path (a `writes` path counts as a mount of scratch space).",
        "Containers mount storage at absolute paths, and one path holds one volume.",
        'mount uploads read-write at "data"',
        "Start the path with `/` (quick fix) and use a different path for each mount.",
    ),
    Rule(
        "KON209", "promotion-cycle", E,
        "The promotion order (`after`) goes round in a circle.",
        "A release cannot be promoted to an environment that must come before it.",
        'environment DEV "dev.example.com" after INT\nenvironment INT "int.example.com" after DEV',
        "Remove one `after` so that the order has a beginning.",
    ),
    Rule(
        "KON210", "component-without-port", E,
        "A route, or a component's `.host` or `.port`, refers to a component that has no port, or the "
        "route does not say which of several ports to use.",
        "Other components reach a component through its ports; without one there is nothing to "
        "connect to.",
        "component worker {\n  image \"worker:1.0\"\n}\nroute web -> worker",
        "Add a `port` to the component (quick fix) or name the port in the route: `-> backend:8080`.",
    ),
    Rule(
        "KON211", "missing-environment-value", E,
        "A value given per environment has no text for one of the application's environments and no "
        "`else`.",
        "The variable would have no value in that environment.",
        'constant log_level = { PROD = "warn" }',
        'Add the environment or an `else = "..."` case.',
    ),
    Rule(
        "KON212", "invalid-base64", E,
        "A secret written `base64 \"...\"` is not valid base64.",
        "Kubernetes stores it as given; a broken encoding becomes a broken password.",
        'secret db_password = base64 "ZGV2ZWxvcA="',
        "Encode it again, for example with `printf %s 'password' | base64`.",
    ),
    Rule(
        "KON213", "invalid-number", E,
        "A number (replicas or a generated secret's length) is not a whole number in range.",
        "Replicas must be 0 to 1000 and generated secrets 8 to 1024 characters long.",
        "replicas -1",
        "Use a whole number in the range the message gives.",
    ),
    Rule(
        "KON214", "no-environments", E,
        "An application declares no environment.",
        "Koncierge generates one set of Kubernetes objects per environment; with none there is "
        "nothing to deploy.",
        'application todo {\n  component web {\n    image "nginx:1.27"\n  }\n}',
        'Add at least one, such as `environment LOCAL "todo.test"`.',
    ),
    Rule(
        "KON215", "repeated-setting", E,
        "Something that can be said once is said twice: a component's `replicas`, `command` or `args`, a "
        "route's `subdomain` or `path`, or one environment's case in text per environment.",
        "Only one of the two can take effect, and silently picking one would hide a mistake.",
        "component worker {\n  image \"worker:1.0\"\n  replicas 2\n  replicas 3\n}",
        "Remove the one you do not mean.",
    ),
    Rule(
        "KON216", "value-cycle", E,
        "A named value refers to itself, directly or through other values.",
        "Its text could never be worked out.",
        'value a = "${b}"\nvalue b = "${a}"',
        "Break the circle: one of the values must be written out.",
    ),
    Rule(
        "KON217", "interpolation-not-allowed", E,
        "`${...}` is used where text is taken as written: an application's name, a command or its "
        "arguments, a mount path, a route's subdomain or path.",
        "These are fixed when the application is built; a reference there has no meaning.",
        'route docs path "/${version}" -> web',
        "Write the text out, or escape the dollar (`\\${`) if you mean the characters `${`.",
    ),
    Rule(
        "KON218", "invalid-external-dependency", E,
        "A `connects to` statement names something that is not a host name, a URL or an address block "
        "(CIDR), or does not say which port it connects on.",
        "The generated network policies let a component reach the outside world only on the ports its "
        "dependencies declare; a dependency without a usable address or port cannot be allowed, and "
        "the component would be cut off from it.",
        'component backend {\n  connects to "api.stripe.com"\n}',
        "Add the port (`connects to \"api.stripe.com\" on 443`), or write a URL whose scheme implies it "
        "(`connects to \"https://api.stripe.com\"`); an address block needs its host bits zero "
        "(`10.8.0.0/16`).",
    ),
    Rule(
        "KON219", "unknown-size", E,
        "A component's `size` is not one Koncierge knows: `small`, `medium` or `large`.",
        "The size decides how much CPU and memory the component asks for and may use (docs/security.md); "
        "an unknown one would silently fall back to the environment's defaults.",
        "component backend {\n  size huge\n}",
        "Use `small`, `medium` or `large` (the quick fix offers the closest), or leave `size` out for the "
        "environment's defaults.",
    ),
    Rule(
        "KON220", "invalid-health-endpoint", E,
        "A `health` endpoint is not a path starting with `/` (without spaces).",
        "The health probes ask for the path with an HTTP GET on the component's port; without a leading "
        "`/` it is not a path the program can be asked for.",
        'component backend {\n  port 8080\n  health "healthz"\n}',
        "Start the path with `/`, such as `health \"/healthz\"` (quick fix).",
    ),
    Rule(
        "KON221", "file-for-non-secret", E,
        "`as file` is written after a variable whose value is not a secret.",
        "Only secrets are handed over as files (a read-only file in a memory-backed volume, its path in "
        "`NAME_FILE`); ordinary configuration goes into the environment.",
        'component backend {\n  env LOG_LEVEL = "debug" as file\n}',
        "Remove `as file`, or make the value a secret if it is one.",
    ),
    Rule(
        "KON222", "literal-address", W,
        "Text names a component or database of the application by its host name, as in "
        "`\"productcatalogservice:3550\"`, `\"http://frontend\"` or `\"mongodb://carts-db:27017/data\"`.",
        "Koncierge knows who connects to whom from references and `connects to`, and opens exactly those "
        "connections in the network policies; it opens none for text, so in every environment with "
        "policies this connection is blocked. Text also stays wrong when the component is renamed "
        "or publishes another port.",
        'component frontend {\n  env PRODUCT_CATALOG_SERVICE_ADDR = "productcatalogservice:3550"\n}',
        "Write the address as references, as the quick fix does: "
        "`\"${productcatalogservice.host}:${productcatalogservice.port}\"` (or a named port, "
        "`${productcatalogservice.grpc}`). A port that the component does not publish is KON103.",
    ),
    Rule(
        "KON223", "invalid-probe", E,
        "A `probe` cannot be made: its kind is not `ready`, `live` or `startup`; an `http` probe's path does "
        "not start with `/`; a header is sent by a probe that is not `http`, or its name is not a header "
        "name; a `command` probe has no program; or the probe names a UDP port.",
        "The platform runs the probe to decide whether to send the program requests (`ready`), restart it "
        "(`live`) or keep waiting for it to start (`startup`); a probe it cannot run would either be "
        "dropped or keep restarting a healthy program.",
        'component backend {\n  port 8080\n  probe readiness http "healthz" on 8080\n}',
        "Use `ready`, `live` or `startup` (the quick fix offers the closest), start the path with `/` "
        "(quick fix), and send headers only from `http` probes.",
    ),
    Rule(
        "KON224", "invalid-probe-timing", E,
        "A probe's `every`, `after` or `timeout` is not a time in whole seconds up to an hour, or its "
        "`failures` not a count from 1.",
        "Kubernetes probes count whole seconds; `every 0` would never ask and `failures 0` would never "
        "decide, and a time of several hours is almost always a mistake in the unit.",
        'component backend {\n  port 8080\n  probe live tcp every 500ms failures 0\n}',
        "Write seconds, minutes or hours: `10`, `10s`, `2m`, `1m30s`, `1h`; `after` may be 0, the others start at 1s; "
        "`failures` is a whole number such as `3`.",
    ),
    Rule(
        "KON225", "invalid-resource", E,
        "A `cpu` or `memory` amount is not a quantity Kubernetes reads, is zero, or its limit (`up to`) is "
        "below its request.",
        "The request is what the scheduler reserves for the program, the limit what it may use before it "
        "is slowed down (CPU) or stopped (memory). A limit below the request is refused by Kubernetes; "
        "`memory 128` would be 128 bytes and `cpu 200` two hundred CPUs.",
        'component backend {\n  cpu 500m up to 200m\n  memory 128\n}',
        "Write CPU as CPUs or thousandths (`0.5`, `200m`) and memory with a unit (`128Mi`, `1Gi`); make the "
        "limit at least the request, or leave `up to` out to make the limit the request.",
    ),
    Rule(
        "KON226", "single-instance-with-replicas", E,
        "A component says `single instance` and also asks for more than one replica.",
        "`single instance` means that never more than one copy of the program runs (a broker, a program "
        "with an embedded database): it runs one replica in every environment and is replaced by stopping "
        "the old copy before starting the new one. More replicas contradict that.",
        'component broker {\n  image "rabbitmq:3.13"\n  single instance\n  replicas 3\n}',
        "Remove `replicas` (quick fix), or remove `single instance` if the program can run several times at "
        "once.",
    ),
    Rule(
        "KON227", "unknown-capability", E,
        "`capabilities` names something that is not a Linux capability, or `ALL`.",
        "Hardened containers drop every capability and get back only the ones named; a misspelt name "
        "would make the container runtime refuse to start the pod, and `ALL` would undo the hardening.",
        "component web {\n  capabilities NET_BIND_SERVISE\n}",
        "Write the capability as `man 7 capabilities` names it, with or without `CAP_` (the quick fix "
        "offers the closest); name each one the program needs instead of `ALL`.",
    ),
    Rule(
        "KON228", "invalid-user", E,
        "`run as user UID [group GID]` names root (user 0), or a number Kubernetes does not accept "
        "(users 1 to 2147483647, groups 0 to 2147483647).",
        "Hardened pods never run as root: a program that escapes its container as root owns the node's "
        "files. A container that must start as root cannot be hardened, so Koncierge does not generate it.",
        "component db {\n  run as user 0\n}",
        "Run as the user the image creates for its program (`run as user 999 group 999` for the official "
        "database images), and add back the capabilities it needs with `capabilities`.",
    ),
    Rule(
        "KON229", "invalid-container-name", E,
        "A sidecar or init container has a name that is not a DNS label, that another container of the "
        "component has, that is the component's own (its program's container), or that ends in "
        "`-contents` (the compiler's containers that copy an image's files).",
        "Containers of a pod are told apart by name; Kubernetes refuses a pod with two of one name or "
        "with a name that is not a DNS label.",
        "component web {\n  image \"nginx:1.27\"\n  sidecar web {\n    image \"exporter:1.0\"\n  }\n}",
        "Give each container its own name of lower-case letters, digits and `-` (the quick fix "
        "offers one).",
    ),
    Rule(
        "KON230", "not-in-container", E,
        "A sidecar or init container holds a statement that belongs to the component or its pod "
        "(`replicas`, `mount`, `storage`, `connects to`, `accepts from`, `expose`, `annotation`, `label`, "
        "`runs on`, `tolerates`, `stops within`, `single instance`, a nested container), a `port` in an "
        "init container, or one that containers do not support yet (`size`, `cpu`, `memory`, `health`, "
        "`probe`).",
        "The containers of a component run in its pods: they share its replicas, its network policy and "
        "its placement, and an init container has ended before anything could connect to it. A "
        "statement there would be silently ignored.",
        "component web {\n  sidecar exporter {\n    image \"exporter:1.0\"\n    replicas 2\n  }\n}",
        "Move the statement into the component, or remove it.",
    ),
    Rule(
        "KON231", "invalid-pod-metadata", E,
        "An `annotation`, `label` or `runs on` key is not a Kubernetes key (`[dns-prefix/]name`), a label's "
        "or node label's value is not a label value, or a label is one Koncierge sets itself "
        "(`app.kubernetes.io/name`, `/instance`, `/component`, `/part-of`, `/managed-by`).",
        "Kubernetes refuses a pod with such a key or value, far from the statement that caused it. "
        "Koncierge's own labels are how the component's Deployment, Service and network policies find its "
        "pods: another value would cut them off.",
        'component web {\n  label "app.kubernetes.io/name" = "shop"\n  label "team" = "payments and billing"\n}',
        "Keys are at most 63 letters, digits, `-`, `_` and `.` after an optional lower-case DNS prefix and "
        "`/` (`prometheus.io/scrape`); label values at most 63 of the same characters, starting and ending "
        "with a letter or digit (`payments-billing`); annotation values are free text. Pick a key of "
        "your own instead of Koncierge's (`example.com/app`).",
    ),
    Rule(
        "KON232", "invalid-toleration", E,
        "A `tolerates` statement names a taint key or value Kubernetes does not allow, or an effect other "
        "than NoSchedule, PreferNoSchedule and NoExecute.",
        "A toleration matches a node's taint by key, value and effect; one that cannot be written in "
        "Kubernetes tolerates nothing, and the pods would wait for a node that never takes them.",
        'component worker {\n  tolerates "dedicated" = "batch" effect NoScheduling\n}',
        "Use the node's taint as `kubectl describe node` shows it (`dedicated=batch:NoSchedule` is "
        "`tolerates \"dedicated\" = \"batch\" effect NoSchedule`); the quick fix offers the closest effect.",
    ),
    Rule(
        "KON233", "invalid-grace-period", E,
        "`stops within` is not a duration from 1 second to 1 hour.",
        "It is how long the program has to finish its work after it is asked to stop (SIGTERM), before "
        "it is killed; zero would kill it at once, and a very long one holds up every update and node "
        "drain.",
        "component worker {\n  stops within 2d\n}",
        "Write whole seconds (`30s`, or just `30`), minutes (`2m`) or hours (`1h`).",
    ),
    Rule(
        "KON234", "invalid-authentication-setting", E,
        "`authentication` is not `on` or `off`, is written in a component rather than a database, is "
        "written for a database type that asks for no credentials (redis), or is `off` while a "
        "variable of the database sets a credential.",
        "`authentication off` leaves out the credentials a database type sets by default "
        "(MongoDB's root user, MySQL's root password) and sets what the image needs instead; a "
        "credential set by hand would turn it back on.",
        "database carts-db mongodb {\n  authentication of\n}",
        "Write `authentication off`, in a database, and remove the credential variables.",
    ),
    Rule(
        "KON235", "invalid-store-key", E,
        "The key of a `from store` secret is empty or interpolates a value.",
        "The key names one entry in the secret store, the same in every environment; the store's key "
        "pattern (`[secrets.external-secrets] key_pattern`) is where the application and environment "
        "go when entries differ per environment.",
        'secret stripe_key = from store "${app_name}/stripe"',
        'Write the key as fixed text: `from store "payments/stripe-key"`.',
    ),
    # 3xx: generation and best practice
    Rule(
        "KON301", "plain-text-password", W,
        "A secret is written in plain text in the file.",
        "Anyone who can read the repository can read the password, and it stays in its history.",
        'secret db_password = "develop"',
        "Let Koncierge generate it (`generated`, quick fix), or at least keep it out of sight with "
        "`base64`.",
    ),
    Rule(
        "KON302", "unpinned-image", W,
        "A container image has no tag, or the tag `latest`.",
        "The image that runs then changes without anyone changing the file: deployments stop being "
        "repeatable and a rollback may not roll back.",
        'image "kubernetesdemo/to-do-app-backend"',
        "Add the version you tested, such as `:1.4.2`, or pin a digest with `@sha256:...`.",
    ),
    Rule(
        "KON303", "database-without-storage", W,
        "A database has no persistent storage.",
        "Its data would live in the container and be lost whenever the pod restarts.",
        "database database mysql",
        'Give it storage: `storage 1Gi read-write at "/var/lib/mysql"` (quick fix, at the database\'s '
        "usual data directory).",
    ),
    Rule(
        "KON304", "unused-value", W,
        "A named value is never used by a variable, a string or another value.",
        "It is most likely left over, or a variable that should use it uses something else.",
        'constant db_name = "todo"',
        "Use it or remove it.",
    ),
    Rule(
        "KON305", "unused-storage", W,
        "Storage declared for the application is mounted by no component.",
        "It would still claim disk space in every environment.",
        "storage uploads 10Gi",
        "Mount it (`mount uploads read-write at \"/uploads\"`) or remove it.",
    ),
    Rule(
        "KON306", "unused-route", W,
        "A route can never receive a request: an earlier route already serves the same host and path.",
        "The Ingress sends each request to one place, so the later route is dead configuration.",
        'route web -> frontend:8080\nroute www -> frontend:8080',
        "Give the route its own `subdomain` or `path`, or remove it.",
    ),
    Rule(
        "KON307", "route-to-database", W,
        "A route leads to a database.",
        "Routes publish a component through the Ingress, usually on the internet; a database should only "
        "be reached by the components that use it.",
        "database orders postgres\nroute db -> orders",
        "Route to the component that serves the data instead; remove the route.",
    ),
    Rule(
        "KON308", "image-without-digest", W,
        "In an application with strict-security environments (INT, ACC, PERF, PROD), an image is pinned "
        "by tag but not by digest; for a database without `image`, its default image.",
        "A tag is a name that the registry's owner (or an attacker with push rights) can point at other "
        "contents; a digest names exactly the bytes that were tested. Security scanners such as checkov "
        "(CKV_K8S_43) flag every image without one. Only the author can fix it: Koncierge cannot know "
        "which build was tested.",
        'environment PROD "example.com"\ncomponent backend {\n  image "registry.example.com/backend:1.4.2"\n}',
        "Append the digest of the image you tested: `docker buildx imagetools inspect IMAGE` prints it. "
        "The quick fix inserts `@sha256:<digest>` for you to complete. For a database, write its image "
        "with the digest: `image \"mysql:5.7@sha256:...\"`.",
    ),
    Rule(
        "KON309", "secret-in-environment-variable", W,
        "In an application with strict-security environments, a component (not a database) receives a "
        "secret in an environment variable.",
        "Environment variables are inherited by every child process, shown by `kubectl describe` in "
        "some tools, and often written to logs and crash reports; a file in a memory-backed volume is "
        "read only by whoever opens it. Security scanners flag it (checkov CKV_K8S_35). Known databases "
        "get their secrets as files automatically (their images read `*_FILE` variables); for your own "
        "program only you know whether it can read a file.",
        'environment PROD "example.com"\nsecret db_password = generated\ncomponent backend {\n  env DB_PASSWORD = db_password\n}',
        "Have the program read the secret from a file, as the database images do with `*_FILE` "
        "variables, and write `env DB_PASSWORD = db_password as file` (quick fix): the program then "
        "receives `DB_PASSWORD_FILE`, the path of a read-only file holding the password, instead of the "
        "password. Until the program can do that, this warning records the exception.",
    ),
    Rule(
        "KON310", "setting-without-effect", W,
        "A shorthand is overridden entirely by the exact statements beside it: `size` by `cpu` and `memory` "
        "lines that apply in every environment, or `health` by `probe ready` and `probe live`.",
        "Exact statements win over a shorthand one resource or probe at a time, so the shorthand decides "
        "nothing; a reader who sees `size large` would believe the component gets a large size.",
        'component backend {\n  size large\n  cpu 200m\n  memory 256Mi\n}',
        "Remove the shorthand (quick fix), or remove the exact statement you do not mean.",
    ),
    Rule(
        "KON311", "no-health-check", W,
        "A component without a TCP port and without a `probe`, in an application with strict-security "
        "environments.",
        "Where security is strict every component is asked whether it works: its probes, `health`, or a "
        "TCP connection to its first port. Without a port or a probe nothing asks, so a program that "
        "hangs is never restarted and never taken out of service (checkov CKV_K8S_8, CKV_K8S_9).",
        'component loadgenerator {\n  image "locust:2.31"\n}',
        "Declare a probe that tells whether the program works, such as a `command` probe "
        "(`probe live command [\"/bin/sh\", \"-c\", \"pgrep locust\"]`).",
    ),
    Rule(
        "KON312", "added-capability", W,
        "In an application with strict-security environments, `capabilities` adds Linux capabilities back "
        "to a container that hardening would have dropped them from.",
        "Each capability is a power an intruder in the container gains: `CHOWN` gives files to any user, "
        "`SETUID` becomes any user, `SYS_ADMIN` is nearly root. Security scanners flag added "
        "capabilities (checkov CKV_K8S_25). `NET_BIND_SERVICE` for a port below 1024 is added by "
        "Koncierge by itself and is not reported.",
        'environment PROD "example.com"\ndatabase queue rabbitmq {\n  capabilities CHOWN, SETUID, SETGID\n}',
        "Keep only what the program cannot start without; many images can be configured to need none "
        "(a data directory prepared by `fsGroup`, a port above 1024). The warning records the exception.",
    ),
    Rule(
        "KON313", "writable-root-filesystem", W,
        "In an application with strict-security environments, `writes everywhere` keeps a container's "
        "root filesystem writable.",
        "A read-only root filesystem stops an intruder from replacing the program's files or installing "
        "tools; with a writable one, anything the program's user may write can be changed (checkov "
        "CKV_K8S_22).",
        'environment PROD "example.com"\ncomponent legacy {\n  writes everywhere\n}',
        "Find the directories the program writes (its logs say where a read-only filesystem refused a "
        "write) and name them: `writes \"/var/cache/app\", \"/var/run\"`.",
    ),
    Rule(
        "KON314", "low-user-id", W,
        "In an application with strict-security environments, `run as user` names a user below 10000.",
        "Low user numbers are the node's own users (system accounts and people, from 1000); a program that "
        "escaped its container as one of them could use their files. Hardened pods run as a high user "
        "(`[security] run_as_user`, 10001) for that reason (checkov CKV_K8S_40).",
        'environment PROD "example.com"\ncomponent web {\n  run as user 101\n}',
        "Leave `run as` out if the image runs as any user, or use a user of 10000 or more.",
    ),
    Rule(
        "KON315", "kept-contents-writable", W,
        "In an application with strict-security environments, `writes \"/path\" keeping contents` makes the "
        "image's own files at that path writable by the running program.",
        "The read-only root filesystem protected those files (a web server's pages, a program's "
        "configuration): an intruder could now change what the program serves or reads, until the "
        "pod restarts.",
        'environment PROD "example.com"\ncomponent web {\n  writes "/usr/share/nginx/html" keeping contents\n}',
        "Where the program only writes beside its files, write to a separate path instead (many images "
        "let you move their caches and pid files); otherwise the warning records the exception.",
    ),
    Rule(
        "KON316", "exposed-database", W,
        "`expose` makes a port of a database reachable from outside the cluster.",
        "A database should only be reached by the components that use it; exposed, it answers anyone "
        "who finds its address, and the network policies let every address in.",
        "database orders postgres {\n  expose 5432\n}",
        "Remove `expose` and let the components that need the data connect to it (`connects to "
        "orders`); to reach it yourself, use `kubectl port-forward`.",
    ),
    Rule(
        "KON318", "end-of-life-database", W,
        "A database's image runs a version whose support has ended, such as `mysql:5.7` (October "
        "2023) or `postgres:13` (November 2025), by the end-of-life dates Koncierge knows.",
        "A version past its end of life gets no more security fixes. The dates are those the "
        "projects publish, as Koncierge's table stood on the day it was last reviewed, so that a file "
        "gets the same warnings on any day.",
        'database orders mysql {\n  image "mysql:5.7"\n}',
        "Move to a supported version: Koncierge's default for the type is one (MySQL 8.4, "
        "PostgreSQL 17, MariaDB 11.4, MongoDB 8.0, Redis 7.4).",
    ),
    Rule(
        "KON319", "authentication-off", W,
        "A database with `authentication off` in an application with strict-security environments.",
        "Without credentials, whatever reaches the database's port may read and change all its data; "
        "the network policies still let only the components that connect to it reach it.",
        "database carts-db mongodb {\n  authentication off\n}",
        "Turn authentication on once the database's clients can log in, and give them the "
        "credentials as secrets.",
    ),
    Rule(
        "KON320", "unknown-setting", E,
        "`koncierge.toml` has a table or key that is not a platform setting.",
        "A misspelt setting would otherwise be ignored without a word, and the generated Kubernetes "
        "would silently use the default the platform team meant to change (for example the ingress class).",
        '[ingress]\nclas = "traefik"',
        "Use one of the settings the message lists (here `class`); every key is described in "
        "docs/compiler.md, section \"Settings reference\".",
    ),
    Rule(
        "KON321", "invalid-setting", E,
        "A platform setting in `koncierge.toml` has a value of the wrong type or outside what it allows.",
        "The value ends up in the generated Kubernetes (an IngressClass name, a cron schedule, a size); a "
        "wrong one would only fail when the cluster rejects the objects, far from its cause.",
        '[backups]\nretention = "seven"',
        "Write a value of the kind the message names, here a whole number: `retention = 7`.",
    ),
    Rule(
        "KON322", "invalid-settings-file", E,
        "`koncierge.toml` is not valid TOML.",
        "Koncierge cannot tell which settings the file means, and building with the defaults instead "
        "could deploy to the cluster in a way the platform team did not intend.",
        '[ingress]\nclass = nginx',
        "Fix the TOML syntax at the place shown; strings need quotes: `class = \"nginx\"`.",
    ),
    Rule(
        "KON323", "acme-test-settings", W,
        "An HTTPS environment gets its certificates from Let's Encrypt's staging server, or registers "
        "with an `example.com` contact address: the ancestor's defaults, which are for trying things out.",
        "Browsers do not trust staging certificates, so the site would show a security warning instead "
        "of being HTTPS; and Let's Encrypt refuses contact addresses at `example.com`, so the production "
        "server would not even register the account. The defaults stay the ancestor's so that a first "
        "build deploys without surprises, and this warning says what to change before it matters.",
        'environment PROD "example.com"   # with no koncierge.toml beside the file',
        "Set the production server and your own contact address in `koncierge.toml` beside the `.kon` "
        "file:\n\n```toml\n[certificates]\nacme_server = \"https://acme-v02.api.letsencrypt.org/directory\"\n"
        "acme_email = \"platform-team@your-domain\"\n```",
    ),
    Rule(
        "KON324", "kubernetes-name-limit", E,
        "An object generated for an environment has a name, a label value or a route host that the "
        "Kubernetes API server refuses: too long, or not made of the characters it allows. The "
        "diagnostic is on the statement the object comes from and names the environment.",
        "Generated objects have longer names than the statements they come from: a database's backup "
        "is a CronJob named `<database>-backup`, and a CronJob name may have at most 52 characters "
        "because Kubernetes appends 11 to every Job it starts from it. The file checks cleanly, but "
        "`kubectl apply` would reject the manifests, so `koncierge build` writes nothing for the file.",
        'application shop {\n  environment PROD "example.com"   # PROD keeps backups\n'
        "  database customer_relationship_management_order_archive mysql {\n"
        '    storage 1Gi read-write at "/var/lib/mysql"\n'
        "  }\n"
        "}",
        "Shorten the name the message points to (here the database's name, to at most 45 characters so "
        "that `<name>-backup` fits), or the domain of the environment for a route host.",
    ),
    Rule(
        "KON325", "internal-compiler-error", E,
        "The compiler failed while building an environment of a file that checks without errors. "
        "The language server reports it at the environment's declaration; `koncierge build` stops with "
        "`koncierge: internal error` and exit status 3.",
        "This is a bug in Koncierge, not in the file: the file should build. The editor keeps working "
        "and shows where it happened instead of silently showing no manifests.",
        'application shop {\n  environment PROD "example.com"   # building PROD fails\n}',
        "Report the bug with the file (or the smallest part of it that still shows the error) and the "
        "message. Until it is fixed, changing the statements of that environment may avoid it.",
    ),
    Rule(
        "KON326", "unknown-environment-setting", E,
        "`koncierge.toml` has a table `[environments.NAME]` for an environment that the `.kon` file "
        "beside it does not declare.",
        "Placement settings for a misspelt environment would be ignored without a word, and the "
        "environment the platform team meant would be built into the default cluster, namespace and "
        "profile.",
        '[environments.PRDO]   # the file declares PROD\ncluster = "eu-central"',
        "Name the table after an environment the file declares, exactly as it is written there "
        "(the message suggests the closest one), or remove it.",
    ),
    Rule(
        "KON327", "shared-namespace", E,
        "Two environments of one application are placed in the same cluster and namespace, through "
        "`namespace` (and `cluster`) in `[environments.NAME]` of `koncierge.toml`.",
        "Both environments generate objects with the same names in that namespace: applying one "
        "would overwrite the other's workloads, configuration and secrets.",
        '[environments.ACC]\nnamespace = "shop-prod"   # PROD\'s namespace',
        "Give each environment its own namespace, or place them in different clusters.",
    ),
    Rule(
        "KON328", "plain-secrets-in-git", E,
        "`koncierge build --layout flux` or `--layout argocd` would write an environment's Secret "
        "objects in plain text (base64 is an encoding, not encryption), into a tree that is meant to "
        "be committed to Git. It is an error, or a warning when `[secrets] allow_plain_in_git = true` "
        "in `koncierge.toml`; on the error nothing is written.",
        "Whoever can read the repository, its forks, clones and history, could read the passwords; "
        "removing them later does not take them out of the history. The flux and argocd layouts exist "
        "to be committed, so the environment's secrets must be kept another way.",
        'environment PROD "example.com"   # [secrets] strategy = "plain" (the default), --layout flux',
        "Choose a strategy that keeps the values out of Git for the environment in `koncierge.toml`, "
        "for example SOPS (docs/secrets.md):\n\n```toml\n[environments.PROD]\nsecrets = \"sops\"\n\n"
        "[secrets.sops]\nage_recipients = [\"age1...\"]\n```\n\nor `[secrets] strategy = \"sops\"` for every "
        "environment. If the repository is private to the people who may read the secrets anyway (a "
        "local experiment), `[secrets] allow_plain_in_git = true` turns the error into a warning.",
    ),
    Rule(
        "KON329", "store-secret-unavailable", E,
        "A variable uses a secret written `from store \"KEY\"` in an environment whose secrets strategy "
        "cannot read a secret store (`plain`, `sops`, `volume`).",
        "The value of such a secret lives only in the store (a password manager, Vault, a cloud secret "
        "manager); Koncierge never sees it, so only an ExternalSecret (the `external-secrets` strategy) can "
        "bring it into the cluster. Building anyway would deploy the program without the secret.",
        'secret stripe_key = from store "payments/stripe-key"\n# koncierge.toml: [secrets] strategy = "sops"',
        'Choose `external-secrets` for the environment (`[environments.PROD] secrets = "external-secrets"` '
        "or `[secrets] strategy`), with the store in `[secrets.external-secrets]`; or give the secret a value "
        "in the file.",
    ),    Rule(
        "KON330", "generated-password-in-text", E,
        "A variable puts a generated password inside text (a connection string, a URL) in an environment "
        "whose secrets strategy is `external-secrets`.",
        "Under `external-secrets` the cluster makes each generated password once, into a Secret of its own "
        "that every workload using it reads, so that they all get the same value; Koncierge never sees it. "
        "An ExternalSecret can only write text around values it reads itself, and a generator called there "
        "would make a second, different password. Building anyway would give the program a password the "
        "other side does not have.",
        "secret db_password = generated\n"
        'component backend {\n  env DB_URL = "mysql://app:${db_password}@database:3306/todo"\n}\n'
        '# koncierge.toml: [secrets] strategy = "external-secrets"',
        'Keep the whole text in the store (`secret db_url = from store "todo/db-url"`), or hand the '
        "password over alone (`env DB_PASSWORD = db_password`) and let the program build the text; or "
        "choose another secrets strategy for the environment.",
    ),
    Rule(
        "KON331", "generated-password-needs-file", E,
        "A variable receives a generated password as a plain environment variable, or inside text, in an "
        "environment whose secrets strategy is `volume`.",
        "Under `volume` a generated password is created on first start inside the cluster, on a small "
        "persistent volume, and is never in Git or in a Secret: a program can only read it as a file. The "
        "database images read their passwords from files (`*_FILE` variables), so those need nothing; "
        "any other use would leave the program without its password.",
        "secret api_key = generated\ncomponent backend {\n  env API_KEY = api_key\n}\n"
        '# koncierge.toml: [secrets] strategy = "volume"',
        "Write `as file` after the variable (`env API_KEY = api_key as file`): the program then reads the "
        "path of the file from `API_KEY_FILE`. Text around a password cannot be supplied: hand the password "
        "over alone and let the program build the text, or choose another secrets strategy.",
    ),
    Rule(
        "KON332", "secret-value-read-from-store", I,
        "A secret has a value in the `.kon` file (`plain` or `base64`), and an environment that uses it has "
        "the `external-secrets` secrets strategy, which reads the value from the store instead.",
        "Under `external-secrets` nothing secret is written to the output: every secret is read from the "
        "store named in `[secrets.external-secrets]`, at the key its key pattern gives. The value written in "
        "the file is then not used in that environment, and the store must hold the value under that key, "
        "or the workload does not start.",
        'secret db_password = base64 "ZGV2ZWxvcA=="\n# koncierge.toml: [secrets] strategy = "external-secrets"',
        "Put the value in the store at the key the message names (the value itself, not base64), or write "
        '`secret db_password = from store "KEY"` to name the key yourself; keep the value in the file '
        "for the environments with another strategy.",
    ),
)

_RULES_BY_CODE = {entry.code: entry for entry in RULES}


def rule(code: str) -> Rule:
    """The catalogue entry of a code; unknown codes are a programming error."""
    return _RULES_BY_CODE[code]
