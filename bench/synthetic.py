"""A generator of realistic synthetic applications for the benchmarks.

`generate_application(n)` returns .kon text with n components (every tenth a database), each with
an image, a port, variables fed by shared values, host references and route URLs, storage mounts,
and routes: about 15 lines per component, like hand-written files. They are clean: no errors and
no warnings, as a maintained project's files are.
"""

from __future__ import annotations

import sys

DATABASE_TYPES = ("postgres", "mysql", "mongodb", "redis", "mariadb")
DATABASE_IMAGES = {
    "postgres": "postgres:16.4",
    "mysql": "mysql:8.4",
    "mongodb": "mongo:7.0",
    "redis": "redis:7.4",
    "mariadb": "mariadb:11.4",
}


def _digest(index: int) -> str:
    """A made-up but well-formed image digest: the files follow the strict-security practices that
    `koncierge check` asks for (images pinned by digest, secrets handed over as files)."""
    return f"{index:08x}" * 8


def generate_application(n: int, name: str = "synthetic") -> str:
    lines = [f'# A synthetic application with {n} components, for benchmarks.', f'application {name} "Synthetic application with {n} components" {{']
    lines += [
        '  environment LOCAL "synthetic.test"',
        '  environment DEV "synthetic.dev.example.com"',
        '  environment INT "synthetic.int.example.com" after DEV',
        '  environment PROD "synthetic.example.com" after INT',
        "",
        '  constant log_level = { PROD = "warn", else = "debug" }',
        "  secret api_key = generated",
        "  storage shared_files 10Gi",
        "",
    ]
    for index in range(n):
        if index % 10 == 9:
            kind = DATABASE_TYPES[index % len(DATABASE_TYPES)]
            lines += [
                f"  database store{index} {kind} {{",
                f'    image "{DATABASE_IMAGES[kind]}@sha256:{_digest(index)}"',
                f'    storage 2Gi read-write at "/var/lib/store{index}"',
                "  }",
                "",
            ]
            continue
        lines += [
            f'  constant name{index} = "service-{index}"',
            f"  secret password{index} = generated length 24",
            f"  component service{index} {{",
            f'    image "registry.example.com/team/service{index}:1.{index}.0@sha256:{_digest(index)}"',
            "    port http 8080",
            f"    env SERVICE_NAME = name{index}",
            f"    env PASSWORD = password{index} as file",
            "    env LOG_LEVEL = log_level",
            "    env API_KEY = api_key as file",
            f'    env PEER_URL = "http://${{service{(index + 1) % n if (index + 1) % 10 != 9 else index}.host}}:8080/api"',
            f"    env PUBLIC_URL = route{index}.url",
            '    mount shared_files read-only at "/shared"',
            "  }",
            f'  route route{index} subdomain "s{index}" -> service{index}:http',
            "",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate_application(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
