"""How serious a diagnostic is: the one thing the catalogue and the diagnostic model both need.

It has a module of its own so that the catalogue (which gives each code its severity) and the
model (which looks codes up in the catalogue) import it from below instead of from each other.
"""

from __future__ import annotations

import enum


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"
