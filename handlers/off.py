"""/off: a manager marks a day off, sick leave or vacation, and can cancel it."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import OffAction, OffButton
from bot.clock import Clock
from bot.filters import HasRole
from bot.i18n import Texts
from bot.sender import edit
from bot.timekeeping import team_today
from domain.daily import AbsenceKind, DateRangeError, day_from_number, day_number, parse_date_range
from domain.roles import Role
from models import Absence, Member
from models import entries as store


class OffForm(StatesGroup):
    dates = State()


def period(t: Texts, first: date, last: date) -> str:
    if first == last:
        return t("period-one", first=first)
    return t("period-range", first=first, last=last)


def _menu(t: Texts, absences: list[Absence]) -> tuple[str, InlineKeyboardMarkup]:
    lines = [t("off-title")]
    lines += [
        t("off-item", kind=t("off-kind", kind=a.kind), period=period(t, a.first_day, a.last_day))
        for a in absences
    ] or [t("off-none")]
    lines += ["", t("off-ask")]

    def button(key: str, action: OffAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(text=t(key), callback_data=OffButton(action=action).pack())

    rows = [
        [button("btn-off-today", OffAction.TODAY), button("btn-off-tomorrow", OffAction.TOMORROW)],
        [button("btn-off-dates", OffAction.DATES)],
    ]
    rows += [
        [
            InlineKeyboardButton(
                text=t("btn-off-cancel", period=period(t, a.first_day, a.last_day)),
                callback_data=OffButton(action=OffAction.CANCEL, absence_id=a.id).pack(),
            )
        ]
        for a in absences
    ]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def _kinds(t: Texts, first: date, last: date) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=t("off-kind", kind=kind.value),
            callback_data=OffButton(
                action=OffAction.KIND,
                first=day_number(first),
                last=day_number(last),
                kind=kind.value,
            ).pack(),
        )
        for kind in AbsenceKind
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


async def off_command(
    message: Message,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    await state.clear()
    absences = await store.absences_of(session, member.id, team_today(clock, member.team))
    text, markup = _menu(t, absences)
    await message.answer(text, reply_markup=markup)


async def off_button(
    callback: CallbackQuery,
    callback_data: OffButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    today = team_today(clock, member.team)
    action = callback_data.action
    if action in (OffAction.TODAY, OffAction.TOMORROW):
        day = today if action is OffAction.TODAY else today + timedelta(days=1)
        await callback.answer()
        await _answer(callback, t("off-ask-kind", period=period(t, day, day)), _kinds(t, day, day))
    elif action is OffAction.DATES:
        await state.set_state(OffForm.dates)
        await callback.answer()
        await _answer(callback, t("off-ask-dates"), None)
    elif action is OffAction.KIND:
        first, last = day_from_number(callback_data.first), day_from_number(callback_data.last)
        try:
            kind = AbsenceKind(callback_data.kind)
        except ValueError:
            kind = None
        if first is None or last is None or kind is None or last < today or last < first:
            await callback.answer(t("form-closed"), show_alert=True)
            return
        # A second press of the same button (a double tap) keeps the one period it saved.
        saved = await store.absences_of(session, member.id, last)
        if not any((a.kind, a.first_day, a.last_day) == (kind.value, first, last) for a in saved):
            session.add(
                Absence(
                    team_id=member.team_id, member_id=member.id, kind=kind.value,
                    first_day=first, last_day=last, created_at=clock.now(),
                )
            )  # fmt: skip
            await session.commit()
        await callback.answer()
        text = t("off-saved", kind=t("off-kind", kind=kind.value), period=period(t, first, last))
        await _answer(callback, text, None, replace=True)
    else:
        absence = await session.get(Absence, callback_data.absence_id)
        if absence is None or absence.member_id != member.id or absence.cancelled_at is not None:
            await callback.answer(t("form-closed"), show_alert=True)
            return
        absence.cancelled_at = clock.now()
        await session.commit()
        await callback.answer(
            t("off-cancelled", period=period(t, absence.first_day, absence.last_day))
        )
        menu_text, markup = _menu(t, await store.absences_of(session, member.id, today))
        await _answer(callback, menu_text, markup, replace=True)


async def _answer(
    callback: CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    replace: bool = False,
) -> None:
    if not isinstance(callback.message, Message):
        return
    if replace:
        await edit(callback.message, text, reply_markup=markup)
    else:
        await callback.message.answer(text, reply_markup=markup)


async def dates_typed(
    message: Message, member: Member, t: Texts, clock: Clock, state: FSMContext
) -> None:
    try:
        first, last = parse_date_range(message.text or "", team_today(clock, member.team))
    except DateRangeError:
        await message.answer(t("off-bad-dates"))
        return
    await state.clear()
    await message.answer(
        t("off-ask-kind", period=period(t, first, last)), reply_markup=_kinds(t, first, last)
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.MANAGER))
    router.callback_query.filter(HasRole(Role.MANAGER))
    router.message.register(off_command, Command("off"))
    router.message.register(dates_typed, OffForm.dates, ~F.text.startswith("/"))
    router.callback_query.register(off_button, OffButton.filter())
    return router
