"""How long the head's evening digest and the owner's weekly forecast take, and how many SQL
statements they run, for a big team; and the Monday forecasts of many small teams.

    .venv/bin/python -m bench.reports [--managers 200] [--days 365] [--teams 1000]
                                      [--database sqlite|postgresql] [--runs 5]
                                      [--forecasts N] [--postgres-url URL] [--profile FILE]
                                      [--tick-runs 3] [--chart-processes 2] [--no-sequential]

Builds, in a fresh database (bulk inserts, not timed): teams of 10, 50 and `--managers`
managers with `--days` of daily plans and facts (the 6 default metrics, workdays only), monthly
targets, a few absences and the head's routine; and `--teams` small teams of 6 to 10 managers
(8 on average) with 62 days of history each. Then times what the bot runs (handlers/reports.py,
scheduler/jobs.py: send_digest, send_forecast), split into loading (SQL), computing and chart
rendering, and counts the SQL statements each executes:

- digest:   load_history(62 days) + build_digest(texts("ru"), history, day)
- forecast: load_history(62 days) + routine_between(14 days) + build_forecast(...)

for each big team (median of `--runs` runs after one warm-up run), and the forecasts of all
small teams (or `--forecasts N` of them, extrapolated) one after the other, as the scheduler's
tick ran them before it grouped them: total, per team, peak RSS (nothing sent).

Then the Monday tick itself: every small team's forecast due at once, through the scheduler's
own code (`scheduler.jobs.run_events` -> `send_forecasts`: histories read a batch at a time,
deliveries claimed, reports built, chart and text sent) to the offline Bot API
(`bot.offline.OfflineBot`, which answers at once and limits nothing): wall time from the
tick's start until every forecast is sent and its delivery marked sent, statements, requests.

PostgreSQL uses its own database `sales_pulse_bench_reports`, dropped and recreated, and
dropped at the end. See bench/reports.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import ctypes
import gc
import os
import platform
import pstats
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.fsm.storage.memory import MemoryStorage
from aiogram.methods import SendMessage, SendPhoto
from sqlalchemy import delete, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import scheduler.jobs
from bench.databases import recreate_postgres
from bot import charts
from bot.clock import ManualClock
from bot.i18n import texts
from bot.offline import OfflineBot
from bot.reports import DIGEST_HISTORY, FORECAST_HISTORY, build_digest, build_forecast
from domain.calendar import is_workday
from domain.metrics import DEFAULT_METRICS
from domain.schedule import EventKind
from models.base import Base
from models.db import SessionPool, create_engine, create_session_pool, migrate
from models.history import TeamHistory, load_history
from models.queries import create_team
from models.tables import (
    Absence,
    DayEntry,
    Delivery,
    EntryValue,
    Member,
    Metric,
    MonthlyTarget,
    RoutineEntry,
    Team,
)
from models.targets import routine_between
from scheduler.jobs import Due, Jobs, run_events

# Its own database, never the test suite's `test`: dropped and recreated on every run.
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/sales_pulse_bench_reports"
MOSCOW = ZoneInfo("Europe/Moscow")
DAY = date(2026, 11, 23)  # a Monday, a workday: the digest's evening and the forecast's morning
FORECAST_NOW = datetime.combine(DAY, clock_time(9, 0), MOSCOW)
ROUTINE_WINDOW = timedelta(days=14)  # as handlers/reports.py and scheduler/jobs.py
SMALL_DAYS = 62  # ~2 months of history for the small teams: the whole window the reports load
SMALL_SIZES = (6, 7, 8, 9, 10)  # 8 managers on average
MEASURED_SIZES = (10, 50)  # besides --managers: the statement count must not grow with size
FLUSH_ROWS = 50_000


# --- measuring -----------------------------------------------------------------------------


class StatementCounter:
    """Every statement the engine sends to the database (`before_cursor_execute`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self.statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        statement = args[2]
        self.count += 1
        self.statements.append(" ".join(str(statement).split())[:110])

    def reset(self) -> None:
        self.count = 0
        self.statements = []


class ChartTimer:
    """Time spent in bot.charts.digest_chart / forecast_chart (bot.reports calls them as
    `charts.digest_chart(...)`, so wrapping the module's attributes sees every call)."""

    NAMES = ("digest_chart", "forecast_chart")

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.png_bytes = 0

    @contextmanager
    def installed(self) -> Iterator[ChartTimer]:
        saved = {name: getattr(charts, name) for name in self.NAMES}
        for name, original in saved.items():
            setattr(charts, name, self._timed(original))
        try:
            yield self
        finally:
            for name, original in saved.items():
                setattr(charts, name, original)

    def _timed(self, draw: Callable[..., bytes]) -> Callable[..., bytes]:
        def timed(*args: Any, **kwargs: Any) -> bytes:
            started = time.perf_counter()
            try:
                png = draw(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
                self.count += 1
            self.png_bytes += len(png)
            return png

        return timed


@dataclass
class Sample:
    """One report: seconds loading (SQL and rows to objects), computing and rendering text,
    drawing the chart; statements executed; values loaded."""

    load: float
    compute: float
    chart: float
    statements: int
    values_loaded: int
    parts: int

    @property
    def total(self) -> float:
        return self.load + self.compute + self.chart


def values_loaded(history: TeamHistory) -> int:
    return sum(
        len(values)
        for side in (history.plans, history.facts)
        for days in side.values()
        for values in days.values()
    )


async def run_digest(
    pool: SessionPool, team: Team, day: date, counter: StatementCounter, timer: ChartTimer
) -> Sample:
    """What send_digest (scheduler/jobs.py) and /digest (handlers/reports.py) compute."""
    async with pool() as session:
        counter.reset()
        chart_before = timer.seconds
        started = time.perf_counter()
        history = await load_history(session, team, day - DIGEST_HISTORY, day)
        loaded = time.perf_counter()
        report = build_digest(texts("ru"), history, day)
        built = time.perf_counter()
    chart = timer.seconds - chart_before
    return Sample(
        load=loaded - started, compute=built - loaded - chart, chart=chart,
        statements=counter.count, values_loaded=values_loaded(history), parts=len(report.parts),
    )  # fmt: skip


async def run_forecast(
    pool: SessionPool, team: Team, day: date, counter: StatementCounter, timer: ChartTimer
) -> Sample:
    """What send_forecast (scheduler/jobs.py) and /forecast (handlers/reports.py) compute."""
    async with pool() as session:
        counter.reset()
        chart_before = timer.seconds
        started = time.perf_counter()
        history = await load_history(session, team, day - FORECAST_HISTORY, day)
        routine = await routine_between(session, team.id, day - ROUTINE_WINDOW, day)
        loaded = time.perf_counter()
        report = build_forecast(texts("ru"), history, day, routine, FORECAST_NOW)
        built = time.perf_counter()
    chart = timer.seconds - chart_before
    return Sample(
        load=loaded - started, compute=built - loaded - chart, chart=chart,
        statements=counter.count, values_loaded=values_loaded(history), parts=len(report.parts),
    )  # fmt: skip


async def run_digest_text(
    pool: SessionPool, team: Team, day: date, counter: StatementCounter, timer: ChartTimer
) -> Sample:
    """The digest's text alone: load + build_digest with the chart not drawn."""
    saved = charts.digest_chart
    charts.digest_chart = lambda *_args: b""
    try:
        return await run_digest(pool, team, day, counter, timer)
    finally:
        charts.digest_chart = saved


Runner = Callable[[SessionPool, Team, date, StatementCounter, ChartTimer], Any]


@dataclass
class Series:
    """Several runs of one report for one team: the first (cold) apart, then the median."""

    managers: int
    first: Sample
    runs: list[Sample]

    def median(self, attribute: str) -> float:
        return float(statistics.median(getattr(sample, attribute) for sample in self.runs))

    @property
    def statements(self) -> int:
        counts = {sample.statements for sample in [self.first, *self.runs]}
        return counts.pop() if len(counts) == 1 else -1  # -1: not the same on every run


async def series(
    runner: Runner,
    pool: SessionPool,
    team: Team,
    managers: int,
    runs: int,
    counter: StatementCounter,
    timer: ChartTimer,
) -> Series:
    first: Sample = await runner(pool, team, DAY, counter, timer)
    return Series(
        managers, first, [await runner(pool, team, DAY, counter, timer) for _ in range(runs)]
    )


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS since the last `reset_peak_rss`) in MB."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak
    fields = {
        line.split(":")[0]: int(line.split()[1]) / 1024
        for line in status.splitlines()
        if line.startswith(("VmRSS", "VmHWM"))
    }
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def release_memory() -> None:
    """Give back to the OS what building the dataset left in the heap, so the RSS figures are
    about the reports (glibc only; elsewhere nothing happens)."""
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def reset_peak_rss() -> bool:
    """Linux resets the peak RSS (VmHWM) on writing 5 to clear_refs; False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# --- the dataset ---------------------------------------------------------------------------


class Loader:
    """Rows buffered per table with ids given here, written with Core `insert(table)` and a
    list of dicts (one executemany per 10,000 rows) in foreign-key order every FLUSH_ROWS
    rows."""

    ORDER: tuple[type[Base], ...] = (
        Team, Metric, Member, Absence, MonthlyTarget, RoutineEntry, DayEntry, EntryValue,
    )  # fmt: skip

    def __init__(self, engine: AsyncEngine, next_ids: dict[type[Base], int]) -> None:
        self.engine = engine
        self.next_ids = dict(next_ids)
        self.rows: dict[type[Base], list[dict[str, Any]]] = {model: [] for model in self.ORDER}
        self.buffered = 0
        self.written = dict.fromkeys(self.ORDER, 0)

    def add(self, model: type[Base], **values: Any) -> int:
        row_id = self.next_ids[model]
        self.next_ids[model] = row_id + 1
        values["id"] = row_id
        self.rows[model].append(values)
        self.buffered += 1
        return row_id

    async def maybe_flush(self) -> None:
        if self.buffered >= FLUSH_ROWS:
            await self.flush()

    async def flush(self) -> None:
        async with self.engine.begin() as connection:
            for model in self.ORDER:
                rows = self.rows[model]
                for start in range(0, len(rows), 10_000):  # a Core connection: no ORM bulk path
                    await connection.execute(insert(model), rows[start : start + 10_000])
                self.written[model] += len(rows)
                self.rows[model] = []
        self.buffered = 0


@dataclass
class Persona:
    calls: int
    conversion: float
    deal_size: int
    misses_reports: float
    slump: bool


def utc(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, clock_time(hour, minute), MOSCOW).astimezone(UTC)


def workdays(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if is_workday(day, "12345", "RU"):
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass
class TeamSpec:
    team_id: int
    head_id: int
    metric_ids: dict[str, int]
    manager_ids: list[int] = field(default_factory=list)


def add_managers(
    loader: Loader, rng: random.Random, spec: TeamSpec, count: int, joined: datetime, chat: int
) -> None:
    for index in range(count):
        spec.manager_ids.append(
            loader.add(
                Member, team_id=spec.team_id, telegram_id=chat + index,
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {index + 1:03d}",
                username=None, is_owner=False, is_head=False, is_manager=True, active=True,
                bot_blocked_at=None, joined_at=joined,
            )
        )  # fmt: skip


FIRST_NAMES = ("Анна", "Иван", "Мария", "Пётр", "Ольга", "Дмитрий", "Елена", "Сергей", "Юлия")
LAST_NAMES = ("Смирнов", "Петров", "Козлов", "Соколов", "Новиков", "Волков", "Морозов", "Лебедев")
REASONS = ("no_answer", "postponed", "internal", "other")


async def add_history(
    loader: Loader, rng: random.Random, spec: TeamSpec, days: list[date], now: datetime
) -> None:
    """Plans and facts of every manager on `days`, leave, monthly targets for each month and
    the head's routine for each week."""
    first, last = days[0], days[-1]
    metric_ids = spec.metric_ids
    team_id = spec.team_id
    targets: dict[date, int] = {}
    for number, member_id in enumerate(spec.manager_ids):
        persona = Persona(
            calls=rng.randint(24, 42), conversion=rng.uniform(0.2, 0.45),
            deal_size=rng.randrange(80_000, 200_000, 10_000),
            misses_reports=rng.choice((0.02, 0.03, 0.05, 0.12)), slump=rng.random() < 0.1,
        )  # fmt: skip
        away: list[tuple[date, date]] = []
        if rng.random() < 0.15:  # a vacation somewhere in the period
            start = rng.choice(days)
            away.append((start, start + timedelta(days=rng.randint(4, 13))))
        if rng.random() < 0.1:  # a sick day
            start = rng.choice(days)
            away.append((start, start))
        if number % 40 == 7:  # some are away today
            away.append((last - timedelta(days=2), last + timedelta(days=4)))
        for start, end in away:
            kind = "sick" if start == end else "vacation"
            loader.add(
                Absence, team_id=team_id, member_id=member_id, kind=kind, first_day=start,
                last_day=end, created_at=now, cancelled_at=None,
            )  # fmt: skip
        daily_money = persona.deal_size * persona.calls / 14 * persona.conversion
        for day in days:
            targets[day.replace(day=1)] = targets.get(day.replace(day=1), 0)
            if any(start <= day <= end for start, end in away):
                continue
            energy = 0.55 if persona.slump and (last - day).days < 20 else 1.0
            plan = (
                persona.calls, 2 + (persona.calls > 35), 3, 5, 1,
                persona.deal_size,
            )  # fmt: skip
            calls = max(0, round(rng.gauss(persona.calls * energy, 4)))
            meetings = max(0, round(calls / 14 + rng.uniform(-0.6, 0.6)))
            proposals = max(0, round(meetings * 1.4 + rng.uniform(-0.5, 0.8)))
            leads = max(0, round(calls / 6 + rng.uniform(-1, 1)))
            deals = sum(1 for _ in range(meetings) if rng.random() < persona.conversion)
            revenue = max(0, deals * int(round(rng.gauss(persona.deal_size, 20_000), -3)))
            fact = (calls, meetings, proposals, leads, deals, revenue)
            at = utc(day, 9, 40)
            _entry(loader, team_id, member_id, day, "plan", plan, metric_ids, at, None, None)
            if rng.random() < persona.misses_reports:
                continue
            reason = rng.choice(REASONS) if calls < persona.calls * 0.8 else None
            comment = "Клиенты переносят встречи" if rng.random() < 0.05 else None
            at = utc(day, 18, rng.randint(5, 59)) if rng.random() < 0.9 else utc(day, 21, 10)
            _entry(loader, team_id, member_id, day, "fact", fact, metric_ids, at, reason, comment)
            await loader.maybe_flush()
        for month in targets:
            amount = int(round(daily_money * 21 * 1.05, -4))
            targets[month] += amount
            loader.add(
                MonthlyTarget, team_id=team_id, member_id=member_id, month=month, amount=amount,
                set_by_id=spec.head_id, set_at=now,
            )  # fmt: skip
    for month, total in targets.items():
        loader.add(
            MonthlyTarget, team_id=team_id, member_id=None, month=month, amount=total,
            set_by_id=spec.head_id, set_at=now,
        )  # fmt: skip
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        for offset, kind in ((0, "planning"), (2, "one_on_one"), (3, "training")):
            with_member = rng.choice(spec.manager_ids) if kind == "one_on_one" else None
            loader.add(
                RoutineEntry, team_id=team_id, head_id=spec.head_id, kind=kind,
                with_member_id=with_member, day=monday + timedelta(days=offset), created_at=now,
            )  # fmt: skip
        monday += timedelta(days=7)
    await loader.maybe_flush()


def _entry(
    loader: Loader,
    team_id: int,
    member_id: int,
    day: date,
    kind: str,
    values: tuple[int, ...],
    metric_ids: dict[str, int],
    at: datetime,
    reason: str | None,
    comment: str | None,
) -> None:
    entry_id = loader.add(
        DayEntry, team_id=team_id, member_id=member_id, day=day, kind=kind, comment=comment,
        reason=reason, reason_text="Клиент в отпуске" if reason == "other" else None,
        submitted_at=at, updated_at=at,
    )  # fmt: skip
    for definition, value in zip(DEFAULT_METRICS, values, strict=True):
        loader.add(EntryValue, entry_id=entry_id, metric_id=metric_ids[definition.key], value=value)


@dataclass
class Dataset:
    big: dict[int, int]  # managers -> team id: the teams the digest and forecast are timed on
    small: list[int]  # team ids of the small teams
    rows: dict[str, int]
    seconds: float


async def build_dataset(
    engine: AsyncEngine, pool: SessionPool, sizes: Sequence[int], days: int, small_teams: int
) -> Dataset:
    started = time.perf_counter()
    rng = random.Random(20261123)
    now = utc(DAY - timedelta(days=days + 30), 12, 0)
    joined = now
    big: dict[int, int] = {}
    specs: list[tuple[TeamSpec, int]] = []
    async with pool() as session:
        # The big teams the way the bot creates them; everything else in bulk.
        for number, size in enumerate(sizes):
            owner = await create_team(
                session, name=f"Отдел продаж {size}", timezone="Europe/Moscow", locale="ru",
                owner_telegram_id=1_000 + number, owner_name=f"Руководитель {size}",
                owner_username=None, now=now,
            )  # fmt: skip
            owner.is_head = True
            await session.flush()
            metrics = await session.execute(
                select(Metric.key, Metric.id).where(Metric.team_id == owner.team_id)
            )
            spec = TeamSpec(owner.team_id, owner.id, {key: id_ for key, id_ in metrics})
            big[size] = owner.team_id
            specs.append((spec, size))
        await session.commit()
        next_ids: dict[type[Base], int] = {}
        for model in Loader.ORDER:
            table = model.__table__
            highest = await session.scalar(select(func.max(table.c.id)))
            next_ids[model] = (highest or 0) + 1
    loader = Loader(engine, next_ids)
    big_days = workdays(DAY - timedelta(days=days - 1), DAY)
    for number, (spec, size) in enumerate(specs):
        add_managers(loader, rng, spec, size, joined, 10_000_000 * (number + 1))
        await add_history(loader, rng, spec, big_days, now)
    small_days = workdays(DAY - timedelta(days=SMALL_DAYS - 1), DAY)
    small: list[int] = []
    chat = 100_000_000
    for number in range(small_teams):
        team_id = loader.add(
            Team, name=f"Команда {number + 1}", timezone="Europe/Moscow", locale="ru",
            workdays="12345", holiday_country="RU", created_at=now,
        )  # fmt: skip
        metric_ids = {
            d.key: loader.add(
                Metric, team_id=team_id, key=d.key, label=None, kind=d.kind.value,
                daily_norm=d.daily_norm, max_value=d.max_value, position=position,
                is_key=d.is_key, active=True,
            )
            for position, d in enumerate(DEFAULT_METRICS)
        }  # fmt: skip
        head_id = loader.add(
            Member, team_id=team_id, telegram_id=chat, full_name=f"Руководитель {number + 1}",
            username=None, is_owner=True, is_head=True, is_manager=False, active=True,
            bot_blocked_at=None, joined_at=joined,
        )  # fmt: skip
        spec = TeamSpec(team_id, head_id, metric_ids)
        add_managers(loader, rng, spec, SMALL_SIZES[number % len(SMALL_SIZES)], joined, chat + 1)
        chat += 100
        await add_history(loader, rng, spec, small_days, now)
        small.append(team_id)
    await loader.flush()
    return Dataset(
        big=big,
        small=small,
        rows={model.__tablename__: count for model, count in loader.written.items()},
        seconds=time.perf_counter() - started,
    )


async def fresh_database(kind: str, workdir: Path, postgres_url: str) -> str:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'bench-reports.sqlite3'}"
    else:
        url = postgres_url
        name = make_url(url).database
        if not name or name == "test":
            raise SystemExit("refusing to use the test suite's database; pass another URL")
        await recreate_postgres(url)
    engine = create_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()
    return url


async def after_load(engine: AsyncEngine, kind: str) -> None:
    """PostgreSQL: sequences past the ids given here, and fresh planner statistics (what
    autovacuum would have done by the time a year of history has accumulated). SQLite: left
    as the bot leaves it (it never runs ANALYZE)."""
    if kind != "postgresql":
        return
    async with engine.begin() as connection:
        for model in Loader.ORDER:
            table = model.__tablename__
            await connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("ANALYZE"))


# --- the run -------------------------------------------------------------------------------


@dataclass
class Fleet:
    """The forecasts of all small teams, one after the other."""

    teams: int
    seconds: float
    load: float
    compute: float
    chart: float
    statements: int
    per_team: list[float]
    rss_before: float
    rss_after: float
    peak_rss: float
    peak_is_fleet: bool


async def fleet(
    pool: SessionPool,
    team_ids: list[int],
    counter: StatementCounter,
    timer: ChartTimer,
) -> Fleet:
    async with pool() as session:
        teams = {team.id: team for team in await session.scalars(select(Team))}
    # the way the scheduler's tick goes through the teams: one after the other
    chosen = [teams[team_id] for team_id in team_ids]
    rss_before, _ = rss_mb()
    reset = reset_peak_rss()
    samples: list[Sample] = []
    statements = 0
    started = time.perf_counter()
    for team in chosen:
        sample = await run_forecast(pool, team, DAY, counter, timer)
        statements += sample.statements
        samples.append(sample)
    seconds = time.perf_counter() - started
    rss_after, peak = rss_mb()
    return Fleet(
        teams=len(chosen), seconds=seconds, load=sum(s.load for s in samples),
        compute=sum(s.compute for s in samples), chart=sum(s.chart for s in samples),
        statements=statements, per_team=[s.total for s in samples], rss_before=rss_before,
        rss_after=rss_after, peak_rss=peak, peak_is_fleet=reset,
    )  # fmt: skip


@dataclass
class Tick:
    """One Monday tick of every small team's forecast, through scheduler.jobs.run_events."""

    teams: int
    seconds: float
    cpu: float  # this process's CPU time (the chart processes' is not in it)
    sent: int
    summary: str
    statements: int
    status_writes: int  # UPDATE deliveries: the sends' status changes, written together
    messages: int
    photos: int
    load_before: str
    load_after: str


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def monday_tick(
    pool: SessionPool, team_ids: list[int], counter: StatementCounter, timer: ChartTimer
) -> Tick:
    """Every small team's forecast due in the same tick, through the scheduler's own path;
    the deliveries of an earlier run are deleted first (not timed)."""
    async with pool() as session:
        await session.execute(delete(Delivery))
        await session.commit()
        every = {team.id: team for team in await session.scalars(select(Team))}
    teams = [every[team_id] for team_id in team_ids]
    bot = OfflineBot()
    jobs = Jobs(bot=bot, pool=pool, storage=MemoryStorage(), clock=ManualClock(FORECAST_NOW))
    due = [Due(EventKind.FORECAST, team, DAY) for team in teams]
    release_memory()
    load_before = loadavg()
    counter.reset()
    cpu = time.process_time()
    started = time.perf_counter()
    report = await run_events(jobs, due)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    return Tick(
        teams=len(teams), seconds=seconds, cpu=cpu, sent=report.sent, summary=report.summary(),
        statements=counter.count,
        status_writes=sum(1 for s in counter.statements if s.startswith("UPDATE deliveries")),
        messages=sum(1 for r in bot.requests if isinstance(r, SendMessage)),
        photos=sum(1 for r in bot.requests if isinstance(r, SendPhoto)),
        load_before=load_before, load_after=loadavg(),
    )  # fmt: skip


def start_chart_processes(count: int) -> float:
    """Start the chart processes the tick would start (scheduler.jobs.CHART_PROCESSES_FROM),
    before it, and wait until each has drawn once; returns the seconds that took. Here each
    process also imports this module (multiprocessing's spawn imports the parent's main
    module; `python -m bot` and `python -m scheduler` are packages' __main__, which it does
    not), so this is more than the bot's first Monday pays."""
    started = time.perf_counter()
    if count <= 0:
        scheduler.jobs.CHART_PROCESSES_FROM = sys.maxsize  # drawn in the build threads
        return 0.0
    scheduler.jobs.CHART_PROCESSES = count
    charts.start_processes(count)
    month = charts.Cumulative([DAY], [Decimal(0)], None, DAY)
    with ThreadPoolExecutor(count * 2) as threads:
        labels = dict.fromkeys(("plan", "fact", "target", "range", "cumulative_title"), "-")
        list(threads.map(lambda _: charts.forecast_chart(month, labels), range(count * 2)))
    return time.perf_counter() - started


@dataclass
class Result:
    database: str
    dataset: Dataset
    runs: int
    digests: list[Series]
    forecasts: list[Series]
    texts: list[Series]
    fleet: Fleet | None
    ticks: list[Tick]
    processes_started: float
    chart_processes: int
    statements: dict[str, list[str]]


async def bench(
    database: str,
    *,
    managers: int,
    days: int,
    teams: int,
    runs: int,
    sample: int | None,
    postgres_url: str,
    profile: Path | None,
    tick_runs: int,
    chart_processes: int,
    sequential: bool,
) -> Result:
    sizes = sorted({*MEASURED_SIZES, managers})
    with tempfile.TemporaryDirectory(prefix="sales-pulse-bench-reports-") as workdir:
        url = await fresh_database(database, Path(workdir), postgres_url)
        engine = create_engine(url)
        try:
            pool = create_session_pool(engine)
            dataset = await build_dataset(engine, pool, sizes, days, teams)
            await after_load(engine, database)
            print(
                f"dataset built in {dataset.seconds:.1f} s (not timed): {dataset.rows}",
                file=sys.stderr,
                flush=True,
            )
            release_memory()
            counter = StatementCounter(engine)
            timer = ChartTimer()
            async with pool() as session:
                big = {
                    size: await session.get_one(Team, team_id)
                    for size, team_id in dataset.big.items()
                }
            with timer.installed():
                digests = [
                    await series(run_digest, pool, big[size], size, runs, counter, timer)
                    for size in sizes
                ]
                examples = {"digest": list(counter.statements)}
                forecasts = [
                    await series(run_forecast, pool, big[size], size, runs, counter, timer)
                    for size in sizes
                ]
                examples["forecast"] = list(counter.statements)
                digest_texts = [
                    await series(run_digest_text, pool, big[size], size, runs, counter, timer)
                    for size in sizes
                ]
                chosen = dataset.small
                if sample is not None and sample < len(chosen):  # evenly spread over all teams
                    chosen = [chosen[i * len(chosen) // sample] for i in range(sample)]
                small = await fleet(pool, chosen, counter, timer) if chosen and sequential else None
            ticks: list[Tick] = []
            started = 0.0
            if dataset.small and tick_runs:
                started = start_chart_processes(chart_processes)
                for _ in range(tick_runs):
                    ticks.append(await monday_tick(pool, dataset.small, counter, timer))
                    print(f"tick: {ticks[-1]}", file=sys.stderr, flush=True)
                charts.stop_processes()
            if profile is not None:
                await profiled(profile, pool, big[managers], counter, timer)
        finally:
            await engine.dispose()
            if database == "postgresql":
                await recreate_postgres(postgres_url, drop_only=True)
    return Result(
        database, dataset, runs, digests, forecasts, digest_texts, small, ticks, started,
        chart_processes, examples,
    )  # fmt: skip


async def profiled(
    path: Path, pool: SessionPool, team: Team, counter: StatementCounter, timer: ChartTimer
) -> None:
    """cProfile of one digest and one forecast of the biggest team: the top of the list."""
    profiler = cProfile.Profile()
    profiler.enable()
    await run_digest(pool, team, DAY, counter, timer)
    await run_forecast(pool, team, DAY, counter, timer)
    profiler.disable()
    profiler.dump_stats(path)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)


# --- the table -----------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def row(label: str, cells: Sequence[str]) -> str:
    return f"  {label:<24}" + "".join(f"{cell:>15}" for cell in cells)


def report_lines(result: Result, days: int) -> list[str]:
    rows = result.dataset.rows
    sizes = [s.managers for s in result.digests]
    lines = [
        f"database      {result.database}",
        f"dataset       teams of {', '.join(map(str, sizes))} managers with {days} days of "
        f"history; {len(result.dataset.small)} small teams of 6-10 managers with "
        f"{SMALL_DAYS} days; {rows['day_entries']:,} day entries, "
        f"{rows['entry_values']:,} values, {rows['absences']:,} absences, "
        f"{rows['monthly_targets']:,} targets, {rows['routine_entries']:,} routine entries "
        f"(built in {result.dataset.seconds:.1f} s, not timed)",
        f"report day    {DAY.isoformat()} (Monday); windows {DIGEST_HISTORY.days} days "
        f"(digest) and {FORECAST_HISTORY.days} days (forecast), as the bot loads",
        f"runs          1 warm-up + median of {result.runs}; times in ms",
    ]
    for title, group in (("digest", result.digests), ("forecast", result.forecasts)):
        header = f"{title + ':':<26}" + "".join(f"{f'{n} managers':>15}" for n in sizes)
        lines += ["", header]

        lines += [
            row("SQL statements", [str(s.statements) for s in group]),
            row("values loaded", [f"{s.first.values_loaded:,}" for s in group]),
            row("load (SQL + rows)", [ms(s.median("load")) for s in group]),
            row("compute + text", [ms(s.median("compute")) for s in group]),
            row("chart (PNG)", [ms(s.median("chart")) for s in group]),
            row("total", [ms(s.median("total")) for s in group]),
            row("first run (cold), total", [ms(s.first.total) for s in group]),
            row("messages", [str(s.first.parts) for s in group]),
        ]
    texts_of = result.texts
    lines += [
        "",
        f"{'digest text (no chart):':<26}" + "".join(f"{f'{n} managers':>15}" for n in sizes),
        row("SQL statements", [str(s.statements) for s in texts_of]),
        row("load (SQL + rows)", [ms(s.median("load")) for s in texts_of]),
        row("compute + text", [ms(s.median("compute")) for s in texts_of]),
        row("total (target < 100)", [ms(s.median("total")) for s in texts_of]),
        row("first run (cold), total", [ms(s.first.total) for s in texts_of]),
    ]
    for title, statements in result.statements.items():
        lines += ["", f"statements of one {title} ({sizes[-1]} managers):"]
        lines += [f"  {i + 1}. {s}" for i, s in enumerate(statements)]
    fleet = result.fleet
    if fleet is not None:
        per_team = sorted(fleet.per_team)
        p95 = per_team[min(len(per_team) - 1, int(0.95 * len(per_team)))]
        peak = "peak RSS" if fleet.peak_is_fleet else "peak RSS (whole process)"
        every = len(result.dataset.small)

        def share(seconds: float, fleet: Fleet = fleet) -> str:
            return f"{100 * seconds / fleet.seconds:.0f} %"

        lines += [
            "",
            f"weekly forecasts for {fleet.teams} of the {every} small teams, one after the other "
            "(as the scheduler's tick ran them before it grouped them; nothing sent):",
            f"  total                     {fleet.seconds:.2f} s"
            + (
                f" (all {every} teams, extrapolated: {fleet.seconds * every / fleet.teams:.0f} s)"
                if fleet.teams < every
                else ""
            ),
            f"  per team                  mean {ms(fleet.seconds / fleet.teams)} ms, "
            f"median {ms(statistics.median(per_team))} ms, p95 {ms(p95)} ms, "
            f"max {ms(per_team[-1])} ms",
            f"  split                     load {fleet.load:.2f} s ({share(fleet.load)}), "
            f"compute + text {fleet.compute:.2f} s ({share(fleet.compute)}), "
            f"chart {fleet.chart:.2f} s ({share(fleet.chart)})",
            f"  SQL statements            {fleet.statements} "
            f"({fleet.statements / fleet.teams:g} a team)",
            f"  {peak:<26}{fleet.peak_rss:.0f} MB (RSS {fleet.rss_before:.0f} MB before, "
            f"{fleet.rss_after:.0f} MB after)",
        ]
    for number, tick in enumerate(result.ticks):
        if number == 0:
            lines += [
                "",
                f"Monday tick: {tick.teams} forecasts due at once, scheduler.jobs.run_events to "
                f"the offline Bot API; charts in {result.chart_processes} processes "
                f"(started before: {result.processes_started:.2f} s), "
                f"{scheduler.jobs.FORECAST_TEAMS_PER_BATCH} teams a batch, "
                f"{scheduler.jobs.FORECAST_BUILDS} builds at once (target < 10 s):",
            ]
        lines.append(
            f"  run {number + 1}: {tick.seconds:.2f} s wall "
            f"({1000 * tick.seconds / tick.teams:.1f} ms a team), {tick.cpu:.2f} s CPU in this "
            f"process; {tick.summary}; "
            f"{tick.messages} messages + {tick.photos} photos; {tick.statements} statements, "
            f"{tick.status_writes} of them status writes; load average {tick.load_before} "
            f"before, {tick.load_after} after"
        )
    return lines


def machine() -> list[str]:
    """What the figures were measured on."""
    import aiogram
    import aiosqlite
    import matplotlib
    import numpy
    import sqlalchemy

    cpu = memory = "?"
    with suppress(OSError):
        info = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next((line.split(":", 1)[1].strip() for line in info if "model name" in line), "?")
        memory = next(
            (f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
             for line in Path("/proc/meminfo").read_text().splitlines()
             if line.startswith("MemTotal")), "?",
        )  # fmt: skip
    import sqlite3

    return [
        f"machine       {os.cpu_count()} CPUs ({cpu}), {memory} RAM; CPython "
        f"{platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, aiosqlite "
        f"{aiosqlite.__version__} (SQLite {sqlite3.sqlite_version}), matplotlib "
        f"{matplotlib.__version__}, numpy {numpy.__version__}, aiogram {aiogram.__version__}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--managers", type=int, default=200, help="managers in the big team")
    parser.add_argument("--days", type=int, default=365, help="days of history of the big team")
    parser.add_argument("--teams", type=int, default=1_000, help="small teams (0: none)")
    parser.add_argument(
        "--forecasts",
        type=int,
        default=None,
        help="time the forecasts of only this many of the small teams (default: all), "
        "evenly spread, and extrapolate to all",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each report")
    parser.add_argument(
        "--postgres-url", default=POSTGRES_URL, help="dropped, recreated, dropped at the end"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="cProfile one digest and one forecast"
    )
    parser.add_argument(
        "--tick-runs", type=int, default=3, help="Monday ticks of all small teams (0: none)"
    )
    parser.add_argument(
        "--chart-processes", type=int, default=2,
        help="processes the tick draws the charts in (0: in the build threads)",
    )  # fmt: skip
    parser.add_argument(
        "--no-sequential", dest="sequential", action="store_false",
        help="skip the small teams' forecasts one after the other (part 3)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.managers < 1 or args.days < SMALL_DAYS or args.teams < 0 or args.runs < 1:
        parser.error(
            f"need --managers >= 1, --days >= {SMALL_DAYS} (the reports' window), --teams >= 0, "
            "--runs >= 1"
        )
    started = time.perf_counter()
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    result = asyncio.run(
        bench(
            args.database, managers=args.managers, days=args.days, teams=args.teams,
            runs=args.runs, sample=args.forecasts, postgres_url=args.postgres_url,
            profile=args.profile, tick_runs=args.tick_runs, chart_processes=args.chart_processes,
            sequential=args.sequential,
        )
    )  # fmt: skip
    lines = machine() + report_lines(result, args.days)
    lines.append(
        f"\nwhole benchmark {time.perf_counter() - started:.0f} s; load average "
        f"{load_before} before, {' '.join(f'{x:.2f}' for x in os.getloadavg())} after "
        f"({os.cpu_count()} CPUs)"
    )
    print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
