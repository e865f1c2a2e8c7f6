"""Router-level role checks: a router for leaders declares it once instead of repeating ifs."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import TelegramObject

from domain.roles import Role
from models import Member


class HasRole(Filter):
    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: TelegramObject, member: Member | None = None) -> bool:
        return member is not None and bool(member.roles & self.roles)


class IsMember(Filter):
    async def __call__(self, event: TelegramObject, member: Member | None = None) -> bool:
        return member is not None
