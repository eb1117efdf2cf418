"""Shared test helpers: paths of the repository, the examples and ../shared/."""

from __future__ import annotations

import os
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
EXAMPLES = REPOSITORY / "examples"
SHARED = REPOSITORY.parent / "shared"
GOLDEN = REPOSITORY / "tests" / "golden"


def update_golden() -> bool:
    """Golden files are rewritten instead of compared when KON_UPDATE_GOLDEN=1."""
    return os.environ.get("KON_UPDATE_GOLDEN") == "1"
