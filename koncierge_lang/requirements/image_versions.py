"""The version of an official database image, read from its reference: `mongo:3.4` is MongoDB 3.4.

Only images of the type's own repository say which version they run (`mongo`, `library/mongo`,
`docker.io/library/mongo`); a tag that starts with digits gives the version (`8.0.4-noble` is
8.0.4). Any other image, such as `weaveworksdemos/user-db:0.3.0`, which is built on a MongoDB whose
version its name does not tell, has no known version: what depends on the version then works
with every version.
"""

from __future__ import annotations

import re

_VERSION = re.compile(r"([0-9]+(?:\.[0-9]+)*)")
_REGISTRY_PREFIXES = ("docker.io/library/", "docker.io/", "index.docker.io/library/", "library/")


def repository_and_tag(image: str) -> tuple[str, str]:
    """`mongo:7.0@sha256:...` -> (`mongo`, `7.0`); the tag is empty when there is none."""
    reference = image.split("@", 1)[0]
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        return reference[:colon], reference[colon + 1 :]
    return reference, ""


def official_version(image: str, repository: str) -> tuple[int, ...] | None:
    """The version of `image` when it is the official `repository` with a numbered tag."""
    name, tag = repository_and_tag(image)
    for prefix in _REGISTRY_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    if name != repository:
        return None
    found = _VERSION.match(tag)
    if found is None:
        return None
    return tuple(int(part) for part in found.group(1).split("."))
