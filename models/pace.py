"""A manager's working-backwards pace from the database: what their monthly target takes a
workday from today (`domain.pace`), for /me and for the card of a plan being typed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.calendar import is_workday
from domain.daily import EntryKind
from domain.metrics import MetricKind
from domain.pace import Pace, PaceRules, needed_pace
from models import entries as store
from models import targets
from models.tables import Member, Metric

# Six weeks back: the recent funnel behind "what it takes a day", and the month so far.
PACE_HISTORY = timedelta(days=42)


async def member_pace(
    session: AsyncSession, member: Member, today: date, metrics: Sequence[Metric]
) -> Pace | None:
    """The pace `member` needs for their target of `today`'s month; None without a personal
    target or a money metric. Days before they joined count as leave: no one is behind for
    the weeks before they were here."""
    money = next((m for m in metrics if m.kind == MetricKind.MONEY.value), None)
    if money is None:
        return None
    team = member.team
    month_start = today.replace(day=1)
    monthly = (await targets.month_targets(session, team.id, month_start)).get(member.id)
    if monthly is None:
        return None
    since = min(month_start, today - PACE_HISTORY)
    keys = {m.id: m.key for m in metrics}
    facts: dict[date, dict[str, Decimal]] = {
        entry.day: {keys[v.metric_id]: v.value for v in entry.values if v.metric_id in keys}
        for entry in await store.entries_between(session, member.id, since, today)
        if entry.kind == EntryKind.FACT.value
    }
    absences = [
        (a.first_day, a.last_day) for a in await store.absences_of(session, member.id, since)
    ]
    joined = member.joined_at.astimezone(ZoneInfo(team.timezone)).date()
    absences.append((date.min, joined - timedelta(days=1)))

    def workday(day: date) -> bool:
        return is_workday(day, team.workdays, team.holiday_country)

    return needed_pace(
        facts, today, monthly, workday, absences, rules=PaceRules(money_key=money.key)
    )
