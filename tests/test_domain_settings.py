"""The settings rules without a bot: what a head may type, what it means, what is refused."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.metrics import MetricKind
from domain.settings import (
    DEFAULT_MAX,
    METRIC_NAME_MAX,
    DayTimes,
    Problem,
    SettingError,
    check_day_times,
    check_disable,
    clean_metric_name,
    format_time,
    moved,
    new_metric_key,
    normalize_workdays,
    parse_country,
    parse_max,
    parse_norm,
    parse_time,
    parse_whole,
    parse_zone,
    reminders_fit,
    switch_kind,
    toggle_workday,
    weekday_runs,
)


def problem_of(call: object, *args: object, **kwargs: object) -> Problem:
    assert callable(call)
    with pytest.raises(SettingError) as caught:
        call(*args, **kwargs)
    return caught.value.problem


# --- times -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18:30", time(18, 30)),
        ("9:05", time(9, 5)),
        ("09.30", time(9, 30)),
        (" 18 ", time(18, 0)),
        ("1830", time(18, 30)),
        ("930", time(9, 30)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("18ч30", time(18, 30)),
    ],
)
def test_times_as_people_type_them(typed: str, expected: time):
    assert parse_time(typed) == expected


@pytest.mark.parametrize(
    "typed", ["25:00", "24:00", "18:60", "18:5", "", "вечером", "18:30:00", "-1", "6 pm", "1" * 20]
)
def test_impossible_times_are_refused_with_the_format(typed: str):
    assert problem_of(parse_time, typed) is Problem.TIME_FORMAT


@given(st.times().map(lambda t: t.replace(second=0, microsecond=0)))
def test_a_shown_time_reads_back_as_itself(value: time):
    assert parse_time(format_time(value)) == value


@given(st.text(max_size=30))
def test_any_text_is_a_time_or_a_polite_refusal(text: str):
    try:
        value = parse_time(text)
    except SettingError as error:
        assert error.problem is Problem.TIME_FORMAT
    else:
        assert value.second == 0 and value.microsecond == 0


def test_the_day_runs_in_order():
    check_day_times(DayTimes(time(9, 30), time(18), time(20)))
    refused = problem_of(check_day_times, DayTimes(time(18), time(18), time(20)))
    assert refused is Problem.MORNING_AFTER_EVENING
    refused = problem_of(check_day_times, DayTimes(time(9), time(20, 30), time(20)))
    assert refused is Problem.EVENING_AFTER_DIGEST


def test_reminders_that_would_come_too_late_are_flagged():
    day = DayTimes(time(9, 30), time(18), time(20))
    assert reminders_fit(day, 60) == (True, True)
    assert reminders_fit(day, 120) == (True, False)
    assert reminders_fit(day, 0) == (False, False)
    assert reminders_fit(DayTimes(time(9), time(10), time(11)), 90) == (False, False)
    assert reminders_fit(DayTimes(time(9), time(23), time(23, 59)), 120) == (True, False)


# --- whole numbers ---------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [("3", 3), ("80 %", 80), ("80%", 80), ("1", 1)])
def test_whole_numbers_in_range(typed: str, expected: int):
    assert parse_whole(typed, 1, 100) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("0", Problem.OUT_OF_RANGE),
        ("101", Problem.OUT_OF_RANGE),
        ("-5", Problem.OUT_OF_RANGE),
        ("2,5", Problem.NOT_WHOLE),
        ("много", Problem.NOT_A_NUMBER),
        ("", Problem.NOT_A_NUMBER),
    ],
)
def test_whole_numbers_out_of_range_say_which_range(typed: str, problem: Problem):
    with pytest.raises(SettingError) as caught:
        parse_whole(typed, 1, 100)
    assert caught.value.problem is problem
    assert (caught.value.low, caught.value.high) == (1, 100)


@given(st.integers(1, 30), st.integers(-1000, 1000))
def test_a_whole_number_is_accepted_exactly_inside_its_range(high: int, value: int):
    try:
        assert parse_whole(str(value), 1, high) == value
    except SettingError:
        assert not 1 <= value <= high
    else:
        assert 1 <= value <= high


# --- timezones -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("asia/almaty", "Asia/Almaty"),
        ("мск", "Europe/Moscow"),
        ("UTC", "UTC"),
        ("+5", "Etc/GMT-5"),
        ("UTC+5", "Etc/GMT-5"),
        ("utc -3", "Etc/GMT+3"),
        ("GMT−4", "Etc/GMT+4"),
        ("UTC+14", "Etc/GMT-14"),
        ("UTC-12", "Etc/GMT+12"),
        ("UTC+5:30", "Asia/Kolkata"),
        ("+0545", "Asia/Kathmandu"),
        ("мск+2", "Etc/GMT-5"),
        ("МСК-1", "Etc/GMT-2"),
        ("UTC+0", "UTC"),
    ],
)
def test_timezones_by_name_or_offset(typed: str, zone: str):
    assert parse_zone(typed) == zone


def test_an_offset_means_what_it_says():
    noon = datetime(2026, 6, 1, 12)
    for typed, hours in (("+5", 5), ("UTC-3", -3), ("UTC+5:30", 5.5), ("мск+2", 5)):
        offset = noon.replace(tzinfo=ZoneInfo(parse_zone(typed))).utcoffset()
        assert offset == timedelta(hours=hours), typed


@pytest.mark.parametrize(
    "typed",
    ["Mars/Olympus", "UTC+15", "UTC-13", "+5:20", "Moscow/Europe", "", "../../etc", "x" * 80],
)
def test_unknown_timezones_are_refused(typed: str):
    assert problem_of(parse_zone, typed) is Problem.UNKNOWN_TIMEZONE


@given(st.text(max_size=70))
def test_any_text_is_a_real_zone_or_refused(text: str):
    try:
        zone = parse_zone(text)
    except SettingError as error:
        assert error.problem is Problem.UNKNOWN_TIMEZONE
    else:
        ZoneInfo(zone)  # exists in the tz database


# --- workdays and holidays -------------------------------------------------------------


def test_workdays_toggle_and_keep_one():
    assert toggle_workday("12345", 6) == "123456"
    assert toggle_workday("12345", 1) == "2345"
    assert toggle_workday("7", 1) == "17"
    assert problem_of(toggle_workday, "3", 3) is Problem.LAST_WORKDAY
    assert problem_of(toggle_workday, "12345", 8) is Problem.OUT_OF_RANGE


@given(st.sets(st.integers(1, 7), min_size=1), st.integers(1, 7))
def test_toggling_twice_is_no_change_and_never_empties(days: set[int], day: int):
    workdays = "".join(map(str, sorted(days)))
    try:
        once = toggle_workday(workdays, day)
    except SettingError:
        assert days == {day}
        return
    assert once and once == normalize_workdays(once)
    assert toggle_workday(once, day) == workdays


def test_workdays_read_as_runs():
    assert weekday_runs("12345") == [(1, 5)]
    assert weekday_runs("1357") == [(1, 1), (3, 3), (5, 5), (7, 7)]
    assert weekday_runs("12467") == [(1, 2), (4, 4), (6, 7)]


def test_holiday_countries():
    assert parse_country("ru") == "RU"
    assert parse_country(" AM ") == "AM"
    assert parse_country("нет") is None
    assert parse_country("none") is None
    for typed in ("ZZ", "RUS", "Россия", ""):
        assert problem_of(parse_country, typed) is Problem.UNKNOWN_COUNTRY


# --- metrics ---------------------------------------------------------------------------


def test_metric_names_are_kept_as_typed_within_the_rules():
    assert clean_metric_name("  <b>Звонки</b>  ") == "<b>Звонки</b>"
    assert clean_metric_name("Повторные\n  звонки") == "Повторные звонки"
    assert clean_metric_name("x" * METRIC_NAME_MAX) == "x" * METRIC_NAME_MAX
    assert problem_of(clean_metric_name, "x" * (METRIC_NAME_MAX + 1)) is Problem.NAME_TOO_LONG
    assert problem_of(clean_metric_name, " \u200b\t") is Problem.NAME_EMPTY
    assert problem_of(clean_metric_name, "150 000") is Problem.NAME_NO_LETTER
    assert problem_of(clean_metric_name, "ЗВОНКИ", ["Звонки"]) is Problem.NAME_TAKEN


@given(st.text(max_size=60))
def test_any_accepted_name_fits_the_rules(text: str):
    try:
        name = clean_metric_name(text)
    except SettingError:
        return
    assert 1 <= len(name) <= METRIC_NAME_MAX
    assert name == name.strip() and any(c.isalpha() for c in name)
    assert "\n" not in name


def test_new_keys_never_collide():
    assert new_metric_key(["calls", "m1", "m3"]) == "m2"
    assert new_metric_key([]) == "m1"


@given(st.lists(st.integers(0, 50), unique=True, min_size=1), st.data())
def test_moving_keeps_every_metric_once(order: list[int], data: st.DataObject):
    item = data.draw(st.sampled_from(order))
    step = data.draw(st.sampled_from([-1, 1]))
    result = moved(order, item, step)
    index = order.index(item)
    if not 0 <= index + step < len(order):
        assert result is None
        return
    assert result is not None and sorted(result) == sorted(order)
    assert result.index(item) == index + step


def test_the_last_active_or_the_key_metric_stays_on():
    check_disable(2, active=[1, 2], key=[1])
    assert problem_of(check_disable, 1, active=[1, 2], key=[1]) is Problem.KEY_METRIC
    assert problem_of(check_disable, 2, active=[2], key=[1]) is Problem.LAST_ACTIVE_METRIC


def test_norms_and_maximums():
    count, money = MetricKind.COUNT, MetricKind.MONEY
    assert parse_norm("25", count, Decimal(1000)) == Decimal(25)
    assert parse_norm("0", count, Decimal(1000)) == Decimal(0)
    assert parse_norm("150 тыс", money, Decimal(10**9)) == Decimal(150_000)
    assert problem_of(parse_norm, "-5", count, Decimal(1000)) is Problem.NEGATIVE
    assert problem_of(parse_norm, "2,5", count, Decimal(1000)) is Problem.FRACTION_FOR_COUNT
    assert problem_of(parse_norm, "5000", count, Decimal(1000)) is Problem.TOO_LARGE
    assert problem_of(parse_norm, "1,500", count, Decimal(10**6)) is Problem.AMBIGUOUS
    assert problem_of(parse_norm, "тридцать", count, Decimal(1000)) is Problem.NOT_A_NUMBER
    assert parse_max("200", count, Decimal(30)) == Decimal(200)
    assert problem_of(parse_max, "0", count, None) is Problem.NOT_POSITIVE
    with pytest.raises(SettingError) as caught:
        parse_max("20", count, Decimal(30))
    assert caught.value.problem is Problem.BELOW_NORM and caught.value.limit == Decimal(30)


@given(st.decimals(min_value=0, max_value=10**6, places=2), st.sampled_from(list(MetricKind)))
def test_an_accepted_norm_is_a_valid_value_of_its_metric(value: Decimal, kind: MetricKind):
    limit = DEFAULT_MAX[kind]
    try:
        norm = parse_norm(str(value), kind, limit)
    except SettingError:
        assert value > limit or (kind is MetricKind.COUNT and value % 1 != 0)
        return
    assert norm == value and 0 <= norm <= limit


def test_switching_kind_brings_a_maximum_that_fits():
    assert switch_kind(MetricKind.COUNT, None) == (MetricKind.MONEY, DEFAULT_MAX[MetricKind.MONEY])
    assert switch_kind(MetricKind.MONEY, Decimal(5000)) == (MetricKind.COUNT, Decimal(5000))
    assert switch_kind(MetricKind.MONEY, Decimal(3)) == (MetricKind.COUNT, Decimal(1000))
    assert problem_of(switch_kind, MetricKind.MONEY, Decimal("2.5")) is Problem.FRACTIONAL_NORM
