"""What the editor says about each keyword: its documentation and, for blocks, a snippet.

One table drives completion (documentation and snippets) and hover. Which keywords are offered
where comes from the parser's own expectations, never from this table.
"""

from __future__ import annotations

import re

from koncierge_lang.syntax.parser import keyword_terminals

KEYWORD_DOCUMENTATION: dict[str, str] = {
    "application": '`application NAME "description" { ... }` — one deployable application: its environments, '
    "values, storage, components and routes. Its name becomes the Kubernetes namespace prefix.",
    "environment": '`environment NAME [like KIND] "domain" [after OTHER, ...]` — a place the application runs. '
    "The name or `like KIND` picks the kind (LOCAL, DEV, INT, ACC, PERF, PROD), which decides backups, "
    "HTTPS, strict security and performance settings; `after` says which environments are promoted from.",
    "like": "`like KIND` — this environment behaves like the kind KIND (LOCAL, DEV, INT, ACC, PERF or PROD).",
    "after": "`after ENV, ...` — releases reach this environment after the environments listed. `probe ... after "
    "15s` — how long after the start the probe first asks (a `live` probe's wait becomes a start-up probe where "
    "there is no `probe startup`).",
    "constant": '`constant NAME = "text"` or `{ PROD = "...", else = "..." }` — a named, non-secret value, '
    "kept in the generated configuration (ConfigMap).",
    "secret": "`secret NAME = generated | base64 \"...\" | \"...\" | from store \"KEY\"` — a named secret, kept "
    "as the environment's secrets strategy says (docs/secrets.md). `generated` lets Koncierge make the password; "
    "plain text in quotes is reported (KON301); `from store` reads it from a secret store.",
    "value": "`value NAME = expression` — a named value built from text and references such as `api.url`.",
    "generated": "`generated [length N]` — a password Koncierge generates once and keeps between builds.",
    "length": "`length N` — how many characters a generated password has (32 by default).",
    "store": "`from store \"KEY\"` — a secret whose value lives only in a secret store (a password manager, "
    "Vault, a cloud secret manager) under KEY; the `external-secrets` strategy reads it, other strategies cannot "
    "(KON329).",
    "base64": "`base64 \"...\"` — a secret written base64-encoded (still readable by anyone with the file).",
    "else": "`else = \"...\"` — the text for every environment not listed in a per-environment value.",
    "storage": "`storage NAME SIZE [persistent|ephemeral]` in the application: storage that components mount. "
    'Inside a component: `storage SIZE [persistent|ephemeral] [read-write|read-only] at "/path"`, storage of '
    "its own, named after the component.",
    "persistent": "`persistent` — the storage outlives restarts (a PersistentVolumeClaim). The default.",
    "ephemeral": "`ephemeral` — scratch storage that lives as long as the instance (an emptyDir).",
    "component": "`component NAME { image ..., port ..., env ... }` — a program that runs: it becomes a Deployment "
    "(or a StatefulSet when it writes its own storage), a Service for its ports, and configuration.",
    "database": "`database NAME TYPE { ... }` — a database of a known TYPE (mysql, postgres, ...) with sensible "
    "defaults for its image, port, data directory, credentials and backups.",
    "image": '`image "registry/name:tag"` — the container image a component runs; pin a tag or a digest.',
    "port": "`port [NAME] NUMBER [-> CONTAINER PORT][/PROTOCOL]` — a port the component listens on (TCP unless "
    "`/udp`). `port http 80 -> 8080`: clients use 80 (its Service's port), the program listens on 8080. A named "
    "port is referred to as `component.NAME`; `component.port` is the first port.",
    "env": "`env NAME = expression [as file]` — an environment variable: text, a named value, `component.host`, "
    "`route.url`, an inline `secret ...`, or text per environment. `as file` hands a secret over as a file.",
    "as": "`env NAME = SECRET as file` — hands the secret over as a file instead of a value: the program receives "
    "`NAME_FILE`, the path of a read-only file holding it (`/run/secrets/koncierge/NAME`). Only secrets, or text "
    "that contains one, can be handed over as files (KON221).",
    "file": "`as file` — the secret reaches the program as a read-only file; the variable `NAME_FILE` holds its path. "
    "A secret in an ordinary variable is readable by every process of the container (KON309 in strict-security "
    "environments, whose quick fix adds `as file`).",
    "command": '`command ["...", ...]` — replaces the image\'s entry point.',
    "args": '`args ["...", ...]` — the arguments given to the entry point.',
    "mount": '`mount STORAGE [read-only|read-write] at "/path"` — mounts application storage into the component.',
    "at": '`at "/path"` — where storage is mounted inside the container.',
    "read-only": "`read-only` — the component can read the storage but not write it.",
    "read-write": "`read-write` — the component can read and write the storage. The default.",
    "replicas": "`replicas N` — how many instances run, 0 to 1000 (by default 1, or 2 for stateless components in "
    "performance-optimised environments).",
    "connects": "`connects to COMPONENT [on PORT]` — the component connects to another component or database of "
    "the application, on its first port or the port named (by number or name), without a variable saying so "
    '(a host name built into the image). `connects to "host, URL or CIDR" [on PORT[/PROTOCOL]]` — an external '
    "dependency. The network policies allow exactly these connections.",
    "to": '`connects to COMPONENT` or `connects to "..."` — the component or database of the application, or the '
    "host, URL or address block (CIDR) outside it, that the component connects to.",
    "accepts": "`accepts from COMPONENT [on PORT]` — another component connects to this one, on this one's first "
    "port or the port named, although no variable says so (a monitoring server that polls its clients). "
    "The network policies allow exactly this connection.",
    "from": "`accepts from COMPONENT` — the component or database that connects to this one.",
    "on": "`connects to COMPONENT on PORT` — the port of the component, by number or name. `accepts from COMPONENT "
    'on PORT` — this component\'s port. `connects to "..." on PORT[/PROTOCOL]` — the port the external '
    "dependency listens on (a URL's scheme may give it). `health \"/path\" on PORT` — the component's port, by "
    "number or name, that answers the health check (the first TCP port without it).",
    "size": "`size small|medium|large` — how much CPU and memory the component asks for and may use, the same in "
    "every environment: small 0.05 CPU/64Mi up to 0.25 CPU/128Mi; medium 0.25 CPU/256Mi up to 1 CPU/512Mi; "
    "large 1 CPU/1Gi up to 2 CPU/2Gi. Without it, strict-security environments use their defaults and others set "
    "no bounds. Any other word is KON219.",
    "health": '`health "/path" [on PORT]` — the HTTP address where the component says it is well (such as '
    "`/healthz`), asked every 10 seconds: a component that stops answering 200-399 is restarted and gets no requests "
    "until it answers. The path starts with `/` (KON220); the port is one of its TCP ports, by number or name.",
    "writes": '`writes "/path", ...` — directories the component writes to besides its storage (a cache, a PID '
    "file). Where the program's own files are read-only (strict security), each gets empty scratch space that lasts "
    "as long as the running instance. Absolute paths, not `/`, not already mounted (KON208).",
    "route": '`route NAME [subdomain "..."] [path "/..."] -> COMPONENT[:PORT]` — makes a component reachable '
    "from outside at the environment's domain, through the Ingress.",
    "subdomain": '`subdomain "api"` — the route answers at `api.<environment domain>`.',
    "path": '`path "/docs"` — the route answers only under this path.',
    "keeping": '`writes "/path" keeping contents` — the scratch space starts with the image\'s own files at that '
    "path (copied in when the pod starts), so a program that writes next to the files it reads keeps them.",
    "contents": "`keeping contents` — the image's own files at the path are copied into the scratch space first.",
    "everywhere": "`writes everywhere` — the last resort: the component's root filesystem stays writable where "
    "security is strict. A warning names the risk.",
    "capabilities": "`capabilities NET_BIND_SERVICE, CHOWN` — Linux capabilities added back to the hardened "
    "container, which otherwise drops them all (`CAP_` may be written or not). A port below 1024 adds "
    "`NET_BIND_SERVICE` by itself. A warning where security is strict.",
    "run": "`run as user UID [group GID]` — the user (and group) the program runs as, instead of the platform's "
    "hardened default; in every environment. Not 0 (root).",
    "user": "`run as user UID` — the numeric user the program runs as.",
    "group": "`run as user UID group GID` — the numeric group the program runs as.",
    "probe": '`probe ready|live|startup http "/path"|grpc|tcp|command [...] [on PORT] [every N] [after N] '
    '[timeout N] [failures N] [header "NAME" = "VALUE"]` — how the platform asks whether the program is ready '
    "for requests, still alive, or done starting.",
    "http": '`probe ... http "/path" [on PORT]` — a GET of the path answers 200-399 when well.',
    "grpc": "`probe ... grpc [on PORT]` — the gRPC health checking protocol.",
    "tcp": "`probe ... tcp [on PORT]` — a TCP connection to the port opens.",
    "every": "`every 10s` — how often the probe asks: seconds, minutes or hours (`10`, `10s`, `2m`, `1m30s`, `1h`); 10s "
    "unless given.",
    "timeout": "`timeout 2s` — how long one probe may take before it counts as failed; 5s unless given.",
    "failures": "`failures 3` — how many failed probes in a row count as a failure; 3 unless given (30 for `startup`).",
    "header": '`header "NAME" = "VALUE"` — an HTTP header sent with an `http` probe.',
    "cpu": "`cpu REQUEST [up to LIMIT] [in ENV, ...]` — processor time the program asks for (`200m` is 0.2 CPU) and "
    "may use at most; in the environments named, or in all.",
    "memory": "`memory REQUEST [up to LIMIT] [in ENV, ...]` — memory the program asks for (`64Mi`) and may use at "
    "most; in the environments named, or in all.",
    "up": "`up to LIMIT` — the most the program may use.",
    "in": "`in PROD, PERF` — only in these environments.",
    "single": "`single instance` — never more than one replica, in any environment (a broker, an embedded database).",
    "instance": "`single instance` — one replica of the component in every environment, never more.",
    "sidecar": "`sidecar NAME { ... }` — a second container beside the program, in the same pod (an exporter, a "
    "proxy), with its own image, ports and variables; hardened like the program.",
    "init": "`init NAME { ... }` — a container that runs to its end before the program starts (waits for a peer, "
    "prepares files).",
    "expose": "`expose PORT [in ENV, ...]` — the port is reachable from outside the cluster (a LoadBalancer "
    "Service), for what is not HTTP (gRPC, STOMP); the network policy lets the outside reach that port only.",
    "annotation": '`annotation "KEY" = "VALUE"` — an annotation on the component\'s pods (`prometheus.io/scrape`).',
    "label": '`label "KEY" = "VALUE"` — a label on the component\'s pods (not one of Koncierge\'s own '
    "`app.kubernetes.io/...` labels, which its selectors use).",
    "runs": '`runs on "KEY" = "VALUE"` — the pods run only on nodes with this label (a node selector).',
    "tolerates": '`tolerates "KEY" [= "VALUE"] [effect EFFECT]` — the pods may run on nodes with this taint.',
    "effect": "`effect NoSchedule|PreferNoSchedule|NoExecute` — the taint's effect that is tolerated.",
    "stops": "`stops within 30s` — how long the program has to stop after it is asked to, before it is killed "
    "(`30s` or `30` seconds, `2m`, up to `1h`; in every environment).",
    "within": "`stops within 30s` — the time the program has to stop before it is killed.",
    "authentication": "`authentication off` — the database asks its clients for no credentials (its type's root "
    "user is not created). A warning where security is strict.",
}

SNIPPETS: dict[str, str] = {
    "application": 'application ${1:name} "${2:description}" {\n\tenvironment DEV "${3:dev.example.com}"\n\t$0\n}',
    "environment": 'environment ${1:PROD} "${2:example.com}"$0',
    "constant": 'constant ${1:name} = "${2:text}"$0',
    "secret": "secret ${1:name} = generated$0",
    "storage": "storage ${1:name} ${2:1Gi}$0",
    "component": 'component ${1:name} {\n\timage "${2:registry/image:1.0.0}"\n\tport ${3:8080}\n\t$0\n}',
    "database": "database ${1:name} ${2|postgres,mysql,mariadb,mongodb,redis,rabbitmq|} {\n\t$0\n}",
    "route": "route ${1:name} -> ${2:component}:${3:8080}$0",
    "env": "env ${1:NAME} = ${2:value}$0",
    "mount": 'mount ${1:storage} at "${2:/data}"$0',
}

_WORD = re.compile(r"[a-z][a-z0-9-]*")


def keyword_texts() -> frozenset[str]:
    """Every keyword made of letters (and `base64`), from the grammar."""
    return frozenset(text for text in keyword_terminals().values() if _WORD.fullmatch(text))
