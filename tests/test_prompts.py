"""Morning and evening prompts sent by the job: to the right people, once per day."""

from __future__ import annotations

from datetime import date, datetime

from aiogram.methods import SendMessage
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from models import Absence, Delivery, Member
from models.db import SessionPool
from scheduler.jobs import JobReport, Jobs, run_job
from tests.bot_client import Harness
from tests.conftest import MOSCOW
from tests.scenarios import build, team_with_managers

MONDAY = date(2026, 11, 23)


async def run(
    harness: Harness,
    session_pool: SessionPool,
    clock: ManualClock,
    name: str,
    day: date | None = None,
) -> JobReport:
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    report = await run_job(jobs, name, day=day)
    harness.sync()
    return report


async def test_morning_prompt_reaches_each_manager_once(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, managers = await team_with_managers(harness, "Иван", "Мария", "Пётр")
    first = await run(harness, session_pool, clock, "morning")
    assert first.sent == 3
    for manager in managers:
        assert "План на понедельник, 23 ноября" in manager.last.text
    assert "План на" not in head.last.text, "a head who does not sell gets no prompt"
    again = await run(harness, session_pool, clock, "morning")
    assert again.sent == 0 and again.already == 3
    async with session_pool() as session:
        keys = (await session.execute(select(Delivery.key, Delivery.status))).all()
    assert len(keys) == 3 and {status for _key, status in keys} == {"sent"}


async def test_manager_answers_the_prompt_directly(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await run(harness, session_pool, clock, "morning")
    await ivan.send("30 2 3 5 1 150000")
    await ivan.press("Подтвердить")
    assert ivan.last.text.startswith("✅ План сохранён")
    clock.set(datetime(2026, 11, 23, 18, 0, tzinfo=MOSCOW))
    await run(harness, session_pool, clock, "evening")
    assert "Звонки — план 30" in ivan.last.text


async def test_no_prompts_on_leave_weekend_or_holiday_or_when_answered(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    _head, [ivan, maria] = await team_with_managers(harness, "Иван", "Мария")
    async with session_pool() as session:
        member_id = await session.scalar(
            select(Member.id).where(Member.telegram_id == maria.user_id)
        )
        assert member_id is not None
        session.add(
            Absence(team_id=1, member_id=member_id, kind="vacation", first_day=MONDAY,
                    last_day=date(2026, 11, 27), created_at=clock.now())
        )  # fmt: skip
        await session.commit()
    report = await run(harness, session_pool, clock, "morning")
    assert report.sent == 1 and report.skipped == {"on leave": 1}
    saturday = await run(harness, session_pool, clock, "morning", date(2026, 11, 28))
    assert saturday.sent == 0 and saturday.skipped == {"not a workday": 1}
    unity_day = await run(harness, session_pool, clock, "morning", date(2026, 11, 4))
    assert unity_day.skipped == {"not a workday": 1}

    await ivan.send("/report")
    await ivan.send("30 2 3 5 1 150000")
    await ivan.press("Без комментария")
    await ivan.press("Подтвердить")
    evening = await run(harness, session_pool, clock, "evening")
    assert evening.sent == 0 and evening.skipped == {"already answered": 1, "on leave": 1}


async def test_blocked_manager_is_marked_and_skipped_next_time(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    from aiogram.methods import SendMessage

    _head, [ivan] = await team_with_managers(harness, "Иван")
    harness.bot.session.queue_error(SendMessage, 403, "Forbidden: bot was blocked by the user")
    report = await run(harness, session_pool, clock, "morning")
    assert report.sent == 0 and report.skipped == {"blocked": 1}
    assert "Иван заблокировал(а) бота" in _head.last.text, "the head is told"
    async with session_pool() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == ivan.user_id))
        assert member is not None and member.bot_blocked_at is not None
    tomorrow = await run(harness, session_pool, clock, "morning", date(2026, 11, 24))
    assert tomorrow.skipped == {"bot blocked": 1}


async def test_a_large_team_does_not_exhaust_the_connection_pool(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    """Forty managers in one team: the sends in flight must not wait on each other for
    database connections (they once did, past fifteen)."""
    import asyncio

    from models import Member

    await team_with_managers(harness)
    async with session_pool() as session:
        for i in range(40):
            session.add(
                Member(team_id=1, telegram_id=3000 + i, full_name=f"М{i}", username=None,
                       is_owner=False, is_head=False, is_manager=True, active=True,
                       joined_at=clock.now())
            )  # fmt: skip
        await session.commit()
    report = await asyncio.wait_for(run(harness, session_pool, clock, "morning"), timeout=60)
    assert report.sent == 40


async def test_a_morning_of_many_teams_costs_statements_per_batch_not_per_manager(
    harness: Harness, engine: AsyncEngine, session_pool: SessionPool, clock: ManualClock
):
    """The morning tick reaches every team whose time has come; the database work must not
    grow with each manager, or a large morning falls far behind Telegram's rate."""
    chats = await build(session_pool, teams=25, managers=150, now=clock.now())
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", seen)
    try:
        report = await run(harness, session_pool, clock, "morning")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", seen)
    assert report.sent == 150
    prompted = [
        request.chat_id for request in harness.bot.requests if isinstance(request, SendMessage)
    ]
    assert sorted(prompted) == sorted(chats), "each manager exactly once"
    assert len(statements) < 150 / 3, f"{len(statements)} statements for 150 prompts"
    async with session_pool() as session:
        statuses = (await session.scalars(select(Delivery.status))).all()
    assert statuses == ["sent"] * 150
