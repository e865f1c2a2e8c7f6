"""The one way the bot starts a conversation with someone (as opposed to answering them)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

log = logging.getLogger(__name__)


async def deliver(bot: Bot, chat_id: int, text: str, **kwargs: Any) -> bool:
    """Send `text` to `chat_id`; False when Telegram will not take it (blocked, no chat)."""
    try:
        await bot.send_message(chat_id, text, **kwargs)
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        log.info("could not deliver to %s: %s", chat_id, exc.message)
        return False
    return True
