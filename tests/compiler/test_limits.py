"""KON324: generated objects Kubernetes would refuse, found by the build and the editor alike;
KON325: the compiler failing on an environment, for the editor."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from test_build import koncierge

from koncierge_lang import lowering
from koncierge_lang.analysis import analyze
from koncierge_lang.build_pipeline import run_build, state_path
from koncierge_lang.kubernetes.limits import merge_environments, object_problems
from koncierge_lang.settings import Settings

# PERF and PROD keep backups: the database's backup CronJob is `<database>-backup`, and a CronJob
# name may have at most 52 characters. 46 + 7 = 53 characters; the checker finds nothing wrong.
LONG_DATABASE = "customer_relationship_management_order_archive"
SHORT_DATABASE = LONG_DATABASE[:-1]  # 45 + 7 = 52: exactly at the limit.


def source(database: str) -> str:
    return (
        "application shop {\n"
        '  environment LOCAL "shop.test"\n'
        '  environment PERF "perf.shop.example.com"\n'
        '  environment PROD "shop.example.com" after PERF\n'
        "  secret root_password = generated\n"
        f"  database {database} mysql {{\n"
        '    storage 1Gi read-write at "/var/lib/mysql"\n'
        "    env MYSQL_ROOT_PASSWORD = root_password\n"
        "  }\n"
        "}\n"
    )


def test_the_source_checks_cleanly() -> None:
    assert not analyze(source(LONG_DATABASE), "shop.kon").has_errors


def test_build_reports_kon324_at_the_database_and_writes_nothing(tmp_path: Path) -> None:
    kon = tmp_path / "shop.kon"
    kon.write_text(source(LONG_DATABASE), encoding="utf-8")
    out = tmp_path / "out"
    outcome = run_build(kon, str(out))
    assert outcome.exit_code == 1 and outcome.written == []
    refused = [d for report in outcome.reports for d in report.diagnostics if d.code == "KON324"]
    # Once for both environments that keep backups, on the database's statement (line 6).
    assert len(refused) == 1
    assert (refused[0].span.start_line, refused[0].span.start_column) == (6, 3)
    assert refused[0].severity.value == "error"
    assert refused[0].message.startswith("in PERF, PROD: the CronJob name `customer-relationship-management-order-archive-backup`")
    assert not out.exists()
    # The generated password is not kept either: nothing at all is written for the file.
    assert not state_path(kon).exists()


def test_cli_renders_kon324_like_other_errors(tmp_path: Path) -> None:
    kon = tmp_path / "shop.kon"
    kon.write_text(source(LONG_DATABASE), encoding="utf-8")
    result = koncierge("build", str(kon), "-o", str(tmp_path / "out"), "--color", "never")
    assert result.returncode == 1
    assert f"{kon}:6:3: error[KON324]: in PERF, PROD: the CronJob name" in result.stderr
    assert f"  database {LONG_DATABASE} mysql {{" in result.stderr and "^^^" in result.stderr
    assert "nothing was written" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() and not (tmp_path / ".koncierge-state").exists()
    to_stdout = koncierge("build", str(kon), "-o", "-")
    assert to_stdout.returncode == 1 and to_stdout.stdout == ""


def test_environments_without_the_object_still_refuse_the_file_but_build_alone(tmp_path: Path) -> None:
    kon = tmp_path / "shop.kon"
    kon.write_text(source(LONG_DATABASE), encoding="utf-8")
    # LOCAL keeps no backups, so building it alone is fine.
    outcome = run_build(kon, str(tmp_path / "out"), environments=("LOCAL",))
    assert outcome.exit_code == 0, outcome.reports
    assert [path.name for path in outcome.written] == ["LOCAL.yaml"]
    only_prod = run_build(kon, str(tmp_path / "out"), environments=("PROD",))
    (refused,) = [d for report in only_prod.reports for d in report.diagnostics if d.code == "KON324"]
    assert refused.message.startswith("in PROD: ")


def test_the_architecture_stage_is_not_refused(tmp_path: Path) -> None:
    """The architecture print-out is never sent to a cluster: it stays available to investigate."""
    kon = tmp_path / "shop.kon"
    kon.write_text(source(LONG_DATABASE), encoding="utf-8")
    outcome = run_build(kon, str(tmp_path / "out"), stage="architecture")
    assert outcome.exit_code == 0 and len(outcome.written) == 1


def test_a_name_at_the_limit_builds(tmp_path: Path) -> None:
    kon = tmp_path / "shop.kon"
    kon.write_text(source(SHORT_DATABASE), encoding="utf-8")
    outcome = run_build(kon, str(tmp_path / "out"))
    assert outcome.exit_code == 0, [d.message for report in outcome.reports for d in report.diagnostics]
    assert not [d for report in outcome.reports for d in report.diagnostics if d.code == "KON324"]


def test_object_problems_names_labels_and_hosts() -> None:
    assert object_problems({"kind": "Service", "metadata": {"name": "s" * 64}})[0].message.startswith(
        "the Service name"
    )
    assert object_problems({"kind": "CronJob", "metadata": {"name": "c" * 52}}) == ()
    assert object_problems({"kind": "ConfigMap", "metadata": {"name": "Upper"}})[0].kind == "ConfigMap"
    (label,) = object_problems({"kind": "ConfigMap", "metadata": {"name": "ok", "labels": {"a": "x" * 64}}})
    assert label.name == "ok" and "label `a:" in label.message
    ingress = {"kind": "Ingress", "metadata": {"name": "web"}, "spec": {"rules": [{"host": "h" * 64 + ".example.com"}]}}
    assert "route host" in object_problems(ingress)[0].message
    assert object_problems({"kind": "Ingress"}) == ()


def test_the_editor_lowering_reports_the_same_diagnostics_as_the_build(tmp_path: Path) -> None:
    from koncierge_server.compiler import GENERATED_PLACEHOLDER, lower

    text = source(LONG_DATABASE)
    lowered = lower(analyze(text, "shop.kon"), Settings())
    by_environment = {entry.environment.name: [d.code for d in entry.diagnostics] for entry in lowered}
    # No routes, hence no certificates and no KON323: only the backups' CronJobs are refused.
    assert by_environment == {"LOCAL": [], "PERF": ["KON324"], "PROD": ["KON324"]}
    editor = [d for d in merge_environments(d for entry in lowered for d in entry.diagnostics) if d.code == "KON324"]
    kon = tmp_path / "shop.kon"
    kon.write_text(text, encoding="utf-8")
    build = [d for report in run_build(kon, str(tmp_path / "out")).reports for d in report.diagnostics if d.code == "KON324"]
    assert editor == build
    # The editor never makes passwords: the manifests hold placeholders.
    prod = next(entry for entry in lowered if entry.environment.name == "PROD")
    encoded = base64.b64encode(GENERATED_PLACEHOLDER.encode()).decode()
    assert encoded in repr(prod.documents) and len(prod.sources) == len(prod.documents)


def test_a_compiler_failure_is_kon325_at_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from koncierge_server.compiler import lower

    real = lowering.build_architecture

    def fail_in_prod(application, environment, settings):  # type: ignore[no-untyped-def]
        if environment.name == "PROD":
            raise RuntimeError("simulated compiler bug")
        return real(application, environment, settings)

    monkeypatch.setattr(lowering, "build_architecture", fail_in_prod)
    lowered = {entry.environment.name: entry for entry in lower(analyze(source(LONG_DATABASE), "shop.kon"), Settings())}
    prod = lowered["PROD"]
    assert prod.architecture is None and prod.documents == () and prod.failure is not None
    assert prod.failure.code == "KON325" and prod.failure.severity.value == "error"
    assert prod.failure.span.start_line == 4
    assert "RuntimeError: simulated compiler bug" in prod.failure.message and "bug in Koncierge" in prod.failure.message
    # The other environments are lowered as usual.
    assert lowered["PERF"].architecture is not None and lowered["PERF"].failure is None
