"""Conversation state lives in the database: a restart in the middle of a form loses nothing."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Update
from sqlalchemy import func, select

from bot.app import UPDATES_IN_FLIGHT, create_dispatcher
from bot.clock import ManualClock
from bot.config import Settings
from bot.middlewares import InFlightLimit
from bot.storage import SqlStorage
from models import FsmRecord
from models.db import SessionPool
from tests.bot_client import Harness
from tests.mocked_bot import MockedBot

KEY = StorageKey(bot_id=4242, chat_id=7, user_id=7)


async def test_state_and_data_round_trip_and_clear(session_pool: SessionPool, clock: ManualClock):
    storage = SqlStorage(session_pool, clock)
    await storage.set_state(KEY, "Form:calls")
    await storage.set_data(KEY, {"calls": "30", "nested": {"a": [1, 2]}})
    again = SqlStorage(session_pool, clock)
    assert await again.get_state(KEY) == "Form:calls"
    assert await again.get_data(KEY) == {"calls": "30", "nested": {"a": [1, 2]}}
    await again.set_state(KEY, None)
    await again.set_data(KEY, {})
    assert await again.get_state(KEY) is None
    async with session_pool() as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0


async def test_team_creation_continues_after_restart(
    settings: Settings, session_pool: SessionPool, clock: ManualClock, bot: MockedBot
):
    before = Harness(create_dispatcher(settings, session_pool, clock), bot)
    owner = before.user(1, "Ольга")
    await owner.send("/start")
    await owner.press("Создать команду")
    await owner.send("Ромашка")

    after = Harness(create_dispatcher(settings, session_pool, clock), bot)
    same_owner = after.user(1, "Ольга")
    same_owner.chat = owner.chat
    await same_owner.press("Москва")
    assert "Команда <b>Ромашка</b> создана" in same_owner.last.text


async def test_an_update_resent_after_restart_is_handled_once(
    harness: Harness, session_pool: SessionPool
):
    from datetime import UTC, datetime

    from aiogram.types import Chat, Message, Update, User

    from tests.scenarios import team_with_managers

    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/plan")
    await ivan.press("По шагам")
    typed = Update(
        update_id=999_001,
        message=Message(
            message_id=1, date=datetime.now(UTC), chat=Chat(id=ivan.user_id, type="private"),
            from_user=User(id=ivan.user_id, is_bot=False, first_name="Иван"), text="31",
        ),
    )  # fmt: skip
    await harness.feed(typed)
    assert ivan.last.text.startswith("Встречи (2 из 6)")
    made = await harness.feed(typed)
    assert made == [], "the same update again changes nothing and sends nothing"
    await ivan.send("2")
    assert ivan.last.text.startswith("КП (3 из 6)")


async def test_a_flood_of_updates_waits_its_turn_instead_of_taking_every_connection():
    """A hundred managers pressing at once: at most UPDATES_IN_FLIGHT are handled together
    (each holds a database connection while it talks to Telegram); the rest wait, and all are
    handled."""
    limit = InFlightLimit(UPDATES_IN_FLIGHT)
    running, most, handled = 0, 0, 0

    async def handler(event: object, data: dict[str, object]) -> None:
        nonlocal running, most, handled
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1
        handled += 1

    await asyncio.gather(*(limit(handler, Update(update_id=i), {}) for i in range(100)))
    assert handled == 100
    assert most == UPDATES_IN_FLIGHT < 20, "fewer than the pool's own connections"
