"""/routine: the head logs a planning meeting, a one-on-one or a training in two taps."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import day_views
from bot.callbacks import RoutineButton, RoutineKind
from bot.clock import Clock
from bot.filters import HasRole
from bot.i18n import Safe, Texts
from bot.timekeeping import team_today
from domain.roles import Role
from models import Member, RoutineEntry
from models import targets as store


def describe(t: Texts, entry: RoutineEntry, names: dict[int, str]) -> str:
    what = t("routine-kind", kind=entry.kind)
    if entry.with_member_id is not None and entry.with_member_id in names:
        return t("routine-with", what=what, name=names[entry.with_member_id])
    return what


async def _names(session: AsyncSession, team_id: int) -> dict[int, str]:
    rows = await session.execute(
        select(Member.id, Member.full_name).where(Member.team_id == team_id)
    )
    return {member_id: name for member_id, name in rows}


async def _card(
    session: AsyncSession, t: Texts, member: Member, clock: Clock
) -> tuple[str, InlineKeyboardMarkup]:
    today = team_today(clock, member.team)
    monday = today - timedelta(days=today.weekday())
    entries = await store.routine_between(session, member.team_id, monday, today)
    names = await _names(session, member.team_id)
    lines = [t("routine-title", week=day_views.day_title(t, monday)), ""]
    lines += [
        t("routine-line", day=day_views.day_title(t, e.day), what=describe(t, e, names))
        for e in entries
    ] or [t("routine-none")]
    lines += ["", t("routine-ask")]
    buttons = [
        InlineKeyboardButton(
            text=t("btn-routine", kind=kind.value), callback_data=RoutineButton(kind=kind).pack()
        )
        for kind in RoutineKind
    ]
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=[[b] for b in buttons])


async def routine_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, clock: Clock
) -> None:
    text, markup = await _card(session, t, member, clock)
    await message.answer(text, reply_markup=markup)


async def routine_button(
    callback: CallbackQuery,
    callback_data: RoutineButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
) -> None:
    with_member: Member | None = None
    if callback_data.kind is RoutineKind.ONE_ON_ONE:
        if not callback_data.with_member_id:
            managers = list(
                (
                    await session.execute(
                        select(Member)
                        .where(Member.team_id == member.team_id, Member.is_manager.is_(True),
                               Member.active.is_(True), Member.id != member.id)
                        .order_by(Member.full_name)
                    )
                ).scalars()
            )  # fmt: skip
            await callback.answer()
            if not isinstance(callback.message, Message):
                return
            if not managers:
                await callback.message.answer(t("routine-no-managers"))
                return
            one_on_one = RoutineKind.ONE_ON_ONE
            rows = [
                [
                    InlineKeyboardButton(
                        text=m.full_name,
                        callback_data=RoutineButton(kind=one_on_one, with_member_id=m.id).pack(),
                    )
                ]
                for m in managers
            ]
            await callback.message.answer(
                t("routine-ask-who"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
            )
            return
        with_member = await session.get(Member, callback_data.with_member_id)
        if with_member is None or with_member.team_id != member.team_id:
            await callback.answer(t("form-closed"), show_alert=True)
            return
    entry = RoutineEntry(
        team_id=member.team_id, head_id=member.id, kind=callback_data.kind.value,
        with_member_id=with_member.id if with_member else None,
        day=team_today(clock, member.team), created_at=clock.now(),
    )  # fmt: skip
    session.add(entry)
    await session.commit()
    names = {with_member.id: with_member.full_name} if with_member else {}
    await callback.answer(t("routine-saved", what=describe(t, entry, names)))
    if isinstance(callback.message, Message):
        text, markup = await _card(session, t, member, clock)
        await callback.message.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.HEAD))
    router.callback_query.filter(HasRole(Role.HEAD))
    router.message.register(routine_command, Command("routine"))
    router.callback_query.register(routine_button, RoutineButton.filter())
    return router
