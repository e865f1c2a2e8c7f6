"""The plan/report form as a flow: what to ask next, shown to a manager.

Used by the /plan and /report handlers and by the scheduled prompts alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot import day_views
from bot.clock import Clock
from bot.i18n import Texts
from bot.timekeeping import team_now
from domain.daily import EntryKind, Form, MetricInfo, Reason, Stage, key_shortfalls, next_stage
from domain.metrics import aliases_for
from domain.numbers import MetricSpec
from models import Member, Metric, Team
from models import entries as store
from models.pace import member_pace


class DayForm(StatesGroup):
    numbers = State()
    step = State()
    reason = State()
    reason_text = State()
    comment = State()
    card = State()


STATE_OF = {
    Stage.NUMBERS: DayForm.numbers,
    Stage.STEP: DayForm.step,
    Stage.REASON: DayForm.reason,
    Stage.REASON_TEXT: DayForm.reason_text,
    Stage.COMMENT: DayForm.comment,
    Stage.CARD: DayForm.card,
}


@dataclass(slots=True)
class Day:
    """Everything a form needs about the member's day, loaded once per update."""

    member: Member
    team: Team
    now: datetime
    metrics: list[Metric]
    infos: list[MetricInfo]
    plan: dict[str, Decimal]

    @property
    def today(self) -> date:
        return self.now.date()

    def specs(self) -> list[MetricSpec]:
        return [
            MetricSpec(m.key, info.kind, aliases_for(m.key, m.label), m.max_value)
            for m, info in zip(self.metrics, self.infos, strict=True)
        ]


async def load_day(
    session: AsyncSession, member: Member, clock: Clock, day: date | None = None
) -> Day:
    """The member's day: today in the team's timezone, or `day` (a job run for a date)."""
    metrics = await store.active_metrics(session, member.team_id)
    now = team_now(clock, member.team)
    if day is not None and day != now.date():
        now = datetime.combine(day, now.timetz())
    plan_entry = await store.get_entry(session, member.id, now.date(), EntryKind.PLAN)
    return Day(
        member=member,
        team=member.team,
        now=now,
        metrics=metrics,
        infos=[store.metric_info(m) for m in metrics],
        plan=dict(await store.values_of(session, plan_entry)),
    )


async def open_form(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    session: AsyncSession,
    day: Day,
    kind: EntryKind,
    t: Texts,
) -> int:
    """Show today's form from the start, or the submitted entry's card to confirm or change.
    Returns the id of the message sent."""
    entry = await store.get_entry(session, day.member.id, day.today, kind)
    if entry is None:
        form = Form(kind=kind, day=day.today, values={})
        await save_stage(state, form, Stage.NUMBERS)
        text, markup = day_views.prompt(t, kind, day.today, day.metrics, day.plan)
        return (await bot.send_message(chat_id, text, reply_markup=markup)).message_id
    form = Form(
        kind=kind,
        day=day.today,
        values=await store.values_of(session, entry),
        reason=Reason(entry.reason) if entry.reason else None,
        reason_text=entry.reason_text,
        comment=entry.comment,
        comment_done=True,
        editing=True,
    )
    return await show(bot, chat_id, state, day, form, t, session)


def stage_record(form: Form, stage: Stage) -> tuple[str, dict[str, object]]:
    """The conversation state and data a form at `stage` is kept as."""
    state = STATE_OF[stage].state
    assert state is not None
    return state, {"form": form.to_data()}


async def save_stage(state: FSMContext, form: Form, stage: Stage) -> None:
    name, data = stage_record(form, stage)
    await state.set_state(name)
    await state.set_data(data)


async def show(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    day: Day,
    form: Form,
    t: Texts,
    session: AsyncSession | None = None,
) -> int:
    """Ask whatever the form needs next. With `session`, a plan's card also says where the plan
    is below what the month's target takes a day."""
    plan = day.plan
    if (
        form.kind is EntryKind.FACT
        and form.reason
        and not key_shortfalls(day.infos, plan, form.values)
    ):
        form.reason, form.reason_text = None, None
    stage, key = next_stage(form, day.infos, plan)
    await save_stage(state, form, stage)
    markup: InlineKeyboardMarkup | None
    if stage is Stage.NUMBERS:
        text, markup = day_views.prompt(t, form.kind, form.day, day.metrics, plan)
    elif stage is Stage.STEP and key is not None:
        text, markup = day_views.step(t, form, day.metrics, key, plan)
    elif stage is Stage.REASON:
        shortfall = key_shortfalls(day.infos, plan, form.values)[0]
        text, markup = day_views.reason_question(t, form, day.metrics, plan, shortfall)
    elif stage is Stage.REASON_TEXT:
        text, markup = t("form-reason-text"), None
    elif stage is Stage.COMMENT:
        text, markup = day_views.comment_question(t, form)
    else:
        pace = None
        if form.kind is EntryKind.PLAN and session is not None:
            pace = await member_pace(session, day.member, day.today, day.metrics)
        text, markup = day_views.card(t, form, day.metrics, plan, pace)
    return (await bot.send_message(chat_id, text, reply_markup=markup)).message_id


async def current_form(state: FSMContext) -> Form | None:
    data = await state.get_data()
    raw = data.get("form")
    return Form.from_data(raw) if isinstance(raw, dict) else None
