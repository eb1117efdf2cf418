"""No recursion limits (issue 16): chains and circles of 100,000 names check, build and draw.

A chain of about 990 values (`value v0 = v1`, `value v1 = v2`, ...) used to end the analysis with a
RecursionError: no diagnostics, `koncierge check` exiting 3. Every walk that follows references
the user writes (values, secrets through values, the promotion order, the compiler resolving a
variable, the diagrams) now keeps its own stack. The times are in `bench/bench_chains.py`; these
tests only assert the results.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import pytest
from conftest import REPOSITORY
from test_cli import koncierge

from koncierge_lang.analysis import analyze
from koncierge_lang.architecture.model import ValueSource
from koncierge_lang.lowering import compiler_diagnostics, lower_file
from koncierge_lang.settings import Settings

sys.path.insert(0, str(REPOSITORY / "bench"))
from chains import promotion_chain, value_chain, value_cycle  # noqa: E402

LENGTH = 100_000


@cache
def _text(kind: str) -> str:
    return {
        "chain": lambda: value_chain(LENGTH),
        "secret-chain": lambda: value_chain(LENGTH, secret=True),
        "cycle": lambda: value_cycle(LENGTH),
        "promotion-chain": lambda: promotion_chain(LENGTH),
        "promotion-cycle": lambda: promotion_chain(LENGTH, cycle=True),
    }[kind]()


def test_a_chain_of_values_checks_clean_and_resolves_to_its_end() -> None:
    analysis = analyze(_text("chain"), "chain.kon")
    assert analysis.diagnostics == ()
    (lowered,) = lower_file(analysis.requirements.applications, Settings())
    assert compiler_diagnostics([lowered]) == ()
    assert lowered.architecture is not None
    (workload,) = lowered.architecture.workloads
    (variable,) = workload.variables
    assert variable.value == "end"
    assert len(variable.references) == LENGTH


def test_a_secret_at_the_end_of_a_chain_makes_every_value_on_it_a_secret() -> None:
    """Whether `v0` is a secret is only known 100,000 values later: only a secret may be handed over
    `as file` (KON221), and the variable that uses it is kept in the Secret."""
    as_file = "env FIRST = v0 as file"
    analysis = analyze(_text("secret-chain").replace("env FIRST = v0", as_file), "chain.kon")
    assert analysis.diagnostics == ()
    (lowered,) = lower_file(analysis.requirements.applications, Settings())
    assert lowered.architecture is not None
    (workload,) = lowered.architecture.workloads
    (variable,) = workload.variables
    assert variable.source is ValueSource.SECRET
    # The same chain ending in text is no secret.
    (found,) = analyze(_text("chain").replace("env FIRST = v0", as_file), "chain.kon").diagnostics
    assert found.code == "KON221"


def test_a_circle_of_values_is_reported_once_with_its_members() -> None:
    diagnostics = analyze(_text("cycle"), "cycle.kon").diagnostics
    (found,) = diagnostics
    assert found.code == "KON216"
    assert found.message == (
        f"`v{LENGTH - 1}` refers to itself through `v0`, `v1`, `v2`, `v3`, `v4`, `v5`, ... and "
        f"`v{LENGTH - 2}` (a circle of {LENGTH:,} values): a value cannot depend on itself"
    )
    # At the reference that closes the circle: `value v99999 = v0`.
    assert found.span.start_line == 7 + LENGTH


def test_a_long_promotion_order_checks_clean() -> None:
    assert analyze(_text("promotion-chain"), "promotion.kon").diagnostics == ()


def test_a_circle_of_environments_is_reported_once_with_its_members() -> None:
    (found,) = analyze(_text("promotion-cycle"), "promotion.kon").diagnostics
    assert found.code == "KON209"
    assert found.message == (
        "the promotion order goes round in a circle: E0 after E1 after E2 after E3 after E4 after E5 after ... "
        f"after E{LENGTH - 2} after E{LENGTH - 1} after E0 (a circle of {LENGTH:,} environments)"
    )
    assert found.span.start_line == 1 + LENGTH  # `after E0` on the last environment
    assert [related.message for related in found.related] == [
        f"`{name}` is declared here" for name in ("E0", "E1", "E2", "E3", "E4", "E5", f"E{LENGTH - 2}")
    ]


def test_short_circles_name_every_member() -> None:
    (found,) = analyze(value_cycle(3), "cycle.kon").diagnostics
    assert found.message == "`v2` refers to itself through `v0` and `v1`: a value cannot depend on itself"
    (found,) = analyze(promotion_chain(3, cycle=True), "promotion.kon").diagnostics
    assert found.message == "the promotion order goes round in a circle: E0 after E1 after E2 after E0"


COMMANDS = {
    "check": lambda path, out: ("check", str(path)),
    "build": lambda path, out: ("build", str(path), "-o", str(out)),
    "build-architecture": lambda path, out: ("build", str(path), "-o", str(out), "--stage", "architecture"),
    "diagram-requirements": lambda path, out: ("diagram", str(path), "--view", "requirements", "--format", "dot"),
    "diagram-architecture": lambda path, out: ("diagram", str(path), "--view", "architecture", "--format", "dot"),
    "diagram-kubernetes": lambda path, out: ("diagram", str(path), "--view", "kubernetes", "--format", "dot"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_handles_a_chain_of_100000_values(tmp_path: Path, command: str) -> None:
    """Exit 0, never 3 ("internal error"), and no RecursionError: what each command makes of the
    chain that ends in a secret."""
    path = tmp_path / "chain.kon"
    path.write_text(_text("secret-chain"), encoding="utf-8")
    result = koncierge(*COMMANDS[command](path, tmp_path / "out"), cwd=tmp_path)
    assert "RecursionError" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
    if command == "build":
        built = (tmp_path / "out" / "chain" / "DEV.yaml").read_text(encoding="utf-8")
        assert "secretKeyRef:\n              name: web-secrets\n              key: FIRST" in built
    elif command == "build-architecture":
        built = (tmp_path / "out" / "chain" / "architecture.yaml").read_text(encoding="utf-8")
        assert f"    - v{LENGTH - 1}\n" in built  # the variable's references, to the chain's end
    elif command.startswith("diagram"):
        assert result.stdout.startswith("digraph")
    else:
        assert result.stdout == "1 file checked: no problems\n"


def test_check_reports_a_circle_of_100000_values(tmp_path: Path) -> None:
    path = tmp_path / "cycle.kon"
    path.write_text(_text("cycle"), encoding="utf-8")
    result = koncierge("check", str(path))
    assert result.returncode == 1, result.stderr
    assert result.stdout.count("error[KON216]") == 1
    assert result.stdout.endswith("1 file checked: 1 error, 0 warnings\n")
