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

HEAD_MENU = [
    "start",
    "help",
    "team",
    "digest",
    "forecast",
    "reasons",
    "invite",
    "target",
    "routine",
    "export",
    "settings",
    "lang",
    "forget",
]


@dataclass
class RunningBot:
    tg: FakeTelegram
    process: asyncio.subprocess.Process

    async def reply(
        self, user: FakeUser, text: str, expect: str | None = None, timeout: float = 15.0
    ) -> RecordedRequest:
        """Send `text`; the bot's first answer (containing `expect`), once it is done."""
        mark = self.tg.mark()
        await user.send(text)
        return await self._answer(user, mark, expect, timeout)

    async def press(
        self, user: FakeUser, label: str, expect: str | None = None, timeout: float = 15.0
    ) -> RecordedRequest:
        mark = self.tg.mark()
        button = next(b for b in user.buttons() if label in b.text)
        await user.press(button.text)
        return await self._answer(user, mark, expect, timeout)

    async def _answer(
        self, user: FakeUser, mark: int, expect: str | None, timeout: float
    ) -> RecordedRequest:
        def wanted(request: RecordedRequest) -> bool:
            return expect is None or expect in (request.text or "")

        first = await self.tg.wait_for(
            OUTPUT, chat_id=user.id, after=mark, predicate=wanted, timeout=timeout
        )
        await self.settle()
        return first

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until the bot has sent nothing for `quiet` seconds."""
        while True:
            seen = len([r for r in self.tg.requests if r.method != "getUpdates"])
            await asyncio.sleep(quiet)
            if len([r for r in self.tg.requests if r.method != "getUpdates"]) == seen:
                return


async def start_bot(tg: FakeTelegram, database: Path) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "4242:E2E-TOKEN",
        "TELEGRAM_API_URL": tg.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "LOG_LEVEL": "WARNING",
        # Prompts here come from run-job, at the test's pace; the schedule has its own tests.
        "RUN_SCHEDULER": "false",
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
    assert tg.commands_for(501) == HEAD_MENU

    await running.reply(olga, "/invite")
    card = await running.press(olga, "Менеджер")
    link = next(word for word in (card.text or "").split() if "start=" in word)
    assert link.startswith("https://t.me/sales_pulse_bot?start=")

    joined = await running.reply(ivan, f"/start {link.split('start=')[1]}")
    assert "Добро пожаловать" in (joined.text or "")
    assert tg.commands_for(502) == [
        "start",
        "help",
        "plan",
        "report",
        "off",
        "me",
        "lang",
        "forget",
    ]
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


async def run_job(tg: FakeTelegram, database: Path, job: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "4242:E2E-TOKEN",
        "TELEGRAM_API_URL": tg.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run-job", job, cwd=database.parent, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode()


def _every_day_is_a_workday(database: Path) -> None:
    """The walk must not depend on the weekday or holiday CI happens to run on."""
    import sqlite3

    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE teams SET workdays = '1234567', holiday_country = NULL")


def _stored(database: Path, name: str, kind: str) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT metrics.key, entry_values.value FROM entry_values "
            "JOIN metrics ON metrics.id = entry_values.metric_id "
            "JOIN day_entries ON day_entries.id = entry_values.entry_id "
            "JOIN members ON members.id = day_entries.member_id "
            "WHERE members.full_name = ? AND day_entries.kind = ?",
            (name, kind),
        ).fetchall()
    return {key: value // 100 for key, value in rows}


async def test_daily_loop_walk_through_real_process(tmp_path: Path):
    database = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as tg:
        process = await start_bot(tg, database)
        bot = RunningBot(tg, process)
        try:
            await tg.wait_for("getUpdates", timeout=30, ok=None)
            olga = tg.user(701, first_name="Ольга")
            await bot.reply(olga, "/start")
            await bot.press(olga, "Создать команду")
            await bot.reply(olga, "Ромашка")
            await bot.press(olga, "Москва")
            await bot.press(olga, "Да, я и руководитель")
            managers = []
            for user_id, name in ((711, "Иван"), (712, "Мария"), (713, "Пётр")):
                await bot.reply(olga, "/invite")
                card = await bot.press(olga, "Менеджер")
                code = (card.text or "").split("start=")[1].split()[0]
                manager = tg.user(user_id, first_name=name)
                joined_at = tg.mark()
                await bot.reply(manager, f"/start {code}")
                await tg.wait_for("sendMessage", chat_id=olga.id, after=joined_at)
                managers.append(manager)
            ivan, maria, petr = managers
            _every_day_is_a_workday(database)

            mark = tg.mark()
            assert "sent 3" in await run_job(tg, database, "morning")
            for manager in managers:
                await tg.wait_for("sendMessage", chat_id=manager.id, after=mark)
                assert "План на" in (manager.last_text() or "")

            card = await bot.reply(ivan, "30 2 3 5 1 150000")
            assert "Оплаты" in (card.text or "")
            saved = await bot.press(ivan, "Подтвердить")
            assert "План сохранён" in (saved.text or "")

            await bot.reply(maria, "нормы", expect="Сделки")
            await bot.reply(maria, "1", expect="Оплаты")
            await bot.reply(maria, "100к", expect="План на")
            await bot.press(maria, "Подтвердить", expect="сохранён")

            await bot.press(petr, "По шагам", expect="Звонки")
            await bot.press(petr, "норма", expect="Встречи")
            typo = await bot.reply(petr, "2,5", expect="целое число")
            assert "Встречи" in (typo.text or "")
            await bot.reply(petr, "2", expect="КП")
            await bot.press(petr, "норма", expect="Лиды")

            await stop_bot(process)
            process = await start_bot(tg, database)
            bot = RunningBot(tg, process)
            await tg.wait_for("getUpdates", timeout=30, ok=None, after=tg.mark())

            asked = await bot.reply(petr, "4")
            assert "Сделки" in (asked.text or ""), "the form continues after the restart"
            await bot.reply(petr, "0", expect="Оплаты")
            await bot.reply(petr, "1,5 млн", expect="План на")
            await bot.press(petr, "Подтвердить", expect="сохранён")

            assert "morning: sent 0," in await run_job(tg, database, "morning")

            mark = tg.mark()
            assert "sent 3" in await run_job(tg, database, "evening")
            await tg.wait_for("sendMessage", chat_id=ivan.id, after=mark)
            await bot.reply(ivan, "20 2 3 5 1 100000", expect="Что помешало")
            await bot.press(ivan, "Клиенты не отвечали", expect="Комментарий")
            await bot.reply(ivan, "Половина базы в отпуске", expect="Итоги")
            await bot.press(ivan, "Подтвердить", expect="сохранены")

            await bot.reply(maria, "30 2 3 5 1 100000", expect="Комментарий")
            await bot.press(maria, "Без комментария", expect="Итоги")
            await bot.press(maria, "Подтвердить", expect="сохранены")
            await bot.reply(maria, "/report", expect="Итоги")
            await bot.press(maria, "Изменить", expect="Ответьте")
            await bot.reply(maria, "звонки 35", expect="Итоги")
            await bot.press(maria, "Подтвердить", expect="✅")
        finally:
            errors = await stop_bot(process)
            assert b"Traceback" not in errors, errors.decode(errors="replace")

    assert _stored(database, "Иван", "plan") == {
        "calls": 30, "meetings": 2, "proposals": 3, "leads": 5, "deals": 1, "revenue": 150000
    }  # fmt: skip
    assert _stored(database, "Мария", "plan") == {
        "calls": 30, "meetings": 2, "proposals": 3, "leads": 5, "deals": 1, "revenue": 100000
    }  # fmt: skip
    assert _stored(database, "Пётр", "plan") == {
        "calls": 30, "meetings": 2, "proposals": 3, "leads": 4, "deals": 0, "revenue": 1500000
    }  # fmt: skip
    assert _stored(database, "Иван", "fact")["calls"] == 20
    assert _stored(database, "Мария", "fact")["calls"] == 35
