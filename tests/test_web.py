"""The bot's HTTP side in-process: the webhook's secret check and answer, /healthz, /metrics."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.web import Health, WebhookHandler, build_app
from models import ProcessedUpdate
from models.db import SessionPool, create_engine
from tests.bot_client import Harness

SECRET = "s3cret-token_1"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def start_update(update_id: int, user_id: int = 501, text: str = "/start") -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(datetime(2026, 11, 23, 6, 0, tzinfo=UTC).timestamp()),
            "chat": {"id": user_id, "type": "private", "first_name": "Анна"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Анна", "language_code": "ru"},
            "text": text,
        },
    }


async def client_for(app: Any) -> TestClient:  # type: ignore[type-arg]
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def webhook(
    harness: Harness, engine: AsyncEngine
) -> AsyncIterator[tuple[Any, WebhookHandler]]:
    handler = WebhookHandler(harness.dp, harness.bot, SECRET, answer_within=1.0)
    client = await client_for(build_app(Health(engine), handler, "/telegram"))
    yield client, handler
    await handler.finish()
    await client.close()


async def processed(session_pool: SessionPool) -> int:
    async with session_pool() as session:
        return int(await session.scalar(select(func.count()).select_from(ProcessedUpdate)) or 0)


@pytest.mark.parametrize("header", [None, "", "wrong", SECRET + "x"])
async def test_a_post_without_the_right_secret_gets_401_and_is_not_handled(
    webhook: tuple[Any, WebhookHandler], harness: Harness, session_pool: SessionPool,
    header: str | None,
):  # fmt: skip
    client, _ = webhook
    headers = {} if header is None else {HEADER: header}
    response = await client.post("/telegram", json=start_update(9001), headers=headers)
    assert response.status == 401
    assert harness.bot.requests == []
    assert await processed(session_pool) == 0


async def test_an_update_is_answered_after_it_is_handled_and_once_only(
    webhook: tuple[Any, WebhookHandler], harness: Harness, session_pool: SessionPool
):
    client, _ = webhook
    response = await client.post("/telegram", json=start_update(9002), headers={HEADER: SECRET})
    assert response.status == 200
    sent = [r for r in harness.bot.requests if type(r).__name__ == "SendMessage"]
    assert sent, "the /start reply went out before Telegram got its answer"
    assert "Sales Pulse" in sent[0].text  # type: ignore[attr-defined]
    assert await processed(session_pool) == 1

    # Telegram re-sends an update it thinks was lost: it is not handled again.
    again = await client.post("/telegram", json=start_update(9002), headers={HEADER: SECRET})
    assert again.status == 200
    assert len([r for r in harness.bot.requests if type(r).__name__ == "SendMessage"]) == len(sent)


async def test_slow_handling_does_not_hold_telegrams_answer(
    harness: Harness, engine: AsyncEngine, session_pool: SessionPool
):
    handler = WebhookHandler(harness.dp, harness.bot, SECRET, answer_within=0.0)
    client = await client_for(build_app(Health(engine), handler, "/hook"))
    try:
        response = await client.post("/hook", json=start_update(9003), headers={HEADER: SECRET})
        assert response.status == 200
        assert harness.bot.requests == [], "answered before the handling finished"
        await handler.finish()
        assert harness.bot.requests, "and the handling still finished"
        assert await processed(session_pool) == 1
    finally:
        await client.close()


async def test_a_malformed_post_is_refused_without_a_crash(webhook: tuple[Any, WebhookHandler]):
    client, _ = webhook
    response = await client.post("/telegram", data=b"{not json", headers={HEADER: SECRET})
    assert response.status == 400
    response = await client.post("/telegram", json={"update_id": "x"}, headers={HEADER: SECRET})
    assert response.status == 400


async def test_healthz_reports_database_redis_and_scheduler(engine: AsyncEngine):
    client = await client_for(build_app(Health(engine)))
    try:
        response = await client.get("/healthz")
        body = await response.json()
        assert response.status == 200
        assert body == {
            "status": "ok",
            "database": "ok",
            "redis": "not configured",
            "scheduler": "off",
            "last_tick": None,
        }
    finally:
        await client.close()


async def test_healthz_is_503_when_the_database_is_unreachable():
    dead = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    client = await client_for(build_app(Health(dead)))
    try:
        response = await client.get("/healthz")
        body = await response.json()
        assert response.status == 503
        assert body["status"] == "unhealthy"
        assert body["database"].startswith("unreachable")
    finally:
        await client.close()
        await dead.dispose()


async def test_healthz_checks_redis(engine: AsyncEngine, redis_ready: tuple[str, str]):
    url, _ = redis_ready
    live, dead = Redis.from_url(url), Redis.from_url("redis://127.0.0.1:1/0")
    ok = await client_for(build_app(Health(engine, live)))
    broken = await client_for(build_app(Health(engine, dead)))
    try:
        response = await ok.get("/healthz")
        assert response.status == 200
        assert (await response.json())["redis"] == "ok"
        response = await broken.get("/healthz")
        assert response.status == 503
        assert (await response.json())["redis"].startswith("unreachable")
    finally:
        await ok.close()
        await broken.close()
        await live.aclose()
        await dead.aclose()


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} ([0-9.e+]+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


async def test_metrics_count_updates_and_time_their_handling(
    webhook: tuple[Any, WebhookHandler],
):
    client, _ = webhook
    before = await (await client.get("/metrics")).text()
    await client.post("/telegram", json=start_update(9004, 502), headers={HEADER: SECRET})
    await client.post("/telegram", json=start_update(9005, 503), headers={HEADER: SECRET})
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    after = await response.text()
    name = 'sales_pulse_updates_total{type="message"}'
    assert metric(after, name) - metric(before, name) == 2
    count = 'sales_pulse_handler_seconds_count{type="message"}'
    assert metric(after, count) - metric(before, count) == 2
    for family in (
        "sales_pulse_messages_sent_total",
        "sales_pulse_telegram_429_total",
        "sales_pulse_telegram_403_total",
        "sales_pulse_scheduler_lag_seconds",
        "sales_pulse_deliveries_total",
    ):
        assert f"# TYPE {family.removesuffix('_total')}" in after
