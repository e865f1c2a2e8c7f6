"""Rules about teams that need no database: names, timezones, invite codes."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TEAM_NAME_MAX = 64
# Offered as one-tap buttons when a team is created; any IANA name or UTC offset also works.
COMMON_TIMEZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Vladivostok",
    "Asia/Almaty",
    "Europe/Minsk",
    "UTC",
)

_OFFSET = re.compile(r"^(?:utc|gmt|мск)?\s*([+-−])\s*(\d{1,2})(?::?(00))?$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_team_name(text: str | None) -> str | None:
    """A team name as it will be shown, or None when it cannot be one."""
    if text is None:
        return None
    name = " ".join(_CONTROL.sub(" ", text).split())
    if not name or name.startswith("/") or len(name) > TEAM_NAME_MAX:
        return None
    return name


def parse_timezone(text: str | None) -> str | None:
    """An IANA zone name from what a person typed: `Europe/Moscow`, `UTC+5`, `+3`, `мск`.

    Offsets map to the fixed `Etc/GMT` zones, whose sign is inverted by the tz database.
    """
    if not text:
        return None
    raw = text.strip()
    if raw.lower() in {"мск", "msk", "москва", "moscow"}:
        return "Europe/Moscow"
    if raw.lower() in {"utc", "gmt", "utc+0", "utc0"}:
        return "UTC"
    match = _OFFSET.match(raw.replace(" ", ""))
    if match:
        sign, hours = match.group(1), int(match.group(2))
        if hours > 14:
            return None
        if hours == 0:
            return "UTC"
        etc_sign = "-" if sign == "+" else "+"
        return f"Etc/GMT{etc_sign}{hours}"
    if "/" not in raw or len(raw) > 64:
        return None
    for candidate in (raw, "/".join(part.capitalize() for part in raw.split("/"))):
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return candidate
    return None


def new_invite_code() -> str:
    """16 URL-safe characters (96 bits): unguessable and valid in a t.me deep link."""
    return secrets.token_urlsafe(12)


INVITE_CODE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class InviteProblem(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def invite_problem(
    *,
    now: datetime,
    expires_at: datetime,
    used_at: datetime | None,
    revoked_at: datetime | None,
) -> InviteProblem | None:
    """Why an invite can no longer be used, or None when it can."""
    if revoked_at is not None:
        return InviteProblem.REVOKED
    if used_at is not None:
        return InviteProblem.USED
    if now >= expires_at:
        return InviteProblem.EXPIRED
    return None


def invite_expiry(now: datetime, ttl_days: int) -> datetime:
    return now.astimezone(UTC) + timedelta(days=ttl_days)
