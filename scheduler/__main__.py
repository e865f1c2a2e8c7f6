"""`python -m scheduler`: the schedule alone, for deployments where several bot processes
(RUN_SCHEDULER=false) serve updates and one or more schedulers share PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from bot.app import create_bot, settle_memory
from bot.clock import SystemClock
from bot.config import ConfigError, load_settings
from bot.i18n import all_texts
from bot.storage import SqlStorage
from models.db import create_engine, create_session_pool, migrate
from scheduler.engine import Engine
from scheduler.jobs import Jobs
from scheduler.runner import Leadership, Runner, SchedulerBusy


async def serve() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error (check .env or the environment):\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print("BOT_TOKEN is not set: the scheduler sends messages and needs it.", file=sys.stderr)
        return 1
    all_texts()  # a broken catalog stops the start, not the first morning
    bot = create_bot(settings, settings.bot_token.get_secret_value().strip())
    db = create_engine(settings.database_url)
    await migrate(db)
    pool = create_session_pool(db)
    clock = SystemClock()
    jobs = Jobs(bot=bot, pool=pool, storage=SqlStorage(pool, clock), clock=clock)
    runner = Runner(Engine(jobs), Leadership(db, settings.sqlite_path()))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await runner.start()
        settle_memory()
        await stop.wait()
    except SchedulerBusy as exc:
        print(exc, file=sys.stderr)
        return 3
    finally:
        await runner.stop()
        await bot.session.close()
        await db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(serve()))
