"""When handling an update fails, the person hears about it rather than nothing.

A database connection dropped in the middle of a transaction (a restart of PostgreSQL, a
failover, a terminated backend), or a bug: the update's transaction is rolled back, nothing of
it is stored, and Telegram will not send it again (long polling confirms it with the next
batch; the webhook was answered). So the person is asked to repeat what got no answer, in
their language ("something-went-wrong"). The next update gets a fresh connection
(`pool_pre_ping`).

When Telegram itself failed (unreachable, 5xx or 429 after the sender's retries, the person
blocked the bot) nothing more is sent: another message would fare no better, and after a
timeout the person may well see the answer already (a stored plan whose confirmation timed out
is shown by /plan).
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import CallbackQuery, ErrorEvent, Message

from bot.config import Settings
from bot.i18n import Texts, texts

log = logging.getLogger(__name__)

TELEGRAM_FAILED = (
    TelegramNetworkError,
    TelegramServerError,
    TelegramRetryAfter,
    TelegramForbiddenError,
)


def _private_chat(event: ErrorEvent) -> int | None:
    update = event.update
    if update.message is not None:
        message: Message = update.message
        return message.chat.id if message.chat.type == "private" else None
    if update.callback_query is not None:
        callback: CallbackQuery = update.callback_query
        chat = callback.message.chat if callback.message is not None else None
        return callback.from_user.id if chat is None or chat.type == "private" else None
    return None


async def apologize(
    event: ErrorEvent, bot: Bot, settings: Settings, t: Texts | None = None
) -> None:
    """The dispatcher's error handler: ask the person to repeat, then let the error go on to
    be logged (and reach a test that feeds updates) as before."""
    error = event.exception
    chat_id = None if isinstance(error, TELEGRAM_FAILED) else _private_chat(event)
    if chat_id is not None:
        say = t or texts(settings.default_language)
        try:
            await bot.send_message(chat_id, say("something-went-wrong"))
        except TelegramAPIError as exc:
            log.warning("could not tell chat %s that its update failed: %s", chat_id, exc)
    raise error
