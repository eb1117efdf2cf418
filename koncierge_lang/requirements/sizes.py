"""Component sizes (`size small|medium|large`): the CPU and memory a program asks for and may use.

A size is the same in every environment, and wins over the environment's defaults and the
platform's `[resources]` settings (docs/security.md). Requests are what the scheduler reserves;
limits are what the container may use before it is throttled (CPU) or stopped (memory).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ComponentSize:
    name: str
    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str
    meant_for: str


COMPONENT_SIZES: dict[str, ComponentSize] = {
    size.name: size
    for size in (
        ComponentSize("small", "50m", "64Mi", "250m", "128Mi", "a small web server, a proxy, a worker that mostly waits"),
        ComponentSize("medium", "250m", "256Mi", "1", "512Mi", "a typical application server or a small database"),
        ComponentSize("large", "1", "1Gi", "2", "2Gi", "a busy server, a JVM with a large heap, a database with a large cache"),
    )
}
