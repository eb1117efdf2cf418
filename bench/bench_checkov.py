"""Run checkov's Kubernetes policies on the examples' generated manifests.

    python bench/bench_checkov.py [--checkov PATH] [--env PROD] [EXAMPLE.kon ...]

checkov is heavy and pins its own dependencies, so it lives in a virtual environment of its own
(e.g. `python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov==3.3.30`);
give its executable with `--checkov` or the `CHECKOV` environment variable. For each example and
environment this builds the manifests into a temporary directory, runs
`checkov -d OUT --framework kubernetes --skip-download`, and prints the passed and failed counts
and the IDs of the failed checks with the objects they failed on.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from koncierge_lang.build_pipeline import run_build  # noqa: E402

EXAMPLES = [REPOSITORY / "examples" / "todo" / "todo.kon", REPOSITORY / "examples" / "hello" / "hello.kon"]


def run_checkov(checkov: str, directory: Path) -> dict[str, object]:
    completed = subprocess.run(
        [checkov, "-d", str(directory), "--framework", "kubernetes", "--skip-download", "--compact", "--quiet", "-o", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if not completed.stdout.strip():
        raise SystemExit(f"checkov produced no report: {completed.stderr[-2000:]}")
    report = json.loads(completed.stdout)
    if isinstance(report, list):
        report = next(item for item in report if item.get("check_type") == "kubernetes")
    return report  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="the .kon files (default: both examples)")
    parser.add_argument("--checkov", default=os.environ.get("CHECKOV", "checkov"), help="checkov executable ($CHECKOV)")
    parser.add_argument("--env", action="append", default=[], help="environments to check (default: all)")
    args = parser.parse_args(argv)
    for kon in args.files or EXAMPLES:
        with tempfile.TemporaryDirectory() as temporary:
            # Build a copy so that generated passwords never touch the example's own state file.
            copy = Path(temporary) / kon.name
            copy.write_text(kon.read_text(encoding="utf-8"), encoding="utf-8")
            outcome = run_build(copy, str(Path(temporary) / "out"))
            if outcome.exit_code:
                print(f"{kon}: build failed: {outcome.messages}", file=sys.stderr)
                return 1
            for written in sorted(outcome.written):
                if args.env and written.stem not in args.env:
                    continue
                single = Path(temporary) / "checkov" / written.stem
                single.mkdir(parents=True)
                (single / written.name).write_text(written.read_text(encoding="utf-8"), encoding="utf-8")
                report = run_checkov(args.checkov, single)
                summary = report["summary"]
                failed = report["results"]["failed_checks"]  # type: ignore[index]
                counts = Counter(check["check_id"] for check in failed)
                print(
                    f"{kon.relative_to(REPOSITORY) if kon.is_relative_to(REPOSITORY) else kon} {written.stem}: "
                    f"passed {summary['passed']}, failed {summary['failed']}"  # type: ignore[index]
                )
                for check in failed:
                    print(f"  {check['check_id']:<12} {check['resource']:<45} {check['check_name']}")
                if counts:
                    print("  failed check IDs: " + ", ".join(f"{key} x{value}" for key, value in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
