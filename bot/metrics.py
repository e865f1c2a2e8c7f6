"""Prometheus metrics of one bot process, served at /metrics (`bot.web`).

Counters are per process; with several replicas Prometheus scrapes each and sums them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update
from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# `*_created` samples only double the page; Prometheus needs none of them.
disable_created_metrics()  # type: ignore[no-untyped-call]

UPDATES = Counter(
    "sales_pulse_updates", "Telegram updates handled, by type (message, callback_query, ...)",
    ["type"],
)  # fmt: skip
HANDLER_SECONDS = Histogram(
    "sales_pulse_handler_seconds",
    "Time from an update's arrival to the end of its handling, by type",
    ["type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
HANDLER_ERRORS = Counter(
    "sales_pulse_handler_errors", "Updates whose handling raised an error", ["type"]
)
MESSAGES_SENT = Counter(
    "sales_pulse_messages_sent", "Requests that put something in a chat, answered OK", ["method"]
)
TELEGRAM_429 = Counter("sales_pulse_telegram_429", "429 Too Many Requests from Telegram")
TELEGRAM_403 = Counter("sales_pulse_telegram_403", "403 Forbidden (the bot is blocked) answers")
SCHEDULER_LEADER = Gauge(
    "sales_pulse_scheduler_leader", "1 while this process's scheduler leads, else 0"
)
SCHEDULER_LAG = Gauge(
    "sales_pulse_scheduler_lag_seconds", "How late the latest schedule tick started"
)
SCHEDULER_LAST_TICK = Gauge(
    "sales_pulse_scheduler_last_tick_timestamp_seconds", "Unix time the latest tick started"
)
DELIVERIES = Counter(
    "sales_pulse_deliveries",
    "Scheduled sends moved to a status (claimed, sending, sent, failed) by this process",
    ["status"],
)

_SENDING = ("send", "copy", "forward", "edit")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdateMetrics(BaseMiddleware):
    """Outermost on `dp.update`: counts every update and times its whole handling."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        started = time.perf_counter()
        try:
            return await handler(event, data)
        except Exception:
            HANDLER_ERRORS.labels(kind).inc()
            raise
        finally:
            UPDATES.labels(kind).inc()
            HANDLER_SECONDS.labels(kind).observe(time.perf_counter() - started)


class RequestMetrics(BaseRequestMiddleware):
    """Closest to the network (inside the Throttle), so each 429 and retry is seen."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            response = await make_request(bot, method)
        except TelegramRetryAfter:
            TELEGRAM_429.inc()
            raise
        except TelegramForbiddenError:
            TELEGRAM_403.inc()
            raise
        name = method.__api_method__
        if name.lower().startswith(_SENDING):
            MESSAGES_SENT.labels(name).inc()
        return response
