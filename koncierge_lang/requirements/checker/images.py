"""Container image references: whether one is valid, whether it is pinned, and how to write one.

Pure functions of the reference's text, shared by the components' checks (KON204) and the
best-practice passes about pinning (KON302, KON308).
"""

from __future__ import annotations

import re

_IMAGE_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_IMAGE_DOMAIN = re.compile(r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$")
_IMAGE_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_IMAGE_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")


def image_problem(image: str) -> str | None:
    """Why an image reference is invalid, or None when it is valid."""
    if not image:
        return "the image is empty"
    if image != image.strip() or " " in image:
        return "an image reference has no spaces"
    remainder = image
    if "@" in remainder:
        remainder, digest = remainder.split("@", 1)
        if not _IMAGE_DIGEST.match(digest):
            return f"`{digest}` is not a digest such as `sha256:` followed by 64 hexadecimal digits"
    last_slash = remainder.rfind("/")
    colon = remainder.rfind(":")
    if colon > last_slash:
        tag = remainder[colon + 1 :]
        remainder = remainder[:colon]
        if not _IMAGE_TAG.match(tag):
            return f"`{tag}` is not a valid tag"
    components = remainder.split("/")
    if len(components) > 1 and ("." in components[0] or ":" in components[0] or components[0] == "localhost"):
        if not _IMAGE_DOMAIN.match(components[0]):
            return f"`{components[0]}` is not a valid registry"
        components = components[1:]
    for component in components:
        if not _IMAGE_PATH_COMPONENT.match(component):
            if component.lower() != component:
                return "image names are lower case"
            return f"`{component}` is not a valid part of an image name"
    return None


def image_is_unpinned(image: str) -> str | None:
    """How an image reference fails to name one version (no tag, or `latest`), or None."""
    if "@" in image:
        return None
    last_slash = image.rfind("/")
    colon = image.rfind(":")
    if colon <= last_slash:
        return "has no tag"
    if image[colon + 1 :] == "latest":
        return "uses the tag `latest`"
    return None


def escape_image(image: str) -> str:
    """An image reference as a `.kon` string literal."""
    return '"' + image.replace("\\", "\\\\").replace('"', '\\"') + '"'
