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

_OFFSET = re.compile(r"^(utc|gmt|мск|msk)?([+\-−–])(\d{1,2})(?:[:.]?(\d{2}))?$", re.IGNORECASE)
MOSCOW_OFFSET = 3
# Offsets that are not whole hours have no Etc/GMT zone: a city that keeps that offset all
# year (no daylight saving) stands for it.
_ODD_OFFSETS = {
    (1, 3, 30): "Asia/Tehran",
    (1, 4, 30): "Asia/Kabul",
    (1, 5, 30): "Asia/Kolkata",
    (1, 5, 45): "Asia/Kathmandu",
    (1, 6, 30): "Asia/Yangon",
    (1, 8, 45): "Australia/Eucla",
    (1, 9, 30): "Australia/Darwin",
    (-1, 9, 30): "Pacific/Marquesas",
}
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
    """An IANA zone from what a person typed: `Asia/Almaty`, `мск`, `мск+2`, `+5`, `UTC-3`,
    `UTC+5:30`; None when it is none. The result always exists in the tz database.

    Whole-hour offsets are the fixed `Etc/GMT` zones (UTC-12 … UTC+14), whose sign the tz
    database inverts; half-hour ones a city that keeps that offset all year.
    """
    raw = " ".join((text or "").split())
    if not raw or len(raw) > 64:
        return None
    if raw.lower() in {"мск", "msk", "москва", "moscow"}:
        return "Europe/Moscow"
    if raw.lower() in {"utc", "gmt"}:
        return "UTC"
    match = _OFFSET.match(raw.replace(" ", ""))
    if match:
        return _offset_zone(match)
    if "/" not in raw:
        return None
    for candidate in (raw, "/".join(part.capitalize() for part in raw.split("/"))):
        if _exists(candidate):
            return candidate
    return None


def _offset_zone(match: re.Match[str]) -> str | None:
    sign = -1 if match.group(2) in "-−–" else 1
    hours, minutes = int(match.group(3)), int(match.group(4) or 0)
    if (match.group(1) or "").lower() in {"мск", "msk"}:
        # Moscow time plus or minus N, as Russians count: МСК+2 is UTC+5.
        total = MOSCOW_OFFSET + sign * hours
        sign, hours = (-1 if total < 0 else 1), abs(total)
    if minutes:
        return _ODD_OFFSETS.get((sign, hours, minutes))
    if hours == 0:
        return "UTC"
    if (sign > 0 and hours > 14) or (sign < 0 and hours > 12):
        return None
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def _exists(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


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
