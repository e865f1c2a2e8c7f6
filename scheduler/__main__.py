"""`python -m scheduler`: the schedule alone, for deployments where several bot processes
(RUN_SCHEDULER=false) serve updates and one or more schedulers share PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from bot.app import create_bot, settle_memory
from bot.clock import SystemClock
from bot.config import ConfigError, load_settings
from bot.i18n import all_texts
from bot.logs import configure_logging
from bot.storage import SqlStorage
from bot.web import Health, build_app, start_server
from models.db import create_engine, create_session_pool, migrate, unreachable
from scheduler.engine import Engine
from scheduler.jobs import Jobs
from scheduler.runner import Leadership, Runner, SchedulerBusy


async def serve() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error (check .env or the environment):\n{exc}", file=sys.stderr)
        return 2
    configure_logging(settings)
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print("BOT_TOKEN is not set: the scheduler sends messages and needs it.", file=sys.stderr)
        return 1
    all_texts()  # a broken catalog stops the start, not the first morning
    bot = create_bot(settings, settings.bot_token.get_secret_value().strip())
    db = create_engine(settings.database_url)
    problem = await unreachable(db)
    if problem is not None:
        print(problem, file=sys.stderr)
        await bot.session.close()
        await db.dispose()
        return 4
    await migrate(db)
    pool = create_session_pool(db)
    clock = SystemClock()
    jobs = Jobs(bot=bot, pool=pool, storage=SqlStorage(pool, clock), clock=clock)
    runner = Runner(
        Engine(jobs),
        Leadership(db, settings.sqlite_path()),
        tick_seconds=settings.scheduler_tick_seconds,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    http = None
    try:
        await runner.start()
        if settings.http_port is not None:
            app = build_app(Health(db, scheduler=runner))
            http = await start_server(app, settings.http_host, settings.http_port)
        settle_memory()
        await stop.wait()
    except SchedulerBusy as exc:
        print(exc, file=sys.stderr)
        return 3
    finally:
        if http is not None:
            await http.cleanup()
        await runner.stop()
        await bot.session.close()
        await db.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m scheduler",
        description=(
            "Run the schedule (prompts, reminders, digests, forecasts) without serving updates. "
            "Settings come from the environment or .env, as for `python -m bot`; with "
            "PostgreSQL several schedulers may run and one leads at a time. /healthz and "
            "/metrics are served on HTTP_PORT when it is set."
        ),
    ).parse_args(argv)
    return asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
