"""A fake Telegram Bot API server for tests, spoken to over real HTTP.

aiogram's real client talks to it::

    async with FakeTelegram() as tg:
        bot = Bot("4242:TEST", session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
        alice = tg.user(1001, first_name="Alice")
        mark = tg.mark()
        await alice.send("/start")
        reply = await tg.wait_for("sendMessage", chat_id=alice.id, after=mark)

It keeps the state a person would see (messages with their edits, inline and reply keyboards,
commands per scope), records every request, and can misbehave on purpose: injected 429, 5xx,
403 and hanging answers, blocked users, and global / per-chat rate limits.

With ``strict=True`` (the default) it also refuses what Telegram refuses, with Telegram's
wording: broken HTML under parse_mode=HTML, empty or too long texts, callback data over 64 bytes,
editing a missing message, "message is not modified", answering an unknown callback query.

Webhook delivery works as Telegram's does. While a webhook is set (setWebhook), every queued
update is POSTed as JSON to its URL, with ``X-Telegram-Bot-Api-Secret-Token`` when a secret was
given: at most ``max_connections`` posts at a time, and one at a time per chat (or user), so a
chat's updates arrive in order. A 2xx answer delivers the update; anything else, a refused
connection or no answer within ``webhook_timeout`` leaves it queued, to be posted again after
``webhook_retry_delay``, and shows in getWebhookInfo. A method in a 2xx answer's body (a JSON
object or a form with a "method" field) is performed as if the bot had called it.
``webhook_targets`` stands in for a load balancer in front of several bot replicas: posts go to
those URLs instead (round robin or random, failing over to another one after an error). Every
attempt is recorded in ``webhook_posts``; ``update_queued_at`` and ``RecordedRequest.received_at``
(monotonic seconds) give update-to-reply latencies.

Standalone, for driving a real bot process by hand::

    python -m tests.fake_telegram --port 8081
    curl -d '{"user_id": 1, "first_name": "Ann", "text": "/start"}' localhost:8081/_control/send
    curl -d '{"user_id": 1, "data": "menu:teams"}' localhost:8081/_control/click
    curl localhost:8081/_control/log?after=0

Add ``--webhook-target URL`` (repeatable) to spread webhook posts over several bot processes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import html
import inspect
import itertools
import json
import math
import random
import re
import signal
import sys
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Self

import aiohttp
from aiohttp import web

JSON = dict[str, Any]
ChatId = int | str
FaultKind = Literal["429", "500", "timeout", "403"]
Balance = Literal["round_robin", "random"]

BOT_ID = 4242
BOT_FIRST_NAME = "Sales Pulse"
BOT_USERNAME = "sales_pulse_bot"
TOKEN = "4242:TEST-TOKEN"

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64

# Methods that put something in a chat: a blocked user refuses them and rate limits count them.
_SENDING_PREFIXES = ("send", "copymessage", "forwardmessage", "editmessage")
_NOT_RATE_LIMITED = frozenset({"sendchataction"})
# Methods whose success counts as one message delivered (stats["sent"]).
_DELIVERING_PREFIXES = ("send", "copymessage", "forwardmessage")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_MAX_CONNECTIONS = 40

# Form fields that are plain strings even when they look like JSON ("123", "true", "null").
_STRING_PARAMS = frozenset(
    [
        "text",
        "caption",
        "callback_query_id",
        "inline_message_id",
        "parse_mode",
        "url",
        "secret_token",
        "language_code",
        "action",
        "title",
        "description",
        "short_description",
        "name",
        "query",
        "emoji",
        "question",
        "business_connection_id",
        "address",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "sticker",
        "photo",
        "document",
        "audio",
        "video",
        "voice",
        "animation",
        "thumbnail",
        "video_note",
        "certificate",
        "ip_address",
        "explanation",
        "message_effect_id",
        "custom_title",
        "file_id",
    ]
)

_HTML_TAGS = frozenset(
    [
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
        "tg-time",
    ]
)


class BotApiError(Exception):
    """Raised by a method handler to answer ``{"ok": false, ...}`` as Telegram does."""

    def __init__(self, error_code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


def _too_many(retry_after: int) -> BotApiError:
    return BotApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def _forbidden_blocked() -> BotApiError:
    return BotApiError(403, "Forbidden: bot was blocked by the user")


def _server_error() -> BotApiError:
    return BotApiError(500, "Internal Server Error")


class WaitTimeout(AssertionError):
    """`FakeTelegram.wait_for` saw no matching request in time."""


@dataclass(frozen=True)
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


Handler = Callable[[JSON, dict[str, UploadedFile]], Any]


@dataclass
class RecordedRequest:
    """One call the bot made. `status` is the HTTP status answered (499: client went away)."""

    seq: int
    method: str
    params: JSON
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 0
    response: JSON | None = None
    token: str = ""
    received_at: float = field(default_factory=time.monotonic)  # time.monotonic() seconds

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> ChatId | None:
        return _chat_id_of(self.params)

    @property
    def text(self) -> str | None:
        """The text or caption as the bot sent it (HTML tags included)."""
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def result(self) -> Any:
        return None if self.response is None else self.response.get("result")

    def as_dict(self) -> JSON:
        return {
            "seq": self.seq,
            "method": self.method,
            "params": self.params,
            "files": {
                name: {"filename": f.filename, "content_type": f.content_type, "size": f.size}
                for name, f in self.files.items()
            },
            "status": self.status,
            "response": self.response,
        }


@dataclass
class WebhookPost:
    """One attempt to post an update to a webhook. `status` is the HTTP status answered (None
    when there was none); `error` says why the attempt failed (None when it delivered);
    `reply` names the method the answer's body asked for. Times are time.monotonic() seconds."""

    update_id: int
    url: str
    attempt: int
    started: float
    finished: float | None = None
    status: int | None = None
    error: str | None = None
    reply: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300


class Button(NamedTuple):
    text: str
    callback_data: str | None
    url: str | None


@dataclass
class _Fault:
    method: str  # lower-cased, "*" for any
    kind: str
    count: int
    retry_after: int
    chat_id: ChatId | None
    description: str | None


@dataclass
class _StoredMessage:
    message: JSON  # as Telegram would return it (plain text, inline markup only)
    raw_text: str | None  # text / caption as sent, markup included
    markup: JSON | None  # reply_markup as sent
    from_bot: bool


class _Window:
    """Sliding-window limiter: at most `limit` hits per `size` seconds."""

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("a rate limit must be positive")
        if per_second >= 1:
            self.size, self.limit = 1.0, int(per_second)
        else:
            self.size, self.limit = 1.0 / per_second, 1
        self.hits: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        while self.hits and self.hits[0] <= now - self.size:
            self.hits.popleft()
        if len(self.hits) < self.limit:
            return None
        return max(1, math.ceil(self.hits[0] + self.size - now))

    def hit(self, now: float) -> None:
        self.hits.append(now)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _chat_id_of(params: JSON) -> ChatId | None:
    value = params.get("chat_id")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | str):
        return value
    return None


def _decode_field(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def html_to_plain(text: str) -> str:
    """Check Telegram-flavoured HTML the way Telegram does; return the text without tags.

    Raises `BotApiError` 400 with Telegram's wording for unsupported or unbalanced tags.
    """
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        lt = text.find("<", i)
        if lt < 0:
            out.append(text[i:])
            break
        out.append(text[i:lt])
        offset = len(text[:lt].encode())
        gt = text.find(">", lt)
        if gt < 0:
            raise _bad_request(f"can't parse entities: Unclosed start tag at byte offset {offset}")
        inner = text[lt + 1 : gt]
        if inner.startswith("/"):
            name = inner[1:].strip().lower()
            if not stack:
                raise _bad_request(
                    f"can't parse entities: Unexpected end tag at byte offset {offset}"
                )
            if name != stack[-1]:
                raise _bad_request(
                    f"can't parse entities: Unmatched end tag at byte offset {offset}, "
                    f'expected "</{stack[-1]}>", found "<{inner}>"'
                )
            stack.pop()
        else:
            name = (inner.split(maxsplit=1) or [""])[0].lower()
            if name not in _HTML_TAGS:
                raise _bad_request(
                    f'can\'t parse entities: Unsupported start tag "{name}" at byte offset {offset}'
                )
            stack.append(name)
        i = gt + 1
    if stack:
        raise _bad_request(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\""
        )
    return html.unescape("".join(out))


def _inline_buttons(markup: JSON | None) -> list[Button]:
    if not markup:
        return []
    return [
        Button(str(b.get("text", "")), b.get("callback_data"), b.get("url"))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


class FakeUser:
    """A person in a private chat with the bot; `id` is both the user id and the chat id."""

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> None:
        self.tg = tg
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code

    @property
    def chat_id(self) -> int:
        return self.id

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    def as_dict(self) -> JSON:
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        if self.language_code is not None:
            user["language_code"] = self.language_code
        return user

    def chat_dict(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        return chat

    # --- what the person does -----------------------------------------------------------

    async def send(self, text: str, **extra: Any) -> JSON:
        """Write `text` to the bot; returns the pushed update. `extra` goes into the message."""
        message: JSON = {
            "message_id": self.tg._next_message_id(self.id),
            "date": self.tg._now(),
            "chat": self.chat_dict(),
            "from": self.as_dict(),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command)}
            ]
        message.update(extra)
        self.tg._store(self.id, _StoredMessage(message, text, None, from_bot=False))
        update = self.tg.push_update({"message": message})
        await asyncio.sleep(0)
        return update

    async def click(self, callback_data: str, message_id: int | None = None) -> str:
        """Press the inline button with `callback_data`; returns the callback query id.

        Without `message_id`, the newest bot message in this chat whose current inline
        keyboard has that callback_data is pressed (LookupError if there is none)."""
        stored = self._find_message(message_id, lambda b: b.callback_data == callback_data)
        query_id = str(next(self.tg._query_ids))
        if stored is not None:
            message: JSON = copy.deepcopy(stored.message)
        else:  # an explicit id the fake never saw: Telegram sends an InaccessibleMessage
            message = {"chat": self.chat_dict(), "message_id": message_id, "date": 0}
        query: JSON = {
            "id": query_id,
            "from": self.as_dict(),
            "message": message,
            "chat_instance": str(zlib.crc32(f"chat{self.id}".encode())),
            "data": callback_data,
        }
        self.tg._open_queries[query_id] = query
        self.tg.push_update({"callback_query": query})
        await asyncio.sleep(0)
        return query_id

    async def press(self, button_text: str, message_id: int | None = None) -> str:
        """Press the inline button labelled `button_text` (newest message that has it)."""
        stored = self._find_message(message_id, lambda b: b.text == button_text)
        if stored is None:
            raise LookupError(f"no message {message_id} in chat {self.id}")
        for button in _inline_buttons(stored.markup):
            if button.text == button_text and button.callback_data is not None:
                return await self.click(button.callback_data, stored.message["message_id"])
        raise LookupError(f"button {button_text!r} has no callback_data")

    async def ask(self, text: str, timeout: float = 5.0) -> RecordedRequest:
        """Send `text` and wait for the first message the bot sends or edits in this chat."""
        mark = self.tg.mark()
        await self.send(text)
        return await self.tg.wait_for(
            _CHAT_OUTPUT_METHODS, chat_id=self.id, after=mark, timeout=timeout
        )

    def _find_message(
        self, message_id: int | None, wanted: Callable[[Button], bool]
    ) -> _StoredMessage | None:
        chat = self.tg._messages.get(self.id, {})
        if message_id is not None:
            return chat.get(message_id)
        for stored in reversed(list(chat.values())):
            if stored.from_bot and any(wanted(b) for b in _inline_buttons(stored.markup)):
                return stored
        available = [b for m in chat.values() if m.from_bot for b in _inline_buttons(m.markup)]
        raise LookupError(f"no bot message in chat {self.id} has such a button; have {available}")

    # --- what the person sees ------------------------------------------------------------

    def sent(self) -> list[RecordedRequest]:
        return self.tg.sent_to(self.id)

    def messages(self) -> list[JSON]:
        """The bot's messages in this chat as they look now (edits applied, deletes gone)."""
        chat = self.tg._messages.get(self.id, {})
        return [copy.deepcopy(m.message) for m in chat.values() if m.from_bot]

    def last_message(self) -> JSON | None:
        messages = self.messages()
        return messages[-1] if messages else None

    def last_text(self) -> str | None:
        """Text (or caption) of the bot's latest send or edit here, as sent (with HTML)."""
        for request in reversed(self.sent()):
            if request.text is not None:
                return request.text
        return None

    def texts(self) -> list[str]:
        return [r.text for r in self.sent() if r.text is not None]

    def buttons(self, message_id: int | None = None) -> list[Button]:
        """Inline buttons of the bot's newest message here (or of `message_id`)."""
        chat = self.tg._messages.get(self.id, {})
        if message_id is not None:
            stored = chat.get(message_id)
            return _inline_buttons(stored.markup if stored else None)
        for stored in reversed(list(chat.values())):
            if stored.from_bot:
                return _inline_buttons(stored.markup)
        return []

    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of the reply keyboard currently shown, None when there is none."""
        return self.tg._reply_keyboards.get(self.id)


_CHAT_OUTPUT_METHODS = (
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
)


class FakeTelegram:
    """The fake Bot API: an aiohttp application (`self.app`) plus the state behind it."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        bot_id: int = BOT_ID,
        bot_username: str = BOT_USERNAME,
        bot_first_name: str = BOT_FIRST_NAME,
        rate_limit_per_second: float | None = None,
        per_chat_per_second: float | None = None,
        strict: bool = True,
        echo: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.strict = strict
        self.echo = echo
        self.clock = clock
        self.timeout_delay = 30.0
        self.requests: list[RecordedRequest] = []
        self.unknown_methods: list[RecordedRequest] = []
        self.errors: list[Exception] = []  # exceptions raised inside the fake: should stay empty
        self.stats: Counter[str] = Counter()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.callback_answers: dict[str, JSON] = {}
        self.uploads: dict[str, UploadedFile] = {}
        self.users: dict[int, FakeUser] = {}
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_max_connections = DEFAULT_MAX_CONNECTIONS
        self.webhook_timeout = 10.0  # seconds a post may take before it counts as failed
        self.webhook_retry_delay = 0.2  # before posting a failed update again (Telegram: longer)
        # A load balancer in front of bot replicas: posts go to these instead of webhook_url.
        self.webhook_targets: list[str] | None = None
        self.webhook_balance: Balance = "round_robin"
        self.webhook_random = random.Random()  # for webhook_balance="random"; seed it in tests
        self.webhook_posts: list[WebhookPost] = []
        self.update_queued_at: dict[int, float] = {}  # update_id -> time.monotonic() queued
        self.app = web.Application(client_max_size=64 * 1024 * 1024)
        self._global_window = _Window(rate_limit_per_second) if rate_limit_per_second else None
        self._per_chat = per_chat_per_second
        self._chat_windows: dict[ChatId, _Window] = {}
        self._blocked: set[ChatId] = set()
        self._faults: list[_Fault] = []
        self._updates: list[JSON] = []
        self._allowed_updates: list[str] = []
        self._seq = itertools.count(1)
        self._last_seq = 0
        self._update_ids = itertools.count(100_001)
        self._query_ids = itertools.count(7_000_000_001)
        self._file_numbers = itertools.count(1)
        self._message_counters: dict[ChatId, int] = {}
        self._messages: dict[ChatId, dict[int, _StoredMessage]] = {}
        self._reply_keyboards: dict[ChatId, list[list[str]]] = {}
        self._open_queries: dict[str, JSON] = {}
        self._poll_generation = 0
        self._wake = asyncio.Event()
        self._recorded = asyncio.Event()
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._posting: dict[int, asyncio.Task[None]] = {}  # update_id -> its post in flight
        self._webhook_wake = asyncio.Event()
        self._webhook_token = ""
        self._webhook_error: tuple[int, str] | None = None  # last_error_date, last_error_message
        self._retry_at: dict[int, float] = {}
        self._attempts: Counter[int] = Counter()
        self._failed_target: dict[int, str] = {}
        self._round_robin = itertools.count()
        self._handlers: dict[str, Handler] = {}
        self._canonical: dict[str, str] = {}
        for name, handler in {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "close": _true,
            "logOut": _true,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendChatAction": _true,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setMyDescription": _true,
            "setMyShortDescription": _true,
            "setChatMenuButton": _true,
            "pinChatMessage": _true,
            "unpinChatMessage": _true,
        }.items():
            self.register(name, handler)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        self.app.router.add_route("*", "/file/bot{token}/{path:.*}", self._handle_file)
        self.app.router.add_post("/_control/send", self._control_send)
        self.app.router.add_post("/_control/click", self._control_click)
        self.app.router.add_post("/_control/push", self._control_push)
        self.app.router.add_get("/_control/log", self._control_log)
        self.app.router.add_get("/_control/messages", self._control_messages)

    # --- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._stopping.clear()
        runner = web.AppRunner(
            self.app, handler_cancellation=True, access_log=None, shutdown_timeout=2.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self._ensure_delivery()

    async def stop(self) -> None:
        """Wake every long poll and hanging answer, cancel webhook posts, shut the server down."""
        if self._runner is None:
            return
        self._stopping.set()
        self._notify_updates()
        tasks = [t for t in (self._delivery, *self._posting.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._delivery = None
        self._posting.clear()
        if self._http is not None:
            await self._http.close()
            self._http = None
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def register(self, method: str, handler: Handler) -> None:
        """Add or replace a method: handler(params, files) returns the result (or an awaitable
        of it) or raises BotApiError."""
        self._canonical[method.lower()] = method
        self._handlers[method.lower()] = handler

    # --- test helpers: people and updates --------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> FakeUser:
        user = FakeUser(self, user_id, first_name, last_name, username, language_code)
        self.users[user_id] = user
        return user

    def push_update(self, update: JSON) -> JSON:
        """Queue a raw update for getUpdates or the webhook (update_id assigned when missing)."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self.update_queued_at.setdefault(update["update_id"], time.monotonic())
        self._updates.append(update)
        self._notify_updates()
        return update

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot (via a later getUpdates offset)."""
        return list(self._updates)

    async def post_raw(self, url: str, update: JSON, secret: str | None = None) -> int:
        """POST one update to `url` as Telegram would, outside the queue; the HTTP status.

        For checking a bot's webhook endpoint (a wrong or missing secret should get 401)."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        async with self._client().post(
            url, data=_dumps(update).encode(), headers=_webhook_headers(secret)
        ) as response:
            await response.read()
            return response.status

    # --- test helpers: what the bot did ----------------------------------------------------

    def mark(self) -> int:
        """The sequence number of the latest request received; pass it as `after=`."""
        return self._last_seq

    def sent_to(self, chat_id: ChatId, *, include_failed: bool = False) -> list[RecordedRequest]:
        """sendMessage/sendPhoto/sendDocument/edit* requests to `chat_id`, oldest first."""
        return [
            r
            for r in self.requests
            if r.method in _CHAT_OUTPUT_METHODS
            and r.chat_id == chat_id
            and (include_failed or r.ok)
        ]

    def calls(self, method: str) -> list[RecordedRequest]:
        name = self._canonical.get(method.lower(), method)
        return [r for r in self.requests if r.method == name]

    def find(
        self,
        method: str | Collection[str] | None = None,
        chat_id: ChatId | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        *,
        after: int = 0,
        ok: bool | None = True,
    ) -> list[RecordedRequest]:
        """Recorded requests matching every given condition (`ok=None`: any status)."""
        methods = _method_set(method)
        return [
            r
            for r in self.requests
            if r.seq > after
            and (methods is None or r.method.lower() in methods)
            and (chat_id is None or r.chat_id == chat_id)
            and (ok is None or r.ok == ok)
            and (predicate is None or predicate(r))
        ]

    async def wait_for(
        self,
        method: str | Collection[str] | None = None,
        chat_id: ChatId | None = None,
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5.0,
        *,
        after: int = 0,
        ok: bool | None = True,
    ) -> RecordedRequest:
        """The first request with seq > `after` matching the conditions, waiting for it.

        Only successful requests match unless `ok=False` (only failed) or `ok=None` (any).
        Raises WaitTimeout (an AssertionError) listing what came instead."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self.find(method, chat_id, predicate, after=after, ok=ok)
            if found:
                return found[0]
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = [
                    f"#{r.seq} {r.method} {r.status} chat={r.chat_id} {r.text!r}"
                    for r in self.requests
                    if r.seq > after and r.method != "getUpdates"
                ]
                raise WaitTimeout(
                    f"no {method} (chat_id={chat_id}) within {timeout}s after #{after}; "
                    f"got instead: {seen}"
                )
            event = self._recorded
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await event.wait()

    def commands_for(self, chat_id: ChatId, language_code: str | None = None) -> list[str]:
        """Command names last set for BotCommandScopeChat(chat_id) and that language."""
        key = (_scope_key({"type": "chat", "chat_id": chat_id}), language_code or "")
        return [str(c["command"]) for c in self.commands.get(key, [])]

    def visible_commands(self, chat_id: int, language_code: str | None = None) -> list[str]:
        """The command menu a private chat shows, resolving scopes as Telegram does."""
        scopes: list[JSON] = [
            {"type": "chat", "chat_id": chat_id},
            {"type": "all_private_chats"},
            {"type": "default"},
        ]
        for scope in scopes:
            for lang in ([language_code] if language_code else []) + [""]:
                key = (_scope_key(scope), lang)
                if key in self.commands:
                    return [str(c["command"]) for c in self.commands[key]]
        return []

    def unanswered_callbacks(self) -> list[str]:
        return [q for q in self._open_queries if q not in self.callback_answers]

    # --- test helpers: misbehaviour ----------------------------------------------------------

    def fail_next(
        self,
        method: str,
        kind: FaultKind | int,
        count: int = 1,
        retry_after: int = 1,
        chat_id: ChatId | None = None,
        description: str | None = None,
    ) -> None:
        """The next `count` calls of `method` ("*": any) fail.

        kind "429": Too Many Requests with retry_after; "500": Internal Server Error;
        "403": bot was blocked by the user; "timeout": no answer for `self.timeout_delay`
        seconds (the request is not performed), then 504. Any other int: that error code
        with `description`."""
        name = "*" if method == "*" else method.lower()
        self._faults.append(_Fault(name, str(kind), count, retry_after, chat_id, description))

    def block(self, chat_id: ChatId) -> None:
        """From now on every send/edit to `chat_id` fails with 403 (user blocked the bot)."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: ChatId) -> None:
        self._blocked.discard(chat_id)

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )

    async def _handle_api(self, request: web.Request) -> web.Response:
        record = self._new_record(request.match_info["method"], request.match_info["token"])
        body = await self._perform(record, request)
        return web.json_response(body, status=record.status, dumps=_dumps)

    def _new_record(self, method: str, token: str) -> RecordedRequest:
        seq = next(self._seq)
        self._last_seq = seq
        return RecordedRequest(
            seq=seq,
            method=self._canonical.get(method.lower(), method),
            params={},
            token=token,
            status=499,
        )

    async def _perform(self, record: RecordedRequest, request: web.Request | None) -> JSON:
        """Perform one call (its params read from `request` when given) and record it; returns
        the body to answer."""
        body: JSON
        try:
            try:
                if request is not None:
                    record.params, record.files = await _read_params(request)
                result = await self._call(record)
                body, record.status = {"ok": True, "result": result}, 200
            except BotApiError as error:
                body, record.status = error.body(), error.error_code
            except Exception as error:  # a bug in the fake or an unreadable request
                self.errors.append(error)
                description = f"Internal Server Error (fake: {type(error).__name__}: {error})"
                body, record.status = BotApiError(500, description).body(), 500
            record.response = body
        finally:  # cancelled (client gone, server stopping) requests are recorded too
            self._count(record)
            self.requests.append(record)
            if record.method.lower() not in self._handlers:
                self.unknown_methods.append(record)
            recorded, self._recorded = self._recorded, asyncio.Event()
            recorded.set()
            if self.echo:
                _print_request(record)
        return body

    def _count(self, record: RecordedRequest) -> None:
        self.stats["requests"] += 1
        status = record.status
        if status == 200 and record.method.lower().startswith(_DELIVERING_PREFIXES):
            if record.method.lower() not in _NOT_RATE_LIMITED:
                self.stats["sent"] += 1
        elif status == 429:
            self.stats["429"] += 1
        elif status == 403:
            self.stats["403"] += 1
        elif status >= 500:
            self.stats["5xx"] += 1
        elif status == 400:
            self.stats["400"] += 1

    async def _call(self, record: RecordedRequest) -> Any:
        name = record.method.lower()
        chat_id = record.chat_id
        fault = self._take_fault(name, chat_id)
        if fault is not None:
            await self._apply_fault(fault)
        sending = name.startswith(_SENDING_PREFIXES)
        if sending and chat_id in self._blocked:
            raise _forbidden_blocked()
        if sending and name not in _NOT_RATE_LIMITED:
            self._check_rate(chat_id)
        handler = self._handlers.get(name)
        if handler is None:
            raise BotApiError(404, "Not Found: method not found")
        if name == "setwebhook":  # a method in a webhook's answer is performed with this token
            self._webhook_token = record.token
        result = handler(record.params, record.files)
        if inspect.isawaitable(result):
            result = await result
        return result

    def _take_fault(self, name: str, chat_id: ChatId | None) -> _Fault | None:
        for fault in self._faults:
            if fault.method not in ("*", name):
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.count -= 1
            if fault.count <= 0:
                self._faults.remove(fault)
            return fault
        return None

    async def _apply_fault(self, fault: _Fault) -> None:
        if fault.kind == "429":
            raise _too_many(fault.retry_after)
        if fault.kind == "500":
            raise _server_error()
        if fault.kind == "403":
            raise _forbidden_blocked()
        if fault.kind == "timeout":
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.timeout_delay):
                    await self._stopping.wait()
            raise BotApiError(504, "Gateway Timeout")
        code = int(fault.kind)
        raise BotApiError(code, fault.description or f"Error {code}")

    def _check_rate(self, chat_id: ChatId | None) -> None:
        now = time.monotonic()
        windows: list[_Window] = []
        if self._global_window is not None:
            windows.append(self._global_window)
        if self._per_chat is not None and chat_id is not None:
            window = self._chat_windows.get(chat_id)
            if window is None:
                window = self._chat_windows[chat_id] = _Window(self._per_chat)
            windows.append(window)
        waits = [w for w in (window.retry_after(now) for window in windows) if w is not None]
        if waits:
            raise _too_many(max(waits))
        for window in windows:
            window.hit(now)

    # --- webhook delivery --------------------------------------------------------------------

    def _client(self) -> aiohttp.ClientSession:
        """The HTTP client webhook posts go through: one per run of the server."""
        if self._runner is None:
            raise RuntimeError("the fake Bot API is not running")
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    def _ensure_delivery(self) -> None:
        """Start the delivery task while a webhook is set and the server runs."""
        if not self.webhook_url or self._runner is None or self._stopping.is_set():
            return
        if self._delivery is None or self._delivery.done():
            self._delivery = asyncio.get_running_loop().create_task(
                self._deliver(), name="FakeTelegram webhook delivery"
            )

    async def _deliver(self) -> None:
        """Start posts whenever updates, finished posts or due retries allow; ends when the
        webhook is deleted (posts in flight finish on their own)."""
        try:
            while self.webhook_url and not self._stopping.is_set():
                self._webhook_wake.clear()
                delay = self._start_posts()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(delay):
                        await self._webhook_wake.wait()
        except Exception as error:  # a bug in the fake
            self.errors.append(error)

    def _start_posts(self) -> float | None:
        """Post what may go now; returns the seconds until the next retry is due (None: none).

        Only the oldest pending update of each chat is a candidate, so a chat's updates are
        delivered in order even when one of them has to be retried."""
        now = time.monotonic()
        next_retry: float | None = None
        seen: set[object] = set()
        for update in self._deliverable():
            if len(self._posting) >= self.webhook_max_connections:
                break
            key = _order_key(update)
            if key in seen:
                continue
            seen.add(key)
            update_id = int(update["update_id"])
            if update_id in self._posting:
                continue
            retry_at = self._retry_at.get(update_id, 0.0)
            if retry_at > now:
                next_retry = retry_at if next_retry is None else min(next_retry, retry_at)
                continue
            self._posting[update_id] = asyncio.get_running_loop().create_task(
                self._post_update(update), name=f"FakeTelegram webhook post {update_id}"
            )
        return None if next_retry is None else max(next_retry - now, 0.0)

    async def _post_update(self, update: JSON) -> None:
        update_id = int(update["update_id"])
        try:
            if not self.webhook_url:
                return
            post, reply = await self._post_once(update)
            if self.echo:
                _print_post(post)
            if not post.ok:
                self.stats["webhook_failed"] += 1
                self._webhook_error = (self._now(), post.error or f"status {post.status}")
                self._retry_at[update_id] = time.monotonic() + self.webhook_retry_delay
                self._failed_target[update_id] = post.url
                return
            self.stats["webhook_delivered"] += 1
            self._updates = [u for u in self._updates if u["update_id"] != update_id]
            self._retry_at.pop(update_id, None)
            self._failed_target.pop(update_id, None)
            if reply is not None:  # Telegram performs the method the webhook answered with
                params, files = reply
                record = self._new_record(str(params.pop("method")), self._webhook_token)
                record.params, record.files = params, files
                await self._perform(record, None)
        except Exception as error:  # a bug in the fake
            self.errors.append(error)
        finally:
            self._posting.pop(update_id, None)
            self._webhook_wake.set()

    async def _post_once(
        self, update: JSON
    ) -> tuple[WebhookPost, tuple[JSON, dict[str, UploadedFile]] | None]:
        """One attempt: the record of it and, after a 2xx, the method answered (if any)."""
        update_id = int(update["update_id"])
        self._attempts[update_id] += 1
        url = self._webhook_target(self._failed_target.get(update_id))
        post = WebhookPost(update_id, url, self._attempts[update_id], started=time.monotonic())
        self.webhook_posts.append(post)
        self.stats["webhook_posts"] += 1
        reply = None
        try:
            async with (
                asyncio.timeout(self.webhook_timeout),
                self._client().post(
                    url, data=_dumps(update).encode(), headers=_webhook_headers(self.webhook_secret)
                ) as response,
            ):
                post.status = response.status
                if 200 <= response.status < 300:
                    reply = await _read_webhook_reply(response)
                    post.reply = None if reply is None else str(reply[0]["method"])
                else:
                    post.error = (
                        f"Wrong response from the webhook: {response.status} {response.reason}"
                    )
        except asyncio.CancelledError:  # the fake is stopping
            post.error = "cancelled"
            raise
        except TimeoutError:
            post.error = "Read timeout expired"
        except aiohttp.ClientConnectorError as error:
            refused = isinstance(error.os_error, ConnectionRefusedError)
            post.error = "Connection refused" if refused else f"Failed to connect: {error}"
        except (aiohttp.ClientError, OSError) as error:
            post.error = f"{type(error).__name__}: {error}"
        finally:
            post.finished = time.monotonic()
        return post, reply

    def _webhook_target(self, avoid: str | None) -> str:
        """Where the next post goes: the webhook URL, or one of `webhook_targets` other than the
        one that just failed this update (a proxy failing over)."""
        targets = self.webhook_targets
        if not targets:
            return self.webhook_url
        choices = [t for t in targets if t != avoid] or list(targets)
        if self.webhook_balance == "random":
            return self.webhook_random.choice(choices)
        for _ in targets:
            target = targets[next(self._round_robin) % len(targets)]
            if target in choices:
                return target
        return choices[0]

    # --- state -----------------------------------------------------------------------------

    def _now(self) -> int:
        return int(self.clock())

    def _next_message_id(self, chat_id: ChatId) -> int:
        self._message_counters[chat_id] = self._message_counters.get(chat_id, 0) + 1
        return self._message_counters[chat_id]

    def _store(self, chat_id: ChatId, stored: _StoredMessage) -> None:
        self._messages.setdefault(chat_id, {})[stored.message["message_id"]] = stored

    def _notify_updates(self) -> None:
        wake, self._wake = self._wake, asyncio.Event()
        wake.set()
        self._webhook_wake.set()
        self._ensure_delivery()

    def _chat(self, chat_id: ChatId) -> JSON:
        if isinstance(chat_id, int) and chat_id > 0:
            user = self.users.get(chat_id)
            if user is not None:
                return user.chat_dict()
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        if isinstance(chat_id, int):
            kind = "supergroup" if str(chat_id).startswith("-100") else "group"
            return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}
        return {"id": -1_000_000_000_000 - len(chat_id), "type": "channel", "title": chat_id}

    def _require_chat(self, params: JSON) -> ChatId:
        chat_id = _chat_id_of(params)
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        return chat_id

    def _text(self, params: JSON, key: str, limit: int, *, required: bool) -> str | None:
        raw = params.get(key)
        if raw is None:
            if required and self.strict:
                raise _bad_request("message text is empty")
            return None
        text = str(raw)
        if params.get("parse_mode") == "HTML" and self.strict:
            text = html_to_plain(text)
        elif params.get("parse_mode") == "HTML":
            text = re.sub(r"<[^>]*>", "", text)
        if self.strict:
            if required and not text.strip():
                raise _bad_request("message text is empty")
            if _utf16_len(text) > limit:
                raise _bad_request(
                    "message is too long" if key == "text" else "message caption is too long"
                )
        return text

    def _markup(self, params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                self._check_button(button)
        return markup

    def _check_button(self, button: JSON) -> None:
        if not self.strict:
            return
        if not button.get("text"):
            raise _bad_request("can't parse inline keyboard button: Text must be non-empty")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
            raise _bad_request("BUTTON_DATA_INVALID")
        actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
        if not actions:
            raise _bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the "
                "inline keyboard"
            )

    def _new_bot_message(
        self, chat_id: ChatId, params: JSON, raw_text: str | None, **content: Any
    ) -> JSON:
        markup = self._markup(params)
        message: JSON = {
            "message_id": self._next_message_id(chat_id),
            "date": self._now(),
            "chat": self._chat(chat_id),
            "from": dict(self.bot_user),
            **{key: value for key, value in content.items() if value is not None},
        }
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        if inline is not None:
            message["reply_markup"] = inline
        if markup is not None and "keyboard" in markup:
            self._reply_keyboards[chat_id] = [
                [str(b["text"]) if isinstance(b, dict) else str(b) for b in row]
                for row in markup["keyboard"]
            ]
        elif markup is not None and markup.get("remove_keyboard"):
            self._reply_keyboards.pop(chat_id, None)
        self._store(chat_id, _StoredMessage(message, raw_text, inline, from_bot=True))
        return copy.deepcopy(message)

    def _uploaded(self, params: JSON, files: dict[str, UploadedFile], key: str) -> UploadedFile:
        upload = files.get(key)
        if upload is not None:
            return upload
        value = params.get(key)
        if isinstance(value, str) and value in self.uploads:
            return self.uploads[value]
        if not value:
            raise _bad_request(f"there is no {key} in the request")
        return UploadedFile(key, "", "", b"")  # an URL or a file_id of another bot

    def _file_ids(self, params: JSON, key: str, upload: UploadedFile) -> tuple[str, str]:
        value = params.get(key)
        if upload.data or upload.filename:
            number = next(self._file_numbers)
            file_id = f"FAKE-{key.upper()}-{number:06d}"
            self.uploads[file_id] = upload
            return file_id, f"uniq{number:06d}"
        file_id = str(value)
        return file_id, f"uniq-{zlib.crc32(file_id.encode())}"

    # --- methods ---------------------------------------------------------------------------

    def _get_me(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return dict(self.bot_user)

    async def _get_updates(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        if self.webhook_url:
            raise BotApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        # A newer getUpdates terminates the one still waiting, as on the real server.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify_updates()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise BotApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )
            batch = self._deliverable()[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._stopping.is_set():
                return copy.deepcopy(batch)
            wake = self._wake
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await wake.wait()

    def _deliverable(self) -> list[JSON]:
        if self._allowed_updates:  # Telegram drops the kinds the bot did not ask for
            allowed = set(self._allowed_updates) | {"update_id"}
            self._updates = [u for u in self._updates if set(u) <= allowed]
        return self._updates

    def _set_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        secret = params.get("secret_token")
        secret = str(secret) if secret not in (None, "") else None
        if secret is not None and self.strict and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad_request("secret token contains unallowed characters")
        self.webhook_url = str(params.get("url") or "")
        self.webhook_secret = secret
        connections = int(params.get("max_connections") or DEFAULT_MAX_CONNECTIONS)
        self.webhook_max_connections = min(max(connections, 1), 100)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed]
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._notify_updates()
        return True

    def _delete_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.webhook_url = ""
        self.webhook_secret = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._notify_updates()
        return True

    def _get_webhook_info(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        if self.webhook_url:
            info["max_connections"] = self.webhook_max_connections
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _send_message(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat_id = self._require_chat(params)
        text = self._text(params, "text", MAX_TEXT, required=True)
        entities = params.get("entities")
        return self._new_bot_message(
            chat_id,
            params,
            params.get("text"),
            text=text,
            entities=entities if isinstance(entities, list) else None,
        )

    def _send_photo(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat_id = self._require_chat(params)
        upload = self._uploaded(params, files, "photo")
        file_id, unique = self._file_ids(params, "photo", upload)
        sizes = [
            {"file_id": f"{file_id}-s", "file_unique_id": f"{unique}s", "width": 90,
             "height": 90, "file_size": min(upload.size, 2048)},
            {"file_id": file_id, "file_unique_id": unique, "width": 1280, "height": 960,
             "file_size": upload.size},
        ]  # fmt: skip
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        return self._new_bot_message(
            chat_id, params, params.get("caption"), photo=sizes, caption=caption
        )

    def _send_document(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat_id = self._require_chat(params)
        upload = self._uploaded(params, files, "document")
        file_id, unique = self._file_ids(params, "document", upload)
        document: JSON = {"file_id": file_id, "file_unique_id": unique}
        if upload.filename:
            document["file_name"] = upload.filename
        if upload.content_type:
            document["mime_type"] = upload.content_type
        if upload.data:
            document["file_size"] = upload.size
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        return self._new_bot_message(
            chat_id, params, params.get("caption"), document=document, caption=caption
        )

    def _editable(self, params: JSON) -> tuple[ChatId, _StoredMessage] | None:
        """The stored message an edit targets; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat_id = self._require_chat(params)
        message_id = params.get("message_id")
        stored = self._messages.get(chat_id, {}).get(message_id) if message_id else None
        if stored is None:
            if self.strict:
                raise _bad_request("message to edit not found")
            stored = _StoredMessage(
                {"message_id": message_id, "date": self._now(), "chat": self._chat(chat_id),
                 "from": dict(self.bot_user)},
                None, None, from_bot=True,
            )  # fmt: skip
            self._store(chat_id, stored)
        elif not stored.from_bot:
            raise _bad_request("message can't be edited")
        return chat_id, stored

    def _apply_edit(
        self, stored: _StoredMessage, params: JSON, text_key: str | None, text: str | None
    ) -> JSON:
        markup = self._markup(params)
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        new_raw = params.get(text_key) if text_key else stored.raw_text
        if self.strict and new_raw == stored.raw_text and inline == stored.markup:
            raise _bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message = stored.message
        if text_key is not None:
            message[text_key] = text
            message.pop("entities" if text_key == "text" else "caption_entities", None)
        stored.raw_text = new_raw
        stored.markup = inline
        if inline is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = inline
        message["edit_date"] = self._now()
        return copy.deepcopy(message)

    def _edit_message_text(self, params: JSON, files: dict[str, UploadedFile]) -> JSON | bool:
        text = self._text(params, "text", MAX_TEXT, required=True)
        target = self._editable(params)
        if target is None:
            return True
        return self._apply_edit(target[1], params, "text", text)

    def _edit_message_caption(self, params: JSON, files: dict[str, UploadedFile]) -> JSON | bool:
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        target = self._editable(params)
        if target is None:
            return True
        return self._apply_edit(target[1], params, "caption", caption)

    def _edit_message_reply_markup(
        self, params: JSON, files: dict[str, UploadedFile]
    ) -> JSON | bool:
        target = self._editable(params)
        if target is None:
            return True
        return self._apply_edit(target[1], params, None, None)

    def _delete_message(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        chat_id = self._require_chat(params)
        message_id = params.get("message_id")
        chat = self._messages.get(chat_id, {})
        removed = chat.pop(message_id, None) if isinstance(message_id, int) else None
        if removed is None and self.strict:
            raise _bad_request("message to delete not found")
        return True

    def _answer_callback_query(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if self.strict and query_id not in self._open_queries:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self.callback_answers[query_id] = dict(params)
        return True

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict):
            raise _bad_request("can't parse BotCommandScope JSON object")
        return _scope_key(scope), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if self.strict:
            for command in commands:
                name = str(command.get("command", "")).removeprefix("/")
                if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                    raise _bad_request("BOT_COMMAND_INVALID")
                if not 1 <= len(str(command.get("description", ""))) <= 256:
                    raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = [dict(c) for c in commands]
        return True

    def _delete_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _get_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    # --- control endpoints (standalone mode) -------------------------------------------------

    def _control_user(self, body: JSON) -> FakeUser:
        user_id = int(body["user_id"])
        user = self.users.get(user_id)
        profile = {k: body[k] for k in ("first_name", "last_name", "username") if k in body}
        if user is None or profile or "language_code" in body:
            user = self.user(
                user_id,
                first_name=str(profile.get("first_name", user.first_name if user else "Test")),
                last_name=profile.get("last_name", user.last_name if user else None),
                username=profile.get("username", user.username if user else None),
                language_code=body.get("language_code", user.language_code if user else "ru"),
            )
        return user

    async def _control_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        update = await self._control_user(body).send(str(body["text"]))
        return web.json_response({"ok": True, "update": update}, dumps=_dumps)

    async def _control_click(self, request: web.Request) -> web.Response:
        body = await request.json()
        try:
            query_id = await self._control_user(body).click(
                str(body["data"]), body.get("message_id")
            )
        except LookupError as error:
            return web.json_response({"ok": False, "description": str(error)}, status=404)
        return web.json_response({"ok": True, "callback_query_id": query_id})

    async def _control_push(self, request: web.Request) -> web.Response:
        update = self.push_update(await request.json())
        return web.json_response({"ok": True, "update": update}, dumps=_dumps)

    async def _control_log(self, request: web.Request) -> web.Response:
        after = int(request.query.get("after", "0"))
        log = [r.as_dict() for r in self.requests if r.seq > after]
        return web.json_response({"ok": True, "requests": log}, dumps=_dumps)

    async def _control_messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.query["chat_id"])
        chat = self._messages.get(chat_id, {})
        messages = [m.message for m in chat.values()]
        return web.json_response({"ok": True, "messages": messages}, dumps=_dumps)


async def close_bot_session(bot: Any) -> None:
    """Close an aiogram Bot's AiohttpSession without aiogram's 250 ms grace sleep, which only
    matters for TLS connections (the fake speaks plain HTTP): keeps test suites fast."""
    session = getattr(bot.session, "_session", None)
    if session is not None and not session.closed:
        await session.close()
    await bot.session.close()


def _true(params: JSON, files: dict[str, UploadedFile]) -> bool:
    return True


def _scope_key(scope: JSON) -> str:
    return json.dumps(scope, sort_keys=True, separators=(",", ":"))


def _method_set(method: str | Collection[str] | None) -> set[str] | None:
    if method is None:
        return None
    names = [method] if isinstance(method, str) else list(method)
    return {name.lower() for name in names}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """Form fields (urlencoded or multipart), a JSON body, or the query string."""
    params: JSON = {}
    uploads: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else {}
        if not isinstance(body, dict):
            raise _bad_request("request body is not a JSON object")
        params.update(body)
    else:
        fields: list[tuple[str, Any]] = list(request.query.items())
        if request.method == "POST" and request.can_read_body:
            fields.extend((await request.post()).items())
        for key, value in fields:
            if isinstance(value, web.FileField):
                uploads[key] = UploadedFile(
                    key, value.filename, value.content_type, value.file.read()
                )
            elif isinstance(value, bytes | bytearray):
                params[key] = _decode_field(key, bytes(value).decode())
            else:
                params[key] = _decode_field(key, str(value))
    return params, _attach(params, uploads)


def _webhook_headers(secret: str | None) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if secret:
        headers[SECRET_HEADER] = secret
    return headers


def _order_key(update: JSON) -> object:
    """Whose update this is (chat id, else user id): Telegram posts a chat's updates in order."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        for holder in ("chat", "from", "user"):
            value = payload.get(holder)
            if isinstance(value, dict) and "id" in value:
                return value["id"]
    return ("update", update.get("update_id"))


async def _read_webhook_reply(
    response: aiohttp.ClientResponse,
) -> tuple[JSON, dict[str, UploadedFile]] | None:
    """The method a webhook's answer asks Telegram to perform: params with "method" (JSON object
    or form, as aiogram writes it) and files; None for anything else (`{}` included)."""
    params: JSON = {}
    uploads: dict[str, UploadedFile] = {}
    try:
        if response.content_type == "application/json":
            body = await response.json()
            params = body if isinstance(body, dict) else {}
        elif response.content_type == "multipart/form-data":
            async for part in aiohttp.MultipartReader(response.headers, response.content):
                if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
                    continue
                data = await part.read(decode=True)
                if part.filename:
                    content_type = part.headers.get("Content-Type", "")
                    uploads[part.name] = UploadedFile(part.name, part.filename, content_type, data)
                else:
                    params[part.name] = _decode_field(part.name, data.decode())
    except (ValueError, aiohttp.ClientPayloadError):
        return None  # Telegram ignores an answer it cannot read
    if not isinstance(params.get("method"), str) or not params["method"]:
        return None
    return params, _attach(params, uploads)


def _attach(params: JSON, uploads: dict[str, UploadedFile]) -> dict[str, UploadedFile]:
    """Files by parameter: "attach://<name>" values resolved, other uploads under their name."""
    files: dict[str, UploadedFile] = {}
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.pop(value.removeprefix("attach://"), None)
            if upload is not None:
                files[key] = upload
    files.update(uploads)  # sent directly under the parameter's own name
    return files


def _print_post(post: WebhookPost) -> None:
    outcome = "delivered" if post.ok else post.error
    reply = f" -> {post.reply}" if post.reply else ""
    print(
        f"webhook update={post.update_id} attempt={post.attempt} {post.url} {outcome}{reply}",
        flush=True,
    )


def _print_request(record: RecordedRequest) -> None:
    if record.method == "getUpdates" and record.status == 200 and not record.result:
        return  # an empty long poll: noise
    shown: Iterator[str] = (
        f"{k}={json.dumps(v, ensure_ascii=False)}"
        for k, v in record.params.items()
        if k not in ("chat_id", "text", "caption")
    )
    parts = [f"#{record.seq}", str(record.status), record.method]
    if record.chat_id is not None:
        parts.append(f"chat={record.chat_id}")
    if record.text is not None:
        parts.append(repr(record.text))
    parts.extend(shown)
    parts.extend(f"{k}=<{f.filename} {f.size}B>" for k, f in record.files.items())
    if record.method == "getUpdates" and isinstance(record.result, list):
        parts.append(f"-> {len(record.result)} update(s)")
    if record.status != 200 and record.response:
        parts.append(f"-> {record.response.get('description')}")
    print(" ".join(parts), flush=True)


async def _serve(
    host: str, port: int, bot_username: str, strict: bool, webhook_targets: list[str] | None
) -> None:
    async with FakeTelegram(host, port, bot_username=bot_username, strict=strict, echo=True) as tg:
        tg.webhook_targets = webhook_targets or None
        print(f"Fake Telegram Bot API on {tg.base_url}", flush=True)
        print(f"  bot: TelegramAPIServer.from_base({tg.base_url!r}), any token", flush=True)
        print(
            f'  curl -d \'{{"user_id": 1, "first_name": "Ann", "text": "/start"}}\' '
            f"{tg.base_url}/_control/send",
            flush=True,
        )
        print(
            f'  curl -d \'{{"user_id": 1, "data": "..."}}\' {tg.base_url}/_control/click',
            flush=True,
        )
        print(f"  curl {tg.base_url}/_control/log?after=0", flush=True)
        if tg.webhook_targets:
            targets = ", ".join(tg.webhook_targets)
            print(f"  webhook posts go round robin to: {targets}", flush=True)
        stop = asyncio.Event()
        with contextlib.suppress(NotImplementedError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake Telegram Bot API server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--bot-username", default=BOT_USERNAME)
    parser.add_argument("--lenient", action="store_true", help="accept what Telegram refuses")
    parser.add_argument(
        "--webhook-target",
        action="append",
        metavar="URL",
        help="post webhook updates to this URL instead of the one set (repeat for replicas)",
    )
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            _serve(args.host, args.port, args.bot_username, not args.lenient, args.webhook_target)
        )
    sys.exit(0)


if __name__ == "__main__":
    main()
