"""The map in ARCHITECTURE.md is the rule: every module is in a row, and imports only the rows it names.

The table under "## The map" lists each layer, where it lives and which layers it may import,
lowest first. This test reads that table, finds every import in `koncierge_lang` and
`server/koncierge_server` with `ast` (imports inside functions too), and fails on an import the
table does not allow, on a module the table does not place, on a path the table names that does
not exist, and on a row that may import a row below it: so the map cannot silently go stale.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from conftest import REPOSITORY

ARCHITECTURE = REPOSITORY / "ARCHITECTURE.md"
CHECKED_FOLDERS = (REPOSITORY / "koncierge_lang", REPOSITORY / "server" / "koncierge_server")
# Where each top-level package's modules live in the repository.
PACKAGE_FOLDERS = {"koncierge_lang": REPOSITORY / "koncierge_lang", "koncierge_server": REPOSITORY / "server" / "koncierge_server"}


@dataclass(frozen=True, slots=True)
class Layer:
    name: str
    paths: tuple[str, ...]
    may_import: frozenset[str]


def layers_of_the_map() -> list[Layer]:
    """The rows of the map's table, lowest first."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## The map", 1)[1]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    assert table, "ARCHITECTURE.md has no table under `## The map`"
    layers: list[Layer] = []
    for line in table:
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 4, f"a row of the map has {len(cells)} cells instead of 4: {line}"
        name = cells[0].strip("`")
        paths = tuple(re.findall(r"`([^`]+)`", cells[1]))
        above = [layer.name for layer in layers]
        if cells[3] == "nothing of ours":
            allowed: set[str] = set()
        elif cells[3] == "every layer above":
            allowed = set(above)
        else:
            allowed = set(re.findall(r"`([^`]+)`", cells[3]))
            below = sorted(allowed - set(above))
            assert not below, f"`{name}` may import {below}, which are not above it in the map"
        layers.append(Layer(name, paths, frozenset(allowed)))
    return layers


def layer_of(path: Path, layers: list[Layer]) -> Layer | None:
    """The row of a file: the most specific path that contains it."""
    relative = path.relative_to(REPOSITORY).as_posix()
    best: tuple[int, Layer] | None = None
    for layer in layers:
        for where in layer.paths:
            if relative == where or (where.endswith("/") and relative.startswith(where)):
                if best is None or len(where) > best[0]:
                    best = (len(where), layer)
    return best[1] if best is not None else None


def module_file(module: str) -> Path | None:
    """The file of a module of ours (`koncierge_lang.x.y`), or None for anything else."""
    top, _, rest = module.partition(".")
    folder = PACKAGE_FOLDERS.get(top)
    if folder is None:
        return None
    base = folder.joinpath(*rest.split(".")) if rest else folder
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_files(path: Path) -> list[tuple[int, Path]]:
    """Every module of ours that `path` imports, with the line of the import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, Path]] = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            assert node.level == 0, f"{path}:{node.lineno}: relative import; the map is written in absolute names"
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for module in modules:
            target = module_file(module)
            if target is not None:
                found.append((node.lineno, target))
    return found


def checked_files() -> list[Path]:
    return sorted(path for folder in CHECKED_FOLDERS for path in folder.rglob("*.py"))


def test_every_path_of_the_map_exists() -> None:
    missing = [where for layer in layers_of_the_map() for where in layer.paths if not (REPOSITORY / where).exists()]
    assert missing == []


def test_every_module_is_on_the_map() -> None:
    layers = layers_of_the_map()
    unplaced = [path.relative_to(REPOSITORY).as_posix() for path in checked_files() if layer_of(path, layers) is None]
    assert unplaced == [], "add these to the map in ARCHITECTURE.md"


def test_imports_go_one_way_as_the_map_says() -> None:
    layers = layers_of_the_map()
    violations: list[str] = []
    for path in checked_files():
        layer = layer_of(path, layers)
        if layer is None:
            continue  # test_every_module_is_on_the_map says so.
        for line, target in imported_files(path):
            target_layer = layer_of(target, layers)
            if target_layer is not None and target_layer is not layer and target_layer.name not in layer.may_import:
                violations.append(
                    f"{path.relative_to(REPOSITORY)}:{line} (`{layer.name}`) imports "
                    f"{target.relative_to(REPOSITORY)} (`{target_layer.name}`)"
                )
    assert violations == [], "\n".join(violations)


def test_no_module_imports_itself_through_others() -> None:
    """Within a layer too, imports form no circle (the diagnostic model and the catalogue once
    imported each other, inside functions to get past Python's import order)."""
    graph = {path: sorted({target for _, target in imported_files(path)} - {path}) for path in checked_files()}
    finished: set[Path] = set()
    circles: list[str] = []

    def visit(path: Path, trail: list[Path]) -> None:
        if path in trail:
            circle = trail[trail.index(path) :] + [path]
            circles.append(" -> ".join(str(step.relative_to(REPOSITORY)) for step in circle))
            return
        if path in finished:
            return
        for target in graph.get(path, []):
            visit(target, [*trail, path])
        finished.add(path)

    for path in graph:
        visit(path, [])
    assert circles == []


def test_the_check_catches_an_import_against_the_map(tmp_path: Path) -> None:
    """The test itself: an import of a higher layer is found (here stage 1 importing stage 2)."""
    layers = layers_of_the_map()
    architecture = next(layer for layer in layers if layer.name == "architecture")
    kubernetes_file = module_file("koncierge_lang.kubernetes.manifests")
    assert kubernetes_file is not None
    target_layer = layer_of(kubernetes_file, layers)
    assert target_layer is not None and target_layer.name == "kubernetes"
    assert target_layer.name not in architecture.may_import
    offending = tmp_path / "offending.py"
    offending.write_text("def late():\n    from koncierge_lang.kubernetes.manifests import manifests\n", encoding="utf-8")
    assert imported_files(offending) == [(2, kubernetes_file)]
