"""Telegram without Telegram: an in-process stand-in for the Bot API, and people who talk to
the real dispatcher through it. The offline demo runs on it; the tests drive the bot with it
(`await person.send("/start")`, `await person.press("Create a team")`).
"""

from __future__ import annotations

import itertools
import json
from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import (
    BotCommandScopeChat,
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

BOT_USER = User(id=4242, is_bot=True, first_name="Sales Pulse", username="sales_pulse_bot")


class OfflineSession(BaseSession):
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


class OfflineBot(Bot):
    session: OfflineSession

    def __init__(self) -> None:
        super().__init__(
            "4242:TEST-TOKEN",
            session=OfflineSession(),
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


_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


@dataclass
class BotMessage:
    """What the person sees in the chat: one bot message as last shown (edits applied)."""

    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None

    def buttons(self) -> list[tuple[str, str]]:
        if self.markup is None:
            return []
        return [
            (button.text, button.callback_data or button.url or "")
            for row in self.markup.inline_keyboard
            for button in row
        ]


class Harness:
    """The people in a test and the bot between them: whatever the bot sends to anyone,
    during anyone's update or from a job, lands in that person's chat."""

    def __init__(self, dp: Dispatcher, bot: OfflineBot) -> None:
        self.dp = dp
        self.bot = bot
        self.clients: dict[int, BotClient] = {}
        self._applied = 0

    def user(self, user_id: int, first_name: str, **profile: Any) -> BotClient:
        client = BotClient(self, user_id, first_name, **profile)
        self.clients[user_id] = client
        return client

    async def feed(self, update: Update) -> list[TelegramMethod[Any]]:
        await self.dp.feed_update(self.bot, update)
        return self.sync()

    def sync(self) -> list[TelegramMethod[Any]]:
        """Deliver what the bot sent since the last look; returns those requests."""
        requests = self.bot.requests[self._applied :]
        results = self.bot.session.results[self._applied :]
        self._applied = len(self.bot.requests)
        for client in self.clients.values():
            client._apply(requests, results)
        return requests


@dataclass
class BotClient:
    harness: Harness
    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "ru"
    chat: list[BotMessage] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    _my_callbacks: set[str] = field(default_factory=set)

    @property
    def user(self) -> User:
        return User(
            id=self.user_id,
            is_bot=False,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
        )

    @property
    def private_chat(self) -> Chat:
        return Chat(id=self.user_id, type="private", first_name=self.first_name)

    async def send(self, text: str) -> list[TelegramMethod[Any]]:
        message = Message(
            message_id=next(_message_ids),
            date=datetime.now(UTC),
            chat=self.private_chat,
            from_user=self.user,
            text=text,
        )
        return await self._feed(Update(update_id=next(_update_ids), message=message))

    async def click(self, data: str, message_id: int | None = None) -> list[TelegramMethod[Any]]:
        """Press a button by its callback data, on the newest bot message that shows it
        (or on `message_id`, even if it never showed it: a forged or stale press)."""
        if message_id is None:
            message_id = self._message_with(lambda _text, button_data: button_data == data)
        shown = next((m for m in self.chat if m.message_id == message_id), None)
        callback_id = str(next(_update_ids))
        self._my_callbacks.add(callback_id)
        callback = CallbackQuery(
            id=callback_id,
            from_user=self.user,
            chat_instance="test",
            data=data,
            message=Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=self.private_chat,
                from_user=BOT_USER,
                text=shown.text if shown else "…",
            ),
        )
        return await self._feed(Update(update_id=next(_update_ids), callback_query=callback))

    async def press(self, label: str) -> list[TelegramMethod[Any]]:
        """Press the newest button whose text contains `label`."""
        message_id = self._message_with(lambda text, _data: label in text)
        message = next(m for m in self.chat if m.message_id == message_id)
        data = next(d for text, d in message.buttons() if label in text)
        return await self.click(data, message_id)

    def _message_with(self, match: Any) -> int:
        for message in reversed(self.chat):
            if any(match(text, data) for text, data in message.buttons()):
                return message.message_id
        shown = [m.buttons() for m in self.chat]
        raise AssertionError(f"no such button on screen; buttons shown: {shown}")

    @property
    def bot(self) -> OfflineBot:
        return self.harness.bot

    async def _feed(self, update: Update) -> list[TelegramMethod[Any]]:
        return await self.harness.feed(update)

    def _apply(self, requests: list[TelegramMethod[Any]], results: list[Any]) -> None:
        for request, result in zip(requests, results, strict=True):
            if isinstance(request, SendMessage) and request.chat_id == self.user_id:
                message_id = result.message_id if isinstance(result, Message) else -1
                self.chat.append(BotMessage(message_id, request.text, _markup(request)))
            elif isinstance(request, EditMessageText) and request.chat_id == self.user_id:
                for message in self.chat:
                    if message.message_id == request.message_id:
                        message.text = request.text or ""
                        message.markup = _markup(request)
            elif isinstance(request, EditMessageReplyMarkup) and request.chat_id == self.user_id:
                for message in self.chat:
                    if message.message_id == request.message_id:
                        message.markup = _markup(request)
            elif (
                isinstance(request, AnswerCallbackQuery)
                and request.text
                and request.callback_query_id in self._my_callbacks
            ):
                self.alerts.append(request.text)

    @property
    def last(self) -> BotMessage:
        assert self.chat, "the bot has sent nothing to this user"
        return self.chat[-1]

    def texts(self) -> list[str]:
        return [message.text for message in self.chat]

    def menu(self) -> list[str] | None:
        """The command names of this user's own menu, as last set by the bot."""
        items = self.menu_items()
        return None if items is None else [name for name, _ in items]

    def menu_items(self) -> list[tuple[str, str]] | None:
        """(command, description) pairs of this user's own menu, as last set by the bot."""
        for request in reversed(self.bot.requests):
            if (
                isinstance(request, SetMyCommands)
                and isinstance(request.scope, BotCommandScopeChat)
                and request.scope.chat_id == self.user_id
            ):
                return [(command.command, command.description) for command in request.commands]
        return None


def _markup(request: Any) -> InlineKeyboardMarkup | None:
    markup = request.reply_markup
    return markup if isinstance(markup, InlineKeyboardMarkup) else None
