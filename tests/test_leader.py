"""Exactly one scheduler leads: PostgreSQL advisory lock (others take over), SQLite file lock
(a second one refuses to start)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import create_engine
from scheduler.runner import Leadership, SchedulerBusy

ROOT = Path(__file__).resolve().parent.parent


async def test_postgres_one_leader_and_takeover(postgres_ready: str):
    engines: list[AsyncEngine] = [create_engine(postgres_ready) for _ in range(2)]
    first, second = (Leadership(engine, None) for engine in engines)
    try:
        assert await first.check() is True
        assert await second.check() is False
        assert await first.check() is True, "the leader stays the leader"
        await first.stop()  # the leader dies: its connection, and so its lock, are gone
        assert await second.check() is True
        assert await first.check() is False, "a returning process does not steal the lead"
    finally:
        await first.stop()
        await second.stop()
        for engine in engines:
            await engine.dispose()


async def test_sqlite_second_scheduler_refuses(tmp_path: Path):
    database = tmp_path / "bot.sqlite3"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    first, second = Leadership(engine, database), Leadership(engine, database)
    try:
        await first.start()
        assert await first.check() is True
        with pytest.raises(SchedulerBusy, match="Another scheduler is already running"):
            await second.start()
        await first.stop()
        await second.start()
        assert await second.check() is True
    finally:
        await first.stop()
        await second.stop()
        await engine.dispose()


async def test_second_scheduler_process_on_sqlite_exits_with_a_clear_message(tmp_path: Path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "4242:LEADER-TEST",
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "LOG_LEVEL": "INFO",
    }

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "scheduler", cwd=tmp_path, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    first = await start()
    try:
        lock = tmp_path / "bot.sqlite3.scheduler.lock"
        for _ in range(300):
            if lock.exists():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
        second = await start()
        _out, err = await asyncio.wait_for(second.communicate(), timeout=60)
        assert second.returncode == 3
        assert b"Another scheduler is already running" in err
        assert first.returncode is None, "the first scheduler keeps running"
    finally:
        first.terminate()
        await asyncio.wait_for(first.wait(), timeout=30)
    assert first.returncode == 0
