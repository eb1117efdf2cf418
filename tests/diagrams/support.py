"""Helpers for the diagram tests: the examples, their secrets, and drawing every view."""

from __future__ import annotations

import base64
import binascii
import html
import re
from pathlib import Path

from koncierge_lang.analysis import Analysis, analyze
from koncierge_lang.requirements import model
from tests.conftest import EXAMPLES, REPOSITORY

TODO = EXAMPLES / "todo" / "todo.kon"
SOCK_SHOP = REPOSITORY.parent / "shared" / "fixtures" / "manifests" / "sock-shop"
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
