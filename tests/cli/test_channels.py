"""``theke channels``: what a shop owner sees while setting up Telegram."""

from __future__ import annotations

from click.testing import CliRunner

from tests.conftest import DEMO_BOT
from theke.cli.main import cli
from theke.testing.telegram_api import TelegramApi

TOKEN = "123456:CLI-token"


def _env(api: TelegramApi | None = None, **more: str) -> dict[str, str]:
    env = {"THEKE_TELEGRAM_API_BASE": api.base_url} if api is not None else {}
    return {**env, **more}


def test_check_reports_each_channel() -> None:
    plain = CliRunner().invoke(cli, ["channels", "check", "--bot", str(DEMO_BOT)], env=_env())
    assert plain.exit_code == 0
    assert "telegram: not configured" in plain.stdout
    half = CliRunner().invoke(
        cli,
        ["channels", "check", "--bot", str(DEMO_BOT)],
        env=_env(THEKE_TELEGRAM_BOT_TOKEN=TOKEN),
    )
    assert half.exit_code == 1
    assert "missing THEKE_TELEGRAM_SECRET_TOKEN" in half.stdout


def test_check_names_every_missing_meta_setting() -> None:
    env = _env(THEKE_MESSENGER_PAGE_ACCESS_TOKEN="EAAB", THEKE_MESSENGER_PAGE_ID="1111")
    half = CliRunner().invoke(cli, ["channels", "check", "--bot", str(DEMO_BOT)], env=env)
    assert half.exit_code == 1
    assert (
        "messenger: incomplete, missing THEKE_MESSENGER_APP_SECRET, THEKE_MESSENGER_VERIFY_TOKEN"
    ) in half.stdout
    assert "whatsapp: not configured (docs/channels/whatsapp.md)" in half.stdout


def test_set_webhook_registers_the_url_with_the_secret() -> None:
    with TelegramApi(token=TOKEN) as api:
        env = _env(api, THEKE_TELEGRAM_BOT_TOKEN=TOKEN, THEKE_TELEGRAM_SECRET_TOKEN="s3cret_ok")
        url = "https://chat.shop.example/webhooks/telegram"
        result = CliRunner().invoke(
            cli, ["channels", "telegram", "set-webhook", url, "--bot", str(DEMO_BOT)], env=env
        )
        assert result.exit_code == 0, result.output
        assert api.webhook.url == url
        assert api.webhook.secret_token == "s3cret_ok"
        assert list(api.webhook.allowed_updates) == ["message", "callback_query", "my_chat_member"]


def test_set_webhook_says_what_telegram_refused() -> None:
    with TelegramApi(token=TOKEN) as api:
        api.revoke_token()
        env = _env(api, THEKE_TELEGRAM_BOT_TOKEN=TOKEN, THEKE_TELEGRAM_SECRET_TOKEN="s3cret_ok")
        args = ["channels", "telegram", "set-webhook", "https://x.example/webhooks/telegram"]
        result = CliRunner().invoke(cli, [*args, "--bot", str(DEMO_BOT)], env=env)
        assert result.exit_code == 2
        assert "Telegram refused the webhook" in result.output
        assert "401" in result.output
