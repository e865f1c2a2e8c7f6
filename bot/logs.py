"""Logging for the bot's processes, with secrets kept out of every line.

The token opens the bot to anyone who reads it, and the webhook secret lets anyone post
updates: neither is written to a log, whatever logs it (our code, aiogram, aiohttp, a
traceback of a network error). Personal data stays out too: SQL parameters (names, comments)
are never shown in database errors (`models.db.create_engine` hides them).
"""

from __future__ import annotations

import logging
import re

from bot.config import Settings

# A bot token as Telegram makes them, wherever it appears (in a URL: /bot<token>/method).
TOKEN_PATTERN = re.compile(r"\b\d{3,}:[A-Za-z0-9_-]{20,}")
MASK = "***"


class Redact(logging.Filter):
    """Masks the given secrets and anything shaped like a bot token in a record's message and
    in its traceback."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return TOKEN_PATTERN.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    secrets = [
        value.get_secret_value().strip()
        for value in (settings.bot_token, settings.webhook_secret)
        if value is not None
    ]
    redact = Redact(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    # Its debug lines show each statement's parameters: names, comments, numbers.
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger().level))
