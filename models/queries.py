"""Query helpers. They never commit: the handler or job that calls them owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from domain.metrics import DEFAULT_METRICS
from domain.roles import Role
from models.db import upsert_insert
from models.tables import Invite, Member, Metric, Team, User


async def get_user(session: AsyncSession, telegram_id: int, now: datetime) -> User:
    user = await session.get(User, telegram_id)
    if user is None:
        # Insert-or-nothing: a person's first two updates may reach two processes at once.
        await session.execute(
            upsert_insert(session)(User)
            .values(telegram_id=telegram_id, language=None, created_at=now)
            .on_conflict_do_nothing(index_elements=["telegram_id"])
        )
        user = await session.get(User, telegram_id)
        assert user is not None
    return user


async def active_membership(session: AsyncSession, telegram_id: int) -> Member | None:
    """The member record this Telegram user acts through, with its team loaded."""
    result = await session.execute(
        select(Member)
        .options(joinedload(Member.team))
        .where(Member.telegram_id == telegram_id, Member.active.is_(True))
        .order_by(Member.id)
        .limit(1)
    )
    return result.scalar_one_or_none()


async def paused_membership(session: AsyncSession, telegram_id: int) -> Member | None:
    """A membership a leader paused (inactive, roles kept), with its team: what to tell a
    person who writes while paused."""
    result = await session.execute(
        select(Member)
        .options(joinedload(Member.team))
        .where(
            Member.telegram_id == telegram_id,
            Member.active.is_(False),
            Member.is_owner | Member.is_head | Member.is_manager,
        )
        .order_by(Member.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def membership_in(session: AsyncSession, team_id: int, telegram_id: int) -> Member | None:
    result = await session.execute(
        select(Member).where(Member.team_id == team_id, Member.telegram_id == telegram_id)
    )
    return result.scalar_one_or_none()


async def create_team(
    session: AsyncSession,
    *,
    name: str,
    timezone: str,
    locale: str,
    owner_telegram_id: int,
    owner_name: str,
    owner_username: str | None,
    now: datetime,
) -> Member:
    """A new team with the default metrics; returns its owner's member record."""
    team = Team(name=name, timezone=timezone, locale=locale, created_at=now)
    session.add(team)
    await session.flush()
    for position, definition in enumerate(DEFAULT_METRICS):
        session.add(
            Metric(
                team_id=team.id,
                key=definition.key,
                label=None,
                kind=definition.kind.value,
                daily_norm=definition.daily_norm,
                max_value=definition.max_value,
                position=position,
                is_key=definition.is_key,
                active=True,
            )
        )
    owner = Member(
        team_id=team.id,
        telegram_id=owner_telegram_id,
        full_name=owner_name,
        username=owner_username,
        is_owner=True,
        is_head=False,
        is_manager=False,
        active=True,
        joined_at=now,
    )
    owner.team = team
    session.add(owner)
    await session.flush()
    return owner


async def team_metrics(session: AsyncSession, team_id: int) -> list[Metric]:
    result = await session.execute(
        select(Metric).where(Metric.team_id == team_id).order_by(Metric.position)
    )
    return list(result.scalars())


async def find_invite(session: AsyncSession, code: str) -> Invite | None:
    result = await session.execute(select(Invite).where(Invite.code == code))
    return result.scalar_one_or_none()


async def claim_invite(
    session: AsyncSession, invite: Invite, member: Member, now: datetime
) -> bool:
    """Mark the invite used by `member`; False when someone else got there first."""
    result = await session.execute(
        update(Invite)
        .where(
            Invite.id == invite.id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .values(used_at=now, used_by_id=member.id)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def team_members_with_role(session: AsyncSession, team_id: int, role: Role) -> list[Member]:
    column = {
        Role.OWNER: Member.is_owner,
        Role.HEAD: Member.is_head,
        Role.MANAGER: Member.is_manager,
    }
    result = await session.execute(
        select(Member)
        .where(Member.team_id == team_id, Member.active.is_(True), column[role].is_(True))
        .order_by(Member.id)
    )
    return list(result.scalars())


async def language_of(session: AsyncSession, telegram_id: int) -> str | None:
    user = await session.get(User, telegram_id)
    return user.language if user else None


async def open_invites(
    session: AsyncSession, team_id: int, now: datetime
) -> list[tuple[Invite, str | None]]:
    """The team's invites still usable (not used, revoked or expired), oldest first, each
    with its author's name as it is now."""
    result = await session.execute(
        select(Invite, Member.full_name)
        .outerjoin(Member, Member.id == Invite.created_by_id)
        .where(
            Invite.team_id == team_id,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .order_by(Invite.created_at, Invite.id)
    )
    return [(invite, name) for invite, name in result]


async def active_elsewhere(session: AsyncSession, telegram_id: int, team_id: int) -> bool:
    """Whether this person is now an active member of a team other than `team_id`."""
    found = await session.scalar(
        select(Member.id)
        .where(
            Member.telegram_id == telegram_id,
            Member.team_id != team_id,
            Member.active.is_(True),
        )
        .limit(1)
    )
    return found is not None
