"""/digest and /forecast on demand: the same reports the schedule sends, for today; /reasons:
the shortfall reasons of the last weeks, which grow, by person."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.filters import HasRole
from bot.i18n import Texts
from bot.reports import (
    DIGEST_HISTORY,
    FORECAST_HISTORY,
    REASONS_HISTORY,
    Report,
    build_digest,
    build_forecast,
    build_reasons,
)
from bot.timekeeping import team_today
from domain.roles import LEADERS
from models import Member
from models.history import load_history
from models.targets import routine_between


async def _send(message: Message, report: Report, name: str) -> None:
    for part in report.parts:
        await message.answer(part)
    if report.chart is not None:
        await message.answer_photo(BufferedInputFile(report.chart, filename=f"{name}.png"))


async def digest_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, clock: Clock
) -> None:
    today = team_today(clock, member.team)
    history = await load_history(session, member.team, today - DIGEST_HISTORY, today)
    # Built in a worker thread: a large team's chart takes about a second.
    await _send(message, await asyncio.to_thread(build_digest, t, history, today), "digest")


async def forecast_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, clock: Clock
) -> None:
    today = team_today(clock, member.team)
    history = await load_history(session, member.team, today - FORECAST_HISTORY, today)
    routine = await routine_between(session, member.team_id, today - timedelta(days=14), today)
    report = await asyncio.to_thread(build_forecast, t, history, today, routine, clock.now())
    await _send(message, report, "forecast")


async def reasons_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, clock: Clock
) -> None:
    today = team_today(clock, member.team)
    history = await load_history(session, member.team, today - REASONS_HISTORY, today)
    for part in build_reasons(t, history, today):
        await message.answer(part)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(*LEADERS))
    router.message.register(digest_command, Command("digest"))
    router.message.register(forecast_command, Command("forecast"))
    router.message.register(reasons_command, Command("reasons"))
    return router
