"""The engine around downtime and crashes: catch up today only while useful, never twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select

import scheduler.delivery as delivery
from bot.clock import ManualClock
from models import Delivery
from models.db import SessionPool
from scheduler.delivery import Slot, deliver_once
from scheduler.engine import Engine
from scheduler.jobs import Jobs
from tests.bot_client import Harness
from tests.conftest import MOSCOW
from tests.scenarios import team_with_managers

MONDAY = date(2026, 11, 23)


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW)


def sends(harness: Harness, chat_id: int) -> list[str]:
    return [
        r.text for r in harness.bot.requests if isinstance(r, SendMessage) and r.chat_id == chat_id
    ]


async def run_until(engine: Engine, clock: ManualClock, until: datetime, harness: Harness) -> None:
    while clock.now() < until:
        clock.advance(timedelta(minutes=1))
        await engine.tick()
    harness.sync()


async def test_downtime_is_caught_up_the_same_day_and_only_while_useful(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, [ivan] = await team_with_managers(harness, "Иван")
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    clock.set(at(8, 0))
    await Engine(jobs).tick()
    assert not any("План на" in text for text in sends(harness, ivan.user_id))

    clock.set(at(12, 0))  # down from 08:00 to 12:00: the morning prompt is late but useful
    await Engine(jobs).tick()
    harness.sync()
    mine = sends(harness, ivan.user_id)
    assert sum("План на" in text for text in mine) == 1
    assert not any("Напоминание" in text for text in mine), "no reminder right on its heels"

    clock.set(at(21, 0))  # down from 12:00 to 21:00
    await Engine(jobs).tick()
    harness.sync()
    mine = sends(harness, ivan.user_id)
    assert sum("Итоги дня" in text for text in mine) == 1, "the evening prompt is still useful"
    assert sum("Напоминание" in text for text in mine) == 0, "the reminders' windows closed"
    digest = [text for text in sends(harness, head.user_id) if "Сводка за" in text]
    assert len(digest) == 1 and "Сводка опоздала" in digest[0]

    clock.set(at(8, 0, MONDAY + timedelta(days=1)))
    before = len(harness.bot.requests)
    await Engine(jobs).tick()
    assert len(harness.bot.requests) == before, "yesterday's sends are never caught up"


async def test_reminder_goes_an_hour_after_the_prompt_to_those_who_did_not_answer(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    _head, [ivan, maria] = await team_with_managers(harness, "Иван", "Мария")
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    engine = Engine(jobs, last_tick=at(9, 0))
    clock.set(at(9, 0))
    await run_until(engine, clock, at(9, 31), harness)
    await maria.send("30 2 3 5 1 100000")
    await maria.press("Подтвердить")
    await run_until(engine, clock, at(10, 31), harness)
    assert ivan.last.text.startswith("⏰ Напоминание: план на сегодня")
    assert not any("Напоминание" in text for text in sends(harness, maria.user_id))
    await ivan.press("Заполнить план")
    assert "План на понедельник" in ivan.last.text
    await run_until(engine, clock, at(11, 30), harness)
    assert sum("Напоминание" in text for text in sends(harness, ivan.user_id)) == 1


async def test_no_report_two_workdays_running_alerts_the_head_once(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, [ivan] = await team_with_managers(harness, "Иван")
    from models import Member

    async with session_pool() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == ivan.user_id))
        assert member is not None
        member.joined_at = datetime(2026, 11, 20, 6, tzinfo=UTC)  # joined on Friday
        await session.commit()
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    friday = date(2026, 11, 20)
    clock.set(at(19, 59, friday))
    engine = Engine(jobs, last_tick=clock.now())
    await run_until(engine, clock, at(20, 1, friday), harness)
    assert not any("нет отчёта 2" in text for text in sends(harness, head.user_id))
    clock.set(at(19, 59))
    await run_until(engine, clock, at(20, 30), harness)
    alerts = [text for text in sends(harness, head.user_id) if "нет отчёта 2" in text]
    assert len(alerts) == 1 and "Иван" in alerts[0]
    await Engine(jobs).tick()
    assert len([t for t in sends(harness, head.user_id) if "нет отчёта 2" in t]) == 1


SLOT = Slot("morning:member:1:2026-11-23", 1, None, "morning", MONDAY)


@pytest.mark.parametrize("crash_at", ["after_claim", "after_sending_mark", "after_send"])
async def test_a_crash_at_any_step_never_sends_twice(
    harness: Harness,
    session_pool: SessionPool,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
    crash_at: str,
):
    await team_with_managers(harness)
    sent: list[int] = []

    async def send() -> int:
        sent.append(1)
        if crash_at == "after_send":
            raise asyncio.CancelledError  # the process dies with the answer in flight
        return 1

    real_write = delivery.StatusLog._write
    calls = {"n": 0}

    async def crashing_write(self, batch):
        calls["n"] += 1
        if crash_at == "after_claim" and calls["n"] == 1:
            raise asyncio.CancelledError  # killed before the request left
        await real_write(self, batch)
        if crash_at == "after_sending_mark" and calls["n"] == 1:
            raise asyncio.CancelledError  # killed as the request was about to leave

    monkeypatch.setattr(delivery.StatusLog, "_write", crashing_write)
    with pytest.raises(asyncio.CancelledError):
        await deliver_once(session_pool, clock, SLOT, send)
    monkeypatch.setattr(delivery.StatusLog, "_write", real_write)

    # The process comes back and the engine tries again.
    async def send_again() -> int:
        sent.append(1)
        return 2

    await deliver_once(session_pool, clock, SLOT, send_again)
    async with session_pool() as session:
        row = await session.scalar(select(Delivery).where(Delivery.key == SLOT.key))
    assert row is not None
    if crash_at == "after_claim":
        assert len(sent) == 1 and row.status == "sent", "never sent, so sent after the restart"
    elif crash_at == "after_sending_mark":
        # The one window where a message can be lost rather than risk showing it twice.
        assert sent == [] and row.status == "sending"
    else:
        assert len(sent) == 1 and row.status == "sending", "maybe seen: never sent again"
