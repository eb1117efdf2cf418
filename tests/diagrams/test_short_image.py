"""Image digests are cut in diagram labels, so that nodes stay narrow."""

from __future__ import annotations

from koncierge_lang.diagrams.model import short_image


def test_digests_are_cut_to_twelve_digits_and_tags_kept() -> None:
    digest = "0123456789abcdef" * 4
    assert short_image(f"mysql:8.4@sha256:{digest}") == "mysql:8.4@sha256:0123456789ab…"
    assert short_image("mysql:8.4") == "mysql:8.4"
    assert short_image("mysql@sha256:0123") == "mysql@sha256:0123"
