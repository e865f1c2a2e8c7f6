"""A Bot whose session never touches the network: it records every request and answers
each with a plausible result, or with the next queued response (errors included)."""

from __future__ import annotations

import itertools
import json
from collections import deque
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import UNSET_PARSE_MODE, Chat, Message, User

BOT_USER = User(id=4242, is_bot=True, first_name="Sales Pulse", username="sales_pulse_bot")


class MockedSession(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[TelegramMethod[Any]] = []
        # results[i] is what requests[i] returned (None when it raised).
        self.results: list[Any] = []
        self.queued: deque[tuple[type, Response[Any]]] = deque()
        self._message_ids = itertools.count(1000)
        self.closed = True

    def queue_error(self, method: type, error_code: int, description: str, **params: Any) -> None:
        """The next call of `method` fails as Telegram would fail it."""
        self.queued.append(
            (method, Response[Any](ok=False, error_code=error_code, description=description,
                                   parameters=params or None))
        )  # fmt: skip

    async def close(self) -> None:
        self.closed = True

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.closed = False
        self.requests.append(method)
        self.results.append(None)
        for index, (kind, response) in enumerate(self.queued):
            if isinstance(method, kind):
                del self.queued[index]
                self.check_response(
                    bot=bot,
                    method=method,
                    status_code=response.error_code or 200,
                    content=response.model_dump_json(),
                )
        result: TelegramType = self._answer(bot, method)
        self.results[-1] = result
        return result

    def _answer(self, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, SendMessage | SendPhoto | SendDocument):
            return self._message(bot, method, next(self._message_ids))
        if isinstance(method, EditMessageText | EditMessageReplyMarkup):
            return self._message(bot, method, method.message_id or 0)
        return True

    def _message(self, bot: Bot, method: Any, message_id: int) -> Message:
        chat_id = int(method.chat_id)
        return Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=BOT_USER,
            text=getattr(method, "text", None),
            caption=getattr(method, "caption", None),
            reply_markup=method.reply_markup,
        ).as_(bot)

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:  # pragma: no cover - never downloads in tests
        yield b""


class MockedBot(Bot):
    session: MockedSession

    def __init__(self) -> None:
        super().__init__(
            "4242:TEST-TOKEN",
            session=MockedSession(),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        self._me = BOT_USER

    @property
    def requests(self) -> list[TelegramMethod[Any]]:
        return self.session.requests


def dump(method: TelegramMethod[Any]) -> str:
    """A request as readable JSON, for assertion messages."""
    data = method.model_dump(exclude_none=True, exclude_defaults=True)
    return json.dumps(data, ensure_ascii=False, default=str)


__all__ = ["BOT_USER", "UNSET_PARSE_MODE", "MockedBot", "MockedSession", "dump"]
