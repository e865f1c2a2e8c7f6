"""Working backwards from the monthly target: the money a workday still needs, and about how
many calls, meetings and proposals a day that means through the manager's own recent funnel.

    pace = needed_pace(facts, today, target, is_workday, absences)
    pace.money_per_day                  # e.g. 48 000.00 a workday for the rest of the month
    pace.activity("calls").needed_per_day   # e.g. 41.3 calls a day (usual: 33.0)

The funnel is the money per activity over the manager's last `window` reported workdays at
work (money and activity of the same days: a rough, recent conversion, not a lagged model).
For the team pass the combined history (`domain.analytics.combine_histories`), no absences and
`today_done` explicitly, as for `domain.analytics.month_to_date`: the team's numbers are then
per team workday.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from domain.analytics import combine_histories, month_to_date
from domain.daily import is_absent

History = Mapping[date, Mapping[str, Decimal]]
IsWorkday = Callable[[date], bool]
ZERO = Decimal(0)
TENTH = Decimal("0.1")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PaceRules:
    money_key: str = "revenue"
    activity_keys: tuple[str, ...] = ("calls", "meetings", "proposals")
    window: int = 20  # reported workdays at work behind the funnel and the usual level
    lookback_days: int = 62


@dataclass(frozen=True, slots=True)
class ActivityPace:
    key: str
    usual_per_day: Decimal  # mean per reported workday over the window (one decimal)
    # Money per one activity over the window; None without a funnel (no such activity, or no
    # money from it).
    money_per_unit: Decimal | None
    # Activities a workday left needs for the target (one decimal, rounded up); None without a
    # funnel or without a money target per day; 0 once the target is reached.
    needed_per_day: Decimal | None

    @property
    def change_percent(self) -> int | None:
        """Needed against usual, in whole percent (+25: a quarter more than usual)."""
        if self.needed_per_day is None or self.usual_per_day <= 0:
            return None
        share = self.needed_per_day * 100 / self.usual_per_day
        return int(share.quantize(Decimal(1), ROUND_HALF_UP)) - 100


@dataclass(frozen=True, slots=True)
class Pace:
    month_to_date: Decimal
    target: Decimal | None
    remaining: Decimal | None  # still missing to the target (0 once reached); None: no target
    days_left: int
    # Money a workday left needs (rounded up to cents); 0 once reached; None without a target,
    # or when the target is not reached and no workday is left.
    money_per_day: Decimal | None
    usual_money_per_day: Decimal | None  # mean over the window; None without history
    history_days: int
    activities: tuple[ActivityPace, ...]

    def activity(self, key: str) -> ActivityPace | None:
        return next((a for a in self.activities if a.key == key), None)


def _recent_days(
    facts: History,
    last: date,
    is_workday: IsWorkday,
    absences: list[tuple[date, date]],
    rules: PaceRules,
) -> list[date]:
    days: list[date] = []
    day = last
    for _ in range(rules.lookback_days):
        if len(days) >= rules.window:
            break
        if day in facts and is_workday(day) and not is_absent(day, absences):
            days.append(day)
        day -= timedelta(days=1)
    return days


def needed_pace(
    facts: History,
    today: date,
    target: Decimal | None,
    is_workday: IsWorkday,
    absences: Iterable[tuple[date, date]] = (),
    *,
    today_done: bool | None = None,
    rules: PaceRules | None = None,
) -> Pace:
    """The money per workday left that reaches `target`, and the activity it takes through
    the recent funnel. `today_done` as in `domain.analytics.month_to_date` (None: today's
    report is in when `facts` has today)."""
    rules = rules or PaceRules()
    leave = list(absences)
    mtd = month_to_date(
        facts, rules.money_key, today, target, is_workday, leave, today_done=today_done
    )
    done = today in facts if today_done is None else today_done
    last = today if done else today - timedelta(days=1)
    window = _recent_days(facts, last, is_workday, leave, rules)
    money = sum((facts[d].get(rules.money_key, ZERO) for d in window), ZERO)
    per_day = mtd.needed_per_day
    activities = []
    for key in rules.activity_keys:
        done_units = sum((facts[d].get(key, ZERO) for d in window), ZERO)
        usual = (done_units / len(window)).quantize(TENTH, ROUND_HALF_UP) if window else ZERO
        per_unit: Decimal | None = None
        needed: Decimal | None = None
        if done_units > 0 and money > 0:
            per_unit = (money / done_units).quantize(CENT, ROUND_HALF_UP)
            if per_day is not None:
                needed = (per_day * done_units / money).quantize(TENTH, ROUND_CEILING)
        activities.append(ActivityPace(key, usual, per_unit, needed))
    return Pace(
        month_to_date=mtd.fact,
        target=target,
        remaining=mtd.remaining,
        days_left=mtd.days_left,
        money_per_day=per_day,
        usual_money_per_day=(money / len(window)).quantize(CENT, ROUND_HALF_UP) if window else None,
        history_days=len(window),
        activities=tuple(activities),
    )


def team_pace(
    histories: Iterable[History],
    today: date,
    target: Decimal | None,
    is_workday: IsWorkday,
    *,
    today_done: bool,
    rules: PaceRules | None = None,
) -> Pace:
    """The team's pace: the managers' histories combined, per team workday (no one's leave)."""
    return needed_pace(
        combine_histories(histories), today, target, is_workday, today_done=today_done, rules=rules
    )


@dataclass(frozen=True, slots=True)
class PlanGap:
    """Where a day's plan falls short of the pace: the money, and the activities (keys) planned
    below what the funnel says a day needs."""

    money: bool
    activities: tuple[str, ...]


def plan_gap(pace: Pace, plan: Mapping[str, Decimal], money_key: str) -> PlanGap | None:
    """The shortfall of a day's `plan` against `pace`; None when the plan keeps the pace, when
    nothing is needed any more (no target, reached, or no workday left), or when the plan
    names neither the money nor an activity with a funnel."""
    needed = pace.money_per_day
    if needed is None or needed <= 0:
        return None
    planned = plan.get(money_key)
    money = planned is not None and planned < needed
    activities = tuple(
        a.key
        for a in pace.activities
        if a.needed_per_day is not None
        and a.key in plan
        and plan[a.key] < a.needed_per_day.to_integral_value(ROUND_CEILING)
    )
    return PlanGap(money, activities) if money or activities else None
