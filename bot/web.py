"""The bot's HTTP server: Telegram's webhook, `/healthz` and `/metrics`.

The webhook answers Telegram as soon as the update is handled, so a confirmed update is a
stored one (a crash before the answer makes Telegram send it again, and `processed_updates`
keeps it from being handled twice). Handling that takes longer than `ANSWER_WITHIN` (a chart,
an export) goes on in the background and Telegram gets its answer at once: it never waits on
slow work, and never re-sends an update because of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

ANSWER_WITHIN = 1.0
CHECK_TIMEOUT = 2.0


class WebhookHandler(SimpleRequestHandler):
    """aiogram's handler with Telegram's secret check (401 without it), answering once the
    update is handled or after `answer_within` seconds, whichever comes first."""

    def __init__(
        self, dispatcher: Dispatcher, bot: Bot, secret_token: str, answer_within: float
    ) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret_token)
        self.answer_within = answer_within
        self.running: set[asyncio.Task[Any]] = set()

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            raw = await request.json(loads=bot.session.json_loads)
            update = Update.model_validate(raw, context={"bot": bot})
        except ValueError:
            return web.Response(status=400, text="not an update")
        task = asyncio.create_task(self._feed(bot, update))
        self.running.add(task)
        task.add_done_callback(self.running.discard)
        # Shielded: Telegram hanging up early must not cancel the handling.
        await asyncio.wait([task], timeout=self.answer_within)
        return web.json_response({})

    async def _feed(self, bot: Bot, update: Update) -> None:
        try:
            result = await self.dispatcher.feed_update(bot, update, **self.data)
            if isinstance(result, TelegramMethod):
                await self.dispatcher.silent_call_request(bot=bot, result=result)
        except Exception:
            log.exception("update %s failed", update.update_id)

    async def close(self) -> None:
        """The bot's session outlives the server: handling may still be finishing (`finish`)."""

    async def finish(self, timeout: float = 10.0) -> None:
        """Let handling that outlived its answer finish before the process exits."""
        if self.running:
            await asyncio.wait(list(self.running), timeout=timeout)


@dataclass
class Health:
    """What `/healthz` reports. `scheduler` is the `scheduler.runner.Runner`, when this process
    runs one (typed loosely so the bot package does not import the scheduler)."""

    engine: AsyncEngine
    redis: Redis | None = None
    scheduler: Any = None

    async def report(self) -> tuple[bool, dict[str, Any]]:
        body: dict[str, Any] = {}
        healthy = True
        try:
            async with asyncio.timeout(CHECK_TIMEOUT), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            body["database"] = "ok"
        except Exception as exc:
            healthy = False
            body["database"] = f"unreachable: {type(exc).__name__}"
        if self.redis is None:
            body["redis"] = "not configured"
        else:
            try:
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await self.redis.ping()
                body["redis"] = "ok"
            except Exception as exc:
                healthy = False
                body["redis"] = f"unreachable: {type(exc).__name__}"
        if self.scheduler is None:
            body["scheduler"], body["last_tick"] = "off", None
        else:
            body["scheduler"] = self.scheduler.role
            last = self.scheduler.last_tick_at
            body["last_tick"] = (
                None if last is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(last))
            )
        body = {"status": "ok" if healthy else "unhealthy", **body}
        return healthy, body


def build_app(
    health: Health,
    webhook: WebhookHandler | None = None,
    webhook_path: str = "/telegram",
) -> web.Application:
    app = web.Application()

    async def healthz(request: web.Request) -> web.Response:
        healthy, body = await health.report()
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if webhook is not None:
        webhook.register(app, path=webhook_path)
    return app


async def start_server(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    return int(runner.addresses[0][1])
