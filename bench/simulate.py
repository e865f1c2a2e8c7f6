"""Simulated sales teams for the forecast and slump backtests (`bench/forecast_backtest.py`).

Pure and seeded: `simulate_team(seed)` builds one team's months as the bot would have stored
them, plus the ground truth the bot never sees. What a team looks like:

- 5 to 30 managers (log-uniform: small teams are the common case), each with their own pace
  (calls, meetings, proposals and leads a day, negative-binomial noise on top of a shared
  "energy" of the day, so a bad day is bad on every metric), their own weekday pattern around
  the team's (Monday and Friday weaker), and their own funnel: proposals feed a pipeline (an
  average of the last workdays' proposals) that closes into paid deals at the manager's rate;
- deal sizes with heavy tails: lognormal around the manager's usual deal, and in some teams a
  few deals from a Pareto tail (several times the usual);
- the Russian production calendar (`domain.calendar.is_workday(day, "12345", "RU")`: public
  holidays, the long January break, moved working Saturdays);
- a month-end push (more deals closed in the last 3 to 5 workdays) and a slow start of the
  month, seasonality by calendar month, a market shock per month common to the whole team,
  and each manager's pace and skill drifting from month to month;
- vacations (entered two weeks ahead), sick leave (entered on its first day) and single days
  off; new managers who join mid-way with no history and ramp up over about two months;
- slumps: a manager's activity drops 30-60 % from some workday for 4-15 workdays (their money
  follows through the funnel, a few days later);
- reporting as people do it: some reports come a day or two late, some never (the activity of
  such a day is lost; its money is added to the next report half of the time);
- plans each morning, a calls norm set by the head, and monthly targets set the way a head
  does: the manager's money per workday over the last three months x the month's workdays x
  the team's ambition (so about half of the months are hit).

Each team is simulated over `HISTORY_MONTHS` + `EVAL_MONTHS` consecutive months; the last
`EVAL_MONTHS` are the ones scored, each with at least `HISTORY_MONTHS` months before it.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from domain.calendar import is_workday as calendar_workday

History = dict[date, dict[str, Decimal]]

HISTORY_MONTHS = 4
EVAL_MONTHS = 3
ACTIVITIES = ("calls", "meetings", "proposals", "leads")
MONEY = "revenue"
_INTS = [Decimal(i) for i in range(2001)]


def dec(value: int) -> Decimal:
    return _INTS[value] if 0 <= value <= 2000 else Decimal(value)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_last(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def ru_workday(day: date) -> bool:
    return calendar_workday(day, "12345", "RU")


@dataclass(frozen=True, slots=True)
class Slump:
    manager: int
    start: date  # the first workday of the drop
    end: date  # the last workday of the drop
    drop: float  # the share of activity lost (0.4: 40 % under usual)


@dataclass(slots=True)
class ManagerSim:
    index: int
    joined: date
    facts: History = field(default_factory=dict)  # everything eventually stored
    reported_on: dict[date, date] = field(default_factory=dict)  # when each report came in
    plans: History = field(default_factory=dict)
    # Leave as entered: (first, last, entered on); the bot's "before joining" range is added by
    # `absences_known`.
    leave: list[tuple[date, date, date]] = field(default_factory=list)
    targets: dict[date, Decimal] = field(default_factory=dict)  # month -> target
    # The true expected money of each workday at work (pace, season, shocks, slumps, push
    # known; only the luck of the deals not): what an oracle knowing the pace would add up.
    expected: dict[date, float] = field(default_factory=dict)
    # The variance of that day's money from the luck of the deals alone.
    expected_var: dict[date, float] = field(default_factory=dict)

    def visible_facts(self, today: date) -> History:
        """The facts stored by the evening of `today` (late reports not yet in)."""
        seen = self.reported_on
        return {d: v for d, v in self.facts.items() if d <= today and seen[d] <= today}

    def visible_plans(self, today: date) -> History:
        return {d: v for d, v in self.plans.items() if d <= today}

    def absences_known(self, today: date) -> list[tuple[date, date]]:
        """Leave entered by `today`, and the days before joining (as the bot passes them)."""
        known = [(a, b) for a, b, entered in self.leave if entered <= today]
        return [*known, (date.min, self.joined - timedelta(days=1))]

    def month_total(self, month: date) -> Decimal:
        last = month_last(month)
        return sum(
            (v.get(MONEY, _INTS[0]) for d, v in self.facts.items() if month <= d <= last),
            _INTS[0],
        )


@dataclass(slots=True)
class TeamSim:
    seed: int
    months: list[date]
    managers: list[ManagerSim]
    calls_norm: Decimal
    team_targets: dict[date, Decimal]
    slumps: list[Slump]
    workdays: frozenset[date]
    first: date
    last: date
    scored: int = EVAL_MONTHS  # the last this-many months are scored
    # The team's hidden parameters (for diagnostics): push, season amplitude, shocks ...
    params: dict[str, float] = field(default_factory=dict)

    @property
    def eval_months(self) -> list[date]:
        return self.months[-self.scored :]

    def is_workday(self, day: date) -> bool:
        if self.first <= day <= self.last:
            return day in self.workdays
        return ru_workday(day)

    def month_total(self, month: date) -> Decimal:
        return sum((m.month_total(month) for m in self.managers), _INTS[0])

    def workdays_of(self, month: date) -> list[date]:
        return sorted(d for d in self.workdays if month <= d <= month_last(month))


# Seasonality of money by calendar month (a team scales the deviations by its own amplitude).
SEASON = {1: 0.8, 2: 0.95, 3: 1.05, 4: 1.0, 5: 0.9, 6: 0.97, 7: 0.9, 8: 0.9, 9: 1.05, 10: 1.05,
          11: 1.05, 12: 1.15}  # fmt: skip
WEEKDAY_ACTIVITY = (0.9, 1.05, 1.06, 1.03, 0.9, 0.5, 0.5)


def _nbinom(rng: np.random.Generator, mean: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Negative-binomial draws with the given means and size (dispersion) parameters."""
    lam = rng.gamma(size, np.maximum(mean, 1e-9) / size)
    return rng.poisson(lam)


def simulate_team(seed: int, *, start: date | None = None) -> TeamSim:
    r = random.Random(seed)
    rng = np.random.default_rng(seed)
    if start is None:
        start = add_months(date(2023, 1, 1), r.randrange(0, 36))
    months = [add_months(start, i) for i in range(HISTORY_MONTHS + EVAL_MONTHS)]
    first, last = months[0], month_last(months[-1])
    all_days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    workdays = frozenset(d for d in all_days if ru_workday(d))
    month_index = {m: i for i, m in enumerate(months)}

    # --- the team ---
    n = round(math.exp(r.uniform(math.log(5), math.log(30.49))))
    calls_mean = r.uniform(20, 60)
    meet_per_call = r.uniform(0.03, 0.1)
    prop_per_meet = r.uniform(0.8, 1.6)
    lead_per_call = r.uniform(0.08, 0.25)
    deal_median = math.exp(r.gauss(math.log(80_000), 0.7))
    size_sigma = r.uniform(0.5, 1.0)
    tail_share = r.choice((0.0, 0.0, 0.03, 0.05))
    tail_alpha = r.uniform(2.2, 3.0)
    deals_per_month = r.uniform(3, 12)  # a usual manager's paid deals a month
    push = r.uniform(1.0, 1.9)
    push_days = r.randint(3, 5)
    slow_start = r.uniform(0.6, 1.0)
    season_amp = r.uniform(0.0, 1.0)
    shock_sd = r.uniform(0.04, 0.12)
    ambition = r.uniform(0.9, 1.1)
    team_week = np.array([w * math.exp(r.gauss(0, 0.04)) for w in WEEKDAY_ACTIVITY[:5]])
    money_week = np.array([math.exp(r.gauss(0, 0.08)) for _ in range(5)])
    energy_k = r.uniform(15, 40)  # a day's shared energy: gamma, CV 1/sqrt(k)

    # --- the managers ---
    pace = calls_mean * np.exp(rng.normal(0, 0.25, n))
    m_meet = meet_per_call * np.exp(rng.normal(0, 0.2, n))
    m_prop = prop_per_meet * np.exp(rng.normal(0, 0.15, n))
    m_lead = lead_per_call * np.exp(rng.normal(0, 0.2, n))
    week = team_week[None, :] * np.exp(rng.normal(0, 0.06, (n, 5)))
    size_median = deal_median * np.exp(rng.normal(0, 0.3, n))
    size_calls = rng.uniform(8, 30, n)
    size_other = rng.uniform(4, 15, n)
    p_miss = np.minimum(0.3, rng.beta(1.2, 25, n))
    p_late = rng.choice([0.0, 0.05, 0.15, 0.3], n)
    usual_props = pace * m_meet * m_prop
    # Deals a workday from the pipeline: tuned so a usual manager closes `deals_per_month`.
    close = deals_per_month / 21 / usual_props * np.exp(rng.normal(0, 0.3, n))
    mean_size_factor = math.exp(size_sigma**2 / 2) * (
        1 + tail_share * (3 * (1 + 1 / (tail_alpha - 1)) - 1)
    )
    tail_square = 9 * (1 + 2 / (tail_alpha - 1) + 2 / ((tail_alpha - 1) * (tail_alpha - 2)))
    square_size_factor = math.exp(2 * size_sigma**2) * (1 + tail_share * (tail_square - 1))

    joined = [first - timedelta(days=r.randint(60, 2000)) for _ in range(n)]
    for i in range(n):
        if r.random() < 0.12:  # a newcomer somewhere in the simulated months
            joined[i] = first + timedelta(days=r.randint(20, (last - first).days - 10))
    managers = [ManagerSim(i, joined[i]) for i in range(n)]

    # Month by month: drift of pace and skill, the team's shock, the season.
    drift_pace = np.ones((len(months), n))
    drift_skill = np.ones((len(months), n))
    for k in range(1, len(months)):
        drift_pace[k] = drift_pace[k - 1] * np.exp(rng.normal(0, 0.05, n))
        drift_skill[k] = drift_skill[k - 1] * np.exp(rng.normal(0, 0.06, n))
    shock = np.exp(rng.normal(0, shock_sd, len(months)))
    season = [1 + season_amp * (SEASON[m.month] - 1) for m in months]

    # Leave: vacations, sick leave, days off.
    away = np.zeros((len(all_days), n), dtype=bool)
    day_index = {d: k for k, d in enumerate(all_days)}
    for mgr in managers:
        for m in months:
            roll = r.random()
            if roll < 0.1:  # a vacation of 5-14 days, entered two weeks ahead
                a = m + timedelta(days=r.randint(0, 27))
                b = min(last, a + timedelta(days=r.randint(4, 13)))
                mgr.leave.append((a, b, a - timedelta(days=14)))
            elif roll < 0.17:  # sick leave of 1-6 days, entered on its first day
                a = m + timedelta(days=r.randint(0, 27))
                b = min(last, a + timedelta(days=r.randint(0, 5)))
                mgr.leave.append((a, b, a))
            if r.random() < 0.25:  # a day off, entered a day or three ahead
                a = m + timedelta(days=r.randint(0, 27))
                mgr.leave.append((a, a, a - timedelta(days=r.randint(1, 3))))
        for a, b, _ in mgr.leave:
            for k in range(day_index[a], day_index[min(b, last)] + 1):
                away[k, mgr.index] = True

    # Slumps: about one manager-month in eight.
    slumps: list[Slump] = []
    drop_of = np.zeros((len(all_days), n))
    work_list = sorted(workdays)
    work_of = {m: [d for d in work_list if m <= d <= month_last(m)] for m in months}
    for mgr in managers:
        for m in months:
            if r.random() >= 0.12:
                continue
            start_day = r.choice(work_of[m])
            if start_day < mgr.joined + timedelta(days=45):
                continue
            length = r.randint(4, 15)
            pos = work_list.index(start_day)
            span = work_list[pos : pos + length]
            drop = r.uniform(0.3, 0.6)
            if any(s.manager == mgr.index and s.end >= start_day - timedelta(21) for s in slumps):
                continue
            slumps.append(Slump(mgr.index, span[0], span[-1], drop))
            for d in span:
                drop_of[day_index[d], mgr.index] = drop

    # Day by day.
    pipeline = usual_props.copy()
    expected_pipeline = usual_props.copy()
    carry = [0.0] * n
    carry_deals = [0] * n
    meet_l = m_meet.tolist()
    prop_l = (m_meet * m_prop).tolist()
    lead_l = m_lead.tolist()
    pending_late: list[tuple[int, date]] = []
    decay = 0.8
    month_work_index: dict[date, tuple[int, int]] = {}
    for m in months:
        month_work = work_of[m]
        for k, d in enumerate(month_work):
            month_work_index[d] = (k, len(month_work) - 1 - k)
    joined_ord = np.array([j.toordinal() for j in joined])
    rates = np.stack([pace, pace * m_meet, pace * m_meet * m_prop, pace * m_lead])
    sizes_nb = np.stack([size_calls, size_other, size_other, size_other])
    worked = np.zeros((len(months), n), dtype=int)  # workdays at work per month
    for d in all_days:
        if d not in workdays:
            continue
        k_day = day_index[d]
        mi = month_index[d.replace(day=1)]
        wd = min(d.weekday(), 4)
        from_start, to_end = month_work_index[d]
        days_in = d.toordinal() - joined_ord
        ramp = np.clip(0.35 + 0.65 * days_in / 60, 0.0, 1.0)
        at_work = (days_in >= 0) & ~away[k_day]
        worked[mi] += at_work
        level = week[:, wd] * drift_pace[mi] * ramp * (1 - drop_of[k_day])
        energy = rng.gamma(energy_k, 1 / energy_k, n)
        calls, meetings, proposals, leads = _nbinom(rng, rates * (level * energy), sizes_nb)
        timing = money_week[wd]
        if to_end < push_days:
            timing *= push
        if from_start < 2:
            timing *= slow_start
        rate = close * drift_skill[mi] * ramp * shock[mi] * season[mi] * timing
        lam = rate * pipeline
        expected_money = rate * expected_pipeline * size_median * mean_size_factor
        expected_var = rate * expected_pipeline * size_median**2 * square_size_factor
        deals = np.where(at_work, rng.poisson(np.maximum(lam, 0)), 0)
        money = np.zeros(n)
        total = int(deals.sum())
        if total:
            owners = np.repeat(np.arange(n), deals)
            sizes = size_median[owners] * np.exp(rng.normal(0, size_sigma, total))
            if tail_share:
                tail = rng.random(total) < tail_share
                sizes = np.where(tail, sizes * 3 * (1 + rng.pareto(tail_alpha, total)), sizes)
            np.add.at(money, owners, sizes)
        # The pipeline moves only on days at work.
        pipeline = np.where(at_work, decay * pipeline + (1 - decay) * proposals, pipeline)
        expected_pipeline = np.where(
            at_work,
            decay * expected_pipeline + (1 - decay) * pace * m_meet * m_prop * level,
            expected_pipeline,
        )
        rolls = rng.random((3, n))
        miss = rolls[0] < p_miss
        late = rolls[1] < p_late
        carried = rolls[2] < 0.5
        plan_noise = rng.normal(1.05, 0.08, n)
        usual_calls = (pace * week[:, wd] * drift_pace[mi] * ramp * plan_noise)[at_work].tolist()
        rows = zip(
            np.flatnonzero(at_work).tolist(),
            expected_money[at_work].tolist(),
            expected_var[at_work].tolist(),
            usual_calls,
            calls[at_work].tolist(),
            meetings[at_work].tolist(),
            proposals[at_work].tolist(),
            leads[at_work].tolist(),
            deals[at_work].tolist(),
            money[at_work].tolist(),
            miss[at_work].tolist(),
            late[at_work].tolist(),
            carried[at_work].tolist(),
            strict=True,
        )
        for i, exp, var, plan, c, mt, pr, ld, dl, mo, missed, is_late, keep in rows:
            mgr = managers[i]
            mgr.expected[d] = exp
            mgr.expected_var[d] = var
            if not missed or r.random() < 0.3:
                mgr.plans[d] = {
                    "calls": dec(round(plan)),
                    "meetings": dec(round(plan * meet_l[i])),
                    "proposals": dec(round(plan * prop_l[i])),
                    "leads": dec(round(plan * lead_l[i])),
                }
            if missed:
                if keep:
                    carry[i] += mo
                    carry_deals[i] += dl
                continue
            mgr.facts[d] = {
                "calls": dec(c),
                "meetings": dec(mt),
                "proposals": dec(pr),
                "leads": dec(ld),
                "deals": dec(dl + carry_deals[i]),
                MONEY: Decimal(int(round(mo + carry[i], -2))),
            }
            carry[i] = 0.0
            carry_deals[i] = 0
            mgr.reported_on[d] = d
            if is_late:
                pending_late.append((i, d))
    # Late reports arrive on the next workday (a third of them on the one after).
    for i, d in pending_late:
        pos = bisect.bisect_right(work_list, d) + (r.random() < 0.33)
        managers[i].reported_on[d] = work_list[pos] if pos < len(work_list) else d

    # Targets and the calls norm, as the head sets them.
    team_targets: dict[date, Decimal] = {}
    totals = np.zeros((len(months), n))
    for mgr in managers:
        for d, values in mgr.facts.items():
            totals[month_index[d.replace(day=1)], mgr.index] += float(values[MONEY])
    for k in range(3, len(months)):
        m = months[k]
        this_work = len(work_of[m])
        parts: list[Decimal] = []
        newcomers: list[ManagerSim] = []
        for mgr in managers:
            if mgr.joined > m + timedelta(days=5):
                continue
            days_worked = int(worked[k - 3 : k, mgr.index].sum())
            if days_worked < 30:
                newcomers.append(mgr)
                continue
            per_day = float(totals[k - 3 : k, mgr.index].sum()) / days_worked
            amount = per_day * this_work * ambition * math.exp(r.gauss(0, 0.05))
            mgr.targets[m] = Decimal(max(10_000, int(round(amount, -4))))
            parts.append(mgr.targets[m])
        usual = sorted(parts)[len(parts) // 2] if parts else Decimal(100_000)
        for mgr in newcomers:
            mgr.targets[m] = Decimal(int(round(float(usual) * 0.5, -4)))
            parts.append(mgr.targets[m])
        team_targets[m] = sum(parts, _INTS[0])
    norm = round(float(np.median(pace)) * r.uniform(0.85, 1.05) / 5) * 5
    return TeamSim(
        seed=seed,
        months=months,
        managers=managers,
        calls_norm=Decimal(max(5, norm)),
        team_targets=team_targets,
        slumps=slumps,
        workdays=workdays,
        first=first,
        last=last,
        params={
            "push": push,
            "push_days": push_days,
            "slow_start": slow_start,
            "season_amp": season_amp,
            "shock_sd": shock_sd,
            "tail_share": tail_share,
            "size_sigma": size_sigma,
            "deals_per_month": deals_per_month,
            **{f"shock{k}": float(x) for k, x in enumerate(shock)},
            **{f"season{k}": x for k, x in enumerate(season)},
        },
    )
