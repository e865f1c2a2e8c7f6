"""Days off and /me, as a manager uses them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from domain.daily import DateRangeError, parse_date_range, working_days_between
from models import Absence
from models.db import SessionPool
from scheduler.jobs import Jobs, run_job
from tests.bot_client import Harness
from tests.scenarios import team_with_managers

MONDAY = date(2026, 11, 23)


def test_date_ranges_as_people_type_them():
    assert parse_date_range("25.11", MONDAY) == (date(2026, 11, 25), date(2026, 11, 25))
    assert parse_date_range("25.11-27.11", MONDAY) == (date(2026, 11, 25), date(2026, 11, 27))
    assert parse_date_range("28.12 - 9.01", MONDAY) == (date(2026, 12, 28), date(2027, 1, 9))
    assert parse_date_range("5.01", MONDAY) == (date(2027, 1, 5), date(2027, 1, 5))
    assert parse_date_range("25.11.2026 по 2.12.2026", MONDAY) == (
        date(2026, 11, 25), date(2026, 12, 2)
    )  # fmt: skip
    for bad in ("", "завтра", "31.02", "01.11.2026", "25.11-24.11.2026", "1.12-1.03"):
        try:
            parse_date_range(bad, MONDAY)
        except DateRangeError:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_working_days_skip_weekends_and_leave():
    def weekday(day: date) -> bool:
        return day.isoweekday() <= 5

    first, last = MONDAY, MONDAY + timedelta(days=13)
    assert working_days_between(first, last, weekday) == 10
    leave = [(MONDAY + timedelta(days=1), MONDAY + timedelta(days=2))]
    assert working_days_between(first, last, weekday, leave) == 8


async def test_vacation_range_stops_prompts_and_can_be_cancelled(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/off")
    assert "Ничего не отмечено" in ivan.last.text
    await ivan.press("Другие даты")
    await ivan.send("вчера и завтра")
    assert "Не понял даты" in ivan.last.text
    await ivan.send("23.11-25.11")
    await ivan.press("Отпуск")
    assert "Отмечено: Отпуск, 23 ноября 2026" in ivan.last.text

    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    report = await run_job(jobs, "morning")
    assert report.skipped == {"on leave": 1}

    await ivan.send("/off")
    assert "Отпуск: 23 ноября 2026" in ivan.last.text
    await ivan.press("Отменить")
    async with session_pool() as session:
        absence = await session.scalar(select(Absence))
        assert absence is not None and absence.cancelled_at is not None
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)
    report = await run_job(jobs, "morning")
    assert report.sent == 1


async def test_tomorrow_sick_day_in_two_taps(harness: Harness, session_pool: SessionPool):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/off")
    await ivan.press("Завтра")
    await ivan.press("Больничный")
    async with session_pool() as session:
        absence = await session.scalar(select(Absence))
        assert absence is not None
        assert (absence.kind, absence.first_day, absence.last_day) == (
            "sick", date(2026, 11, 24), date(2026, 11, 24)
        )  # fmt: skip


async def test_someone_elses_absence_cannot_be_cancelled(
    harness: Harness, session_pool: SessionPool
):
    _head, [ivan, maria] = await team_with_managers(harness, "Иван", "Мария")
    await ivan.send("/off")
    await ivan.press("Завтра")
    await ivan.press("Выходной")
    await maria.click("off:cancel:0:0::1", message_id=1)
    assert maria.alerts[-1].startswith("Эта форма уже закрыта")
    async with session_pool() as session:
        absence = await session.scalar(select(Absence))
        assert absence is not None and absence.cancelled_at is None


async def test_me_shows_today_week_and_month_against_norms(harness: Harness):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.send("30 2 3 5 1 150000")
    await ivan.press("Подтвердить")
    await ivan.send("/report")
    await ivan.send("24 2 3 5 1 100000")
    await ivan.press("Клиенты не отвечали")
    await ivan.press("Без комментария")
    await ivan.press("Подтвердить")
    await ivan.send("/me")
    text = ivan.last.text.replace("\xa0", " ")
    assert "Звонки: 24 из 30" in text
    assert "Эта неделя</b> (1 раб. день)" in text
    assert "Звонки: 24 — норма 30 (80 %)" in text
    assert "Месяц</b> (1 раб. день)" in text, "norms count from the day Ivan joined"
    assert text.count("Звонки: 24 — норма 30 (80 %)") == 2
    assert "Оплаты (₽): 100 000" in text


async def test_month_norm_counts_workdays_without_holidays_and_leave(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    from datetime import UTC, datetime

    from models import Member

    _head, [ivan] = await team_with_managers(harness, "Иван")
    async with session_pool() as session:
        member = await session.scalar(select(Member).where(Member.telegram_id == ivan.user_id))
        assert member is not None
        member.joined_at = datetime(2026, 10, 15, tzinfo=UTC)
        sick = (date(2026, 11, 9), date(2026, 11, 10))
        session.add(
            Absence(team_id=member.team_id, member_id=member.id, kind="sick",
                    first_day=sick[0], last_day=sick[1], created_at=clock.now())
        )  # fmt: skip
        await session.commit()
    await ivan.send("/me")
    # November 1-23, 2026: 16 weekdays, minus Unity Day (4th), minus two sick days.
    assert "Месяц</b> (13 раб. дней)" in ivan.last.text
    assert "Звонки: 0 — норма 390 (0 %)" in ivan.last.text
