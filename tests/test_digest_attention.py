"""The digest puts new problems first: a slump on its second day leads, a long-known gap is one
short line, and a manager behind their target sees what it takes a day (working backwards)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.clock import ManualClock
from domain.calendar import is_workday
from models import DayEntry, Member, MonthlyTarget
from models.db import SessionPool
from tests.bot_client import Harness
from tests.scenarios import team_with_managers
from tests.test_reports import MONDAY, add_day, add_member

USUAL = {"calls": 30, "meetings": 2, "proposals": 3, "leads": 5, "deals": 0, "revenue": 20000}
SLUMP = {"calls": 9, "meetings": 0, "proposals": 1, "leads": 1, "deals": 0, "revenue": 0}
WEAK = {"calls": 12, "meetings": 1, "proposals": 1, "leads": 2, "deals": 0, "revenue": 5000}


def workdays(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if is_workday(day, "12345", "RU"):
            days.append(day)
        day += timedelta(days=1)
    return days


async def test_a_new_slump_leads_the_digest_and_a_chronic_gap_is_one_short_line(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, _ = await team_with_managers(harness)
    days = workdays(MONDAY - timedelta(days=63), MONDAY)
    async with session_pool() as session:
        anna = await add_member(session, 1, "Анна", 9001)
        boris = await add_member(session, 1, "Борис", 9002)
        vera = await add_member(session, 1, "Вера", 9003)
        for day in days:
            await add_day(session, anna, day, "fact", USUAL)
            # Boris works as usual until his last two workdays.
            await add_day(session, boris, day, "fact", SLUMP if day >= days[-2] else USUAL)
            await add_day(session, vera, day, "fact", WEAK)  # under the norm for months
        session.add(
            MonthlyTarget(team_id=1, member_id=boris.id, month=date(2026, 11, 1),
                          amount=Decimal(900000), set_by_id=1, set_at=clock.now())
        )  # fmt: skip
        await session.commit()

    await head.send("/digest")
    digest = next(t for t in reversed(head.texts()) if "Сводка за" in t)
    managers = digest.split("Менеджеры</b>", 1)[1].strip().splitlines()
    assert managers[0].startswith("🔴 Борис"), managers
    assert "спад активности" in managers[0] and "2 раб. дня" in managers[0]
    assert "к цели:" in managers[0] and "Звонки" in managers[0], "what it takes a day"
    [vera_line] = [line for line in managers if "Вера" in line]
    assert vera_line.startswith("🟠 Вера: давно ниже нормы"), vera_line
    assert managers.index(vera_line) > 0
    anna_line = next(line for line in managers if "Анна" in line)
    assert anna_line.startswith("🟢") and "спад" not in anna_line
    assert "спад" not in vera_line, "a steady low level is no slump"


async def test_the_team_sees_its_target_in_calls_and_meetings_a_day(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, _ = await team_with_managers(harness)
    async with session_pool() as session:
        anna = await add_member(session, 1, "Анна", 9001)
        for day in workdays(MONDAY - timedelta(days=40), MONDAY):
            await add_day(session, anna, day, "fact", USUAL)
        session.add(
            MonthlyTarget(team_id=1, member_id=None, month=date(2026, 11, 1),
                          amount=Decimal(2_000_000), set_by_id=1, set_at=clock.now())
        )  # fmt: skip
        await session.commit()
    await head.send("/digest")
    digest = next(t for t in reversed(head.texts()) if "Сводка за" in t)
    line = next(line for line in digest.splitlines() if line.startswith("Это примерно"))
    # 20,000 a day so far in November (15 workdays, 300,000) against 2,000,000: the remaining
    # 1,700,000 over 5 workdays is 340,000 a day, 17 times the usual, so about 510 calls.
    assert "Звонки 510 в день (обычно 30)" in line, line


async def ivan_behind_his_target(session_pool: SessionPool, clock: ManualClock) -> None:
    """Ivan's usual days since October and a November target of 600,000: behind it."""
    async with session_pool() as session:
        me = (await session.execute(select(Member).where(Member.full_name == "Иван"))).scalar_one()
        member_id = me.id
        me.joined_at = me.joined_at - timedelta(days=60)
        for day in workdays(MONDAY - timedelta(days=40), MONDAY - timedelta(days=1)):
            await add_day(session, me, day, "fact", USUAL)
        session.add(
            MonthlyTarget(team_id=1, member_id=member_id, month=date(2026, 11, 1),
                          amount=Decimal(600000), set_by_id=1, set_at=clock.now())
        )  # fmt: skip
        await session.commit()


async def test_me_shows_a_manager_what_their_target_takes_a_day(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    _, [ivan] = await team_with_managers(harness, "Иван")
    await ivan_behind_his_target(session_pool, clock)
    await ivan.send("/me")
    text = ivan.last.text.replace("\xa0", " ")
    # November so far: 14 workdays x 20,000 = 280,000; 320,000 more over 6 workdays (today
    # included) is 53,333.34 a day (shown in whole roubles), 2.67 times the usual: calls 80.01
    # rounded up, meetings 6, proposals 9.
    assert "Чтобы выйти на цель: 53 333 в день ещё 6 раб. дней" in text, text
    assert "Звонки 81 в день (обычно 30), Встречи 6 в день (обычно 2), КП 9" in text, text


async def test_a_plan_below_the_pace_says_what_the_target_takes(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    _, [ivan] = await team_with_managers(harness, "Иван")
    await ivan_behind_his_target(session_pool, clock)
    # The usual day is below what is needed now (53,333 a day; 81 calls, 6 meetings, 9 KP).
    await ivan.send("/plan")
    await ivan.send("30 2 3 5 1 20000")
    card = ivan.last.text.replace("\xa0", " ")
    assert "План ниже темпа к цели месяца: нужно 53 333 в день ещё 6 раб. дней" in card, card
    assert "Звонки 81 в день (обычно 30)" in card and "Лиды" not in card.split("🎯")[1], card
    await ivan.press("Подтвердить")
    assert "План сохранён" in ivan.last.text

    # A plan that keeps the pace in money and activity is left alone.
    await ivan.send("/plan")
    await ivan.press("Изменить")
    await ivan.send("90 6 9 5 1 60000")
    assert "🎯" not in ivan.last.text, ivan.last.text

    # With no target there is nothing to keep pace with.
    async with session_pool() as session:
        for target in (await session.execute(select(MonthlyTarget))).scalars():
            await session.delete(target)
        await session.commit()
    await ivan.press("Изменить")
    await ivan.send("1 0 0 0 0 100")
    assert "🎯" not in ivan.last.text, ivan.last.text


async def test_the_weekly_forecast_names_the_reasons_that_grow(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, _ = await team_with_managers(harness)
    async with session_pool() as session:
        anna = await add_member(session, 1, "Анна", 9001)
        boris = await add_member(session, 1, "Борис", 9002)
        await session.flush()
        days = workdays(MONDAY - timedelta(days=41), MONDAY - timedelta(days=1))
        for day in days:
            for person in (anna, boris):
                await add_day(session, person, day, "fact", USUAL)
        await session.flush()
        entries = (await session.execute(select(DayEntry))).scalars().all()
        recent = MONDAY - timedelta(days=14)
        for entry in entries:
            # Clients stopped answering Anna lately; Boris had it once, long ago.
            if entry.member_id == anna.id and entry.day >= recent and entry.day.day % 2:
                entry.reason = "no_answer"
            if entry.member_id == boris.id and entry.day == days[0]:
                entry.reason = "no_answer"
        await session.commit()
    await head.send("/forecast")
    forecast = next(t for t in reversed(head.texts()) if "Прогноз на конец месяца" in t)
    assert "Причины недовыполнения, которых стало больше" in forecast, forecast
    line = next(x for x in forecast.splitlines() if x.startswith("• Клиенты не отвечали"))
    assert "(было 1)" in line and "Анна" in line and "Борис" not in line, line


async def test_reasons_shows_leaders_which_reasons_grow_and_whose(
    harness: Harness, session_pool: SessionPool, clock: ManualClock
):
    head, [ivan] = await team_with_managers(harness, "Иван")
    await head.send("/reasons")
    assert "менеджеры не называли причин" in head.last.text, head.last.text
    async with session_pool() as session:
        anna = await add_member(session, 1, "Анна <b>", 9001)
        boris = await add_member(session, 1, "Борис", 9002)
        await session.flush()
        days = workdays(MONDAY - timedelta(days=41), MONDAY)
        for day in days:
            for person in (anna, boris):
                await add_day(session, person, day, "fact", USUAL)
        await session.flush()
        recent = MONDAY - timedelta(days=13)
        for entry in (await session.execute(select(DayEntry))).scalars():
            # Clients stopped answering Anna lately; Boris's postponements are fading.
            if entry.member_id == anna.id and entry.day >= recent and entry.day.day % 2:
                entry.reason = "no_answer"
            if entry.member_id == boris.id and entry.day < recent and entry.day.day % 3 == 0:
                entry.reason = "postponed"
            if entry.member_id == boris.id and entry.day == MONDAY:
                entry.reason, entry.reason_text = "other", "склад <закрыт> на инвентаризацию"
        await session.commit()

    await head.send("/reasons")
    text = head.last.text
    team = text.split("<b>Команда</b>", 1)[1].split("<b>По менеджерам</b>", 1)[0]
    no_answer = next(x for x in team.splitlines() if x.startswith("• Клиенты не отвечали"))
    assert no_answer.endswith("(было 0) ↑"), no_answer
    postponed = next(x for x in team.splitlines() if x.startswith("• Клиент перенёс"))
    assert postponed.startswith("• Клиент перенёс: 0 (было ") and postponed.endswith("↓")
    people = text.split("<b>По менеджерам</b>", 1)[1].split("<b>Своими словами</b>", 1)[0]
    rows = [x for x in people.splitlines() if x]
    assert rows[0].startswith("Анна &lt;b&gt;: Клиенты не отвечали"), "the growing one first"
    assert rows[1].startswith("Борис: ") and "Другое 1 (было 0)" in rows[1], rows
    assert "склад &lt;закрыт&gt; на инвентаризацию" in text, "own words, escaped"

    await ivan.send("/reasons")
    assert "Причины недовыполнения" not in ivan.last.text, "managers do not see the team's"
