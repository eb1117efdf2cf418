"""`koncierge visualize PATH... [--unfold] [--format svg|png|dot] [-o PATH]`: the kubernetes view of existing YAML."""

from __future__ import annotations

import argparse
import os
import sys

from koncierge_lang.commands.diagram import UNFOLD_HELP
from koncierge_lang.diagrams.dot import to_dot
from koncierge_lang.diagrams.kubernetes_view import kubernetes_diagram
from koncierge_lang.diagrams.large import collapsed
from koncierge_lang.diagrams.manifests import ManifestPathError, read_manifests
from koncierge_lang.diagrams.output import STDOUT, emit, format_for
from koncierge_lang.diagrams.render import FORMATS


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "visualize",
        help="draw existing Kubernetes YAML (files and directories)",
        description="Draw the Kubernetes objects in existing YAML files, grouped by namespace with their "
        "references. Directories are read recursively (*.yaml, *.yml, *.json). A broken document is reported "
        "with its file and line and the rest is still drawn. Exit status: 0 when everything was read, 1 when a "
        "document could not be, 2 for usage problems (a missing path, Graphviz missing).",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a YAML file or a directory of them")
    parser.add_argument("--unfold", action="store_true", help=UNFOLD_HELP)
    parser.add_argument("--format", choices=FORMATS, help="output format (default: from -o's extension, else svg)")
    parser.add_argument("-o", "--output", default=STDOUT, metavar="PATH", help="where to write (default: standard output)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        read = read_manifests(args.paths)
    except ManifestPathError as problem:
        print(f"koncierge visualize: {problem}", file=sys.stderr)
        return 2
    if not read.files and not read.problems:
        print(f"koncierge visualize: no YAML files in {', '.join(args.paths)}", file=sys.stderr)
        return 2
    for unreadable in read.problems:
        print(f"{unreadable} (the other documents are drawn)", file=sys.stderr)
    names = ", ".join(os.path.basename(os.path.normpath(path)) or path for path in args.paths)
    diagram = kubernetes_diagram(read.objects, f"Kubernetes objects in {names}", read.problems, unfold=args.unfold)
    if not args.unfold:
        diagram = collapsed(diagram)  # A large diagram's Services in their workloads (diagrams/large.py).
    status = emit(to_dot(diagram), format_for(args.format, args.output), args.output, "visualize")
    if status:
        return status
    return 1 if read.problems else 0
