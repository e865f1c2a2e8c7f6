"""Ticking the engine in a live process, with exactly one leader among schedulers.

PostgreSQL: every scheduler holds its own connection and tries a session advisory lock each
tick; whoever holds it ticks. When the leader dies, its connection closes, the lock is freed and
another scheduler takes over on its next tick. SQLite (one machine): an exclusive file lock
beside the database; a second scheduler refuses to start.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import time
from pathlib import Path
from typing import IO

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.metrics import SCHEDULER_LAG, SCHEDULER_LAST_TICK, SCHEDULER_LEADER
from scheduler.engine import Engine

log = logging.getLogger(__name__)

# Any constant will do, as long as every scheduler of this product uses the same one.
ADVISORY_LOCK_KEY = 7_317_462_011
TICK_SECONDS = 60


class SchedulerBusy(RuntimeError):
    """Another scheduler already runs against this SQLite database."""


class Leadership:
    def __init__(self, engine: AsyncEngine, sqlite_path: Path | None) -> None:
        self._engine = engine
        self._sqlite_path = sqlite_path
        self._connection: AsyncConnection | None = None
        self._lock_file: IO[bytes] | None = None
        self.leading = False

    async def start(self) -> None:
        """On SQLite, take the file lock now or refuse to start."""
        if self._engine.dialect.name != "sqlite":
            return
        if self._sqlite_path is None:
            self.leading = True
            return
        lock_path = self._sqlite_path.with_name(self._sqlite_path.name + ".scheduler.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("wb")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise SchedulerBusy(
                f"Another scheduler is already running against {self._sqlite_path}. "
                "SQLite serves one machine: run one bot (or one `python -m scheduler`), or move "
                "to PostgreSQL to run several."
            ) from exc
        self._lock_file = handle
        self.leading = True

    async def check(self) -> bool:
        """Are we the leader now? On PostgreSQL, try to become it."""
        if self._engine.dialect.name == "sqlite":
            return self.leading
        try:
            if self._connection is None or self._connection.closed:
                self._connection = await self._engine.connect()
                self.leading = False
            if not self.leading:
                got = await self._connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
                )
                await self._connection.commit()
                self.leading = bool(got)
                if self.leading:
                    log.info("this scheduler leads now")
            else:
                await self._connection.scalar(text("SELECT 1"))
                await self._connection.commit()
        except Exception:
            log.exception("lost the database connection of the leader lock")
            await self._drop_connection()
        return self.leading

    async def _drop_connection(self) -> None:
        self.leading = False
        if self._connection is not None:
            try:
                # Really close it (not back to the pool), so the session lock goes with it.
                await self._connection.invalidate()
                await self._connection.close()
            except Exception:  # already broken
                log.debug("closing a broken connection failed", exc_info=True)
            self._connection = None

    async def stop(self) -> None:
        await self._drop_connection()
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None


class Runner:
    """APScheduler only ticks: every minute (coalesced, never two at once) the leader asks the
    engine what is due."""

    def __init__(self, engine: Engine, leadership: Leadership, tick_seconds: int = TICK_SECONDS):
        self.engine = engine
        self.leadership = leadership
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.tick_seconds = tick_seconds
        self._one_at_a_time = asyncio.Lock()
        # Wall-clock instants for /healthz and /metrics only; the schedule itself reads the
        # engine's injected clock.
        self.last_tick_at: float | None = None
        self._next_due: float | None = None

    @property
    def role(self) -> str:
        return "leader" if self.leadership.leading else "follower"

    async def tick(self) -> None:
        started = time.time()
        if self._next_due is not None:
            SCHEDULER_LAG.set(max(0.0, started - self._next_due))
        self._next_due = started + self.tick_seconds
        async with self._one_at_a_time:
            leading = await self.leadership.check()
            SCHEDULER_LEADER.set(1 if leading else 0)
            self.last_tick_at = started
            SCHEDULER_LAST_TICK.set(started)
            if not leading:
                return
            try:
                report = await self.engine.tick()
            except Exception:
                log.exception("schedule tick failed; the next tick tries again")
                return
            if report.sent or report.skipped:
                log.info("tick: %s", report.summary())

    async def start(self) -> None:
        await self.leadership.start()
        self.scheduler.add_job(
            self.tick,
            IntervalTrigger(seconds=self.tick_seconds),
            id="tick",
            coalesce=True,
            max_instances=1,
            # At least a second: APScheduler refuses 0 (SCHEDULER_TICK_SECONDS=1).
            misfire_grace_time=max(1, self.tick_seconds // 2),
        )
        # The first tick runs at once: it catches up on what was missed while the bot was down.
        self.scheduler.add_job(self.tick, id="catch-up")
        self.scheduler.start()

    async def stop(self, timeout: float = 30.0) -> None:
        """Start no new tick, let the one under way finish its sends, then let go."""
        if self.scheduler.running:
            self.scheduler.pause()
        try:
            async with asyncio.timeout(timeout):
                await self._one_at_a_time.acquire()
            self._one_at_a_time.release()
        except TimeoutError:
            log.warning("a tick still runs after %ss; stopping anyway", timeout)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await self.leadership.stop()
