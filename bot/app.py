"""Wiring: the bot client and the dispatcher. `main()` and the tests build them the same way."""

from __future__ import annotations

import asyncio
import gc
from typing import Any, ClassVar

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.utils.callback_answer import CallbackAnswerMiddleware
from redis.asyncio import Redis

from bot.clock import Clock
from bot.config import Settings
from bot.errors import apologize
from bot.menus import set_default_menus
from bot.metrics import RequestMetrics, UpdateMetrics
from bot.middlewares import ContextMiddleware, HandleOnceMiddleware, InFlightLimit
from bot.storage import SqlStorage
from bot.throttle import Throttle
from handlers import routers
from models.db import SessionPool


async def finish_handlers(dp: Dispatcher, timeout: float = 10.0) -> None:
    """Let updates already being handled finish before the process exits, so an answer the
    person has seen acknowledged is also recorded (aiogram keeps them as background tasks)."""
    running = [task for task in dp._handle_update_tasks if not task.done()]
    if running:
        await asyncio.wait(running, timeout=timeout)


class KeepResponseModels(BaseRequestMiddleware):
    """aiogram reads every answer with pydantic's `Response[<type>]`, a parametrised generic
    model that pydantic keeps only while something refers to it: without this, each garbage
    collection drops `Response[Message]` and the next answer builds it again, 10-15 ms with
    the event loop held (a hundred times during a 3,000-message morning)."""

    models: ClassVar[dict[Any, Any]] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in self.models:
            self.models[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)


def settle_memory() -> None:
    """Once started: what exists now (modules, models, catalogs, compiled statements) lives as
    long as the process, so the garbage collector stops scanning it. Otherwise each full
    collection walks all of it and holds the event loop for a quarter of a second, long
    enough to break the sender's pace in the middle of a morning."""
    gc.collect()
    gc.freeze()


def create_bot(settings: Settings, token: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.api_base_url))
    session.middleware(KeepResponseModels())
    session.middleware(Throttle(settings.send_rate))
    session.middleware(RequestMetrics())
    return Bot(
        token=token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def redis_isolation(redis: Redis, prefix: str) -> RedisEventIsolation:
    """One user's updates one at a time over every replica: a lock in Redis per chat and user.
    It expires after a minute, so a replica that dies holding it blocks nobody for long."""
    return RedisEventIsolation(
        redis,
        key_builder=DefaultKeyBuilder(prefix=prefix, with_bot_id=True),
        lock_kwargs={"timeout": 60, "sleep": 0.005},
    )


# Updates handled at once: well under the database pool (20 connections and 20 more on demand,
# models/db.py), which the scheduler's sends share.
UPDATES_IN_FLIGHT = 16


def create_dispatcher(
    settings: Settings,
    session_pool: SessionPool,
    clock: Clock,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
) -> Dispatcher:
    dp = Dispatcher(
        # Conversation state stays in the database even with Redis: the morning job writes
        # every prompted manager's form state in the transaction that claims the prompts, so
        # a prompt and its form exist together or not at all, on any replica.
        storage=storage or SqlStorage(session_pool, clock),
        # One user's updates are handled one at a time, so two quick messages never
        # interleave inside a form (across processes: `redis_isolation`).
        events_isolation=events_isolation or SimpleEventIsolation(),
        settings=settings,
        clock=clock,
        session_pool=session_pool,
    )
    dp.update.outer_middleware(InFlightLimit(UPDATES_IN_FLIGHT))
    dp.update.outer_middleware(UpdateMetrics())
    dp.update.outer_middleware(HandleOnceMiddleware(session_pool, clock))
    dp.update.outer_middleware(ContextMiddleware(session_pool, clock, settings.default_language))
    dp.callback_query.middleware(CallbackAnswerMiddleware())
    # The person whose update failed is asked to repeat it (bot/errors.py).
    dp.errors.register(apologize)
    dp.include_routers(*routers())

    async def on_startup(bot: Bot) -> None:
        await set_default_menus(bot, settings.default_language)

    async def on_shutdown() -> None:
        await finish_handlers(dp)

    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    return dp
