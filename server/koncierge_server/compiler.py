"""The editor's lowering of each environment: the core's `lower_file`, with placeholder passwords.

Lowering itself and the problems it finds are the core's (`koncierge_lang.lowering`: KON323,
KON324 for generated objects Kubernetes would refuse, KON325 when the compiler fails), so the
editor reports exactly what `koncierge check` and `koncierge build` would. What is editor-specific
stays here: the platform settings beside the file are read leniently (their own problems are
`koncierge check`'s and `koncierge build`'s to report), and generated passwords are never made or
read: the editor must not write the build's state file, so each generated secret is the core's
placeholder in the manifests the `koncierge/manifests` request returns.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from koncierge_lang.analysis import Analysis
from koncierge_lang.lowering import GENERATED_PLACEHOLDER, LoweredEnvironment, lower_file
from koncierge_lang.settings import Settings, load_settings

__all__ = ["GENERATED_PLACEHOLDER", "LoweredEnvironment", "lower", "settings_for"]


def settings_for(path: str | None) -> Settings:
    """The platform settings beside the file, or the defaults (their own problems are not ours)."""
    if not path:
        return Settings()
    try:
        return load_settings(Path(path)).settings
    except Exception:  # noqa: BLE001 - an unreadable koncierge.toml must not stop the editor.
        return Settings()


def lower(
    analysis: Analysis, settings: Settings, should_stop: Callable[[], bool] | None = None
) -> list[LoweredEnvironment]:
    """Every (application, environment) of the file, lowered. Never raises on a compiler bug; raises
    `LoweringStopped` between two environments when `should_stop()` says so."""
    return lower_file(analysis.requirements.applications, settings, should_stop=should_stop)
