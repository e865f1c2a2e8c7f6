"""Configuration: defaults that work with nothing set, and bad values named at start."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_need_nothing(monkeypatch: pytest.MonkeyPatch):
    for key in Settings.model_fields:
        monkeypatch.delenv(key.upper(), raising=False)
    settings = load_settings()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.api_base_url == "https://api.telegram.org"
    assert settings.default_language == "ru"
    assert settings.default_timezone == "Europe/Moscow"
    assert settings.bot_token is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DEFAULT_TIMEZONE", "Mars/Olympus"),
        ("DEFAULT_LANGUAGE", "de"),
        ("DATABASE_URL", "mysql://localhost/db"),
        ("TELEGRAM_API_URL", "not a url"),
        ("LOG_LEVEL", "LOUD"),
        ("INVITE_TTL_DAYS", "0"),
    ],
)
def test_bad_value_names_its_key(monkeypatch: pytest.MonkeyPatch, key: str, value: str):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith(f"{key}:")


def test_token_is_secret_in_logs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BOT_TOKEN", "123:SECRET")
    settings = load_settings()
    assert "SECRET" not in repr(settings)
    assert settings.bot_token is not None
    assert settings.bot_token.get_secret_value() == "123:SECRET"


def test_custom_api_url_is_used_without_trailing_slash(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    assert load_settings().api_base_url == "http://127.0.0.1:8081"


def test_env_example_lists_every_setting_with_a_comment():
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    keys = [line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z_]+=", line)]
    assert sorted(keys) == sorted(name.upper() for name in Settings.model_fields)
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            assert lines[index - 1].startswith("#"), f"{line} has no comment above it"


def _run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_token_the_bot_says_what_to_do(tmp_path: Path):
    result = _run_bot(tmp_path)
    assert result.returncode == 1
    assert "BOT_TOKEN is not set" in result.stderr
    assert "@BotFather" in result.stderr
    assert "python -m bot demo" in result.stderr


def test_bad_setting_stops_the_bot_with_its_name(tmp_path: Path):
    result = _run_bot(tmp_path, BOT_TOKEN="1:x", DEFAULT_TIMEZONE="Nowhere/Land")
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("secret", [None, "", "has spaces", "x" * 257, "кириллица"])
def test_webhook_mode_needs_a_valid_secret(monkeypatch: pytest.MonkeyPatch, secret: str | None):
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/telegram")
    if secret is not None:
        monkeypatch.setenv("WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith("WEBHOOK_SECRET:")
    assert "secrets.token_urlsafe" in str(error.value)


def test_webhook_listens_on_the_public_path_unless_told(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/hooks/sales")
    monkeypatch.setenv("WEBHOOK_SECRET", "abc_DEF-123")
    settings = load_settings()
    assert settings.webhook_mode
    assert settings.webhook_listen_path == "/hooks/sales"
    assert settings.serve_http == 8080
    monkeypatch.setenv("WEBHOOK_PATH", "/telegram")
    monkeypatch.setenv("HTTP_PORT", "9000")
    settings = load_settings()
    assert (settings.webhook_listen_path, settings.serve_http) == ("/telegram", 9000)


def test_polling_serves_http_only_when_asked(monkeypatch: pytest.MonkeyPatch):
    for key in Settings.model_fields:
        monkeypatch.delenv(key.upper(), raising=False)
    assert load_settings().serve_http is None
    monkeypatch.setenv("HTTP_PORT", "9100")
    assert load_settings().serve_http == 9100


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("REDIS_URL", "localhost:6379"),
        ("HTTP_PORT", "70000"),
        ("WEBHOOK_PATH", "telegram"),
        ("SCHEDULER_TICK_SECONDS", "0"),
    ],
)
def test_bad_server_settings_name_their_key(monkeypatch: pytest.MonkeyPatch, key: str, value: str):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith(f"{key}:")


@pytest.mark.parametrize("module", ["bot", "scheduler"])
def test_help_works_without_a_token(tmp_path: Path, module: str):
    result = subprocess.run(
        [sys.executable, "-m", module, "--help"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"python -m {module}" in result.stdout
    assert "BOT_TOKEN" not in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DATABASE_URL": "postgresql+asyncpg://bot:hunter2@127.0.0.1:1/sales"},
            "Cannot reach the database at postgresql+asyncpg://bot:***@127.0.0.1:1/sales",
        ),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "Cannot reach Redis at redis://127.0.0.1:1/0"),
    ],
)
def test_an_unreachable_server_is_one_clear_line(
    tmp_path: Path, env: dict[str, str], expected: str
):
    result = _run_bot(tmp_path, BOT_TOKEN="1:x", **env)
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), result.stderr
    assert "hunter2" not in result.stderr


def test_a_copy_of_env_example_starts_with_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    for key in Settings.model_fields:
        monkeypatch.delenv(key.upper(), raising=False)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.webhook_url is None and settings.http_port is None
    assert settings.redis_url is None and settings.database_url == DEFAULT_DATABASE_URL
