"""The tree pictures of docs/continuous-delivery.md and docs/compiler.md are what `koncierge build`
writes for the To Do example, so they cannot go stale.

A picture is a fenced block right after an HTML comment `<!-- tree: LAYOUT -->` (optionally with
`[delivery]` settings: `<!-- tree: argocd rollout=together -->`), drawn as `tree -a -F` prints a
folder: the first line is the output folder, each entry `├── name` or `└── name`, folders with a
trailing `/`. A folder drawn as `name/  (N files)` is folded: it holds N files, not listed. An
entry may end with a comment, `  # ...`. The last line is `tree`'s count, `N directories, M
files`. The build uses the To Do example and the koncierge.toml block of docs/continuous-delivery.md
that follows `<!-- koncierge.toml of the pictures -->`.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import EXAMPLES, REPOSITORY

from koncierge_lang.build_pipeline import run_build
from koncierge_lang.layouts import LAYOUTS
from koncierge_lang.settings import SETTINGS_KEYS

DOCUMENTS = (REPOSITORY / "docs" / "continuous-delivery.md", REPOSITORY / "docs" / "compiler.md")
PICTURE = re.compile(r"<!-- tree: (?P<label>[^>]*?) -->\n```[a-z]*\n(?P<body>.*?)```", re.DOTALL)
SETTINGS_BLOCK = re.compile(r"<!-- koncierge.toml of the pictures -->\n```toml\n(?P<body>.*?)```", re.DOTALL)
ENTRY = re.compile(
    r"^(?P<indent>(?:│   |    )*)(?:├── |└── )(?P<name>[^ /]+)(?P<folder>/)?(?:  \((?P<count>\d+) files?\))?(?:  # .*)?$"
)
SUMMARY = re.compile(r"^(?P<directories>\d+) director(?:y|ies), (?P<files>\d+) files?$")


@dataclass(frozen=True, slots=True)
class Picture:
    document: str
    label: str
    layout: str
    delivery: tuple[tuple[str, str], ...]
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    path: str  # relative to the output folder, folders without the trailing /
    folder: bool
    folded_files: int | None


def pictures() -> list[Picture]:
    found = []
    for document in DOCUMENTS:
        for match in PICTURE.finditer(document.read_text(encoding="utf-8")):
            layout, *settings = match["label"].split()
            delivery = tuple((key, value) for key, _, value in (setting.partition("=") for setting in settings))
            found.append(Picture(document.name, match["label"], layout, delivery, tuple(match["body"].splitlines())))
    return found


def picture_settings() -> str:
    (match,) = SETTINGS_BLOCK.finditer((REPOSITORY / "docs" / "continuous-delivery.md").read_text(encoding="utf-8"))
    return match["body"]


def with_delivery_settings(settings: str, delivery: tuple[tuple[str, str], ...]) -> str:
    lines = []
    for key, value in delivery:
        assert ("delivery", key) in SETTINGS_KEYS, key
        lines.append(f'{key} = "{value}"')
    assert "[delivery]\n" in settings
    return settings.replace("[delivery]\n", "[delivery]\n" + "".join(f"{line}\n" for line in lines), 1)


def parse_picture(lines: tuple[str, ...]) -> tuple[list[Entry], tuple[int, int]]:
    """The entries a picture shows, with their paths, and its count of directories and files."""
    root, *entries, summary = lines
    assert root.endswith("/"), root
    counts = SUMMARY.match(summary)
    assert counts, f"the last line is not tree's count: {summary!r}"
    parents: list[str] = []
    parsed = []
    for line in entries:
        match = ENTRY.match(line)
        assert match, f"not a tree entry: {line!r}"
        depth = len(match["indent"]) // 4
        assert depth <= len(parents), f"an entry without its folder: {line!r}"
        del parents[depth:]
        path = "/".join([*parents, match["name"]])
        folder = match["folder"] is not None
        count = int(match["count"]) if match["count"] else None
        assert count is None or folder, f"only a folder can be folded: {line!r}"
        parsed.append(Entry(path, folder, count))
        if folder:
            parents.append(match["name"])
    return parsed, (int(counts["directories"]), int(counts["files"]))


def build_tree(tmp_path: Path, picture: Picture) -> Path:
    kon = tmp_path / "todo.kon"
    shutil.copyfile(EXAMPLES / "todo" / "todo.kon", kon)
    (tmp_path / "koncierge.toml").write_text(
        with_delivery_settings(picture_settings(), picture.delivery), encoding="utf-8"
    )
    out = tmp_path / "out"
    outcome = run_build(kon, str(out), layout=picture.layout)
    assert outcome.exit_code == 0, outcome.messages
    return out


def listing(folder: Path) -> list[str]:
    return sorted(child.name + ("/" if child.is_dir() else "") for child in folder.iterdir())


def test_the_documents_draw_every_layout() -> None:
    drawn = {(picture.document, picture.layout) for picture in pictures()}
    assert {layout for document, layout in drawn if document == "compiler.md"} == set(LAYOUTS)
    assert {layout for document, layout in drawn if document == "continuous-delivery.md"} >= {"flux", "argocd"}


@pytest.mark.parametrize("picture", pictures(), ids=lambda picture: f"{picture.document}:{picture.label}")
def test_each_picture_is_the_build(tmp_path: Path, picture: Picture) -> None:
    out = build_tree(tmp_path, picture)
    entries, (directories, files) = parse_picture(picture.lines)
    shown: dict[str, list[str]] = {"": []}
    for entry in entries:
        path = out / entry.path
        assert path.is_dir() if entry.folder else path.is_file(), f"{entry.path} is not in the build"
        parent, _, name = entry.path.rpartition("/")
        shown[parent].append(name + ("/" if entry.folder else ""))
        if entry.folded_files is not None:
            real = sum(1 for item in path.rglob("*") if item.is_file())
            assert entry.folded_files == real, f"{entry.path} holds {real} files"
        elif entry.folder:
            shown[entry.path] = []
    # An unfolded folder is drawn whole, in tree's order.
    for folder, names in shown.items():
        assert names == listing(out / folder), f"{folder or 'the output folder'} holds {listing(out / folder)}"
    everything = list(out.rglob("*"))
    assert (directories, files) == (
        sum(1 for item in everything if item.is_dir()),
        sum(1 for item in everything if item.is_file()),
    )


def test_a_stale_picture_fails(tmp_path: Path) -> None:
    """The checks above catch a file the build no longer writes, and a wrong count."""
    flux = next(picture for picture in pictures() if picture.layout == "flux")
    out = build_tree(tmp_path, flux)
    entries, _ = parse_picture(flux.lines)
    shown_files = [entry.path for entry in entries if not entry.folder]
    assert shown_files and all((out / path).is_file() for path in shown_files)
    renamed = tuple(line.replace("gitrepository.yaml", "gitrepo.yaml") for line in flux.lines)
    entries, _ = parse_picture(renamed)
    assert not all((out / entry.path).exists() for entry in entries)
    with pytest.raises(AssertionError):
        parse_picture((*flux.lines[:-1], "no count"))
