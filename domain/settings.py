"""Team settings as pure rules: what a head of sales may type into /settings and what it means.

No aiogram, no database. Every refusal is a `SettingError` whose `problem` names a catalog
variant, so the bot can say precisely what to type instead; nothing here guesses.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache

import holidays

from domain.metrics import MetricKind
from domain.numbers import NumberError, NumberReason, parse_number
from domain.teams import parse_timezone


class Problem(StrEnum):
    """Why a typed value is refused; stable values for the catalog's `settings-problem`."""

    TIME_FORMAT = "time_format"
    NOT_A_NUMBER = "not_a_number"
    NOT_WHOLE = "not_whole"
    OUT_OF_RANGE = "out_of_range"
    MORNING_AFTER_EVENING = "morning_after_evening"
    EVENING_AFTER_DIGEST = "evening_after_digest"
    LAST_WORKDAY = "last_workday"
    UNKNOWN_TIMEZONE = "unknown_timezone"
    UNKNOWN_COUNTRY = "unknown_country"
    NAME_EMPTY = "name_empty"
    NAME_TOO_LONG = "name_too_long"
    NAME_NO_LETTER = "name_no_letter"
    NAME_TAKEN = "name_taken"
    LAST_ACTIVE_METRIC = "last_active_metric"
    KEY_METRIC = "key_metric"
    INACTIVE_KEY = "inactive_key"
    NEGATIVE = "negative"
    NOT_POSITIVE = "not_positive"
    TOO_LARGE = "too_large"
    BELOW_NORM = "below_norm"
    FRACTION_FOR_COUNT = "fraction_for_count"
    TOO_MANY_DECIMALS = "too_many_decimals"
    AMBIGUOUS = "ambiguous"
    FRACTIONAL_NORM = "fractional_norm"


class SettingError(ValueError):
    """A value that cannot be a setting. `low`/`high` bound a range; `limit` is a number the
    value must not cross (the maximum, or the norm for a maximum)."""

    def __init__(
        self,
        problem: Problem,
        *,
        low: int | None = None,
        high: int | None = None,
        limit: Decimal | None = None,
    ) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.low = low
        self.high = high
        self.limit = limit


# --- times -----------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})(?:\s*[:.\-hч]\s*(\d{2}))?\s*$", re.IGNORECASE)
_TIME_GLUED = re.compile(r"^(\d{1,2})(\d{2})$")


def parse_time(text: str | None) -> time:
    """A wall-clock time as people type it: `18:30`, `9:05`, `18.30`, `18`, `1830`."""
    raw = (text or "").strip()
    if len(raw) > 16:
        raise SettingError(Problem.TIME_FORMAT)
    match = _TIME.match(raw) or _TIME_GLUED.match(raw)
    if not match:
        raise SettingError(Problem.TIME_FORMAT)
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        raise SettingError(Problem.TIME_FORMAT)
    return time(hours, minutes)


def format_time(value: time) -> str:
    return value.strftime("%H:%M")


@dataclass(frozen=True, slots=True)
class DayTimes:
    morning: time
    evening: time
    digest: time


def check_day_times(times: DayTimes) -> None:
    """The day runs in order: the morning question, the evening one, then the digest.

    A morning prompt is only useful until the evening one, and a digest before the reports
    would report nothing, so anything else is refused (the scheduler would silently skip it).
    """
    if times.morning >= times.evening:
        raise SettingError(Problem.MORNING_AFTER_EVENING)
    if times.evening >= times.digest:
        raise SettingError(Problem.EVENING_AFTER_DIGEST)


def _plus(at: time, minutes: int) -> time | None:
    moved = datetime.combine(date(2000, 1, 1), at) + timedelta(minutes=minutes)
    return moved.time() if moved.date() == date(2000, 1, 1) else None


def reminders_fit(times: DayTimes, delay_minutes: int) -> tuple[bool, bool]:
    """(morning reminder goes out, evening reminder goes out) with this delay: each must come
    before the next step of the day (as domain.schedule decides); a delay of 0 sends none."""
    if delay_minutes <= 0:
        return False, False
    morning = _plus(times.morning, delay_minutes)
    evening = _plus(times.evening, delay_minutes)
    return (
        morning is not None and morning < times.evening,
        evening is not None and evening < times.digest,
    )


# --- whole numbers in a range ----------------------------------------------------------

REMINDER_DELAYS = (0, 30, 60, 90, 120)
REMINDER_MAX = 240
THRESHOLDS: dict[str, tuple[int, int]] = {
    "alert_streak_days": (1, 30),
    "alert_forecast_percent": (1, 100),
    "far_below_plan_percent": (1, 100),
    "activity_drop_percent": (1, 100),
}


def parse_whole(text: str | None, low: int, high: int) -> int:
    """A whole number in [low, high]: `3`, `80`, `80 %`, `80%`."""
    raw = (text or "").strip().rstrip("%").strip()
    if len(raw) > 16:
        raise SettingError(Problem.NOT_A_NUMBER, low=low, high=high)
    try:
        value = parse_number(raw, kind=MetricKind.COUNT)
    except NumberError as error:
        problem = {
            NumberReason.NEGATIVE: Problem.OUT_OF_RANGE,
            NumberReason.TOO_LARGE: Problem.OUT_OF_RANGE,
            NumberReason.FRACTION_FOR_COUNT: Problem.NOT_WHOLE,
        }.get(error.reason, Problem.NOT_A_NUMBER)
        raise SettingError(problem, low=low, high=high) from error
    if not low <= value <= high:
        raise SettingError(Problem.OUT_OF_RANGE, low=low, high=high)
    return int(value)


# --- timezone --------------------------------------------------------------------------


def parse_zone(text: str | None) -> str:
    """An IANA zone from what a person typed (see `domain.teams.parse_timezone`)."""
    zone = parse_timezone(text)
    if zone is None:
        raise SettingError(Problem.UNKNOWN_TIMEZONE)
    return zone


# --- workdays --------------------------------------------------------------------------

WEEKDAYS = range(1, 8)


def normalize_workdays(workdays: str) -> str:
    """ISO weekday digits, each once, in order: "51 2" is "125"."""
    return "".join(str(day) for day in WEEKDAYS if str(day) in workdays)


def toggle_workday(workdays: str, day: int) -> str:
    """`workdays` with `day` (ISO, 1 = Monday) switched; the last workday cannot go."""
    if day not in WEEKDAYS:
        raise SettingError(Problem.OUT_OF_RANGE, low=1, high=7)
    current = set(normalize_workdays(workdays))
    current ^= {str(day)}
    if not current:
        raise SettingError(Problem.LAST_WORKDAY)
    return normalize_workdays("".join(current))


def weekday_runs(workdays: str) -> list[tuple[int, int]]:
    """Consecutive runs of workdays, for "Mon–Fri" rather than "Mon, Tue, Wed, Thu, Fri"."""
    days = [int(d) for d in normalize_workdays(workdays)]
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# --- public holidays -------------------------------------------------------------------

HOLIDAY_CHOICES = ("RU", "KZ", "BY", "UZ", "UA", "US", "GB", "DE")
_NO_HOLIDAYS = {"-", "—", "нет", "без", "без праздников", "none", "no", "off"}


@cache
def supported_countries() -> frozenset[str]:
    """Two-letter codes the `holidays` package knows."""
    return frozenset(code for code in holidays.list_supported_countries() if len(code) == 2)


def parse_country(text: str | None, supported: Collection[str] | None = None) -> str | None:
    """A two-letter country code the holiday calendar knows, or None for "no holidays"."""
    raw = " ".join((text or "").split()).lower()
    if raw in _NO_HOLIDAYS:
        return None
    code = raw.upper()
    known = supported_countries() if supported is None else supported
    if len(code) != 2 or code not in known:
        raise SettingError(Problem.UNKNOWN_COUNTRY)
    return code


# --- metrics ---------------------------------------------------------------------------

METRIC_NAME_MAX = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clean_metric_name(text: str | None, taken: Iterable[str] = ()) -> str:
    """A metric's name as the team will see it: 1–40 characters with at least one letter,
    not another metric's name (in any case). Kept as typed otherwise, markup included: it is
    escaped wherever it is shown."""
    name = " ".join(_CONTROL.sub(" ", text or "").split())
    if not name:
        raise SettingError(Problem.NAME_EMPTY)
    if len(name) > METRIC_NAME_MAX:
        raise SettingError(Problem.NAME_TOO_LONG, high=METRIC_NAME_MAX)
    if not any(char.isalpha() for char in name):
        raise SettingError(Problem.NAME_NO_LETTER)
    if name.casefold() in {other.casefold() for other in taken}:
        raise SettingError(Problem.NAME_TAKEN)
    return name


def new_metric_key(existing: Iterable[str]) -> str:
    """A key no metric of the team has: `m1`, `m2`, …"""
    used = set(existing)
    number = 1
    while f"m{number}" in used:
        number += 1
    return f"m{number}"


def moved(order: Sequence[int], item: int, step: int) -> list[int] | None:
    """`order` with `item` moved one place up (step -1) or down (+1); None at the edge."""
    if item not in order or step not in (-1, 1):
        return None
    index = order.index(item)
    target = index + step
    if not 0 <= target < len(order):
        return None
    result = list(order)
    result[index], result[target] = result[target], result[index]
    return result


def check_disable(metric_id: int, active: Collection[int], key: Collection[int]) -> None:
    """A metric may be switched off unless it is the last one on, or the key metric (the one
    the digest, the reasons and the plan accuracy follow): another must take that role first."""
    if metric_id in key:
        raise SettingError(Problem.KEY_METRIC)
    if set(active) - {metric_id} == set():
        raise SettingError(Problem.LAST_ACTIVE_METRIC)


DEFAULT_MAX = {MetricKind.COUNT: Decimal(1000), MetricKind.MONEY: Decimal(1_000_000_000)}
# The largest maximum: what domain.numbers accepts at all.
MAX_LIMIT = Decimal(10) ** 15

_NUMBER_PROBLEMS = {
    NumberReason.NEGATIVE: Problem.NEGATIVE,
    NumberReason.TOO_LARGE: Problem.TOO_LARGE,
    NumberReason.FRACTION_FOR_COUNT: Problem.FRACTION_FOR_COUNT,
    NumberReason.TOO_MANY_DECIMALS: Problem.TOO_MANY_DECIMALS,
    NumberReason.AMBIGUOUS: Problem.AMBIGUOUS,
}


def _number(text: str | None, kind: MetricKind, limit: Decimal) -> Decimal:
    try:
        return parse_number(text or "", kind=kind, max_value=limit)
    except NumberError as error:
        problem = _NUMBER_PROBLEMS.get(error.reason, Problem.NOT_A_NUMBER)
        raise SettingError(problem, limit=limit) from error


def parse_norm(text: str | None, kind: MetricKind, max_value: Decimal) -> Decimal:
    """A daily norm: zero or more, whole for a count, at most the metric's maximum."""
    return _number(text, kind, max_value)


def parse_max(text: str | None, kind: MetricKind, norm: Decimal | None) -> Decimal:
    """The largest sane daily value: more than zero and not under the norm."""
    value = _number(text, kind, MAX_LIMIT)
    if value <= 0:
        raise SettingError(Problem.NOT_POSITIVE)
    if norm is not None and value < norm:
        raise SettingError(Problem.BELOW_NORM, limit=norm)
    return value


def other_kind(kind: MetricKind) -> MetricKind:
    return MetricKind.MONEY if kind is MetricKind.COUNT else MetricKind.COUNT


def switch_kind(kind: MetricKind, norm: Decimal | None) -> tuple[MetricKind, Decimal]:
    """(the new kind, the maximum that goes with it): the new kind's default maximum (a count's
    guard against typos would cap payments, a money one guards nothing for calls), raised to
    the norm if that is higher. A count cannot take a norm with kopecks."""
    new = other_kind(kind)
    if new is MetricKind.COUNT and norm is not None and norm != norm.to_integral_value():
        raise SettingError(Problem.FRACTIONAL_NORM)
    limit = DEFAULT_MAX[new]
    return new, limit if norm is None else max(limit, norm)
