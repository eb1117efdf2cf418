"""Atomic file writes: a crash never leaves a half-written file, and the previous content stays.

Used for everything Koncierge writes: generated manifests, the generated-password state file and
`.kon` files rewritten by `koncierge fmt`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: str | Path, text: str, mode: int | None = None) -> None:
    """Replace `path` with `text` through a temporary file in the same folder and `os.replace`, so
    that readers see the old file or the new one, never a mix.

    `mode` sets the new file's permissions; without it a replaced file keeps its own, and a new
    file gets 0644.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    descriptor, temporary_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary_name, mode)
        os.replace(temporary_name, path)
    except BaseException:
        try:
            os.unlink(temporary_name)
        except FileNotFoundError:
            pass
        raise
