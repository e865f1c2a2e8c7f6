"""The real bot process, with the real aiogram HTTP client, against a local fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fake_telegram import FakeTelegram, FakeUser, RecordedRequest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e

OUTPUT = ("sendMessage", "editMessageText")


@dataclass
class RunningBot:
    tg: FakeTelegram
    process: asyncio.subprocess.Process

    async def reply(self, user: FakeUser, text: str, timeout: float = 15.0) -> RecordedRequest:
        mark = self.tg.mark()
        await user.send(text)
        return await self.tg.wait_for(OUTPUT, chat_id=user.id, after=mark, timeout=timeout)

    async def press(self, user: FakeUser, label: str, timeout: float = 15.0) -> RecordedRequest:
        mark = self.tg.mark()
        button = next(b for b in user.buttons() if label in b.text)
        await user.press(button.text)
        return await self.tg.wait_for(OUTPUT, chat_id=user.id, after=mark, timeout=timeout)


async def start_bot(tg: FakeTelegram, database: Path) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "4242:E2E-TOKEN",
        "TELEGRAM_API_URL": tg.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=database.parent, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def stop_bot(process: asyncio.subprocess.Process) -> bytes:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except TimeoutError:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    return await process.stderr.read()


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningBot]:
    async with FakeTelegram() as tg:
        process = await start_bot(tg, tmp_path / "bot.sqlite3")
        try:
            await tg.wait_for("getUpdates", timeout=30, ok=None)
            yield RunningBot(tg, process)
        finally:
            errors = await stop_bot(process)
            assert b"Traceback" not in errors, errors.decode(errors="replace")


async def test_onboarding_walk_through_real_process(running: RunningBot):
    tg = running.tg
    olga = tg.user(501, first_name="Ольга")
    ivan = tg.user(502, first_name="Иван")

    welcome = await running.reply(olga, "/start")
    assert "Sales Pulse" in (welcome.text or "")
    await running.press(olga, "Создать команду")
    await running.reply(olga, "Ромашка")
    created = await running.press(olga, "Москва")
    assert "создана" in (created.text or "")
    await running.press(olga, "Да, я и руководитель")
    assert tg.commands_for(501) == ["start", "help", "invite", "lang"]

    await running.reply(olga, "/invite")
    card = await running.press(olga, "Менеджер")
    link = next(word for word in (card.text or "").split() if "start=" in word)
    assert link.startswith("https://t.me/sales_pulse_bot?start=")

    joined = await running.reply(ivan, f"/start {link.split('start=')[1]}")
    assert "Добро пожаловать" in (joined.text or "")
    assert tg.commands_for(502) == ["start", "help", "plan", "report", "lang"]
    await tg.wait_for("sendMessage", chat_id=501, predicate=lambda r: "Иван" in (r.text or ""))

    refused = await running.reply(ivan, "/invite")
    assert "доступна другой роли" in (refused.text or "")

    stranger = tg.user(503, first_name="Пётр")
    wrong = await running.reply(stranger, "/start NOSUCHCODE123")
    assert "Такого приглашения нет" in (wrong.text or "")
    assert tg.commands_for(503) == []
    assert tg.unanswered_callbacks() == []


async def test_state_survives_a_restart_of_the_process(tmp_path: Path):
    async with FakeTelegram() as tg:
        database = tmp_path / "bot.sqlite3"
        olga = tg.user(601, first_name="Ольга")
        process = await start_bot(tg, database)
        bot = RunningBot(tg, process)
        await tg.wait_for("getUpdates", timeout=30, ok=None)
        await bot.reply(olga, "/start")
        await bot.press(olga, "Создать команду")
        await bot.reply(olga, "Ромашка")
        await stop_bot(process)

        process = await start_bot(tg, database)
        bot = RunningBot(tg, process)
        try:
            created = await bot.press(olga, "Москва", timeout=30)
            assert "Ромашка" in (created.text or "") and "создана" in (created.text or "")
        finally:
            await stop_bot(process)
