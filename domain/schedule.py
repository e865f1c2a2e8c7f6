"""What is due, and when: the schedule as a pure function of team settings and the clock.

The scheduler only ticks. On each tick it asks `due_events` which scheduled moments fell
between the previous tick and now (or, on the first tick after a start, since the beginning of
the local day: the catch-up). Whether anyone still needs the event, and whether it was already
delivered, is for the caller to check against the delivery log: "exactly once" lives there.

All times are team-local wall-clock times, turned into instants with the team's timezone for
that very date, so a DST switch moves nothing: 09:30 stays 09:30 on the clock on the wall.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class EventKind(StrEnum):
    MORNING = "morning"
    MORNING_REMINDER = "morning_reminder"
    EVENING = "evening"
    EVENING_REMINDER = "evening_reminder"
    DIGEST = "digest"
    FORECAST = "forecast"


# A send this much after its time is late: the digest then says so.
LATE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class TeamSchedule:
    team_id: int
    timezone: str
    morning_at: time
    evening_at: time
    reminder_delay: timedelta
    digest_at: time
    forecast_weekday: int  # ISO weekday, 1 = Monday
    forecast_at: time
    is_workday: Callable[[date], bool]


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    team_id: int
    day: date  # the team-local date the event belongs to
    at: datetime  # when it was due, UTC
    late: bool


def instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date.

    A time that does not exist that day (skipped by a spring-forward switch, say 02:30) is
    moved on by the length of the gap (03:30); a repeated one (autumn) is its first occurrence.
    """
    return datetime.combine(day, at, zone).astimezone(UTC)


def _add(at: time, delta: timedelta) -> time | None:
    moved = datetime.combine(date(2000, 1, 1), at) + delta
    return moved.time() if moved.date() == date(2000, 1, 1) else None


def _moments(team: TeamSchedule, day: date) -> Iterator[tuple[EventKind, time, time | None]]:
    """(kind, wall time, last useful wall time or None for "end of day") for one local date."""
    if team.is_workday(day):
        yield EventKind.MORNING, team.morning_at, team.evening_at
        if team.reminder_delay > timedelta(0):
            remind = _add(team.morning_at, team.reminder_delay)
            if remind is not None and remind < team.evening_at:
                yield EventKind.MORNING_REMINDER, remind, team.evening_at
        yield EventKind.EVENING, team.evening_at, None
        if team.reminder_delay > timedelta(0):
            remind = _add(team.evening_at, team.reminder_delay)
            if remind is not None and remind < team.digest_at:
                yield EventKind.EVENING_REMINDER, remind, team.digest_at
        yield EventKind.DIGEST, team.digest_at, None
    if day.isoweekday() == team.forecast_weekday:
        yield EventKind.FORECAST, team.forecast_at, None


def due_events(team: TeamSchedule, since: datetime, until: datetime) -> list[Event]:
    """Events whose time is in (since, until] and which are still useful at `until`.

    A morning prompt is useful until the evening prompt's time, a reminder until the next
    step; an evening prompt, digest or forecast until the end of its local day (never the
    next day). Events due more than LATE_AFTER before `until` are marked late.
    """
    zone = ZoneInfo(team.timezone)
    first_day = since.astimezone(zone).date()
    last_day = until.astimezone(zone).date()
    events: list[Event] = []
    day = first_day
    while day <= last_day:
        for kind, at, useful_until in _moments(team, day):
            when = instant(day, at, zone)
            if not since < when <= until:
                continue
            ends = (
                instant(day, useful_until, zone)
                if useful_until is not None
                else instant(day + timedelta(days=1), time(0), zone)
            )
            if until >= ends:
                continue
            events.append(Event(kind, team.team_id, day, when, late=until - when > LATE_AFTER))
        day += timedelta(days=1)
    return events


def start_of_day(now: datetime, timezone: str) -> datetime:
    """Local midnight of `now`'s date, as UTC: where a catch-up after a restart looks back to."""
    zone = ZoneInfo(timezone)
    local_day = now.astimezone(zone).date()
    return instant(local_day, time(0), zone) - timedelta(microseconds=1)
