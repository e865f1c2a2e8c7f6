"""Scheduled jobs as plain functions: the schedule engine, the command line and tests call
them alike. Each send goes through `deliver_once`, so running a job twice sends nothing new."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram.fsm.storage.base import StorageKey
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import charts, day_views
from bot.callbacks import DayButton, FormAction
from bot.day_form import stage_record
from bot.day_views import Markup
from bot.i18n import Texts, texts
from bot.reports import (
    DIGEST_HISTORY,
    FORECAST_HISTORY,
    Report,
    build_digest,
    build_forecast,
)
from bot.storage import SqlStorage
from bot.throttle import marks_departures
from bot.timekeeping import team_today
from domain.calendar import is_workday
from domain.daily import EntryKind, Form, Stage, day_number
from domain.roles import Role
from domain.schedule import EventKind
from models import Member, RoutineEntry, Team, User, queries, roster, targets
from models.history import TeamHistory, load_histories, load_history
from scheduler import alerts
from scheduler.context import Jobs as Jobs  # re-exported: callers build Jobs from here
from scheduler.delivery import (
    Outcome,
    Slot,
    StatusLog,
    claim,
    claim_many,
    deliver_once,
    key_for,
    send_claimed,
)

log = logging.getLogger(__name__)

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
ROUTINE_WINDOW = timedelta(days=14)  # the head's routine the forecast looks at
# Teams whose prompts are read and claimed together (see send_prompts): small enough that
# rendering and claiming a batch never holds the event loop long enough to upset the
# sender's pace, and only a couple of batches ahead of the sends.
TEAMS_PER_BATCH = 10
BATCHES_AHEAD = 2


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


@dataclass(frozen=True, slots=True)
class Due:
    kind: EventKind
    team: Team
    day: date
    late: bool = False


async def run_events(jobs: Jobs, due: Sequence[Due]) -> JobReport:
    """Do what came due, in the order given, except that the prompts and reminders of one kind
    and local date, and the weekly forecasts of one local date, go out for all their teams
    together (at the place of the first of them): the morning tick reads and claims a thousand
    teams' prompts in a few dozen statements, and the Monday tick their forecasts."""
    report = JobReport()
    together: dict[tuple[EventKind, date], list[Team]] = {}
    for event in due:
        if event.kind in PROMPT_ENTRY or event.kind is EventKind.FORECAST:
            together.setdefault((event.kind, event.day), []).append(event.team)
    done: set[tuple[EventKind, date]] = set()
    for event in due:
        group = (event.kind, event.day)
        if group not in together:
            report.add(await run_event(jobs, event.kind, event.team, event.day, late=event.late))
        elif group not in done:
            done.add(group)
            if event.kind is EventKind.FORECAST:
                report.add(await send_forecasts(jobs, together[group], event.day))
            else:
                report.add(await send_prompts(jobs, event.kind, together[group], event.day))
    return report


async def run_event(
    jobs: Jobs, kind: EventKind, team: Team, day: date, *, late: bool = False
) -> JobReport:
    """Do what a scheduled moment asks for one team and local date."""
    if kind in PROMPT_ENTRY:
        return await send_prompts(jobs, kind, [team], day)
    if kind is EventKind.DIGEST:
        return await send_digest(jobs, team, day, late=late)
    return await send_forecast(jobs, team, day)


async def _leaders(session: AsyncSession, team_id: int) -> list[Member]:
    """Who gets the digest and alerts: the heads, or the owner where there is no head."""
    heads = await queries.team_members_with_role(session, team_id, Role.HEAD)
    return heads or await queries.team_members_with_role(session, team_id, Role.OWNER)


async def _texts_for(session: AsyncSession, member: Member, team: Team) -> Texts:
    language = (
        await queries.language_of(session, member.telegram_id) if member.telegram_id else None
    )
    return texts(language or team.locale)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A claimed prompt or reminder, rendered and ready to go."""

    slot: Slot
    team: Team
    chat_id: int
    text: str
    markup: InlineKeyboardMarkup


async def send_prompts(jobs: Jobs, kind: EventKind, teams: Sequence[Team], day: date) -> JobReport:
    """The morning or evening prompt (or its reminder) to each active manager at work who has
    not answered, in every team of `teams` (all at local date `day`).

    Teams are read TEAMS_PER_BATCH at a time, a few statements a batch whatever its size; each
    batch's deliveries are claimed and its forms opened in one transaction, then its messages
    go out through the process's send gate while the next batch is read."""
    report = JobReport()
    statuses = StatusLog(jobs.pool, jobs.clock)
    sending: list[asyncio.Future[list[BaseException | None]]] = []

    async def send_one(item: Outgoing) -> None:
        report.count(await _send(jobs, statuses, item))

    try:
        for start in range(0, len(teams), TEAMS_PER_BATCH):
            ahead = {task for task in sending if not task.done()}
            if len(ahead) >= BATCHES_AHEAD:
                await asyncio.wait(ahead, return_when=asyncio.FIRST_COMPLETED)
            batch = teams[start : start + TEAMS_PER_BATCH]
            outgoing = await _claim_batch(jobs, kind, batch, day, report)
            sends = asyncio.gather(*(send_one(item) for item in outgoing), return_exceptions=True)
            sending.append(asyncio.ensure_future(sends))
    finally:
        # Every send ends before the job does, even when one of them failed (a database
        # dropped mid-write): none goes on behind a tick that has already given up.
        results = await asyncio.gather(*sending)
    for error in (error for batch in results for error in batch if error is not None):
        raise error
    return report


async def _claim_batch(
    jobs: Jobs, kind: EventKind, teams: Sequence[Team], day: date, report: JobReport
) -> list[Outgoing]:
    entry_kind = PROMPT_ENTRY[kind]
    reminded = REMINDED_PROMPT.get(kind)
    by_id = {team.id: team for team in teams}
    async with jobs.pool() as session:
        prompted = (
            await roster.prompted_on(
                session, by_id, day, reminded.value, jobs.clock.now() - REMINDER_GAP
            )
            if reminded is not None
            else None
        )
        absent = await roster.absent_on(session, by_id, day)
        answered = await roster.answered_on(session, by_id, day, entry_kind)
        due: list[roster.Addressee] = []
        for manager in await roster.managers_of(session, by_id):
            if prompted is not None and manager.member_id not in prompted:
                report.skip("not prompted")
            elif manager.chat_id is None or manager.blocked:
                report.skip("bot blocked")
            elif manager.member_id in absent:
                report.skip("on leave")
            elif manager.member_id in answered:
                report.skip("already answered")
            else:
                due.append(manager)
        slots = {
            manager.member_id: Slot(
                key_for(kind.value, manager.member_id, day), manager.team_id,
                manager.member_id, kind.value, day,
            )
            for manager in due
        }  # fmt: skip
        taken = await claim_many(session, jobs.clock, list(slots.values()))
        report.already += len(slots) - len(taken)
        claimed = [manager for manager in due if slots[manager.member_id].key in taken]
        if reminded is None:
            outgoing = await _prompts(session, entry_kind, by_id, day, claimed, slots)
            record = stage_record(Form(kind=entry_kind, day=day, values={}), Stage.NUMBERS)
            forms = [(_state_key(jobs, item.chat_id), *record) for item in outgoing]
        else:
            outgoing = _reminders(entry_kind, by_id, day, claimed, slots)
            forms = []
        if isinstance(jobs.storage, SqlStorage):
            await jobs.storage.write_many(session, forms)
        await session.commit()
    if not isinstance(jobs.storage, SqlStorage):
        for key, state, data in forms:
            await jobs.storage.set_state(key, state)
            await jobs.storage.set_data(key, data)
    return outgoing


def _state_key(jobs: Jobs, chat_id: int) -> StorageKey:
    return StorageKey(bot_id=jobs.bot.id, chat_id=chat_id, user_id=chat_id)


async def _prompts(
    session: AsyncSession,
    entry_kind: EntryKind,
    teams: dict[int, Team],
    day: date,
    managers: Sequence[roster.Addressee],
    slots: dict[int, Slot],
) -> list[Outgoing]:
    """The opening question of the plan or report form, rendered once per team, language and
    plan rather than once per person."""
    if not managers:
        return []
    team_ids = {manager.team_id for manager in managers}
    metrics = await roster.active_metrics_of(session, team_ids)
    plans = await roster.plans_on(session, team_ids, day) if entry_kind is EntryKind.FACT else {}
    rendered: dict[tuple[int, str, tuple[tuple[str, Decimal], ...]], tuple[str, Markup]] = {}
    outgoing = []
    for manager in managers:
        team = teams[manager.team_id]
        t = texts(manager.language or team.locale)
        plan = plans.get(manager.member_id, {})
        key = (team.id, t.language, tuple(sorted(plan.items())))
        if key not in rendered:
            rendered[key] = day_views.prompt(t, entry_kind, day, metrics[team.id], plan)
            await asyncio.sleep(0)  # a render is about a millisecond: let the sends go on
        text, markup = rendered[key]
        assert manager.chat_id is not None
        outgoing.append(Outgoing(slots[manager.member_id], team, manager.chat_id, text, markup))
    return outgoing


def _reminders(
    entry_kind: EntryKind,
    teams: dict[int, Team],
    day: date,
    managers: Sequence[roster.Addressee],
    slots: dict[int, Slot],
) -> list[Outgoing]:
    plan = entry_kind is EntryKind.PLAN
    callback = DayButton(kind=entry_kind, day=day_number(day), action=FormAction.OPEN).pack()
    outgoing = []
    for manager in managers:
        team = teams[manager.team_id]
        t = texts(manager.language or team.locale)
        button = InlineKeyboardButton(
            text=t("btn-fill-plan" if plan else "btn-fill-fact"), callback_data=callback
        )
        assert manager.chat_id is not None
        outgoing.append(
            Outgoing(
                slots[manager.member_id],
                team,
                manager.chat_id,
                t("reminder-plan" if plan else "reminder-fact"),
                InlineKeyboardMarkup(inline_keyboard=[[button]]),
            )
        )
    return outgoing


async def _send(jobs: Jobs, statuses: StatusLog, item: Outgoing) -> Outcome:
    async def send() -> int:
        message = await jobs.bot.send_message(item.chat_id, item.text, reply_markup=item.markup)
        return message.message_id

    outcome = await send_claimed(
        statuses, item.slot.key, send, gate=jobs.sends, on_departure=marks_departures(jobs.bot)
    )
    if outcome is Outcome.BLOCKED and item.slot.member_id is not None:
        await mark_blocked(jobs, item.slot.member_id, item.team)
    return outcome


async def mark_blocked(jobs: Jobs, member_id: int, team: Team) -> None:
    """A member who blocked the bot gets nothing more (until they write to it again); their
    leaders are told, once each time it happens."""
    async with jobs.pool() as session:
        member = await session.get(Member, member_id)
        if member is None or member.bot_blocked_at is not None:
            return
        member.bot_blocked_at = jobs.clock.now()
        await session.commit()
        for leader in await _leaders(session, team.id):
            if leader.telegram_id is None or leader.id == member.id:
                continue
            t = await _texts_for(session, leader, team)
            day = team_today(jobs.clock, team)
            slot = Slot(f"blocked:{member.id}:{day}:to:{leader.id}", team.id, leader.id, "alert",
                        day)  # fmt: skip
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
    split to Telegram's size, then its chart; one delivery per recipient and day.

    A report is built once per language, in a worker thread (a large team's takes about a
    second, the chart mostly, and the event loop keeps serving meanwhile), and only for a
    delivery this process has claimed, before it is marked as being sent: a crash while it is
    built leaves the delivery claimed, and the next tick sends it."""
    outcome = JobReport()
    built: dict[str, Report] = {}
    statuses = StatusLog(jobs.pool, jobs.clock)

    for recipient in recipients:
        if recipient.telegram_id is None or recipient.bot_blocked_at is not None:
            outcome.skip("bot blocked")
            continue
        t = await _texts_for(session, recipient, team)
        chat_id = recipient.telegram_id
        slot = Slot(key_for(kind, recipient.id, day), team.id, recipient.id, kind, day)
        if not await claim(jobs.pool, jobs.clock, slot):
            outcome.count(Outcome.ALREADY)
            continue
        if t.language not in built:
            built[t.language] = await asyncio.to_thread(build, t)
        outcome.count(await _send_report(jobs, statuses, slot, chat_id, built[t.language]))
    return outcome


async def _send_report(
    jobs: Jobs, statuses: StatusLog, slot: Slot, chat_id: int, report: Report
) -> Outcome:
    """A claimed report's text parts, then its chart, to one chat."""

    async def send() -> int:
        first = None
        for part in report.parts:
            message = await jobs.bot.send_message(chat_id, part)
            first = first or message.message_id
        if report.chart is not None:
            name = f"{slot.kind}-{slot.day.isoformat()}.png"
            await jobs.bot.send_photo(chat_id, BufferedInputFile(report.chart, filename=name))
        return first or 0

    return await send_claimed(statuses, slot.key, send, on_departure=marks_departures(jobs.bot))


async def send_digest(jobs: Jobs, team: Team, day: date, *, late: bool = False) -> JobReport:
    """The evening digest to the head(s); then the alerts the day's numbers raise."""
    async with jobs.pool() as session:
        history = await load_history(session, team, day - DIGEST_HISTORY, day)
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
        history = await load_history(session, team, day - FORECAST_HISTORY, day)
        owners = await queries.team_members_with_role(session, team.id, Role.OWNER)
        routine = await targets.routine_between(session, team.id, day - ROUTINE_WINDOW, day)
        now = jobs.clock.now()
        return await send_report(
            jobs, session, team, day, "forecast", owners,
            lambda t: build_forecast(t, history, day, routine, now),
        )  # fmt: skip


# The Monday tick: teams whose forecasts are read and claimed together, and reports built at
# once (in worker threads; bot.charts may draw their charts in processes, see send_forecasts).
FORECAST_TEAMS_PER_BATCH = 25
FORECAST_BUILDS = 4
# From this many forecasts in a tick their charts are drawn in processes (bot.charts), one per
# core up to CHART_PROCESSES: starting them costs about a second, drawing a chart 15-20 ms.
CHART_PROCESSES_FROM = 100
CHART_PROCESSES = 2


@dataclass
class ClaimedForecast:
    """A team's forecast with its history read and its deliveries claimed, to be built."""

    team: Team
    history: TeamHistory
    routine: list[RoutineEntry]
    recipients: list[tuple[Slot, int, Texts]] = field(default_factory=list)


def _last_monday(day: date) -> date:
    """The Monday of the week before `day`'s: the forecast's "last week", the only plans it
    reads (bot.reports._last_week)."""
    return day - timedelta(days=day.weekday() + 7)


async def send_forecasts(jobs: Jobs, teams: Sequence[Team], day: date) -> JobReport:
    """The weekly forecast of every team of `teams` (all at local date `day`) to their owners,
    as `send_forecast` sends one, with the same guarantees (one delivery per owner and day,
    built only once claimed and before it is marked as being sent).

    Teams are read FORECAST_TEAMS_PER_BATCH at a time: the histories, owners, their languages
    and the head's routine of a batch in a fixed number of statements, its deliveries claimed
    in one; then its reports are built, FORECAST_BUILDS at a time in worker threads, each
    once per language, and sent while the next batch is read. The charts are what costs:
    where `bot.charts.start_processes` was called they are drawn in those processes, so the
    build of the text and the drawing of the charts use every core."""
    report = JobReport()
    statuses = StatusLog(jobs.pool, jobs.clock)
    builds = asyncio.Semaphore(FORECAST_BUILDS)
    if len(teams) >= CHART_PROCESSES_FROM:
        charts.start_processes(min(CHART_PROCESSES, os.cpu_count() or 1))
    now = jobs.clock.now()
    pending: list[asyncio.Future[list[BaseException | None]]] = []

    async def deliver(item: ClaimedForecast) -> None:
        built: dict[str, Report] = {}
        for slot, chat_id, t in item.recipients:
            if t.language not in built:
                async with builds:
                    built[t.language] = await asyncio.to_thread(
                        build_forecast, t, item.history, day, item.routine, now
                    )
            report.count(await _send_report(jobs, statuses, slot, chat_id, built[t.language]))

    try:
        for start in range(0, len(teams), FORECAST_TEAMS_PER_BATCH):
            ahead = {task for task in pending if not task.done()}
            if len(ahead) >= BATCHES_AHEAD:
                await asyncio.wait(ahead, return_when=asyncio.FIRST_COMPLETED)
            batch = teams[start : start + FORECAST_TEAMS_PER_BATCH]
            claimed = await _claim_forecasts(jobs, batch, day, report)
            sends = asyncio.gather(*(deliver(item) for item in claimed), return_exceptions=True)
            pending.append(asyncio.ensure_future(sends))
    finally:
        # As send_prompts: nothing goes on behind a tick that has given up.
        results = await asyncio.gather(*pending)
    for error in (error for batch in results for error in batch if error is not None):
        raise error
    return report


async def _claim_forecasts(
    jobs: Jobs, teams: Sequence[Team], day: date, report: JobReport
) -> list[ClaimedForecast]:
    ids = [team.id for team in teams]
    async with jobs.pool() as session:
        histories = await load_histories(
            session, teams, day - FORECAST_HISTORY, day, plans_from=_last_monday(day)
        )
        routines: dict[int, list[RoutineEntry]] = {team_id: [] for team_id in ids}
        for entry in await session.scalars(
            select(RoutineEntry)
            .where(
                RoutineEntry.team_id.in_(ids),
                RoutineEntry.day >= day - ROUTINE_WINDOW,
                RoutineEntry.day <= day,
            )
            .order_by(RoutineEntry.day, RoutineEntry.id)
        ):
            routines[entry.team_id].append(entry)
        items = {
            team.id: ClaimedForecast(team, histories[team.id], routines[team.id]) for team in teams
        }
        wanted: list[tuple[Slot, int, Texts]] = []
        owners = await session.execute(
            select(Member, User.language)
            .outerjoin(User, User.telegram_id == Member.telegram_id)
            .where(Member.team_id.in_(ids), Member.active.is_(True), Member.is_owner.is_(True))
            .order_by(Member.id)
        )
        for owner, language in owners:
            if owner.telegram_id is None or owner.bot_blocked_at is not None:
                report.skip("bot blocked")
                continue
            slot = Slot(key_for("forecast", owner.id, day), owner.team_id, owner.id, "forecast",
                        day)  # fmt: skip
            t = texts(language or items[owner.team_id].team.locale)
            wanted.append((slot, owner.telegram_id, t))
        taken = await claim_many(session, jobs.clock, [slot for slot, _, _ in wanted])
        await session.commit()
    for slot, chat_id, t in wanted:
        if slot.key in taken:
            items[slot.team_id].recipients.append((slot, chat_id, t))
        else:
            report.count(Outcome.ALREADY)
    return [item for item in items.values() if item.recipients]


JOBS = ("morning", "evening", "remind", "digest", "forecast")


async def run_job(
    jobs: Jobs, name: str, *, team_id: int | None = None, day: date | None = None
) -> JobReport:
    """`python -m bot run-job NAME`: one job now, for every team (or one), for today (or a
    date). `remind` sends the morning reminder before the team's evening time, else the
    evening one."""
    report = JobReport()
    due: list[Due] = []
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
        due.append(Due(kind, team, team_day))
    report.add(await run_events(jobs, due))
    return report
