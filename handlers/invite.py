"""/invite: a leader picks a role and gets a single-use deep link to send."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keyboards
from bot.callbacks import InviteRevoke, InviteRole
from bot.clock import Clock
from bot.config import Settings
from bot.filters import HasRole
from bot.i18n import Texts
from bot.sender import edit
from domain.roles import LEADERS, invitable_roles
from domain.teams import invite_expiry, new_invite_code
from models import Invite, Member
from models.audit import record_change


async def invite(message: Message, member: Member, t: Texts) -> None:
    await message.answer(
        t("invite-ask-role"), reply_markup=keyboards.invite_roles(t, invitable_roles(member.roles))
    )


async def make_invite(
    callback: CallbackQuery,
    callback_data: InviteRole,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    settings: Settings,
    bot: Bot,
) -> None:
    if callback_data.role not in invitable_roles(member.roles):
        await callback.answer(t("form-closed"), show_alert=True)
        return
    now = clock.now()
    invite = Invite(
        team_id=member.team_id,
        code=new_invite_code(),
        role=callback_data.role.value,
        created_by_id=member.id,
        created_at=now,
        expires_at=invite_expiry(now, settings.invite_ttl_days),
    )
    session.add(invite)
    await session.commit()
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={invite.code}"
    until = invite.expires_at.astimezone(ZoneInfo(member.team.timezone))
    await callback.answer()
    text = t("invite-link", role=callback_data.role.value, link=link, until=until)
    if isinstance(callback.message, Message):
        await callback.message.edit_text(text, reply_markup=keyboards.revoke_invite(t, invite.id))


class Revoked(StrEnum):
    REVOKED = "revoked"
    ALREADY = "already"
    USED = "used"
    UNKNOWN = "unknown"


async def revoke(
    session: AsyncSession, invite_id: int, actor: Member, now: datetime
) -> tuple[Revoked, Invite | None]:
    """Revoke one of the actor's team's invites, audited in the caller's transaction (which
    the caller commits); used by /invite's button and by /team's invite list."""
    invite = await session.get(Invite, invite_id)
    if invite is None or invite.team_id != actor.team_id:
        return Revoked.UNKNOWN, None
    if invite.used_at is not None:
        return Revoked.USED, invite
    if invite.revoked_at is not None:
        return Revoked.ALREADY, invite
    invite.revoked_at = now
    record_change(
        session, team_id=actor.team_id, actor_id=actor.id, at=now, subject="invite-revoked",
        before=invite.role,
    )  # fmt: skip
    return Revoked.REVOKED, invite


async def revoke_invite(
    callback: CallbackQuery,
    callback_data: InviteRevoke,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
) -> None:
    outcome, invite = await revoke(session, callback_data.invite_id, member, clock.now())
    if invite is None:
        await callback.answer(t("form-closed"), show_alert=True)
        return
    if outcome is Revoked.USED:
        await callback.answer(t("invite-already-used"), show_alert=True)
        return
    await session.commit()
    await callback.answer(t("invite-revoked"))
    if isinstance(callback.message, Message):
        await edit(callback.message, t("invite-revoked-card", role=invite.role))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(*LEADERS))
    router.callback_query.filter(HasRole(*LEADERS))
    router.message.register(invite, Command("invite"))
    router.callback_query.register(make_invite, InviteRole.filter())
    router.callback_query.register(revoke_invite, InviteRevoke.filter())
    return router
