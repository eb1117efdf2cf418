"""Atomic file writes: a crash never leaves a half-written file, and the previous content stays."""

from __future__ import annotations

import os
import tempfile


def write_atomically(path: str, data: str) -> None:
    """Write `data` to `path` through a temporary file in the same folder and `os.replace`.

    The new file keeps the permissions of the file it replaces.
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    mode = None
    if os.path.exists(path):
        mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=".koncierge-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
