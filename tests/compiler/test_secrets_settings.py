"""`[secrets]`, `[secrets.sops]`, `[secrets.external-secrets]` and `[environments.NAME] secrets` in
koncierge.toml: each environment's strategy, the settings each strategy needs, and KON329 where a
`from store` secret is used in an environment whose strategy cannot read a store (docs/secrets.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from koncierge_lang.analysis import analyze
from koncierge_lang.build_pipeline import BuildOutcome, run_build
from koncierge_lang.lowering import compiler_diagnostics, lower_file
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


STORE_KON = """application shop "Shop" {
  environment DEV "shop.dev.example.com"
  environment PROD "shop.example.com" after DEV

  secret stripe_key = from store "payments/stripe-key"
  value stripe = stripe_key

  component web {
    image "nginx:1.27"
    port 8080
    env STRIPE_KEY = stripe as file
    env PLAIN = "no secret here"
  }
}
"""


def store_build(tmp_path: Path, settings: str) -> BuildOutcome:
    tmp_path.mkdir(parents=True, exist_ok=True)
    kon = tmp_path / "shop.kon"
    kon.write_text(STORE_KON)
    (tmp_path / "koncierge.toml").write_text(settings)
    return run_build(kon, str(tmp_path / "out"))


def kon329(outcome: BuildOutcome) -> list[str]:
    return [
        diagnostic.message for report in outcome.reports for diagnostic in report.diagnostics if diagnostic.code == "KON329"
    ]


def test_a_store_secret_where_the_strategy_cannot_read_a_store_is_kon329_at_the_use(tmp_path: Path) -> None:
    refused = store_build(tmp_path, "")
    assert refused.exit_code == 1 and not (tmp_path / "out").exists()
    (message,) = kon329(refused)
    assert message.startswith("in DEV, PROD: `STRIPE_KEY` uses a secret that lives only in a secret store")
    assert "`payments/stripe-key`" in message and "`plain`" in message
    located = next(d for report in refused.reports for d in report.diagnostics if d.code == "KON329")
    assert (located.span.start_line, located.span.start_column) == (11, 5)

    only_dev = store_build(
        tmp_path / "eso",
        '[secrets]\nstrategy = "external-secrets"\n[secrets.external-secrets]\nstore = "vault"\n'
        '[environments.DEV]\nsecrets = "sops"\n[secrets.sops]\nage_recipients = ["' + AGE + '"]\n',
    )
    (message,) = kon329(only_dev)
    assert message.startswith("in DEV: ") and "`sops`" in message


def test_the_editor_and_check_report_kon329_too(tmp_path: Path) -> None:
    kon = tmp_path / "shop.kon"
    kon.write_text(STORE_KON)
    analysis = analyze(STORE_KON, str(kon))
    lowered = lower_file(analysis.requirements.applications, parse_settings("").settings)
    assert [diagnostic.code for diagnostic in compiler_diagnostics(lowered)].count("KON329") == 1
    eso = parse_settings('[secrets]\nstrategy = "external-secrets"\n[secrets.external-secrets]\nstore = "vault"\n')
    lowered = lower_file(analysis.requirements.applications, eso.settings)
    assert "KON329" not in [diagnostic.code for diagnostic in compiler_diagnostics(lowered)]
