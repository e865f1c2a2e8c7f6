"""The one sender: every outgoing request passes here, so Telegram's limits hold for the whole
process whoever sends (a handler's answer, a prompt, a digest).

- at most `rate` messages a second overall (Telegram allows about 30), evenly spaced; when the
  event loop falls behind, requests whose moments passed catch up by at most `CATCH_UP`
  seconds' worth (one message at least) and the rest take new moments: a stall never
  releases a burst;
- about one a second per chat, with a short burst allowed (a reply and a follow-up question);
- on 429 everything pauses for `retry_after`, then the request is tried again;
- on 5xx and network errors the request is retried with backoff (on 5xx and 429 also a request
  that sends nothing, such as a button's answer, without the pace), except where the outcome is
  unknown: a request that puts a message in a chat (send*, copy*, forward*) and may have
  reached Telegram (a timeout, a connection dropped after the request was written) is not sent
  again, since Telegram may already show it, and a second copy is worse than a late one
  (`outcome_unknown`); the caller decides (a scheduled send is marked and not retried);
- 403 (blocked, deactivated) is not retried: the caller marks the member;
- a scheduled send waiting here for its turn is marked `sending` in the delivery log only as
  its request leaves (`DEPARTURE`), so a crash loses the requests Telegram may have seen, not
  the queue behind the rate limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientConnectorError

log = logging.getLogger(__name__)

LIMITED_PREFIXES = ("send", "edit", "copy", "forward", "delete")
# Requests that show something new each time they succeed: never repeated blindly.
NOT_REPEATABLE_PREFIXES = ("send", "copy", "forward")
# How far requests may run ahead of the even pace to make up for a late event loop. Zero
# would lose the pace on every late wake-up (about 0.87 of `rate` at 1000/s); unbounded,
# a stall of the loop would release everything that fell due in one burst. 20 ms drew 429s
# from a limit counted per second at 0.98 of it (requests bunch up on the way there too).
CATCH_UP = 0.01

# Set by a scheduled send (scheduler/delivery.py) around its requests: awaited once, right
# before the first of them leaves, to commit the delivery as `sending`.
DEPARTURE: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar("departure", default=None)


def marks_departures(bot: Bot) -> bool:
    """Do this bot's requests pass the one sender, which calls `DEPARTURE` as they leave?"""
    return any(isinstance(middleware, Throttle) for middleware in bot.session.middleware)


def outcome_unknown(exc: BaseException) -> bool:
    """A network error after which Telegram may have done what was asked: anything but a
    connection that was never made."""
    return isinstance(exc, TelegramNetworkError) and not isinstance(
        exc.__cause__, ClientConnectorError
    )


class Throttle(BaseRequestMiddleware):
    def __init__(
        self,
        rate: float = 25.0,
        *,
        per_chat_interval: float = 1.0,
        per_chat_burst: int = 3,
        max_retries: int = 4,
        backoff: float = 0.5,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self.per_chat_tolerance = per_chat_interval * (per_chat_burst - 1)
        self.max_retries = max_retries
        self.backoff = backoff
        self._now = monotonic
        self._sleep = sleep
        self._next_global = 0.0
        self._chat_tat: dict[Any, float] = {}
        self._paused_until = 0.0
        # The same pace checked when requests actually leave (a GCRA): the theoretical
        # moment of the next one, and how much earlier than that one may go.
        self._leave_tat = 0.0
        self._leave_tolerance = max(self.interval, CATCH_UP)
        self.stats: Counter[str] = Counter()

    def _reserve_chat(self, chat_id: Any) -> float:
        """Book the chat's next moment (no await inside, so bookings never interleave);
        returns how long to wait for it. Only then is a global moment booked, so a chat
        waiting for its own pace holds up nobody else."""
        if chat_id is None:
            return 0.0
        now = self._now()
        tat = max(self._chat_tat.get(chat_id, 0.0), now)
        start = max(now, tat - self.per_chat_tolerance)
        self._chat_tat[chat_id] = max(tat, start) + self.per_chat_interval
        if len(self._chat_tat) > 50_000:
            self._chat_tat = {c: t for c, t in self._chat_tat.items() if t > now}
        return start - now

    def _reserve(self) -> float:
        """Book the next global moment; returns how long to wait for it."""
        now = self._now()
        start = max(now, self._paused_until, self._next_global)
        self._next_global = start + self.interval
        return start - now

    def _too_early(self) -> float:
        """How long this request must still wait to keep the pace where it leaves; 0 when it
        may go. Non-zero only after the loop was held up and many booked moments came due
        together."""
        return max(0.0, self._leave_tat - self._leave_tolerance - self._now())

    def _leave(self) -> None:
        self._leave_tat = max(self._now(), self._leave_tat) + self.interval

    async def _unpaced(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        """A request that shows nothing new in a chat (a button's answer, the menu, getMe): no
        pace, but the same retries on 429 and 5xx, which repeat nothing a person sees. Without
        them a 500 on a button's answer dropped the whole press. (A network error still ends
        it at once: at start, "cannot reach the Bot API" stays one line.)"""
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                self.stats["429"] += 1
                if attempt >= self.max_retries:
                    raise
                await self._sleep(exc.retry_after)
            except TelegramServerError as exc:
                self.stats["retry"] += 1
                if attempt >= self.max_retries:
                    raise
                log.warning("%s failed (%s), retrying", method.__api_method__, exc)
                await self._sleep(self.backoff * 2**attempt)
            attempt += 1

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__.lower()
        if not name.startswith(LIMITED_PREFIXES):
            if name == "getupdates":  # the long poll: aiogram's polling backs off on its own
                return await make_request(bot, method)
            return await self._unpaced(make_request, bot, method)
        chat_id = getattr(method, "chat_id", None)
        attempt = 0
        while True:
            chat_wait = self._reserve_chat(chat_id)
            if chat_wait > 0:
                await self._sleep(chat_wait)
            wait = self._reserve()
            if wait > 0:
                await self._sleep(wait)
            while (early := self._too_early()) > 0:
                # Take a new moment rather than leave in a burst with the others that came
                # due together.
                self.stats["held"] += 1
                await self._sleep(max(self._reserve(), early))
            if self._paused_until > self._now():
                # A 429 came while this request waited for its moment: book again, after
                # the pause (sending now would only earn another 429).
                continue
            self._leave()
            departure = DEPARTURE.get()
            if departure is not None:
                DEPARTURE.set(None)  # once per scheduled send, however many requests it makes
                await departure()
            try:
                response = await make_request(bot, method)
            except TelegramRetryAfter as exc:
                self.stats["429"] += 1
                self._paused_until = max(self._paused_until, self._now() + exc.retry_after)
                log.warning("429 from Telegram: pausing all sends for %ss", exc.retry_after)
                if attempt >= self.max_retries:
                    raise
            except (TelegramServerError, TelegramNetworkError) as exc:
                repeatable = not method.__api_method__.lower().startswith(NOT_REPEATABLE_PREFIXES)
                if outcome_unknown(exc) and not repeatable:
                    self.stats["unknown"] += 1
                    log.warning(
                        "%s: outcome unknown (%s); not sent again", method.__api_method__, exc
                    )
                    raise
                self.stats["retry"] += 1
                if attempt >= self.max_retries:
                    raise
                log.warning("%s failed (%s), retrying", method.__api_method__, exc)
                await self._sleep(self.backoff * 2**attempt)
            else:
                self.stats["sent"] += 1
                return response
            attempt += 1
