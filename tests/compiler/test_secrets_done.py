"""Issue 15's "Done when", in one place: the To Do example builds with each secrets strategy in
PROD into a Flux tree; with `sops` and `external-secrets` that tree can be committed as it is (no
secret value of PROD readable in any file); a rebuild with no change changes no file, and
`--check` agrees. The strategies' own tests (test_sops.py, test_external_secrets.py,
test_volume_secrets.py) go into the details."""

from __future__ import annotations

import base64
import json
import shutil
import urllib.parse
from pathlib import Path

import pytest
from compiler_support import EXAMPLE_FILES
from test_sops import DB_USER, age_key, make_age_key, todo_with_generated_passwords  # noqa: F401 - a fixture
from test_sops import tree as read_tree

from koncierge_lang.build_pipeline import run_build, state_path

# The other environments stay `plain`, which a Flux tree allows only when told: only PROD's files
# are scanned.
SETTINGS = """[delivery]
repository = "https://github.com/team/deploy.git"

[secrets]
allow_plain_in_git = true

[secrets.sops]
age_recipients = ["{recipient}"]

[secrets.external-secrets]
store = "vault"

[environments.PROD]
secrets = "{strategy}"
"""


def refuse(path: Path, text: str) -> None:
    raise AssertionError(f"{path} was written again")


def encodings(value: str) -> set[str]:
    return {value, base64.b64encode(value.encode()).decode(), urllib.parse.quote(value, safe="")}


@pytest.mark.parametrize("strategy", ["plain", "sops", "external-secrets", "volume"])
def test_to_do_builds_with_each_strategy_in_prod(
    tmp_path: Path, strategy: str, age_key: tuple[str, Path]  # noqa: F811 - the fixture
) -> None:
    recipient, _ = age_key
    if strategy == "volume":
        # The example as it is: its backend reads DB_PASSWORD from its environment, which a password
        # made on the volume cannot be (KON331), so its passwords stay written in the file; the
        # database's generated root password goes to the volume.
        (tmp_path / "app").mkdir()
        kon = tmp_path / "app" / "todo.kon"
        shutil.copyfile(EXAMPLE_FILES["todo"], kon)
    else:
        kon = todo_with_generated_passwords(tmp_path / "app")
    (tmp_path / "app" / "koncierge.toml").write_text(SETTINGS.format(recipient=recipient, strategy=strategy))
    out = tmp_path / "repo"
    built = run_build(kon, str(out), layout="flux")
    assert built.exit_code == 0, built.messages
    before = read_tree(out)
    again = run_build(kon, str(out), layout="flux", write=refuse)
    assert again.exit_code == 0 and again.written == [] and again.removed == []
    assert read_tree(out) == before
    assert run_build(kon, str(out), layout="flux", check=True).exit_code == 0

    # What PROD's files hold: the generated passwords Koncierge made (none under the strategies
    # that make them in the cluster) and the user name written in the file.
    passwords = json.loads(state_path(kon).read_text())["passwords"] if state_path(kon).exists() else {}
    prod_passwords = {value for key, value in passwords.items() if key.split("/")[1] == "PROD"}
    assert bool(prod_passwords) is (strategy in ("plain", "sops"))
    prod_files = {path: data for path, data in before.items() if path.startswith("todo/PROD/")}
    assert prod_files

    def readable(value: str) -> bool:
        return any(form.encode() in data for data in prod_files.values() for form in encodings(value))

    if strategy in ("sops", "external-secrets"):
        assert not any(readable(value) for value in prod_passwords | {DB_USER}), strategy
    elif strategy == "volume":
        # Generated passwords never leave the cluster; a value written in the file stays a Secret.
        assert readable("develop")
    else:
        assert all(readable(value) for value in prod_passwords | {DB_USER})
