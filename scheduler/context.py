"""What every job needs, built once per process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.fsm.storage.base import BaseStorage

from bot.clock import Clock
from models.db import SessionPool

SENDS_IN_FLIGHT = 64


@dataclass(frozen=True, slots=True)
class Jobs:
    """What every job needs; built once per process."""

    bot: Bot
    pool: SessionPool
    storage: BaseStorage
    clock: Clock
    # Requests to Telegram marked `sending` and not yet answered, over all jobs and teams: what
    # a crash could lose (scheduler/delivery.py). A send holds no database connection of its
    # own (its status changes are written together), so this may be well above the pool.
    sends: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(SENDS_IN_FLIGHT))
