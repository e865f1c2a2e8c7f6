"""Believable history for the demo team: two months of plans and reports from six managers,
one of them a star, one in a slump, one away on vacation. Deterministic (a fixed seed)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import is_workday
from models import Absence, DayEntry, EntryValue, Member, Metric, MonthlyTarget, RoutineEntry, Team


@dataclass(frozen=True)
class Persona:
    name: str
    calls: int  # a usual day's calls
    conversion: float  # share of meetings that turn into a paid deal
    deal_size: int
    slump_from: int | None = None  # days before today when the slump started
    vacation: tuple[int, int] | None = None  # days before today: (first, last)
    misses_reports: float = 0.03


PERSONAS = (
    Persona("Анна Смирнова", calls=42, conversion=0.45, deal_size=180_000),  # the star
    Persona("Иван Петров", calls=31, conversion=0.30, deal_size=120_000),
    Persona("Мария Козлова", calls=30, conversion=0.28, deal_size=130_000, vacation=(16, 10)),
    Persona("Пётр Соколов", calls=33, conversion=0.30, deal_size=110_000, slump_from=9),
    Persona("Ольга Новикова", calls=28, conversion=0.25, deal_size=140_000, misses_reports=0.12),
    Persona("Дмитрий Волков", calls=30, conversion=0.27, deal_size=125_000),
)


async def seed_history(
    session: AsyncSession,
    team: Team,
    head: Member,
    today: date,
    live: list[Member],
    *,
    seed: int = 7,
) -> list[Member]:
    """Six managers with about two months of plans and facts, targets for this month, and the
    head's routine. The `live` members (who talk to the bot in the demo) take the personas
    after the star and get no entries for today; the others have today's day as well."""
    rng = random.Random(seed)
    zone = ZoneInfo(team.timezone)
    metrics = {m.key: m for m in await _metrics(session, team.id)}
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    joined = datetime.combine(first - timedelta(days=30), time(9), zone).astimezone(UTC)
    managers = []
    waiting = list(live)
    for index, persona in enumerate(PERSONAS):
        if index > 0 and waiting:
            member = waiting.pop(0)
            member.joined_at = joined
        else:
            member = Member(
                team_id=team.id, telegram_id=900_000 + index, full_name=persona.name,
                username=None, is_owner=False, is_head=False, is_manager=True, active=True,
                joined_at=joined,
            )  # fmt: skip
            session.add(member)
        managers.append((member, persona))
    await session.flush()
    live_ids = {m.id for m in live}
    for member, persona in managers:
        away: tuple[date, date] | None = None
        if persona.vacation:
            away = (
                today - timedelta(days=persona.vacation[0]),
                today - timedelta(days=persona.vacation[1]),
            )
            session.add(
                Absence(team_id=team.id, member_id=member.id, kind="vacation", first_day=away[0],
                        last_day=away[1], created_at=joined)
            )  # fmt: skip
        day = first
        last = today - timedelta(days=1) if member.id in live_ids else today
        while day <= last:
            if is_workday(day, team.workdays, team.holiday_country) and not (
                away and away[0] <= day <= away[1]
            ):
                _one_day(session, rng, team, member, persona, metrics, day, today, zone)
            day += timedelta(days=1)
    month = today.replace(day=1)
    total = Decimal(0)
    for member, persona in managers:
        daily = persona.deal_size * persona.calls / 14 * persona.conversion
        target = Decimal(round(daily * 21 * 1.05, -4))
        total += target
        session.add(MonthlyTarget(team_id=team.id, member_id=member.id, month=month,
                                  amount=target, set_by_id=head.id, set_at=joined))  # fmt: skip
    session.add(MonthlyTarget(team_id=team.id, member_id=None, month=month, amount=total,
                              set_by_id=head.id, set_at=joined))  # fmt: skip
    monday = today - timedelta(days=today.weekday() + 7)
    for offset, kind, with_member in ((0, "planning", None), (2, "one_on_one", managers[3][0]),
                                      (3, "training", None)):  # fmt: skip
        session.add(
            RoutineEntry(team_id=team.id, head_id=head.id, kind=kind,
                         with_member_id=with_member.id if with_member else None,
                         day=monday + timedelta(days=offset), created_at=joined)
        )  # fmt: skip
    return [member for member, _ in managers]


async def _metrics(session: AsyncSession, team_id: int) -> list[Metric]:
    from models import entries

    return await entries.active_metrics(session, team_id)


def _one_day(
    session: AsyncSession,
    rng: random.Random,
    team: Team,
    member: Member,
    persona: Persona,
    metrics: dict[str, Metric],
    day: date,
    today: date,
    zone: ZoneInfo,
) -> None:
    slump = persona.slump_from is not None and (today - day).days <= persona.slump_from
    energy = 0.55 if slump else 1.0
    plan = {
        "calls": persona.calls, "meetings": 2 + (persona.calls > 35), "proposals": 3, "leads": 5,
        "deals": 1, "revenue": persona.deal_size,
    }  # fmt: skip
    calls = max(0, round(rng.gauss(persona.calls * energy, 4)))
    meetings = max(0, round(calls / 14 + rng.uniform(-0.6, 0.6)))
    proposals = max(0, round(meetings * 1.4 + rng.uniform(-0.5, 0.8)))
    leads = max(0, round(calls / 6 + rng.uniform(-1, 1)))
    deals = sum(1 for _ in range(meetings) if rng.random() < persona.conversion)
    revenue = sum(
        int(round(rng.gauss(persona.deal_size, persona.deal_size * 0.25), -3)) for _ in range(deals)
    )
    fact = {"calls": calls, "meetings": meetings, "proposals": proposals, "leads": leads,
            "deals": deals, "revenue": max(0, revenue)}  # fmt: skip
    morning = datetime.combine(day, time(9, 40), zone).astimezone(UTC)
    evening = datetime.combine(day, time(18, 20), zone).astimezone(UTC)
    _entry(session, team, member, day, "plan", plan, metrics, morning)
    if rng.random() >= persona.misses_reports:
        comment = (
            "Клиенты переносят встречи на следующий месяц" if slump and rng.random() < 0.3 else None
        )
        entry = _entry(session, team, member, day, "fact", fact, metrics, evening)
        entry.comment = comment
        if calls < persona.calls * 0.8:
            entry.reason = "postponed" if slump else "no_answer"


def _entry(
    session: AsyncSession,
    team: Team,
    member: Member,
    day: date,
    kind: str,
    values: dict[str, int],
    metrics: dict[str, Metric],
    at: datetime,
) -> DayEntry:
    entry = DayEntry(team_id=team.id, member_id=member.id, day=day, kind=kind, submitted_at=at,
                     updated_at=at, values=[])  # fmt: skip
    for key, value in values.items():
        if key in metrics:
            entry.values.append(EntryValue(metric_id=metrics[key].id, value=Decimal(value)))
    session.add(entry)
    return entry
