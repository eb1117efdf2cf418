"""Writing a diagram where the CLI was asked to: a file (atomically) or standard output."""

from __future__ import annotations

import os
import sys
import tempfile

from koncierge_lang.diagrams.render import FORMATS, GraphvizMissing, RenderFailed, render

STDOUT = "-"


def format_for(requested: str | None, output: str) -> str:
    """The format asked for, or the one the output file's extension names, or svg."""
    if requested:
        return requested
    extension = os.path.splitext(output)[1].lower().lstrip(".")
    if output != STDOUT and extension in FORMATS:
        return extension
    if extension == "gv":
        return "dot"
    return "svg"


def write_bytes_atomically(path: str, data: bytes) -> None:
    """A temporary file in the same folder, then `os.replace`: readers see the old or the new file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".koncierge-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def emit(dot_source: str, output_format: str, output: str, command: str) -> int:
    """Render if needed and write. Returns the exit status: 0, or 2 when it cannot be done."""
    if output_format == "dot":
        data = dot_source.encode("utf-8")
    else:
        if output == STDOUT and output_format == "png" and sys.stdout.isatty():
            print(f"koncierge {command}: not writing a PNG to the terminal; use -o FILE.png", file=sys.stderr)
            return 2
        try:
            data = render(dot_source, output_format)
        except GraphvizMissing as missing:
            print(f"koncierge {command}: {missing}", file=sys.stderr)
            return 2
        except RenderFailed as failure:
            print(f"koncierge {command}: Graphviz could not draw the diagram: {failure}", file=sys.stderr)
            return 2
    if output == STDOUT:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        write_bytes_atomically(output, data)
    except OSError as error:
        print(f"koncierge {command}: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return 2
    return 0
