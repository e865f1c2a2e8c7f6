"""Activity slumps against a manager's own usual level, and what the head should look at first.

`detect_slump` asks, each evening, whether a manager's activity has dropped against their own
usual level: per activity metric (calls, meetings, proposals, leads) and for all of them
together. The usual level comes from the manager's own reported workdays *before* the tested
window (so a slump does not hide itself by lowering its own baseline), per weekday (their own
weekday pattern, pulled toward their overall level while a weekday has few days). Each tested
day gives the ratio of what was done to what was usual that weekday; the days' evidence of a
drop (a one-sided CUSUM of the Gaussian log-likelihood ratio "down by `design_drop`" against
"as usual", with the day-to-day spread of the manager's own ratios) adds up from the start of
the run. A slump is flagged once that evidence passes `threshold` and the run is at least
`min_drop_percent` under usual. Days off, leave and holidays are skipped; a workday without a
report is skipped too (never counted as zero).

All metrics together is the manager's flag: the ratio of each metric, weighted by how steady
it usually is, so a bad day on every metric counts once, not four times.

`rank_attention` orders the digest's managers: new problems first, long-known ones (chronic:
below the norm for weeks) last and short.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.analytics import DayFlags

History = Mapping[date, Mapping[str, Decimal]]
IsWorkday = Callable[[date], bool]


@dataclass(frozen=True, slots=True)
class SlumpRules:
    keys: tuple[str, ...] = ("calls", "meetings", "proposals", "leads")
    # Workdays at work tested (the longest run the test looks back over).
    window: int = 10
    # The usual level: up to this many reported workdays at work before the window ...
    baseline_days: int = 40
    # ... and at least this many, else no verdict (a new manager).
    min_baseline: int = 15
    lookback_days: int = 110
    # The drop the test is tuned to (0.6: 60 % under usual), the evidence it needs (the
    # log-likelihood ratio) and the least drop flagged; chosen on simulated teams other than
    # the backtest's for at most 2 % false alarms on ordinary days (bench/forecast_backtest.py).
    design_drop: float = 0.6
    threshold: float = 2.4
    min_drop_percent: int = 25
    # Pseudo-days pulling each weekday's level toward the manager's overall level.
    weekday_pseudo_days: float = 4.0
    # The smallest day-to-day spread of the ratio assumed (a steady manager still has days).
    min_spread: float = 0.08


@dataclass(frozen=True, slots=True)
class MetricSlump:
    key: str
    flagged: bool
    since: date | None  # the first workday of the run under usual (None: no run)
    workdays: int  # reported workdays in the run
    usual: Decimal  # what was usual over those days
    actual: Decimal  # what was done
    evidence: float  # the CUSUM's value today

    @property
    def drop_percent(self) -> int | None:
        """How far under usual the run is, in whole percent (35: 35 % under)."""
        if self.usual <= 0:
            return None
        return round(float(1 - self.actual / self.usual) * 100)


@dataclass(frozen=True, slots=True)
class SlumpStatus:
    """A manager's verdict today. `known` is False without enough history (no flags then)."""

    known: bool
    flagged: bool
    since: date | None
    workdays: int  # workdays at work from `since` to today (leave and days off skipped)
    drop_percent: int | None  # all metrics together, over the run
    evidence: float
    metrics: tuple[MetricSlump, ...]

    @property
    def flagged_keys(self) -> tuple[str, ...]:
        return tuple(m.key for m in self.metrics if m.flagged)


_UNKNOWN = SlumpStatus(False, False, None, 0, None, 0.0, ())


def _at_work_days(
    today: date, is_workday: IsWorkday, absences: Sequence[tuple[date, date]], lookback: int
) -> list[date]:
    """Workdays at work on or before `today`, newest first, within `lookback` days."""
    oldest = today - timedelta(days=lookback - 1)
    one = timedelta(days=1)
    away: set[date] = set()
    for first, last in absences:
        day, last = max(first, oldest), min(last, today)
        while day <= last:
            away.add(day)
            day += one
    days = []
    day = today
    while day >= oldest:
        if day not in away and is_workday(day):
            days.append(day)
        day -= one
    return days


@dataclass(slots=True)
class _Metric:
    """One metric's ratio to its usual level (per weekday) on the baseline and tested days,
    oldest first; None on a day without this metric reported."""

    key: str
    baseline: list[float | None]
    tested: list[float | None]
    expected: list[float]  # the usual level on each tested day
    spread: float  # day-to-day standard deviation of the ratio on baseline days


def _metric(
    key: str,
    rows: Sequence[Mapping[str, Decimal]],
    weekdays: Sequence[int],
    window: int,
    rules: SlumpRules,
) -> _Metric | None:
    """`rows` are the baseline days then the `window` tested days, oldest first."""
    values = [float(row[key]) if key in row else None for row in rows]
    split = len(rows) - window
    past = [(w, x) for w, x in zip(weekdays[:split], values[:split], strict=True) if x is not None]
    n = len(past)
    if n < rules.min_baseline:
        return None
    mean = sum(x for _, x in past) / n
    if mean <= 0:
        return None
    sums = [0.0] * 7
    counts = [0] * 7
    for w, x in past:
        sums[w] += x
        counts[w] += 1
    k = rules.weekday_pseudo_days
    level = [(sums[w] + k * mean) / (counts[w] + k) for w in range(7)]
    ratios = [None if x is None else x / level[w] for w, x in zip(weekdays, values, strict=True)]
    var = sum((r - 1) ** 2 for r in ratios[:split] if r is not None) / (n - 1)
    return _Metric(
        key=key,
        baseline=ratios[:split],
        tested=ratios[split:],
        expected=[level[w] for w in weekdays[split:]],
        spread=max(math.sqrt(var), rules.min_spread),
    )


def _combined(metrics: Sequence[_Metric], rules: SlumpRules) -> tuple[list[float | None], float]:
    """All metrics together: each day's ratios weighted by how steady each metric is, and the
    day-to-day spread of that combined ratio on the baseline days (metrics move together on a
    good or a bad day, so it is wider than independent metrics would give)."""
    weights = [1 / m.spread**2 for m in metrics]

    def day(index: int, tested: bool) -> float | None:
        total = weight = 0.0
        for m, w in zip(metrics, weights, strict=True):
            r = (m.tested if tested else m.baseline)[index]
            if r is not None:
                total += w * r
                weight += w
        return total / weight if weight else None

    baseline = [day(i, False) for i in range(len(metrics[0].baseline))]
    seen = [r for r in baseline if r is not None]
    var = sum((r - 1) ** 2 for r in seen) / (len(seen) - 1) if len(seen) > 1 else 0.0
    tested = [day(i, True) for i in range(len(metrics[0].tested))]
    return tested, max(math.sqrt(var), rules.min_spread)


def _cusum(ratios: Sequence[float | None], spread: float, drop: float) -> tuple[float, int | None]:
    """(the CUSUM's value after the last day, index where its current run began): the
    one-sided Gaussian log-likelihood ratio of "down by `drop`" against "as usual", summed from
    where it last was zero; days without a report are skipped."""
    q = 1 - drop
    scale = drop / (2 * spread * spread)
    score, start = 0.0, None
    for i, r in enumerate(ratios):
        if r is None:
            continue
        step = scale * (1 + q - 2 * r)
        if score + step <= 0:
            score, start = 0.0, None
        else:
            if start is None:
                start = i
            score += step
    return score, start


def _run(
    ratios: Sequence[float | None], expected: Sequence[float] | None, start: int | None
) -> tuple[float, float, int]:
    """(usual, actual, reported days) over the run from `start` (ratios x usual level)."""
    if start is None:
        return 0.0, 0.0, 0
    usual = actual = 0.0
    days = 0
    for i in range(start, len(ratios)):
        r = ratios[i]
        if r is None:
            continue
        level = expected[i] if expected is not None else 1.0
        usual += level
        actual += r * level
        days += 1
    return usual, actual, days


def _decimal(value: float) -> Decimal:
    return Decimal(repr(round(value, 1)))


def detect_slump(
    facts: History,
    today: date,
    is_workday: IsWorkday,
    absences: Iterable[tuple[date, date]] = (),
    *,
    rules: SlumpRules | None = None,
) -> SlumpStatus:
    """Whether the manager is in an activity slump today (see the module's docstring).

    Tests the last `window` workdays at work up to `today` (the days reported among them)
    against the `baseline_days` reported workdays at work before them.
    """
    rules = rules or SlumpRules()
    days = _at_work_days(today, is_workday, list(absences), rules.lookback_days)
    window = days[: rules.window][::-1]
    baseline = [d for d in days[rules.window :] if d in facts][: rules.baseline_days][::-1]
    if not any(d in facts for d in window) or len(baseline) < rules.min_baseline:
        return _UNKNOWN
    span = baseline + window
    empty: Mapping[str, Decimal] = {}
    rows = [facts.get(d, empty) for d in span]
    weekdays = [d.weekday() for d in span]
    metrics = [
        m
        for m in (_metric(key, rows, weekdays, len(window), rules) for key in rules.keys)
        if m is not None
    ]
    if not metrics:
        return _UNKNOWN
    threshold, drop_needed = rules.threshold, rules.min_drop_percent / 100
    per_metric = []
    for m in metrics:
        score, start = _cusum(m.tested, m.spread, rules.design_drop)
        usual, actual, reported = _run(m.tested, m.expected, start)
        drop = 1 - actual / usual if usual > 0 else 0.0
        per_metric.append(
            MetricSlump(
                key=m.key,
                flagged=score >= threshold and drop >= drop_needed,
                since=window[start] if start is not None else None,
                workdays=reported,
                usual=_decimal(usual),
                actual=_decimal(actual),
                evidence=round(score, 3),
            )
        )
    combined, spread = _combined(metrics, rules)
    score, start = _cusum(combined, spread, rules.design_drop)
    usual, actual, _ = _run(combined, None, start)
    drop = 1 - actual / usual if usual > 0 else 0.0
    since = window[start] if start is not None else None
    return SlumpStatus(
        known=True,
        flagged=score >= threshold and drop >= drop_needed,
        since=since,
        workdays=len(window) - start if start is not None else 0,
        drop_percent=round(drop * 100) if since is not None else None,
        evidence=round(score, 3),
        metrics=tuple(per_metric),
    )


# --- attention ranking -------------------------------------------------------------------------


class Condition(StrEnum):
    SLUMP = "slump"
    NO_REPORT = "no_report"
    FAR_BELOW_PLAN = "far_below_plan"
    BAD_STREAK = "bad_streak"
    BELOW_NORM = "below_norm"
    BEHIND_TARGET = "behind_target"


# How much each condition asks for the head's attention when it is new.
SEVERITY: dict[Condition, int] = {
    Condition.SLUMP: 5,
    Condition.NO_REPORT: 4,
    Condition.FAR_BELOW_PLAN: 3,
    Condition.BAD_STREAK: 3,
    Condition.BEHIND_TARGET: 2,
    Condition.BELOW_NORM: 1,
}


@dataclass(frozen=True, slots=True)
class Signal:
    condition: Condition
    workdays: int  # how long it has lasted, in workdays (1: since today)
    size: float = 0.0  # how big (e.g. a slump's drop in %, a gap to plan in %), for ties


@dataclass(frozen=True, slots=True)
class AttentionItem:
    key: Hashable
    signals: tuple[Signal, ...]
    # The condition the line leads with: the most severe new one, else the most severe.
    headline: Condition | None
    new: bool  # some condition appeared within the last `new_within` workdays
    # Every condition has lasted `chronic_after` workdays or more: known, keep it short.
    chronic: bool


def rank_attention(
    items: Sequence[tuple[Hashable, Sequence[Signal]]],
    *,
    new_within: int = 2,
    chronic_after: int = 10,
) -> list[AttentionItem]:
    """Order managers for the digest: new problems first (the most severe first, the bigger
    first), then the ones that are not new yet not chronic, then chronic ones; managers
    without any signal last. Stable: ties keep the input order."""
    ranked: list[tuple[tuple[int, int, float, int], AttentionItem]] = []
    for index, (key, signals) in enumerate(items):
        signals = tuple(signals)
        if not signals:
            ranked.append(((3, 0, 0.0, index), AttentionItem(key, (), None, False, False)))
            continue
        fresh = [s for s in signals if s.workdays <= new_within]
        chronic = all(s.workdays >= chronic_after for s in signals)
        lead = max(fresh or signals, key=lambda s: (SEVERITY[s.condition], s.size))
        group = 0 if fresh else (2 if chronic else 1)
        order = (group, -SEVERITY[lead.condition], -lead.size, index)
        ranked.append((order, AttentionItem(key, signals, lead.condition, bool(fresh), chronic)))
    ranked.sort(key=lambda pair: pair[0])
    return [item for _, item in ranked]


def attention_signals(
    flags: DayFlags,
    slump: SlumpStatus | None = None,
    *,
    behind_target_workdays: int = 0,
    below_norm_size: float = 0.0,
) -> tuple[Signal, ...]:
    """The digest's conditions for one manager today with how long each has lasted: a slump
    (`detect_slump`), no report, far below plan, under the norm (its streak), behind the
    monthly target (`behind_target_workdays`: how many workdays the forecast has been under the
    target; 0: it is not)."""
    found: list[Signal] = []
    if slump is not None and slump.flagged:
        found.append(
            Signal(Condition.SLUMP, max(1, slump.workdays), float(slump.drop_percent or 0))
        )
    if flags.no_report:
        found.append(Signal(Condition.NO_REPORT, max(1, flags.missed_streak)))
    if flags.far_below_plan:
        found.append(Signal(Condition.FAR_BELOW_PLAN, 1))
    if flags.below_norm or flags.under_norm_streak:
        condition = (
            Condition.BAD_STREAK
            if flags.under_norm_streak >= flags.streak_alert
            else Condition.BELOW_NORM
        )
        found.append(Signal(condition, max(1, flags.under_norm_streak), below_norm_size))
    if behind_target_workdays:
        found.append(Signal(Condition.BEHIND_TARGET, behind_target_workdays))
    return tuple(found)
