"""What the prompt jobs need about many teams at once, a statement per question rather than
per person: the scheduler's morning tick covers every team whose 09:30 has come."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.daily import EntryKind
from models.tables import Absence, DayEntry, Delivery, EntryValue, Member, Metric, User


@dataclass(frozen=True, slots=True)
class Addressee:
    """An active manager as a job sees them."""

    member_id: int
    team_id: int
    chat_id: int | None
    language: str | None
    blocked: bool


async def managers_of(session: AsyncSession, team_ids: Collection[int]) -> list[Addressee]:
    rows = await session.execute(
        select(Member.id, Member.team_id, Member.telegram_id, User.language, Member.bot_blocked_at)
        .outerjoin(User, User.telegram_id == Member.telegram_id)
        .where(Member.team_id.in_(team_ids), Member.is_manager.is_(True), Member.active.is_(True))
        .order_by(Member.team_id, Member.id)
    )
    return [
        Addressee(member_id, team_id, chat_id, language, blocked_at is not None)
        for member_id, team_id, chat_id, language, blocked_at in rows
    ]


async def absent_on(session: AsyncSession, team_ids: Collection[int], day: date) -> set[int]:
    """Members of these teams on leave on `day`."""
    rows = await session.scalars(
        select(Absence.member_id).where(
            Absence.team_id.in_(team_ids),
            Absence.cancelled_at.is_(None),
            Absence.first_day <= day,
            Absence.last_day >= day,
        )
    )
    return set(rows)


async def answered_on(
    session: AsyncSession, team_ids: Collection[int], day: date, kind: EntryKind
) -> set[int]:
    """Members who already sent their plan (or report) for `day`."""
    rows = await session.scalars(
        select(DayEntry.member_id).where(
            DayEntry.team_id.in_(team_ids), DayEntry.day == day, DayEntry.kind == kind.value
        )
    )
    return set(rows)


async def plans_on(
    session: AsyncSession, team_ids: Collection[int], day: date
) -> dict[int, dict[str, Decimal]]:
    """Each member's plan for `day`, by metric key."""
    rows = await session.execute(
        select(DayEntry.member_id, Metric.key, EntryValue.value)
        .join(EntryValue, EntryValue.entry_id == DayEntry.id)
        .join(Metric, Metric.id == EntryValue.metric_id)
        .where(
            DayEntry.team_id.in_(team_ids),
            DayEntry.day == day,
            DayEntry.kind == EntryKind.PLAN.value,
        )
    )
    plans: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for member_id, key, value in rows:
        plans[member_id][key] = value
    return plans


async def active_metrics_of(
    session: AsyncSession, team_ids: Collection[int]
) -> dict[int, list[Metric]]:
    rows = await session.scalars(
        select(Metric)
        .where(Metric.team_id.in_(team_ids), Metric.active.is_(True))
        .order_by(Metric.team_id, Metric.position)
    )
    metrics: dict[int, list[Metric]] = defaultdict(list)
    for metric in rows:
        metrics[metric.team_id].append(metric)
    return metrics


async def prompted_on(
    session: AsyncSession, team_ids: Collection[int], day: date, kind: str, sent_before: datetime
) -> set[int]:
    """Members whose `kind` prompt for `day` went out before `sent_before`, or may have: a send
    whose answer never came (a timeout, a crash with the request in flight) is never repeated,
    so its reminder, a message of its own with a button that opens the form, is what reaches
    a person who did not get the prompt."""
    maybe = or_(
        Delivery.status == "sending",
        and_(Delivery.status == "failed", Delivery.error.startswith("outcome unknown")),
    )
    rows = await session.scalars(
        select(Delivery.member_id).where(
            Delivery.team_id.in_(team_ids),
            Delivery.kind == kind,
            Delivery.day == day,
            or_(
                and_(Delivery.status == "sent", Delivery.sent_at <= sent_before),
                and_(maybe, Delivery.claimed_at <= sent_before),
            ),
        )
    )
    return {member_id for member_id in rows if member_id is not None}
