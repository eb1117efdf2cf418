"""Reading input files: one reading for every command, with one clear line for each way a file can be unusable.

Every command (`check`, `build`, `fmt`, `diagram`, `explain`) and the settings beside a file read
through `read_input`, so a file means the same to all of them:

- the bytes must be UTF-8 text: undecodable bytes are refused. A NUL byte is valid UTF-8 and is
  read like any other character: the file is analysed, and KON007 reports the NUL at its line and
  column, as the editor does for the same text (one reading of NUL: `koncierge check` and
  `analyze` give the same diagnostics);
- a leading byte-order mark is dropped (editors on Windows write one);
- line endings are normalised to `\\n`: `\\r\\n` (Windows) and a lone `\\r` (classic Mac OS) end
  lines, as they do in editors and in the Language Server Protocol, so line numbers agree with
  what people see. `InputFile.newline` keeps the file's own line ending for commands that write
  the file back (`fmt`);
- a missing file, a folder, or a file that cannot be opened (permissions) is an `InputProblem`
  whose message is one line naming the file, never an exception's raw text.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

STDIN = "-"


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file's text as every command reads it (see the module's docstring)."""

    path: str
    """The name to show in messages: the path as given, or `<stdin>`."""
    text: str
    """The text with `\\n` line endings and no byte-order mark."""
    newline: str = "\n"
    """The file's own line ending (its first one): `\\n`, `\\r\\n` or `\\r`."""
    byte_order_mark: bool = False
    """Whether the file started with a byte-order mark."""

    def as_written(self, text: str) -> str:
        """`text` (with `\\n` line endings) in this file's own line endings and byte-order mark."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return "\ufeff" + text if self.byte_order_mark else text


class InputProblem(Exception):
    """A file cannot be read as text; the message is one line for the user."""


def read_input(path: str) -> InputFile:
    """Read a file (or standard input for `-`) as UTF-8 text, as every command reads it."""
    if path == STDIN:
        return decode_input(sys.stdin.buffer.read(), "<stdin>")
    return decode_input(read_bytes(path), path)


def read_bytes(path: str) -> bytes:
    """The bytes of a file, or an `InputProblem` that says in one line why they cannot be read."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputProblem(f"{path}: is a directory, not a file") from None
    except OSError as error:
        raise InputProblem(f"{path}: cannot be read ({error.strerror or error.__class__.__name__})") from None


def decode_input(data: bytes, display: str) -> InputFile:
    """Bytes -> text, as described in the module's docstring."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputProblem(
            f"{display}: is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    byte_order_mark = text.startswith("\ufeff")
    if byte_order_mark:
        text = text[1:]
    newline = "\n"
    if "\r" in text:
        first_break = min(index for index in (text.find("\r"), text.find("\n")) if index >= 0)
        if text[first_break] == "\r":
            newline = "\r\n" if text.startswith("\r\n", first_break) else "\r"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return InputFile(display, text, newline, byte_order_mark)
