"""Two bot processes in webhook mode behind one load balancer, on the real PostgreSQL and Redis:
answers from many managers at once are stored once each, prompts go out once, a post without
the secret is refused, and when the leading scheduler dies the other takes over."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from models import Base, DayEntry, EntryValue, Member, Metric, Team
from models.db import create_engine, create_session_pool
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.scenarios import build

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.e2e

SECRET = "replica-secret_42"
TICK = 2
MANAGERS = 24
PLAN = "30 2 3 5 1 150000"
PLAN_VALUES = {"calls": 30, "meetings": 2, "proposals": 3, "leads": 5, "deals": 1,
               "revenue": 150000}  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def noon_zone(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now, so the test never straddles midnight."""
    offset = max(-12, min(14, 12 - now.hour))
    return "UTC" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


class Replica:
    def __init__(self, name: str, port: int, process: asyncio.subprocess.Process) -> None:
        self.name, self.port, self.process = name, port, process

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def health(self) -> tuple[int, dict[str, object]]:
        url = f"http://127.0.0.1:{self.port}/healthz"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            return response.status, await response.json()


async def start_replica(
    name: str, tg: FakeTelegram, database_url: str, redis: tuple[str, str], public_url: str
) -> Replica:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": "4242:REPLICA-TOKEN",
        "TELEGRAM_API_URL": tg.base_url,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis[0],
        "REDIS_KEY_PREFIX": redis[1],
        "WEBHOOK_URL": public_url,
        "WEBHOOK_SECRET": SECRET,
        "HTTP_PORT": str(port),
        "SCHEDULER_TICK_SECONDS": str(TICK),
        "SEND_RATE": "300",
        "LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=ROOT / "tests", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    replica = Replica(name, port, process)
    for _ in range(300):
        if process.returncode is not None:
            assert process.stderr is not None
            raise AssertionError((await process.stderr.read()).decode(errors="replace"))
        try:
            status, _ = await replica.health()
            if status == 200:
                return replica
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"replica {name} did not become healthy")


async def stop(replica: Replica) -> str:
    process = replica.process
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=20)
        except TimeoutError:
            process.kill()
            await process.wait()
    assert process.stderr is not None
    return (await process.stderr.read()).decode(errors="replace")


@pytest.fixture
async def database(postgres_ready: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_ready)
    tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


async def team_due_now(engine: AsyncEngine) -> list[int]:
    """One team whose morning prompt came due a minute ago; returns the managers' chats."""
    now = datetime.now(UTC)
    zone = noon_zone(now)
    local = now.astimezone(ZoneInfo(zone))
    pool = create_session_pool(engine)
    chats = await build(pool, 1, MANAGERS, now - timedelta(days=1))
    async with pool() as session:
        await session.execute(
            update(Team).values(
                timezone=zone,
                workdays="1234567",
                holiday_country=None,
                morning_at=(local - timedelta(minutes=1)).time().replace(second=0, microsecond=0),
                evening_at=(local + timedelta(hours=3)).time().replace(second=0, microsecond=0),
            )
        )
        await session.commit()
    return chats


async def prompts(tg: FakeTelegram, chats: list[int], marker: str, timeout: float) -> None:
    """Wait until every chat got a message containing `marker`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        got = {
            int(r.chat_id or 0)
            for r in tg.calls("sendMessage")
            if r.ok and marker in (r.text or "")
        }
        if set(chats) <= got:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{len(set(chats) - got)} chats got no {marker!r}")
        await asyncio.sleep(0.1)


def count_per_chat(tg: FakeTelegram, marker: str) -> Counter[int]:
    return Counter(
        int(r.chat_id or 0) for r in tg.calls("sendMessage") if r.ok and marker in (r.text or "")
    )


async def answer_plan(tg: FakeTelegram, user: FakeUser) -> None:
    mark = tg.mark()
    await user.send(PLAN)
    await tg.wait_for(
        ("sendMessage", "editMessageText"), chat_id=user.id, after=mark, timeout=30,
        predicate=lambda r: "Подтвердить" in str(r.params.get("reply_markup", "")),
    )  # fmt: skip
    mark = tg.mark()
    await user.press("✅ Подтвердить")
    await tg.wait_for(
        ("sendMessage", "editMessageText"), chat_id=user.id, after=mark, timeout=30,
        predicate=lambda r: "План сохранён" in (r.text or ""),
    )  # fmt: skip


async def test_two_webhook_replicas_share_the_work_and_hand_over_the_schedule(
    database: AsyncEngine, postgres_ready: str, redis_ready: tuple[str, str]
):
    chats = await team_due_now(database)
    async with FakeTelegram() as tg:
        tg.webhook_balance = "random"
        tg.webhook_random.seed(7)
        public = "https://bot.example.com/telegram"
        first = await start_replica("a", tg, postgres_ready, redis_ready, public)
        second = await start_replica("b", tg, postgres_ready, redis_ready, public)
        replicas = [first, second]
        tg.webhook_targets = [first.webhook, second.webhook]
        try:
            assert tg.webhook_url == public, "each replica registers the public webhook"
            await prompts(tg, chats, "План на", timeout=60)

            roles = {r.name: str((await r.health())[1]["scheduler"]) for r in replicas}
            assert sorted(roles.values()) == ["follower", "leader"], roles

            # A post without the secret, or with a wrong one, is refused by either replica.
            probe = {"update_id": 1, "message": {"message_id": 1, "date": 0,
                     "chat": {"id": chats[0], "type": "private"},
                     "from": {"id": chats[0], "is_bot": False, "first_name": "X"},
                     "text": "/start"}}  # fmt: skip
            for replica in replicas:
                assert await tg.post_raw(replica.webhook, probe, secret=None) == 401
                assert await tg.post_raw(replica.webhook, probe, secret="wrong") == 401

            # Every manager answers at once; the posts spread over both replicas.
            users = [tg.user(chat, first_name=f"Manager {chat}") for chat in chats]
            await asyncio.gather(*(answer_plan(tg, user) for user in users))
            served = Counter(post.url for post in tg.webhook_posts if post.ok)
            assert all(served[r.webhook] >= MANAGERS // 4 for r in replicas), served

            pool = create_session_pool(database)
            async with pool() as session:
                rows = (
                    await session.execute(
                        select(Member.telegram_id, DayEntry.kind, Metric.key, EntryValue.value)
                        .join(DayEntry, DayEntry.member_id == Member.id)
                        .join(EntryValue, EntryValue.entry_id == DayEntry.id)
                        .join(Metric, Metric.id == EntryValue.metric_id)
                    )
                ).all()
            stored: dict[int, dict[str, Decimal]] = {}
            for chat, kind, key, value in rows:
                assert kind == "plan"
                assert chat is not None
                assert key not in stored.setdefault(chat, {}), "a value stored twice"
                stored[chat][key] = value
            assert sorted(stored) == sorted(chats), "every answer stored"
            for chat in chats:
                assert stored[chat] == {k: Decimal(v) for k, v in PLAN_VALUES.items()}, chat

            # The leading scheduler dies; the other takes over and the evening prompt, due
            # now, goes out once, while the morning's is not sent again.
            leader = next(r for r in replicas if roles[r.name] == "leader")
            follower = next(r for r in replicas if r is not leader)
            leader.process.send_signal(signal.SIGKILL)
            await leader.process.wait()
            killed_at = asyncio.get_running_loop().time()
            async with pool() as session:
                local = datetime.now(UTC).astimezone(ZoneInfo(noon_zone(datetime.now(UTC))))
                await session.execute(
                    update(Team).values(
                        evening_at=(local - timedelta(minutes=1))
                        .time()
                        .replace(second=0, microsecond=0)
                    )
                )
                await session.commit()
            await prompts(tg, chats, "Итоги дня", timeout=60)
            took = asyncio.get_running_loop().time() - killed_at
            assert took < 60, f"took over after {took:.0f} s"
            assert (await follower.health())[1]["scheduler"] == "leader"

            morning = count_per_chat(tg, "☀️")
            evening = count_per_chat(tg, "🌙")
            assert all(morning[chat] == 1 for chat in chats), morning
            assert all(evening[chat] == 1 for chat in chats), evening
        finally:
            logs = [await stop(replica) for replica in replicas]
        for log in logs:
            assert "Traceback" not in log, log
