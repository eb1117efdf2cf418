"""`koncierge explain network FILE --env NAME`: the connections the network policies allow, as a table.

Every row is a flow of the deployment architecture (or an external dependency, or DNS) and why it
exists; everything else is denied by the generated policies (docs/security.md).

`koncierge explain hardening FILE --env NAME`: how each container runs where security is strict,
and each way its hardening adapts to the program or is relaxed by the author, with the risk
(issue 13).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.model import INGRESS, OUTSIDE, Adjustments, EnvironmentArchitecture, Hardening
from koncierge_lang.inputs import InputProblem, read_input
from koncierge_lang.lowering import lower_environment, placeholder_secret_values
from koncierge_lang.render import render_text
from koncierge_lang.security.capabilities import capability_risk
from koncierge_lang.settings import load_settings


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "explain",
        help="explain what is generated: `explain network FILE --env NAME` lists the allowed connections, "
        "`explain hardening FILE --env NAME` how each container is hardened",
        description="Explain a part of what `koncierge build` generates. `network`: every connection the network "
        "policies allow in one environment, with its reason; all other traffic is denied. `hardening`: how each "
        "container runs where security is strict, and what adapts or relaxes its hardening, with the risk. "
        "Exit status: 0 explained, 1 errors in the file, 2 a usage problem.",
    )
    parser.add_argument("topic", choices=("network", "hardening"), help="what to explain")
    parser.add_argument("file", metavar="FILE", help="the .kon file")
    parser.add_argument("--env", dest="environment", required=True, metavar="NAME", help="the environment")
    parser.set_defaults(run=run)


def network_table(architecture: EnvironmentArchitecture) -> list[tuple[str, str, str, str]]:
    """(from, to, port, why) rows in a stable order."""
    isolation = architecture.network_isolation
    rows: list[tuple[str, str, str, str]] = []
    for flow in architecture.flows:
        source = flow.source
        if source == INGRESS and isolation is not None:
            labels = ",".join(f"{key}={value}" for key, value in isolation.ingress_controller_labels)
            source = f"ingress controller ({isolation.ingress_controller_namespace}: {labels})"
        elif source == OUTSIDE:
            # `expose`: the public service's load balancer lets in any address.
            source = "anywhere (any address)"
        rows.append((source, flow.target, f"{flow.port}/{flow.protocol}", flow.reason))
    for external in architecture.external_flows:
        target = external.address if external.kind == "cidr" else f"{external.target} (any public address)"
        rows.append((external.source, target, f"{external.port}/{external.protocol}", f"connects to {external.target}"))
    if isolation is not None:
        rows.append(("every workload", f"cluster DNS ({isolation.dns_namespace})", "53/UDP+TCP", "name resolution"))
    return rows


def run(args: argparse.Namespace) -> int:
    try:
        input_file = read_input(args.file)
        settings = load_settings(Path(input_file.path)).settings
    except InputProblem as problem:
        print(f"koncierge explain: {problem}", file=sys.stderr)
        return 2
    analysis = analyze(input_file.text, input_file.path)
    if analysis.has_errors:
        # Only the errors, which are why nothing can be explained; `koncierge check` lists the rest.
        sys.stderr.write(render_text(analysis.errors, analysis.source))
        print(f"koncierge explain: {input_file.path} has errors; nothing to explain", file=sys.stderr)
        return 1
    found = False
    status = 0
    for application in analysis.requirements.applications:
        for environment in application.environments:
            if environment.name != args.environment:
                continue
            found = True
            lowered = lower_environment(application, environment, settings, placeholder_secret_values)
            # What building this environment finds, and nothing about the others.
            sys.stderr.write(render_text(lowered.diagnostics, analysis.source))
            if lowered.architecture is None:
                status = 1
                continue
            if args.topic == "hardening":
                _print_hardening(application.name, lowered.architecture)
            else:
                _print_network(application.name, lowered.architecture)
    if not found:
        print(f"koncierge explain: unknown environment `{args.environment}`", file=sys.stderr)
        return 2
    return status


def _print_network(application_name: str, architecture: EnvironmentArchitecture) -> None:
    print(f"Allowed connections of {application_name} in {architecture.environment} (namespace {architecture.namespace})")
    if architecture.network_isolation is None:
        print("Network policies are turned off ([network] policies = false): everything is allowed.")
        return
    rows = [("from", "to", "port", "why"), *network_table(architecture)]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3])
        if index == 0:
            print("  ".join("-" * width for width in widths) + "  ---")
    print("Everything else, in and out of the namespace, is denied.")


def hardening_table(architecture: EnvironmentArchitecture) -> list[tuple[str, str, str]]:
    """(container, how it runs or what is changed, why and the risk) rows, workload by workload."""
    rows: list[tuple[str, str, str]] = []
    for workload in architecture.workloads:
        if workload.hardening is None:
            continue
        rows.extend(_hardening_rows(workload.name, workload.hardening, workload.adjustments))
        for container in workload.containers:
            if container.hardening is not None:
                rows.extend(_hardening_rows(f"{workload.name}/{container.name}", container.hardening, container.adjustments))
    return rows


def _hardening_rows(name: str, hardening: Hardening, adjustments: Adjustments) -> list[tuple[str, str, str]]:
    group = hardening.run_as_group if hardening.run_as_group is not None else hardening.run_as_user
    user = f"user {hardening.run_as_user}, group {group}"
    rows = [
        (
            name,
            user,
            "`run as`" + (": users below 10000 may be the node's own" if hardening.run_as_user < 10000 else "")
            if adjustments.run_as_user is not None
            else "the platform's user ([security] run_as_user)",
        )
    ]
    for capability in hardening.capabilities:
        why = "`capabilities`" if capability in adjustments.capabilities else "listens on a port below 1024"
        rows.append((name, f"adds {capability}", f"{why}: {capability_risk(capability)}"))
    if hardening.writable_root_filesystem:
        rows.append((name, "writable root filesystem", "`writes everywhere`: an intruder could replace the program's files"))
    for path in adjustments.kept_paths:
        rows.append((name, f"keeps the image's files at {path}", "`keeping contents`: the program may change them"))
    return rows


def _print_hardening(application_name: str, architecture: EnvironmentArchitecture) -> None:
    print(f"Hardening of {application_name} in {architecture.environment} (namespace {architecture.namespace})")
    rows = hardening_table(architecture)
    if not rows:
        print("Not hardened in this environment ([security] hardening): containers run as their images say, or as `run as` names.")
        return
    print("Every container drops all capabilities, never gains privileges and has a read-only root filesystem; "
        "who each runs as, and what differs:")
    table = [("container", "runs / changed", "why"), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(2)]
    for index, row in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:2], widths, strict=True)) + "  " + row[2])
        if index == 0:
            print("  ".join("-" * width for width in widths) + "  ---")
