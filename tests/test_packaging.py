"""The grammar ships inside the wheel: a non-editable install in a fresh virtual environment works."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from conftest import EXAMPLES, REPOSITORY


def _source_copy(destination: Path) -> Path:
    """The repository without what builds leave in it: setuptools reuses a `build/` folder in the
    source tree, so a wheel built in place can hold modules that were deleted or renamed since."""
    shutil.copytree(
        REPOSITORY,
        destination,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "node_modules", "__pycache__", "out", ".*_cache", "test-output"
        ),
    )
    return destination


def test_wheel_install_checks_the_example_from_another_directory(tmp_path: Path) -> None:
    wheel_directory = tmp_path / "wheels"
    source = _source_copy(tmp_path / "source")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheel_directory), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_directory.glob("koncierge-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.endswith(".py")}
    # Where each package's files come from (pyproject.toml's package-dir).
    package_folders = {
        "koncierge_lang": REPOSITORY / "koncierge_lang",
        "koncierge_server": REPOSITORY / "server" / "koncierge_server",
        "koncierge_lang/grammar": REPOSITORY / "grammar",
        "koncierge_lang/diagnostic_pages": REPOSITORY / "docs" / "diagnostics",
    }
    expected = {
        f"{package}/{path.relative_to(folder).as_posix()}"
        for package, folder in package_folders.items()
        for path in folder.rglob("*.py")
    }
    assert shipped == expected, "the wheel's modules are not the source's"
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
