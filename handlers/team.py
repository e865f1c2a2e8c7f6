"""/team: today's status of every manager at a glance, and who is in the team."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.filters import HasRole
from bot.i18n import Safe, Texts
from bot.reports import split_message
from bot.timekeeping import team_today
from domain.roles import LEADERS, ordered
from models import Member
from models.history import load_history


async def team_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, clock: Clock
) -> None:
    today = team_today(clock, member.team)
    history = await load_history(session, member.team, today, today)
    lines = [t("team-title", team=member.team.name), "", t("team-today")]
    counts = {"reported": 0, "planned": 0, "silent": 0, "away": 0, "blocked": 0}
    for manager in history.managers:
        if manager.bot_blocked_at is not None:
            status = "blocked"
        elif any(first <= today <= last for first, last in history.absences.get(manager.id, [])):
            status = "away"
        elif today in history.facts.get(manager.id, {}):
            status = "reported"
        elif today in history.plans.get(manager.id, {}):
            status = "planned"
        else:
            status = "silent"
        counts[status] += 1
        lines.append(t("team-status-line", name=manager.full_name, status=status))
    if not history.managers:
        lines.append(t("digest-no-managers"))
    else:
        lines.append(t("team-counts", **counts))
    everyone = (
        await session.execute(
            select(Member)
            .where(Member.team_id == member.team_id, Member.active.is_(True))
            .order_by(Member.full_name)
        )
    ).scalars()
    lines += ["", t("team-members")]
    for person in everyone:
        roles = ", ".join(t("role-name", role=role.value) for role in ordered(person.roles))
        handle = f" @{person.username}" if person.username else ""
        lines.append(t("team-member-line", name=person.full_name, handle=handle, roles=roles))
    for part in split_message(Safe("\n".join(lines))):
        await message.answer(part)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(*LEADERS))
    router.message.register(team_command, Command("team"))
    return router
