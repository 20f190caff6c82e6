"""One settings object, read from ``THEKE_*`` environment variables at the entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from theke.errors import ConfigurationError

__all__ = ["DEV_SECRET_KEY", "Settings", "is_sqlite", "sqlalchemy_url"]

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - the placeholder we refuse


class Settings(BaseSettings):
    """Everything an installation can configure; built once and passed down."""

    model_config = SettingsConfigDict(env_prefix="THEKE_", extra="ignore")

    bot: Path = Field(default=Path("."), description="The bot folder.")
    env: Literal["development", "production"] = "development"
    database_url: str | None = Field(
        default=None, description="sqlite:///PATH or postgresql://...; default: BOT/.theke/theke.db"
    )
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    public_url: str = "http://127.0.0.1:8000"
    widget_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 256 * 1024
    api_max_body_bytes: int = 8 * 1024 * 1024  # the shop system's /api/v1 (catalog uploads)
    long_poll_seconds: float = 25.0
    lease_seconds: float = 30.0
    send_max_attempts: int = 8
    send_backoff_base: float = 1.0
    send_backoff_cap: float = 300.0
    send_claim_seconds: float = 60.0
    worker_batch: int = 256
    turn_runners: int = 1
    poll_interval: float = 0.5
    reload_seconds: float = 2.0  # how often the bot folder is checked for edits; 0: never
    telegram_api_base: str = "https://api.telegram.org"
    telegram_bot_token: SecretStr | None = None
    telegram_secret_token: SecretStr | None = None
    telegram_rate: float = 30.0  # messages per second in total (Telegram's bulk limit)
    telegram_chat_rate: float = 1.0  # messages per second in one chat (short bursts pass)
    messenger_api_base: str = "https://graph.facebook.com/v25.0"
    messenger_page_access_token: SecretStr | None = None
    messenger_app_secret: SecretStr | None = None
    messenger_verify_token: SecretStr | None = None
    messenger_page_id: str | None = None
    messenger_app_id: str | None = None  # tells our own echoes from a person's in Meta's inbox
    messenger_rate: float = 300.0  # Send API calls per second per page
    whatsapp_api_base: str = "https://graph.facebook.com/v25.0"
    whatsapp_access_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_phone_number_id: str | None = None
    whatsapp_rate: float = 80.0  # messages per second per number (Cloud API's default)
    human_pause_minutes: float = 30.0  # a reply typed in Meta's own inbox pauses the bot this long
    media_dir: Path | None = Field(
        default=None, description="Where customers' media is kept; default: BOT/.theke/media"
    )
    media_max_bytes: int = 25 * 1024 * 1024
    media_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="More host[:port]s media is fetched from, besides the platforms' own.",
    )
    stripe_api_base: str = "https://api.stripe.com"
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None  # whsec_...: checks Stripe-Signature
    smtp_url: str | None = Field(
        default=None,
        description="smtp://user:password@host:587 (STARTTLS), smtps://...:465, or smtp://host:25",
    )
    mail_from: str = "shop@example.com"  # the sender of order confirmations
    shop_webhook_url: str | None = None  # where order.created/paid/cancelled are POSTed
    shop_webhook_secret: SecretStr | None = None  # signs them: X-Theke-Signature
    inbox_webhook_url: str | None = None  # where conversation.waiting is POSTed (for agents)
    inbox_webhook_secret: SecretStr | None = None  # signs it: X-Theke-Signature
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"

    @field_validator("widget_origins", "media_hosts", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        return value

    def resolved_database_url(self) -> str:
        """The database URL in SQLAlchemy's form, defaulting into the bot folder."""
        if self.database_url:
            return sqlalchemy_url(self.database_url)
        path = (self.bot / ".theke" / "theke.db").resolve()
        return f"sqlite:///{path}"

    def resolved_media_dir(self) -> Path:
        return (self.media_dir or self.bot / ".theke" / "media").resolve()

    def allowed_origins(self) -> list[str]:
        """Origins allowed to embed the widget: the configured ones plus our own."""
        own = _origin(self.public_url)
        local = [f"http://{self.host}:{self.port}"]
        if self.host in ("127.0.0.1", "0.0.0.0"):  # noqa: S104 - a comparison, not a bind
            local.append(f"http://localhost:{self.port}")
        return list(dict.fromkeys([*self.widget_origins, own, *local]))

    def check_secrets(self) -> None:
        """Refuse the development placeholder secret outside development, and webhooks (to
        the shop system or the inbox's receiver) that nobody could verify."""
        if self.env != "development" and self.secret_key.get_secret_value() == DEV_SECRET_KEY:
            raise ConfigurationError(
                "THEKE_SECRET_KEY is the development placeholder; set a long random value "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if self.smtp_url and self.mail_from.endswith("@example.com"):
            raise ConfigurationError(
                "THEKE_SMTP_URL is set but THEKE_MAIL_FROM is still the placeholder "
                f"{self.mail_from}: set the address order confirmations come from"
            )
        _check_webhook("SHOP", self.shop_webhook_url, self.shop_webhook_secret, "the shop system")
        _check_webhook(
            "INBOX",
            self.inbox_webhook_url,
            self.inbox_webhook_secret,
            "the notifications' receiver",
        )


def _check_webhook(name: str, url: str | None, secret: SecretStr | None, receiver: str) -> None:
    """A webhook URL needs a secret its receiver can check the signature with."""
    if url and (secret is None or len(secret.get_secret_value()) < 16):
        raise ConfigurationError(
            f"THEKE_{name}_WEBHOOK_URL is set but THEKE_{name}_WEBHOOK_SECRET is missing or "
            f"shorter than 16 characters: {receiver} could not tell Theke's webhooks "
            f"from anyone's; set a long random value and give it to {receiver}"
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sqlalchemy_url(url: str) -> str:
    """Accept plain ``sqlite:///`` and ``postgresql://`` URLs; choose the driver inside."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigurationError(
            f"THEKE_DATABASE_URL {url!r} is not a URL; use sqlite:///PATH or postgresql://HOST/DB"
        )
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"sqlite://{rest}"
    if base in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    raise ConfigurationError(
        f"THEKE_DATABASE_URL scheme {scheme!r} is not supported; use sqlite:/// or postgresql://"
    )


def is_sqlite(url: str) -> bool:
    """Whether an (async or plain) database URL points at SQLite."""
    return url.startswith("sqlite")
