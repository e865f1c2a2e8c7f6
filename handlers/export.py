"""/export: a period's plans and facts as an XLSX file and a CSV file."""

from __future__ import annotations

from datetime import date, timedelta

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import ExportButton, ExportPeriod
from bot.clock import Clock
from bot.export import build_csv, build_xlsx
from bot.filters import HasRole
from bot.i18n import Texts
from bot.timekeeping import team_today
from domain.daily import DateRangeError, parse_period
from domain.roles import LEADERS
from models import Member
from models.history import load_history


class ExportForm(StatesGroup):
    dates = State()


async def export_command(message: Message, t: Texts, state: FSMContext) -> None:
    await state.clear()
    buttons = [
        [
            InlineKeyboardButton(
                text=t("btn-export", period=period.value),
                callback_data=ExportButton(period=period).pack(),
            )
        ]
        for period in ExportPeriod
    ]
    await message.answer(
        t("export-ask"), reply_markup=InlineKeyboardMarkup(inline_keyboard=buttons)
    )


async def export_button(
    callback: CallbackQuery,
    callback_data: ExportButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    today = team_today(clock, member.team)
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    if callback_data.period is ExportPeriod.CUSTOM:
        await state.set_state(ExportForm.dates)
        await callback.message.answer(t("export-ask-dates"))
        return
    first = today.replace(day=1)
    if callback_data.period is ExportPeriod.LAST_MONTH:
        first = (first - timedelta(days=1)).replace(day=1)
        last = today.replace(day=1) - timedelta(days=1)
    else:
        last = today
    await _send(callback.message, session, member, t, first, last)


async def dates_typed(
    message: Message,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    try:
        first, last = parse_period(message.text or "", team_today(clock, member.team))
    except DateRangeError:
        await message.answer(t("export-bad-dates"))
        return
    await state.clear()
    await _send(message, session, member, t, first, last)


async def _send(
    message: Message, session: AsyncSession, member: Member, t: Texts, first: date, last: date
) -> None:
    history = await load_history(session, member.team, first, last)
    name = f"{member.team.name[:30]}_{first:%Y-%m-%d}_{last:%Y-%m-%d}".replace(" ", "_")
    period = t("period-range", first=first, last=last)
    await message.answer_document(
        BufferedInputFile(build_xlsx(t, history, first, last), filename=f"{name}.xlsx"),
        caption=t("export-caption", period=period, managers=len(history.managers)),
    )
    await message.answer_document(
        BufferedInputFile(build_csv(t, history, first, last), filename=f"{name}.csv")
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(*LEADERS))
    router.callback_query.filter(HasRole(*LEADERS))
    router.message.register(export_command, Command("export"))
    router.message.register(dates_typed, ExportForm.dates, ~F.text.startswith("/"))
    router.callback_query.register(export_button, ExportButton.filter())
    return router
