"""Reading input files for the CLI, with one clear line for each way a file can be unusable."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class InputFile:
    path: str
    text: str


class InputProblem(Exception):
    """A file cannot be read as .kon text; the message is one line for the user."""


def read_input(path: str) -> InputFile:
    """Read a .kon file (or standard input for `-`) as UTF-8 text."""
    if path == "-":
        data = sys.stdin.buffer.read()
        display = "<stdin>"
    else:
        display = path
        if not os.path.exists(path):
            raise InputProblem(f"{path}: no such file")
        if os.path.isdir(path):
            raise InputProblem(f"{path}: is a directory, not a .kon file")
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as error:
            raise InputProblem(f"{path}: cannot be read ({error.strerror})") from None
    if b"\x00" in data:
        raise InputProblem(f"{display}: is a binary file, not .kon text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputProblem(
            f"{display}: is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return InputFile(display, text)
