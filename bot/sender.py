"""The one way the bot starts a conversation with someone (as opposed to answering them)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import Message

log = logging.getLogger(__name__)


async def deliver(bot: Bot, chat_id: int, text: str, **kwargs: Any) -> bool:
    """Send `text` to `chat_id`; False when Telegram will not take it (blocked, no chat)."""
    try:
        await bot.send_message(chat_id, text, **kwargs)
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        log.info("could not deliver to %s: %s", chat_id, exc.message)
        return False
    return True


async def edit(message: Message, text: str | None = None, **kwargs: Any) -> None:
    """Change one of the bot's messages in place (its text, or with no text only its buttons).

    A second press of the same button (a double tap, or a press on an old screen) asks for the
    screen already shown; Telegram refuses that as "message is not modified", which is no error.
    """
    try:
        if text is None:
            await message.edit_reply_markup(**kwargs)
        else:
            await message.edit_text(text, **kwargs)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise
