"""Golden files per stage for both examples: `architecture.yaml` and one YAML per environment.

They are exactly what `koncierge build examples/<name>/<name>.kon [--stage architecture]` writes.
Regenerate with `KON_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/compiler/test_golden.py`,
then read the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from compiler_support import EXAMPLE_FILES, GOLDEN_EXAMPLES, REPOSITORY, analysis_of
from conftest import assert_golden

from koncierge_lang.build_pipeline import render_outputs
from koncierge_lang.settings import Settings

CASES = [(name, stage) for name in sorted(EXAMPLE_FILES) for stage in ("architecture", "kubernetes")]


def rendered(name: str, stage: str) -> dict[str, str]:
    path = EXAMPLE_FILES[name]
    source_name = path.relative_to(REPOSITORY).as_posix()
    analysis = analysis_of(path, source_name)
    outputs = render_outputs(analysis, Settings(), source_name, stage)
    return {Path(output.relative_path).name: output.text for output in outputs}


@pytest.mark.parametrize(("name", "stage"), CASES, ids=[f"{name}-{stage}" for name, stage in CASES])
def test_golden(name: str, stage: str) -> None:
    directory = GOLDEN_EXAMPLES / name
    files = rendered(name, stage)
    assert files
    for file_name, text in files.items():
        assert_golden(directory / file_name, text)


def test_no_golden_file_without_an_example() -> None:
    expected = {
        name: {"architecture.yaml", *(f"{environment}.yaml" for environment in environments(name))}
        for name in EXAMPLE_FILES
    }
    for directory in GOLDEN_EXAMPLES.iterdir():
        assert directory.name in expected, f"{directory} has no example"
        assert {path.name for path in directory.iterdir()} == expected[directory.name]


def environments(name: str) -> list[str]:
    application = analysis_of(EXAMPLE_FILES[name]).requirements.applications[0]
    return [environment.name for environment in application.environments]
