"""Configuration from the environment and `.env`; every key is listed in `.env.example`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/sales_pulse.sqlite3"
TELEGRAM_API_URL = "https://api.telegram.org"

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
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
            key = ".".join(str(part) for part in error["loc"]).upper() or "?"
            lines.append(f"{key}: {error['msg']}")
        raise ConfigError("\n".join(lines)) from exc
