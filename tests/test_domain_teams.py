"""Pure rules about teams, roles and invites."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.roles import Role, commands_for, invitable_roles, may_use
from domain.teams import (
    INVITE_CODE,
    InviteProblem,
    clean_team_name,
    invite_problem,
    new_invite_code,
    parse_timezone,
)

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def test_menus_follow_roles():
    assert commands_for([]) == ["start", "help", "lang", "forget"]
    assert commands_for([Role.MANAGER]) == [
        "start",
        "help",
        "plan",
        "report",
        "off",
        "me",
        "lang",
        "forget",
    ]
    leader = ["start", "help", "team", "digest", "forecast", "reasons", "invite", "target"]
    assert commands_for([Role.HEAD]) == [*leader, "routine", "export", "settings", "lang", "forget"]
    assert commands_for([Role.OWNER]) == [*leader, "export", "settings", "lang", "forget"]
    assert commands_for([Role.OWNER, Role.MANAGER]) == [
        *["start", "help", "plan", "report", "off", "me"],
        *["team", "digest", "forecast", "reasons", "invite", "target", "export", "settings"],
        *["lang", "forget"],
    ]
    assert not may_use("invite", [Role.MANAGER])
    assert may_use("invite", [Role.MANAGER, Role.HEAD])
    assert not may_use("no-such-command", [Role.OWNER])
    assert invitable_roles([Role.MANAGER]) == []
    assert invitable_roles([Role.HEAD]) == [Role.HEAD, Role.MANAGER]


def test_timezones_as_people_type_them():
    assert parse_timezone("Europe/Moscow") == "Europe/Moscow"
    assert parse_timezone("europe/moscow") == "Europe/Moscow"
    assert parse_timezone("мск") == "Europe/Moscow"
    assert parse_timezone("UTC+5") == "Etc/GMT-5"
    assert parse_timezone("utc -3") == "Etc/GMT+3"
    assert parse_timezone("+3") == "Etc/GMT-3"
    assert parse_timezone("UTC") == "UTC"
    assert parse_timezone("UTC+15") is None
    assert parse_timezone("Mars/Olympus") is None
    assert parse_timezone("") is None
    assert parse_timezone("../../etc/passwd") is None
    # Moscow time plus N, as Russians count; a comma is not a sign; no zone past UTC-12.
    assert parse_timezone("мск+1") == "Etc/GMT-4"
    assert parse_timezone("UTC,5") is None
    assert parse_timezone("UTC-13") is None
    assert parse_timezone("UTC+5:30") == "Asia/Kolkata"


@given(st.text(max_size=200))
def test_timezone_parsing_never_raises(text: str):
    result = parse_timezone(text)
    assert result is None or ZoneInfo(result) is not None, "whatever it returns exists"


def test_team_names_are_trimmed_and_bounded():
    assert clean_team_name("  Ромашка \n ООО ") == "Ромашка ООО"
    assert clean_team_name("/start") is None
    assert clean_team_name("") is None
    assert clean_team_name(None) is None
    assert clean_team_name("x" * 64) == "x" * 64
    assert clean_team_name("x" * 65) is None


def test_invite_codes_are_unguessable_and_link_safe():
    codes = {new_invite_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(INVITE_CODE.match(code) and len(code) >= 16 for code in codes)


def test_invite_problems_in_order_of_importance():
    later = NOW + timedelta(days=1)
    assert invite_problem(now=NOW, expires_at=later, used_at=None, revoked_at=None) is None
    assert invite_problem(now=later, expires_at=later, used_at=None, revoked_at=None) == (
        InviteProblem.EXPIRED
    )
    assert invite_problem(now=NOW, expires_at=later, used_at=NOW, revoked_at=None) == (
        InviteProblem.USED
    )
    assert invite_problem(now=NOW, expires_at=later, used_at=NOW, revoked_at=NOW) == (
        InviteProblem.REVOKED
    )
