"""`koncierge diagram` and `koncierge visualize` as a user runs them: subprocesses, exit codes, files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY
from tests.diagrams.support import SOCK_SHOP, TODO

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def koncierge(*args: str, path: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    environment = dict(os.environ)
    if path is not None:
        environment["PATH"] = path
    return subprocess.run(
        [sys.executable, "-m", "koncierge_lang", *args],
        capture_output=True,
        cwd=cwd or REPOSITORY,
        env=environment,
        timeout=120,
        check=False,
    )


def test_dot_output_works_without_graphviz(tmp_path: Path) -> None:
    for view in ("requirements", "architecture", "kubernetes"):
        completed = koncierge("diagram", str(TODO), "--view", view, "--env", "PROD", "--format", "dot", path=str(tmp_path))
        assert completed.returncode == 0, completed.stderr
        assert completed.stdout.startswith(f"digraph {view} {{".encode())


def test_missing_dot_is_explained_in_one_line(tmp_path: Path) -> None:
    completed = koncierge("diagram", str(TODO), "--view", "requirements", "-o", str(tmp_path / "todo.svg"), path=str(tmp_path))
    assert completed.returncode == 2
    message = completed.stderr.decode()
    assert message.count("\n") == 1 and "apt-get install graphviz" in message and "--format dot" in message
    assert not (tmp_path / "todo.svg").exists()
    completed = koncierge("visualize", str(SOCK_SHOP), "--format", "png", "-o", str(tmp_path / "shop.png"), path=str(tmp_path))
    assert completed.returncode == 2 and "apt-get install graphviz" in completed.stderr.decode()


@needs_graphviz
def test_svg_and_png_with_graphviz(tmp_path: Path) -> None:
    completed = koncierge("diagram", str(TODO), "--view", "architecture", "--env", "PROD")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.lstrip().startswith(b"<?xml") and b"</svg>" in completed.stdout
    # The format follows the output file's extension unless --format says otherwise.
    completed = koncierge("diagram", str(TODO), "--view", "kubernetes", "--env", "DEV", "-o", str(tmp_path / "dev.png"))
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "dev.png").read_bytes().startswith(b"\x89PNG")


def test_default_environment_is_said_and_unknown_one_refused() -> None:
    completed = koncierge("diagram", str(TODO), "--view", "architecture", "--format", "dot")
    assert completed.returncode == 0
    assert "drawing environment PROD; choose another with --env" in completed.stderr.decode()
    assert b"Architecture of todo in PROD" in completed.stdout
    completed = koncierge("diagram", str(TODO), "--view", "kubernetes", "--env", "QA", "--format", "dot")
    assert completed.returncode == 2
    assert "unknown environment `QA`; the file defines LOCAL, DEV, INT, PERF, PROD" in completed.stderr.decode()


def test_a_file_with_errors_is_not_drawn(tmp_path: Path) -> None:
    broken = tmp_path / "broken.kon"
    broken.write_text(TODO.read_text(encoding="utf-8").replace("-> frontend:8080", "-> frontdoor:8080"), encoding="utf-8")
    completed = koncierge("diagram", str(broken), "--view", "requirements", "--format", "dot", "-o", str(tmp_path / "out.dot"))
    assert completed.returncode == 1
    assert "frontdoor" in completed.stderr.decode() and not (tmp_path / "out.dot").exists()
    missing = koncierge("diagram", str(tmp_path / "nowhere.kon"), "--view", "requirements")
    assert missing.returncode == 2 and "no such file" in missing.stderr.decode()
    usage = koncierge("diagram", str(TODO))
    assert usage.returncode == 2 and "--view" in usage.stderr.decode()


def test_unfold_draws_configuration_and_secrets_as_nodes() -> None:
    folded = koncierge("diagram", str(TODO), "--view", "kubernetes", "--env", "PROD", "--format", "dot")
    unfolded = koncierge("diagram", str(TODO), "--view", "kubernetes", "--env", "PROD", "--unfold", "--format", "dot")
    assert folded.returncode == 0 and unfolded.returncode == 0, (folded.stderr, unfolded.stderr)
    node = b'"k8s/todo-prod/ConfigMap/backend-config" ['
    assert node not in folded.stdout and b"ConfigMap backend-config: DB_HOST," in folded.stdout
    assert node in unfolded.stdout
    for arguments in ((), ("--unfold",)):
        shop = koncierge("visualize", str(SOCK_SHOP), *arguments, "--format", "dot")
        assert shop.returncode == 0, shop.stderr
        assert (b'"k8s/sock-shop/Namespace/sock-shop" [' in shop.stdout) == bool(arguments)
