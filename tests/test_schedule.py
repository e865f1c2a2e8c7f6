"""The schedule as a pure function: wall-clock times across DST, holidays and catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import is_workday
from domain.schedule import EventKind, TeamSchedule, due_events, instant, start_of_day


def team(zone: str = "Europe/Moscow", country: str | None = "RU", **changes) -> TeamSchedule:
    values = dict(
        team_id=1, timezone=zone, morning_at=time(9, 30), evening_at=time(18, 0),
        reminder_delay=timedelta(hours=1), digest_at=time(20, 0), forecast_weekday=1,
        forecast_at=time(9, 0), is_workday=lambda day: is_workday(day, "12345", country),
    )  # fmt: skip
    values.update(changes)
    return TeamSchedule(**values)  # type: ignore[arg-type]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def ticking(schedule: TeamSchedule, begin: datetime, end: datetime, minutes: int = 1):
    """Events as a scheduler ticking every `minutes` sees them."""
    events, moment = [], begin
    while moment < end:
        later = moment + timedelta(minutes=minutes)
        events += due_events(schedule, moment, later)
        moment = later
    return events


def test_a_workday_in_moscow():
    events = ticking(team(), utc(2026, 11, 22, 21), utc(2026, 11, 23, 20, 59))
    local = {e.kind: e.at.astimezone(ZoneInfo("Europe/Moscow")).time() for e in events}
    assert local == {
        EventKind.FORECAST: time(9, 0), EventKind.MORNING: time(9, 30),
        EventKind.MORNING_REMINDER: time(10, 30), EventKind.EVENING: time(18, 0),
        EventKind.EVENING_REMINDER: time(19, 0), EventKind.DIGEST: time(20, 0),
    }  # fmt: skip
    assert all(e.day == date(2026, 11, 23) for e in events)


def test_no_prompts_on_weekends_and_public_holidays():
    saturday = due_events(team(), utc(2026, 11, 27, 21), utc(2026, 11, 28, 20, 59))
    assert saturday == []
    unity_day = due_events(team(), utc(2026, 11, 3, 21), utc(2026, 11, 4, 20, 59))
    assert unity_day == []


def test_wall_time_holds_across_dst_switch():
    berlin = team("Europe/Berlin", None)
    before = ticking(berlin, utc(2026, 10, 23, 0), utc(2026, 10, 23, 23))
    after = ticking(berlin, utc(2026, 10, 26, 0), utc(2026, 10, 26, 23))
    morning = {e.day: e.at for e in before + after if e.kind is EventKind.MORNING}
    assert morning[date(2026, 10, 23)] == utc(2026, 10, 23, 7, 30)  # CEST, UTC+2
    assert morning[date(2026, 10, 26)] == utc(2026, 10, 26, 8, 30)  # CET, UTC+1


def test_a_time_skipped_by_spring_forward_is_moved_by_the_gap():
    zone = ZoneInfo("Europe/Berlin")
    at = instant(date(2026, 3, 29), time(2, 30), zone)
    assert at == utc(2026, 3, 29, 1, 30)
    assert at.astimezone(zone).time() == time(3, 30)


def test_catch_up_after_downtime_is_same_day_and_only_while_useful():
    moscow = team()
    now = utc(2026, 11, 23, 12)  # 15:00 in Moscow; the bot was down since the night
    events = due_events(moscow, start_of_day(now, "Europe/Moscow"), now)
    kinds = {e.kind: e.late for e in events}
    assert kinds == {
        EventKind.FORECAST: True,
        EventKind.MORNING: True,
        EventKind.MORNING_REMINDER: True,
    }
    evening_now = utc(2026, 11, 23, 16)  # 19:00: the morning is over, the evening is on
    later = {
        e.kind for e in due_events(moscow, start_of_day(evening_now, "Europe/Moscow"), evening_now)
    }
    assert EventKind.MORNING not in later and EventKind.EVENING in later
    next_day = utc(2026, 11, 24, 5)
    assert all(
        e.day == date(2026, 11, 24)
        for e in due_events(moscow, start_of_day(next_day, "Europe/Moscow"), next_day)
    )


def test_reminders_off_when_delay_is_zero():
    quiet = team(reminder_delay=timedelta(0))
    events = ticking(quiet, utc(2026, 11, 22, 21), utc(2026, 11, 23, 20, 59))
    assert {e.kind for e in events} == {
        EventKind.FORECAST,
        EventKind.MORNING,
        EventKind.EVENING,
        EventKind.DIGEST,
    }


ZONES = [
    "Europe/Moscow",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Vladivostok",
    "Australia/Sydney",
    "UTC",
]


@settings(max_examples=100, deadline=None, derandomize=True)
@given(
    zone=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1)),
    steps=st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=2000),
)
def test_ticks_of_any_length_emit_each_event_once_and_on_time(zone, start, steps):
    """However the clock is chopped into ticks of up to five minutes (a busy or a late
    scheduler), each event comes out exactly once, and no later than its tick."""
    schedule = team(zone, None)
    begin = start.replace(tzinfo=UTC)
    end = begin + timedelta(minutes=sum(steps))
    seen, moment = [], begin
    for minutes in steps:
        later = moment + timedelta(minutes=minutes)
        for event in due_events(schedule, moment, later):
            assert timedelta(0) <= later - event.at <= timedelta(minutes=5)
            assert not event.late
            seen.append((event.kind, event.day))
        moment = later
    assert len(set(seen)) == len(seen)
    assert seen == [(e.kind, e.day) for e in ticking(schedule, begin, end)]
