"""A simulated fortnight: five teams across timezones, a DST switch on each side of the
Atlantic, a public holiday, people on leave. Every prompt, reminder and digest must go out
exactly once, at local wall time, within one tick."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import select

from bot.clock import ManualClock
from bot.storage import SqlStorage
from domain.calendar import is_workday
from models import Absence, Delivery, Member, Team, queries
from models.db import SessionPool
from scheduler.engine import Engine
from scheduler.jobs import Jobs
from tests.mocked_bot import MockedBot

START = datetime(2026, 10, 22, 0, 0, tzinfo=UTC)  # a Thursday
DAYS = 14
# Production ticks every minute; five here keeps the fortnight fast, and the property test in
# test_schedule.py covers ticks of one to five minutes.
TICK = timedelta(minutes=5)


@dataclass(frozen=True)
class TeamPlan:
    name: str
    zone: str
    country: str | None
    workdays: str
    managers: int


TEAMS = [
    TeamPlan("Москва", "Europe/Moscow", "RU", "12345", 3),  # Unity Day, Nov 4
    TeamPlan("Berlin", "Europe/Berlin", None, "12345", 2),  # CEST -> CET, Oct 25
    TeamPlan("New York", "America/New_York", None, "12345", 2),  # EDT -> EST, Nov 1
    TeamPlan("Владивосток", "Asia/Vladivostok", "RU", "12345", 2),  # UTC+10, Unity Day
    TeamPlan("Pune", "Asia/Kolkata", None, "123456", 2),  # UTC+5:30, six-day week
]
WALL = {
    "morning": time(9, 30),
    "morning_reminder": time(10, 30),
    "evening": time(18, 0),
    "evening_reminder": time(19, 0),
    "digest": time(20, 0),
}


async def build(pool: SessionPool, clock: ManualClock) -> dict[int, tuple[Team, list[Member]]]:
    """Teams straight into the database; one manager in the first team is on vacation for
    three days, one in New York is sick on the day of the switch."""
    built = {}
    async with pool() as session:
        next_id = 1000
        for plan in TEAMS:
            owner = await queries.create_team(
                session, name=plan.name, timezone=plan.zone, locale="ru",
                owner_telegram_id=next_id, owner_name=f"Head {plan.name}",
                owner_username=None, now=clock.now() - timedelta(days=30),
            )  # fmt: skip
            owner.is_head = True
            team = await session.get_one(Team, owner.team_id)
            team.holiday_country = plan.country
            team.workdays = plan.workdays
            managers = []
            for index in range(plan.managers):
                next_id += 1
                member = Member(
                    team_id=team.id, telegram_id=next_id, full_name=f"{plan.name} {index}",
                    username=None, is_owner=False, is_head=False, is_manager=True, active=True,
                    joined_at=clock.now() - timedelta(days=30),
                )  # fmt: skip
                session.add(member)
                managers.append(member)
            next_id += 1
            await session.flush()
            built[team.id] = (team, managers)
        moscow_team, moscow_managers = built[1]
        session.add(
            Absence(team_id=moscow_team.id, member_id=moscow_managers[0].id, kind="vacation",
                    first_day=date(2026, 10, 27), last_day=date(2026, 10, 29),
                    created_at=clock.now())
        )  # fmt: skip
        ny_team, ny_managers = built[3]
        session.add(
            Absence(team_id=ny_team.id, member_id=ny_managers[1].id, kind="sick",
                    first_day=date(2026, 11, 2), last_day=date(2026, 11, 2),
                    created_at=clock.now())
        )  # fmt: skip
        await session.commit()
    return built


def expected(built: dict[int, tuple[Team, list[Member]]], absences: dict[int, set[date]]):
    """Independently of the engine: what should have been sent, and when (UTC)."""
    want: dict[tuple[str, int, date], datetime] = {}
    end = START + timedelta(days=DAYS)
    for team, managers in built.values():
        zone = ZoneInfo(team.timezone)
        day = START.astimezone(zone).date() - timedelta(days=1)
        while day <= end.astimezone(zone).date():
            if is_workday(day, team.workdays, team.holiday_country):
                at_work = [m for m in managers if day not in absences.get(m.id, set())]
                for kind in ("morning", "morning_reminder", "evening", "evening_reminder"):
                    prompt = kind.removesuffix("_reminder")
                    if datetime.combine(day, WALL[prompt], zone) <= START:
                        continue  # a reminder only follows a prompt sent in the window
                    for member in at_work:
                        want[(kind, member.id, day)] = datetime.combine(day, WALL[kind], zone)
                want[("digest", -team.id, day)] = datetime.combine(day, WALL["digest"], zone)
            if day.isoweekday() == 1:
                want[("forecast", -team.id, day)] = datetime.combine(day, time(9, 0), zone)
            day += timedelta(days=1)
    return {k: v.astimezone(UTC) for k, v in want.items() if START < v <= end}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_fortnight_of_schedule_exactly_once(session_pool: SessionPool, database_url: str):
    clock = ManualClock(START)
    built = await build(session_pool, clock)
    bot = MockedBot()
    jobs = Jobs(bot=bot, pool=session_pool, storage=SqlStorage(session_pool, clock), clock=clock)
    engine = Engine(jobs, last_tick=START)
    end = START + timedelta(days=DAYS)
    while clock.now() < end:
        clock.advance(TICK)
        await engine.tick()
    await bot.session.close()

    async with session_pool() as session:
        deliveries = list((await session.execute(select(Delivery))).scalars())
        heads = {
            m.team_id: m.id
            for m in (
                await session.execute(select(Member).where(Member.is_head.is_(True)))
            ).scalars()
        }
    absences = {
        built[1][1][0].id: {date(2026, 10, 27), date(2026, 10, 28), date(2026, 10, 29)},
        built[3][1][1].id: {date(2026, 11, 2)},
    }
    want = expected(built, absences)

    got: dict[tuple[str, int, date], datetime] = {}
    for delivery in deliveries:
        if delivery.kind == "alert":
            continue
        assert delivery.status == "sent", delivery.key
        assert delivery.member_id is not None and delivery.sent_at is not None
        member = delivery.member_id
        if delivery.kind in ("digest", "forecast"):
            member = -next(team for team, head in heads.items() if head == delivery.member_id)
        got[(delivery.kind, member, delivery.day)] = delivery.sent_at

    assert set(got) == set(want), (
        f"missing: {sorted(set(want) - set(got))[:5]} extra: {sorted(set(got) - set(want))[:5]}"
    )
    for key, due in want.items():
        assert timedelta(0) <= got[key] - due < TICK, (key, due, got[key])

    messages = Counter(
        request.chat_id for request in bot.requests if isinstance(request, SendMessage)
    )
    assert sum(messages.values()) == len(deliveries), "every message has exactly one delivery"
    # Spot checks of the hard cases.
    moscow, ny = built[1][0], built[3][0]
    assert not any(
        day == date(2026, 11, 4) for (_k, _m, day) in got if _m in {m.id for m in built[1][1]}
    )
    ny_morning = {day: at for (kind, member, day), at in got.items()
                  if kind == "morning" and member == built[3][1][0].id}  # fmt: skip
    assert ny_morning[date(2026, 10, 30)] == datetime(2026, 10, 30, 13, 30, tzinfo=UTC)  # EDT
    assert ny_morning[date(2026, 11, 2)] == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)  # EST
    assert moscow.timezone == "Europe/Moscow" and ny.timezone == "America/New_York"
