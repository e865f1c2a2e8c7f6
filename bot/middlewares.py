"""One middleware per update: a database session, who is writing, and their language."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import Chat, TelegramObject, Update, User
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock
from bot.i18n import texts
from models import Member, ProcessedUpdate, queries
from models.db import SessionPool

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class ContextMiddleware(BaseMiddleware):
    """Opens one session per update and puts `session`, `member`, `user` and `t` in reach.

    Only private chats are served: team data never lands in a group.
    """

    def __init__(self, session_pool: SessionPool, clock: Clock, default_language: str) -> None:
        self._pool = session_pool
        self._clock = clock
        self._default_language = default_language

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from_user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if from_user is None or from_user.is_bot or (chat is not None and chat.type != "private"):
            return None
        async with self._pool() as session:
            user = await queries.get_user(session, from_user.id, self._clock.now())
            member = await queries.active_membership(session, from_user.id)
            if member is not None:
                _refresh_profile(member, from_user)
                # Writing to the bot means it is unblocked: prompts reach them again.
                member.bot_blocked_at = None
            # Ends the context transaction (and its write, if any) before the handler runs, so
            # nothing holds a lock while the handler talks to Telegram.
            await session.commit()
            language = user.language or (member.team.locale if member else None)
            data.update(
                session=session,
                user=user,
                member=member,
                t=texts(language or self._default_language),
            )
            return await handler(event, data)


def _refresh_profile(member: Member, from_user: User) -> None:
    """Keep the name the team sees in step with Telegram, so digests show who people are now."""
    name = from_user.full_name[:128]
    if name and member.full_name != name:
        member.full_name = name
    if member.username != from_user.username:
        member.username = from_user.username


class InFlightLimit(BaseMiddleware):
    """At most `limit` updates handled at once in this process; the others wait their turn in
    memory, in order. An update holds a database connection while its handler talks to
    Telegram, so a flood (a hundred managers pressing at once, the backlog after a restart)
    took every connection of the pool, and the updates beyond it failed after the pool's
    30 s timeout ("something went wrong") instead of waiting a moment."""

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._slots:
            return await handler(event, data)


class HandleOnceMiddleware(BaseMiddleware):
    """Skips an update already handled: after a restart Telegram re-sends the updates the
    stopped bot had not confirmed, and a typed number must not fill two questions.

    An update is recorded only after its handler finished, so one interrupted half-way is
    handled again rather than lost.
    """

    KEEP = timedelta(days=2)

    def __init__(self, session_pool: SessionPool, clock: Clock) -> None:
        self._pool = session_pool
        self._clock = clock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        bot: Bot = data["bot"]
        if not isinstance(event, Update):
            return await handler(event, data)
        key = (event.update_id, bot.id)
        async with self._pool() as session:
            if await session.get(ProcessedUpdate, key) is not None:
                return None
        result = await handler(event, data)
        async with self._pool() as session:
            now = self._clock.now()
            session.add(ProcessedUpdate(update_id=event.update_id, bot_id=bot.id, processed_at=now))
            if event.update_id % 500 == 0:
                await session.execute(
                    delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < now - self.KEEP)
                )
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
        return result
