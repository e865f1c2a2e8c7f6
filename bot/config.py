"""Configuration from the environment and `.env`; every key is listed in `.env.example`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/sales_pulse.sqlite3"
TELEGRAM_API_URL = "https://api.telegram.org"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
# Telegram accepts 1-256 of these in a webhook's secret token.
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
DEFAULT_HTTP_PORT = 8080


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `KEY=` (as in .env.example) means "not set": the default applies.
        env_ignore_empty=True,
    )

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_api_url: AnyHttpUrl = AnyHttpUrl(TELEGRAM_API_URL)
    default_language: Literal["ru", "en"] = "ru"
    default_timezone: str = "Europe/Moscow"
    log_level: LogLevel = "INFO"
    invite_ttl_days: int = 7
    send_rate: float = 25.0
    run_scheduler: bool = True
    scheduler_tick_seconds: int = 60
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: SecretStr | None = None
    webhook_path: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int | None = None
    redis_url: str | None = None
    redis_key_prefix: str = "sales_pulse"

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown timezone {value!r}, use an IANA name like Europe/Moscow"
            ) from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "use sqlite+aiosqlite:///path/to/file.sqlite3 or "
                "postgresql+asyncpg://user:password@host:5432/dbname"
            )
        return value

    @field_validator("invite_ttl_days")
    @classmethod
    def _positive_ttl(cls, value: int) -> int:
        if not 1 <= value <= 90:
            raise ValueError("must be between 1 and 90 days")
        return value

    @field_validator("send_rate")
    @classmethod
    def _sane_rate(cls, value: float) -> float:
        if not 0.1 <= value <= 10_000:
            raise ValueError("must be between 0.1 and 10000 messages a second")
        return value

    @field_validator("scheduler_tick_seconds")
    @classmethod
    def _sane_tick(cls, value: int) -> int:
        if not 1 <= value <= 300:
            raise ValueError("must be between 1 and 300 seconds")
        return value

    @field_validator("http_port")
    @classmethod
    def _port(cls, value: int | None) -> int | None:
        if value is not None and not 0 <= value <= 65535:
            raise ValueError("must be a TCP port, 1 to 65535 (0 picks a free one)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://host:6379/0 (or rediss:// for TLS)")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _absolute_path(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError("must start with /, for example /telegram")
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Settings:
        if self.webhook_url is None:
            return self
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not SECRET_TOKEN.fullmatch(secret):
            raise ValueError(
                "WEBHOOK_SECRET: webhook mode needs a secret of 1-256 characters A-Z, a-z, "
                "0-9, _ and - (make one: python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')"
            )
        return self

    @property
    def webhook_mode(self) -> bool:
        return self.webhook_url is not None

    @property
    def webhook_listen_path(self) -> str:
        """Where the local server takes Telegram's posts: WEBHOOK_PATH, else the path of the
        public URL."""
        if self.webhook_path:
            return self.webhook_path
        path = urlsplit(str(self.webhook_url or "")).path
        return path if path not in ("", "/") else "/telegram"

    @property
    def serve_http(self) -> int | None:
        """The port of the HTTP server (webhook, /healthz, /metrics), or None for none: webhook
        mode always listens (8080 unless HTTP_PORT says otherwise); polling only when HTTP_PORT
        is set."""
        if self.webhook_mode:
            return DEFAULT_HTTP_PORT if self.http_port is None else self.http_port
        return self.http_port

    @property
    def api_base_url(self) -> str:
        return str(self.telegram_api_url).rstrip("/")

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite+aiosqlite:///"
        if not self.database_url.startswith(prefix):
            return None
        path = self.database_url[len(prefix) :]
        return None if path in ("", ":memory:") else Path(path)


class ConfigError(Exception):
    """A configuration value is wrong; the message names the key."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]).upper()
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{key}: {message}" if key else message)
        raise ConfigError("\n".join(lines)) from exc
