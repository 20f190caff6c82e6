"""Settings: database URLs in their plain form, the default database, unsafe secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from theke.errors import ConfigurationError
from theke.settings import Settings, sqlalchemy_url


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:///tmp/x.db", "sqlite:///tmp/x.db"),
        ("sqlite:////abs/x.db", "sqlite:////abs/x.db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_plain_urls_get_the_driver(given: str, used: str) -> None:
    assert sqlalchemy_url(given) == used


@pytest.mark.parametrize("url", ["mysql://h/db", "just-a-path.db"])
def test_unsupported_urls_say_what_works(url: str) -> None:
    with pytest.raises(ConfigurationError, match="sqlite"):
        sqlalchemy_url(url)


def test_the_bot_folder_decides_the_default_database(tmp_path: Path) -> None:
    settings = Settings(bot=tmp_path / "mybot")
    expected = (tmp_path / "mybot" / ".theke" / "theke.db").resolve()
    assert settings.resolved_database_url() == f"sqlite:///{expected}"


def test_production_refuses_the_placeholder_secret() -> None:
    with pytest.raises(ConfigurationError, match="THEKE_SECRET_KEY"):
        Settings(env="production").check_secrets()
    Settings(env="production", secret_key="x" * 40).check_secrets()  # type: ignore[arg-type]


def test_widget_origins_come_as_a_comma_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEKE_WIDGET_ORIGINS", "https://shop.example/, https://www.shop.example")
    origins = Settings().allowed_origins()
    assert origins[:2] == ["https://shop.example", "https://www.shop.example"]
    assert "http://127.0.0.1:8000" in origins


def test_webhooks_to_the_shop_system_need_a_secret_to_be_signed_with() -> None:
    unsigned = Settings(shop_webhook_url="https://erp.example/theke")
    with pytest.raises(ConfigurationError, match="THEKE_SHOP_WEBHOOK_SECRET"):
        unsigned.check_secrets()
    signed = Settings(shop_webhook_url="https://erp.example/theke", shop_webhook_secret="s" * 32)  # type: ignore[arg-type]
    signed.check_secrets()
