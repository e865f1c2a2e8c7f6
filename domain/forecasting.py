"""The month-end forecast as a model of each manager's pace, pooled with the team.

What a run-rate ignores and this model uses (pure functions over the same plain data as
`domain.analytics`: daily fact histories, leave as (first, last) ranges, an `is_workday`
calendar):

- each manager's own money per workday over the last `history_months` months (recent months
  weigh more; a rare big deal is capped and its share spread over the team), pooled with the
  team's money per workday scaled by the manager's activity (empirical Bayes on the log scale:
  the weight follows how much the team's managers really differ and how noisy each one's
  history is; a newcomer starts from a share of the team's pace);
- the activity funnel: recent activity (calls, meetings, proposals over the last 10 reported
  workdays) against the manager's usual activity moves their expected pace;
- this month so far (the count of paid deals x the manager's usual deal where deals are
  reported, else the money), weighed against that prior by how much a month can differ from
  the usual (learned from the team's past months) against the luck of a few deals;
- the team's shared ups and downs (a market month): estimated from the whole team's month so
  far and counted once for everybody in the team's range (managers are not independent);
- the remaining workdays by the production calendar and known leave, each weighted by the
  month-position effect learned from the team's past months (a slow start, a month-end push),
  with that effect's own uncertainty shared by everyone;
- recent workdays without a report yet count as still to come (late reports).

The range and the likelihood come from a predictive distribution of the money still to come:
a gamma distribution with the model's mean and variance (never negative, skewed while few
deals are ahead); the point is its median (as likely under as over), so the managers' points
add up to about the team's, not exactly. `Forecast.run_rate` keeps the simple run-rate (month
to date + mean daily fact of the last 10 reported workdays x workdays left) beside it as a
cross-check; a manager's `Forecast.funnel` is their own money per activity x recent activity
over the workdays left.

The method is a `domain.analytics.Method` with code `POOLED` (a manager) or `POOLED_TEAM`.

    team = forecast_team(managers, today, team_target, is_workday, settled=former_money)
    team.team, team.managers[key]                            # Forecasts
    prior = team_prior(managers, today, is_workday)           # or reuse team.prior
    one = forecast_manager(managers[0], today, is_workday, prior=prior)

Measured on simulated team-months in bench/forecast_backtest.py (see bench/README.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

from domain.analytics import Forecast, History, Method, MethodCode, month_end, month_start

IsWorkday = Callable[[date], bool]
ZERO = Decimal(0)
CENT = Decimal("0.01")
START, BODY, END = 0, 1, 2
_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True)
class ModelRules:
    money_key: str = "revenue"
    activity_keys: tuple[str, ...] = ("calls", "meetings", "proposals")
    # Full months of history before the current one (the bot should load ~125 days).
    history_months: int = 4
    # Recent activity and the cross-check run-rate: the last this-many reported workdays;
    # usual activity: the last `activity_days` reported workdays before this month.
    activity_window: int = 10
    activity_days: int = 40
    # The month-position buckets: the first `start_days` and the last `end_days` workdays.
    start_days: int = 2
    end_days: int = 5
    # A month's weight relative to the month after it in the manager's usual pace.
    recency: float = 0.75
    # How much of a change in activity carries into money for the rest of the month.
    activity_elasticity: float = 0.5
    # Pseudo manager-days pulling each month-position factor toward 1.
    position_pseudo_days: float = 60.0
    # Pseudo days pulling a manager's day-to-day spread toward the team's.
    dispersion_pseudo_days: float = 30.0
    # Unreported workdays among the last this-many are still expected (late reports).
    pending_days: int = 2
    # Priors of the variance components (relative, squared) and their pseudo-observations:
    # between managers (skill), a manager's month vs their usual, the team's month vs usual.
    skill_var: float = 0.15
    month_var: float = 0.03
    shock_var: float = 0.01
    variance_pseudo: float = 8.0
    shock_pseudo: float = 3.0
    shock_floor: float = 0.002
    month_floor: float = 0.01
    # A first report this many days or more into the window: the manager started within it.
    started_after: int = 15
    # Less history than this (exposure, ~workdays) is a new manager: this share of the team's
    # pace (scaled by their activity), with this relative variance.
    min_history: float = 10.0
    new_manager_share: float = 0.5
    new_manager_var: float = 0.5
    # Paid deals: this month's count (x the manager's usual deal) tells the pace with less luck
    # than its money. None: not tracked.
    deals_key: str | None = "deals"
    size_pseudo_deals: float = 5.0
    # A day's money over this many times the manager's median paying day counts as a big deal.
    tail_cap: float = 4.0
    interval: float = 0.8
    # The luck of money is measured over stretches of this many reported workdays.
    block_days: int = 5
    # The predictive variance x this: what the model leaves out (measured on simulated teams
    # other than the backtest's: bench/forecast_backtest.py, seed 2).
    variance_scale: float = 1.3


@dataclass(frozen=True, slots=True)
class ManagerInput:
    """What the bot has for one manager: facts (~4 months), leave (with the days before they
    joined as a range, as `bot.reports.absences_of` gives it) and this month's target."""

    key: Hashable
    facts: History
    absences: Sequence[tuple[date, date]] = ()
    target: Decimal | None = None


@dataclass(frozen=True, slots=True)
class TeamPrior:
    """What the team teaches about each manager's month (see `team_prior`)."""

    # Money per workday in the first workdays, the middle and the last workdays of a month,
    # relative to the month's average (1.0 = no effect).
    position: tuple[float, float, float]
    position_var: tuple[float, float, float]  # their relative uncertainty
    rate: float  # the team's money per workday at work (past months)
    activity: tuple[float, ...]  # the team's activity per reported workday, per activity key
    usual_rate: float  # the median manager's money per workday
    dispersion: float  # the median manager's luck of a day (variance / mean, money units)
    noise: float  # the same for days capped at big deals
    skill_var: float  # between managers, relative
    month_var: float  # a manager's month against their usual, relative
    shock_var: float  # the team's month against its usual (prior), relative
    tail: float = 1.0  # all money / money with each day capped (big deals, see `_tails`)
    deal_size: float = 0.0  # the team's money per paid deal (0: deals not tracked)
    shock: float = 1.0  # this month's shared factor so far (1.0: as usual)
    shock_post_var: float = 0.0  # its remaining uncertainty
    current_rate: float = 0.0  # the team's money per workday this month so far
    managers: int = 0


@dataclass(frozen=True, slots=True)
class TeamForecast:
    team: Forecast  # the team's, `settled` included
    managers: dict[Hashable, Forecast]  # by `ManagerInput.key`
    prior: TeamPrior  # what the team taught (reusable with `forecast_manager`)


# --- calendar and per-manager data -----------------------------------------------------------


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


class _Calendar:
    """The team's workdays from `history_months` months back to the end of today's month."""

    __slots__ = ("base", "bounds", "bucket", "counts", "first", "month", "months", "size",
                 "today", "work")  # fmt: skip

    def __init__(self, today: date, is_workday: IsWorkday, rules: ModelRules) -> None:
        self.today = today
        self.months = rules.history_months + 1
        first = _add_months(month_start(today), -rules.history_months)
        self.first = first
        self.base = first.toordinal()
        self.size = (month_end(today) - first).days + 1
        self.work = bytearray(self.size)
        self.bucket = bytearray(self.size)
        self.month = bytearray(self.size)
        self.bounds: list[tuple[int, int]] = []  # each month's first and last index
        start = 0
        for m in range(self.months):
            month_first = _add_months(first, m)
            stop = (month_end(month_first) - first).days + 1
            self.bounds.append((start, stop - 1))
            indices = []
            for i in range(start, stop):
                self.month[i] = m
                if is_workday(month_first + timedelta(days=i - start)):
                    self.work[i] = 1
                    indices.append(i)
            count = len(indices)
            for k, i in enumerate(indices):
                if count - k <= rules.end_days:
                    self.bucket[i] = END
                elif k < rules.start_days:
                    self.bucket[i] = START
                else:
                    self.bucket[i] = BODY
            start = stop
        # counts[b][i]: workdays in bucket b before index i.
        self.counts = [[0] * (self.size + 1) for _ in range(3)]
        for b in range(3):
            row = self.counts[b]
            for i in range(self.size):
                row[i + 1] = row[i] + (self.work[i] and self.bucket[i] == b)

    @property
    def today_index(self) -> int:
        return (self.today - self.first).days

    def workdays(self, lo: int, hi: int) -> list[float]:
        """Workdays per bucket with index in [lo, hi]."""
        if hi < lo:
            return [0.0, 0.0, 0.0]
        return [float(self.counts[b][hi + 1] - self.counts[b][lo]) for b in range(3)]


def _zeros() -> list[float]:
    return [0.0, 0.0, 0.0]


@dataclass(slots=True)
class _Data:
    """One manager's history reduced to what the model needs, per month of the window."""

    months: int
    keys: int
    # [month][bucket]: workdays at work since the first report (elapsed and not pending).
    work: list[list[float]] = field(init=False)
    # Each reported workday at work: (month-position bucket, money), per month.
    days: list[list[tuple[int, float]]] = field(init=False)
    extra: list[float] = field(init=False)  # money reported on days off or leave, per month
    deals: list[float] = field(init=False)  # paid deals reported, per month
    deals_money: list[float] = field(init=False)  # the money of the days that reported deals
    deals_days: list[int] = field(init=False)  # reported days with deals, per month
    act_hist: list[float] = field(init=False)  # per key, over past months' reported workdays
    act_recent: list[float] = field(init=False)  # per key, over the last reported workdays
    hist_days: int = 0
    recent_days: int = 0
    recent_money: float = 0.0
    future: list[float] = field(default_factory=_zeros)  # workdays at work still ahead
    pending: list[float] = field(default_factory=_zeros)  # elapsed, report still expected
    days_left: int = 0
    mtd: Decimal = ZERO
    # The month of the first report when the manager started within the window (their first
    # months are a ramp-up, not a usual month); -1 when reports reach back to its start.
    started: int = -1
    seen: bool = False  # any report in the window
    cap: float = math.inf  # a day's money above this is a rare big deal (see `_tails`)
    capped_sums: list[float] | None = None

    def __post_init__(self) -> None:
        self.work = [_zeros() for _ in range(self.months)]
        self.days = [[] for _ in range(self.months)]
        self.extra = [0.0] * self.months
        self.deals = [0.0] * self.months
        self.deals_money = [0.0] * self.months
        self.deals_days = [0] * self.months
        self.act_hist = [0.0] * self.keys
        self.act_recent = [0.0] * self.keys

    def reported(self) -> int:
        return sum(len(d) for d in self.days)

    def money(self, m: int) -> float:
        return sum(y for _, y in self.days[m]) + self.extra[m]

    def capped(self, m: int, tail: float) -> float:
        """The month's money with each day capped, scaled back by the team's `tail`."""
        if self.capped_sums is None:
            cap = self.cap
            self.capped_sums = [
                sum(y if y < cap else cap for _, y in days) + extra
                for days, extra in zip(self.days, self.extra, strict=True)
            ]
        return self.capped_sums[m] * tail


def _extract(
    manager: ManagerInput, cal: _Calendar, rules: ModelRules, today_done: bool | None
) -> _Data:
    data = _Data(cal.months, len(rules.activity_keys))
    base, size, today_i = cal.base, cal.size, cal.today_index
    work, bucket, month = cal.work, cal.bucket, cal.month
    current = cal.months - 1
    # Workdays of the window on leave.
    away: set[int] = set()
    for away_from, away_to in manager.absences:
        lo = max(away_from.toordinal() - base, 0)
        hi = min(away_to.toordinal() - base, size - 1)
        away.update(i for i in range(lo, hi + 1) if work[i])
    money_key, keys, deals_key = rules.money_key, rules.activity_keys, rules.deals_key
    month_first = cal.bounds[current][0]
    done = cal.today in manager.facts if today_done is None else today_done
    last_done = today_i if done else today_i - 1
    ahead = cal.workdays(last_done + 1, size - 1)
    for i in away:
        if i > last_done:
            ahead[bucket[i]] -= 1
    data.future = ahead
    data.days_left = int(sum(ahead))
    # One pass over the reports in the window, oldest first.
    mtd = ZERO
    deals = [ZERO] * cal.months
    reported: set[int] = set()
    at_work: list[tuple[int, Mapping[str, Decimal], float]] = []
    first_seen = -1
    for day, values in sorted(manager.facts.items()):
        i = day.toordinal() - base
        if i < 0 or i > today_i:
            continue
        if first_seen < 0:
            first_seen = i
        reported.add(i)
        money = values.get(money_key, ZERO)
        y = float(money)
        m = month[i]
        if i >= month_first:
            mtd += money
        if deals_key:
            count = values.get(deals_key)
            if count is not None:
                deals[m] += count
                data.deals_money[m] += y
                data.deals_days[m] += 1
        if not work[i] or i in away:
            data.extra[m] += y
            continue
        at_work.append((i, values, y))
        data.days[m].append((bucket[i], y))
    data.mtd = mtd
    data.deals = [float(d) for d in deals]
    if first_seen < 0:
        return data
    data.seen = True
    if first_seen >= rules.started_after:
        data.started = month[first_seen]
    # Pending: unreported workdays at work this month among the last `pending_days` of them.
    pending: list[int] = []
    found = 0
    i = last_done
    while i >= first_seen and found < rules.pending_days:
        if work[i] and i not in away:
            found += 1
            if i not in reported and month[i] == current:
                pending.append(i)
                data.pending[bucket[i]] += 1
        i -= 1
    # Workdays at work per month and bucket, from the first report to the last day done.
    for m in range(cal.months):
        lo, hi = cal.bounds[m]
        data.work[m] = cal.workdays(max(lo, first_seen), min(hi, last_done))
    for i in [i for i in away if first_seen <= i <= last_done] + pending:
        data.work[month[i]][bucket[i]] -= 1
    # Usual activity: the last `activity_days` reported workdays at work before this month;
    # recent: the last `activity_window` of them up to the last day done.
    past = [row for row in at_work if row[0] < month_first][-rules.activity_days :]
    recent = at_work[-rules.activity_window :]
    for rows, sums in ((past, data.act_hist), (recent, data.act_recent)):
        for k, key in enumerate(keys):
            sums[k] = float(sum((values.get(key, ZERO) for _, values, _ in rows), ZERO))
    data.hist_days = len(past)
    data.recent_days = len(recent)
    data.recent_money = sum(y for _, _, y in recent)
    return data


# --- the team's prior --------------------------------------------------------------------------

Position = tuple[float, float, float]


def _exposure(counts: Sequence[float], position: Position) -> float:
    return counts[0] * position[0] + counts[1] * position[1] + counts[2] * position[2]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _median(values: Sequence[float], default: float) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else default


def _shrink(raw: float, count: float, prior: float, pseudo: float) -> float:
    return (raw * count + prior * pseudo) / (count + pseudo)


def _positions(datas: Sequence[_Data], rules: ModelRules) -> tuple[Position, Position]:
    """(money per reported workday in each month-position bucket against all of them, each
    pulled toward 1 by `position_pseudo_days`; their relative variances) from the team's past
    months, each day capped at big deals (`_tails` first)."""
    money = [0.0, 0.0, 0.0]
    days = [0.0, 0.0, 0.0]
    spread = [0.0, 0.0, 0.0]
    for data in datas:
        cap = data.cap
        total = [0.0, 0.0, 0.0]
        squares = [0.0, 0.0, 0.0]
        count = [0, 0, 0]
        for m in range(rules.history_months):
            for b, y in data.days[m]:
                if y > cap:
                    y = cap
                total[b] += y
                squares[b] += y * y
                count[b] += 1
        for b in range(3):
            if count[b]:
                money[b] += total[b]
                days[b] += count[b]
                spread[b] += squares[b] - total[b] * total[b] / count[b]
    all_days = sum(days)
    mean = sum(money) / all_days if all_days else 0.0
    if mean <= 0:
        return (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)
    k = rules.position_pseudo_days
    shrunk = [money[b] + k * mean for b in range(3)]
    factors = [shrunk[b] / (mean * (days[b] + k)) for b in range(3)]
    variances = [spread[b] / shrunk[b] ** 2 for b in range(3)]
    return (factors[0], factors[1], factors[2]), (variances[0], variances[1], variances[2])


def _tails(datas: Sequence[_Data], rules: ModelRules) -> tuple[float, float]:
    """Cap each manager's day at `tail_cap` x their median paying day and return (the team's
    factor from capped money back to all money, the team's excess luck per unit of cap): a big
    deal in one manager's history says more about luck than about their pace; the whole team's
    say how much big deals add, and how much they swing a month."""
    total = capped = excess = scale = 0.0
    for data in datas:
        paid = sorted(y for m in range(rules.history_months) for _, y in data.days[m] if y > 0)
        if len(paid) < 5:
            continue
        data.cap = cap = rules.tail_cap * paid[len(paid) // 2]
        data.capped_sums = None
        for y in paid:
            total += y
            if y > cap:
                capped += cap
                excess += (y - cap) ** 2
            else:
                capped += y
            scale += cap * min(y, cap)
    if capped <= 0:
        return 1.0, 0.0
    return total / capped, excess / scale


@dataclass(slots=True)
class _Pace:
    """A manager's usual pace from their past months (before this month)."""

    rate: float  # money per exposure unit (a workday weighted by its month position)
    exposure: float  # the recency-weighted exposure behind it
    dispersion: float  # variance / mean of a day's money (money units): the luck of deals
    capped_dispersion: float  # the same for capped days: the noise in `rate`
    days: int  # reported workdays behind the dispersions
    activity: list[float] | None  # per key, per reported workday
    months: int
    base: float = 0.0  # the expected money behind the dispersions


def _pace(data: _Data, position: Position, rules: ModelRules, tail: float) -> _Pace:
    current = rules.history_months
    money = exposure = 0.0
    months = 0
    for m in range(current):
        e = _exposure(data.work[m], position)
        if e <= 0:
            continue
        weight = rules.recency ** (current - m)
        money += weight * data.capped(m, tail)
        exposure += weight * e
        months += 1
    rate = money / exposure if exposure > 0 else 0.0
    # The luck of money over a stretch of `block` reported workdays: runs of good and bad
    # days (a pipeline fills and empties) make a week swing more than its days would alone.
    raw = capped = base = 0.0
    cap = data.cap
    days = 0
    block = rules.block_days
    for m in range(current):
        expected = total = clipped = 0.0
        count = 0
        for b, y in data.days[m]:
            expected += position[b]
            total += y
            clipped += y if y < cap else cap
            count += 1
            if count == block:
                expected *= rate
                raw += (total - expected) ** 2
                capped += (clipped * tail - expected) ** 2
                base += expected
                days += count
                expected = total = clipped = 0.0
                count = 0
        if count:
            expected *= rate
            raw += (total - expected) ** 2
            capped += (clipped * tail - expected) ** 2
            base += expected
            days += count
    activity = [a / data.hist_days for a in data.act_hist] if data.hist_days and data.keys else None
    if base <= 0:
        return _Pace(rate, exposure, 0.0, 0.0, 0, activity, months)
    return _Pace(rate, exposure, raw / base, capped / base, days, activity, months, base)


def _relative_activity(levels: Sequence[float], usual: Sequence[float]) -> float | None:
    ratios = [a / u for a, u in zip(levels, usual, strict=True) if u > 0]
    return sum(ratios) / len(ratios) if ratios else None


def _team_like(
    team_rate: float, activity: Sequence[float] | None, team_activity: Sequence[float]
) -> float:
    """The team's money per workday, scaled by a manager's activity relative to the team's."""
    if activity is None or not team_activity:
        return team_rate
    relative = _relative_activity(activity, team_activity)
    return team_rate * relative if relative is not None else team_rate


@dataclass(slots=True)
class _Prepared:
    data: _Data
    pace: _Pace
    dispersion: float  # the luck of a day's deals (pooled with the team)
    noise: float  # the noise of capped money (pooled with the team)
    prior_rate: float  # the usual pace pooled with the team, moved by recent activity
    prior_rel_var: float  # its relative uncertainty as the manager's usual pace
    own_share: float  # weight of the manager's own history in the prior
    funnel_rate: float | None  # own money per activity x recent activity
    deal_size: float | None  # the usual money per paid deal (None: deals not tracked)


def _build_prior(datas: Sequence[_Data], rules: ModelRules) -> tuple[TeamPrior, list[_Prepared]]:
    current = rules.history_months
    tail, excess = _tails(datas, rules)
    position, position_var = _positions(datas, rules)
    paces = [_pace(d, position, rules, tail) for d in datas]
    money = exposure = 0.0
    n_keys = len(rules.activity_keys)
    act = [0.0] * n_keys
    act_days = 0
    deals = deals_money = 0.0
    for data in datas:
        for m in range(current):
            money += data.money(m)
            exposure += _exposure(data.work[m], position)
        act_days += data.hist_days
        for k in range(n_keys):
            act[k] += data.act_hist[k]
        deals += sum(data.deals[:current])
        deals_money += sum(data.deals_money[:current])
    team_rate = money / exposure if exposure > 0 else 0.0
    now_money = sum(d.money(current) for d in datas)
    now_exposure = sum(_exposure(d.work[current], position) for d in datas)
    team_activity = tuple(a / act_days for a in act) if act_days else ()
    established = [p.exposure >= 10 and p.rate > 0 for p in paces]
    usual_rate = _median(
        [p.rate for p, ok in zip(paces, established, strict=True) if ok], team_rate
    )
    # The team's luck per unit of money, pooled over everyone's days.
    base = sum(p.base for p in paces)
    usual_spread = sum(p.dispersion * p.base for p in paces) / base if base else usual_rate * 5
    usual_noise = sum(p.capped_dispersion * p.base for p in paces) / base if base else usual_spread
    pseudo = rules.dispersion_pseudo_days
    # The luck ahead: capped luck (pooled with the team's) + the team's big-deal luck scaled
    # by the manager's cap (big deals are too rare in one history to measure alone).
    spreads = [
        _shrink(p.capped_dispersion, p.days, usual_noise, pseudo)
        + excess * (d.cap if math.isfinite(d.cap) else 0.0)
        for p, d in zip(paces, datas, strict=True)
    ]
    noises = [_shrink(p.capped_dispersion, p.days, usual_noise, pseudo) for p in paces]
    # Between managers (log scale): own pace against the team's pace scaled by their activity.
    skill_obs = []
    for p, noise, ok in zip(paces, noises, established, strict=True):
        team_like = _team_like(team_rate, p.activity, team_activity)
        if ok and team_like > 0:
            luck = math.log1p(noise / (p.rate * p.exposure))
            skill_obs.append(math.log(p.rate / team_like) ** 2 - luck)
    skill_var = _shrink(_mean(skill_obs), len(skill_obs), rules.skill_var, rules.variance_pseudo)
    month_var, shock_var = _month_variances(datas, noises, position, tail, rules)
    prior = TeamPrior(
        position=position,
        position_var=position_var,
        rate=team_rate,
        activity=team_activity,
        usual_rate=usual_rate,
        dispersion=usual_spread,
        noise=usual_noise,
        skill_var=max(skill_var, 0.01),
        month_var=month_var,
        shock_var=shock_var,
        tail=tail,
        deal_size=deals_money / deals if deals >= 10 and deals_money > 0 else 0.0,
        current_rate=now_money / now_exposure if now_exposure > 0 else 0.0,
        managers=len(datas),
    )
    prepared = [
        _prepare(data, pace, spread, noise, prior, rules)
        for data, pace, spread, noise in zip(datas, paces, spreads, noises, strict=True)
    ]
    return prior, prepared


def _month_variances(
    datas: Sequence[_Data],
    noises: Sequence[float],
    position: Position,
    tail: float,
    rules: ModelRules,
) -> tuple[float, float]:
    """(a manager's month vs their usual, the team's month vs its usual), relative variances,
    from the past months: each month against the manager's pace over the other months, less
    what the luck of the deals explains."""
    current = rules.history_months
    obs: list[float] = []
    team_money = [0.0] * current
    team_expected = [0.0] * current
    team_noise = [0.0] * current
    for data, noise in zip(datas, noises, strict=True):
        exposures = [_exposure(data.work[m], position) for m in range(current)]
        moneys = [data.capped(m, tail) for m in range(current)]
        total_e, total_m = sum(exposures), sum(moneys)
        for m in range(current):
            e = exposures[m]
            rest = total_e - e
            if e < 5 or rest < 10 or (data.started >= 0 and m <= data.started + 1):
                continue
            rate = (total_m - moneys[m]) / rest
            if rate <= 0:
                continue
            expected = rate * e
            luck = noise / expected + noise / (rate * rest)
            obs.append(min(2.0, (moneys[m] / expected - 1) ** 2) - luck)
            team_money[m] += moneys[m]
            team_expected[m] += expected
            team_noise[m] += noise * expected
    total = _shrink(_mean(obs), len(obs), rules.month_var + rules.shock_var, rules.variance_pseudo)
    shock_obs = [
        (team_money[m] / team_expected[m] - 1) ** 2 - team_noise[m] / team_expected[m] ** 2
        for m in range(current)
        if team_expected[m] > 0
    ]
    shock = _shrink(_mean(shock_obs), len(shock_obs), rules.shock_var, rules.shock_pseudo)
    shock = min(max(shock, rules.shock_floor), 0.1)
    return min(max(total - shock, rules.month_floor), 0.3), shock


def _prepare(
    data: _Data,
    pace: _Pace,
    spread: float,
    noise: float,
    prior: TeamPrior,
    rules: ModelRules,
) -> _Prepared:
    recent = [a / data.recent_days for a in data.act_recent] if data.recent_days >= 3 else None
    deal_size: float | None = None
    if prior.deal_size > 0:
        count, paid = sum(data.deals[:-1]), sum(data.deals_money[:-1])
        k = rules.size_pseudo_deals
        deal_size = (paid + k * prior.deal_size) / (count + k)
    if pace.exposure >= rules.min_history and prior.rate > 0:
        # Own pace pooled with the team's pace scaled by their usual activity (on the log
        # scale: managers differ by factors), then moved by their recent activity.
        own = max(pace.rate, 0.5 * prior.usual_rate / pace.exposure)
        luck = math.log1p(noise / (own * pace.exposure))
        share = prior.skill_var / (prior.skill_var + luck)
        team_like = max(_team_like(prior.rate, pace.activity, prior.activity), 1e-9)
        rel_var = prior.skill_var * luck / (prior.skill_var + luck)
        usual = math.exp(share * math.log(own) + (1 - share) * math.log(team_like) + rel_var / 2)
        ratio = (
            _relative_activity(recent, pace.activity)
            if recent is not None and pace.activity is not None
            else None
        )
        funnel_rate = None
        if ratio is not None:
            funnel_rate = pace.rate * ratio
            usual *= max(0.2, min(2.0, ratio)) ** rules.activity_elasticity
        return _Prepared(data, pace, spread, noise, usual, rel_var, share, funnel_rate, deal_size)
    # New: a share of the team's pace scaled by their recent activity (newcomers convert less
    # while they learn); their own month so far corrects it. Without any team history (the
    # bot's first month), the team's month so far.
    if prior.rate > 0 and recent is not None and prior.activity:
        usual = _team_like(prior.rate, recent, prior.activity) * rules.new_manager_share
    elif prior.rate > 0:
        usual = prior.usual_rate * rules.new_manager_share
    else:
        usual = prior.current_rate
    return _Prepared(data, pace, spread, noise, usual, rules.new_manager_var, 0.0, None, deal_size)


def _observed(p: _Prepared, prior: TeamPrior, rules: ModelRules, mu: float) -> tuple[float, float]:
    """(this month's money per exposure unit so far, its variance around the month's true
    pace `mu`): from the count of paid deals x the usual deal where deals are tracked (the size
    of this month's few deals is mostly luck), else from capped money."""
    data = p.data
    e_now = _exposure(data.work[-1], prior.position)
    if p.deal_size is not None and data.deals_days[-1] >= len(data.days[-1]):
        return data.deals[-1] * p.deal_size / e_now, p.deal_size * mu / e_now
    return data.capped(len(data.work) - 1, prior.tail) / e_now, p.noise * mu / e_now


def _with_shock(prior: TeamPrior, prepared: Sequence[_Prepared], rules: ModelRules) -> TeamPrior:
    """The team's shared factor this month, from everyone's month so far."""
    money = expected = noise = 0.0
    for p in prepared:
        e = _exposure(p.data.work[-1], prior.position)
        mu = p.prior_rate
        if e <= 0 or mu <= 0:
            continue
        observed, variance = _observed(p, prior, rules, mu)
        money += observed * e
        expected += mu * e
        noise += variance * e * e + (prior.month_var + p.prior_rel_var) * (mu * e) ** 2
    if expected <= 0:
        return prior
    noise /= expected * expected
    gain = prior.shock_var / (prior.shock_var + noise)
    return replace(
        prior,
        shock=max(0.2, 1 + gain * (money / expected - 1)),
        shock_post_var=prior.shock_var * (1 - gain),
    )


# --- the forecast ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Outlook:
    """The money still to come for one manager: mean, variances, the shared loading."""

    mean: float
    idio_var: float  # the manager's own: luck of the deals ahead, their pace's uncertainty
    loading: float  # how much the team's shared factor moves their money ahead
    by_bucket: tuple[float, float, float]  # the mean per month-position bucket
    rate: float
    own_share: float

    def variance(self, prior: TeamPrior) -> float:
        """The manager's variance alone (shared parts included)."""
        shared = sum(v * m * m for v, m in zip(prior.position_var, self.by_bucket, strict=True))
        return self.idio_var + prior.shock_post_var * self.loading**2 + shared


def _outlook(p: _Prepared, prior: TeamPrior, rules: ModelRules) -> _Outlook:
    position = prior.position
    data = p.data
    mu = max(0.0, p.prior_rate * prior.shock)
    prior_var = (prior.month_var + p.prior_rel_var) * mu * mu
    e_now = _exposure(data.work[-1], position)
    rate, post_var, weight = mu, prior_var, 0.0
    if e_now > 0 and mu > 0:
        observed, noise = _observed(p, prior, rules, mu)
        weight = prior_var / (prior_var + noise) if prior_var + noise > 0 else 0.0
        rate = mu + weight * (observed - mu)
        post_var = prior_var * (1 - weight)
    rate = max(0.0, rate)
    ahead = _exposure(data.future, position) + _exposure(data.pending, position)
    mean = rate * ahead
    idio = p.dispersion * rate * ahead + ahead * ahead * post_var
    loading = (1 - weight) * p.prior_rate * ahead
    counts = [data.future[b] + data.pending[b] for b in range(3)]
    by_bucket = (rate * position[0] * counts[0], rate * position[1] * counts[1],
                 rate * position[2] * counts[2])  # fmt: skip
    return _Outlook(mean, idio, loading, by_bucket, rate, p.own_share)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _money(value: float) -> Decimal:
    return _cents(Decimal(repr(value))) if math.isfinite(value) else ZERO


def _quantile(mean: float, var: float, p: float) -> float:
    """The p-quantile of a gamma distribution with this mean and variance (Wilson-Hilferty)."""
    if mean <= 0:
        return 0.0
    if var <= 0:
        return mean
    c = var / (9 * mean * mean)
    z = _NORMAL.inv_cdf(p)
    return mean * max(0.0, 1 - c + z * math.sqrt(c)) ** 3


def _exceeds(mean: float, var: float, gap: float) -> float:
    """P(X >= gap) for the gamma distribution with this mean and variance, gap > 0."""
    if mean <= 0:
        return 0.0
    if var <= 0:
        return 1.0 if mean >= gap else 0.0
    c = var / (9 * mean * mean)
    z = ((gap / mean) ** (1 / 3) - (1 - c)) / math.sqrt(c)
    return 1 - _NORMAL.cdf(z)


def _likelihood(mtd: Decimal, target: Decimal | None, mean: float, var: float) -> float | None:
    if target is None:
        return None
    if mtd >= target:
        return 1.0
    chance = _exceeds(mean, var, float(target - mtd))
    return min(0.99, round(chance, 2))


def _forecast(
    mtd: Decimal,
    target: Decimal | None,
    mean: float,
    var: float,
    days_left: int,
    method: Method,
    rules: ModelRules,
    *,
    run_rate: Decimal | None,
    funnel: Decimal | None,
    history_days: int,
) -> Forecast:
    var *= rules.variance_scale
    tail = (1 - rules.interval) / 2
    point = mtd + _money(_quantile(mean, var, 0.5))
    low = min(point, mtd + _money(_quantile(mean, var, tail)))
    high = max(point, mtd + _money(_quantile(mean, var, 1 - tail)))
    return Forecast(
        month_to_date=mtd,
        target=target,
        point=point,
        low=low,
        high=high,
        likelihood=_likelihood(mtd, target, mean, var),
        days_left=days_left,
        method=method,
        run_rate=run_rate,
        funnel=funnel,
        spread=_money(math.sqrt(max(0.0, var))),
        history_days=history_days,
        has_data=True,
    )


def _closed(mtd: Decimal, target: Decimal | None) -> Forecast:
    reached = None if target is None else (1.0 if mtd >= target else 0.0)
    return Forecast(
        month_to_date=mtd,
        target=target,
        point=mtd,
        low=mtd,
        high=mtd,
        likelihood=reached,
        days_left=0,
        method=Method(MethodCode.MONTH_CLOSED),
        run_rate=mtd,
    )


def _no_data(mtd: Decimal, days_left: int, target: Decimal | None) -> Forecast:
    """No report at all in the window: the month to date, nothing more expected."""
    return Forecast(
        month_to_date=mtd,
        target=target,
        point=mtd,
        low=mtd,
        high=mtd,
        likelihood=None if target is None or mtd < target else 1.0,
        days_left=days_left,
        method=Method(MethodCode.NOT_ENOUGH_DATA, (("days", 0), ("needed", 1))),
        has_data=False,
    )


def _manager_forecast(
    manager: ManagerInput, p: _Prepared, prior: TeamPrior, rules: ModelRules
) -> tuple[Forecast, _Outlook]:
    data = p.data
    if not data.seen:
        nothing = _Outlook(0.0, 0.0, 0.0, (0.0, 0.0, 0.0), 0.0, 0.0)
        if data.days_left == 0:
            return _closed(data.mtd, manager.target), nothing
        return _no_data(data.mtd, data.days_left, manager.target), nothing
    outlook = _outlook(p, prior, rules)
    if data.days_left == 0 and not any(data.pending):
        return _closed(data.mtd, manager.target), outlook
    var = outlook.variance(prior)
    run_rate = (
        data.mtd + _money(data.recent_money / data.recent_days * data.days_left)
        if data.recent_days
        else None
    )
    ahead = data.days_left + int(sum(data.pending))
    funnel = (
        data.mtd + _money(p.funnel_rate * _exposure(data.future, prior.position))
        if p.funnel_rate is not None
        else None
    )
    own = round(outlook.own_share * 100)
    method = Method(
        MethodCode.POOLED,
        (
            ("own", own),
            ("team", 100 - own),
            ("months", p.pace.months),
            ("activities", "/".join(rules.activity_keys)),
            ("days_left", ahead),
            ("interval", round(rules.interval * 100)),
        ),
    )
    forecast = _forecast(
        data.mtd,
        manager.target,
        outlook.mean,
        var,
        data.days_left,
        method,
        rules,
        run_rate=run_rate,
        funnel=funnel,
        history_days=data.reported(),
    )
    return forecast, outlook


def _prepare_team(
    managers: Sequence[ManagerInput],
    today: date,
    is_workday: IsWorkday,
    today_done: bool | None,
    rules: ModelRules,
) -> tuple[TeamPrior, list[_Prepared]]:
    cal = _Calendar(today, is_workday, rules)
    datas = [_extract(m, cal, rules, today_done) for m in managers]
    prior, prepared = _build_prior(datas, rules)
    return _with_shock(prior, prepared, rules), prepared


def team_prior(
    managers: Sequence[ManagerInput],
    today: date,
    is_workday: IsWorkday,
    *,
    today_done: bool | None = None,
    rules: ModelRules | None = None,
) -> TeamPrior:
    """What the team's history and its month so far teach about any one manager: the
    month-position effect, the team's pace and activity, how much managers and months differ,
    and this month's shared factor. Pass it to `forecast_manager`."""
    rules = rules or ModelRules()
    return _prepare_team(managers, today, is_workday, today_done, rules)[0]


def forecast_manager(
    manager: ManagerInput,
    today: date,
    is_workday: IsWorkday,
    *,
    prior: TeamPrior | None = None,
    today_done: bool | None = None,
    rules: ModelRules | None = None,
) -> Forecast:
    """One manager's month-end forecast of the money metric (see the module's docstring).

    Without a `prior` the manager is pooled with nobody: their own history alone (a new
    manager without history then gets the month to date only). `today_done`: whether today's
    report is in (None: read from the facts), as in `domain.analytics.month_to_date`.
    """
    rules = rules or ModelRules()
    cal = _Calendar(today, is_workday, rules)
    data = _extract(manager, cal, rules, today_done)
    if prior is None:
        alone, (prepared,) = _build_prior([data], rules)
        prior = _with_shock(alone, [prepared], rules)
    else:
        _tails([data], rules)  # sets the cap
        pace = _pace(data, prior.position, rules, prior.tail)
        k = rules.dispersion_pseudo_days
        spread = _shrink(pace.dispersion, pace.days, prior.dispersion, k)
        noise = _shrink(pace.capped_dispersion, pace.days, prior.noise, k)
        prepared = _prepare(data, pace, spread, noise, prior, rules)
    return _manager_forecast(manager, prepared, prior, rules)[0]


def forecast_team(
    managers: Sequence[ManagerInput],
    today: date,
    team_target: Decimal | None,
    is_workday: IsWorkday,
    *,
    settled: Decimal = ZERO,
    today_done: bool | None = None,
    rules: ModelRules | None = None,
) -> TeamForecast:
    """The team's month-end forecast and each manager's, pooled with one another.

    The team's month to date is the sum of the managers' plus `settled` (the money this month
    of people no longer in the team: counted in every figure, nothing more to come from them);
    its distribution adds the managers' own uncertainties as independent and what they share
    (the month's factor, the month-position effect) once for everybody. `today_done` as in
    `forecast_manager`, for every manager.
    """
    rules = rules or ModelRules()
    prior, prepared = _prepare_team(managers, today, is_workday, today_done, rules)
    parts: dict[Hashable, Forecast] = {}
    mean = idio = loading = 0.0
    buckets = [0.0, 0.0, 0.0]
    mtd = settled
    days_left = 0
    new = silent = 0
    for manager, p in zip(managers, prepared, strict=True):
        forecast, outlook = _manager_forecast(manager, p, prior, rules)
        parts[manager.key] = forecast
        mtd += forecast.month_to_date
        days_left = max(days_left, p.data.days_left)
        if not forecast.has_data:
            silent += 1
        if forecast.method.code in (MethodCode.MONTH_CLOSED, MethodCode.NOT_ENOUGH_DATA):
            continue
        mean += outlook.mean
        idio += outlook.idio_var
        loading += outlook.loading
        for b in range(3):
            buckets[b] += outlook.by_bucket[b]
        new += p.own_share == 0
    var = idio + prior.shock_post_var * loading * loading
    var += sum(v * m * m for v, m in zip(prior.position_var, buckets, strict=True))
    if days_left == 0 and not mean:
        team = _closed(mtd, team_target)
    elif managers and silent == len(managers):
        team = _no_data(mtd, days_left, team_target)
    else:
        method = Method(
            MethodCode.POOLED_TEAM,
            (
                ("managers", len(managers)),
                ("new", new),
                ("without_data", silent),
                ("interval", round(rules.interval * 100)),
            ),
        )
        runs = [f.run_rate if f.run_rate is not None else f.month_to_date for f in parts.values()]
        team = _forecast(
            mtd,
            team_target,
            mean,
            var,
            days_left,
            method,
            rules,
            run_rate=sum(runs, settled),
            funnel=None,
            history_days=max((f.history_days for f in parts.values()), default=0),
        )
    return TeamForecast(team, parts, prior)
