"""Every inline button's data, in one place. Handlers re-check each press against the database."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from domain.daily import EntryKind
from domain.membership import Action as MemberAction
from domain.roles import Role

# A row id as the database keeps it (a 32-bit integer column). Button data can be forged, so a
# press with a larger number is refused as malformed before it reaches a query, where SQLite
# and PostgreSQL would fail on it.
RowId = Annotated[int, Field(ge=0, le=2**31 - 1)]
# A date as YYYYMMDD and a month as YYYYMM: a forged one far beyond any calendar is malformed.
DayNumber = Annotated[int, Field(ge=0, le=99_991_231)]
MonthNumber = Annotated[int, Field(ge=0, le=999_912)]


class SetupStep(StrEnum):
    BEGIN = "begin"
    TIMEZONE = "tz"
    HEAD_YES = "head_yes"
    HEAD_NO = "head_no"


class TeamSetup(CallbackData, prefix="setup"):
    step: SetupStep
    # For TIMEZONE: index into domain.teams.COMMON_TIMEZONES (keeps the data under 64 bytes).
    choice: int = 0


class InviteRole(CallbackData, prefix="invite"):
    role: Role


class InviteRevoke(CallbackData, prefix="revoke"):
    invite_id: RowId


class Language(CallbackData, prefix="lang"):
    language: str


class FormAction(StrEnum):
    AS_YESTERDAY = "y"
    NORMS = "n"
    STEPS = "s"
    SUGGESTED = "v"
    REASON = "r"
    NO_COMMENT = "c"
    CONFIRM = "ok"
    EDIT = "e"
    OPEN = "o"


class DayButton(CallbackData, prefix="day"):
    """A button on a plan or report form; `day` (YYYYMMDD) closes it when the day is over."""

    kind: EntryKind
    day: DayNumber
    action: FormAction
    # The metric key for SUGGESTED, the Reason value for REASON.
    choice: str = ""


class OffAction(StrEnum):
    TODAY = "today"
    TOMORROW = "tomorrow"
    DATES = "dates"
    KIND = "kind"
    CANCEL = "cancel"


class OffButton(CallbackData, prefix="off"):
    action: OffAction
    # YYYYMMDD of the chosen period, for KIND.
    first: DayNumber = 0
    last: DayNumber = 0
    kind: str = ""
    absence_id: RowId = 0


class TargetButton(CallbackData, prefix="target"):
    """Pick whose target to set (member 0: the team's) for a month (YYYYMM)."""

    month: MonthNumber
    member_id: RowId = 0
    show_only: bool = False


class RoutineKind(StrEnum):
    PLANNING = "planning"
    ONE_ON_ONE = "one_on_one"
    TRAINING = "training"


class RoutineButton(CallbackData, prefix="routine"):
    kind: RoutineKind
    with_member_id: RowId = 0


class ExportPeriod(StrEnum):
    THIS_MONTH = "this"
    LAST_MONTH = "last"
    CUSTOM = "custom"


class ExportButton(CallbackData, prefix="export"):
    period: ExportPeriod


class PrivacyAction(StrEnum):
    FORGET = "forget"
    FORGET_CONFIRM = "forget_ok"
    DELETE_TEAM = "delete_team"
    DELETE_TEAM_CONFIRM = "delete_team_ok"


class PrivacyButton(CallbackData, prefix="privacy"):
    action: PrivacyAction


# /team member management (handlers/team.py); the actions are the domain's own enum.


class TeamView(StrEnum):
    MEMBERS = "members"
    CARD = "card"
    INVITES = "invites"


class TeamButton(CallbackData, prefix="team"):
    """Navigate the /team menus; `new` opens the screen as a new message (from the overview)."""

    view: TeamView
    member_id: RowId = 0
    page: int = 0
    new: bool = False


class MemberButton(CallbackData, prefix="member"):
    """An action on a member's card; remove and ownership handover ask first (`confirmed`)."""

    action: MemberAction
    member_id: RowId
    confirmed: bool = False


class TeamInviteRevoke(CallbackData, prefix="team_revoke"):
    """Revoke an open invite from the /team invite list (which is then shown again)."""

    invite_id: RowId


class SettingsAction(StrEnum):
    HOME = "home"
    SECTION = "sec"
    ASK = "ask"
    PICK = "pick"
    METRIC = "metric"
    METRIC_DO = "mdo"
    NEW_KIND = "newkind"
    CLOSE = "close"


class SettingsButton(CallbackData, prefix="cfg"):
    """A /settings button: `what` is a section, a field or a metric operation, `value` a
    one-tap value (see handlers/settings.py). The metric id is re-checked against the team."""

    action: SettingsAction
    what: str = ""
    value: str = ""
    metric_id: RowId = 0
