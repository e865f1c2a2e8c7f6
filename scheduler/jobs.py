"""Scheduled jobs as plain functions: the scheduler, the command line and tests call them alike.

Delivery semantics: before a prompt is sent, a `deliveries` row with a unique key
(kind, member, local date) is claimed and committed; only the process that inserted it sends.
After the send it is marked `sent` (or `failed`). A second run finds the key taken and sends
nothing, so a prompt reaches a person at most once per day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.clock import Clock
from bot.day_form import load_day, open_form
from bot.i18n import texts
from bot.timekeeping import team_today
from domain.calendar import is_workday
from domain.daily import EntryKind
from models import Delivery, Member, Team, queries
from models import entries as store
from models.db import SessionPool

log = logging.getLogger(__name__)


class Prompt(StrEnum):
    MORNING = "morning"
    EVENING = "evening"


ENTRY_OF = {Prompt.MORNING: EntryKind.PLAN, Prompt.EVENING: EntryKind.FACT}


@dataclass
class JobReport:
    sent: int = 0
    already: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1

    def summary(self) -> str:
        skipped = ", ".join(f"{why}: {count}" for why, count in sorted(self.skipped.items()))
        return f"sent {self.sent}, already sent {self.already}" + (
            f"; skipped {skipped}" if skipped else ""
        )


def delivery_key(kind: str, member_id: int, day: date) -> str:
    return f"{kind}:member:{member_id}:{day.isoformat()}"


async def send_prompts(
    prompt: Prompt,
    *,
    bot: Bot,
    session_pool: SessionPool,
    storage: BaseStorage,
    clock: Clock,
    team_id: int | None = None,
    day: date | None = None,
) -> JobReport:
    """Send `prompt` to every active manager not on leave who has not had it for the day."""
    report = JobReport()
    async with session_pool() as session:
        query = select(Team).order_by(Team.id)
        if team_id is not None:
            query = query.where(Team.id == team_id)
        teams = list((await session.execute(query)).scalars())
    for team in teams:
        team_day = day or team_today(clock, team)
        if not is_workday(team_day, team.workdays, team.holiday_country):
            report.skip("not a workday")
            continue
        await _prompt_team(prompt, team, team_day, bot, session_pool, storage, clock, report)
    return report


async def _prompt_team(
    prompt: Prompt,
    team: Team,
    day: date,
    bot: Bot,
    session_pool: SessionPool,
    storage: BaseStorage,
    clock: Clock,
    report: JobReport,
) -> None:
    async with session_pool() as session:
        result = await session.execute(
            select(Member)
            .options(joinedload(Member.team))
            .where(Member.team_id == team.id, Member.is_manager.is_(True), Member.active.is_(True))
            .order_by(Member.id)
        )
        managers = list(result.scalars())
    for member in managers:
        if member.telegram_id is None or member.bot_blocked_at is not None:
            report.skip("bot blocked")
            continue
        async with session_pool() as session:
            if await store.is_absent_on(session, member.id, day):
                report.skip("on leave")
                continue
            if await store.get_entry(session, member.id, day, ENTRY_OF[prompt]) is not None:
                report.skip("already answered")
                continue
            delivery = Delivery(
                key=delivery_key(prompt.value, member.id, day),
                team_id=team.id,
                member_id=member.id,
                kind=prompt.value,
                day=day,
                status="claimed",
                claimed_at=clock.now(),
            )
            session.add(delivery)
            try:
                await session.commit()
            except IntegrityError:
                await session.rollback()
                report.already += 1
                continue
            await _deliver_prompt(prompt, member, day, delivery, bot, session, storage, clock)
            await session.commit()
            if delivery.status == "sent":
                report.sent += 1
            else:
                report.skip(delivery.status)


async def _deliver_prompt(
    prompt: Prompt,
    member: Member,
    day: date,
    delivery: Delivery,
    bot: Bot,
    session: AsyncSession,
    storage: BaseStorage,
    clock: Clock,
) -> None:
    assert member.telegram_id is not None
    chat_id = member.telegram_id
    state = FSMContext(storage, StorageKey(bot_id=bot.id, chat_id=chat_id, user_id=chat_id))
    user_language = await queries.language_of(session, chat_id)
    t = texts(user_language or member.team.locale)
    member_day = await load_day(session, member, clock, day)
    try:
        await open_form(bot, chat_id, state, session, member_day, ENTRY_OF[prompt], t)
    except TelegramForbiddenError as exc:
        delivery.status, delivery.error = "failed", exc.message[:255]
        merged = await session.merge(member)
        merged.bot_blocked_at = clock.now()
        return
    delivery.status, delivery.sent_at = "sent", clock.now()
