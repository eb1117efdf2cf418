"""Helpers for the diagram tests: the examples, their secrets, and drawing every view."""

from __future__ import annotations

import base64
import binascii
import html
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.requirements import model
from tests.conftest import EXAMPLES, REPOSITORY

TODO = EXAMPLES / "todo" / "todo.kon"
SOCK_SHOP = REPOSITORY.parent / "shared" / "fixtures" / "manifests" / "sock-shop"
ONLINE_BOUTIQUE = REPOSITORY.parent / "shared" / "fixtures" / "manifests" / "online-boutique"
KON_FILES = sorted(EXAMPLES.glob("*/*.kon")) + [REPOSITORY / "tests" / "compiler" / "fixtures" / "rich.kon"]


def load(path: Path) -> Analysis:
    return analyze(path.read_text(encoding="utf-8"), path.name)


def secret_texts(application: model.Application) -> set[str]:
    """Every secret as written and, for base64, decoded: the texts no diagram may contain."""
    secrets: list[model.Secret] = [value.expression for value in application.values if isinstance(value.expression, model.Secret)]
    for component in application.components:
        secrets += [variable.expression for variable in component.variables if isinstance(variable.expression, model.Secret)]
    texts: set[str] = set()
    for secret in secrets:
        if not secret.text:
            continue
        texts.add(secret.text)
        if secret.source == "base64":
            try:
                texts.add(base64.b64decode(secret.text).decode("utf-8"))
            except (binascii.Error, UnicodeDecodeError):
                pass
        else:
            texts.add(base64.b64encode(secret.text.encode("utf-8")).decode("ascii"))
    return texts


def leaked(texts: set[str], drawn: str) -> list[str]:
    """The secret texts found in a DOT or SVG source, as words of their own: a short value such as
    `user` is also part of the name `db_user`, which a diagram may show."""
    drawn = html.unescape(drawn)
    return [text for text in texts if re.search(rf"(?<![\w-]){re.escape(text)}(?![\w-])", drawn)]


_SVG = "{http://www.w3.org/2000/svg}"


def node_centres(svg: str) -> dict[str, tuple[float, float]]:
    """Node id -> the centre of its label in an SVG drawn by Graphviz (x to the right, y down)."""
    root = ElementTree.fromstring(svg)
    centres: dict[str, tuple[float, float]] = {}
    for group in root.iter(f"{_SVG}g"):
        if group.get("class") != "node":
            continue
        texts = list(group.iter(f"{_SVG}text"))
        if texts:
            xs = [float(text.get("x", "0")) for text in texts]
            ys = [float(text.get("y", "0")) for text in texts]
            centres[group.get("id", "")] = (sum(xs) / len(xs), sum(ys) / len(ys))
    return centres


def svg_texts(svg: str) -> list[str]:
    """Every line of text in an SVG, unescaped."""
    return [text.text or "" for text in ElementTree.fromstring(svg).iter(f"{_SVG}text")]
