"""/help and /lang: open to everyone, team member or not."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keyboards
from bot.callbacks import Language
from bot.i18n import LANGUAGES, Texts, texts
from bot.menus import menu, refresh_menu
from bot.sender import edit
from models import Member, User


async def help_command(message: Message, member: Member | None, t: Texts) -> None:
    roles = member.roles if member else frozenset()
    lines = [f"/{command.command} — {command.description}" for command in menu(t, roles)]
    intro = t("help-member", team=member.team.name) if member else t("help-newcomer")
    await message.answer(intro + "\n\n" + "\n".join(lines))


async def lang_command(message: Message, t: Texts) -> None:
    await message.answer(t("lang-ask"), reply_markup=keyboards.languages(t))


async def lang_chosen(
    callback: CallbackQuery,
    callback_data: Language,
    session: AsyncSession,
    user: User,
    member: Member | None,
    bot: Bot,
) -> None:
    if callback_data.language not in LANGUAGES:
        await callback.answer()
        return
    user.language = callback_data.language
    await session.commit()
    t = texts(user.language)
    if member is not None:
        await refresh_menu(bot, callback.from_user.id, member.roles, t)
    await callback.answer(t("lang-set"))
    if isinstance(callback.message, Message):
        await edit(callback.message, t("lang-set"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(help_command, Command("help"))
    router.message.register(lang_command, Command("lang"))
    router.callback_query.register(lang_chosen, Language.filter())
    return router
