"""/target: the head or owner sets this month's (or next month's) payment targets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import day_views
from bot.callbacks import TargetButton
from bot.clock import Clock
from bot.filters import HasRole
from bot.i18n import Safe, Texts
from bot.sender import edit
from bot.timekeeping import team_today
from domain.metrics import MetricKind
from domain.numbers import NumberError, parse_number
from domain.roles import LEADERS
from models import Member
from models import targets as store

MAX_TARGET = Decimal(10) ** 12


class TargetForm(StatesGroup):
    amount = State()


def _month_number(month: date) -> int:
    return month.year * 100 + month.month


def _month_of(number: int) -> date | None:
    try:
        return date(number // 100, number % 100, 1)
    except ValueError:
        return None


def month_name(t: Texts, month: date) -> str:
    return t("month-name", m=month.month, year=str(month.year))


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


async def _managers(session: AsyncSession, team_id: int) -> list[Member]:
    result = await session.execute(
        select(Member)
        .where(Member.team_id == team_id, Member.is_manager.is_(True), Member.active.is_(True))
        .order_by(Member.full_name)
    )
    return list(result.scalars())


async def _overview(
    session: AsyncSession, t: Texts, member: Member, month: date, this_month: date
) -> tuple[str, InlineKeyboardMarkup]:
    targets = await store.month_targets(session, member.team_id, month)
    managers = await _managers(session, member.team_id)

    def amount(value: Decimal | None) -> str:
        return day_views.number(t, value) if value is not None else t("target-none")

    lines = [
        t("target-title", month=month_name(t, month)),
        "",
        t("target-team", amount=amount(targets.get(None))),
    ]
    per_manager = [targets[m.id] for m in managers if m.id in targets]
    if per_manager:
        lines.append(t("target-team-sum", amount=day_views.number(t, sum(per_manager, Decimal(0)))))
    lines += [
        t("target-line", name=m.full_name, amount=amount(targets.get(m.id))) for m in managers
    ]
    lines += ["", t("target-choose")]
    number = _month_number(month)
    rows = [
        [
            InlineKeyboardButton(
                text=t("btn-target-team"), callback_data=TargetButton(month=number).pack()
            )
        ]
    ]
    rows += [
        [
            InlineKeyboardButton(
                text=m.full_name, callback_data=TargetButton(month=number, member_id=m.id).pack()
            )
        ]
        for m in managers
    ]
    other = _next_month(this_month) if month == this_month else this_month
    label = "btn-target-next" if month == this_month else "btn-target-this"
    switch = TargetButton(month=_month_number(other), show_only=True)
    rows.append([InlineKeyboardButton(text=t(label), callback_data=switch.pack())])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


async def target_command(
    message: Message,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    await state.clear()
    this_month = store.month_start(team_today(clock, member.team))
    text, markup = await _overview(session, t, member, this_month, this_month)
    await message.answer(text, reply_markup=markup)


async def target_button(
    callback: CallbackQuery,
    callback_data: TargetButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    this_month = store.month_start(team_today(clock, member.team))
    month = _month_of(callback_data.month)
    if month not in (this_month, _next_month(this_month)):
        await callback.answer(t("form-closed"), show_alert=True)
        return
    assert month is not None
    if callback_data.show_only:
        await callback.answer()
        text, markup = await _overview(session, t, member, month, this_month)
        if isinstance(callback.message, Message):
            await edit(callback.message, text, reply_markup=markup)
        return
    who = t("target-team-who")
    if callback_data.member_id:
        target = await session.get(Member, callback_data.member_id)
        if target is None or target.team_id != member.team_id or not target.is_manager:
            await callback.answer(t("form-closed"), show_alert=True)
            return
        who = target.full_name
    await state.set_state(TargetForm.amount)
    await state.set_data({"month": callback_data.month, "member_id": callback_data.member_id})
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(t("target-ask", month=month_name(t, month), who=who))


async def amount_typed(
    message: Message,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    month = _month_of(int(data.get("month", 0)))
    member_id = int(data.get("member_id", 0)) or None
    if month is None:
        await state.clear()
        await message.answer(t("form-closed"))
        return
    try:
        amount = parse_number(message.text or "", kind=MetricKind.MONEY, max_value=MAX_TARGET)
    except NumberError as error:
        problem = t(
            "numbers-error",
            reason=error.reason.value,
            max=day_views.number(t, MAX_TARGET),
            expected=0,
            got=0,
        )
        await message.answer(t("target-bad", problem=problem))
        return
    who = t("target-team-who")
    if member_id is not None:
        target = await session.get(Member, member_id)
        if target is None or target.team_id != member.team_id:
            await state.clear()
            await message.answer(t("form-closed"))
            return
        who = target.full_name
    await store.set_target(
        session, team_id=member.team_id, member_id=member_id, month=month, amount=amount,
        set_by_id=member.id, now=clock.now(),
    )  # fmt: skip
    await session.commit()
    await state.clear()
    await message.answer(
        t("target-saved", month=month_name(t, month), who=who, amount=day_views.number(t, amount))
    )
    this_month = store.month_start(team_today(clock, member.team))
    text, markup = await _overview(session, t, member, month, this_month)
    await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(*LEADERS))
    router.callback_query.filter(HasRole(*LEADERS))
    router.message.register(target_command, Command("target"))
    router.message.register(amount_typed, TargetForm.amount, ~F.text.startswith("/"))
    router.callback_query.register(target_button, TargetButton.filter())
    return router
