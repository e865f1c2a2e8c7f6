"""One middleware per update: a database session, who is writing, and their language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User

from bot.clock import Clock
from bot.i18n import texts
from models import Member, queries
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
