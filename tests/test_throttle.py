"""The one sender (`bot.throttle.Throttle`) with aiogram's real HTTP client against the fake
Bot API: pauses on 429, retries 5xx and timeouts, gives up at once on 403, keeps the global
and per-chat rates, lets non-sending methods through; and a morning job end to end.

Where time matters only as arithmetic, the throttle gets a virtual clock (`VirtualTime`):
the waits it asks for are recorded instead of slept. Real time is used only where a test
needs the fake to see real spacing, and stays near a second."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramForbiddenError, TelegramNetworkError, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientConnectorError
from aiohttp.client_reqrep import ConnectionKey
from sqlalchemy import select

from bot.app import create_bot
from bot.clock import ManualClock
from bot.config import Settings
from bot.storage import SqlStorage
from bot.throttle import Throttle, outcome_unknown
from models import Delivery, Member
from models.db import SessionPool
from models.queries import create_team
from scheduler.jobs import Jobs, run_job
from tests.conftest import MOSCOW
from tests.fake_telegram import TOKEN, FakeTelegram, close_bot_session

ALICE, BOB = 1001, 1002


class VirtualTime:
    """`monotonic` and `sleep` for a Throttle: time moves only when someone sleeps, and the
    sleeps end in the order of their deadlines (the earliest first, once the other tasks have
    had their turn), recording what was asked."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        done = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (self.now + max(seconds, 0.0), next(self._order), done))
        if self._driver is None or self._driver.done():
            self._driver = asyncio.create_task(self._drive())
        await done

    async def _drive(self) -> None:
        while self._waiting:
            for _ in range(20):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            target, _, done = heapq.heappop(self._waiting)
            self.now = max(self.now, target)
            done.set_result(None)


class Outgoing(BaseRequestMiddleware):
    """Registered after the Throttle, so it sees each request (retries included) at the
    moment the throttle lets it out: (method, chat_id, time by `clock`)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.log: list[tuple[str, Any, float]] = []

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        self.log.append((method.__api_method__, getattr(method, "chat_id", None), self.clock()))
        return await make_request(bot, method)

    def times(self, chat_id: Any = None) -> list[float]:
        return [at for name, chat, at in self.log if chat_id is None or chat == chat_id]


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@asynccontextmanager
async def throttled_bot(
    tg: FakeTelegram, throttle: Throttle, outgoing: Outgoing | None = None, **session: Any
) -> AsyncIterator[Bot]:
    api_session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url), **session)
    api_session.middleware(throttle)
    if outgoing is not None:
        api_session.middleware(outgoing)
    bot = Bot(TOKEN, session=api_session)
    try:
        yield bot
    finally:
        await close_bot_session(bot)


def delivered(tg: FakeTelegram, chat_id: int) -> int:
    return sum(1 for r in tg.calls("sendMessage") if r.chat_id == chat_id and r.ok)


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll: the throttle has no event to wait on."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.001)


# --- 429 ---------------------------------------------------------------------------------


async def test_429_pauses_every_send_then_delivers_once(tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", "429", retry_after=1, chat_id=ALICE)
    throttle = Throttle(rate=25)
    outgoing = Outgoing(time.monotonic)
    async with throttled_bot(tg, throttle, outgoing) as bot:
        first = asyncio.create_task(bot.send_message(ALICE, "one"))
        await until(lambda: throttle.stats["429"] == 1)
        refused_at = time.monotonic()
        await asyncio.gather(first, bot.send_message(BOB, "two"))
    assert delivered(tg, ALICE) == 1 and delivered(tg, BOB) == 1
    assert tg.stats["429"] == 1 and tg.stats["sent"] == 2
    retry, other = outgoing.times(ALICE)[1], outgoing.times(BOB)[0]
    assert retry - refused_at >= 0.9, "the refused message waits retry_after"
    assert other - refused_at >= 0.9, "another chat's send waits for the pause too"
    assert throttle.stats["429"] == 1 and throttle.stats["sent"] == 2


async def test_429_also_holds_a_send_already_waiting_for_its_slot(tg: FakeTelegram) -> None:
    """Bob's send is booked (0.25 s after Alice's) before Alice's 429 arrives: when its slot
    comes during the pause, it must wait for the pause's end instead of going out."""
    tg.fail_next("sendMessage", "429", retry_after=1, chat_id=ALICE)
    throttle = Throttle(rate=4)
    outgoing = Outgoing(time.monotonic)
    async with throttled_bot(tg, throttle, outgoing) as bot:
        started = time.monotonic()
        await asyncio.gather(bot.send_message(ALICE, "one"), bot.send_message(BOB, "two"))
    assert delivered(tg, ALICE) == 1 and delivered(tg, BOB) == 1
    assert tg.stats["429"] == 1
    assert outgoing.times(BOB)[0] - started >= 0.9, "no send goes out during a 429 pause"


# --- 5xx, timeouts, 403 --------------------------------------------------------------------


async def test_5xx_once_is_retried_after_backoff_and_delivered_once(tg: FakeTelegram) -> None:
    clock = VirtualTime()
    throttle = Throttle(rate=25, monotonic=clock.monotonic, sleep=clock.sleep)
    tg.fail_next("sendMessage", "500")
    async with throttled_bot(tg, throttle) as bot:
        message = await bot.send_message(ALICE, "hello")
    assert message.text == "hello"
    assert [r.status for r in tg.calls("sendMessage")] == [500, 200]
    assert delivered(tg, ALICE) == 1
    assert clock.sleeps == [0.5], "one backoff"
    assert throttle.stats == {"retry": 1, "sent": 1}


async def test_5xx_forever_raises_after_max_retries(tg: FakeTelegram) -> None:
    clock = VirtualTime()
    throttle = Throttle(rate=25, max_retries=4, monotonic=clock.monotonic, sleep=clock.sleep)
    tg.fail_next("sendMessage", "500", count=100)
    async with throttled_bot(tg, throttle) as bot:
        with pytest.raises(TelegramServerError):
            await bot.send_message(ALICE, "hello")
    assert [r.status for r in tg.calls("sendMessage")] == [500] * 5, "the first try and 4 more"
    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0], "exponential backoff"
    assert throttle.stats == {"retry": 5}


async def test_a_send_that_timed_out_is_not_repeated(tg: FakeTelegram) -> None:
    """The request left and no answer came: Telegram may show the message, so a second copy
    is not sent; the caller learns the outcome is unknown."""
    tg.timeout_delay = 3.0  # the fake hangs longer than the client waits
    tg.fail_next("sendMessage", "timeout")
    throttle = Throttle(rate=25, backoff=0.05)
    outgoing = Outgoing(time.monotonic)
    started = time.monotonic()
    async with throttled_bot(tg, throttle, outgoing, timeout=0.3) as bot:
        with pytest.raises(TelegramNetworkError) as error:
            await bot.send_message(ALICE, "hello")
        assert outcome_unknown(error.value)
    assert time.monotonic() - started < 2.0, "the client gave up on the hanging answer"
    assert len(outgoing.log) == 1, "asked once, never again"
    assert throttle.stats["unknown"] == 1 and throttle.stats["retry"] == 0


async def test_an_edit_that_timed_out_is_retried(tg: FakeTelegram) -> None:
    """Editing twice shows the same thing once: safe to repeat."""
    tg.timeout_delay = 3.0
    throttle = Throttle(rate=25, backoff=0.05)
    async with throttled_bot(tg, throttle, timeout=0.3) as bot:
        message = await bot.send_message(ALICE, "hello")
        tg.fail_next("editMessageText", "timeout")
        await bot.edit_message_text("hello again", chat_id=ALICE, message_id=message.message_id)
    assert (
        [m.get("text") for m in tg.users[ALICE].messages()] == ["hello again"]
        if ALICE in (tg.users)
        else True
    )
    assert throttle.stats["retry"] == 1 and throttle.stats["unknown"] == 0


class RefuseOnce(BaseRequestMiddleware):
    """The first request fails as a connection that could not be made."""

    def __init__(self) -> None:
        self.refused = 0

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not self.refused:
            self.refused += 1
            key = ConnectionKey("127.0.0.1", 1, False, True, None, None, None)
            refused = ClientConnectorError(key, ConnectionRefusedError(111, "refused"))
            raise TelegramNetworkError(method, f"ClientConnectorError: {refused}") from refused
        return await make_request(bot, method)


async def test_a_connection_never_made_is_retried_and_delivered_once(tg: FakeTelegram) -> None:
    throttle = Throttle(rate=25, backoff=0.05)
    refuse = RefuseOnce()
    api_session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    api_session.middleware(throttle)
    api_session.middleware(refuse)
    bot = Bot(TOKEN, session=api_session)
    try:
        message = await bot.send_message(ALICE, "hello")
    finally:
        await close_bot_session(bot)
    assert message.text == "hello" and refuse.refused == 1
    assert delivered(tg, ALICE) == 1
    assert throttle.stats["retry"] == 1 and throttle.stats["unknown"] == 0


async def test_403_is_raised_at_once_without_retry(tg: FakeTelegram) -> None:
    clock = VirtualTime()
    throttle = Throttle(rate=25, monotonic=clock.monotonic, sleep=clock.sleep)
    tg.block(ALICE)
    async with throttled_bot(tg, throttle) as bot:
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(ALICE, "hello")
    assert [r.status for r in tg.calls("sendMessage")] == [403]
    assert clock.sleeps == []
    assert throttle.stats["retry"] == 0 and throttle.stats["sent"] == 0


# --- rates ---------------------------------------------------------------------------------


async def test_global_rate_spreads_sends_and_the_fake_never_refuses() -> None:
    rate, count = 20, 30
    async with FakeTelegram(rate_limit_per_second=rate + 2) as tg:
        throttle = Throttle(rate=rate)
        outgoing = Outgoing(time.monotonic)
        async with throttled_bot(tg, throttle, outgoing) as bot:
            started = time.monotonic()
            await asyncio.gather(*(bot.send_message(5000 + i, "hi") for i in range(count)))
            elapsed = time.monotonic() - started
    assert tg.stats["sent"] == count and tg.stats["429"] == 0
    assert (count - 1) / rate * 0.95 <= elapsed <= count / rate + 0.5
    first, last = min(outgoing.times()), max(outgoing.times())
    assert last - first >= (count - 1) / rate * 0.95, "spread, not sent in a burst"


async def test_sends_that_fall_due_together_after_a_stall_still_keep_the_rate() -> None:
    """The event loop is blocked for half a second: the sends booked for that half second
    come due at once, and leave one by one instead of in a burst the fake would refuse."""
    rate, count = 20, 30
    async with FakeTelegram(rate_limit_per_second=rate + 2) as tg:
        throttle = Throttle(rate=rate)
        async with throttled_bot(tg, throttle) as bot:
            asyncio.get_running_loop().call_later(0.2, time.sleep, 0.5)
            await asyncio.gather(*(bot.send_message(5000 + i, "hi") for i in range(count)))
    assert tg.stats["sent"] == count
    assert tg.stats["429"] == 0, "no burst after the stall"
    assert throttle.stats["held"] > 0


async def test_one_chat_gets_a_burst_of_three_then_one_a_second(tg: FakeTelegram) -> None:
    clock = VirtualTime()
    throttle = Throttle(rate=25, monotonic=clock.monotonic, sleep=clock.sleep)
    outgoing = Outgoing(clock.monotonic)
    async with throttled_bot(tg, throttle, outgoing) as bot:
        await asyncio.gather(*(bot.send_message(ALICE, f"#{i}") for i in range(5)))
    assert delivered(tg, ALICE) == 5
    assert sorted(outgoing.times(ALICE)) == pytest.approx([0.0, 0.04, 0.08, 1.0, 2.0])


async def test_a_chat_waiting_for_its_own_limit_does_not_hold_up_others(
    tg: FakeTelegram,
) -> None:
    """Alice's 4th and 5th messages wait for her per-chat limit (1 s, 2 s); Bob's message,
    asked for at the same moment, goes out on the next free global slot."""
    clock = VirtualTime()
    throttle = Throttle(rate=25, monotonic=clock.monotonic, sleep=clock.sleep)
    outgoing = Outgoing(clock.monotonic)
    async with throttled_bot(tg, throttle, outgoing) as bot:
        sends = [bot.send_message(ALICE, f"#{i}") for i in range(5)]
        await asyncio.gather(*sends, bot.send_message(BOB, "hi"))
    assert delivered(tg, BOB) == 1
    assert outgoing.times(BOB) == [pytest.approx(0.12)]


async def test_methods_that_do_not_send_are_not_delayed(tg: FakeTelegram) -> None:
    release = asyncio.Event()
    waits: list[float] = []
    clock = VirtualTime()

    async def held(seconds: float) -> None:  # a send waiting for its slot waits here
        waits.append(seconds)
        await release.wait()
        await clock.sleep(seconds)

    throttle = Throttle(rate=1, monotonic=clock.monotonic, sleep=held)
    query_id = await tg.user(ALICE).click("menu", message_id=1)
    async with throttled_bot(tg, throttle) as bot:
        sends = [asyncio.create_task(bot.send_message(5000 + i, "hi")) for i in range(3)]
        await until(lambda: len(waits) == 2)
        async with asyncio.timeout(2):
            me = await bot.get_me()
            answered = await bot.answer_callback_query(query_id, text="ok")
        assert me.username == "sales_pulse_bot" and answered is True
        assert tg.stats["sent"] == 1, "two sends are still waiting for their slots"
        release.set()
        await asyncio.gather(*sends)
    assert waits == [1.0, 2.0]
    assert tg.stats["sent"] == 3


# --- a morning job end to end -----------------------------------------------------------------


async def _small_team(pool: SessionPool, now: datetime) -> tuple[Member, list[Member]]:
    async with pool() as session:
        owner = await create_team(session, name="Ромашка", timezone="Europe/Moscow", locale="ru",
                                  owner_telegram_id=1, owner_name="Ольга", owner_username=None,
                                  now=now)  # fmt: skip
        owner.is_head = True
        managers = [
            Member(team_id=owner.team_id, telegram_id=100 + i, full_name=name, username=None,
                   is_owner=False, is_head=False, is_manager=True, active=True, joined_at=now)
            for i, name in enumerate(["Иван", "Мария", "Пётр", "Анна"])
        ]  # fmt: skip
        session.add_all(managers)
        await session.commit()
    return owner, managers


async def test_morning_job_against_the_fake_with_a_blocked_chat(
    session_pool: SessionPool, database_url: str, tg: FakeTelegram
) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 9, 30, tzinfo=MOSCOW))  # a Monday
    owner, managers = await _small_team(session_pool, clock.now())
    blocked = managers[1]
    assert blocked.telegram_id is not None
    tg.block(blocked.telegram_id)
    settings = Settings(_env_file=None, bot_token=None, database_url=database_url,
                        telegram_api_url=tg.base_url, send_rate=50)  # fmt: skip
    bot = create_bot(settings, TOKEN)
    jobs = Jobs(bot=bot, pool=session_pool, storage=SqlStorage(session_pool, clock), clock=clock)
    try:
        first = await run_job(jobs, "morning")
        mark = tg.mark()
        again = await run_job(jobs, "morning")
    finally:
        await close_bot_session(bot)

    assert first.sent == 3 and first.skipped == {"blocked": 1}
    for manager in managers:
        assert manager.telegram_id is not None
        if manager is blocked:
            assert tg.sent_to(manager.telegram_id) == []
            assert len(tg.sent_to(manager.telegram_id, include_failed=True)) == 1, "no retry"
        else:
            [prompt] = tg.sent_to(manager.telegram_id)
            assert "План на понедельник, 23 ноября" in (prompt.text or "")
    assert owner.telegram_id is not None
    [alert] = tg.sent_to(owner.telegram_id)
    assert "Мария заблокировал(а) бота" in (alert.text or ""), "the head is told, once"
    async with session_pool() as session:
        member = await session.get(Member, blocked.id)
        assert member is not None and member.bot_blocked_at is not None
        statuses = dict((await session.execute(select(Delivery.key, Delivery.status))).all())
    assert sorted(statuses.values()) == ["failed", "sent", "sent", "sent", "sent"]

    assert again.sent == 0 and again.already == 3 and again.skipped == {"bot blocked": 1}
    assert tg.find("sendMessage", after=mark, ok=None) == [], "the second run sends nothing"


async def test_a_prompt_whose_send_timed_out_is_never_sent_again(
    session_pool: SessionPool, database_url: str, tg: FakeTelegram
) -> None:
    """The morning prompt to one manager hangs past the client's timeout: the manager may or
    may not have it. It is recorded as an unknown outcome and no later run repeats it."""
    clock = ManualClock(datetime(2026, 11, 23, 9, 30, tzinfo=MOSCOW))  # a Monday
    _, managers = await _small_team(session_pool, clock.now())
    hanging = managers[0]
    assert hanging.telegram_id is not None
    tg.timeout_delay = 3.0
    tg.fail_next("sendMessage", "timeout", chat_id=hanging.telegram_id)
    settings = Settings(_env_file=None, bot_token=None, database_url=database_url,
                        telegram_api_url=tg.base_url, send_rate=50)  # fmt: skip
    bot = create_bot(settings, TOKEN)
    bot.session.timeout = 0.5
    jobs = Jobs(bot=bot, pool=session_pool, storage=SqlStorage(session_pool, clock), clock=clock)
    try:
        first = await run_job(jobs, "morning")
        clock.advance(timedelta(minutes=20))
        again = await run_job(jobs, "morning")
    finally:
        await close_bot_session(bot)
    assert first.skipped == {"unknown": 1} and first.sent == len(managers) - 1
    assert again.sent == 0, "nothing is sent twice"
    assert tg.sent_to(hanging.telegram_id) == []
    async with session_pool() as session:
        [(status, error, attempts)] = (
            await session.execute(
                select(Delivery.status, Delivery.error, Delivery.attempts).where(
                    Delivery.member_id == hanging.id, Delivery.kind == "morning"
                )
            )
        ).all()
    assert status == "failed" and (error or "").startswith("outcome unknown")
    assert attempts >= 3, "spent: the retry pass leaves it alone"
