"""The numbers behind the evening digest, the shortfall alerts and the owner's weekly forecast.

Pure functions over plain data: daily histories are `Mapping[date, Mapping[str, Decimal]]`
(metric key to value, one entry per day; a fact history has an entry only for a day that was
reported), money is Decimal, a person's leave is a list of inclusive (first, last) ranges, and
the calendar is an `is_workday(day)` callable (see `domain.calendar.is_workday`).

Every forecast carries its `Method`: a code with parameters that the bot's catalogs render in
one line; `Method.describe()` gives the English line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from enum import StrEnum
from statistics import median

from domain.daily import MetricInfo, ProgressRow, is_absent, percent, progress, working_days_between

History = Mapping[date, Mapping[str, Decimal]]
IsWorkday = Callable[[date], bool]
Absences = Iterable[tuple[date, date]]

ZERO = Decimal(0)
CENT = Decimal("0.01")
# Two-sided 80 % interval of a normal distribution (10th to 90th percentile).
Z_80 = Decimal("1.2816")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _cents_up(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_CEILING)


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def at_work(day: date, is_workday: IsWorkday, absences: Sequence[tuple[date, date]]) -> bool:
    """A workday of the team that the person was not on leave."""
    return is_workday(day) and not is_absent(day, absences)


def _reported_workdays(
    facts: History,
    key: str,
    last: date,
    count: int,
    is_workday: IsWorkday,
    absences: Sequence[tuple[date, date]],
    lookback_days: int,
) -> list[date]:
    """Up to `count` most recent workdays at work, on or before `last`, with `key` reported.

    Newest first; looks back at most `lookback_days` calendar days.
    """
    days: list[date] = []
    day = last
    for _ in range(lookback_days):
        if len(days) >= count:
            break
        if at_work(day, is_workday, absences) and key in facts.get(day, {}):
            days.append(day)
        day -= timedelta(days=1)
    return days


def _today_done(facts: History, today: date, today_done: bool | None) -> bool:
    return today in facts if today_done is None else today_done


def days_left(
    today: date,
    is_workday: IsWorkday,
    absences: Absences = (),
    *,
    today_done: bool,
) -> int:
    """Workdays at work left in the month: from tomorrow when today's report is in, else today."""
    first = today + timedelta(days=1) if today_done else today
    if first > month_end(today):
        return 0
    return working_days_between(first, month_end(today), is_workday, absences)


def month_fact(facts: History, key: str, today: date) -> Decimal:
    """The sum of `key` from the first of the month up to and including `today`."""
    first = month_start(today)
    return sum(
        (values.get(key, ZERO) for day, values in facts.items() if first <= day <= today), ZERO
    )


def combine_histories(histories: Iterable[History]) -> dict[date, dict[str, Decimal]]:
    """Several people's histories summed per day and key: the team's history."""
    total: dict[date, dict[str, Decimal]] = {}
    for history in histories:
        for day, values in history.items():
            into = total.setdefault(day, {})
            for key, value in values.items():
                into[key] = into.get(key, ZERO) + value
    return total


# --- 1. Month to date -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthToDate:
    """The money metric so far this month against the monthly target."""

    fact: Decimal
    target: Decimal | None
    days_left: int
    # What is still missing to the target (0 once reached); None without a target.
    remaining: Decimal | None
    # The daily run-rate needed over the workdays left (rounded up to cents); 0 once reached;
    # None without a target, or when the target is not reached and no workday is left.
    needed_per_day: Decimal | None

    @property
    def share(self) -> int | None:
        """Fact as a whole percentage of the target."""
        return percent(self.fact, self.target) if self.target is not None else None

    @property
    def reached(self) -> bool:
        return self.target is not None and self.fact >= self.target


def month_to_date(
    facts: History,
    key: str,
    today: date,
    target: Decimal | None,
    is_workday: IsWorkday,
    absences: Absences = (),
    *,
    today_done: bool | None = None,
) -> MonthToDate:
    """Month-to-date fact of `key` (the money metric) vs `target` and the run-rate now needed.

    `today_done`: whether today's report is in (the workdays left then start tomorrow);
    None reads it from `facts` (today has an entry). For the team, pass the combined history
    (`combine_histories`), the team's target, no absences and `today_done` explicitly (the
    combined history has today as soon as one manager reported).
    """
    done = _today_done(facts, today, today_done)
    fact = month_fact(facts, key, today)
    left = days_left(today, is_workday, list(absences), today_done=done)
    if target is None:
        return MonthToDate(fact, None, left, None, None)
    remaining = max(ZERO, target - fact)
    if remaining == 0:
        needed: Decimal | None = ZERO
    elif left == 0:
        needed = None
    else:
        needed = _cents_up(remaining / left)
    return MonthToDate(fact, target, left, remaining, needed)


# --- 2. Flags for a manager's day -------------------------------------------------------------


class Flag(StrEnum):
    ON_LEAVE = "on_leave"
    NO_REPORT = "no_report"
    BELOW_NORM = "below_norm"
    FAR_BELOW_PLAN = "far_below_plan"
    ACTIVITY_DROP = "activity_drop"
    BAD_STREAK = "bad_streak"


@dataclass(frozen=True, slots=True)
class FlagRules:
    """Thresholds for the flags (team settings)."""

    # A key metric's fact under this percentage of its plan is "far below plan".
    far_below_percent: int = 70
    # Activity trend: the last `trend_window` reported workdays of `trend_key` against, for each
    # of those days, the median of the same weekday over the `trend_weeks` weeks before them.
    trend_key: str = "calls"
    trend_window: int = 5
    trend_weeks: int = 4
    # Each day of the window needs this many same-weekday values, else there is no trend.
    trend_min_samples: int = 2
    # A drop is the window's total this many percent (or more) under the baseline.
    drop_percent: int = 30
    # Under the norm on a key metric this many workdays running raises BAD_STREAK.
    streak_alert: int = 3
    lookback_days: int = 62


@dataclass(frozen=True, slots=True)
class Trend:
    key: str
    days: int
    recent: Decimal  # the window's total
    baseline: Decimal  # the sum of the same-weekday medians
    dropped: bool

    @property
    def change(self) -> int | None:
        """Percent change against the baseline (-35 is 35 % under); None for a zero baseline."""
        share = percent(self.recent, self.baseline)
        return share - 100 if share is not None else None


@dataclass(frozen=True, slots=True)
class DayFlags:
    on_leave: bool
    no_report: bool
    below_norm: tuple[str, ...]  # key metrics whose fact is under the norm
    far_below_plan: tuple[str, ...]  # key metrics whose fact is under far_below_percent of plan
    trend: Trend | None  # None: not a workday at work, or not enough history
    # Consecutive workdays at work, ending at the day, under the norm on some key metric
    # (leave and days off are skipped; a workday without a report ends the run).
    under_norm_streak: int
    # Consecutive workdays at work, ending at the day, without a report.
    missed_streak: int
    streak_alert: int

    @property
    def flags(self) -> tuple[Flag, ...]:
        found: list[Flag] = []
        if self.on_leave:
            found.append(Flag.ON_LEAVE)
        if self.no_report:
            found.append(Flag.NO_REPORT)
        if self.below_norm:
            found.append(Flag.BELOW_NORM)
        if self.far_below_plan:
            found.append(Flag.FAR_BELOW_PLAN)
        if self.trend is not None and self.trend.dropped:
            found.append(Flag.ACTIVITY_DROP)
        if self.under_norm_streak >= self.streak_alert:
            found.append(Flag.BAD_STREAK)
        return tuple(found)


def key_below_norm(metrics: Sequence[MetricInfo], values: Mapping[str, Decimal]) -> list[str]:
    """Key metrics with a norm whose value (a fact, or a plan) is under it."""
    return [
        m.key
        for m in metrics
        if m.is_key
        and m.daily_norm is not None
        and m.key in values
        and values[m.key] < m.daily_norm
    ]


def plan_under_norm(metrics: Sequence[MetricInfo], plan: Mapping[str, Decimal]) -> list[str]:
    """Key metrics that a plan sets under the norm (for an alert), in the team's order."""
    return key_below_norm(metrics, plan)


def far_below_plan(
    metrics: Sequence[MetricInfo],
    plan: Mapping[str, Decimal],
    fact: Mapping[str, Decimal],
    threshold_percent: int = 70,
) -> list[str]:
    """Key metrics whose fact is under `threshold_percent` of a positive plan."""
    return [
        m.key
        for m in metrics
        if m.is_key
        and plan.get(m.key, ZERO) > 0
        and m.key in fact
        and fact[m.key] * 100 < plan[m.key] * threshold_percent
    ]


def activity_trend(
    facts: History,
    day: date,
    is_workday: IsWorkday,
    absences: Absences = (),
    *,
    rules: FlagRules | None = None,
) -> Trend | None:
    """The last `trend_window` reported workdays (ending at `day`) against the same weekdays
    before them, or None when the history is too short.

    For each day d of the window the baseline is the median of `trend_key` over the
    `trend_weeks` dates on d's weekday just before the window's first day (when the window is
    one week: d - 7, d - 14, d - 21, d - 28), counting those that were workdays at work with a
    report; each needs `trend_min_samples` of them. The trend is a drop when the window's total
    is at least `drop_percent` % under the sum of those medians.
    """
    rules = rules or FlagRules()
    leave = list(absences)
    key = rules.trend_key
    window = _reported_workdays(
        facts, key, day, rules.trend_window, is_workday, leave, rules.lookback_days
    )
    if len(window) < rules.trend_window:
        return None
    start = window[-1]
    recent = sum((facts[d][key] for d in window), ZERO)
    baseline = ZERO
    for d in window:
        # The same weekday in the `trend_weeks` weeks before the window starts.
        back = ((d - start).days // 7 + 1) * 7
        samples = []
        for week in range(rules.trend_weeks):
            sample_day = d - timedelta(days=back + 7 * week)
            if at_work(sample_day, is_workday, leave) and key in facts.get(sample_day, {}):
                samples.append(facts[sample_day][key])
        if len(samples) < rules.trend_min_samples:
            return None
        baseline += median(samples)
    dropped = baseline > 0 and recent * 100 <= baseline * (100 - rules.drop_percent)
    return Trend(key, len(window), recent, baseline, dropped)


def _streaks(
    metrics: Sequence[MetricInfo],
    day: date,
    facts: History,
    is_workday: IsWorkday,
    leave: Sequence[tuple[date, date]],
    lookback_days: int,
) -> tuple[int, int]:
    """(workdays without a report, workdays under the norm on a key metric), each a run of
    workdays at work ending at `day`; a run of missing reports leaves no bad-report run."""
    days = [
        day - timedelta(days=i)
        for i in range(lookback_days)
        if at_work(day - timedelta(days=i), is_workday, leave)
    ]
    missed = 0
    while missed < len(days) and days[missed] not in facts:
        missed += 1
    if missed:
        return missed, 0
    streak = 0
    for d in days:
        values = facts.get(d)
        if values is None or not key_below_norm(metrics, values):
            break
        streak += 1
    return 0, streak


def day_flags(
    metrics: Sequence[MetricInfo],
    day: date,
    plans: History,
    facts: History,
    is_workday: IsWorkday,
    absences: Absences = (),
    *,
    rules: FlagRules | None = None,
) -> DayFlags:
    """The digest's flags for one manager on `day`.

    On a day that is not a workday there are no flags; on leave only ON_LEAVE. The trend looks
    at the last reported workdays, so it is there on a day without a report too.
    """
    rules = rules or FlagRules()
    leave = list(absences)
    on_leave = is_workday(day) and is_absent(day, leave)
    working = at_work(day, is_workday, leave)
    fact = facts.get(day)
    plan = plans.get(day, {})
    below = key_below_norm(metrics, fact) if working and fact is not None else []
    far = (
        far_below_plan(metrics, plan, fact, rules.far_below_percent)
        if working and fact is not None
        else []
    )
    missed, streak = (
        _streaks(metrics, day, facts, is_workday, leave, rules.lookback_days) if working else (0, 0)
    )
    trend = activity_trend(facts, day, is_workday, leave, rules=rules) if working else None
    return DayFlags(
        on_leave=on_leave,
        no_report=working and fact is None,
        below_norm=tuple(below),
        far_below_plan=tuple(far),
        trend=trend,
        under_norm_streak=streak,
        missed_streak=missed,
        streak_alert=rules.streak_alert,
    )


# --- 3. Month-end forecast --------------------------------------------------------------------


class MethodCode(StrEnum):
    RUN_RATE = "run_rate"
    COMBINED = "combined"
    NOT_ENOUGH_DATA = "not_enough_data"
    MONTH_CLOSED = "month_closed"
    TEAM_SUM = "team_sum"
    POOLED = "pooled"  # domain/forecasting.py
    POOLED_TEAM = "pooled_team"


_TEMPLATES: dict[MethodCode, str] = {
    MethodCode.RUN_RATE: (
        "run-rate: month-to-date + mean daily fact of the last {window} workdays"
        " x {days_left} workdays left; {interval}% range from the spread of daily facts"
    ),
    MethodCode.COMBINED: (
        "{run_share}% run-rate (month-to-date + mean daily fact of the last {window} workdays"
        " x {days_left} workdays left) + {funnel_share}% funnel (money per {activities} over"
        " the last {funnel_window} workdays x planned or usual activity); {interval}% range"
        " from the spread of daily facts"
    ),
    MethodCode.NOT_ENOUGH_DATA: (
        "not enough data ({days} of {needed} workdays of history): month-to-date only"
    ),
    MethodCode.MONTH_CLOSED: "no workdays left: month-to-date is the month's result",
    MethodCode.POOLED: (
        "model: this month so far and {own}% own pace of the last {months} months"
        " ({team}% the team's), moved by recent {activities}, x {days_left} workdays left"
        " with the usual month-end push; {interval}% range"
    ),
    MethodCode.POOLED_TEAM: (
        "{managers} managers' models together (own pace of recent months pooled with the"
        " team, recent activity, this month so far, the month-end push; {new} new,"
        " {without_data} without reports); {interval}% range counting the ups and downs the"
        " team shares"
    ),
    MethodCode.TEAM_SUM: (
        "sum of {managers} managers' forecasts ({without_data} without enough data);"
        " {interval}% range as if they vary independently"
    ),
}


@dataclass(frozen=True, slots=True)
class Method:
    """How a forecast was made: a code and its parameters, for the bot's catalogs."""

    code: MethodCode
    params: tuple[tuple[str, int | str], ...] = ()

    @property
    def args(self) -> dict[str, int | str]:
        return dict(self.params)

    def describe(self) -> str:
        """The one line in English."""
        return _TEMPLATES[self.code].format(**self.args)


@dataclass(frozen=True, slots=True)
class ForecastRules:
    # Run-rate: the mean daily fact of the last `window` reported workdays.
    window: int = 10
    # Funnel: money per activity over the last `funnel_window` reported workdays.
    funnel_window: int = 20
    funnel_keys: tuple[str, ...] = ("calls", "meetings")
    # Fewer reported workdays than this: no forecast beyond month-to-date.
    min_history: int = 3
    # The funnel's weight in the point estimate (the run-rate has the rest).
    funnel_weight: Decimal = Decimal("0.5")
    # The range is point ± z standard deviations (1.2816: an 80 % interval).
    z: Decimal = Z_80
    interval_percent: int = 80
    lookback_days: int = 62


@dataclass(frozen=True, slots=True)
class Forecast:
    """The month-end forecast of the money metric, for a manager or the team.

    Invariants: month_to_date <= low <= point <= high; likelihood is 1.0 once month_to_date
    reaches the target.
    """

    month_to_date: Decimal
    target: Decimal | None
    point: Decimal
    low: Decimal
    high: Decimal
    # The probability of reaching the target (0..1, two decimals); None without a target or
    # without enough data to tell.
    likelihood: float | None
    days_left: int
    method: Method
    run_rate: Decimal | None = None  # the run-rate estimate of the month's total
    funnel: Decimal | None = None  # the funnel estimate of the month's total
    # Standard deviation of the money still to come (what `team_forecast` combines).
    spread: Decimal = ZERO
    history_days: int = 0
    has_data: bool = True

    @property
    def share_of_target(self) -> int | None:
        """The point forecast as a whole percentage of the target (for the team alert)."""
        return percent(self.point, self.target) if self.target is not None else None


def _likelihood(
    month_to_date: Decimal, point: Decimal, spread: Decimal, target: Decimal | None, known: bool
) -> float | None:
    """P(month total >= target) with the rest normally distributed around the point."""
    if target is None:
        return None
    if month_to_date >= target:
        return 1.0
    if not known:
        return None
    if spread == 0:
        return 1.0 if point >= target else 0.0
    z = float((target - point) / spread)
    # Two decimals, and never a certain 1.0 while the target is still ahead.
    return min(0.99, round(0.5 * math.erfc(z / math.sqrt(2)), 2))


def _bounds(
    month_to_date: Decimal, raw_point: Decimal, spread: Decimal, z: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    point = max(month_to_date, _cents(raw_point))
    half = _cents_up(z * spread)
    return max(month_to_date, point - half), point, point + half


def _flat(
    mtd: Decimal,
    target: Decimal | None,
    left: int,
    method: Method,
    *,
    known: bool,
    run_rate: Decimal | None = None,
    history_days: int = 0,
) -> Forecast:
    """A forecast that is just the month-to-date (no workday left, or not enough data)."""
    return Forecast(
        month_to_date=mtd,
        target=target,
        point=mtd,
        low=mtd,
        high=mtd,
        likelihood=_likelihood(mtd, mtd, ZERO, target, known),
        days_left=left,
        method=method,
        run_rate=run_rate,
        history_days=history_days,
        has_data=known,
    )


def forecast_month(
    facts: History,
    plans: History,
    key: str,
    today: date,
    target: Decimal | None,
    is_workday: IsWorkday,
    absences: Absences = (),
    *,
    today_done: bool | None = None,
    rules: ForecastRules | None = None,
) -> Forecast:
    """One manager's month-end forecast of `key` (the money metric).

    - run-rate: month-to-date + the mean daily fact over the last `window` reported workdays
      (from this month or the last) x the workdays at work left (`days_left`);
    - funnel: money per activity (each of `funnel_keys` with some activity) over the last
      `funnel_window` reported workdays, times the activity expected on each workday left
      (that day's plan if one is set, else the mean daily activity of the run-rate window);
      the estimates per activity are averaged;
    - point: the run-rate and the funnel mixed by `funnel_weight` (run-rate alone without a
      funnel), never below month-to-date;
    - range: point ± z x sd, where sd = s x sqrt(n + n²/k) for n workdays left, k days of
      history and s the standard deviation of the daily facts (the spread of n more days plus
      the uncertainty of the mean); the low end is never below month-to-date;
    - likelihood: P(total >= target) under that normal approximation.

    Deterministic: no sampling. `today_done` as in `month_to_date`.
    """
    rules = rules or ForecastRules()
    leave = list(absences)
    done = _today_done(facts, today, today_done)
    mtd = month_fact(facts, key, today)
    left = days_left(today, is_workday, leave, today_done=done)
    last_done = today if done else today - timedelta(days=1)
    if left == 0:
        return _flat(mtd, target, 0, Method(MethodCode.MONTH_CLOSED), known=True, run_rate=mtd)
    window = _reported_workdays(
        facts, key, last_done, rules.window, is_workday, leave, rules.lookback_days
    )
    if len(window) < rules.min_history:
        method = Method(
            MethodCode.NOT_ENOUGH_DATA, (("days", len(window)), ("needed", rules.min_history))
        )
        return _flat(mtd, target, left, method, known=False, history_days=len(window))
    daily = [facts[d][key] for d in window]
    k = len(daily)
    mean = sum(daily, ZERO) / k
    rate = max(ZERO, mean)
    variance = sum(((x - mean) ** 2 for x in daily), ZERO) / (k - 1) if k > 1 else ZERO
    spread = (variance * (left + Decimal(left * left) / k)).sqrt()
    run_rest = rate * left
    funnel_rest, activities, funnel_days = _funnel_rest(
        facts, plans, key, today, last_done, window, is_workday, leave, rules, done
    )
    if funnel_rest is None:
        raw = mtd + run_rest
        method = Method(
            MethodCode.RUN_RATE,
            (("window", k), ("days_left", left), ("interval", rules.interval_percent)),
        )
    else:
        weight = rules.funnel_weight
        raw = mtd + (1 - weight) * run_rest + weight * funnel_rest
        funnel_share = int((weight * 100).quantize(Decimal(1), ROUND_HALF_UP))
        method = Method(
            MethodCode.COMBINED,
            (
                ("run_share", 100 - funnel_share),
                ("funnel_share", funnel_share),
                ("window", k),
                ("days_left", left),
                ("activities", "/".join(activities)),
                ("funnel_window", funnel_days),
                ("interval", rules.interval_percent),
            ),
        )
    low, point, high = _bounds(mtd, raw, spread, rules.z)
    return Forecast(
        month_to_date=mtd,
        target=target,
        point=point,
        low=low,
        high=high,
        likelihood=_likelihood(mtd, point, spread, target, True),
        days_left=left,
        method=method,
        run_rate=_cents(mtd + run_rest),
        funnel=_cents(mtd + funnel_rest) if funnel_rest is not None else None,
        spread=spread,
        history_days=k,
    )


def _funnel_rest(
    facts: History,
    plans: History,
    key: str,
    today: date,
    last_done: date,
    recent: Sequence[date],
    is_workday: IsWorkday,
    leave: Sequence[tuple[date, date]],
    rules: ForecastRules,
    today_done: bool,
) -> tuple[Decimal | None, list[str], int]:
    """(money expected over the workdays left by the funnel, activities used, days of history).

    The conversion comes from the longer funnel window, the usual daily activity from the
    `recent` (run-rate) window, so a recent slump in activity shows.
    """
    window = _reported_workdays(
        facts, key, last_done, rules.funnel_window, is_workday, leave, rules.lookback_days
    )
    if len(window) < rules.min_history:
        return None, [], len(window)
    money = max(ZERO, sum((facts[d][key] for d in window), ZERO))
    first = today + timedelta(days=1) if today_done else today
    ahead = []
    day = first
    while day <= month_end(today):
        if at_work(day, is_workday, leave):
            ahead.append(day)
        day += timedelta(days=1)
    estimates: list[Decimal] = []
    used: list[str] = []
    for activity in rules.funnel_keys:
        done = sum((facts[d].get(activity, ZERO) for d in window), ZERO)
        if done <= 0:
            continue
        usual = sum((facts[d].get(activity, ZERO) for d in recent), ZERO) / len(recent)
        expected = sum((max(ZERO, plans.get(d, {}).get(activity, usual)) for d in ahead), ZERO)
        estimates.append(money / done * expected)
        used.append(activity)
    if not estimates:
        return None, [], len(window)
    return sum(estimates, ZERO) / len(estimates), used, len(window)


def team_forecast(
    parts: Sequence[Forecast],
    target: Decimal | None,
    *,
    settled: Decimal = ZERO,
    rules: ForecastRules | None = None,
) -> Forecast:
    """The team's forecast: the sum of the managers' forecasts.

    point and month-to-date are the sums of the managers' (so each manager's contribution adds
    up exactly); the spread is the root of the sum of their squared spreads (managers vary
    independently), so the team's range is narrower than the sum of their ranges. A manager
    without enough data contributes the month-to-date with no spread. The likelihood is
    unknown only when no manager has enough data.

    `settled` is the money this month of people no longer in the team: counted in every
    figure, with nothing more to come from them.
    """
    rules = rules or ForecastRules()
    mtd = sum((p.month_to_date for p in parts), settled)
    point = sum((p.point for p in parts), settled)
    spread = sum((p.spread**2 for p in parts), ZERO).sqrt()
    half = _cents_up(rules.z * spread)
    low, high = max(mtd, point - half), point + half
    known = any(p.has_data for p in parts)
    without = sum(1 for p in parts if not p.has_data)
    method = Method(
        MethodCode.TEAM_SUM,
        (
            ("managers", len(parts)),
            ("without_data", without),
            ("interval", rules.interval_percent),
        ),
    )
    # A manager without a run-rate (not enough data) adds the month-to-date; without a funnel,
    # the run-rate.
    runs = [p.run_rate if p.run_rate is not None else p.month_to_date for p in parts]
    funnels = [
        p.funnel if p.funnel is not None else run for p, run in zip(parts, runs, strict=True)
    ]
    runs.append(settled)
    funnels.append(settled)
    return Forecast(
        month_to_date=mtd,
        target=target,
        point=point,
        low=low,
        high=high,
        likelihood=_likelihood(mtd, point, spread, target, known),
        days_left=max((p.days_left for p in parts), default=0),
        method=method,
        run_rate=sum(runs, ZERO) if any(p.run_rate is not None for p in parts) else None,
        funnel=sum(funnels, ZERO) if any(p.funnel is not None for p in parts) else None,
        spread=spread,
        history_days=max((p.history_days for p in parts), default=0),
        has_data=known,
    )


# --- 4. Weekly stats --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekStats:
    workdays: int  # workdays at work in the week
    activity: list[ProgressRow]  # per metric: sum of facts vs norm x workdays at work
    reports_on_time: int
    # Share (whole %) of the workdays at work with a report submitted on time; None: no workday.
    discipline: int | None
    accuracy_key: str | None
    # Plan accuracy on `accuracy_key`, whole %: 100 - the mean of |fact - plan| / plan over the
    # workdays at work with a positive plan and a report, floored at 0 (100 = exactly as
    # planned; a day 40 % off either way costs 40 points). None: no such day.
    plan_accuracy: int | None
    accuracy_days: int


def week_stats(
    metrics: Sequence[MetricInfo],
    first: date,
    last: date,
    plans: History,
    facts: History,
    submitted_on_time: Mapping[date, bool],
    is_workday: IsWorkday,
    absences: Absences = (),
    *,
    accuracy_key: str | None = None,
) -> WeekStats:
    """One manager's week [first, last]. `accuracy_key` defaults to the first key metric.

    Activity counts every reported day in the week (work on a day off counts too) against the
    norm over the workdays at work only.
    """
    leave = list(absences)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    working = [d for d in days if at_work(d, is_workday, leave)]
    activity = progress(metrics, [facts[d] for d in days if d in facts], len(working))
    on_time = sum(1 for d in working if submitted_on_time.get(d, False))
    if accuracy_key is None:
        accuracy_key = next((m.key for m in metrics if m.is_key), None)
    errors: list[Decimal] = []
    if accuracy_key is not None:
        for d in working:
            plan = plans.get(d, {}).get(accuracy_key)
            fact = facts.get(d, {}).get(accuracy_key)
            if plan is not None and plan > 0 and fact is not None:
                errors.append(abs(fact - plan) / plan)
    accuracy = None
    if errors:
        mean_error = sum(errors, ZERO) / len(errors)
        accuracy = int((max(ZERO, 1 - mean_error) * 100).quantize(Decimal(1), ROUND_HALF_UP))
    return WeekStats(
        workdays=len(working),
        activity=activity,
        reports_on_time=on_time,
        discipline=percent(Decimal(on_time), Decimal(len(working))),
        accuracy_key=accuracy_key,
        plan_accuracy=accuracy,
        accuracy_days=len(errors),
    )
