"""How one environment's objects are laid out as files: `files` (one multi-document YAML file) or
`kustomize` (a folder with one file per object and a `kustomization.yaml` listing them); `flux` and
`argocd` are the kustomize tree plus the objects that make those tools deploy it (`delivery_files`).

Pure text in memory: nothing here touches the file system (`output_tree.py` does), and nothing
knows the architecture; an object is the manifest dictionary the Kubernetes stage made. See
docs/compiler.md, "Layouts".
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from koncierge_lang.yaml_writer import dump, dump_documents

LAYOUTS = ("files", "kustomize", "flux", "argocd")
DEFAULT_LAYOUT = "files"
KUSTOMIZATION_FILE = "kustomization.yaml"

_UNSAFE_IN_FILE_NAME = re.compile(r"[^a-z0-9.-]+")


def environment_files(
    application_folder: str, environment: str, objects: Sequence[dict[str, object]], header: str, layout: str
) -> list[tuple[str, str]]:
    """(relative path, text) of every file one environment is written as, in a stable order."""
    if layout == "files":
        return [(f"{application_folder}/{environment}.yaml", dump_documents(objects, header))]
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    folder = f"{application_folder}/{environment}"
    names = object_file_names(objects)
    files = [(f"{folder}/{name}", dump_documents([item], header)) for name, item in zip(names, objects, strict=True)]
    # The resources are listed in the order the files layout writes the objects (namespaces first,
    # then what depends on them), so a reviewer reads both the same way.
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": names,
    }
    files.append((f"{folder}/{KUSTOMIZATION_FILE}", _commented(header) + dump(kustomization)))
    return files


def object_file_names(objects: Sequence[dict[str, object]]) -> list[str]:
    """`<kind>-<name>.yaml` in lower case for each object, so that a reviewer finds it; when two
    objects would share a name (the same kind and name in two namespaces), both get
    `<kind>-<namespace>-<name>.yaml`, and a number as the last resort."""
    plain = [_file_stem(item, with_namespace=False) for item in objects]
    repeated = {stem for stem, count in Counter(plain).items() if count > 1}
    stems = [
        _file_stem(item, with_namespace=True) if stem in repeated else stem
        for stem, item in zip(plain, objects, strict=True)
    ]
    names: list[str] = []
    seen: set[str] = set()
    for stem in stems:
        candidate, number = stem, 2
        while candidate in seen or candidate == KUSTOMIZATION_FILE.removesuffix(".yaml"):
            candidate, number = f"{stem}-{number}", number + 1
        seen.add(candidate)
        names.append(candidate + ".yaml")
    return names


def _file_stem(item: dict[str, object], with_namespace: bool) -> str:
    metadata = item.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    parts = [str(item.get("kind", "object"))]
    if with_namespace and metadata.get("namespace"):
        parts.append(str(metadata["namespace"]))
    parts.append(str(metadata.get("name", "unnamed")))
    return _UNSAFE_IN_FILE_NAME.sub("-", "-".join(parts).lower()).strip("-.")


def _commented(header: str) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())


# Where the tools' own objects live: Flux's in `flux-system`, Argo CD's in `argocd`, as their
# installations create them.
FLUX_NAMESPACE = "flux-system"
ARGOCD_NAMESPACE = "argocd"
IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
DEFAULT_CLUSTER = "default"


@dataclass(frozen=True, slots=True)
class Delivery:
    """`[delivery]` of koncierge.toml: the repository the output folder is committed to, its branch,
    and `path`, where the `-o` folder sits inside that repository."""

    repository: str
    branch: str
    path: str
    interval: str = "5m"
    # (environment, cluster) from `[environments.NAME] cluster`; an environment not named: `default`.
    clusters: tuple[tuple[str, str], ...] = ()
    # `in-order`: follow the promotion order (`after`); `together`: every environment at once.
    rollout: str = "in-order"
    prune: bool = True
    self_heal: bool = True
    auto_sync: bool = True
    # Flux Kustomizations in `flux-system` every environment waits for (cert-manager, ingress).
    depends_on: tuple[str, ...] = ()
    # The Secret in `flux-system` Flux reads a private repository with; empty: a public one.
    credentials: str = ""


def delivery_scope(application_folder: str) -> str:
    """The scope of an application's files shared by its environments (a GitRepository, an
    AppProject): every build of the application's manifests owns it, so that switching to a
    layout without them removes them."""
    return f"{application_folder}/delivery"


def cluster_of_environment(delivery: Delivery, environment: str) -> str:
    """The cluster an environment is deployed to: `[environments.NAME] cluster`, else `default`."""
    return next((cluster for name, cluster in delivery.clusters if name == environment and cluster), DEFAULT_CLUSTER)


def repository_path(delivery: Delivery, relative_path: str) -> str:
    """A path under the output folder as the tools want it: relative to the repository root, `./...`."""
    joined = posixpath.normpath(posixpath.join(delivery.path.strip("/") or ".", relative_path))
    return "./" if joined == "." else f"./{joined}"


def delivery_files(
    application_folder: str,
    environments: Sequence[tuple[str, Sequence[dict[str, object]]]],
    delivery: Delivery,
    source_header: Callable[[str], str],
    layout: str,
    promoted_from: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, str, str]]:
    """(relative path, scope, text) of the files that make Flux or Argo CD deploy an application's
    environment folders; nothing for the other layouts. A file that concerns one environment has
    that environment's scope (`todo/PROD`), so building one environment leaves the others'; the
    application's shared files have the scope `todo/delivery` (`delivery_scope`).
    `source_header(detail)` is the generated-file header saying what a file holds;
    `promoted_from[environment]` the environments it comes after (`after` in the `.kon` file)."""
    promotion = promoted_from or {}
    if layout == "flux":
        return _flux_files(application_folder, environments, delivery, source_header, promotion)
    if layout == "argocd":
        if delivery.rollout == "in-order":
            return _argocd_application_set(application_folder, environments, delivery, source_header, promotion)
        return _argocd_files(application_folder, environments, delivery, source_header)
    return []


def rollout_steps(environments: Sequence[str], promoted_from: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """The environments in the steps of an in-order rollout: first those that come after none of
    them, then those whose predecessors are all in earlier steps, and so on; each step in the
    declared order. Predecessors that are not in `environments` are ignored, and so is a circle
    (KON209 reports it): its members share the last step."""
    remaining = list(environments)
    placed: set[str] = set()
    steps: list[list[str]] = []
    while remaining:
        step = [
            name
            for name in remaining
            if all(before in placed or before not in environments for before in promoted_from.get(name, ()))
        ]
        if not step:
            step = remaining
        steps.append(step)
        placed.update(step)
        remaining = [name for name in remaining if name not in placed]
    return steps


def _flux_name(application_folder: str, environment: str) -> str:
    return f"{application_folder}-{environment.lower()}"


def _flux_files(
    application_folder: str,
    environments: Sequence[tuple[str, Sequence[dict[str, object]]]],
    delivery: Delivery,
    source_header: Callable[[str], str],
    promoted_from: Mapping[str, Sequence[str]],
) -> list[tuple[str, str, str]]:
    files: list[tuple[str, str, str]] = []
    clusters = sorted({cluster_of_environment(delivery, name) for name, _ in environments})
    for cluster in clusters:
        folder = f"clusters/{cluster}/{application_folder}"
        source_spec: dict[str, object] = {
            "interval": delivery.interval,
            "url": delivery.repository,
            "ref": {"branch": delivery.branch},
        }
        if delivery.credentials:
            source_spec["secretRef"] = {"name": delivery.credentials}
        source = {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": application_folder, "namespace": FLUX_NAMESPACE},
            "spec": source_spec,
        }
        files.append(
            (
                f"{folder}/gitrepository.yaml",
                delivery_scope(application_folder),
                dump_documents([source], source_header(f"Flux source of application {application_folder}")),
            )
        )
    for name, _ in environments:
        cluster = cluster_of_environment(delivery, name)
        # Flux waits only for Kustomizations of its own cluster: a predecessor placed elsewhere
        # cannot hold this environment back (docs/continuous-delivery.md, "Promotion order").
        predecessors = (
            [
                before
                for before in promoted_from.get(name, ())
                if cluster_of_environment(delivery, before) == cluster
            ]
            if delivery.rollout == "in-order"
            else []
        )
        depends_on = [{"name": platform} for platform in delivery.depends_on] + [
            {"name": _flux_name(application_folder, before)} for before in predecessors
        ]
        spec: dict[str, object] = {
            "interval": delivery.interval,
            "path": repository_path(delivery, f"{application_folder}/{name}"),
            "prune": delivery.prune,
            "wait": True,
            "timeout": "5m",
            "sourceRef": {"kind": "GitRepository", "name": application_folder},
        }
        if depends_on:
            spec["dependsOn"] = depends_on
        kustomization = {
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": {"name": _flux_name(application_folder, name), "namespace": FLUX_NAMESPACE},
            "spec": spec,
        }
        files.append(
            (
                f"clusters/{cluster}/{application_folder}/kustomization-{name.lower()}.yaml",
                f"{application_folder}/{name}",
                dump_documents([kustomization], source_header(f"Flux Kustomization of environment {name}")),
            )
        )
    return files


def _argocd_project(
    application_folder: str,
    environments: Sequence[tuple[str, Sequence[dict[str, object]]]],
    delivery: Delivery,
    source_header: Callable[[str], str],
    clusters_by_name: bool = False,
) -> tuple[str, str, str]:
    """The AppProject: it may deploy only from the delivery repository, only into the application's
    own namespaces on their clusters, and only the cluster-scoped kinds the application emits.
    `clusters_by_name`: name every cluster, the one Argo CD runs in `in-cluster`, as the
    ApplicationSet's destinations do."""
    namespaces: set[tuple[tuple[str, str], str]] = set()
    cluster_kinds: set[tuple[str, str]] = set()
    for name, objects in environments:
        cluster = (
            ("name", _cluster_name(cluster_of_environment(delivery, name)))
            if clusters_by_name
            else _destination(cluster_of_environment(delivery, name))
        )
        for item in objects:
            namespace = _namespace_of(item)
            if namespace:
                namespaces.add((cluster, namespace))
            else:
                group = str(item.get("apiVersion", "")).rpartition("/")[0]
                cluster_kinds.add((group, str(item.get("kind", ""))))
    project = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": application_folder, "namespace": ARGOCD_NAMESPACE},
        "spec": {
            "sourceRepos": [delivery.repository],
            "destinations": [
                {cluster[0]: cluster[1], "namespace": namespace} for cluster, namespace in sorted(namespaces)
            ],
            "clusterResourceWhitelist": [{"group": group, "kind": kind} for group, kind in sorted(cluster_kinds)],
        },
    }
    project_header = source_header(f"Argo CD project of application {application_folder}")
    return (
        f"argocd/{application_folder}/appproject.yaml",
        delivery_scope(application_folder),
        dump_documents([project], project_header),
    )


def _sync_policy(delivery: Delivery) -> dict[str, object]:
    """Automated sync with prune and self-heal as `[delivery]` says; nothing when `auto_sync` is off
    (someone syncs by hand or from a pipeline)."""
    if not delivery.auto_sync:
        return {}
    return {"syncPolicy": {"automated": {"prune": delivery.prune, "selfHeal": delivery.self_heal}}}


def _argocd_files(
    application_folder: str,
    environments: Sequence[tuple[str, Sequence[dict[str, object]]]],
    delivery: Delivery,
    source_header: Callable[[str], str],
) -> list[tuple[str, str, str]]:
    """`rollout = "together"`: the AppProject and one Application per environment."""
    folder = f"argocd/{application_folder}"
    files = [_argocd_project(application_folder, environments, delivery, source_header)]
    for name, objects in environments:
        environment_namespaces = sorted({_namespace_of(item) for item in objects} - {""})
        key, value = _destination(cluster_of_environment(delivery, name))
        destination: dict[str, object] = {key: value}
        if len(environment_namespaces) == 1:
            destination["namespace"] = environment_namespaces[0]
        application = {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": f"{application_folder}-{name.lower()}", "namespace": ARGOCD_NAMESPACE},
            "spec": {
                "project": application_folder,
                "source": {
                    "repoURL": delivery.repository,
                    "targetRevision": delivery.branch,
                    "path": _source_path(delivery, application_folder, name),
                },
                "destination": destination,
                **_sync_policy(delivery),
            },
        }
        files.append(
            (
                f"{folder}/application-{name.lower()}.yaml",
                f"{application_folder}/{name}",
                dump_documents([application], source_header(f"Argo CD Application of environment {name}")),
            )
        )
    return files


ENVIRONMENT_LABEL = "koncierge.io/environment"
# What Argo CD calls the cluster it runs in, when destinations name clusters.
IN_CLUSTER_NAME = "in-cluster"


def _argocd_application_set(
    application_folder: str,
    environments: Sequence[tuple[str, Sequence[dict[str, object]]]],
    delivery: Delivery,
    source_header: Callable[[str], str],
    promoted_from: Mapping[str, Sequence[str]],
) -> list[tuple[str, str, str]]:
    """`rollout = "in-order"`: the AppProject and one ApplicationSet whose list generator has an
    element per environment and whose RollingSync steps follow the promotion order. Argo CD runs
    the steps only with its Progressive Syncs feature on; without it, every Application syncs as
    soon as it changes, as with `together`."""
    elements: list[dict[str, object]] = []
    for name, objects in environments:
        environment_namespaces = sorted({_namespace_of(item) for item in objects} - {""})
        cluster = cluster_of_environment(delivery, name)
        elements.append(
            {
                "environment": name.lower(),
                "cluster": _cluster_name(cluster),
                "namespace": environment_namespaces[0] if len(environment_namespaces) == 1 else "",
                "path": _source_path(delivery, application_folder, name),
            }
        )
    steps = rollout_steps([name for name, _ in environments], promoted_from)
    application_set = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": application_folder, "namespace": ARGOCD_NAMESPACE},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [{"list": {"elements": elements}}],
            "strategy": {
                "type": "RollingSync",
                "rollingSync": {
                    "steps": [
                        {
                            "matchExpressions": [
                                {"key": ENVIRONMENT_LABEL, "operator": "In", "values": [name.lower() for name in step]}
                            ]
                        }
                        for step in steps
                    ]
                },
            },
            "template": {
                "metadata": {
                    "name": f"{application_folder}-{{{{.environment}}}}",
                    "labels": {ENVIRONMENT_LABEL: "{{.environment}}"},
                },
                "spec": {
                    "project": application_folder,
                    "source": {
                        "repoURL": delivery.repository,
                        "targetRevision": delivery.branch,
                        "path": "{{.path}}",
                    },
                    "destination": {"name": "{{.cluster}}", "namespace": "{{.namespace}}"},
                    **_sync_policy(delivery),
                },
            },
        },
    }
    order = " -> ".join(", ".join(step) for step in steps)
    return [
        _argocd_project(application_folder, environments, delivery, source_header, clusters_by_name=True),
        (
            f"argocd/{application_folder}/applicationset.yaml",
            delivery_scope(application_folder),
            dump_documents(
                [application_set], source_header(f"Argo CD ApplicationSet of application {application_folder}: {order}")
            ),
        ),
    ]


def _cluster_name(cluster: str) -> str:
    """The name Argo CD knows a cluster by: `in-cluster` for the one it runs in (`default`)."""
    return IN_CLUSTER_NAME if cluster == DEFAULT_CLUSTER else cluster


def _source_path(delivery: Delivery, application_folder: str, environment: str) -> str:
    """An environment folder as Argo CD wants it: relative to the repository root, no `./`."""
    return repository_path(delivery, f"{application_folder}/{environment}").removeprefix("./") or "."


def _namespace_of(item: dict[str, object]) -> str:
    """An object's namespace; empty for a cluster-scoped object."""
    metadata = item.get("metadata")
    return str(metadata.get("namespace") or "") if isinstance(metadata, dict) else ""


def _destination(cluster: str) -> tuple[str, str]:
    """How an Argo CD destination names a cluster: the in-cluster API server for `default`, else
    the name the cluster was registered with in Argo CD."""
    return ("server", IN_CLUSTER_SERVER) if cluster == DEFAULT_CLUSTER else ("name", cluster)
