"""Two dispatchers standing for two replicas: with Redis event isolation one person's updates
are handled one at a time whichever replica takes them; without it they overlap."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiogram import Dispatcher
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import Chat, Message, TelegramObject, Update, User
from redis.asyncio import Redis

from bot.app import create_dispatcher, redis_isolation
from bot.clock import ManualClock
from bot.config import Settings
from models.db import SessionPool
from tests.mocked_bot import MockedBot

update_ids = itertools.count(700_000)


class Overlap:
    """Counts how many of one person's updates are being handled at the same moment."""

    def __init__(self) -> None:
        self.active = 0
        self.most = 0

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        self.active += 1
        self.most = max(self.most, self.active)
        try:
            await asyncio.sleep(0.05)  # as if the handler waited on the database
            return await handler(event, data)
        finally:
            self.active -= 1


def message(user_id: int, text: str) -> Update:
    person = User(id=user_id, is_bot=False, first_name="Анна")
    return Update(
        update_id=next(update_ids),
        message=Message(
            message_id=next(update_ids),
            date=datetime(2026, 11, 23, 6, 0, tzinfo=UTC),
            chat=Chat(id=user_id, type="private"),
            from_user=person,
            text=text,
        ),
    )


async def most_at_once(replicas: list[Dispatcher], bot: MockedBot, overlap: Overlap) -> int:
    for dp in replicas:
        dp.update.outer_middleware(overlap)
    updates = [message(901, f"/help {i}") for i in range(6)]
    await asyncio.gather(
        *(replicas[i % 2].feed_update(bot, update) for i, update in enumerate(updates))
    )
    return overlap.most


async def test_one_persons_updates_never_overlap_across_replicas(
    settings: Settings, session_pool: SessionPool, clock: ManualClock,
    bot: MockedBot, redis_ready: tuple[str, str],
):  # fmt: skip
    url, prefix = redis_ready
    redis = Redis.from_url(url)
    try:
        replicas = [
            create_dispatcher(
                settings, session_pool, clock, events_isolation=redis_isolation(redis, prefix)
            )
            for _ in range(2)
        ]
        assert await most_at_once(replicas, bot, Overlap()) == 1
        assert len(bot.requests) == 6, "every update was answered"
        assert [key async for key in redis.scan_iter(f"{prefix}*lock")] == [], "locks released"
    finally:
        await redis.aclose()


async def test_without_shared_isolation_replicas_would_overlap(
    settings: Settings, session_pool: SessionPool, clock: ManualClock, bot: MockedBot
):
    replicas = [
        create_dispatcher(settings, session_pool, clock, events_isolation=SimpleEventIsolation())
        for _ in range(2)
    ]
    assert await most_at_once(replicas, bot, Overlap()) == 2
