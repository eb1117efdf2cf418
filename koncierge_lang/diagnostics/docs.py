"""Generate `docs/diagnostics/KON###.md` (one page per code) and its index from the catalogue.

Run `python -m koncierge_lang.diagnostics.docs docs/diagnostics`; a test fails when the committed
pages differ from what this prints, so documentation and code never drift.
"""

from __future__ import annotations

import sys
from pathlib import Path

from koncierge_lang.diagnostics.catalogue import RULES, Rule

GROUPS = {"0": "Syntax", "1": "Names", "2": "Semantics", "3": "Generation and best practice"}


def page(entry: Rule) -> str:
    return (
        f"# {entry.code} `{entry.name}` ({entry.severity.value})\n\n"
        f"<!-- Generated from koncierge_lang/diagnostics/catalogue.py; do not edit by hand. -->\n\n"
        f"## What it means\n\n{entry.summary}\n\n"
        f"## Why it matters\n\n{entry.why}\n\n"
        f"## Example\n\n```kon\n{entry.example}\n```\n\n"
        f"## How to fix it\n\n{entry.fix}\n"
    )


def index() -> str:
    lines = [
        "# Diagnostics",
        "",
        "<!-- Generated from koncierge_lang/diagnostics/catalogue.py; do not edit by hand. -->",
        "",
        "Every problem Koncierge reports has a stable code. Codes are grouped by the stage that finds them.",
        "",
    ]
    current_group = None
    for entry in RULES:
        group = GROUPS[entry.code[3]]
        if group != current_group:
            lines += [f"## {group}", "", "| code | name | severity | meaning |", "|---|---|---|---|"]
            current_group = group
        lines.append(f"| [{entry.code}]({entry.code}.md) | `{entry.name}` | {entry.severity.value} | {entry.summary} |")
        next_index = RULES.index(entry) + 1
        if next_index == len(RULES) or GROUPS[RULES[next_index].code[3]] != group:
            lines.append("")
    return "\n".join(lines)


def expected_files() -> dict[str, str]:
    files = {f"{entry.code}.md": page(entry) for entry in RULES}
    files["README.md"] = index()
    return files


def main(argv: list[str]) -> int:
    directory = Path(argv[1] if len(argv) > 1 else "docs/diagnostics")
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_files()
    for stale in directory.glob("KON*.md"):
        if stale.name not in expected:
            stale.unlink()
    for name, text in expected.items():
        (directory / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(expected)} pages to {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
