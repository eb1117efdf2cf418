"""Reading existing, hand-written Kubernetes YAML for `koncierge visualize`.

Separate from the compiler on purpose: the compiler's manifests are dictionaries in memory, while
this reader takes whatever people keep in their repositories (files and directories, several
documents per file, `List` objects, any kind) and keeps going past a broken document. Each file is
split into documents at `---` lines before parsing, so a syntax error in one document is reported
with its file and line while every other document is still drawn.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from koncierge_lang.diagrams.kubernetes_view import KubernetesObject
from koncierge_lang.diagrams.model import Location, Problem
from koncierge_lang.source import Span

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
_DOCUMENT_START = re.compile(r"^---(\s|$)")
_DOCUMENT_END = re.compile(r"^\.\.\.(\s|$)")

try:  # The C loader is several times faster when PyYAML was built with libyaml.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


class ManifestPathError(Exception):
    """A path given on the command line does not exist or cannot be read; one line for the user."""


@dataclass(slots=True)
class ReadManifests:
    objects: list[KubernetesObject] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def manifest_files(paths: Sequence[str]) -> list[str]:
    """The files to read: each file as given, and every YAML or JSON file under each directory,
    in sorted order so that the drawing is the same on every machine."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found: list[str] = []
            for directory, subdirectories, names in os.walk(path):
                subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
                found.extend(os.path.join(directory, name) for name in names if name.lower().endswith(MANIFEST_SUFFIXES))
            files.extend(sorted(found))
        elif os.path.exists(path):
            files.append(path)
        else:
            raise ManifestPathError(f"{path}: no such file or directory")
    return files


def read_manifests(paths: Sequence[str]) -> ReadManifests:
    result = ReadManifests()
    for path in manifest_files(paths):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise ManifestPathError(f"{path}: cannot be read ({error.strerror})") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            result.problems.append(Problem(path, 1, f"is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"))
            continue
        result.files.append(path)
        objects, problems = read_manifest_text(text, path)
        result.objects.extend(objects)
        result.problems.extend(problems)
    return result


def split_documents(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each YAML document, split at `---` and `...` lines. Text after
    `---` on the same line (`--- # comment`, `--- !tag`) starts the next document, in place."""
    lines = text.splitlines(keepends=True)
    start = 0
    chunk_lines: list[str] = []
    for index, line in enumerate(lines):
        if _DOCUMENT_START.match(line) or _DOCUMENT_END.match(line):
            if "".join(chunk_lines).strip():
                yield start + 1, "".join(chunk_lines)
            start = index
            # Blank out the marker but keep the rest of the line, so columns and lines stay true.
            chunk_lines = ["   " + line[3:]] if _DOCUMENT_START.match(line) else []
            if not chunk_lines:
                start = index + 1
        else:
            chunk_lines.append(line)
    if "".join(chunk_lines).strip():
        yield start + 1, "".join(chunk_lines)


def read_manifest_text(text: str, path: str) -> tuple[list[KubernetesObject], list[Problem]]:
    objects: list[KubernetesObject] = []
    problems: list[Problem] = []
    for first_line, chunk in split_documents(text):
        try:
            document = yaml.load(chunk, Loader=_Loader)  # noqa: S506 - a safe loader
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = first_line + (mark.line if mark is not None else 0)
            message = error.problem or error.context or "invalid YAML"
            problems.append(Problem(path, line, f"broken YAML document: {message}"))
            continue
        except yaml.YAMLError as error:
            problems.append(Problem(path, first_line, f"broken YAML document: {error}"))
            continue
        line = first_line + _leading_blank_lines(chunk)
        if document is None:
            continue
        for item, item_line in _items(document, line):
            if not isinstance(item, Mapping):
                problems.append(Problem(path, item_line, "not a Kubernetes object (expected a mapping with `kind`)"))
            elif not isinstance(item.get("kind"), str) or not item.get("kind"):
                problems.append(Problem(path, item_line, "not a Kubernetes object (no `kind`)"))
            else:
                objects.append(KubernetesObject(item, Location(Span(item_line, 1, item_line, 1), path)))
    return objects, problems


def _items(document: object, line: int) -> list[tuple[object, int]]:
    """A `List` object stands for its items (as `kubectl get -o yaml` writes them)."""
    if isinstance(document, Mapping) and document.get("kind") == "List" and isinstance(document.get("items"), list):
        return [(item, line) for item in document["items"]]
    return [(document, line)]


def _leading_blank_lines(chunk: str) -> int:
    count = 0
    for line in chunk.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        count += 1
    return count
