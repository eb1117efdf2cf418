"""How one environment's objects are laid out as files: `files` (one multi-document YAML file) or
`kustomize` (a folder with one file per object and a `kustomization.yaml` listing them).

Pure text in memory: nothing here touches the file system (`output_tree.py` does), and nothing
knows the architecture; an object is the manifest dictionary the Kubernetes stage made. See
docs/compiler.md, "Layouts".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from koncierge_lang.yaml_writer import dump, dump_documents

LAYOUTS = ("files", "kustomize")
DEFAULT_LAYOUT = "files"
KUSTOMIZATION_FILE = "kustomization.yaml"

_UNSAFE_IN_FILE_NAME = re.compile(r"[^a-z0-9.-]+")


def environment_files(
    application_folder: str, environment: str, objects: Sequence[dict[str, object]], header: str, layout: str
) -> list[tuple[str, str]]:
    """(relative path, text) of every file one environment is written as, in a stable order."""
    if layout == "files":
        return [(f"{application_folder}/{environment}.yaml", dump_documents(objects, header))]
    if layout != "kustomize":
        raise ValueError(f"unknown layout {layout!r}")
    folder = f"{application_folder}/{environment}"
    names = object_file_names(objects)
    files = [(f"{folder}/{name}", dump_documents([item], header)) for name, item in zip(names, objects, strict=True)]
    # The resources are listed in the order the files layout writes the objects (namespaces first,
    # then what depends on them), so a reviewer reads both the same way.
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": names,
    }
    files.append((f"{folder}/{KUSTOMIZATION_FILE}", _commented(header) + dump(kustomization)))
    return files


def object_file_names(objects: Sequence[dict[str, object]]) -> list[str]:
    """`<kind>-<name>.yaml` in lower case for each object, so that a reviewer finds it; when two
    objects would share a name (the same kind and name in two namespaces), both get
    `<kind>-<namespace>-<name>.yaml`, and a number as the last resort."""
    plain = [_file_stem(item, with_namespace=False) for item in objects]
    repeated = {stem for stem, count in Counter(plain).items() if count > 1}
    stems = [
        _file_stem(item, with_namespace=True) if stem in repeated else stem
        for stem, item in zip(plain, objects, strict=True)
    ]
    names: list[str] = []
    seen: set[str] = set()
    for stem in stems:
        candidate, number = stem, 2
        while candidate in seen or candidate == KUSTOMIZATION_FILE.removesuffix(".yaml"):
            candidate, number = f"{stem}-{number}", number + 1
        seen.add(candidate)
        names.append(candidate + ".yaml")
    return names


def _file_stem(item: dict[str, object], with_namespace: bool) -> str:
    metadata = item.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    parts = [str(item.get("kind", "object"))]
    if with_namespace and metadata.get("namespace"):
        parts.append(str(metadata["namespace"]))
    parts.append(str(metadata.get("name", "unnamed")))
    return _UNSAFE_IN_FILE_NAME.sub("-", "-".join(parts).lower()).strip("-.")


def _commented(header: str) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
