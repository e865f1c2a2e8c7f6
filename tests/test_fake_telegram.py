"""The fake Bot API server, driven by aiogram's real HTTP client."""

from __future__ import annotations

import asyncio
import random
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.fake_telegram import (
    SECRET_HEADER,
    TOKEN,
    Button,
    FakeTelegram,
    WaitTimeout,
    close_bot_session,
    html_to_plain,
)

ALICE = 1001
BOB = 1002


def make_bot(tg: FakeTelegram, **session_kwargs: object) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url), **session_kwargs)  # type: ignore[arg-type]
    return Bot(TOKEN, session=session)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def real_bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(tg)
    yield bot
    await close_bot_session(bot)


def free_port() -> int:
    """A local port nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def until(condition: Callable[[], bool], timeout: float = 2.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s")
        await asyncio.sleep(0.005)


@dataclass
class Arrival:
    """A post the stand-in bot received; times are time.monotonic() seconds."""

    update: dict[str, Any]
    headers: dict[str, str]
    started: float
    finished: float = 0.0

    @property
    def text(self) -> str | None:
        message = self.update.get("message")
        return message.get("text") if isinstance(message, dict) else None


class Hook:
    """A bot's webhook endpoint: records what is posted and answers as told."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self.statuses: list[int] = []  # answered first, one per post; then `status`
        self.status = 200
        self.fail_texts: Counter[str] = Counter()  # message text -> 500s to answer first
        self.delay = 0.0
        self.reply: dict[str, Any] = {}  # the JSON body of 2xx answers
        self.hang = False  # never answer (until stopped)
        self.in_flight = 0
        self.max_in_flight = 0
        self.port = 0
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    @property
    def update_ids(self) -> list[int]:
        return [a.update["update_id"] for a in self.arrivals]

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        arrival = Arrival(await request.json(), dict(request.headers), time.monotonic())
        self.arrivals.append(arrival)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.hang:
                await self._release.wait()
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
            arrival.finished = time.monotonic()
        status = self.statuses.pop(0) if self.statuses else self.status
        if arrival.text is not None and self.fail_texts[arrival.text] > 0:
            self.fail_texts[arrival.text] -= 1
            status = 500
        if 200 <= status < 300:
            return web.json_response(self.reply, status=status)
        return web.Response(status=status, text="nope")


StartHook = Callable[..., Awaitable[Hook]]


@pytest.fixture
async def hooks() -> AsyncIterator[StartHook]:
    """Starts stand-in bots (`await hooks()`, or `await hooks(port)`); stops them after."""
    started: list[Hook] = []

    async def start(port: int = 0) -> Hook:
        hook = Hook()
        started.append(hook)
        await hook.start(port)
        return hook

    yield start
    for hook in started:
        await hook.stop()


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs]
    )


async def test_start_and_stop_explicitly() -> None:
    tg = FakeTelegram(port=0)
    await tg.start()
    assert tg.base_url.startswith("http://127.0.0.1:")
    assert tg.port > 0
    bot = make_bot(tg)
    try:
        assert (await bot.get_me()).id == 4242
    finally:
        await close_bot_session(bot)
        await tg.stop()
    await tg.stop()  # idempotent


async def test_get_me(tg: FakeTelegram, real_bot: Bot) -> None:
    me = await real_bot.get_me()
    assert me.id == 4242
    assert me.is_bot
    assert me.first_name == "Sales Pulse"
    assert me.username == "sales_pulse_bot"
    assert tg.requests[-1].method == "getMe"
    assert tg.requests[-1].token == TOKEN


async def test_bot_username_is_configurable() -> None:
    async with FakeTelegram(bot_username="other_bot") as tg:
        bot = make_bot(tg)
        try:
            assert (await bot.get_me()).username == "other_bot"
        finally:
            await close_bot_session(bot)


async def test_send_message_returns_message_and_is_recorded(
    tg: FakeTelegram, real_bot: Bot
) -> None:
    tg.user(ALICE, first_name="Alice")
    first = await real_bot.send_message(
        ALICE,
        "Hello, <b>Alice</b> &amp; co",
        parse_mode="HTML",
        reply_markup=keyboard(("Go", "go")),
    )
    second = await real_bot.send_message(ALICE, "again")
    other = await real_bot.send_message(BOB, "hi Bob")

    assert isinstance(first, Message)
    assert first.text == "Hello, Alice & co"  # Telegram returns the text without the markup
    assert first.chat.id == ALICE
    assert first.chat.type == "private"
    assert first.chat.first_name == "Alice"
    assert first.from_user is not None and first.from_user.id == 4242
    assert first.reply_markup is not None
    assert first.reply_markup.model_dump() == keyboard(("Go", "go")).model_dump()
    assert second.message_id == first.message_id + 1
    assert second.reply_markup is None
    assert other.message_id == 1  # counters are per chat

    sent = tg.sent_to(ALICE)
    assert [r.method for r in sent] == ["sendMessage", "sendMessage"]
    assert sent[0].params["text"] == "Hello, <b>Alice</b> &amp; co"
    assert sent[0].params["chat_id"] == ALICE
    assert sent[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "go"
    assert tg.stats["sent"] == 3

    alice = tg.users[ALICE]
    assert alice.last_text() == "again"
    assert alice.texts() == ["Hello, <b>Alice</b> &amp; co", "again"]
    assert alice.buttons() == []  # the newest message has no keyboard
    assert alice.buttons(first.message_id) == [Button("Go", "go", None)]


async def test_telegram_refusals_in_strict_mode(tg: FakeTelegram, real_bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "br"'):
        await real_bot.send_message(ALICE, "a<br>b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="Can't find end tag"):
        await real_bot.send_message(ALICE, "<b>bold", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await real_bot.send_message(ALICE, "<b> </b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await real_bot.send_message(ALICE, "x" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await real_bot.send_message(ALICE, "k", reply_markup=keyboard(("Go", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await real_bot.edit_message_text(text="new", chat_id=ALICE, message_id=99)
    message = await real_bot.send_message(ALICE, "same", reply_markup=keyboard(("A", "a")))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await real_bot.edit_message_text(
            text="same",
            chat_id=ALICE,
            message_id=message.message_id,
            reply_markup=keyboard(("A", "a")),
        )
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await real_bot.answer_callback_query("12345")
    assert tg.stats["400"] == 8
    assert tg.sent_to(ALICE) == tg.find("sendMessage", ALICE)
    assert len(tg.sent_to(ALICE, include_failed=True)) == 8


def test_html_to_plain() -> None:
    assert html_to_plain('<a href="https://x.y">link</a> &lt;3 <i>it</i>') == "link <3 it"
    assert html_to_plain("<pre><code>x</code></pre>") == "x"


async def test_edits_and_deletes_change_what_the_user_sees(tg: FakeTelegram, real_bot: Bot) -> None:
    alice = tg.user(ALICE, first_name="Alice")
    message = await real_bot.send_message(ALICE, "Pick", reply_markup=keyboard(("A", "a")))
    edited = await real_bot.edit_message_text(
        text="Picked",
        chat_id=ALICE,
        message_id=message.message_id,
        reply_markup=keyboard(("B", "b")),
    )
    assert isinstance(edited, Message)
    assert edited.text == "Picked"
    assert edited.edit_date is not None
    assert alice.buttons() == [Button("B", "b", None)]
    assert alice.last_text() == "Picked"

    # Editing only the markup, without one, removes the keyboard (as Telegram does).
    cleared = await real_bot.edit_message_reply_markup(chat_id=ALICE, message_id=message.message_id)
    assert isinstance(cleared, Message) and cleared.reply_markup is None
    assert alice.buttons() == []
    assert [m["text"] for m in alice.messages()] == ["Picked"]

    assert await real_bot.delete_message(ALICE, message.message_id) is True
    assert alice.messages() == []
    assert alice.last_message() is None
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await real_bot.delete_message(ALICE, message.message_id)


async def test_reply_keyboard_is_tracked(tg: FakeTelegram, real_bot: Bot) -> None:
    alice = tg.user(ALICE, first_name="Alice")
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Plan"), KeyboardButton(text="Fact")]], resize_keyboard=True
    )
    message = await real_bot.send_message(ALICE, "Menu", reply_markup=markup)
    assert message.reply_markup is None  # Telegram echoes inline keyboards only
    assert alice.reply_keyboard() == [["Plan", "Fact"]]
    await real_bot.send_message(ALICE, "Bye", reply_markup=ReplyKeyboardRemove())
    assert alice.reply_keyboard() is None


async def test_commands_per_chat_scope(tg: FakeTelegram, real_bot: Bot) -> None:
    commands = [
        BotCommand(command="start", description="Start"),
        BotCommand(command="plan", description="Today's plan"),
    ]
    assert await real_bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id=ALICE))
    await real_bot.set_my_commands(
        commands[:1], scope=BotCommandScopeChat(chat_id=ALICE), language_code="en"
    )
    await real_bot.set_my_commands([BotCommand(command="help", description="Help")])

    assert tg.commands_for(ALICE) == ["start", "plan"]
    assert tg.commands_for(ALICE, language_code="en") == ["start"]
    assert tg.commands_for(BOB) == []
    assert tg.visible_commands(ALICE, "en") == ["start"]
    assert tg.visible_commands(ALICE, "de") == ["start", "plan"]
    assert tg.visible_commands(BOB) == ["help"]

    stored = await real_bot.get_my_commands(scope=BotCommandScopeChat(chat_id=ALICE))
    assert [(c.command, c.description) for c in stored] == [
        ("start", "Start"),
        ("plan", "Today's plan"),
    ]
    default = await real_bot.get_my_commands(scope=BotCommandScopeDefault())
    assert [c.command for c in default] == ["help"]

    assert await real_bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=ALICE))
    assert tg.commands_for(ALICE) == []
    assert tg.commands_for(ALICE, language_code="en") == ["start"]

    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await real_bot.set_my_commands([BotCommand(command="Bad Name", description="x")])


async def test_get_updates_returns_pushed_message(tg: FakeTelegram, real_bot: Bot) -> None:
    alice = tg.user(
        ALICE, first_name="Alice", last_name="Smith", username="alice", language_code="en"
    )
    await alice.send("/start invite-42")
    await alice.send("hello")

    updates = await real_bot.get_updates(timeout=0)
    assert len(updates) == 2
    assert all(isinstance(u, Update) for u in updates)
    first, second = updates
    assert second.update_id == first.update_id + 1
    assert first.message is not None and first.message.from_user is not None
    assert first.message.text == "/start invite-42"
    assert first.message.from_user.id == ALICE
    assert first.message.from_user.first_name == "Alice"
    assert first.message.from_user.last_name == "Smith"
    assert first.message.from_user.username == "alice"
    assert first.message.from_user.language_code == "en"
    assert first.message.chat.id == ALICE and first.message.chat.type == "private"
    assert first.message.entities is not None
    assert first.message.entities[0].type == "bot_command"
    assert first.message.entities[0].length == len("/start")
    assert second.message is not None and second.message.entities is None

    # Not confirmed yet: delivered again; an offset past them confirms and drops them.
    assert [u.update_id for u in await real_bot.get_updates(timeout=0)] == [
        first.update_id,
        second.update_id,
    ]
    assert await real_bot.get_updates(offset=second.update_id + 1, timeout=0) == []
    assert tg.pending_updates == []


async def test_long_polling_returns_promptly_when_update_is_pushed(
    tg: FakeTelegram, real_bot: Bot
) -> None:
    alice = tg.user(ALICE, first_name="Alice")
    poll = asyncio.create_task(real_bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    assert not poll.done()
    started = time.monotonic()
    await alice.send("ping")
    updates = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    assert [u.message.text for u in updates if u.message] == ["ping"]


async def test_long_polling_waits_for_the_timeout(tg: FakeTelegram) -> None:
    started = time.monotonic()
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{tg.base_url}/bot{TOKEN}/getUpdates", data={"timeout": "0.3"}) as response,
    ):
        assert await response.json() == {"ok": True, "result": []}
    assert 0.25 < time.monotonic() - started < 1.5


async def test_stop_wakes_a_waiting_long_poll(tg: FakeTelegram, real_bot: Bot) -> None:
    poll = asyncio.create_task(real_bot.get_updates(timeout=30))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await tg.stop()
    assert await asyncio.wait_for(poll, 2) == []
    assert time.monotonic() - started < 2


async def test_click_pushes_callback_query(tg: FakeTelegram, real_bot: Bot) -> None:
    alice = tg.user(ALICE, first_name="Alice")
    menu = await real_bot.send_message(
        ALICE, "Menu", reply_markup=keyboard(("Teams", "menu:teams"))
    )
    await real_bot.send_message(ALICE, "Other", reply_markup=keyboard(("Help", "menu:help")))
    assert [b.callback_data for b in alice.buttons()] == ["menu:help"]

    query_id = await alice.click("menu:teams")  # found on the older message
    [update] = await real_bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "menu:teams"
    assert query.from_user.id == ALICE
    assert isinstance(query.message, Message)
    assert query.message.message_id == menu.message_id
    assert query.message.text == "Menu"

    assert tg.unanswered_callbacks() == [query_id]
    assert await real_bot.answer_callback_query(query_id, text="ok")
    assert tg.callback_answers[query_id]["text"] == "ok"
    assert tg.unanswered_callbacks() == []

    with pytest.raises(LookupError, match="menu:help"):
        await alice.click("missing")
    await alice.press("Help")
    updates = await real_bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert updates[0].callback_query is not None
    assert updates[0].callback_query.data == "menu:help"


async def test_fault_429_raises_retry_after(tg: FakeTelegram, real_bot: Bot) -> None:
    tg.fail_next("sendMessage", "429", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await real_bot.send_message(ALICE, "one")
    assert caught.value.retry_after == 7
    assert "retry after 7" in caught.value.message
    await real_bot.send_message(ALICE, "two")  # only the next one failed
    assert tg.stats["429"] == 1
    assert [r.status for r in tg.calls("sendMessage")] == [429, 200]
    assert [r.params["text"] for r in tg.sent_to(ALICE)] == ["two"]


async def test_fault_403_raises_forbidden(tg: FakeTelegram, real_bot: Bot) -> None:
    tg.fail_next("sendMessage", "403", chat_id=BOB)
    await real_bot.send_message(ALICE, "not Bob")  # the fault waits for Bob's chat
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await real_bot.send_message(BOB, "hi")
    await real_bot.send_message(BOB, "hi again")
    assert tg.stats["403"] == 1


async def test_fault_500_raises_server_error(tg: FakeTelegram, real_bot: Bot) -> None:
    tg.fail_next("sendMessage", "500", count=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await real_bot.send_message(ALICE, "x")
    await real_bot.send_message(ALICE, "x")
    assert tg.stats["5xx"] == 2


async def test_block_is_permanent_until_unblocked(tg: FakeTelegram, real_bot: Bot) -> None:
    tg.block(ALICE)
    for _ in range(3):
        with pytest.raises(TelegramForbiddenError):
            await real_bot.send_message(ALICE, "x")
    with pytest.raises(TelegramForbiddenError):
        await real_bot.send_document(ALICE, BufferedInputFile(b"1", filename="a.txt"))
    await real_bot.send_message(BOB, "fine")
    tg.unblock(ALICE)
    await real_bot.send_message(ALICE, "back")
    assert tg.stats["403"] == 4


async def test_fault_timeout_hangs_until_the_client_gives_up(tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", "timeout")
    impatient = make_bot(tg, timeout=0.3)
    started = time.monotonic()
    try:
        with pytest.raises(TelegramNetworkError, match="timeout"):
            await impatient.send_message(ALICE, "slow")
    finally:
        await close_bot_session(impatient)
    assert time.monotonic() - started < 2
    record = await tg.wait_for("sendMessage", ok=False, timeout=2)
    assert record.status in (499, 504)
    assert tg.sent_to(ALICE) == []  # the hung request was not performed


async def test_stop_ends_a_hanging_fault(tg: FakeTelegram, real_bot: Bot) -> None:
    tg.fail_next("*", "timeout")
    request = asyncio.create_task(real_bot.send_message(ALICE, "x", request_timeout=30))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await tg.stop()
    with pytest.raises((TelegramServerError, TelegramNetworkError)):
        await asyncio.wait_for(request, 3)
    assert time.monotonic() - started < 3


async def test_per_chat_rate_limit() -> None:
    async with FakeTelegram(per_chat_per_second=1) as tg:
        bot = make_bot(tg)
        try:
            await bot.send_message(ALICE, "1")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(ALICE, "2")
            assert caught.value.retry_after == 1
            await bot.send_message(BOB, "other chat is fine")
            await bot.send_chat_action(ALICE, "typing")  # chat actions are not limited
            assert tg.stats["429"] == 1
            assert tg.stats["sent"] == 2
        finally:
            await close_bot_session(bot)


async def test_global_rate_limit() -> None:
    async with FakeTelegram(rate_limit_per_second=3) as tg:
        bot = make_bot(tg)
        try:
            results = await asyncio.gather(
                *(bot.send_message(chat, "x") for chat in range(1, 6)), return_exceptions=True
            )
            limited = [r for r in results if isinstance(r, TelegramRetryAfter)]
            assert len(limited) == 2
            assert tg.stats["429"] == 2
            assert tg.stats["sent"] == 3
        finally:
            await close_bot_session(bot)


async def test_send_document_and_photo_record_uploads(tg: FakeTelegram, real_bot: Bot) -> None:
    data = b"name,plan,fact\nAlice,10,12\n"
    message = await real_bot.send_document(
        ALICE,
        BufferedInputFile(data, filename="report.csv"),
        caption="<b>Report</b>",
        parse_mode="HTML",
    )
    assert message.document is not None
    assert message.document.file_name == "report.csv"
    assert message.document.file_size == len(data)
    assert message.caption == "Report"
    record = tg.sent_to(ALICE)[-1]
    assert record.method == "sendDocument"
    assert record.files["document"].data == data
    assert record.files["document"].filename == "report.csv"
    assert record.text == "<b>Report</b>"

    again = await real_bot.send_document(BOB, message.document.file_id)
    assert again.document is not None
    assert again.document.file_name == "report.csv"  # a known file_id keeps its metadata

    png = b"\x89PNG\r\n\x1a\nfake"
    photo = await real_bot.send_photo(ALICE, BufferedInputFile(png, filename="chart.png"))
    assert photo.photo is not None and photo.photo[-1].file_size == len(png)
    assert tg.sent_to(ALICE)[-1].files["photo"].data == png


async def test_unknown_method_and_file_download_are_404(tg: FakeTelegram, real_bot: Bot) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.base_url}/bot{TOKEN}/sendTelepathy", data={"chat_id": "1"}) as r:
            assert r.status == 404
            assert await r.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }
        async with http.get(f"{tg.base_url}/file/bot{TOKEN}/documents/file_1.csv") as r:
            assert r.status == 404
    assert [r.method for r in tg.unknown_methods] == ["sendTelepathy"]
    assert tg.unknown_methods[0].params == {"chat_id": 1}
    with pytest.raises(aiohttp.ClientResponseError, match="404"):
        await real_bot.download_file("documents/file_1.csv")


async def test_webhook_methods(tg: FakeTelegram, real_bot: Bot) -> None:
    alice = tg.user(ALICE, first_name="Alice")
    await alice.send("hi")
    assert (await real_bot.get_webhook_info()).pending_update_count == 1
    url = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens: posts are refused
    assert await real_bot.set_webhook(url)
    assert (await real_bot.get_webhook_info()).url == url
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await real_bot.get_updates(timeout=0)
    assert await real_bot.delete_webhook(drop_pending_updates=True)
    assert await real_bot.get_updates(timeout=0) == []
    assert await real_bot.close()
    assert await real_bot.log_out()


async def test_wait_for_after_mark(tg: FakeTelegram, real_bot: Bot) -> None:
    await real_bot.send_message(ALICE, "old")
    mark = tg.mark()
    later = asyncio.create_task(tg.wait_for("sendMessage", chat_id=ALICE, after=mark))
    await asyncio.sleep(0.05)
    assert not later.done()
    await real_bot.send_message(BOB, "not this chat")
    await real_bot.send_message(ALICE, "new")
    record = await later
    assert record.params["text"] == "new"
    assert record.seq > mark
    found = await tg.wait_for(predicate=lambda r: r.text == "not this chat")
    assert found.chat_id == BOB
    with pytest.raises(WaitTimeout, match="not this chat"):
        await tg.wait_for("sendPhoto", after=mark, timeout=0.1)


async def test_dispatcher_polling_end_to_end(tg: FakeTelegram, real_bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(F.text == "menu")
    async def menu(message: Message) -> None:
        await message.answer("Choose", reply_markup=keyboard(("Plan", "plan"), ("Fact", "fact")))

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text(f"You chose {query.data}")
        await query.answer()

    polling = asyncio.create_task(dp.start_polling(real_bot, handle_signals=False))
    try:
        alice = tg.user(ALICE, first_name="Alice")
        mark = tg.mark()
        await alice.send("hi")
        reply = await tg.wait_for("sendMessage", chat_id=ALICE, after=mark)
        assert reply.params["text"] == "hi"
        assert alice.last_text() == "hi"

        reply = await alice.ask("menu")
        assert reply.params["text"] == "Choose"
        assert [b.text for b in alice.buttons()] == ["Plan", "Fact"]

        mark = tg.mark()
        query_id = await alice.click("fact")
        await tg.wait_for("answerCallbackQuery", after=mark)
        assert alice.last_text() == "You chose fact"
        assert alice.buttons() == []
        assert query_id in tg.callback_answers
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert tg.errors == []


async def test_control_endpoints(tg: FakeTelegram, real_bot: Bot) -> None:
    async with aiohttp.ClientSession() as http:
        body = {"user_id": ALICE, "first_name": "Ann", "text": "/start"}
        async with http.post(f"{tg.base_url}/_control/send", json=body) as r:
            assert r.status == 200
        [update] = await real_bot.get_updates(timeout=0)
        assert update.message is not None and update.message.text == "/start"
        assert update.message.from_user is not None
        assert update.message.from_user.first_name == "Ann"

        await real_bot.send_message(ALICE, "Hi", reply_markup=keyboard(("Go", "go")))
        async with http.post(
            f"{tg.base_url}/_control/click", json={"user_id": ALICE, "data": "go"}
        ) as r:
            assert r.status == 200
        async with http.post(
            f"{tg.base_url}/_control/click", json={"user_id": ALICE, "data": "nope"}
        ) as r:
            assert r.status == 404
        updates = await real_bot.get_updates(offset=update.update_id + 1, timeout=0)
        assert updates[0].callback_query is not None
        assert updates[0].callback_query.data == "go"

        async with http.get(f"{tg.base_url}/_control/log", params={"after": "0"}) as r:
            log = await r.json()
        methods = [entry["method"] for entry in log["requests"]]
        assert methods == ["getUpdates", "sendMessage", "getUpdates"]
        assert log["requests"][1]["params"]["text"] == "Hi"


async def test_standalone_mode() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fake_telegram",
        "--port",
        "0",
        cwd=str(Path(__file__).parent.parent),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        base_url = first.rsplit(" ", 1)[-1].strip()
        assert base_url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{base_url}/bot{TOKEN}/sendMessage", data={"chat_id": "7", "text": "hey"}
            ) as r:
                assert (await r.json())["result"]["text"] == "hey"
            async with http.get(f"{base_url}/_control/log") as r:
                log = await r.json()
        assert log["requests"][0]["params"] == {"chat_id": 7, "text": "hey"}
        printed = ""
        while "sendMessage" not in printed:
            printed = (await asyncio.wait_for(process.stdout.readline(), 5)).decode()
        assert "chat=7" in printed and "'hey'" in printed
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 10)
    assert code == 0


# --- webhook delivery ---------------------------------------------------------------------


async def test_webhook_posts_updates_with_the_secret_header(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    hook = await hooks()
    assert await real_bot.set_webhook(hook.url, secret_token="s3cret-TOKEN_1")
    alice = tg.user(ALICE, first_name="Alice")
    update = await alice.send("hi")
    await until(lambda: tg.stats["webhook_delivered"] == 1)

    [arrival] = hook.arrivals
    assert arrival.update == update
    assert arrival.headers[SECRET_HEADER] == "s3cret-TOKEN_1"
    assert arrival.headers["Content-Type"] == "application/json"
    assert tg.pending_updates == []
    [post] = tg.webhook_posts
    assert (post.update_id, post.url, post.status, post.error, post.attempt) == (
        update["update_id"],
        hook.url,
        200,
        None,
        1,
    )
    assert post.ok and post.reply is None
    assert post.finished is not None
    assert tg.update_queued_at[update["update_id"]] <= post.started <= post.finished
    info = await real_bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == (hook.url, 0, 40)
    assert info.last_error_date is None and info.last_error_message is None
    with pytest.raises(TelegramConflictError):
        await real_bot.get_updates(timeout=0)

    assert await real_bot.set_webhook(hook.url)  # no secret now: no header
    await alice.send("again")
    await until(lambda: len(hook.arrivals) == 2)
    assert SECRET_HEADER not in hook.arrivals[1].headers
    with pytest.raises(TelegramBadRequest, match="secret token contains unallowed characters"):
        await real_bot.set_webhook(hook.url, secret_token="not allowed!")


async def test_webhook_options_filter_and_drop(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    alice = tg.user(ALICE, first_name="Alice")
    await alice.send("before the webhook")
    hook = await hooks()
    assert await real_bot.set_webhook(
        hook.url, max_connections=500, allowed_updates=["message"], drop_pending_updates=True
    )
    await alice.click("ignored", message_id=1)  # a callback_query the bot did not ask for
    update = await alice.send("after")
    await until(lambda: tg.stats["webhook_delivered"] == 1)
    await asyncio.sleep(0.05)
    assert hook.update_ids == [update["update_id"]]
    info = await real_bot.get_webhook_info()
    assert info.max_connections == 100
    assert info.allowed_updates == ["message"]
    assert info.pending_update_count == 0


async def test_webhook_retries_errors_until_a_2xx_and_delivers_once(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    tg.webhook_retry_delay = 0.02
    hook = await hooks()
    hook.statuses = [500, 502]
    await real_bot.set_webhook(hook.url)
    update = await tg.user(ALICE).send("hi")
    await until(lambda: tg.stats["webhook_delivered"] == 1)
    await asyncio.sleep(0.1)  # several retry delays: nothing more is posted

    assert hook.update_ids == [update["update_id"]] * 3
    assert [(p.attempt, p.status) for p in tg.webhook_posts] == [(1, 500), (2, 502), (3, 200)]
    assert tg.webhook_posts[1].error == "Wrong response from the webhook: 502 Bad Gateway"
    assert tg.stats["webhook_failed"] == 2
    assert tg.stats["webhook_posts"] == 3
    info = await real_bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 502 Bad Gateway"
    assert info.last_error_date is not None
    assert info.pending_update_count == 0


async def test_webhook_retries_refused_connections_and_timeouts(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    tg.webhook_retry_delay = 0.02
    tg.webhook_timeout = 0.1
    port = free_port()
    await real_bot.set_webhook(f"http://127.0.0.1:{port}/hook")
    update = await tg.user(ALICE).send("hi")
    await until(lambda: tg.stats["webhook_failed"] >= 2)
    info = await real_bot.get_webhook_info()
    assert info.last_error_message == "Connection refused"
    assert info.pending_update_count == 1

    hook = await hooks(port)  # the bot comes up, slow to answer at first
    hook.delay = 0.3
    await until(lambda: len(hook.arrivals) == 1)
    hook.delay = 0
    await until(lambda: tg.stats["webhook_delivered"] == 1)
    assert hook.update_ids == [update["update_id"]] * 2
    assert "Read timeout expired" in [p.error for p in tg.webhook_posts]
    assert [p.ok for p in tg.webhook_posts].count(True) == 1
    assert tg.pending_updates == []


async def test_webhook_targets_round_robin_and_fail_over(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    tg.webhook_retry_delay = 0.02
    first, second = await hooks(), await hooks()
    tg.webhook_targets = [first.url, second.url]
    await real_bot.set_webhook("https://bot.example.com/hook")  # the load balancer's address
    for user_id in range(2001, 2005):
        await tg.user(user_id).send("x")
    await until(lambda: tg.stats["webhook_delivered"] == 4)
    assert [p.url for p in tg.webhook_posts] == [first.url, second.url] * 2
    assert len(first.arrivals) == len(second.arrivals) == 2

    await second.stop()  # a replica goes down: its posts fail over to the other one
    tg.webhook_posts.clear()
    for user_id in range(2005, 2007):
        await tg.user(user_id).send("y")
    await until(lambda: tg.stats["webhook_delivered"] == 6)
    failed = [p for p in tg.webhook_posts if not p.ok]
    assert [p.url for p in failed] == [second.url]
    assert failed[0].status is None and failed[0].error  # refused (or a dropped keep-alive)
    retry = [p for p in tg.webhook_posts if p.update_id == failed[0].update_id][-1]
    assert (retry.url, retry.attempt, retry.ok) == (first.url, 2, True)
    assert len(first.arrivals) == 4


async def test_webhook_targets_random_is_seedable(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    first, second = await hooks(), await hooks()
    tg.webhook_targets = [first.url, second.url]
    tg.webhook_balance = "random"
    tg.webhook_random.seed(7)
    await real_bot.set_webhook("https://bot.example.com/hook")
    for user_id in range(3001, 3021):
        await tg.user(user_id).send("x")
    await until(lambda: tg.stats["webhook_delivered"] == 20)
    expected = random.Random(7)
    assert [p.url for p in tg.webhook_posts] == [
        expected.choice([first.url, second.url]) for _ in range(20)
    ]
    assert first.arrivals and second.arrivals


async def test_webhook_keeps_order_per_user_and_posts_users_in_parallel(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    tg.webhook_retry_delay = 0.02
    hook = await hooks()
    hook.delay = 0.1
    hook.fail_texts["a1"] = 1  # a1 is retried: a2 must still come after it
    await real_bot.set_webhook(hook.url, max_connections=2)
    alice, bob, carol = tg.user(ALICE), tg.user(BOB), tg.user(1003)
    await alice.send("a1")
    await alice.send("a2")
    await bob.send("b1")
    await carol.send("c1")
    await until(lambda: tg.stats["webhook_delivered"] == 4)

    assert [a.text for a in hook.arrivals if a.update["message"]["chat"]["id"] == ALICE] == [
        "a1",
        "a1",
        "a2",
    ]
    first_a1 = next(a for a in hook.arrivals if a.text == "a1")
    arrivals = {a.text: a for a in hook.arrivals}  # the last arrival of each text
    assert arrivals["a2"].started >= arrivals["a1"].finished
    assert arrivals["b1"].started < first_a1.finished  # Bob did not wait for Alice
    assert hook.max_in_flight == 2  # max_connections


async def test_delete_webhook_stops_posting_and_get_updates_works_again(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    tg.webhook_retry_delay = 0.02
    hook = await hooks()
    hook.status = 500
    await real_bot.set_webhook(hook.url)
    update = await tg.user(ALICE).send("hi")
    await until(lambda: len(tg.webhook_posts) >= 2)
    assert await real_bot.delete_webhook()
    attempts = len(tg.webhook_posts)
    await asyncio.sleep(0.1)
    assert len(tg.webhook_posts) == attempts
    info = await real_bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 1)
    [polled] = await real_bot.get_updates(timeout=0)
    assert polled.update_id == update["update_id"]


async def test_method_in_the_webhook_answer_is_performed(
    tg: FakeTelegram, real_bot: Bot, hooks: StartHook
) -> None:
    hook = await hooks()
    hook.reply = {
        "method": "sendMessage",
        "chat_id": ALICE,
        "text": "<b>pong</b>",
        "parse_mode": "HTML",
    }
    await real_bot.set_webhook(hook.url)
    alice = tg.user(ALICE, first_name="Alice")
    mark = tg.mark()
    update = await alice.send("ping")
    reply = await tg.wait_for("sendMessage", chat_id=ALICE, after=mark)
    assert reply.text == "<b>pong</b>" and reply.token == TOKEN
    assert alice.messages()[-1]["text"] == "pong"
    assert tg.webhook_posts[0].reply == "sendMessage"
    assert reply.received_at >= tg.update_queued_at[update["update_id"]]

    hook.reply = {}  # what aiogram answers when it handles the update in the background
    await alice.send("again")
    await until(lambda: tg.stats["webhook_delivered"] == 2)
    assert tg.webhook_posts[1].reply is None
    assert len(tg.calls("sendMessage")) == 1


async def test_aiogram_webhook_mode(tg: FakeTelegram, real_bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(F.text == "ping")
    async def ping(message: Message) -> SendMessage:
        return message.answer("pong")  # answered in the webhook response (a multipart form)

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")  # a call of its own

    handler = SimpleRequestHandler(dp, real_bot, handle_in_background=False, secret_token="s3")
    app = web.Application()
    app.router.add_post("/hook", handler.handle)
    runner = web.AppRunner(app, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        await real_bot.set_webhook(url, secret_token="s3")
        alice = tg.user(ALICE, first_name="Alice")
        assert (await alice.ask("ping")).text == "pong"
        assert tg.webhook_posts[-1].reply == "sendMessage"
        assert (await alice.ask("hello")).text == "hello"
        assert tg.webhook_posts[-1].reply is None

        chat = {"id": ALICE, "type": "private"}
        update = {"message": {"message_id": 9, "date": 0, "chat": chat, "text": "ping"}}
        assert await tg.post_raw(url, update, secret="wrong") == 401
        assert await tg.post_raw(url, update, secret=None) == 401
        assert await tg.post_raw(url, update, secret="s3") == 200
    finally:
        await runner.cleanup()
    assert tg.errors == []


async def test_stop_cancels_posts_in_flight(hooks: StartHook) -> None:
    hook = await hooks()
    hook.hang = True
    tg = FakeTelegram()
    await tg.start()
    bot = make_bot(tg)
    try:
        await bot.set_webhook(hook.url)
        for user_id in (ALICE, BOB, 1003):
            await tg.user(user_id).send("x")
        await until(lambda: len(hook.arrivals) == 3)
    finally:
        await close_bot_session(bot)
        await tg.stop()
    leftovers = [t for t in asyncio.all_tasks() if t.get_name().startswith("FakeTelegram")]
    assert leftovers == []
    assert [p.error for p in tg.webhook_posts] == ["cancelled"] * 3
    assert len(tg.pending_updates) == 3
    await tg.stop()  # still idempotent


async def test_standalone_mode_with_webhook_targets(hooks: StartHook) -> None:
    first, second = await hooks(), await hooks()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fake_telegram",
        "--port",
        "0",
        "--webhook-target",
        first.url,
        "--webhook-target",
        second.url,
        cwd=str(Path(__file__).parent.parent),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        first_line = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
        base_url = first_line.rsplit(" ", 1)[-1].strip()
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{base_url}/bot{TOKEN}/setWebhook", data={"url": "https://lb.example.com/hook"}
            ) as r:
                assert (await r.json())["result"] is True
            for user_id in (1, 2):
                body = {"user_id": user_id, "text": "/start"}
                async with http.post(f"{base_url}/_control/send", json=body) as r:
                    assert r.status == 200
        await until(lambda: len(first.arrivals) == len(second.arrivals) == 1, timeout=5)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 10)
    assert code == 0
