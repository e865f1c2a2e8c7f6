"""How fast the morning job reaches everyone, against a rate-limited fake Bot API.

    .venv/bin/python -m bench.send_prompts [--managers 10000] [--teams 1000] [--limit 1000]
                                           [--database sqlite|postgresql] [--rate R]
                                           [--postgres-url URL] [--profile FILE]
    .venv/bin/python -m bench.send_prompts --sender-only [--managers N] [--limit L]

Builds the teams and managers in a fresh database (bulk inserts, not timed), starts the fake
Bot API in-process with a global limit of `--limit` messages a second, runs
`run_job(jobs, "morning")` with the bot's Throttle just under that limit (`--rate`), then
checks the fake's log: every manager got exactly one prompt. `--sender-only` measures the
bot's sender alone (no job, no database): the ceiling the job could reach on this machine.
Exits 1 when the target (>= 0.95 of the limit, none lost, none duplicated) is not met.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import multiprocessing
import pstats
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.app import create_bot, settle_memory
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import all_texts
from bot.storage import SqlStorage
from bot.throttle import Throttle
from models import Delivery
from models.db import create_engine, create_session_pool, migrate
from scheduler.jobs import JobReport, Jobs, run_job
from tests.fake_telegram import TOKEN, FakeTelegram, close_bot_session
from tests.scenarios import MANAGER_IDS, build

# The bench wipes its database, so by default it has one of its own (created when missing)
# rather than the test suite's `test`, which a concurrent `make test` would be using.
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/sales_pulse_bench"
MOSCOW = ZoneInfo("Europe/Moscow")
MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=MOSCOW)  # a workday, not a holiday
TARGET_SHARE = 0.95
SENDER_IN_FLIGHT = 64
WARM_UP_CHAT = 42
T = TypeVar("T")


@dataclass
class Result:
    database: str
    managers: int
    teams: int
    limit: float
    rate: float
    build_seconds: float
    wall_seconds: float
    cpu_seconds: float
    send_window_seconds: float
    sent: int
    lost: int
    duplicated: int
    refused_429: int
    other_errors: int
    report: JobReport | None
    throttle: Counter[str]
    statuses: dict[str, int] | None
    peak_rss_mb: float

    @property
    def achieved(self) -> float:
        return self.sent / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def ok(self) -> bool:
        return (
            self.achieved >= TARGET_SHARE * self.limit and self.lost == 0 and self.duplicated == 0
        )

    def lines(self) -> list[str]:
        dataset = (
            f"{self.teams} teams, {self.managers} managers "
            f"(built in {self.build_seconds:.1f} s, not timed)"
            if self.report is not None
            else f"{self.managers} chats, no job and no database: the sender alone"
        )
        per_message = 1000 * self.cpu_seconds / self.sent if self.sent else 0.0
        return [
            f"database        {self.database}",
            f"dataset         {dataset}",
            f"limit           {self.limit:g}/s at the fake; throttle rate {self.rate:g}/s",
            f"messages sent   {self.sent}",
            f"wall time       {self.wall_seconds:.2f} s "
            f"(first to last send {self.send_window_seconds:.2f} s); "
            f"CPU {self.cpu_seconds:.2f} s = {per_message:.2f} ms a message",
            f"achieved rate   {self.achieved:.1f}/s = "
            f"{self.achieved / self.limit:.3f} of the limit",
            f"lost            {self.lost} (managers without a prompt)",
            f"duplicated      {self.duplicated} (chats with more than one prompt)",
            f"429 received    {self.refused_429}; other errors {self.other_errors}",
            f"job report      {self.report.summary() if self.report else '-'}",
            f"throttle        {dict(self.throttle)}",
            f"deliveries      {self.statuses if self.statuses is not None else '-'}",
            f"peak RSS        {self.peak_rss_mb:.0f} MB",
            f"target          >= {TARGET_SHARE} of the limit, 0 lost, 0 duplicated: "
            + ("met" if self.ok else "NOT met"),
        ]


class SendWindow(BaseRequestMiddleware):
    """Inside the Throttle: the moments the first and the last send leave the bot."""

    def __init__(self) -> None:
        self.first: float | None = None
        self.last: float | None = None

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        now = time.perf_counter()
        if self.first is None:
            self.first = now
        self.last = now
        return await make_request(bot, method)

    @property
    def seconds(self) -> float:
        return 0.0 if self.first is None or self.last is None else self.last - self.first


# --- the dataset ---------------------------------------------------------------------------


async def fresh_database(kind: str, workdir: Path, postgres_url: str) -> str:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        engine = create_engine(url)
    else:
        url = postgres_url
        await _ensure_postgres_database(url)
        engine = create_engine(url)
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    return url


async def _ensure_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    try:
        async with admin.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()


# --- the run -------------------------------------------------------------------------------


async def bench(
    database: str,
    *,
    managers: int,
    teams: int,
    limit: float,
    rate: float,
    postgres_url: str = POSTGRES_URL,
    profile: Path | None = None,
    fake_in_process: bool = False,
) -> Result:
    """The morning job for every team, against the fake with `limit`."""
    clock = ManualClock(MONDAY_MORNING)
    with tempfile.TemporaryDirectory(prefix="sales-pulse-bench-") as workdir:
        started = time.perf_counter()
        url = await fresh_database(database, Path(workdir), postgres_url)
        engine = create_engine(url)
        try:
            pool = create_session_pool(engine)
            chats = await build(pool, teams, managers, clock.now())
            build_seconds = time.perf_counter() - started
            async with Fake(limit, in_process=fake_in_process) as fake:
                bot, window, throttle = _bot(fake.base_url, url, rate)
                jobs = Jobs(bot=bot, pool=pool, storage=SqlStorage(pool, clock), clock=clock)
                try:
                    await _warm_up(bot, window)
                    report, wall, cpu = await _timed(run_job(jobs, "morning"), profile)
                finally:
                    await close_bot_session(bot)
                seen = await fake.seen()
            async with pool() as session:
                counted = await session.execute(
                    select(Delivery.status, func.count()).group_by(Delivery.status)
                )
                statuses: dict[str, int] = {status: count for status, count in counted}
        finally:
            await engine.dispose()
    return Result(
        database=database, managers=managers, teams=teams, limit=limit, rate=rate,
        build_seconds=build_seconds, wall_seconds=wall, cpu_seconds=cpu,
        send_window_seconds=window.seconds, report=report, throttle=Counter(throttle.stats),
        statuses=statuses, peak_rss_mb=_peak_rss_mb(), **_checked(seen, chats),
    )  # fmt: skip


async def bench_sender(
    count: int,
    *,
    limit: float,
    rate: float,
    in_flight: int = SENDER_IN_FLIGHT,
    fake_in_process: bool = False,
) -> Result:
    """The sender alone: `count` prompt-sized messages to distinct chats through the same bot
    (Throttle included), `in_flight` at a time; no database. The ceiling the job could reach
    on this machine."""
    chats = [MANAGER_IDS + i for i in range(count)]
    text = "<b>План на понедельник, 23 ноября</b>\n" + "Звонки: 30\n" * 6
    gate = asyncio.Semaphore(in_flight)

    async def send_all() -> None:
        async def one(chat: int) -> None:
            async with gate:
                await bot.send_message(chat, text)

        await asyncio.gather(*(one(chat) for chat in chats))

    async with Fake(limit, in_process=fake_in_process) as fake:
        bot, window, throttle = _bot(fake.base_url, "sqlite+aiosqlite:///:memory:", rate)
        try:
            await _warm_up(bot, window)
            _, wall, cpu = await _timed(send_all(), None)
        finally:
            await close_bot_session(bot)
        seen = await fake.seen()
    return Result(
        database="none (--sender-only)", managers=count, teams=0, limit=limit, rate=rate,
        build_seconds=0.0, wall_seconds=wall, cpu_seconds=cpu,
        send_window_seconds=window.seconds, report=None, throttle=Counter(throttle.stats),
        statuses=None, peak_rss_mb=_peak_rss_mb(), **_checked(seen, chats),
    )  # fmt: skip


def _bot(api_url: str, database_url: str, rate: float) -> tuple[Bot, SendWindow, Throttle]:
    """The bot as the process builds it (`create_bot`), pointed at the fake."""
    settings = Settings(_env_file=None, bot_token=None, database_url=database_url,
                        telegram_api_url=api_url, send_rate=rate)  # fmt: skip
    bot = create_bot(settings, TOKEN)
    window = SendWindow()
    bot.session.middleware(window)
    throttle = next(m for m in bot.session.middleware if isinstance(m, Throttle))
    return bot, window, throttle


async def _warm_up(bot: Bot, window: SendWindow) -> None:
    """One message to a chat outside the dataset before the clock starts: the bot's process
    has been up for hours when the morning comes, so aiogram's first-use work (pydantic builds
    its response models on the first call, about 0.5 s) is not part of the morning."""
    await bot.send_message(WARM_UP_CHAT, "warm-up")
    all_texts()  # the process loads its catalogs at start, for the command menus
    settle_memory()  # as the processes do once started
    window.first = window.last = None


async def _timed(work: Awaitable[T], profile: Path | None) -> tuple[T, float, float]:
    """`work`'s result, its wall time and this process's CPU time meanwhile."""
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    try:
        result = await work
    finally:
        if profiler:
            profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler and profile:
        profiler.dump_stats(profile)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    return result, wall, cpu


def _seen(tg: FakeTelegram) -> Seen:
    return Seen(
        prompts=Counter(r.chat_id for r in tg.requests if r.method == "sendMessage" and r.ok),
        sent=tg.stats["sent"] - 1,  # not the warm-up
        refused_429=tg.stats["429"],
        other_errors=sum(1 for r in tg.requests if not r.ok and r.status != 429),
    )


def _checked(seen: Seen, chats: Sequence[int]) -> dict[str, int]:
    """What the fake saw: each chat should have exactly one message."""
    return {
        "sent": seen.sent,
        "lost": sum(1 for chat in chats if seen.prompts[chat] == 0),
        "duplicated": sum(1 for chat in chats if seen.prompts[chat] > 1),
        "refused_429": seen.refused_429,
        "other_errors": seen.other_errors,
    }


@dataclass
class Seen:
    """What the fake Bot API saw, brought back from wherever it ran."""

    prompts: Counter[Any]
    sent: int
    refused_429: int
    other_errors: int


class Fake:
    """The fake Bot API with a global limit of `limit` a second. By default it runs in a process
    of its own, as Telegram is a server elsewhere: its work (parsing, keeping every message)
    then does not take the bot's CPU. `in_process=True` runs it in the bot's event loop."""

    def __init__(self, limit: float, *, in_process: bool = False) -> None:
        self.limit = limit
        self.in_process = in_process
        self._tg: FakeTelegram | None = None
        self._child: multiprocessing.process.BaseProcess | None = None
        self._pipe: Connection | None = None
        self.base_url = ""

    async def __aenter__(self) -> Fake:
        if self.in_process:
            self._tg = FakeTelegram(rate_limit_per_second=self.limit)
            await self._tg.start()
            self.base_url = self._tg.base_url
            return self
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._child = context.Process(target=_serve_fake, args=(self.limit, theirs), daemon=True)
        self._child.start()
        pipe = self._pipe
        self.base_url = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        return self

    async def seen(self) -> Seen:
        if self._tg is not None:
            return _seen(self._tg)
        assert self._pipe is not None
        pipe = self._pipe
        pipe.send("report")
        seen: Seen = await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        return seen

    async def __aexit__(self, *exc_info: object) -> None:
        if self._tg is not None:
            await self._tg.stop()
        if self._child is not None and self._pipe is not None:
            self._pipe.send("stop")
            self._child.join(10)


def _serve_fake(limit: float, pipe: Connection) -> None:
    """The fake's own process: serve until asked for what it saw, then until told to stop.

    Its garbage collector is off: the fake keeps every request, and the collector's pauses
    over that growing heap (tens of milliseconds) would bunch the requests that arrive
    meanwhile into bursts its own limiter then refuses, which Telegram's servers do not do."""
    gc.disable()

    async def serve() -> None:
        async with FakeTelegram(rate_limit_per_second=limit) as tg:
            pipe.send(tg.base_url)
            loop = asyncio.get_running_loop()
            while (command := await loop.run_in_executor(None, pipe.recv)) != "stop":
                if command == "report":
                    pipe.send(_seen(tg))

    asyncio.run(serve())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--managers", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=1_000)
    parser.add_argument(
        "--limit",
        type=float,
        default=1_000.0,
        help="messages a second the fake accepts before answering 429",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="the bot's Throttle rate (default: 0.98 of --limit)",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help="wiped first (schema public dropped and recreated)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="write cProfile stats of the timed part here, print the top",
    )
    parser.add_argument(
        "--sender-only",
        action="store_true",
        help="no job, no database: --managers messages straight through the bot's sender",
    )
    parser.add_argument(
        "--in-flight",
        type=int,
        default=SENDER_IN_FLIGHT,
        help="with --sender-only: requests in flight at once",
    )
    parser.add_argument(
        "--fake-in-process",
        action="store_true",
        help="run the fake Bot API in the bot's own event loop (default: a process of its own)",
    )
    args = parser.parse_args(argv)
    if args.teams < 1 or args.managers < 1:
        parser.error("need at least one team and one manager")
    rate = args.rate if args.rate is not None else 0.98 * args.limit
    if args.sender_only:
        result = asyncio.run(
            bench_sender(
                args.managers,
                limit=args.limit,
                rate=rate,
                in_flight=args.in_flight,
                fake_in_process=args.fake_in_process,
            )
        )
    else:
        result = asyncio.run(
            bench(
                args.database,
                managers=args.managers,
                teams=args.teams,
                limit=args.limit,
                rate=rate,
                postgres_url=args.postgres_url,
                profile=args.profile,
                fake_in_process=args.fake_in_process,
            )
        )
    print("\n".join(result.lines()), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
