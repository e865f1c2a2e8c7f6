"""/start: create a team, or join one with an invite code from a deep link."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import keyboards
from bot.callbacks import SetupStep, TeamSetup
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Texts, texts
from bot.menus import refresh_menu
from bot.sender import deliver, edit
from domain.roles import Role, ordered
from domain.teams import (
    COMMON_TIMEZONES,
    INVITE_CODE,
    clean_team_name,
    invite_problem,
    parse_timezone,
)
from models import Member, Team, User, queries


class CreateTeam(StatesGroup):
    name = State()
    timezone = State()


async def join_by_code(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    member: Member | None,
    user: User,
    t: Texts,
    clock: Clock,
    bot: Bot,
    state: FSMContext,
) -> None:
    assert message.from_user is not None
    code = (command.args or "").strip()
    invite = await queries.find_invite(session, code) if INVITE_CODE.match(code) else None
    if invite is None:
        await message.answer(t("invite-problem", problem="unknown"))
        return
    now = clock.now()
    problem = invite_problem(
        now=now, expires_at=invite.expires_at, used_at=invite.used_at, revoked_at=invite.revoked_at
    )
    if problem is not None:
        await message.answer(t("invite-problem", problem=problem.value))
        return
    role = Role(invite.role)
    if member is not None and member.team_id != invite.team_id:
        await message.answer(t("join-other-team", team=member.team.name))
        return
    if member is not None and role in member.roles:
        await message.answer(t("join-already", team=member.team.name, role=role.value))
        return

    joiner = member or await queries.membership_in(session, invite.team_id, message.from_user.id)
    if joiner is None:
        joiner = Member(
            team_id=invite.team_id,
            telegram_id=message.from_user.id,
            full_name=message.from_user.full_name[:128] or str(message.from_user.id),
            username=message.from_user.username,
            is_owner=False,
            is_head=False,
            is_manager=False,
            active=True,
            joined_at=now,
        )
        session.add(joiner)
    joiner.active = True
    joiner.grant(role)
    await session.flush()
    if not await queries.claim_invite(session, invite, joiner, now):
        await session.rollback()
        await message.answer(t("invite-problem", problem="used"))
        return
    await session.commit()
    await state.clear()

    team = await session.get_one(Team, invite.team_id)
    t = texts(user.language or team.locale)
    await refresh_menu(bot, message.from_user.id, joiner.roles, t)
    await message.answer(
        t(
            "join-welcome",
            team=team.name,
            role=role.value,
            morning=team.morning_at.strftime("%H:%M"),
            evening=team.evening_at.strftime("%H:%M"),
            digest=team.digest_at.strftime("%H:%M"),
        )
    )
    await _tell_leaders(session, bot, team, joiner, role)


async def _tell_leaders(
    session: AsyncSession, bot: Bot, team: Team, joiner: Member, role: Role
) -> None:
    leaders = {
        leader.id: leader
        for wanted in (Role.OWNER, Role.HEAD)
        for leader in await queries.team_members_with_role(session, team.id, wanted)
    }
    for leader in leaders.values():
        if leader.id == joiner.id or leader.telegram_id is None:
            continue
        language = await queries.language_of(session, leader.telegram_id)
        note = texts(language or team.locale)(
            "joined-notice", name=joiner.full_name, role=role.value
        )
        await deliver(bot, leader.telegram_id, note)


async def start(message: Message, member: Member | None, t: Texts, state: FSMContext) -> None:
    await state.clear()
    if member is None:
        await message.answer(t("start-newcomer"), reply_markup=keyboards.create_team(t))
        return
    roles = ", ".join(t("role-name", role=role.value) for role in ordered(member.roles))
    await message.answer(t("start-member", team=member.team.name, roles=roles))


async def begin_team(
    callback: CallbackQuery, member: Member | None, t: Texts, state: FSMContext
) -> None:
    if member is not None:
        await callback.answer(t("already-in-team", team=member.team.name), show_alert=True)
        return
    await state.set_state(CreateTeam.name)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(t("ask-team-name"))


async def team_name(message: Message, t: Texts, state: FSMContext, settings: Settings) -> None:
    name = clean_team_name(message.text)
    if name is None:
        await message.answer(t("bad-team-name"))
        return
    await state.update_data(team_name=name)
    await state.set_state(CreateTeam.timezone)
    await message.answer(
        t("ask-timezone", team=name, default=settings.default_timezone),
        reply_markup=keyboards.timezones(t, settings.default_timezone),
    )


async def timezone_button(
    callback: CallbackQuery,
    callback_data: TeamSetup,
    session: AsyncSession,
    member: Member | None,
    user: User,
    t: Texts,
    state: FSMContext,
    clock: Clock,
    bot: Bot,
) -> None:
    if not 0 <= callback_data.choice < len(COMMON_TIMEZONES):
        await callback.answer(t("form-closed"), show_alert=True)
        return
    await callback.answer()
    if isinstance(callback.message, Message):
        await edit(callback.message, reply_markup=None)
        await _create_team(
            callback.message, callback.from_user.id, callback.from_user.full_name,
            callback.from_user.username, COMMON_TIMEZONES[callback_data.choice],
            session, member, user, t, state, clock, bot,
        )  # fmt: skip


async def timezone_typed(
    message: Message,
    session: AsyncSession,
    member: Member | None,
    user: User,
    t: Texts,
    state: FSMContext,
    clock: Clock,
    bot: Bot,
) -> None:
    assert message.from_user is not None
    zone = parse_timezone(message.text)
    if zone is None:
        await message.answer(t("bad-timezone"))
        return
    await _create_team(
        message, message.from_user.id, message.from_user.full_name, message.from_user.username,
        zone, session, member, user, t, state, clock, bot,
    )  # fmt: skip


async def _create_team(
    reply_to: Message,
    telegram_id: int,
    full_name: str,
    username: str | None,
    zone: str,
    session: AsyncSession,
    member: Member | None,
    user: User,
    t: Texts,
    state: FSMContext,
    clock: Clock,
    bot: Bot,
) -> None:
    data = await state.get_data()
    name = data.get("team_name")
    await state.clear()
    if member is not None or not isinstance(name, str):
        await reply_to.answer(t("form-closed"))
        return
    owner = await queries.create_team(
        session,
        name=name,
        timezone=zone,
        locale=user.language or t.language,
        owner_telegram_id=telegram_id,
        owner_name=full_name[:128] or str(telegram_id),
        owner_username=username,
        now=clock.now(),
    )
    await session.commit()
    await refresh_menu(bot, telegram_id, owner.roles, t)
    await reply_to.answer(
        t("team-created", team=name, timezone=t.zone(zone)),
        reply_markup=keyboards.head_question(t),
    )


async def head_answer(
    callback: CallbackQuery,
    callback_data: TeamSetup,
    session: AsyncSession,
    member: Member | None,
    t: Texts,
    bot: Bot,
) -> None:
    if member is None or not member.is_owner:
        await callback.answer(t("form-closed"), show_alert=True)
        return
    await callback.answer()
    if callback_data.step == SetupStep.HEAD_YES and not member.is_head:
        member.grant(Role.HEAD)
        await session.commit()
        await refresh_menu(bot, callback.from_user.id, member.roles, t)
    key = "setup-done-head" if member.is_head else "setup-done-owner"
    if isinstance(callback.message, Message):
        await edit(callback.message, reply_markup=None)
        await callback.message.answer(t(key, team=member.team.name))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(join_by_code, CommandStart(deep_link=True))
    router.message.register(start, CommandStart())
    router.callback_query.register(begin_team, TeamSetup.filter(F.step == SetupStep.BEGIN))
    # A command while naming the team (or picking its timezone) is that command, not a name.
    router.message.register(team_name, CreateTeam.name, ~F.text.startswith("/"))
    router.callback_query.register(
        timezone_button, CreateTeam.timezone, TeamSetup.filter(F.step == SetupStep.TIMEZONE)
    )
    router.message.register(timezone_typed, CreateTeam.timezone, ~F.text.startswith("/"))
    router.callback_query.register(
        head_answer, TeamSetup.filter(F.step.in_({SetupStep.HEAD_YES, SetupStep.HEAD_NO}))
    )
    return router
