"""Golden files per stage for every example: `architecture.yaml` and one YAML per environment.

They are exactly what `koncierge build examples/<name>/<name>.kon [--stage architecture]` writes;
`todo-host-path/` is the To Do example's manifests with host-path storage (a StorageClass and a
PersistentVolume per claim, which no other golden file holds: mutation testing found their
fields pinned by no test).
Regenerate with `KON_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/compiler/test_golden.py`,
then read the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from compiler_support import EXAMPLE_FILES, GOLDEN_EXAMPLES, REPOSITORY, analysis_of, architectures, fake_passwords
from conftest import assert_golden_files

from koncierge_lang.build_pipeline import render_outputs
from koncierge_lang.settings import Settings

CASES = [(name, stage) for name in sorted(EXAMPLE_FILES) for stage in ("architecture", "kubernetes")]
# Golden folders of an example built with other platform settings: folder -> (example, settings).
VARIANTS = {
    "todo-host-path": ("todo", Settings(storage_provisioner="host-path", host_path_directory="/mnt/k8s-storage/")),
}


def rendered(name: str, stage: str, settings: Settings | None = None) -> dict[str, str]:
    path = EXAMPLE_FILES[name]
    source_name = path.relative_to(REPOSITORY).as_posix()
    analysis = analysis_of(path, source_name)
    settings = settings or Settings()
    # Generated passwords (Online Boutique's and Sock Shop's databases have some) are a fixed
    # placeholder, as `koncierge build` would take them from its state file.
    passwords = {
        key: value
        for architecture in architectures(path, settings).values()
        for key, value in fake_passwords(architecture).items()
    }
    outputs = render_outputs(analysis, settings, source_name, stage, generated_secrets=passwords)
    return {Path(output.relative_path).name: output.text for output in outputs}


@pytest.mark.parametrize(("name", "stage"), CASES, ids=[f"{name}-{stage}" for name, stage in CASES])
def test_golden(name: str, stage: str) -> None:
    directory = GOLDEN_EXAMPLES / name
    files = rendered(name, stage)
    assert files
    assert_golden_files({directory / file_name: text for file_name, text in files.items()})


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_golden_with_other_settings(variant: str) -> None:
    name, settings = VARIANTS[variant]
    files = rendered(name, "kubernetes", settings)
    assert files
    assert_golden_files({GOLDEN_EXAMPLES / variant / file_name: text for file_name, text in files.items()})


def test_no_golden_file_without_an_example() -> None:
    expected = {
        name: {"architecture.yaml", *(f"{environment}.yaml" for environment in environments(name))}
        for name in EXAMPLE_FILES
    }
    for variant, (name, _) in VARIANTS.items():
        expected[variant] = {f"{environment}.yaml" for environment in environments(name)}
    for directory in GOLDEN_EXAMPLES.iterdir():
        assert directory.name in expected, f"{directory} has no example"
        assert {path.name for path in directory.iterdir()} == expected[directory.name]


def environments(name: str) -> list[str]:
    application = analysis_of(EXAMPLE_FILES[name]).requirements.applications[0]
    return [environment.name for environment in application.environments]
