"""What every job needs, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.fsm.storage.base import BaseStorage

from bot.clock import Clock
from models.db import SessionPool


@dataclass(frozen=True, slots=True)
class Jobs:
    """What every job needs; built once per process."""

    bot: Bot
    pool: SessionPool
    storage: BaseStorage
    clock: Clock
