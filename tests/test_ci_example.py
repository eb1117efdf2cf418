"""The CI workflows under examples/ci/ are clean for actionlint, and the `koncierge` commands their
`run:` steps contain work as the workflows expect (docs/continuous-delivery.md)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EXAMPLES, REPOSITORY

WORKFLOWS = sorted((REPOSITORY / "examples" / "ci").rglob("*.yml"))
BIN = Path(sys.executable).parent
ACTIONLINT = shutil.which("actionlint", path=str(BIN)) or shutil.which("actionlint")

# The koncierge.toml of docs/continuous-delivery.md, beside the .kon file in the application
# repository; `path` must be the workflow's DEPLOYMENT_PATH.
DELIVERY = """[delivery]
repository = "https://github.com/team/deploy.git"
branch = "main"
path = "deploy/out"

[environments.PROD]
cluster = "prod"
"""


@dataclass(frozen=True, slots=True)
class Command:
    """One `koncierge` command line of a workflow's `run:` step."""

    job: str
    step: str
    line: str

    @property
    def words(self) -> list[str]:
        return self.line.split()


def read_workflow(path: Path) -> dict[Any, Any]:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(workflow, dict), path
    return workflow


def koncierge_commands(workflow: dict[Any, Any]) -> list[Command]:
    """Every line of a `run:` script that runs `koncierge`, in the order of the jobs and steps."""
    return [
        Command(job, step.get("name", step["run"]), line.strip())
        for job, definition in workflow["jobs"].items()
        for step in definition["steps"]
        if "run" in step
        for line in step["run"].splitlines()
        if line.strip().startswith("koncierge ")
    ]


def run_in_workspace(command: Command, workspace: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the line as the runner's shell would, with the workflow's variables and this Koncierge."""
    return subprocess.run(
        ["bash", "-c", command.line],
        cwd=workspace,
        env={**os.environ, **variables, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        check=False,
    )


def step_named(workflow: dict[Any, Any], job: str, name: str) -> dict[str, Any]:
    (step,) = [step for step in workflow["jobs"][job]["steps"] if step.get("name") == name]
    return step  # type: ignore[no-any-return]


def run_script(step: dict[str, Any], workspace: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a whole `run:` script as the runner does (`bash -e`); what it adds to `$GITHUB_ENV` is
    added to `variables` for the later steps."""
    github_env = workspace / "github-env"
    github_env.write_text("", encoding="utf-8")
    secrets = {name: variables.get(name, "") for name in step.get("env", {})}
    result = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=workspace,
        env={**os.environ, **variables, **secrets, "GITHUB_ENV": str(github_env)},
        capture_output=True,
        text=True,
        check=False,
    )
    for line in github_env.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        variables[name] = value
    return result


def test_there_is_a_workflow_to_copy() -> None:
    assert [path.relative_to(REPOSITORY).as_posix() for path in WORKFLOWS] == [
        "examples/ci/github-actions/koncierge.yml"
    ]


@pytest.mark.skipif(ACTIONLINT is None, reason="actionlint is not installed (see examples/ci/README.md)")
@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_actionlint_finds_nothing(workflow: Path) -> None:
    assert ACTIONLINT is not None
    result = subprocess.run(
        [ACTIONLINT, "-no-color", str(workflow)], cwd=REPOSITORY, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    """The lint test above can fail: actionlint rejects a job that uses an undefined step output."""
    if ACTIONLINT is None:
        pytest.skip("actionlint is not installed (see examples/ci/README.md)")
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOWS[0].read_text(encoding="utf-8")
    broken.write_text(text.replace('"$KONCIERGE_FILE"', "${{ steps.nowhere.outputs.file }}", 1), encoding="utf-8")
    result = subprocess.run([ACTIONLINT, "-no-color", str(broken)], capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "nowhere" in result.stdout


def test_the_workflow_checks_on_pull_requests_and_publishes_from_main() -> None:
    workflow = read_workflow(WORKFLOWS[0])
    commands = koncierge_commands(workflow)
    by_job: dict[str, list[list[str]]] = {}
    for command in commands:
        by_job.setdefault(command.job, []).append(
            command.words[:2] + [word for word in command.words if word.startswith("--")]
        )
    assert by_job == {
        "check": [["koncierge", "check"], ["koncierge", "build", "--layout", "--check"]],
        "publish": [
            ["koncierge", "check"],
            ["koncierge", "build", "--layout"],
            ["koncierge", "build", "--layout", "--check"],
        ],
    }
    # The publishing job never overwrites a hand edit by itself.
    assert all("--force" not in command.words for command in commands)
    assert "pull_request" in workflow[True] and workflow[True]["push"] == {"branches": ["main"]}


def test_the_workflows_commands_work_on_the_todo_example(tmp_path: Path) -> None:
    """The runner's checkouts, rebuilt in a folder: the application repository with the To Do
    example where `KONCIERGE_FILE` says, and an empty deployment repository in `deployment/`."""
    workflow = read_workflow(WORKFLOWS[0])
    variables = {name: str(value) for name, value in workflow["env"].items()}
    assert variables["DEPLOYMENT_PATH"] == "deploy/out"  # [delivery] path of DELIVERY
    kon = tmp_path / variables["KONCIERGE_FILE"]
    kon.parent.mkdir(parents=True)
    shutil.copyfile(EXAMPLES / "todo" / "todo.kon", kon)
    (kon.parent / "koncierge.toml").write_text(DELIVERY, encoding="utf-8")
    (tmp_path / "deployment").mkdir()
    commands = koncierge_commands(workflow)
    pull_request = [command for command in commands if command.job == "check"]
    publish = [command for command in commands if command.job == "publish"]

    def expect(command: Command, status: int) -> str:
        result = run_in_workspace(command, tmp_path, variables)
        assert result.returncode == status, f"{command.line}: {result.returncode}\n{result.stderr}"
        return result.stderr

    # The first merge publishes into the empty deployment repository.
    for command in publish:
        expect(command, 0)
    out = tmp_path / "deployment" / variables["DEPLOYMENT_PATH"]
    assert (out / "clusters" / "prod" / "todo" / "kustomization-prod.yaml").is_file()
    assert (out / "clusters" / "default" / "todo" / "kustomization-dev.yaml").is_file()
    assert (out / "todo" / "PROD" / "kustomization.yaml").is_file()
    # A pull request that changes nothing: the check passes and --check finds the tree up to date.
    for command in pull_request:
        expect(command, 0)
    # A pull request that changes the .kon file: still clean, but --check lists what will change.
    kon.write_text(kon.read_text(encoding="utf-8").replace("to-do-app-frontend", "to-do-app-frontend:2.0"))
    check, drift = pull_request
    expect(check, 0)
    listed = expect(drift, 1)
    assert "different" in listed and "todo/PROD/deployment-frontend.yaml" in listed
    # Merged, it is published, after which the tree is up to date again.
    for command in publish:
        expect(command, 0)
    expect(drift, 0)


def test_generated_passwords_are_restored_and_never_rotated_by_a_publication(tmp_path: Path) -> None:
    """The README's example has `secret db_password = generated`: a runner without the state file
    would make new passwords, which the publish job refuses; with the state in the secret
    KONCIERGE_STATE it builds the same Secrets as the machine that made them."""
    workflow = read_workflow(WORKFLOWS[0])
    variables = {name: str(value) for name, value in workflow["env"].items()}
    (readme_example,) = re.findall(
        r"```kon\n(.*?)```", (REPOSITORY / "README.md").read_text(encoding="utf-8"), re.DOTALL
    )
    assert "= generated" in readme_example
    restore = step_named(workflow, "publish", "Restore the generated passwords")
    guard = step_named(workflow, "publish", "Refuse to publish new passwords")
    build = next(command for command in koncierge_commands(workflow) if command.step == "Build")

    def runner(name: str, state: str) -> tuple[Path, dict[str, str]]:
        workspace = tmp_path / name
        kon = workspace / variables["KONCIERGE_FILE"]
        kon.parent.mkdir(parents=True)
        kon.write_text(readme_example, encoding="utf-8")
        (kon.parent / "koncierge.toml").write_text(DELIVERY, encoding="utf-8")
        (workspace / "deployment").mkdir()
        return workspace, {**variables, "KONCIERGE_STATE": state}

    # A runner without the secret: the build makes passwords, and the guard stops the publication.
    workspace, fresh = runner("fresh", "")
    assert run_script(restore, workspace, fresh).returncode == 0
    assert run_in_workspace(build, workspace, fresh).returncode == 0
    state_file = workspace / fresh["KONCIERGE_STATE_FILE"]
    assert state_file.is_file()
    refused = run_script(guard, workspace, fresh)
    assert refused.returncode == 1 and "::error::koncierge build generated new passwords" in refused.stdout
    # The state kept in the secret: the same passwords, the same Secret files, and the guard passes.
    workspace_again, kept = runner("kept", state_file.read_text(encoding="utf-8").rstrip("\n"))
    assert run_script(restore, workspace_again, kept).returncode == 0
    assert run_in_workspace(build, workspace_again, kept).returncode == 0
    assert run_script(guard, workspace_again, kept).returncode == 0
    secrets = sorted((workspace / "deployment").rglob("secret-*.yaml"))
    assert secrets
    for path in secrets:
        again = workspace_again / path.relative_to(workspace)
        assert again.read_bytes() == path.read_bytes(), path.name
