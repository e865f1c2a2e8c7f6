"""/plan and /report: the manager's morning plan and evening report, as one form each.

The form lives in conversation state (the database), so it survives a restart; every button
carries its day, so yesterday's buttons close politely.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import day_views
from bot.callbacks import DayButton, FormAction
from bot.clock import Clock
from bot.day_form import (
    Day,
    DayForm,
    current_form,
    load_day,
    open_form,
    save_stage,
    show,
)
from bot.filters import HasRole
from bot.i18n import Texts
from bot.sender import edit
from domain.daily import (
    EntryKind,
    Form,
    Reason,
    Stage,
    clean_comment,
    day_from_number,
    edits_are_late,
    next_stage,
    norm_values,
)
from domain.numbers import (
    MAX_ENTRY_TEXT,
    NumberError,
    QuickAnswer,
    parse_entry,
    parse_number,
    quick_answer,
)
from domain.roles import Role
from models import Member
from models import entries as store
from models.db import SessionPool
from scheduler import alerts
from scheduler.context import Jobs


async def form_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    bot: Bot,
) -> None:
    """/plan and /report: today's form, or the card of what was already sent."""
    kind = EntryKind.PLAN if command.command == "plan" else EntryKind.FACT
    day = await load_day(session, member, clock)
    await open_form(bot, message.chat.id, state, session, day, kind, t)


async def _closed(
    bot: Bot,
    chat_id: int,
    state: FSMContext,
    session: AsyncSession,
    day: Day,
    kind: EntryKind,
    t: Texts,
) -> None:
    await bot.send_message(chat_id, t("form-closed-offer"))
    await open_form(bot, chat_id, state, session, day, kind, t)


async def _open_form_day(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    bot: Bot,
) -> tuple[Form, Day] | None:
    """The form this message answers and its day; None (after offering today's) when closed."""
    form = await current_form(state)
    day = await load_day(session, member, clock)
    if form is None or form.day != day.today:
        kind = form.kind if form else EntryKind.PLAN
        await _closed(bot, message.chat.id, state, session, day, kind, t)
        return None
    return form, day


async def numbers_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    bot: Bot,
) -> None:
    opened = await _open_form_day(message, state, session, member, t, clock, bot)
    if opened is None:
        return
    form, day = opened
    sample = day_views.example(day.metrics, day.plan if form.kind is EntryKind.FACT else None)
    text = message.text
    if text is None:
        await message.answer(t("form-send-text"))
        return
    if len(text) > MAX_ENTRY_TEXT:
        await message.answer(t("form-too-long", example=sample))
        return
    quick = quick_answer(text)
    if quick is QuickAnswer.NORMS and form.kind is EntryKind.PLAN:
        form.values = norm_values(day.infos)
    elif quick is QuickAnswer.AS_YESTERDAY and form.kind is EntryKind.PLAN:
        previous = await store.previous_plan(session, member.id, form.day)
        if previous is None:
            await message.answer(t("no-previous-plan"))
            return
        form.values = previous
    else:
        result = parse_entry(text, day.specs())
        if result.errors:
            await message.answer(day_views.errors(t, result.errors, day.metrics, sample))
            if not result.values:
                return
        # Labelled numbers may name a few metrics: they change just those.
        form.values = {**form.values, **result.values}
    await show(bot, message.chat.id, state, day, form, t, session)


async def step_typed(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    bot: Bot,
) -> None:
    opened = await _open_form_day(message, state, session, member, t, clock, bot)
    if opened is None:
        return
    form, day = opened
    stage, key = next_stage(form, day.infos, day.plan)
    metric = next((m for m in day.metrics if m.key == key), None)
    if stage is not Stage.STEP or metric is None:
        await show(bot, message.chat.id, state, day, form, t, session)
        return
    try:
        value = parse_number(
            message.text or "", kind=store.metric_info(metric).kind, max_value=metric.max_value
        )
    except NumberError as error:
        whole = parse_entry(message.text or "", day.specs())
        if whole.ok and len(whole.values) > 1:
            form.values = {**form.values, **whole.values}
            await show(bot, message.chat.id, state, day, form, t, session)
            return
        problem = t(
            "numbers-error",
            reason=error.reason.value,
            max=day_views.number(t, error.limit) if error.limit is not None else "",
            expected=0,
            got=0,
        )
        await message.answer(
            t(
                "form-error-line",
                what=day_views.label(t, metric),
                fragment=(message.text or "")[:60],
                problem=problem,
            )
        )
        await show(bot, message.chat.id, state, day, form, t, session)
        return
    form.values[metric.key] = value
    await show(bot, message.chat.id, state, day, form, t, session)


async def words_typed(
    message: Message,
    state: FSMContext,
    raw_state: str | None,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    bot: Bot,
) -> None:
    """Free text on a report: what got in the way (after "Other"), or the day's comment."""
    opened = await _open_form_day(message, state, session, member, t, clock, bot)
    if opened is None:
        return
    form, day = opened
    text = clean_comment(message.text)
    if text is None:
        await message.answer(t("form-send-text"))
        return
    if raw_state == DayForm.comment.state:
        form.comment, form.comment_done = text, True
    else:
        form.reason = form.reason or Reason.OTHER
        form.reason_text = text[:500]
    await show(bot, message.chat.id, state, day, form, t, session)


async def form_button(
    callback: CallbackQuery,
    callback_data: DayButton,
    state: FSMContext,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    bot: Bot,
    session_pool: SessionPool,
) -> None:
    chat_id = callback.from_user.id
    today = await load_day(session, member, clock)
    button_day = day_from_number(callback_data.day)
    form = await current_form(state)
    if button_day != today.today:
        await callback.answer(t("form-closed"), show_alert=True)
        await _closed(bot, chat_id, state, session, today, callback_data.kind, t)
        return
    if callback_data.action is FormAction.OPEN:
        await callback.answer()
        await open_form(bot, chat_id, state, session, today, callback_data.kind, t)
        return
    if form is None or form.day != button_day or form.kind is not callback_data.kind:
        entry = await store.get_entry(session, member.id, today.today, callback_data.kind)
        if callback_data.action is FormAction.CONFIRM and entry is not None:
            await callback.answer(t("saved-same"), show_alert=True)
            return
        await callback.answer(t("form-closed"), show_alert=True)
        await _closed(bot, chat_id, state, session, today, callback_data.kind, t)
        return
    await callback.answer()
    await _drop_buttons(callback)
    action = callback_data.action
    if action is FormAction.NORMS:
        form.values = norm_values(today.infos)
    elif action is FormAction.AS_YESTERDAY:
        previous = await store.previous_plan(session, member.id, form.day)
        if previous is None:
            await bot.send_message(chat_id, t("no-previous-plan"))
            await save_stage(state, form, Stage.NUMBERS)
            return
        form.values = previous
    elif action is FormAction.STEPS:
        form.values, form.stepwise = {}, True
    elif action is FormAction.SUGGESTED:
        metric = next((m for m in today.metrics if m.key == callback_data.choice), None)
        suggested = (
            (metric.daily_norm if form.kind is EntryKind.PLAN else today.plan.get(metric.key))
            if metric
            else None
        )
        if metric is None or suggested is None:
            await show(bot, chat_id, state, today, form, t)
            return
        form.values[metric.key] = suggested
    elif action is FormAction.REASON:
        try:
            form.reason = Reason(callback_data.choice)
        except ValueError:
            form.reason = Reason.OTHER
        form.reason_text = None
    elif action is FormAction.NO_COMMENT:
        form.comment, form.comment_done = None, True
    elif action is FormAction.EDIT:
        await save_stage(state, form, Stage.NUMBERS)
        text, markup = day_views.prompt(t, form.kind, form.day, today.metrics, today.plan)
        await bot.send_message(chat_id, text, reply_markup=markup)
        return
    elif action is FormAction.CONFIRM:
        if await _confirm(bot, chat_id, state, session, today, form, t):
            jobs = Jobs(bot=bot, pool=session_pool, storage=state.storage, clock=clock)
            await alerts.on_submitted(
                jobs, member.id, form.day, form.kind.value, plan=form.values, infos=today.infos
            )
        return
    await show(bot, chat_id, state, today, form, t)


async def _confirm(
    bot: Bot, chat_id: int, state: FSMContext, session: AsyncSession, day: Day, form: Form, t: Texts
) -> bool:
    """Save the confirmed form; True when it was saved (and may raise an alert)."""
    stage, _ = next_stage(form, day.infos, day.plan)
    if stage is not Stage.CARD:
        await show(bot, chat_id, state, day, form, t)
        return False
    late = edits_are_late(day.now, form.day, day.team.digest_at)
    _entry, changed = await store.save_form(session, day.member, form, now=day.now, late=late)
    await session.commit()
    await state.clear()
    digest = day.team.digest_at.strftime("%H:%M")
    if form.editing and not changed:
        text = t("saved-same")
    elif form.editing and late:
        text = t("saved-late")
    else:
        text = t("saved-plan" if form.kind is EntryKind.PLAN else "saved-fact", digest=digest)
    await bot.send_message(chat_id, text)
    return True


async def _drop_buttons(callback: CallbackQuery) -> None:
    """Buttons of an answered question go away, so an old one is not pressed by mistake."""
    if isinstance(callback.message, Message) and callback.message.reply_markup is not None:
        await edit(callback.message, reply_markup=None)


async def not_text(message: Message, t: Texts) -> None:
    await message.answer(t("form-send-text"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.MANAGER))
    router.callback_query.filter(HasRole(Role.MANAGER))
    router.message.register(form_command, Command("plan", "report"))
    router.message.register(not_text, StateFilter(DayForm), ~F.text)
    router.message.register(numbers_typed, DayForm.numbers, ~F.text.startswith("/"))
    router.message.register(numbers_typed, DayForm.card, ~F.text.startswith("/"))
    router.message.register(step_typed, DayForm.step, ~F.text.startswith("/"))
    router.message.register(
        words_typed, StateFilter(DayForm.reason, DayForm.reason_text, DayForm.comment),
        ~F.text.startswith("/"),
    )  # fmt: skip
    router.callback_query.register(form_button, DayButton.filter())
    return router
