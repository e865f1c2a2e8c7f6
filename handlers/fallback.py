"""What nobody else handled: polite answers that reveal no team data."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Texts
from domain.roles import COMMAND_ROLES, Role, may_use
from models import Member, queries


def _command_name(text: str) -> str:
    return text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()


async def unhandled_message(
    message: Message, member: Member | None, t: Texts, session: AsyncSession
) -> None:
    text = message.text or ""
    if member is None:
        paused = (
            await queries.paused_membership(session, message.from_user.id)
            if message.from_user
            else None
        )
        if paused is not None:
            await message.answer(t("member-paused", team=paused.team.name))
        else:
            await message.answer(t("not-a-member"))
    elif text.startswith("/"):
        name = _command_name(text)
        # Another role's command is refused; one of their own that reached here was typed
        # otherwise ("/PLAN", "/plan@other_bot") and is unknown as typed, not refused.
        refused = name in COMMAND_ROLES and not may_use(name, member.roles)
        await message.answer(t("not-your-role" if refused else "unknown-command"))
    elif Role.MANAGER in member.roles:
        await message.answer(t("not-understood-manager"))
    else:
        await message.answer(t("not-understood"))


async def unhandled_button(callback: CallbackQuery, t: Texts) -> None:
    await callback.answer(t("form-closed"), show_alert=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(unhandled_message)
    router.callback_query.register(unhandled_button)
    return router
