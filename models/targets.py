"""Monthly targets and the head's routine log. Helpers here never commit."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.tables import MonthlyTarget, RoutineEntry


def month_start(day: date) -> date:
    return day.replace(day=1)


async def month_targets(
    session: AsyncSession, team_id: int, month: date
) -> dict[int | None, Decimal]:
    """Targets for a month by member id; the team's own target under None."""
    rows = await session.execute(
        select(MonthlyTarget.member_id, MonthlyTarget.amount).where(
            MonthlyTarget.team_id == team_id, MonthlyTarget.month == month_start(month)
        )
    )
    return {member_id: amount for member_id, amount in rows}


async def set_target(
    session: AsyncSession,
    *,
    team_id: int,
    member_id: int | None,
    month: date,
    amount: Decimal,
    set_by_id: int,
    now: datetime,
) -> None:
    existing = await session.scalar(
        select(MonthlyTarget).where(
            MonthlyTarget.team_id == team_id,
            MonthlyTarget.month == month_start(month),
            MonthlyTarget.member_id.is_(None)
            if member_id is None
            else MonthlyTarget.member_id == member_id,
        )
    )
    if existing is None:
        session.add(
            MonthlyTarget(
                team_id=team_id, member_id=member_id, month=month_start(month), amount=amount,
                set_by_id=set_by_id, set_at=now,
            )
        )  # fmt: skip
    else:
        existing.amount, existing.set_by_id, existing.set_at = amount, set_by_id, now


async def routine_between(
    session: AsyncSession, team_id: int, first: date, last: date
) -> list[RoutineEntry]:
    result = await session.execute(
        select(RoutineEntry)
        .where(RoutineEntry.team_id == team_id, RoutineEntry.day >= first, RoutineEntry.day <= last)
        .order_by(RoutineEntry.day, RoutineEntry.id)
    )
    return list(result.scalars())
