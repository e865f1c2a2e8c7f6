"""/forget: what the bot stores about a person, and forgetting it; the owner can delete the
whole team. A forgotten member's numbers stay in the team's statistics under an anonymous label."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import PrivacyAction, PrivacyButton
from bot.i18n import Texts
from bot.sender import edit
from domain.roles import Role, ordered
from models import Absence, DayEntry, FsmRecord, Member, Team, User, queries


def _button(t: Texts, key: str, action: PrivacyAction) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=t(key), callback_data=PrivacyButton(action=action).pack())]


async def forget_command(
    message: Message, session: AsyncSession, member: Member | None, t: Texts
) -> None:
    assert message.from_user is not None
    if member is None:
        await message.answer(
            t("privacy-outsider", telegram_id=message.from_user.id),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[_button(t, "btn-forget", PrivacyAction.FORGET)]
            ),
        )
        return
    entries = await session.scalar(
        select(func.count()).select_from(DayEntry).where(DayEntry.member_id == member.id)
    )
    absences = await session.scalar(
        select(func.count()).select_from(Absence).where(Absence.member_id == member.id)
    )
    roles = ", ".join(t("role-name", role=role.value) for role in ordered(member.roles))
    rows = [_button(t, "btn-forget", PrivacyAction.FORGET)]
    if member.is_owner:
        rows.append(_button(t, "btn-delete-team", PrivacyAction.DELETE_TEAM))
    await message.answer(
        t("privacy-card", name=member.full_name, username=member.username or "—",
          telegram_id=member.telegram_id or 0, team=member.team.name, roles=roles,
          entries=entries or 0, absences=absences or 0),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )  # fmt: skip


async def privacy_button(
    callback: CallbackQuery,
    callback_data: PrivacyButton,
    session: AsyncSession,
    member: Member | None,
    t: Texts,
    state: FSMContext,
    bot: Bot,
) -> None:
    action = callback_data.action
    reply = callback.message if isinstance(callback.message, Message) else None
    await callback.answer()
    if reply is None:
        return
    if action is PrivacyAction.FORGET:
        if member is not None and member.is_owner:
            owners = await queries.team_members_with_role(session, member.team_id, Role.OWNER)
            if len(owners) == 1:
                await reply.answer(t("privacy-owner-first"))
                return
        await reply.answer(
            t("privacy-forget-confirm"),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[_button(t, "btn-forget-yes", PrivacyAction.FORGET_CONFIRM)]
            ),
        )
    elif action is PrivacyAction.FORGET_CONFIRM:
        telegram_id = callback.from_user.id
        if member is not None:
            if (
                member.is_owner
                and len(await queries.team_members_with_role(session, member.team_id, Role.OWNER))
                == 1
            ):
                await reply.answer(t("privacy-owner-first"))
                return
            number = await session.scalar(
                select(func.count())
                .select_from(Member)
                .where(Member.team_id == member.team_id, Member.id <= member.id)
            )
            member.full_name = t("privacy-anonymous", number=number or member.id)
            member.username = None
            member.telegram_id = None
            member.active = False
        await session.execute(
            delete(FsmRecord).where(FsmRecord.key.like(f"%:{telegram_id}:{telegram_id}:%"))
        )
        await session.execute(delete(User).where(User.telegram_id == telegram_id))
        await session.commit()
        await state.clear()
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=telegram_id))
        await edit(reply, t("privacy-forgotten"))
    elif member is None or not member.is_owner:
        await reply.answer(t("form-closed"))
    elif action is PrivacyAction.DELETE_TEAM:
        await reply.answer(
            t("privacy-delete-team-confirm", team=member.team.name),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[
                    _button(t, "btn-delete-team-yes", PrivacyAction.DELETE_TEAM_CONFIRM)
                ]
            ),
        )
    else:
        team = await session.get_one(Team, member.team_id)
        chats = [
            m.telegram_id
            for m in (
                await session.execute(select(Member).where(Member.team_id == team.id))
            ).scalars()
            if m.telegram_id
        ]
        name = team.name
        # The database removes the team's members, plans, reports and the rest with it.
        await session.execute(delete(Team).where(Team.id == team.id))
        await session.commit()
        for chat_id in chats:
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=chat_id))
        await edit(reply, t("privacy-team-deleted", team=name))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(forget_command, Command("forget"))
    router.callback_query.register(privacy_button, PrivacyButton.filter())
    return router
