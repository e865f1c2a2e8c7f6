"""`python -m bot [run|migrate]`: the bot's command line."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from datetime import date
from pathlib import Path

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.utils.token import TokenValidationError
from aiohttp import web
from redis.asyncio import Redis

from bot.app import create_bot, create_dispatcher, redis_isolation, settle_memory
from bot.clock import SystemClock
from bot.config import DEFAULT_HTTP_PORT, ConfigError, Settings, load_settings
from bot.logs import configure_logging
from bot.storage import SqlStorage
from bot.web import ANSWER_WITHIN, Health, WebhookHandler, bound_port, build_app, start_server
from models.db import create_engine, create_session_pool, migrate, unreachable
from scheduler.engine import Engine
from scheduler.jobs import JOBS, Jobs
from scheduler.runner import Leadership, Runner, SchedulerBusy

log = logging.getLogger(__name__)

NO_TOKEN = """\
BOT_TOKEN is not set, so the bot cannot connect to Telegram.

To run it:
  1. In Telegram, open @BotFather, send /newbot and follow its questions.
  2. Copy the token it gives you (it looks like 123456789:AA...).
  3. Put it into .env next to README.md:   BOT_TOKEN=123456789:AA...
     (cp .env.example .env gives you a file with every setting explained)
  4. Run the same command again.

To see the bot at work first, with no token and no network:
  python -m bot demo      (or: make demo)
"""


async def telegram_unreachable(bot: Bot, base_url: str, timeout: float = 30.0) -> str | None:
    """None when Telegram knows the token, else one line saying what is wrong."""
    try:
        async with asyncio.timeout(timeout):
            await bot.get_me()
    except TelegramUnauthorizedError:
        return (
            "Telegram refused BOT_TOKEN (Unauthorized): it was revoked or mistyped. "
            "Copy it again from @BotFather (/mybots, API Token)."
        )
    except (TelegramNetworkError, TelegramServerError, TimeoutError) as exc:
        reason = getattr(exc, "message", "") or type(exc).__name__
        return f"Cannot reach the Telegram Bot API at {base_url}: {reason}"
    return None


async def redis_unreachable(redis: Redis, url: str, timeout: float = 5.0) -> str | None:
    try:
        async with asyncio.timeout(timeout):
            await redis.ping()
    except Exception as exc:
        where = url.split("@", 1)[-1] if "@" in url else url
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"Cannot reach Redis at {where}: {reason}"
    return None


async def run_bot(settings: Settings) -> int:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 1
    try:
        bot = create_bot(settings, settings.bot_token.get_secret_value().strip())
    except TokenValidationError:
        print(
            "BOT_TOKEN does not look like a token from @BotFather (123456789:AA...).",
            file=sys.stderr,
        )
        return 2
    engine = create_engine(settings.database_url)
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    runner: Runner | None = None
    http: web.AppRunner | None = None
    try:
        problem = await unreachable(engine)
        if problem is None and redis is not None and settings.redis_url:
            problem = await redis_unreachable(redis, settings.redis_url)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 4
        problem = await telegram_unreachable(bot, settings.api_base_url)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 5
        await migrate(engine)
        clock = SystemClock()
        pool = create_session_pool(engine)
        isolation = None if redis is None else redis_isolation(redis, settings.redis_key_prefix)
        dp = create_dispatcher(settings, pool, clock, events_isolation=isolation)
        if settings.run_scheduler:
            jobs = Jobs(bot=bot, pool=pool, storage=dp.storage, clock=clock)
            runner = Runner(
                Engine(jobs),
                Leadership(engine, settings.sqlite_path()),
                tick_seconds=settings.scheduler_tick_seconds,
            )
            await runner.start()
        health = Health(engine, redis, runner)
        if settings.webhook_mode:
            await serve_webhook(settings, bot, dp, health)
            return 0
        if settings.serve_http is not None:
            http = await start_server(build_app(health), settings.http_host, settings.serve_http)
            log.info("health and metrics on port %s", bound_port(http))
        settle_memory()
        # A webhook left from an earlier webhook deployment would make every poll a conflict.
        await bot.delete_webhook(drop_pending_updates=False)
        await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())
    except SchedulerBusy as exc:
        print(exc, file=sys.stderr)
        return 3
    finally:
        if http is not None:
            await http.cleanup()
        if runner is not None:
            await runner.stop()
        await bot.session.close()
        if redis is not None:
            await redis.aclose()
        await engine.dispose()
    return 0


async def serve_webhook(settings: Settings, bot: Bot, dp: Dispatcher, health: Health) -> None:
    """Take updates from Telegram's posts until SIGTERM or SIGINT."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    handler = WebhookHandler(dp, bot, secret, answer_within=ANSWER_WITHIN)
    app = build_app(health, handler, settings.webhook_listen_path)
    port = settings.serve_http if settings.serve_http is not None else DEFAULT_HTTP_PORT
    http = await start_server(app, settings.http_host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    workflow = {"dispatcher": dp, "bots": [bot], **dp.workflow_data}
    try:
        await dp.emit_startup(bot=bot, **workflow)
        await bot.set_webhook(
            str(settings.webhook_url),
            secret_token=secret,
            allowed_updates=dp.resolve_used_update_types(),
        )
        log.info(
            "webhook mode: %s, listening on %s:%s%s",
            settings.webhook_url, settings.http_host, bound_port(http),
            settings.webhook_listen_path,
        )  # fmt: skip
        settle_memory()
        await stop.wait()
    finally:
        # No new posts, then the handling under way finishes before the bot's session closes.
        await http.shutdown()
        await handler.finish()
        await http.cleanup()
        await dp.emit_shutdown(bot=bot, **workflow)


async def run_job(settings: Settings, job: str, team_id: int | None, day: date | None) -> int:
    from scheduler.jobs import run_job as run_one

    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 1
    bot = create_bot(settings, settings.bot_token.get_secret_value().strip())
    engine = create_engine(settings.database_url)
    try:
        problem = await unreachable(engine)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 4
        await migrate(engine)
        pool = create_session_pool(engine)
        clock = SystemClock()
        jobs = Jobs(bot=bot, pool=pool, storage=SqlStorage(pool, clock), clock=clock)
        report = await run_one(jobs, job, team_id=team_id, day=day)
    finally:
        await bot.session.close()
        await engine.dispose()
    print(f"{job}: {report.summary()}")
    return 0


async def show_demo(out: Path) -> int:
    from bot.demo import run_demo

    transcript, *reports = await run_demo(out)
    print(transcript.read_text(encoding="utf-8"))
    for path in reports:
        if path.suffix == ".txt":
            print(f"\n=== {path.name} ===\n{path.read_text(encoding='utf-8')}")
    print(f"The conversation above is saved in {transcript}")
    for path in reports:
        print(f"  {path}")
    return 0


async def run_migrations(settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        problem = await unreachable(engine)
        if problem is not None:
            print(problem, file=sys.stderr)
            return 4
        await migrate(engine)
    finally:
        await engine.dispose()
    print("Database is up to date.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Sales Pulse bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="apply database migrations and exit")
    demo = commands.add_parser("demo", help="show the bot at work offline: no token needed")
    demo.add_argument("--out", type=Path, default=Path("demo-out"), help="folder for the results")
    job = commands.add_parser("run-job", help="run a scheduled job now")
    job.add_argument("job", choices=JOBS)
    job.add_argument("--team", type=int, default=None, help="only this team id")
    job.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD, team-local (default today)",
    )
    args = parser.parse_args(argv)

    if args.command == "demo":
        return asyncio.run(show_demo(args.out))
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"Configuration error (check .env or the environment):\n{exc}", file=sys.stderr)
        return 2
    configure_logging(settings)
    if args.command == "migrate":
        return asyncio.run(run_migrations(settings))
    if args.command == "run-job":
        return asyncio.run(run_job(settings, args.job, args.team, args.date))
    try:
        return asyncio.run(run_bot(settings))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
