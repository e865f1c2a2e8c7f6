"""The audit log: every change to a team's settings or membership, for the owner to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models.tables import AuditRecord, Member


def record_change(
    session: AsyncSession,
    *,
    team_id: int,
    actor_id: int | None,
    at: datetime,
    subject: str,
    before: object = None,
    after: object = None,
    about_member_id: int | None = None,
) -> None:
    """Adds one audit line to the caller's transaction (it commits with the change itself)."""
    session.add(
        AuditRecord(
            team_id=team_id,
            actor_id=actor_id,
            at=at,
            subject=subject,
            about_member_id=about_member_id,
            before=None if before is None else str(before)[:255],
            after=None if after is None else str(after)[:255],
        )
    )


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor_name: str | None
    subject: str
    about_name: str | None
    before: str | None
    after: str | None


async def recent_changes(session: AsyncSession, team_id: int, limit: int = 20) -> list[AuditLine]:
    """The team's latest changes, newest first, with names as they are now (a forgotten
    member shows under their anonymous label)."""
    actor, about = aliased(Member), aliased(Member)
    rows = await session.execute(
        select(AuditRecord, actor.full_name, about.full_name)
        .outerjoin(actor, actor.id == AuditRecord.actor_id)
        .outerjoin(about, about.id == AuditRecord.about_member_id)
        .where(AuditRecord.team_id == team_id)
        .order_by(AuditRecord.at.desc(), AuditRecord.id.desc())
        .limit(limit)
    )
    return [
        AuditLine(record.at, actor_name, record.subject, about_name, record.before, record.after)
        for record, actor_name, about_name in rows
    ]
