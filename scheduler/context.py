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
    # Sends in flight at once, over all jobs and teams. Each holds up to three database
    # connections, so this stays well under the connection pool (see models.db), or the job
    # would wait on itself.
    sends: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(SENDS_IN_FLIGHT))
