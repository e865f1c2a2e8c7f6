"""Scheduled jobs as plain functions: the schedule engine, the command line and tests call
them alike. Each send goes through `deliver_once`, so running a job twice sends nothing new."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from bot.callbacks import DayButton, FormAction
from bot.day_form import load_day, open_form
from bot.i18n import Texts, texts
from bot.reports import Report, build_digest, build_forecast
from bot.timekeeping import team_today
from domain.calendar import is_workday
from domain.daily import EntryKind, day_number
from domain.roles import Role
from domain.schedule import EventKind
from models import Delivery, Member, Team, queries, targets
from models import entries as store
from models.history import load_history
from scheduler import alerts
from scheduler.context import Jobs as Jobs  # re-exported: callers build Jobs from here
from scheduler.delivery import Outcome, Slot, deliver_once, key_for

log = logging.getLogger(__name__)
T = TypeVar("T")

PROMPT_ENTRY = {
    EventKind.MORNING: EntryKind.PLAN,
    EventKind.EVENING: EntryKind.FACT,
    EventKind.MORNING_REMINDER: EntryKind.PLAN,
    EventKind.EVENING_REMINDER: EntryKind.FACT,
}
REMINDED_PROMPT = {
    EventKind.MORNING_REMINDER: EventKind.MORNING,
    EventKind.EVENING_REMINDER: EventKind.EVENING,
}


REMINDER_GAP = timedelta(minutes=30)
# How far back the digest and the forecast look (trends, run-rates, streaks).
HISTORY = timedelta(days=62)
# Teams worked on at once by a job; the sends themselves pass `Jobs.sends`.
CONCURRENCY = 8


async def for_each(
    items: Sequence[T],
    work: Callable[[T], Awaitable[None]],
    limit: int = CONCURRENCY,
    gate: asyncio.Semaphore | None = None,
) -> None:
    """Run `work` on every item, at most `limit` at a time (or as `gate` allows, a gate
    shared by every job of the process)."""
    gate = gate or asyncio.Semaphore(limit)

    async def gated(item: T) -> None:
        async with gate:
            await work(item)

    await asyncio.gather(*(gated(item) for item in items))


@dataclass
class JobReport:
    sent: int = 0
    already: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, why: str) -> None:
        self.skipped[why] = self.skipped.get(why, 0) + 1

    def count(self, outcome: Outcome) -> None:
        if outcome is Outcome.SENT:
            self.sent += 1
        elif outcome is Outcome.ALREADY:
            self.already += 1
        else:
            self.skip(outcome.value)

    def add(self, other: JobReport) -> None:
        self.sent += other.sent
        self.already += other.already
        for why, count in other.skipped.items():
            self.skipped[why] = self.skipped.get(why, 0) + count

    def summary(self) -> str:
        skipped = ", ".join(f"{why}: {count}" for why, count in sorted(self.skipped.items()))
        text = f"sent {self.sent}, already sent {self.already}"
        return f"{text}; skipped {skipped}" if skipped else text


async def teams(jobs: Jobs, team_id: int | None = None) -> list[Team]:
    async with jobs.pool() as session:
        query = select(Team).order_by(Team.id)
        if team_id is not None:
            query = query.where(Team.id == team_id)
        return list((await session.execute(query)).scalars())


async def run_event(
    jobs: Jobs, kind: EventKind, team: Team, day: date, *, late: bool = False
) -> JobReport:
    """Do what a scheduled moment asks for one team and local date."""
    if kind in (EventKind.MORNING, EventKind.EVENING):
        return await send_prompts(jobs, kind, team, day)
    if kind in REMINDED_PROMPT:
        return await send_reminders(jobs, kind, team, day)
    if kind is EventKind.DIGEST:
        return await send_digest(jobs, team, day, late=late)
    return await send_forecast(jobs, team, day)


async def _managers(session: AsyncSession, team_id: int) -> list[Member]:
    result = await session.execute(
        select(Member)
        .options(joinedload(Member.team))
        .where(Member.team_id == team_id, Member.is_manager.is_(True), Member.active.is_(True))
        .order_by(Member.id)
    )
    return list(result.scalars())


async def _leaders(session: AsyncSession, team_id: int) -> list[Member]:
    """Who gets the digest and alerts: the heads, or the owner where there is no head."""
    heads = await queries.team_members_with_role(session, team_id, Role.HEAD)
    return heads or await queries.team_members_with_role(session, team_id, Role.OWNER)


async def _texts_for(session: AsyncSession, member: Member, team: Team) -> Texts:
    language = (
        await queries.language_of(session, member.telegram_id) if member.telegram_id else None
    )
    return texts(language or team.locale)


async def _reachable(session: AsyncSession, member: Member, day: date, report: JobReport) -> bool:
    if member.telegram_id is None or member.bot_blocked_at is not None:
        report.skip("bot blocked")
        return False
    if await store.is_absent_on(session, member.id, day):
        report.skip("on leave")
        return False
    return True


async def send_prompts(jobs: Jobs, kind: EventKind, team: Team, day: date) -> JobReport:
    """The morning or evening prompt to each active manager at work who has not answered."""
    report = JobReport()
    entry_kind = PROMPT_ENTRY[kind]
    async with jobs.pool() as session:
        managers = await _managers(session, team.id)

    async def one(member: Member) -> None:
        async with jobs.pool() as session:
            if not await _reachable(session, member, day, report):
                return
            if await store.get_entry(session, member.id, day, entry_kind) is not None:
                report.skip("already answered")
                return
            t = await _texts_for(session, member, team)
            chat_id = member.telegram_id
            assert chat_id is not None
            state = FSMContext(
                jobs.storage, StorageKey(bot_id=jobs.bot.id, chat_id=chat_id, user_id=chat_id)
            )
            member_day = await load_day(session, member, jobs.clock, day)

            async def send() -> int:
                return await open_form(jobs.bot, chat_id, state, session, member_day, entry_kind, t)

            slot = Slot(key_for(kind.value, member.id, day), team.id, member.id, kind.value, day)
            outcome = await deliver_once(jobs.pool, jobs.clock, slot, send)
            if outcome is Outcome.BLOCKED:
                await mark_blocked(jobs, session, member, team)
        report.count(outcome)

    await for_each(managers, one, gate=jobs.sends)
    return report


async def send_reminders(jobs: Jobs, kind: EventKind, team: Team, day: date) -> JobReport:
    """One reminder to those who got the prompt and have not answered it."""
    report = JobReport()
    entry_kind = PROMPT_ENTRY[kind]
    prompt = REMINDED_PROMPT[kind]
    async with jobs.pool() as session:
        managers = await _managers(session, team.id)
        prompted = set(
            (
                await session.execute(
                    select(Delivery.member_id).where(
                        Delivery.team_id == team.id,
                        Delivery.kind == prompt.value,
                        Delivery.day == day,
                        Delivery.status == "sent",
                        # A prompt that just went out (a catch-up after downtime) is not
                        # chased at once by its reminder.
                        Delivery.sent_at <= jobs.clock.now() - REMINDER_GAP,
                    )
                )
            ).scalars()
        )

    async def one(member: Member) -> None:
        async with jobs.pool() as session:
            if member.id not in prompted:
                report.skip("not prompted")
                return
            if not await _reachable(session, member, day, report):
                return
            if await store.get_entry(session, member.id, day, entry_kind) is not None:
                report.skip("already answered")
                return
            t = await _texts_for(session, member, team)
            plan = entry_kind is EntryKind.PLAN
            button = InlineKeyboardButton(
                text=t("btn-fill-plan" if plan else "btn-fill-fact"),
                callback_data=DayButton(
                    kind=entry_kind, day=day_number(day), action=FormAction.OPEN
                ).pack(),
            )
            chat_id = member.telegram_id
            assert chat_id is not None

            async def send() -> int:
                message = await jobs.bot.send_message(
                    chat_id,
                    t("reminder-plan" if plan else "reminder-fact"),
                    reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
                )
                return message.message_id

            slot = Slot(key_for(kind.value, member.id, day), team.id, member.id, kind.value, day)
            outcome = await deliver_once(jobs.pool, jobs.clock, slot, send)
            if outcome is Outcome.BLOCKED:
                await mark_blocked(jobs, session, member, team)
        report.count(outcome)

    await for_each(managers, one, gate=jobs.sends)
    return report


async def mark_blocked(jobs: Jobs, session: AsyncSession, member: Member, team: Team) -> None:
    """A member who blocked the bot gets nothing more; their leaders are told, once."""
    fresh = await session.get(Member, member.id)
    if fresh is None or fresh.bot_blocked_at is not None:
        return
    fresh.bot_blocked_at = jobs.clock.now()
    await session.commit()
    for leader in await _leaders(session, team.id):
        if leader.telegram_id is None or leader.id == member.id:
            continue
        t = await _texts_for(session, leader, team)
        slot = Slot(f"blocked:{member.id}:to:{leader.id}", team.id, leader.id, "alert",
                    team_today(jobs.clock, team))  # fmt: skip
        chat_id = leader.telegram_id
        text = t("alert-blocked", name=member.full_name)

        async def send() -> int:
            return (await jobs.bot.send_message(chat_id, text)).message_id  # noqa: B023

        await deliver_once(jobs.pool, jobs.clock, slot, send)


async def send_report(
    jobs: Jobs,
    session: AsyncSession,
    team: Team,
    day: date,
    kind: str,
    recipients: Sequence[Member],
    build: Callable[[Texts], Report],
) -> JobReport:
    """One report (the digest, the forecast) to each recipient in their language: the text,
    split to Telegram's size, then its chart; one delivery per recipient and day."""
    outcome = JobReport()
    built: dict[str, Report] = {}  # one build per language, not per recipient

    def report_in(t: Texts) -> Report:
        if t.language not in built:
            built[t.language] = build(t)
        return built[t.language]

    for recipient in recipients:
        if recipient.telegram_id is None or recipient.bot_blocked_at is not None:
            outcome.skip("bot blocked")
            continue
        t = await _texts_for(session, recipient, team)
        chat_id = recipient.telegram_id
        slot = Slot(key_for(kind, recipient.id, day), team.id, recipient.id, kind, day)

        async def send() -> int:
            report = report_in(t)  # noqa: B023
            first = None
            for part in report.parts:
                message = await jobs.bot.send_message(chat_id, part)  # noqa: B023
                first = first or message.message_id
            if report.chart is not None:
                photo = BufferedInputFile(report.chart, filename=f"{kind}-{day.isoformat()}.png")
                await jobs.bot.send_photo(chat_id, photo)  # noqa: B023
            return first or 0

        outcome.count(await deliver_once(jobs.pool, jobs.clock, slot, send))
    return outcome


async def send_digest(jobs: Jobs, team: Team, day: date, *, late: bool = False) -> JobReport:
    """The evening digest to the head(s); then the alerts the day's numbers raise."""
    async with jobs.pool() as session:
        history = await load_history(session, team, day - HISTORY, day)
        leaders = await _leaders(session, team.id)
        late_at = team.digest_at.strftime("%H:%M") if late else None
        report = await send_report(
            jobs, session, team, day, "digest", leaders,
            lambda t: build_digest(t, history, day, late_at=late_at),
        )  # fmt: skip
        await alerts.at_digest(jobs, session, history, day, leaders)
    return report


async def send_forecast(jobs: Jobs, team: Team, day: date) -> JobReport:
    """The weekly month-end forecast to the owner(s)."""
    async with jobs.pool() as session:
        history = await load_history(session, team, day - HISTORY, day)
        owners = await queries.team_members_with_role(session, team.id, Role.OWNER)
        routine = await targets.routine_between(session, team.id, day - timedelta(days=14), day)
        now = jobs.clock.now()
        return await send_report(
            jobs, session, team, day, "forecast", owners,
            lambda t: build_forecast(t, history, day, routine, now),
        )  # fmt: skip


JOBS = ("morning", "evening", "remind", "digest", "forecast")


async def run_job(
    jobs: Jobs, name: str, *, team_id: int | None = None, day: date | None = None
) -> JobReport:
    """`python -m bot run-job NAME`: one job now, for every team (or one), for today (or a
    date). `remind` sends the morning reminder before the team's evening time, else the
    evening one."""
    report = JobReport()
    for team in await teams(jobs, team_id):
        team_day = day or team_today(jobs.clock, team)
        if name != "forecast" and not is_workday(team_day, team.workdays, team.holiday_country):
            report.skip("not a workday")
            continue
        if name == "remind":
            local = jobs.clock.now().astimezone(ZoneInfo(team.timezone)).time()
            kind = (
                EventKind.MORNING_REMINDER
                if local < team.evening_at
                else EventKind.EVENING_REMINDER
            )
        else:
            kind = EventKind(name)
        report.add(await run_event(jobs, kind, team, team_day))
    return report
