"""/team: today's status of every manager at a glance, who is in the team, and managing it.

From /team a leader opens the member list, then a member's card (roles, joined date, paused or
not, bot blocked or not) with the actions their role allows, and the list of open invites,
each revocable. Who may do what to whom is `domain.membership` (its docstring has the rules):
in short, the owner may do everything to anyone else; a head manages managers only (pause,
resume, remove) and never touches the owner or another head; nobody acts on themselves here
(that is /forget); nobody is left without a role; the last owner is never removed or demoted.

Every change is audited in its own transaction (`models.audit.record_change`), the member's
command menu is set again (`bot.menus.refresh_menu`) and they are told in their language.
A stale or forged button (another team's member, a removed one, oneself, a manager pressing a
leader's button) gets a polite answer and changes nothing.
"""

from __future__ import annotations

from contextlib import suppress
from math import ceil
from zoneinfo import ZoneInfo

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import MemberButton, TeamButton, TeamInviteRevoke, TeamView
from bot.clock import Clock
from bot.filters import HasRole
from bot.i18n import Safe, Texts, texts
from bot.menus import refresh_menu
from bot.reports import split_message
from bot.sender import deliver
from bot.timekeeping import team_today
from domain.membership import (
    CONFIRMED,
    ROLE_ACTIONS,
    Action,
    Person,
    Refusal,
    Standing,
    allowed_actions,
    can_manage,
    handover,
    may_view,
    refusal,
    role_code,
    roles_after,
    standing_of,
)
from domain.roles import LEADERS, Role, ordered
from handlers import invite as invites
from models import Member, Team, queries
from models.audit import record_change
from models.history import load_history

# Members on one page of the list (Telegram allows 100 buttons on a message).
PAGE = 20


def person(member: Member) -> Person:
    return Person(
        id=member.id,
        team_id=member.team_id,
        roles=member.roles,
        standing=standing_of(
            active=member.active, roles=member.roles, has_telegram=member.telegram_id is not None
        ),
        blocked=member.bot_blocked_at is not None,
    )


def _roles(t: Texts, roles: frozenset[Role]) -> str:
    return ", ".join(t("role-name", role=role.value) for role in ordered(roles))


def _button(text: str, data: TeamButton | MemberButton | TeamInviteRevoke) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


async def _members(session: AsyncSession, team_id: int) -> list[Member]:
    """Everyone still in the team, paused people included, by name."""
    result = await session.execute(
        select(Member).where(Member.team_id == team_id).order_by(Member.full_name, Member.id)
    )
    return [m for m in result.scalars() if person(m).standing is not Standing.REMOVED]


def _set_roles(member: Member, roles: frozenset[Role]) -> None:
    for role in Role:
        setattr(member, f"is_{role.value}", role in roles)


async def _owners(session: AsyncSession, team_id: int) -> int:
    return len(await queries.team_members_with_role(session, team_id, Role.OWNER))


async def team_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, clock: Clock
) -> None:
    today = team_today(clock, member.team)
    history = await load_history(session, member.team, today, today)
    lines = [t("team-title", team=member.team.name), "", t("team-today")]
    counts = {"reported": 0, "planned": 0, "silent": 0, "away": 0, "blocked": 0}
    for manager in history.managers:
        if manager.bot_blocked_at is not None:
            status = "blocked"
        elif any(first <= today <= last for first, last in history.absences.get(manager.id, [])):
            status = "away"
        elif today in history.facts.get(manager.id, {}):
            status = "reported"
        elif today in history.plans.get(manager.id, {}):
            status = "planned"
        else:
            status = "silent"
        counts[status] += 1
        lines.append(t("team-status-line", name=manager.full_name, status=status))
    if not history.managers:
        lines.append(t("digest-no-managers"))
    else:
        lines.append(t("team-counts", **counts))
    lines += ["", t("team-members")]
    for someone in await _members(session, member.team_id):
        handle = f" @{someone.username}" if someone.username else ""
        lines.append(
            t("team-member-line", name=someone.full_name, handle=handle,
              roles=_roles(t, someone.roles), paused="no" if someone.active else "yes")
        )  # fmt: skip
    open_invites = len(await queries.open_invites(session, member.team_id, clock.now()))
    rows = [[_button(t("btn-team-members"), TeamButton(view=TeamView.MEMBERS, new=True))]]
    if open_invites:
        lines += ["", t("team-invites-open", count=open_invites)]
        rows.append(
            [
                _button(
                    t("btn-team-invites", count=open_invites),
                    TeamButton(view=TeamView.INVITES, new=True),
                )
            ]
        )
    parts = split_message(Safe("\n".join(lines)))
    for part in parts[:-1]:
        await message.answer(part)
    await message.answer(parts[-1], reply_markup=InlineKeyboardMarkup(inline_keyboard=rows))


# Screens: each returns its text and keyboard; `_show` puts them on screen.


async def _list_screen(
    session: AsyncSession, t: Texts, actor: Member, page: int, note: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    people = [m for m in await _members(session, actor.team_id) if m.id != actor.id]
    pages = max(1, ceil(len(people) / PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [note, ""] if note else []
    lines.append(t("team-list-title", team=actor.team.name))
    if not people:
        lines.append(t("team-list-empty"))
    else:
        lines.append(t("team-list-hint", owner="yes" if actor.is_owner else "no"))
    if pages > 1:
        lines.append(t("team-list-page", page=page + 1, pages=pages))
    rows = [
        [
            _button(
                # Button labels are plain text, not markup: the name goes in as it is.
                ("⏸ " if not m.active else "") + f"{m.full_name} — {_roles(t, m.roles)}",
                TeamButton(view=TeamView.CARD, member_id=m.id, page=page),
            )
        ]
        for m in people[page * PAGE : (page + 1) * PAGE]
    ]
    nav = []
    if page > 0:
        nav.append(_button(t("btn-team-prev"), TeamButton(view=TeamView.MEMBERS, page=page - 1)))
    if page + 1 < pages:
        nav.append(_button(t("btn-team-next"), TeamButton(view=TeamView.MEMBERS, page=page + 1)))
    if nav:
        rows.append(nav)
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def _readonly_reason(actor: Member, target: Member) -> str:
    if actor.id == target.id:
        return "self"
    if not actor.is_owner and target.is_owner:
        return "owner"
    if not actor.is_owner and target.is_head:
        return "head"
    return "other"


async def _card_screen(
    session: AsyncSession, t: Texts, actor: Member, target: Member, page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    zone = ZoneInfo(actor.team.timezone)
    shown = person(target)
    handle = f" @{target.username}" if target.username else ""
    lines = [
        t("team-card-title", name=target.full_name, handle=handle),
        t("team-card-roles", roles=_roles(t, target.roles)),
        t("team-card-joined", joined=target.joined_at.astimezone(zone).date()),
        t("team-card-standing", standing=shown.standing.value),
        t("team-card-bot-blocked", since=target.bot_blocked_at.astimezone(zone).date())
        if target.bot_blocked_at is not None
        else t("team-card-bot-ok"),
    ]
    actions = allowed_actions(person(actor), shown, owners=await _owners(session, actor.team_id))
    if not actions:
        lines += ["", t("team-card-readonly", reason=_readonly_reason(actor, target))]
    rows = [
        [
            _button(
                t("btn-member-action", action=action.value),
                MemberButton(action=action, member_id=target.id),
            )
        ]
        for action in actions
    ]
    rows.append([_button(t("btn-team-back-list"), TeamButton(view=TeamView.MEMBERS, page=page))])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def _confirm_screen(
    t: Texts, actor: Member, target: Member, action: Action
) -> tuple[str, InlineKeyboardMarkup]:
    if action is Action.REMOVE:
        text = t("team-confirm-remove", name=target.full_name, team=actor.team.name)
        yes = t("btn-confirm-remove")
    else:
        stays, _ = handover(actor.roles, target.roles)
        text = t("team-confirm-transfer", name=target.full_name, team=actor.team.name,
                 roles=_roles(t, stays))  # fmt: skip
        yes = t("btn-confirm-transfer")
    rows = [
        [_button(yes, MemberButton(action=action, member_id=target.id, confirmed=True))],
        [_button(t("btn-team-cancel"), TeamButton(view=TeamView.CARD, member_id=target.id))],
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def _invites_screen(
    session: AsyncSession, t: Texts, actor: Member, clock: Clock
) -> tuple[str, InlineKeyboardMarkup]:
    zone = ZoneInfo(actor.team.timezone)
    open_now = await queries.open_invites(session, actor.team_id, clock.now())
    lines = [t("team-invites-title")]
    rows = []
    if not open_now:
        lines.append(t("team-invites-none"))
    for number, (invite, author) in enumerate(open_now, start=1):
        lines.append(
            t("team-invite-line", number=number, role=invite.role,
              until=invite.expires_at.astimezone(zone), author=author or "—")
        )  # fmt: skip
        rows.append(
            [
                _button(
                    t("btn-team-revoke", number=number, role=invite.role),
                    TeamInviteRevoke(invite_id=invite.id),
                )
            ]
        )
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


async def _show(
    callback: CallbackQuery, screen: tuple[str, InlineKeyboardMarkup], *, new: bool = False
) -> None:
    """Edit the pressed message into `screen`, or send it as a new message (from /team)."""
    if not isinstance(callback.message, Message):
        return
    text, markup = screen
    if new:
        await callback.message.answer(text, reply_markup=markup)
        return
    try:
        await callback.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        # The screen already shows exactly this (a double press): nothing to change.
        if "not modified" not in exc.message:
            raise


async def team_button(
    callback: CallbackQuery,
    callback_data: TeamButton,
    session: AsyncSession,
    member: Member | None,
    t: Texts,
    clock: Clock,
) -> None:
    if member is None or not can_manage(person(member)):
        await callback.answer(t("team-refused", reason=Refusal.NOT_LEADER.value), show_alert=True)
        return
    if callback_data.view is TeamView.MEMBERS:
        await callback.answer()
        screen = await _list_screen(session, t, member, callback_data.page)
        await _show(callback, screen, new=callback_data.new)
    elif callback_data.view is TeamView.INVITES:
        await callback.answer()
        await _show(
            callback, await _invites_screen(session, t, member, clock), new=callback_data.new
        )
    else:
        target = await session.get(Member, callback_data.member_id)
        problem = may_view(person(member), person(target) if target else None)
        if problem is not None or target is None:
            await callback.answer(t("team-refused", reason=Refusal.GONE.value), show_alert=True)
            return
        await callback.answer()
        await _show(callback, await _card_screen(session, t, member, target, callback_data.page))


async def _texts_of(session: AsyncSession, someone: Member, team: Team) -> Texts:
    language = (
        await queries.language_of(session, someone.telegram_id) if someone.telegram_id else None
    )
    return texts(language or team.locale)


async def _refresh_menu(bot: Bot, someone: Member, roles: frozenset[Role], t: Texts) -> None:
    """Set the person's command menu; a person who blocked the bot keeps whatever they had."""
    if someone.telegram_id is None:
        return
    with suppress(TelegramBadRequest, TelegramForbiddenError):
        await refresh_menu(bot, someone.telegram_id, roles, t)


async def _forget_form(bot: Bot, storage: BaseStorage, someone: Member) -> None:
    """Drop a half-filled form of someone who is paused or removed."""
    if someone.telegram_id is None:
        return
    chat = someone.telegram_id
    await FSMContext(storage, StorageKey(bot_id=bot.id, chat_id=chat, user_id=chat)).clear()


async def member_action(
    callback: CallbackQuery,
    callback_data: MemberButton,
    session: AsyncSession,
    member: Member | None,
    t: Texts,
    clock: Clock,
    bot: Bot,
    fsm_storage: BaseStorage,
) -> None:
    action = callback_data.action
    target = await session.get(Member, callback_data.member_id)
    actor = person(member) if member is not None else None
    shown = person(target) if target is not None else None
    elsewhere = (
        action is Action.REACTIVATE
        and target is not None
        and target.telegram_id is not None
        and await queries.active_elsewhere(session, target.telegram_id, target.team_id)
    )
    owners = await _owners(session, member.team_id) if member is not None else 0
    problem = refusal(actor, shown, action, owners=owners, elsewhere=elsewhere)
    if problem is not None:
        await callback.answer(t("team-refused", reason=problem.value), show_alert=True)
        if problem is Refusal.ALREADY and member is not None and target is not None:
            await _show(callback, await _card_screen(session, t, member, target))
        return
    assert member is not None and target is not None
    if action in CONFIRMED and not callback_data.confirmed:
        await callback.answer()
        await _show(callback, _confirm_screen(t, member, target, action))
        return

    team = member.team
    now = clock.now()

    def audit(subject: str, before: str, after: str, about: Member = target) -> None:
        record_change(session, team_id=team.id, actor_id=member.id, at=now, subject=subject,
                      before=before, after=after, about_member_id=about.id)  # fmt: skip

    if action in ROLE_ACTIONS:
        before = role_code(target.roles)
        _set_roles(target, roles_after(action, target.roles))
        audit("member-role", before, role_code(target.roles))
    elif action is Action.DEACTIVATE:
        target.active = False
        audit("member-deactivated", "active", "deactivated")
    elif action is Action.REACTIVATE:
        target.active = True
        audit("member-reactivated", "deactivated", "active")
    elif action is Action.REMOVE:
        before = role_code(target.roles)
        target.active = False
        _set_roles(target, frozenset())
        audit("member-removed", before, "removed")
    else:
        old_roles, new_roles = handover(member.roles, target.roles)
        audit("owner-transferred", role_code(target.roles), role_code(new_roles))
        audit("member-role", role_code(member.roles), role_code(old_roles), about=member)
        _set_roles(member, old_roles)
        _set_roles(target, new_roles)
    await session.commit()

    await callback.answer(t("team-done", action=action.value))
    told = await _texts_of(session, target, team)
    chat = target.telegram_id
    if action in ROLE_ACTIONS:
        await _refresh_menu(bot, target, target.roles, told)
        text = told("team-told-roles", actor=member.full_name, team=team.name,
                    roles=_roles(told, target.roles))  # fmt: skip
    elif action is Action.DEACTIVATE:
        await _forget_form(bot, fsm_storage, target)
        await _refresh_menu(bot, target, frozenset(), told)
        text = told("team-told-deactivated", actor=member.full_name, team=team.name)
    elif action is Action.REACTIVATE:
        await _refresh_menu(bot, target, target.roles, told)
        text = told("team-told-reactivated", team=team.name, roles=_roles(told, target.roles))
    elif action is Action.REMOVE:
        await _forget_form(bot, fsm_storage, target)
        await _refresh_menu(bot, target, frozenset(), told)
        text = told("team-told-removed", team=team.name)
    else:
        await _refresh_menu(bot, target, target.roles, told)
        await _refresh_menu(bot, member, member.roles, t)
        text = told("team-told-owner", actor=member.full_name, team=team.name)
    if chat is not None and target.bot_blocked_at is None:
        await deliver(bot, chat, text)

    if action is Action.REMOVE:
        note = t("team-removed-note", name=target.full_name)
        await _show(callback, await _list_screen(session, t, member, 0, note=note))
        return
    await _show(callback, await _card_screen(session, t, member, target))
    if action is Action.TRANSFER and isinstance(callback.message, Message):
        await callback.message.answer(
            t("team-transfer-done", team=team.name, name=target.full_name,
              roles=_roles(t, member.roles))
        )  # fmt: skip


async def revoke_from_list(
    callback: CallbackQuery,
    callback_data: TeamInviteRevoke,
    session: AsyncSession,
    member: Member | None,
    t: Texts,
    clock: Clock,
) -> None:
    if member is None or not can_manage(person(member)):
        await callback.answer(t("team-refused", reason=Refusal.NOT_LEADER.value), show_alert=True)
        return
    outcome, invite = await invites.revoke(session, callback_data.invite_id, member, clock.now())
    if invite is None:
        await callback.answer(t("form-closed"), show_alert=True)
        return
    if outcome is invites.Revoked.USED:
        await callback.answer(t("invite-already-used"), show_alert=True)
    else:
        await session.commit()
        await callback.answer(t("invite-revoked"))
    await _show(callback, await _invites_screen(session, t, member, clock))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(*LEADERS))
    router.message.register(team_command, Command("team"))
    # Buttons are not filtered by role here: a press from someone who may not manage gets a
    # specific, polite answer (domain.membership.Refusal) rather than a generic one.
    router.callback_query.register(team_button, TeamButton.filter())
    router.callback_query.register(member_action, MemberButton.filter())
    router.callback_query.register(revoke_from_list, TeamInviteRevoke.filter())
    return router
