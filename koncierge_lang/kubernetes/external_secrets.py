"""The `external-secrets` secrets strategy in Kubernetes terms: the specs of the ExternalSecrets
(external-secrets.io/v1) and Password generators (generators.external-secrets.io/v1alpha1) that
replace Secret objects, so that the output holds no secret value (docs/secrets.md).

`manifests.py` wraps these specs in objects with Koncierge's metadata.

- A secret set becomes an ExternalSecret of the same name whose target is the Secret the workloads
  already read. Each input is read from the store at its `store_key`; where an item is text around
  secrets (a connection string), the Secret is rendered from a template (engine v2), in which the
  literal text is quoted so that a `{{` in it is not read as an action.
- A generated password becomes an ExternalSecret of its own that calls the Password generator of
  its length once (`refreshPolicy: CreatedOnce`) into a Secret of its own (`creationPolicy: Orphan`,
  so the Secret and its password outlive the ExternalSecret, and a new ExternalSecret finds it and
  keeps it); every workload that uses the password reads that Secret.
"""

from __future__ import annotations

from koncierge_lang.architecture.model import ClusterPassword, SecretInput, SecretItem, SecretsStrategy

GENERATORS_API_VERSION = "generators.external-secrets.io/v1alpha1"
EXTERNAL_SECRETS_API_VERSION = "external-secrets.io/v1"


def _template_text(literal: str) -> str:
    """Literal text in a Go template: unchanged unless it holds `{{`, which is written as an action
    that prints it."""
    return '{{ "{{" }}'.join(literal.split("{{"))


def secret_set_spec(name: str, items: tuple[SecretItem, ...], strategy: SecretsStrategy) -> dict[str, object]:
    """The spec of the ExternalSecret that fills the Secret `name` with `items`, read from the store."""
    spec: dict[str, object] = {
        "refreshInterval": strategy.refresh_interval,
        "secretStoreRef": {"name": strategy.store, "kind": strategy.store_kind},
        "target": {"name": name, "creationPolicy": "Owner"},
    }
    composed = any(not _single_input(item) for item in items)
    if not composed:
        spec["data"] = [
            {"secretKey": item.key, "remoteRef": {"key": _store_key(item.parts[0])}}
            for item in items
            if isinstance(item.parts[0], SecretInput)
        ]
        return spec
    # Each store key is read once, under a name of its own, and every key of the Secret is rendered.
    inputs: dict[str, str] = {}
    template: dict[str, str] = {}
    for item in items:
        text = ""
        for part in item.parts:
            if isinstance(part, str):
                text += _template_text(part)
            elif part.origin != "generated":  # A generated password here is KON330.
                variable = inputs.setdefault(_store_key(part), f"input_{len(inputs)}")
                text += "{{ ." + variable + " }}"
        template[item.key] = text
    spec["data"] = [{"secretKey": variable, "remoteRef": {"key": key}} for key, variable in inputs.items()]
    target = spec["target"]
    assert isinstance(target, dict)
    target["template"] = {"engineVersion": "v2", "mergePolicy": "Replace", "data": template}
    return spec


def _single_input(item: SecretItem) -> bool:
    return len(item.parts) == 1 and isinstance(item.parts[0], SecretInput)


def _store_key(part: str | SecretInput) -> str:
    return part.store_key if isinstance(part, SecretInput) else ""


def password_generator_spec(length: int) -> dict[str, object]:
    """Letters and digits only, as the passwords Koncierge makes: no quoting needed anywhere."""
    return {"length": length, "symbols": 0, "noUpper": False, "allowRepeat": True}


def cluster_password_spec(password: ClusterPassword, generator: str) -> dict[str, object]:
    return {
        "refreshPolicy": "CreatedOnce",
        "target": {"name": password.object_name, "creationPolicy": "Orphan"},
        "dataFrom": [
            {
                "sourceRef": {
                    "generatorRef": {"apiVersion": GENERATORS_API_VERSION, "kind": "Password", "name": generator}
                }
            }
        ],
    }
