"""Secrets and personal data stay out of logs; the SQLite file is private to the bot's user."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from pathlib import Path

import pytest

from bot.logs import Redact
from models.db import create_engine
from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "4242:SECRET-token_value_0123456789abcdef"
WEBHOOK_SECRET = "webhook-secret-xyz_987"


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("t", logging.ERROR, __file__, 1, message, args or None, exc_info)


def rendered(filter_: Redact, item: logging.LogRecord) -> str:
    filter_.filter(item)
    return logging.Formatter("%(message)s").format(item)


def test_the_token_and_the_webhook_secret_are_masked_wherever_they_appear():
    redact = Redact([TOKEN, WEBHOOK_SECRET])
    try:
        raise ConnectionError(f"POST https://api.telegram.org/bot{TOKEN}/sendMessage failed")
    except ConnectionError as error:
        failure = error
    lines = [
        rendered(redact, record("request to /bot%s/getMe", TOKEN)),
        rendered(redact, record(f"secret header {WEBHOOK_SECRET} refused")),
        rendered(redact, record("network error", exc=failure)),
        rendered(
            redact, record("another bot's token 123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0")
        ),
    ]
    for line in lines:
        assert TOKEN not in line and WEBHOOK_SECRET not in line
        assert "AAHfiqksKZ8WmR2zSjiQ7" not in line
        assert "***" in line
    assert "Traceback" in lines[2], "the traceback is kept, masked"


async def test_a_running_bot_logs_no_token_or_personal_data_even_on_network_errors(
    tmp_path: Path,
):
    """At DEBUG, through a conversation and then a Bot API that stops answering: the log has
    neither the token nor what people typed or are called."""
    async with FakeTelegram() as tg:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": tg.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "LOG_LEVEL": "DEBUG",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            await tg.wait_for("getUpdates", timeout=30, ok=None)
            person = tg.user(777, first_name="Зинаида", last_name="Секретова")
            await person.ask("/start")
            await person.press("➕ Создать команду")
            await person.ask("Тайная компания Омега")
            await tg.stop()  # the Bot API goes away: polling fails with network errors
            await asyncio.sleep(4)
        finally:
            process.terminate()
            _, err = await asyncio.wait_for(process.communicate(), timeout=30)
    log = err.decode(errors="replace")
    assert "Cannot connect" in log or "ClientConnectorError" in log, "network errors were logged"
    assert TOKEN not in log and TOKEN.split(":")[1] not in log
    for private in ("Зинаида", "Секретова", "Тайная компания Омега"):
        assert private not in log


def test_the_sqlite_file_and_its_folder_are_private(tmp_path: Path):
    path = tmp_path / "data" / "bot.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    asyncio.run(engine.dispose())


@pytest.mark.parametrize("mode", [0o644, 0o600])
def test_an_existing_file_keeps_the_mode_its_operator_gave_it(tmp_path: Path, mode: int):
    path = tmp_path / "bot.sqlite3"
    path.touch(mode=mode)
    path.chmod(mode)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == mode
    asyncio.run(engine.dispose())
