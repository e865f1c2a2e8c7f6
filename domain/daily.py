"""The manager's day in plain data: forms, norms, shortfalls, days off, edit windows."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.metrics import MetricKind


class EntryKind(StrEnum):
    PLAN = "plan"
    FACT = "fact"


class Reason(StrEnum):
    """Why a key metric fell short of plan, as the manager picks it."""

    NO_ANSWER = "no_answer"
    POSTPONED = "postponed"
    SICK = "sick"
    INTERNAL = "internal"
    OTHER = "other"


class AbsenceKind(StrEnum):
    DAY_OFF = "day_off"
    SICK = "sick"
    VACATION = "vacation"


@dataclass(frozen=True, slots=True)
class MetricInfo:
    """What the daily loop needs to know about one of the team's metrics."""

    key: str
    kind: MetricKind
    daily_norm: Decimal | None
    max_value: Decimal
    is_key: bool


Values = Mapping[str, Decimal]


def norm_values(metrics: Sequence[MetricInfo]) -> dict[str, Decimal]:
    """The plan "by the norms": only metrics that have a norm; the rest are asked."""
    return {m.key: m.daily_norm for m in metrics if m.daily_norm is not None}


def missing(metrics: Sequence[MetricInfo], values: Values) -> list[str]:
    """Metrics still to be asked, in the team's order."""
    return [m.key for m in metrics if m.key not in values]


def below_norm(metrics: Sequence[MetricInfo], values: Values) -> list[str]:
    return [
        m.key
        for m in metrics
        if m.daily_norm is not None and m.key in values and values[m.key] < m.daily_norm
    ]


def percent(fact: Decimal, plan: Decimal) -> int | None:
    """Fact as a whole percentage of plan; None where no plan was set (0 or missing)."""
    if plan <= 0:
        return None
    return int((fact * 100 / plan).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def key_shortfalls(metrics: Sequence[MetricInfo], plan: Values, fact: Values) -> list[str]:
    """Key metrics whose fact is under today's plan: these ask for a reason."""
    return [
        m.key
        for m in metrics
        if m.is_key and m.key in plan and m.key in fact and fact[m.key] < plan[m.key]
    ]


def is_absent(day: date, absences: Iterable[tuple[date, date]]) -> bool:
    return any(first <= day <= last for first, last in absences)


def edits_are_late(now_local: datetime, day: date, digest_at: time) -> bool:
    """After the digest for `day` has gone out, a change is an amendment, marked in history."""
    return now_local.replace(tzinfo=None) >= datetime.combine(day, digest_at)


def form_is_current(form_day: date, today: date) -> bool:
    """A form (or its buttons) belongs to one day; yesterday's is closed."""
    return form_day == today


_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")
_RANGE_SPLIT = re.compile(r"\s*(?:-|–|—|\.\.|по|to)\s*(?=\d)")
MAX_ABSENCE_DAYS = 62


class DateRangeError(ValueError):
    pass


def parse_day(text: str, today: date) -> date:
    """`25.11`, `25.11.2026`, `25/11/26`; a day without a year is the next such date."""
    match = _DATE.match(text.strip())
    if not match:
        raise DateRangeError(text)
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    if year_text is None:
        year = today.year
    else:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        result = date(year, month, day)
    except ValueError as exc:
        raise DateRangeError(text) from exc
    if year_text is None and result < today - timedelta(days=31):
        result = result.replace(year=year + 1)
    return result


def parse_date_range(text: str, today: date) -> tuple[date, date]:
    """One day or a range, as people type it: `25.11`, `25.11-27.11`, `25.11.2026 по 2.12.2026`.

    Ranges may not end in the past nor be longer than two months.
    """
    parts = _RANGE_SPLIT.split(text.strip(), maxsplit=1)
    first = parse_day(parts[0], today)
    last = parse_day(parts[1], today) if len(parts) == 2 else first
    if len(parts) == 2 and last < first and parts[1].count(".") + parts[1].count("/") < 2:
        last = last.replace(year=last.year + 1)
    if last < first or last < today or (last - first).days >= MAX_ABSENCE_DAYS:
        raise DateRangeError(text)
    return first, last


class Stage(StrEnum):
    """Where a half-filled form stands; each stage waits for one kind of answer."""

    NUMBERS = "numbers"
    STEP = "step"
    REASON = "reason"
    REASON_TEXT = "reason_text"
    COMMENT = "comment"
    CARD = "card"


@dataclass(slots=True)
class Form:
    """A plan or report being filled in. Plain data, stored as JSON between messages."""

    kind: EntryKind
    day: date
    values: dict[str, Decimal]
    reason: Reason | None = None
    reason_text: str | None = None
    comment: str | None = None
    comment_done: bool = False
    # Set when the entry was already submitted: confirming again is an edit.
    editing: bool = False
    # The manager chose to answer one metric at a time.
    stepwise: bool = False

    def to_data(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "day": self.day.isoformat(),
            "values": {key: str(value) for key, value in self.values.items()},
            "reason": self.reason.value if self.reason else None,
            "reason_text": self.reason_text,
            "comment": self.comment,
            "comment_done": self.comment_done,
            "editing": self.editing,
            "stepwise": self.stepwise,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, object]) -> Form | None:
        """The form kept in conversation state, or None when there is none (or it is garbled)."""
        try:
            values = data["values"]
            assert isinstance(values, dict)
            reason = data.get("reason")
            return cls(
                kind=EntryKind(str(data["kind"])),
                day=date.fromisoformat(str(data["day"])),
                values={str(k): Decimal(str(v)) for k, v in values.items()},
                reason=Reason(str(reason)) if reason else None,
                reason_text=_opt_str(data.get("reason_text")),
                comment=_opt_str(data.get("comment")),
                comment_done=bool(data.get("comment_done")),
                editing=bool(data.get("editing")),
                stepwise=bool(data.get("stepwise")),
            )
        except (KeyError, ValueError, AssertionError, ArithmeticError):
            return None


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def next_stage(form: Form, metrics: Sequence[MetricInfo], plan: Values) -> tuple[Stage, str | None]:
    """What to ask next: a missing metric, then (for a report) the reason for a key shortfall
    and a comment, then the confirmation card."""
    if not form.values and not form.stepwise:
        return Stage.NUMBERS, None
    still = missing(metrics, form.values)
    if still:
        return Stage.STEP, still[0]
    if form.kind is EntryKind.FACT:
        if form.reason is None and key_shortfalls(metrics, plan, form.values):
            return Stage.REASON, None
        if form.reason is Reason.OTHER and not form.reason_text:
            return Stage.REASON_TEXT, None
        if not form.comment_done:
            return Stage.COMMENT, None
    return Stage.CARD, None


COMMENT_MAX = 1000


def clean_comment(text: str | None) -> str | None:
    """A comment as it will be stored: trimmed, bounded, None when empty."""
    if text is None:
        return None
    # NUL is no character to keep, and PostgreSQL refuses to store it.
    cleaned = text.replace("\x00", "").strip()
    return cleaned[:COMMENT_MAX] if cleaned else None


def day_from_number(number: int) -> date | None:
    """A YYYYMMDD number (as buttons carry it) back to a date; None for a forged one."""
    try:
        return date(number // 10000, number // 100 % 100, number % 100)
    except ValueError:
        return None


def day_number(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True, slots=True)
class ProgressRow:
    key: str
    fact: Decimal
    norm_total: Decimal | None

    @property
    def share_of_norm(self) -> int | None:
        return percent(self.fact, self.norm_total) if self.norm_total is not None else None


def progress(
    metrics: Sequence[MetricInfo], facts: Iterable[Values], working_days: int
) -> list[ProgressRow]:
    """Sum of facts per metric against the norm over the days the person was due to work."""
    totals = {m.key: Decimal(0) for m in metrics}
    for day_values in facts:
        for key, value in day_values.items():
            if key in totals:
                totals[key] += value
    return [
        ProgressRow(
            m.key,
            totals[m.key],
            m.daily_norm * working_days if m.daily_norm is not None else None,
        )
        for m in metrics
    ]


def working_days_between(
    first: date,
    last: date,
    is_workday: Callable[[date], bool],
    absences: Iterable[tuple[date, date]] = (),
) -> int:
    """Workdays in [first, last] the person was not on leave."""
    ranges = list(absences)
    count, day = 0, first
    while day <= last:
        if is_workday(day) and not is_absent(day, ranges):
            count += 1
        day += timedelta(days=1)
    return count


MAX_EXPORT_DAYS = 366


def parse_period(text: str, today: date) -> tuple[date, date]:
    """A past period for a report or an export: `1.10-31.10`, `01.10.2026 - 15.11.2026`.

    A date without a year is the latest such date not after today; at most a year long.
    """
    parts = _RANGE_SPLIT.split(text.strip(), maxsplit=1)
    if len(parts) != 2:
        raise DateRangeError(text)
    first, last = (_past_day(part, today) for part in parts)
    if last < first or (last - first).days >= MAX_EXPORT_DAYS:
        raise DateRangeError(text)
    return first, last


def _past_day(text: str, today: date) -> date:
    match = _DATE.match(text.strip())
    if not match:
        raise DateRangeError(text)
    day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
    year = (
        today.year if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
    )
    try:
        result = date(year, month, day)
    except ValueError as exc:
        raise DateRangeError(text) from exc
    if year_text is None and result > today:
        result = result.replace(year=year - 1)
    if result > today:
        raise DateRangeError(text)
    return result
