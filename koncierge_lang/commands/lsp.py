"""`koncierge lsp`: start the language server (standard input and output by default).

The server itself lives in the `koncierge_server` package; it is imported only when the command
runs, so `koncierge_lang` stays free of LSP libraries.
"""

from __future__ import annotations

import argparse
import importlib
import sys


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "lsp",
        help="start the language server for editors",
        description="Start the Koncierge language server. It speaks LSP over standard input and output "
        "(the default; `--stdio` is accepted, as editors append it) or over TCP. Logs go to standard error.",
    )
    configure(parser)
    parser.set_defaults(run=run)


def configure(parser: argparse.ArgumentParser) -> None:
    transport = parser.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="talk over standard input and output (the default)")
    transport.add_argument("--tcp", metavar="HOST:PORT", help="listen for one client on HOST:PORT instead")


def parse_address(text: str) -> tuple[str, int]:
    host, separator, port = text.rpartition(":")
    if not separator or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"`{text}` is not HOST:PORT, such as 127.0.0.1:2087")
    return host or "127.0.0.1", int(port)


def run(args: argparse.Namespace) -> int:
    tcp = None
    if args.tcp:
        try:
            tcp = parse_address(args.tcp)
        except ValueError as error:
            print(f"koncierge lsp: {error}", file=sys.stderr)
            return 2
    try:
        # Imported by name, at run time only: koncierge_lang never depends on the LSP libraries.
        server_module = importlib.import_module("koncierge_server.server")
    except ImportError as error:
        print(f"koncierge lsp: the language server is not installed ({error})", file=sys.stderr)
        return 2
    server_module.start(tcp)
    return 0


def main(argv: list[str] | None = None) -> int:
    """For `python -m koncierge_server`."""
    parser = argparse.ArgumentParser(prog="python -m koncierge_server", description="The Koncierge language server.")
    configure(parser)
    return run(parser.parse_args(argv))
