"""The grammar ships inside the wheel: a non-editable install in a fresh virtual environment works."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

from conftest import EXAMPLES, REPOSITORY


def test_wheel_install_checks_the_example_from_another_directory(tmp_path: Path) -> None:
    wheel_directory = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheel_directory), str(REPOSITORY)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_directory.glob("koncierge-*.whl")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(environment / "bin" / "koncierge"), "check", str(EXAMPLES / "todo" / "todo.kon")],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "1 file checked: 0 errors, 6 warnings" in result.stdout
    # Every stage ships: build, draw and serve from the installed wheel too.
    output = tmp_path / "out"
    build = subprocess.run(
        [str(environment / "bin" / "koncierge"), "build", str(EXAMPLES / "todo" / "todo.kon"), "-o", str(output)],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    assert (output / "todo" / "PROD.yaml").read_text(encoding="utf-8").startswith("#")
    diagram = subprocess.run(
        [str(environment / "bin" / "koncierge"), "diagram", str(EXAMPLES / "todo" / "todo.kon"), "--view", "kubernetes",
         "--env", "PROD", "--format", "dot"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert diagram.returncode == 0 and "digraph" in diagram.stdout, diagram.stderr
    # Each diagnostic's documentation link points at its page inside the installed package.
    page = subprocess.run(
        [str(python), "-c", "from koncierge_lang.render import documentation_url as u; print(u('KON101'))"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    page_path = Path(page.stdout.strip().removeprefix("file://"))
    assert "site-packages" in str(page_path) and page_path.read_text(encoding="utf-8").startswith("# KON101"), page
    server = subprocess.run(
        [str(python), "-c", "import koncierge_server.server"], cwd=elsewhere, capture_output=True, text=True
    )
    assert server.returncode == 0, server.stderr
    # The installed package must not contain a top-level `server` module.
    listing = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('server'))"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
    )
    assert listing.stdout.strip() == "None"
