"""Keyboards are pure functions of the data they show and the reader's texts."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import InviteRevoke, InviteRole, Language, SetupStep, TeamSetup
from bot.i18n import LANGUAGES, Texts
from domain.roles import Role
from domain.teams import COMMON_TIMEZONES


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def create_team(t: Texts) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=t("btn-create-team"), callback_data=TeamSetup(step=SetupStep.BEGIN).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def timezones(t: Texts, default: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=("✓ " if zone == default else "") + t.zone(zone),
            callback_data=TeamSetup(step=SetupStep.TIMEZONE, choice=index).pack(),
        )
        for index, zone in enumerate(COMMON_TIMEZONES)
    ]
    return InlineKeyboardMarkup(inline_keyboard=_rows(buttons, 2))


def head_question(t: Texts) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("btn-head-yes"), callback_data=TeamSetup(step=SetupStep.HEAD_YES).pack()
                )
            ],
            [
                InlineKeyboardButton(
                    text=t("btn-head-no"), callback_data=TeamSetup(step=SetupStep.HEAD_NO).pack()
                )
            ],
        ]
    )


def invite_roles(t: Texts, roles: list[Role]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=t("role-name", role=role.value), callback_data=InviteRole(role=role).pack()
        )
        for role in roles
    ]
    return InlineKeyboardMarkup(inline_keyboard=_rows(buttons, 1))


def revoke_invite(t: Texts, invite_id: int) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=t("btn-revoke-invite"), callback_data=InviteRevoke(invite_id=invite_id).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


def languages(t: Texts) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=("✓ " if lang == t.language else "") + t("language-name", language=lang),
            callback_data=Language(language=lang).pack(),
        )
        for lang in LANGUAGES
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])
