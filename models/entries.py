"""Plans, reports and days off. Helpers here never commit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from domain.daily import EntryKind, Form, MetricInfo
from domain.metrics import MetricKind
from models.tables import Absence, DayEntry, EntryChange, EntryValue, Member, Metric

CENT = Decimal("0.01")


async def active_metrics(session: AsyncSession, team_id: int) -> list[Metric]:
    result = await session.execute(
        select(Metric)
        .where(Metric.team_id == team_id, Metric.active.is_(True))
        .order_by(Metric.position)
    )
    return list(result.scalars())


def metric_info(metric: Metric) -> MetricInfo:
    return MetricInfo(
        key=metric.key,
        kind=MetricKind(metric.kind),
        daily_norm=metric.daily_norm,
        max_value=metric.max_value,
        is_key=metric.is_key,
    )


async def get_entry(
    session: AsyncSession, member_id: int, day: date, kind: EntryKind
) -> DayEntry | None:
    result = await session.execute(
        select(DayEntry)
        .options(selectinload(DayEntry.values))
        .where(DayEntry.member_id == member_id, DayEntry.day == day, DayEntry.kind == kind.value)
    )
    return result.scalar_one_or_none()


async def values_of(session: AsyncSession, entry: DayEntry | None) -> dict[str, Decimal]:
    """An entry's values by metric key."""
    if entry is None:
        return {}
    rows = await session.execute(
        select(Metric.id, Metric.key).where(Metric.team_id == entry.team_id)
    )
    keys = {metric_id: key for metric_id, key in rows}
    return {keys[value.metric_id]: value.value for value in entry.values}


async def last_plan_before(session: AsyncSession, member_id: int, day: date) -> DayEntry | None:
    """The most recent plan before `day`: what "as yesterday" copies."""
    result = await session.execute(
        select(DayEntry)
        .options(selectinload(DayEntry.values))
        .where(
            DayEntry.member_id == member_id,
            DayEntry.kind == EntryKind.PLAN.value,
            DayEntry.day < day,
        )
        .order_by(DayEntry.day.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


def _snapshot(entry: DayEntry, keys: dict[int, str]) -> dict[str, object]:
    return {
        "values": {keys[v.metric_id]: str(Decimal(v.value).quantize(CENT)) for v in entry.values},
        "comment": entry.comment,
        "reason": entry.reason,
        "reason_text": entry.reason_text,
    }


async def save_form(
    session: AsyncSession, member: Member, form: Form, *, now: datetime, late: bool
) -> tuple[DayEntry, bool]:
    """Store a confirmed form; returns the entry and whether it changed an earlier submission.

    A change to a submitted entry is kept in `entry_changes` (before, after, who, when), and
    marked late when made after that day's digest.
    """
    metrics = {m.key: m for m in await active_metrics(session, member.team_id)}
    keys = {m.id: m.key for m in metrics.values()}
    entry = await get_entry(session, member.id, form.day, form.kind)
    before = _snapshot(entry, keys) if entry is not None else None
    if entry is None:
        entry = DayEntry(
            team_id=member.team_id,
            member_id=member.id,
            day=form.day,
            kind=form.kind.value,
            submitted_at=now,
            updated_at=now,
            values=[],
        )
        session.add(entry)
    entry.comment = form.comment
    entry.reason = form.reason.value if form.reason else None
    entry.reason_text = form.reason_text
    if before is None:
        # A first submission: its values in one statement (the ORM inserts them one by one).
        await session.flush()
        rows = [
            {"entry_id": entry.id, "metric_id": metrics[key].id, "value": amount}
            for key, amount in form.values.items()
            if key in metrics
        ]
        if rows:
            await session.execute(insert(EntryValue), rows)
        return entry, False
    existing = {value.metric_id: value for value in entry.values}
    for key, amount in form.values.items():
        metric = metrics.get(key)
        if metric is None:
            continue
        if metric.id in existing:
            existing[metric.id].value = amount
        else:
            entry.values.append(EntryValue(metric_id=metric.id, value=amount))
    await session.flush()
    after = _snapshot(entry, keys)
    changed = before is not None and before != after
    if changed:
        entry.updated_at = now
        session.add(
            EntryChange(
                entry_id=entry.id,
                changed_by_id=member.id,
                changed_at=now,
                late=late,
                before=before,
                after=after,
            )
        )
    return entry, changed


async def absences_of(session: AsyncSession, member_id: int, since: date) -> list[Absence]:
    result = await session.execute(
        select(Absence)
        .where(
            Absence.member_id == member_id,
            Absence.cancelled_at.is_(None),
            Absence.last_day >= since,
        )
        .order_by(Absence.first_day)
    )
    return list(result.scalars())


async def is_absent_on(session: AsyncSession, member_id: int, day: date) -> bool:
    result = await session.execute(
        select(Absence.id)
        .where(
            Absence.member_id == member_id,
            Absence.cancelled_at.is_(None),
            Absence.first_day <= day,
            Absence.last_day >= day,
        )
        .limit(1)
    )
    return result.first() is not None


async def entries_between(
    session: AsyncSession, member_id: int, first: date, last: date
) -> list[DayEntry]:
    result = await session.execute(
        select(DayEntry)
        .options(selectinload(DayEntry.values))
        .where(DayEntry.member_id == member_id, DayEntry.day >= first, DayEntry.day <= last)
    )
    return list(result.scalars())


async def previous_plan(
    session: AsyncSession, member_id: int, day: date
) -> dict[str, Decimal] | None:
    """The values of the most recent plan before `day` ("as yesterday"), or None."""
    previous = await last_plan_before(session, member_id, day)
    return None if previous is None else await values_of(session, previous)
