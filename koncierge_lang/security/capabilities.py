"""Linux capabilities, as hardened containers add them back (issue 13, docs/security.md).

Hardened containers drop every capability. A program that binds a port below 1024 needs
`NET_BIND_SERVICE`, which the compiler adds by itself; anything else the author adds with
`capabilities NAME, ...`. The names are the kernel's (`include/uapi/linux/capability.h`, Linux 6.x),
without the `CAP_` prefix, as Kubernetes writes them.
"""

from __future__ import annotations

LINUX_CAPABILITIES: tuple[str, ...] = (
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
)

PRIVILEGED_PORT_CAPABILITY = "NET_BIND_SERVICE"
"""Added by itself to a hardened container whose program listens on a port below 1024."""

PRIVILEGED_PORT_LIMIT = 1024

# What an intruder in the container gains with a capability, for the warning (KON312). The
# capabilities not listed get a generic sentence.
CAPABILITY_RISKS: dict[str, str] = {
    "NET_BIND_SERVICE": "it may listen on any port below 1024, which other programs may trust as privileged",
    "CHOWN": "it may give any file it can reach to any user",
    "DAC_OVERRIDE": "it may read and write any file it can reach, whatever its permissions",
    "DAC_READ_SEARCH": "it may read any file it can reach, whatever its permissions",
    "FOWNER": "it may change the permissions of any file it can reach",
    "FSETID": "it may keep set-user-ID bits on files it changes",
    "KILL": "it may signal processes of other users in the container",
    "SETUID": "it may become any user, root included",
    "SETGID": "it may join any group, root's included",
    "SETPCAP": "it may hand capabilities on to other processes",
    "NET_ADMIN": "it may reconfigure the pod's network, firewall included",
    "NET_RAW": "it may forge packets and spoof other pods on the node's network",
    "SYS_ADMIN": "it may mount file systems and do most of what root does: close to no hardening at all",
    "SYS_PTRACE": "it may read and change the memory of other processes in the pod",
    "SYS_MODULE": "it may load code into the node's kernel",
    "SYS_RAWIO": "it may access the node's devices directly",
    "SYS_TIME": "it may change the node's clock",
    "SYS_BOOT": "it may reboot the node",
    "MKNOD": "it may create device files",
    "SETFCAP": "it may give capabilities to programs on disk",
    "BPF": "it may load programs into the node's kernel",
    "PERFMON": "it may observe other processes of the node",
}


def normalised_capability(written: str) -> str:
    """A capability as Kubernetes writes it: upper case, without the `CAP_` prefix."""
    name = written.upper()
    return name[4:] if name.startswith("CAP_") else name


def capability_risk(name: str) -> str:
    return CAPABILITY_RISKS.get(name, f"it holds `{name}`, which hardened containers drop")
