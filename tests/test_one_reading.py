"""Every command reads a file the same way (koncierge_lang.inputs): the same text, the same one-line refusals.

Run as a user runs them: `check`, `build`, `explain`, `fmt` and `diagram` as subprocesses, on the
same file written with a byte-order mark, Windows or classic Mac line endings; and on files none
of them can use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES
from test_cli import koncierge

from koncierge_lang.inputs import decode_input

TODO_TEXT = (EXAMPLES / "todo" / "todo.kon").read_text(encoding="utf-8")

COMMANDS: dict[str, Callable[[Path, Path], tuple[str, ...]]] = {
    "check": lambda file, out: ("check", str(file)),
    "build": lambda file, out: ("build", str(file), "-o", str(out)),
    "explain": lambda file, out: ("explain", "network", str(file), "--env", "PROD"),
    "fmt": lambda file, out: ("fmt", "--check", str(file)),
    "diagram": lambda file, out: ("diagram", str(file), "--view", "requirements", "--format", "dot"),
}

LAYOUTS: dict[str, Callable[[str], bytes]] = {
    "crlf": lambda text: text.replace("\n", "\r\n").encode(),
    "lone-cr": lambda text: text.replace("\n", "\r").encode(),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode(),
    "bom-crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
}


def _run(command: str, file: Path) -> tuple[int, str, str]:
    # Relative paths, so that what the file's path is written into (build's headers) is the same.
    result = koncierge(*COMMANDS[command](Path(file.name), Path("out")), cwd=file.parent)
    # Paths differ between the two runs; everything else must not.
    def anonymous(output: str) -> str:
        return output.replace(str(file), "FILE").replace(str(file.parent), "FOLDER")

    return result.returncode, anonymous(result.stdout), anonymous(result.stderr)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_reads_every_layout_as_the_plain_file(tmp_path: Path, command: str, layout: str) -> None:
    """The To Do example (five environments, a comment on its first line) with a byte-order mark,
    Windows or classic Mac OS line endings means to every command what the plain file means: with
    lone carriage returns, a reading that ends lines only at `\\n` sees one long comment."""
    plain_folder, variant_folder = tmp_path / "plain", tmp_path / "variant"
    plain_folder.mkdir()
    variant_folder.mkdir()
    plain = plain_folder / "todo.kon"
    plain.write_text(TODO_TEXT, encoding="utf-8")
    variant = variant_folder / "todo.kon"
    variant.write_bytes(LAYOUTS[layout](TODO_TEXT))

    expected = _run(command, plain)
    found = _run(command, variant)
    assert found == expected
    assert expected[0] == 0, expected
    if command == "build":
        plain_outputs = sorted(path.relative_to(plain_folder / "out") for path in (plain_folder / "out").rglob("*.yaml"))
        variant_outputs = sorted(
            path.relative_to(variant_folder / "out") for path in (variant_folder / "out").rglob("*.yaml")
        )
        assert len(plain_outputs) == 5 and variant_outputs == plain_outputs
        for relative in plain_outputs:
            assert (variant_folder / "out" / relative).read_bytes() == (plain_folder / "out" / relative).read_bytes()


def _missing(tmp: Path) -> tuple[Path, str]:
    return tmp / "nope.kon", "no such file"


def _directory(tmp: Path) -> tuple[Path, str]:
    (tmp / "folder.kon").mkdir()
    return tmp / "folder.kon", "is a directory"


def _under_a_file(tmp: Path) -> tuple[Path, str]:
    (tmp / "plain").write_text("x", encoding="utf-8")
    return tmp / "plain" / "app.kon", "cannot be read"


def _latin_1(tmp: Path) -> tuple[Path, str]:
    (tmp / "latin.kon").write_bytes(TODO_TEXT.replace("To Do", "T\u00e9 Do").encode("latin-1"))
    return tmp / "latin.kon", "is not UTF-8 text (byte 0xe9"


UNUSABLE = {
    "missing": _missing,
    "directory": _directory,
    "under-a-file": _under_a_file,
    "latin-1": _latin_1,
}


@pytest.mark.parametrize("problem", sorted(UNUSABLE))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_refuses_an_unusable_file_in_one_line(tmp_path: Path, command: str, problem: str) -> None:
    path, expected = UNUSABLE[problem](tmp_path)
    result = koncierge(*COMMANDS[command](path, tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2, result
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"koncierge {command}: {path}: ") and expected in line, line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["check", "build"])
def test_an_unreadable_settings_file_is_one_line_too(tmp_path: Path, command: str) -> None:
    (tmp_path / "todo.kon").write_text(TODO_TEXT, encoding="utf-8")
    (tmp_path / "koncierge.toml").write_bytes(b"[network]\npolicies = \xff\n")
    result = koncierge(*COMMANDS[command](tmp_path / "todo.kon", tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line == f"koncierge {command}: {tmp_path / 'koncierge.toml'}: is not UTF-8 text (byte 0xff at offset 21)"


def test_a_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    """Permissions: as root every file can be opened, so there the same refusal is shown with a
    path under a plain file (the operating system's other `cannot be read` reason)."""
    path = tmp_path / "locked.kon"
    path.write_text(TODO_TEXT, encoding="utf-8")
    path.chmod(0)
    if os.geteuid() == 0:
        path = tmp_path / "locked.kon" / "inner.kon"
        reason = "(Not a directory)"
    else:
        reason = "(Permission denied)"
    for command in COMMANDS:
        result = koncierge(*COMMANDS[command](path, tmp_path / "out"), cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.strip() == f"koncierge {command}: {path}: cannot be read {reason}"


def test_decoding_keeps_the_line_ending_for_writing_back() -> None:
    for raw, newline in ((b"a\r\nb\r\n", "\r\n"), (b"a\rb\r", "\r"), (b"a\nb\r\n", "\n"), (b"ab", "\n")):
        read = decode_input(raw, "x.kon")
        assert "\r" not in read.text
        assert read.newline == newline
    read = decode_input(b"\xef\xbb\xbfa\r\nb\r\n", "x.kon")
    assert read.text == "a\nb\n" and read.byte_order_mark
    assert read.as_written(read.text).encode() == b"\xef\xbb\xbfa\r\nb\r\n"
    # A NUL is valid UTF-8: read like any character, and reported by the analysis (tests/test_nul.py).
    assert decode_input(b"a\x00", "x.kon").text == "a\x00"


def test_fmt_keeps_windows_line_endings_and_the_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "messy.kon"
    path.write_bytes(b'\xef\xbb\xbfapplication   a {\r\n  environment LOCAL   "a.test"\r\n}\r\n')
    result = koncierge("fmt", str(path))
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == b'\xef\xbb\xbfapplication a {\r\n  environment LOCAL "a.test"\r\n}\r\n'
    assert koncierge("fmt", "--check", str(path)).returncode == 0
