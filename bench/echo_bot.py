"""A bare aiogram echo bot: what aiogram and the fake Bot API reach on this machine alone.

    BOT_TOKEN=4242:TEST TELEGRAM_API_URL=http://127.0.0.1:8081 .venv/bin/python -m bench.echo_bot
    ... WEBHOOK_URL=http://127.0.0.1:8090/telegram WEBHOOK_SECRET=s3cret HTTP_PORT=8090 ...

Answers every text message with the same text, and every callback query with
answerCallbackQuery and an edit of its message's text. Long polling, or webhook mode when
WEBHOOK_URL is set (aiogram's SimpleRequestHandler with the secret, answering Telegram once the
update is handled, as the bot's own webhook does). No database, no Throttle, no middlewares:
`bench.updates` compares the bot with it.
"""

from __future__ import annotations

import asyncio
import os
import signal
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

router = Router()


@router.message(F.text)
async def echo(message: Message) -> None:
    await message.answer(message.text or "")


@router.callback_query()
async def pressed(query: CallbackQuery) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(f"✅ {query.message.text}")


async def main() -> None:
    api = TelegramAPIServer.from_base(
        os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org")
    )
    bot = Bot(os.environ["BOT_TOKEN"], session=AiohttpSession(api=api))
    dp = Dispatcher()
    dp.include_router(router)
    url = os.environ.get("WEBHOOK_URL")
    if not url:
        await dp.start_polling(bot)
        return
    secret = os.environ["WEBHOOK_SECRET"]
    app = web.Application()
    handler = SimpleRequestHandler(dp, bot, handle_in_background=False, secret_token=secret)
    handler.register(app, path=urlsplit(url).path or "/telegram")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ.get("HTTP_PORT", "8080"))).start()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    try:
        await bot.set_webhook(url, secret_token=secret)
        await stop.wait()
    finally:
        await runner.cleanup()
        await bot.session.close()


if __name__ == "__main__":
    asyncio.run(main())
