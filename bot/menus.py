"""Each member's command menu shows only what their roles allow."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.i18n import LANGUAGES, Texts, texts
from domain.roles import Role, commands_for


def menu(t: Texts, roles: Iterable[Role]) -> list[BotCommand]:
    return [BotCommand(command=name, description=t(f"cmd-{name}")) for name in commands_for(roles)]


async def refresh_menu(bot: Bot, chat_id: int, roles: Iterable[Role], t: Texts) -> None:
    await bot.set_my_commands(menu(t, roles), scope=BotCommandScopeChat(chat_id=chat_id))


async def set_default_menus(bot: Bot, default_language: str) -> None:
    """What someone outside any team sees: Telegram picks the list by their app language."""
    await bot.set_my_commands(menu(texts(default_language), ()), scope=BotCommandScopeDefault())
    for language in LANGUAGES:
        await bot.set_my_commands(
            menu(texts(language), ()), scope=BotCommandScopeDefault(), language_code=language
        )
