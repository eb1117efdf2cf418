"""The image and script of the `volume` secrets strategy's init container, which creates generated
passwords on first start inside the cluster (docs/secrets.md).

The image is BusyBox at a pinned version: a shell, `tr`, `head`, `mktemp` and `ln` in about 4 MB,
with no package manager and nothing listening. The script never replaces a password that exists:
each one is written to a temporary file and hard-linked to its name, which fails when the name
already exists, so pods starting at the same moment on different nodes agree on the first one
written (a hard link is atomic on local disks and on NFS, CephFS and the other shared filesystems
that offer ReadWriteMany).
"""

from __future__ import annotations

PASSWORDS_IMAGE = "busybox:1.37.0"
"""Pinned: a password's creation must not change with an image tag that moves."""

PASSWORDS_INIT_DIRECTORY = "/koncierge-passwords"
"""Where the init container mounts the whole volume."""

PASSWORDS_DIRECTORY = "/run/koncierge/passwords"
"""Where a program finds each password it uses, one read-only file per password named after it
(`/run/koncierge/passwords/db_password`); it sees only its own."""

PASSWORDS_CLAIM_SIZE = "16Mi"
"""Passwords are tiny; provisioners that have a minimum size round the request up."""

# Letters and digits, as the passwords Koncierge makes itself: no quoting needed in URLs, shells
# or connection strings.
_ALPHABET = "A-Za-z0-9"


def password_creation_script(passwords: tuple[tuple[str, int], ...]) -> str:
    """The shell script that makes each missing (file name, length) in the current volume."""
    lines = [
        "set -eu",
        f"cd {PASSWORDS_INIT_DIRECTORY}",
        "create() {",
        '  [ -s "$1" ] && return 0',
        '  temporary="$(mktemp ".$1.XXXXXX")"',
        f'  LC_ALL=C tr -dc \'{_ALPHABET}\' < /dev/urandom | head -c "$2" > "$temporary"',
        '  chmod 0444 "$temporary"',
        "  # A hard link never replaces a file: where two pods start at once, the first password wins.",
        '  ln "$temporary" "$1" 2>/dev/null || true',
        '  rm -f "$temporary"',
        '  [ -s "$1" ]',
        "}",
    ]
    lines.extend(f"create {name} {length}" for name, length in passwords)
    return "\n".join(lines)
