"""`[secrets]`, `[secrets.sops]`, `[secrets.external-secrets]` and `[environments.NAME] secrets` in
koncierge.toml: each environment's strategy, and the settings each strategy needs (docs/secrets.md)."""

from __future__ import annotations

import pytest

from koncierge_lang.settings import parse_settings, secret_store_key

AGE = "age1e4kx2lym5we6ghu3vtqzp9mtrafknh3hmu47muk6etvt0rnkf3tsvkmfgm"


def codes_and_messages(text: str) -> list[tuple[str, str]]:
    return [(diagnostic.code, diagnostic.message) for diagnostic in parse_settings(text).diagnostics]


def test_each_environment_has_a_strategy_plain_by_default() -> None:
    settings = parse_settings(
        f'[secrets]\nstrategy = "sops"\n\n[secrets.sops]\nage_recipients = ["{AGE}"]\n\n'
        '[environments.LOCAL]\nsecrets = "plain"\n'
    )
    assert settings.diagnostics == ()
    assert settings.settings.secrets_strategy_of("LOCAL") == "plain"
    assert settings.settings.secrets_strategy_of("PROD") == "sops"
    assert settings.settings.sops_age_recipients == (AGE,)
    assert parse_settings("").settings.secrets_strategy_of("PROD") == "plain"


def test_external_secrets_settings_and_key_pattern() -> None:
    result = parse_settings(
        '[secrets]\nstrategy = "external-secrets"\n\n[secrets.external-secrets]\nstore = "vault"\n'
        'store_kind = "SecretStore"\nkey_pattern = "teams/{application}/{environment}/{name}"\n'
    )
    assert result.diagnostics == ()
    settings = result.settings
    assert (settings.external_secrets_store, settings.external_secrets_store_kind) == ("vault", "SecretStore")
    assert secret_store_key(settings.external_secrets_key_pattern, "todo", "PROD", "db_password") == (
        "teams/todo/PROD/db_password"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[secrets]\nstrategy = "vault"\n', "expected one of"),
        ('[secrets]\nstrategy = "sops"\n', "needs at least one recipient"),
        ('[environments.PROD]\nsecrets = "external-secrets"\n', "needs the store to read from"),
        ('[secrets.sops]\nage_recipients = "age1abc"\n', "expected a list of strings"),
        ('[secrets.sops]\nage_recipients = ["age1abc"]\n', "is not an age public key"),
        ('[secrets.sops]\npgp_fingerprints = ["XYZ"]\n', "is not a PGP key fingerprint"),
        ('[secrets.external-secrets]\nkey_pattern = "{application}/{env}/{name}"\n', "`{env}` is not a field"),
        ('[secrets.external-secrets]\nkey_pattern = "{application}/{environment}"\n', "must contain `{name}`"),
        ('[secrets.external-secrets]\nstore_kind = "Vault"\n', "expected one of"),
        ('[secrets.external-secrets]\nrefresh_interval = "hourly"\n', "is not a duration"),
    ],
)
def test_wrong_secrets_settings_are_kon321(text: str, expected: str) -> None:
    found = codes_and_messages(text)
    assert [code for code, _ in found] == ["KON321"], found
    assert expected in found[0][1]


def test_an_unknown_key_of_a_nested_table_is_kon320_with_did_you_mean() -> None:
    found = codes_and_messages('[secrets.sops]\nage_recipient = []\n')
    assert [code for code, _ in found] == ["KON320"]
    assert "[secrets.sops]" in found[0][1] and "age_recipients" in found[0][1]
    located = parse_settings('[secrets]\nstrategy = "plain"\n\n[secrets.sops]\nage_recipient = []\n').diagnostics
    assert (located[0].span.start_line, located[0].span.start_column) == (5, 1)
    unknown_nested = codes_and_messages('[secrets.vault]\nstore = "x"\n')
    assert [code for code, _ in unknown_nested] == ["KON320"] and "sops" in unknown_nested[0][1]
