"""Updates the bot handles a second end to end, their latency, and its memory, next to a bare
aiogram echo bot (`bench/echo_bot.py`) on the same machine.

    .venv/bin/python -m bench.updates [--quick] [--repeat N] [--cases a,b,c1,c,d,e,a100,b100]
                                      [--managers 300] [--concurrency 32] [--rounds 1]
                                      [--open-rate 50] [--open-seconds 20] [--no-rss]
                                      [--py-spy DIR]

One fake Bot API (`tests/fake_telegram.py`) runs in a process of its own, its garbage collector
off, no rate limits, strict; the load generator runs inside it (`BenchFake`), so an update is
queued, and its reply recorded, in the fake's own loop with no extra HTTP hop. The bots are real
processes: `python -m bot` (RUN_SCHEDULER=false, SEND_RATE=10000, LOG_LEVEL=WARNING) and
`python -m bench.echo_bot`. The workload: a manager (built straight into the database with
`tests.scenarios.build`) opens /plan (untimed), types "30 2 3 5 1 150000", waits for the card,
presses "✅ Подтвердить" and waits for "План сохранён"; the echo bot gets the same two updates
(a text, then a callback on the echoed message). Latency = the moment the reply request reached
the fake - the moment the update was queued. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import math
import multiprocessing
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any, Literal
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from sqlalchemy import func, select, text, update
from sqlalchemy.engine import make_url

from bench.databases import recreate_postgres
from models import DayEntry, EntryValue, Member, Team
from models.db import create_engine, create_session_pool, migrate
from tests.fake_telegram import JSON, TOKEN, FakeTelegram, FakeUser, RecordedRequest
from tests.scenarios import MANAGER_IDS, build

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/sales_pulse_bench_updates"
REDIS_URL = "redis://127.0.0.1:6379/0"
REDIS_PREFIX = "sales_pulse_bench_updates"
SECRET = "bench-updates_secret"
PUBLIC_WEBHOOK = "https://bot.example.com/telegram"

PLAN = "30 2 3 5 1 150000"
CONFIRM = "✅ Подтвердить"
SAVED = ("План сохранён", "Ничего не изменилось", "Изменение сохранено")
ECHO_WARM_UP = "привет"
PROBE_CHAT = 42  # not a member: /start from it only shows the bot is up
TEAM_SIZE = 10
ECHO_ROUNDS = 5
PARAMS_TIMEOUT = 30.0  # seconds a manager waits for a reply before counting it unanswered
RSS_MANAGERS = 10_000
RSS_TARGET_MB = 150.0
RATIO_TARGET = 0.5
P99_TARGET_MS = 50.0

BotKind = Literal["real", "echo"]
Mode = Literal["polling", "webhook"]
Database = Literal["sqlite", "postgresql", "none"]
Step = Literal["warm", "text", "press"]

PROJECT_PACKAGES = ("bot", "handlers", "models", "domain", "scheduler")
# What `python -m bot` imports, step by step, for the memory breakdown.
IMPORT_STEPS = (
    "pydantic",
    "aiohttp",
    "aiogram",
    "sqlalchemy.ext.asyncio",
    "aiosqlite",
    "asyncpg",
    "redis.asyncio",
    "fluent.runtime",
    "holidays",
    "openpyxl",
    "matplotlib.figure",
    "bot.__main__",
)


# --- the fake's side: the load generator in the fake's own process -------------------------


@dataclass(eq=False)
class Waiter:
    """A manager waiting for the bot's reply: the first request of `methods` to the chat."""

    methods: frozenset[str]
    future: asyncio.Future[RecordedRequest]
    queued_at: float | None = None


@dataclass
class Phase:
    """What one phase saw. Times are the fake's time.monotonic() seconds."""

    planned: int = 0
    issued: int = 0
    answered: int = 0
    latencies: list[float] = field(default_factory=list)
    first: float = math.inf
    last: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    idle_slots: int = 0
    fake_cpu: float = 0.0

    def as_json(self) -> JSON:
        return {
            "planned": self.planned,
            "issued": self.issued,
            "answered": self.answered,
            "latencies": self.latencies,
            "wall": max(self.last - self.first, 0.0) if self.answered else 0.0,
            "outcomes": dict(self.outcomes),
            "idle_slots": self.idle_slots,
            "fake_cpu": self.fake_cpu,
        }


class BenchFake(FakeTelegram):
    """The fake Bot API with the load generator inside: `/_bench/*` endpoints run a phase of the
    workload in the fake's loop and answer with what it measured."""

    def __init__(self) -> None:
        super().__init__(strict=True)  # no rate limits
        self.waiting: dict[int, Waiter] = {}
        self._posts_mark = 0
        self._errors_mark = 0
        self._callbacks_mark = 0
        self._scanned = 0  # for /_bench/prompts: requests already looked at
        self._prompted: Counter[int] = Counter()
        self.app.router.add_post("/_bench/reset", self._bench_reset)
        self.app.router.add_post("/_bench/wait", self._bench_wait)
        self.app.router.add_post("/_bench/phase", self._bench_phase)
        self.app.router.add_post("/_bench/prompts", self._bench_prompts)
        self.app.router.add_post("/_bench/audit", self._bench_audit)

    # Every update queued for a waiting manager starts its clock; every reply stops it.

    def push_update(self, update: JSON) -> JSON:
        update = super().push_update(update)
        payload = update.get("message") or update.get("callback_query") or {}
        waiter = self.waiting.get(int(payload.get("from", {}).get("id", 0)))
        if waiter is not None and waiter.queued_at is None:
            waiter.queued_at = self.update_queued_at[int(update["update_id"])]
        return update

    async def _perform(self, record: RecordedRequest, request: web.Request | None) -> JSON:
        body = await super()._perform(record, request)
        chat = record.chat_id
        waiter = self.waiting.get(chat) if isinstance(chat, int) else None
        if waiter is not None and record.method in waiter.methods and not waiter.future.done():
            waiter.future.set_result(record)
        return body

    # --- the workload --------------------------------------------------------------------

    def _user(self, chat: int) -> FakeUser:
        user = self.users.get(chat)
        # The name `build` gave the member: the bot has no profile to refresh.
        return user if user is not None else self.user(chat, first_name=f"Manager {chat}")

    async def _step(
        self,
        phase: Phase,
        bot: BotKind,
        step: Step,
        chat: int,
        message_id: int | None,
        timeout: float,
        warm_text: str,
    ) -> int | None:
        """One update and its reply; the id of the message replied with (None: no right reply)."""
        user = self._user(chat)
        action: Callable[[], Awaitable[object]]
        if step == "warm":
            action, methods = (lambda: user.send(warm_text)), {"sendMessage"}
        elif step == "text":
            action, methods = (lambda: user.send(PLAN)), {"sendMessage"}
        elif bot == "real":
            action, methods = (lambda: user.press(CONFIRM, message_id)), {"sendMessage"}
        else:
            action, methods = (lambda: user.click("ok", message_id)), {"editMessageText"}
        waiter = Waiter(frozenset(methods), asyncio.get_running_loop().create_future())
        self.waiting[chat] = waiter
        phase.issued += 1
        try:
            await action()
            async with asyncio.timeout(timeout):
                reply = await waiter.future
        except TimeoutError:
            phase.outcomes[f"no reply within {timeout:g} s ({step})"] += 1
            return None
        except LookupError as error:  # no such button: the previous reply was not the card
            phase.outcomes[f"could not {step}: {str(error)[:60]}"] += 1
            return None
        finally:
            self.waiting.pop(chat, None)
        outcome = _outcome(bot, step, reply)
        phase.outcomes[outcome] += 1
        if outcome.startswith("unexpected"):
            return None
        assert waiter.queued_at is not None
        phase.answered += 1
        phase.latencies.append(reply.received_at - waiter.queued_at)
        phase.first = min(phase.first, waiter.queued_at)
        phase.last = max(phase.last, reply.received_at)
        result = reply.result
        return int(result["message_id"]) if isinstance(result, dict) else 0

    async def warm(
        self, bot: BotKind, chats: Sequence[int], concurrency: int, timeout: float, text: str
    ) -> Phase:
        """Each chat sends `text` once and waits for an answer (untimed)."""
        phase = Phase(planned=len(chats))
        gate = asyncio.Semaphore(concurrency)

        async def one(chat: int) -> None:
            async with gate:
                await self._step(phase, bot, "warm", chat, None, timeout, text)

        await asyncio.gather(*(one(chat) for chat in chats))
        return phase

    async def closed(
        self, bot: BotKind, chats: Sequence[int], concurrency: int, timeout: float
    ) -> Phase:
        """Closed loop: every manager types the numbers and confirms, `concurrency` at a time."""
        phase = Phase(planned=2 * len(chats))
        gate = asyncio.Semaphore(concurrency)

        async def manager(chat: int) -> None:
            async with gate:
                card = await self._step(phase, bot, "text", chat, None, timeout, "")
                if card is not None:
                    await self._step(phase, bot, "press", chat, card, timeout, "")

        cpu = time.process_time()
        await asyncio.gather(*(manager(chat) for chat in chats))
        phase.fake_cpu = time.process_time() - cpu
        return phase

    async def open(
        self, bot: BotKind, chats: Sequence[int], rate: float, timeout: float, seed: int
    ) -> Phase:
        """Open loop: updates arrive `rate` a second (Poisson), each from a manager whose
        previous reply has come: the numbers first, the press once the card is there."""
        phase = Phase(planned=2 * len(chats))
        loop = asyncio.get_running_loop()
        rng = random.Random(seed)
        ready: deque[Callable[[], Coroutine[Any, Any, None]]] = deque()
        running: set[asyncio.Task[None]] = set()

        def typing(chat: int) -> Callable[[], Coroutine[Any, Any, None]]:
            async def go() -> None:
                card = await self._step(phase, bot, "text", chat, None, timeout, "")
                if card is not None:
                    ready.appendleft(pressing(chat, card))

            return go

        def pressing(chat: int, card: int) -> Callable[[], Coroutine[Any, Any, None]]:
            async def go() -> None:
                await self._step(phase, bot, "press", chat, card, timeout, "")

            return go

        ready.extend(typing(chat) for chat in chats)
        cpu = time.process_time()
        due = loop.time()
        deadline = due + 3 * phase.planned / rate + timeout
        sent = 0
        while sent < phase.planned and loop.time() < deadline:
            due += rng.expovariate(rate)
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if not ready:
                if not running:
                    break  # a manager got no card: nothing more can come
                phase.idle_slots += 1
                continue
            sent += 1
            task = loop.create_task(ready.popleft()())
            running.add(task)
            task.add_done_callback(running.discard)
        if running:
            await asyncio.wait(set(running), timeout=timeout + 1)
        phase.fake_cpu = time.process_time() - cpu
        return phase

    # --- control endpoints ---------------------------------------------------------------

    async def _bench_reset(self, request: web.Request) -> web.Response:
        """Between cases: no webhook, no pending updates; posts go to `targets` if given."""
        body = await request.json()
        self.webhook_url, self.webhook_secret = "", None
        self._allowed_updates = []
        self._updates.clear()
        targets = body.get("targets")
        self.webhook_targets = [str(t) for t in targets] if targets else None
        self._posts_mark, self._errors_mark = len(self.webhook_posts), len(self.errors)
        self._callbacks_mark = len(self.unanswered_callbacks())
        return web.json_response({"mark": self.mark()})

    async def _bench_wait(self, request: web.Request) -> web.Response:
        """Until `count` successful `method` requests came after `after`, or `timeout`."""
        body = await request.json()
        method, count, after = str(body["method"]), int(body["count"]), int(body["after"])
        deadline = time.monotonic() + float(body["timeout"])
        while time.monotonic() < deadline:
            if len(self.find(method, after=after)) >= count:
                return web.json_response({"ok": True})
            await asyncio.sleep(0.05)
        return web.json_response({"ok": False})

    async def _bench_phase(self, request: web.Request) -> web.Response:
        body = await request.json()
        bot: BotKind = "echo" if body["bot"] == "echo" else "real"
        chats = [int(chat) for chat in body["chats"]]
        timeout = float(body["timeout"])
        concurrency = int(body.get("concurrency", 100))
        kind = body["phase"]
        if kind == "warm":
            phase = await self.warm(bot, chats, concurrency, timeout, str(body["text"]))
        elif kind == "closed":
            phase = await self.closed(bot, chats, concurrency, timeout)
        else:
            phase = await self.open(
                bot, chats, float(body["rate"]), timeout, int(body.get("seed", 1))
            )
        return web.json_response(phase.as_json())

    async def _bench_prompts(self, request: web.Request) -> web.Response:
        """Until each of `count` manager chats got a message after `after`, or `timeout`."""
        body = await request.json()
        after, count = int(body["after"]), int(body["count"])
        chats = range(MANAGER_IDS, MANAGER_IDS + count)
        self._prompted.clear()
        self._scanned = 0
        deadline = time.monotonic() + float(body["timeout"])
        first = last = 0.0
        while True:
            for record in self.requests[self._scanned :]:
                if record.seq > after and record.method == "sendMessage" and record.ok:
                    chat = record.chat_id
                    if isinstance(chat, int) and chat in chats:
                        self._prompted[chat] += 1
                        first = first or record.received_at
                        last = record.received_at
            self._scanned = len(self.requests)
            if len(self._prompted) >= count or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        return web.json_response(
            {
                "prompted": len(self._prompted),
                "duplicated": sum(1 for n in self._prompted.values() if n > 1),
                "window": last - first,
            }
        )

    async def _bench_audit(self, request: web.Request) -> web.Response:
        """What went wrong since `after`: refused requests, updates left queued, callbacks
        left unanswered, failed webhook posts, errors inside the fake; requests by method."""
        after = int((await request.json())["after"])
        since = [r for r in self.requests if r.seq > after]
        refused = Counter(
            f"{r.method} {r.status} {(r.response or {}).get('description', '')}"[:120]
            for r in since
            if not r.ok
        )
        posts = self.webhook_posts[self._posts_mark :]
        return web.json_response(
            {
                "refused": dict(refused),
                "pending_updates": len(self._updates),
                "unanswered_callbacks": len(self.unanswered_callbacks()) - self._callbacks_mark,
                "failed_posts": sum(1 for p in posts if not p.ok),
                "posts_by_target": dict(Counter(p.url for p in posts if p.ok)),
                "fake_errors": [repr(e)[:200] for e in self.errors[self._errors_mark :]],
                "methods": dict(Counter(r.method for r in since)),
            }
        )


def _outcome(bot: BotKind, step: Step, reply: RecordedRequest) -> str:
    """What a reply was: the expected one, or "unexpected: ..." with its text."""
    said = reply.text or ""
    if step == "warm":
        return "warm-up answered"
    if bot == "echo":
        expected = said == PLAN if step == "text" else said == f"✅ {PLAN}"
        return ("echoed" if step == "text" else "edited") if expected else f"unexpected: {said!r}"
    if step == "text":
        card = CONFIRM in str(reply.params.get("reply_markup"))
        return "card" if card else f"unexpected: {said!r}"
    saved = next((marker for marker in SAVED if marker in said), None)
    return f"confirmed: {saved}" if saved else f"unexpected: {said[:60]!r}"


def _serve_fake(pipe: Connection) -> None:
    """The fake's own process: serve until told to stop (or the bench is gone).

    Its garbage collector is off, as in bench.send_prompts: the fake keeps every request, and
    the collector's pauses over that growing heap would land in the latencies."""
    gc.disable()

    async def serve() -> None:
        async with BenchFake() as tg:
            pipe.send(tg.base_url)
            await asyncio.get_running_loop().run_in_executor(None, pipe.recv)

    with contextlib.suppress(EOFError, KeyboardInterrupt):
        asyncio.run(serve())


# --- the bench's side ----------------------------------------------------------------------


class BotCrashed(RuntimeError):
    pass


@dataclass
class Process:
    name: str
    process: asyncio.subprocess.Process
    log: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid


STARTED: list[Process] = []  # every process started, killed at the end whatever happens


class Fake:
    """The fake in its own process, and the client the bench drives it with."""

    def __init__(self) -> None:
        self.base_url = ""
        self._child: multiprocessing.process.BaseProcess | None = None
        self._pipe: Connection | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fake:
        context = multiprocessing.get_context("spawn")
        self._pipe, theirs = context.Pipe()
        self._child = context.Process(target=_serve_fake, args=(theirs,), daemon=True)
        self._child.start()
        pipe = self._pipe
        loop = asyncio.get_running_loop()
        async with asyncio.timeout(60):
            while not await loop.run_in_executor(None, pipe.poll, 0.5):
                if not self._child.is_alive():
                    raise RuntimeError("the fake Bot API did not start")
        self.base_url = pipe.recv()
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._http is not None:
            await self._http.close()
        if self._pipe is not None:
            with contextlib.suppress(OSError):
                self._pipe.send("stop")
        if self._child is not None:
            child = self._child
            await asyncio.get_running_loop().run_in_executor(None, child.join, 10)
            if child.is_alive():
                child.kill()
                child.join(5)

    @property
    def pid(self) -> int:
        assert self._child is not None and self._child.pid is not None
        return self._child.pid

    async def call(
        self, path: str, body: JSON, timeout: float, watch: Sequence[Process] = ()
    ) -> JSON:
        """POST to a `/_bench/` endpoint; fails as soon as a watched bot process exits."""
        assert self._http is not None
        http = self._http

        async def post() -> JSON:
            async with http.post(f"{self.base_url}/_bench/{path}", json=body) as response:
                response.raise_for_status()
                answer: JSON = await response.json()
                return answer

        request = asyncio.ensure_future(post())
        exits = [asyncio.ensure_future(p.process.wait()) for p in watch]
        try:
            done, _ = await asyncio.wait(
                [request, *exits], timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if request in done:
                return request.result()
            crashed = [p for p, e in zip(watch, exits, strict=True) if e in done]
            if crashed:
                raise BotCrashed(f"{crashed[0].name} exited:\n{_tail(crashed[0].log)}")
            raise TimeoutError(f"/_bench/{path} did not answer within {timeout:g} s")
        finally:
            for future in (request, *exits):
                future.cancel()
            await asyncio.gather(request, *exits, return_exceptions=True)


@dataclass
class Case:
    key: str
    title: str
    bot: BotKind
    mode: Mode
    database: Database
    replicas: int = 1
    concurrency: int | None = None  # managers in flight in the closed loop, not --concurrency
    open_loop: bool = True
    managers: int | None = None  # at most this many, whatever --managers says


# A burst: 100 managers type and confirm at once (only the closed loop).
BURST: dict[str, Any] = {"concurrency": 100, "open_loop": False, "managers": 100}
CASES = {
    case.key: case
    for case in (
        Case("a", "bot, SQLite, polling", "real", "polling", "sqlite"),
        Case("b", "bot, SQLite, webhook", "real", "webhook", "sqlite"),
        Case("c1", "bot, PostgreSQL + Redis, webhook", "real", "webhook", "postgresql"),
        Case("c", "bot ×2, PostgreSQL + Redis, webhook", "real", "webhook", "postgresql", 2),
        Case("d", "echo bot, polling", "echo", "polling", "none"),
        Case("e", "echo bot, webhook", "echo", "webhook", "none"),
        Case("a100", "bot, SQLite, polling, 100 at once", "real", "polling", "sqlite", **BURST),
        Case("b100", "bot, SQLite, webhook, 100 at once", "real", "webhook", "sqlite", **BURST),
    )
}


@dataclass
class Params:
    managers: int
    concurrency: int
    rounds: int
    open_rate: float
    open_seconds: float
    timeout: float = PARAMS_TIMEOUT
    profile_dir: Path | None = None  # py-spy records the bot's closed loop here


@dataclass
class CaseResult:
    case: Case
    closed_planned: int = 0
    closed_answered: int = 0
    closed_wall: float = 0.0
    closed_latencies: list[float] = field(default_factory=list)
    bot_cpu: float = 0.0
    fake_cpu: float = 0.0
    phase_seconds: float = 0.0  # the closed loops, as the bench saw them
    machine_cpu: float = 0.0  # CPU seconds the whole machine used meanwhile
    open_planned: int = 0
    open_answered: int = 0
    open_wall: float = 0.0
    open_latencies: list[float] = field(default_factory=list)
    idle_slots: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    managers: int = 0
    stored_once: int | None = None
    rss_kb: list[int] = field(default_factory=list)
    hwm_kb: list[int] = field(default_factory=list)
    posts_by_target: dict[str, int] = field(default_factory=dict)
    requests_per_update: float = 0.0
    updates_sent: int = 0  # every update the case sent, warm-ups included
    problems: list[str] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.closed_answered / self.closed_wall if self.closed_wall else 0.0

    @property
    def open_rate(self) -> float:
        return self.open_answered / self.open_wall if self.open_wall else 0.0

    @property
    def answered_share(self) -> float:
        planned = self.open_planned + self.closed_planned
        return (self.open_answered + self.closed_answered) / planned if planned else 0.0

    @property
    def ok(self) -> bool:
        stored = self.case.bot == "echo" or self.stored_once == self.managers
        return stored and self.answered_share == 1.0 and not self.problems


def _percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def noon_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now: a run never straddles a team's midnight."""
    offset = max(-12, min(14, 12 - now.hour))
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


# --- processes -----------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _memory_kb(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM of a process, in KiB."""
    found = {"VmRSS": 0, "VmHWM": 0}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in found:
                found[key] = int(line.split()[1])
    return found["VmRSS"], found["VmHWM"]


def _machine_ticks() -> int:
    """CPU ticks the whole machine has been busy so far (all but idle and iowait)."""
    numbers = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(numbers) - numbers[3] - numbers[4]


async def start_process(
    name: str, module: str, env: dict[str, str], workdir: Path, port: int | None = None
) -> Process:
    log = workdir / f"{name}.log"
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(workdir)),
        "PYTHONPATH": str(ROOT),
        "MPLCONFIGDIR": str(workdir / "matplotlib"),
        **env,
    }
    handle: IO[bytes]
    with log.open("wb") as handle:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, cwd=workdir, env=full_env,
            stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
    started = Process(name, process, log, port)
    STARTED.append(started)
    return started


async def stop_process(process: Process, timeout: float = 20.0) -> None:
    if process.process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.process.wait(), timeout=timeout)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.process.kill()
            await asyncio.wait_for(process.process.wait(), timeout=5)


def kill_everything() -> None:
    for process in STARTED:
        if process.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.process.kill()


# --- databases -----------------------------------------------------------------------------


async def clear_redis(prefix: str) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        async with asyncio.timeout(10):
            keys = [key async for key in redis.scan_iter(f"{prefix}*")]
            if keys:
                await redis.delete(*keys)
    finally:
        await redis.aclose()


async def prepare_database(url: str, managers: int, *, due_now: bool = False) -> list[int]:
    """Migrated, with managers in teams of ten, built straight into the database. The teams
    live where it is about noon now; with `due_now`, their morning prompt comes due only
    when `make_morning_due` says so (their schedule is otherwise a quiet one)."""
    if url.startswith("postgresql"):
        await recreate_postgres(url)
    engine = create_engine(url)
    try:
        await migrate(engine)
        pool = create_session_pool(engine)
        now = datetime.now(UTC)
        teams = math.ceil(managers / TEAM_SIZE)
        chats = await build(pool, teams, managers, now - timedelta(days=1))
        zone = noon_zone(now)
        local = now.astimezone(ZoneInfo(zone))
        values: dict[str, Any] = {"timezone": zone}
        if due_now:
            values.update(
                workdays="1234567",
                holiday_country=None,
                morning_at=(local + timedelta(hours=2)).time().replace(second=0, microsecond=0),
                evening_at=(local + timedelta(hours=3)).time().replace(second=0, microsecond=0),
            )
        async with pool() as session:
            await session.execute(update(Team).values(**values))
            await session.commit()
    finally:
        await engine.dispose()
    return chats


async def make_morning_due(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            zone = (await connection.execute(select(Team.timezone).limit(1))).scalar_one()
            local = datetime.now(UTC).astimezone(ZoneInfo(zone))
            due = (local - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
            await connection.execute(update(Team).values(morning_at=due))
    finally:
        await engine.dispose()


async def plans_stored_once(url: str) -> int:
    """Managers with exactly one plan row for the day, holding the six numbers once each."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(
                    Member.telegram_id,
                    func.count(func.distinct(DayEntry.id)),
                    func.count(EntryValue.id),
                )
                .select_from(Member)
                .outerjoin(DayEntry, (DayEntry.member_id == Member.id) & (DayEntry.kind == "plan"))
                .outerjoin(EntryValue, EntryValue.entry_id == DayEntry.id)
                .where(Member.is_manager)
                .group_by(Member.telegram_id)
            )
            numbers = len(PLAN.split())
            return sum(1 for _, entries, values in rows if entries == 1 and values == numbers)
    finally:
        await engine.dispose()


# --- one case ------------------------------------------------------------------------------


def _bot_env(fake: Fake, database_url: str | None, mode: Mode, port: int | None) -> dict[str, str]:
    env = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.base_url,
        "RUN_SCHEDULER": "false",
        "SEND_RATE": "10000",
        "LOG_LEVEL": "WARNING",
    }
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if mode == "webhook":
        assert port is not None
        env.update(
            WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
            WEBHOOK_SECRET=SECRET,
            HTTP_PORT=str(port),
        )
    return env


async def run_case(fake: Fake, case: Case, params: Params, workdir: Path, seed: int) -> CaseResult:
    managers = min(params.managers, case.managers or params.managers)
    result = CaseResult(case, managers=managers)
    chats = [MANAGER_IDS + i for i in range(managers)]
    url: str | None = None
    if case.database == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / f'{case.key}.sqlite3'}"
    elif case.database == "postgresql":
        url = POSTGRES_URL
        await clear_redis(REDIS_PREFIX)
    processes: list[Process] = []
    try:
        if url is not None:
            chats = await prepare_database(url, managers)
        ports = [free_port() for _ in range(case.replicas)] if case.mode == "webhook" else [None]
        targets = (
            [f"http://127.0.0.1:{port}/telegram" for port in ports] if case.replicas > 1 else None
        )
        mark = int((await fake.call("reset", {"targets": targets}, 10))["mark"])
        for index, port in enumerate(ports):
            env = _bot_env(fake, url, case.mode, port)
            if case.database == "postgresql":
                env.update(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=REDIS_PREFIX)
            if targets:
                env["WEBHOOK_URL"] = PUBLIC_WEBHOOK  # behind the fake's load balancer
            module = "bot" if case.bot == "real" else "bench.echo_bot"
            processes.append(await start_process(f"{case.key}-{index}", module, env, workdir, port))
        await _measure(fake, case, params, chats, processes, mark, seed, result)
    finally:
        for process in processes:
            await stop_process(process)
    for process in processes:
        log = process.log.read_text(errors="replace")
        exhausted = log.count("sqlalchemy.exc.TimeoutError: QueuePool limit")
        locked = log.count("sqlite3.OperationalError) database is locked")
        if exhausted or locked:
            result.problems.append(
                f"{process.name}: {exhausted} updates failed with the connection pool exhausted "
                f"(QueuePool limit of size 20 overflow 20 reached, timeout 30 s), {locked} with "
                f"'database is locked' (SQLite's busy_timeout, 5 s)"
            )
        elif "Traceback" in log or " ERROR " in log:
            result.problems.append(f"{process.name} logged errors:\n{_tail(process.log, 15)}")
    if url is not None:
        result.stored_once = await plans_stored_once(url)
        if case.database == "postgresql":
            await recreate_postgres(url, drop_only=True)
            await clear_redis(REDIS_PREFIX)
    return result


PhaseCall = Callable[..., Awaitable[JSON]]


async def _measure(
    fake: Fake,
    case: Case,
    params: Params,
    chats: list[int],
    processes: list[Process],
    mark: int,
    seed: int,
    result: CaseResult,
) -> None:
    async def phase(kind: str, chats: Sequence[int], **extra: Any) -> JSON:
        concurrency = (kind == "closed" and case.concurrency) or params.concurrency
        body = {"phase": kind, "bot": case.bot, "chats": list(chats), "timeout": params.timeout,
                "concurrency": concurrency, **extra}  # fmt: skip
        pace = 1 / float(extra["rate"]) if "rate" in extra else 0.1
        budget = float(body["timeout"]) * 3 + len(chats) * 2 * pace + 30
        answer = await fake.call("phase", body, budget, processes)
        for outcome, count in answer["outcomes"].items():
            result.outcomes[f"{kind}: {outcome}"] += count
        result.updates_sent += int(answer["issued"])
        return answer

    warm_text = "/plan" if case.bot == "real" else ECHO_WARM_UP
    if case.mode == "webhook":
        ready = await fake.call(
            "wait",
            {"method": "setWebhook", "count": case.replicas, "after": mark, "timeout": 90},
            100,
            processes,
        )
        if not ready["ok"]:
            raise BotCrashed(f"{case.key}: no setWebhook within 90 s")
    # The first update also waits for a polling bot to start; then every manager once.
    await phase("warm", chats[:1], text=warm_text, timeout=90)
    await phase("warm", chats[1:], text=warm_text)
    spies = await _start_py_spy(params.profile_dir, case, processes)
    try:
        await _closed_rounds(phase, case, params, chats, processes, warm_text, result)
    finally:
        await _stop_py_spy(spies)
    if case.open_loop:
        await _open_segments(phase, case, params, chats, seed, warm_text, result)
    for process in processes:
        rss, hwm = _memory_kb(process.pid)
        result.rss_kb.append(rss)
        result.hwm_kb.append(hwm)
    audit = await fake.call("audit", {"after": mark}, 60)
    methods: dict[str, int] = audit["methods"]
    sent = sum(n for m, n in methods.items() if m not in ("getUpdates", "setWebhook"))
    result.requests_per_update = sent / max(result.updates_sent, 1)
    result.posts_by_target = audit["posts_by_target"]
    if audit["refused"]:
        result.problems.append(f"refused by the fake: {audit['refused']}")
    for key in ("pending_updates", "unanswered_callbacks", "failed_posts"):
        if audit[key]:
            result.problems.append(f"{key}: {audit[key]}")
    if audit["fake_errors"]:
        result.problems.append(f"errors inside the fake: {audit['fake_errors']}")


async def _closed_rounds(
    phase: PhaseCall,
    case: Case,
    params: Params,
    chats: list[int],
    processes: list[Process],
    warm_text: str,
    result: CaseResult,
) -> None:
    pids = [process.pid for process in processes]
    # The echo bot is about thirty times faster: more rounds, for as long a closed loop.
    for round_ in range(params.rounds * (ECHO_ROUNDS if case.bot == "echo" else 1)):
        if round_ and case.bot == "real":
            await phase("warm", chats, text=warm_text)
        cpu, busy, started = sum(_cpu_seconds(p) for p in pids), _machine_ticks(), time.monotonic()
        answer = await phase("closed", chats)
        result.phase_seconds += time.monotonic() - started
        result.bot_cpu += sum(_cpu_seconds(pid) for pid in pids) - cpu
        result.machine_cpu += (_machine_ticks() - busy) / os.sysconf("SC_CLK_TCK")
        result.fake_cpu += float(answer["fake_cpu"])
        result.closed_planned += int(answer["planned"])
        result.closed_answered += int(answer["answered"])
        result.closed_wall += float(answer["wall"])
        result.closed_latencies += [float(x) for x in answer["latencies"]]


async def _open_segments(
    phase: PhaseCall,
    case: Case,
    params: Params,
    chats: list[int],
    seed: int,
    warm_text: str,
    result: CaseResult,
) -> None:
    """The open loop, in segments of at most one text and one press per manager."""
    wanted = max(2, round(params.open_rate * params.open_seconds))
    per_segment = min(len(chats), math.ceil(wanted / 2))
    for segment in range(math.ceil(wanted / (2 * per_segment))):
        group = chats[:per_segment]
        if case.bot == "real":
            await phase("warm", group, text=warm_text)
        answer = await phase("open", group, rate=params.open_rate, seed=seed * 100 + segment)
        result.open_planned += int(answer["planned"])
        result.open_answered += int(answer["answered"])
        result.open_wall += float(answer["wall"])
        result.open_latencies += [float(x) for x in answer["latencies"]]
        result.idle_slots += int(answer["idle_slots"])


async def _start_py_spy(
    directory: Path | None, case: Case, processes: list[Process]
) -> list[asyncio.subprocess.Process]:
    """py-spy recording each bot process (raw collapsed stacks, only samples holding the GIL),
    when asked for. It pauses the process for each sample (100 a second): the figures of a
    profiled run are a little lower."""
    if directory is None or case.bot != "real":
        return []
    os.makedirs(directory, exist_ok=True)
    spy = Path(sys.executable).with_name("py-spy")
    spies = []
    for process in processes:
        out = directory / f"{process.name}.txt"
        spies.append(
            await asyncio.create_subprocess_exec(
                *(str(spy), "record", "--pid", str(process.pid), "--output", str(out)),
                *("--format", "raw", "--function", "--gil", "--rate", "100"),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        )
    await asyncio.sleep(1)  # py-spy attaches
    return spies


async def _stop_py_spy(spies: list[asyncio.subprocess.Process]) -> None:
    for spy in spies:
        if spy.returncode is None:
            spy.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(spy.wait(), timeout=30)
        except TimeoutError:
            spy.kill()
            await spy.wait()


# --- memory --------------------------------------------------------------------------------


@dataclass
class Memory:
    managers: int
    prompted: int = 0
    duplicated: int = 0
    window: float = 0.0
    idle_rss_kb: int = 0
    rss_kb: int = 0
    hwm_kb: int = 0
    imports: list[tuple[str, float]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.hwm_kb / 1024 < RSS_TARGET_MB and self.prompted == self.managers


async def run_memory(fake: Fake, workdir: Path, managers: int) -> Memory:
    """The bot (polling, SQLite) with `managers` members: once started with nothing due (RSS
    idle), then started with the morning prompt due for every team, after the fan-out to all
    of them (VmRSS, VmHWM); then what its imports alone take."""
    memory = Memory(managers)
    url = f"sqlite+aiosqlite:///{workdir / 'memory.sqlite3'}"
    await prepare_database(url, managers, due_now=True)  # the morning not yet due
    env = _bot_env(fake, url, "polling", None)
    probe = {"phase": "warm", "bot": "real", "chats": [PROBE_CHAT], "text": "/start",
             "timeout": 90, "concurrency": 1}  # fmt: skip
    await fake.call("reset", {"targets": None}, 10)
    env.update(RUN_SCHEDULER="true", SCHEDULER_TICK_SECONDS="1", SEND_RATE="1000")
    idle = await start_process("memory-idle", "bot", env, workdir)
    try:
        answer = await fake.call("phase", probe, 100, [idle])
        if answer["answered"] != 1:
            raise BotCrashed(f"the bot did not answer /start: {answer['outcomes']}")
        await asyncio.sleep(2)  # a tick or two with nothing due
        memory.idle_rss_kb = _memory_kb(idle.pid)[0]
    finally:
        await stop_process(idle)
    await make_morning_due(url)
    mark = int((await fake.call("reset", {"targets": None}, 10))["mark"])
    process = await start_process("memory", "bot", env, workdir)
    try:
        prompts = {"after": mark, "count": managers, "timeout": 180}
        seen = await fake.call("prompts", prompts, 190, [process])
        memory.prompted, memory.duplicated = int(seen["prompted"]), int(seen["duplicated"])
        memory.window = float(seen["window"])
        await asyncio.sleep(2)  # the delivery log's last writes
        memory.rss_kb, memory.hwm_kb = _memory_kb(process.pid)
    finally:
        await stop_process(process)
    for started in (idle, process):
        if "Traceback" in started.log.read_text(errors="replace"):
            memory.problems.append(f"{started.name} logged errors:\n{_tail(started.log, 15)}")
    memory.imports = await import_costs(workdir)
    return memory


async def import_costs(workdir: Path) -> list[tuple[str, float]]:
    """RSS (MB) of a fresh interpreter after importing each of IMPORT_STEPS in turn."""
    script = (
        "import importlib, sys\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS'):\n"
        "            return int(line.split()[1]) / 1024\n"
        "print('python', rss())\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "    print(name, rss())\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, *IMPORT_STEPS, cwd=workdir,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
             "MPLCONFIGDIR": str(workdir / "matplotlib")},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    steps = [line.rsplit(" ", 1) for line in out.decode().splitlines() if " " in line]
    return [(name, float(mb)) for name, mb in steps]


# --- the machine ---------------------------------------------------------------------------


def _proc_facts() -> tuple[str, int]:
    """The CPU model and the RAM (KiB)."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return cpu, mem_kb


async def machine() -> list[str]:
    cpu, mem_kb = _proc_facts()
    import aiogram
    import sqlalchemy
    from redis.asyncio import Redis

    engine = create_engine(make_url(POSTGRES_URL).set(database="postgres").render_as_string(False))
    try:
        async with asyncio.timeout(10), engine.connect() as connection:
            postgres = str((await connection.execute(text("SHOW server_version"))).scalar_one())
    except Exception as exc:
        postgres = f"unreachable ({type(exc).__name__})"
    finally:
        await engine.dispose()
    redis = Redis.from_url(REDIS_URL)
    try:
        async with asyncio.timeout(10):
            redis_version = str((await redis.info("server"))["redis_version"])
    except Exception as exc:
        redis_version = f"unreachable ({type(exc).__name__})"
    finally:
        await redis.aclose()
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = " (work tree with uncommitted changes)" if _git("status", "--porcelain") else ""
    load = os.getloadavg()
    return [
        f"machine   {os.cpu_count()} cores ({cpu}), {mem_kb / 1024 / 1024:.0f} GB RAM, "
        f"load average {load[0]:.2f} at the start",
        f"software  Python {platform.python_version()}, aiogram {aiogram.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}, PostgreSQL {postgres}, Redis {redis_version}",
        f"commit    {commit}{dirty}",
    ]


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return done.stdout.strip()


# --- the report ----------------------------------------------------------------------------


def _median_and_others(values: Sequence[float], fmt: str) -> str:
    if not values:
        return "-"
    middle = statistics.median_low(values)
    others = list(values)
    others.remove(middle)
    shown = format(middle, fmt)
    if others:
        shown += " (" + ", ".join(format(v, fmt) for v in others) + ")"
    return shown


def report(
    runs: list[dict[str, CaseResult]], memory: list[Memory], params: Params
) -> tuple[list[str], bool]:
    keys = [key for key in CASES if key in runs[0]]
    echo_of = {"polling": "d", "webhook": "e"}
    lines = [
        f"{params.managers} managers in teams of {TEAM_SIZE}; closed loop: {params.rounds} "
        f"round(s) of numbers + Confirm (the echo bot {ECHO_ROUNDS}x as many), "
        f"{params.concurrency} managers at a time; open loop: "
        f"{params.open_rate:g} updates/s (Poisson), {params.open_seconds:g} s. "
        + (f"Median of {len(runs)} runs, the others in brackets." if len(runs) > 1 else ""),
        "",
        "| case | updates/s | / echo | CPU ms/update (bot, fake) | cores busy: bot, fake, rest "
        "| closed p50 / p99 ms | at 50/s: p50 / p99 ms | answered | stored once | RSS MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ok = True
    for key in keys:
        results = [run[key] for run in runs if key in run]
        case = results[0].case
        echo = echo_of[case.mode] if case.bot == "real" else None
        ratios = [
            run[key].throughput / run[echo].throughput
            for run in runs
            if key in run and echo in run and run[echo].throughput
        ]
        done = sum(r.closed_answered for r in results)
        bot_ms = 1000 * sum(r.bot_cpu for r in results) / max(done, 1)
        fake_ms = 1000 * sum(r.fake_cpu for r in results) / max(done, 1)
        seconds = sum(r.phase_seconds for r in results) or 1.0
        bot_cores = sum(r.bot_cpu for r in results) / seconds
        fake_cores = sum(r.fake_cpu for r in results) / seconds
        rest = sum(r.machine_cpu for r in results) / seconds - bot_cores - fake_cores
        closed = [x for r in results for x in r.closed_latencies]
        opened = [x for r in results for x in r.open_latencies]
        stored = (
            "-"
            if case.bot == "echo"
            else "/".join(f"{r.stored_once}" for r in results) + f" of {results[0].managers}"
        )
        rss = max(max(r.hwm_kb, default=0) for r in results) / 1024
        lines.append(
            f"| {key}: {case.title} | {_median_and_others([r.throughput for r in results], '.0f')}"
            f" | {_median_and_others(ratios, '.2f')} | {bot_ms:.1f}, {fake_ms:.1f}"
            f" | {bot_cores:.2f}, {fake_cores:.2f}, {rest:.2f}"
            f" | {1000 * _percentile(closed, 0.5):.0f} / {1000 * _percentile(closed, 0.99):.0f}"
            f" | {1000 * _percentile(opened, 0.5):.1f} / {1000 * _percentile(opened, 0.99):.1f}"
            f" | {sum(r.closed_answered + r.open_answered for r in results)}"
            f"/{sum(r.closed_planned + r.open_planned for r in results)}"
            f" | {stored} | {rss:.0f} |"
        )
        ok = ok and all(r.ok for r in results)
    lines.append("")
    for key in keys:
        for index, r in enumerate(run[key] for run in runs if key in run):
            extra = ""
            if r.posts_by_target:
                extra = ", posts per replica " + "/".join(
                    str(n) for n in sorted(r.posts_by_target.values())
                )
            lines.append(
                f"{key} run {index + 1}: {r.throughput:.0f}/s; open loop {r.open_rate:.1f}/s "
                f"achieved ({r.idle_slots} idle slots); {r.requests_per_update:.2f} Bot API "
                f"requests an update{extra}; "
                + ", ".join(f"{k} {v}" for k, v in sorted(r.outcomes.items()))
            )
            for problem in r.problems:
                lines.append(f"  PROBLEM: {problem}")
    lines += ["", "Targets:"]
    lines += _targets(runs, keys)
    for m in memory:
        lines += ["", *_memory_lines(m)]
        ok = ok and m.prompted == m.managers and m.duplicated == 0 and not m.problems
    return lines, ok


def _targets(runs: list[dict[str, CaseResult]], keys: list[str]) -> list[str]:
    def median(key: str, value: Callable[[CaseResult], float]) -> float | None:
        if key not in keys:
            return None
        return statistics.median(value(run[key]) for run in runs if key in run)

    lines: list[str] = []
    for key, echo in (("a", "d"), ("b", "e")):
        mine, theirs = median(key, lambda r: r.throughput), median(echo, lambda r: r.throughput)
        if mine is not None and theirs:
            ratio = mine / theirs
            verdict = "met" if ratio >= RATIO_TARGET else "MISSED"
            lines.append(
                f"- one process >= {RATIO_TARGET} of the echo bot ({key} vs {echo}): "
                f"{ratio:.2f}, {verdict}"
            )
    for key in ("a", "b"):
        if key in keys:
            p99 = 1000 * _percentile([x for run in runs for x in run[key].open_latencies], 0.99)
            verdict = "met" if p99 < P99_TARGET_MS else "MISSED"
            lines.append(
                f"- p99 < {P99_TARGET_MS:g} ms at 50 updates/s on SQLite ({key}): "
                f"{p99:.1f} ms, {verdict}"
            )
    two = median("c", lambda r: r.throughput)
    for one_key in ("c1", "b"):
        one = median(one_key, lambda r: r.throughput)
        if two is not None and one:
            verdict = "met" if two > one else "MISSED"
            lines.append(
                f"- two replicas faster than one (c vs {one_key}): {two:.0f} vs {one:.0f}/s, "
                f"{two / one:.2f}x, {verdict}"
            )
    for key in ("a100", "b100"):
        burst = next((run[key] for run in runs if key in run), None)
        if burst is not None:
            answered = burst.closed_answered
            verdict = "all answered" if answered == burst.closed_planned else "NOT all answered"
            lines.append(
                f"- (no target) {burst.case.title}: {answered} of {burst.closed_planned} "
                f"updates answered within {PARAMS_TIMEOUT:g} s, {verdict}"
            )
    return lines


def _memory_lines(m: Memory) -> list[str]:
    lines = [
        f"Memory: the bot (polling, SQLite, scheduler on) with {m.managers} managers in "
        f"{math.ceil(m.managers / TEAM_SIZE)} teams: {m.prompted} prompted "
        f"({m.duplicated} twice) in {m.window:.1f} s; RSS {m.idle_rss_kb / 1024:.0f} MB idle "
        f"before the morning, after the fan-out VmRSS {m.rss_kb / 1024:.0f} MB, VmHWM "
        f"{m.hwm_kb / 1024:.0f} MB: target < {RSS_TARGET_MB:g} MB "
        + ("met" if m.hwm_kb / 1024 < RSS_TARGET_MB else "MISSED"),
        "Imports alone (a fresh interpreter, RSS after each import in turn, MB):",
    ]
    previous = 0.0
    for name, mb in m.imports:
        lines.append(f"  {name:24} {mb:6.0f}  (+{mb - previous:.0f})")
        previous = mb
    for problem in m.problems:
        lines.append(f"  PROBLEM: {problem}")
    return lines


def hotspots(path: Path, top: int = 12) -> list[str]:
    """What py-spy saw holding the GIL (raw collapsed stacks, `--gil`): the event loop's side,
    by the project's functions (bot/, handlers/, models/, domain/, scheduler/) and time inside
    them; SQLAlchemy's synchronous side, which runs in greenlets whose stacks start at the
    ORM call (`Session.execute`, `Session.get`, `Session.commit`, ...); and the functions with
    the most time of their own. Shares are of the samples holding the GIL."""
    own: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    roots: Counter[str] = Counter()
    sides: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = stack.split(";")
        own[frames[-1]] += samples
        if "_connection_worker_thread" in stack:
            sides["aiosqlite's threads"] += samples
        elif "_run_once" in stack:
            sides["the event loop"] += samples
            for frame in set(frames):
                if any(f"({package}/" in frame for package in PROJECT_PACKAGES):
                    inside[frame] += samples
        else:
            sides["SQLAlchemy's synchronous side (greenlets)"] += samples
            roots[frames[0]] += samples
    if not total:
        return [f"{path.name}: no samples"]

    def shares(counter: Counter[str], count: int) -> list[str]:
        return [f"  {100 * n / total:5.1f} %  {frame}" for frame, n in counter.most_common(count)]

    lines = [f"{path.name}: {total} samples holding the GIL"]
    lines += shares(sides, 3)
    lines.append(" the event loop's side, the project's functions (callees included):")
    lines += shares(inside, 2 * top)
    lines.append(" SQLAlchemy's synchronous side, by ORM call:")
    lines += shares(roots, 6)
    lines.append(" own time:")
    lines += shares(own, top)
    return lines


# --- main ----------------------------------------------------------------------------------


async def bench(
    keys: list[str], params: Params, repeat: int, memory_managers: int | None
) -> tuple[list[str], bool]:
    lines = await machine()
    print("\n".join(lines), flush=True)
    runs: list[dict[str, CaseResult]] = []
    memory: list[Memory] = []
    with tempfile.TemporaryDirectory(prefix="sales-pulse-bench-updates-") as tmp:
        workdir = Path(tmp)
        try:
            async with Fake() as fake:
                for index in range(repeat):
                    run: dict[str, CaseResult] = {}
                    for key in keys:
                        if index and CASES[key].concurrency:
                            continue  # a burst shows what it shows once
                        started = time.monotonic()
                        try:
                            result = await run_case(fake, CASES[key], params, workdir, index + 1)
                        except (BotCrashed, TimeoutError, aiohttp.ClientError) as exc:
                            result = CaseResult(CASES[key], problems=[f"aborted: {exc!r}"])
                        finally:
                            kill_everything()
                        run[key] = result
                        print(
                            f"run {index + 1} {key}: {result.throughput:.0f} updates/s, "
                            f"p99 at {params.open_rate:g}/s "
                            f"{1000 * _percentile(result.open_latencies, 0.99):.1f} ms "
                            f"({time.monotonic() - started:.0f} s)",
                            flush=True,
                        )
                    runs.append(run)
                if memory_managers:
                    started = time.monotonic()
                    try:
                        memory.append(await run_memory(fake, workdir, memory_managers))
                    except (BotCrashed, TimeoutError, aiohttp.ClientError) as exc:
                        memory.append(Memory(memory_managers, problems=[f"aborted: {exc!r}"]))
                    finally:
                        kill_everything()
                    print(f"memory run ({time.monotonic() - started:.0f} s)", flush=True)
        finally:
            kill_everything()
            if any(CASES[key].database == "postgresql" for key in keys):
                with contextlib.suppress(Exception):
                    await recreate_postgres(POSTGRES_URL, drop_only=True)
                with contextlib.suppress(Exception):
                    await clear_redis(REDIS_PREFIX)
    table, ok = report(runs, memory, params)
    return ["", *table], ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer updates: about 2 minutes")
    parser.add_argument("--repeat", type=int, default=1, help="run every case N times, in turn")
    parser.add_argument("--cases", default=None, help=f"comma-separated, of {','.join(CASES)}")
    parser.add_argument("--managers", type=int, default=None)
    parser.add_argument(
        "--concurrency", type=int, default=32, help="managers in flight (a100, b100: 100)"
    )
    parser.add_argument("--rounds", type=int, default=None, help="closed-loop rounds")
    parser.add_argument("--open-rate", type=float, default=50.0, help="updates a second")
    parser.add_argument("--open-seconds", type=float, default=None)
    parser.add_argument("--no-rss", action="store_true", help="skip the 10,000-member run")
    parser.add_argument("--rss-managers", type=int, default=RSS_MANAGERS, help=argparse.SUPPRESS)
    parser.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        metavar="DIR",
        help="record the bot processes' closed loops with py-spy (pip install py-spy) into DIR",
    )
    args = parser.parse_args(argv)
    default_cases = "a,b,c,d,e" if args.quick else ",".join(CASES)
    keys = [key.strip() for key in (args.cases or default_cases).split(",") if key.strip()]
    unknown = [key for key in keys if key not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}; choose from {list(CASES)}")
    params = Params(
        managers=args.managers or (60 if args.quick else 300),
        concurrency=args.concurrency,
        rounds=args.rounds or 1,
        open_rate=args.open_rate,
        open_seconds=args.open_seconds or (3.0 if args.quick else 20.0),
        profile_dir=args.py_spy,
    )
    try:
        lines, ok = asyncio.run(
            bench(keys, params, max(1, args.repeat), None if args.no_rss else args.rss_managers)
        )
    finally:
        kill_everything()
    if args.py_spy is not None:
        for path in sorted(args.py_spy.glob("*.txt")):
            lines += ["", *hotspots(path)]
    print("\n".join(lines), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
