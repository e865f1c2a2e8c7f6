"""Backtest of the month-end forecasters and the slump detectors on simulated team-months and
on the demo team's history.

    .venv/bin/python -m bench.forecast_backtest [--months 300] [--seed 1] [--demo-months 12]

Each team-month (`bench/simulate.py`; the demo's from `bot/demo_history.py`) is cut in the
evening of its 5th, 10th and 15th workday; every forecaster sees what the bot would have stored
by then (late reports not yet in, leave entered by then) and forecasts the month's money:

- calendar run-rate: month to date / calendar days elapsed x days in the month;
- workday run-rate: month to date / workdays elapsed x workdays in the month;
- today's forecast: `domain.analytics.team_forecast` over `forecast_month` per manager;
- model: `domain.forecasting.forecast_team`;
- oracle (simulated teams only): the money so far (late reports included) + the true expected
  money of each workday left (knows every manager's pace, the month's shocks, leave and
  slumps ahead; not the luck of the deals), its range and likelihood from the luck of the
  deals alone: about how good a forecast can get.

Slumps: each simulated slump in the scored months is followed for its first 10 workdays at
work; a detector's first flag day is the workday of the slump (1 = its first) on whose evening
it flags. False alarms are counted on ordinary manager-days: workdays at work with no slump
within the last 10 workdays, a fixed sample of them per manager and month. Today's flag is
`day_flags(...).flags` containing ACTIVITY_DROP; the new one `domain.slumps.detect_slump`.

Prints markdown tables to stdout (see bench/README.md, `forecast_backtest`).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import NormalDist
from types import SimpleNamespace
from typing import Any, cast

from bench.simulate import (
    EVAL_MONTHS,
    MONEY,
    ManagerSim,
    Slump,
    TeamSim,
    add_months,
    month_last,
    ru_workday,
    simulate_team,
)
from domain.analytics import Flag, day_flags, forecast_month, team_forecast
from domain.daily import MetricInfo
from domain.forecasting import ManagerInput, forecast_team
from domain.metrics import MetricKind
from domain.slumps import detect_slump

CUTS = (5, 10, 15)
FORECASTERS = ("calendar run-rate", "workday run-rate", "today's forecast", "model", "oracle")
DETECTORS = ("today's trend flag", "new detector")
FOLLOW = 10  # workdays of a slump followed
QUIET = 10  # workdays after a slump before a day is ordinary again
SAMPLE = 3  # ordinary days sampled per manager and month


@dataclass(slots=True)
class Prediction:
    point: float
    low: float | None = None
    high: float | None = None
    likelihood: float | None = None


@dataclass(slots=True)
class Case:
    source: str
    cut: int
    truth: float
    target: float | None
    team: dict[str, Prediction]
    # Per manager: (truth, {forecaster: point}).
    managers: list[tuple[float, dict[str, float]]]


@dataclass(slots=True)
class SlumpResult:
    source: str
    drop: float
    first: dict[str, int | None]  # detector -> first flag day (1-based) or None


@dataclass(slots=True)
class OrdinaryDays:
    """Ordinary manager-days sampled per source: how many, how many each detector flagged,
    how many had a report and how many of those were under the calls norm."""

    days: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    flagged: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    reported: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    below_norm: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def alarm_rate(self, source: str, detector: str) -> float:
        days = self.days[source]
        return self.flagged[source, detector] / days if days else float("nan")


# --- cutting a month -----------------------------------------------------------------------------


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def score_month(team: TeamSim, month: date, source: str, cases: list[Case]) -> None:
    workdays = team.workdays_of(month)
    last = month_last(month)
    truth = float(team.month_total(month))
    target = team.team_targets.get(month)
    for cut in CUTS:
        today = workdays[cut - 1]
        members = [m for m in team.managers if m.joined <= today]
        inputs = []
        parts = []
        truths: list[tuple[float, dict[str, float]]] = []
        elapsed_cal = today.day
        elapsed_work = cut
        for m in members:
            facts = m.visible_facts(today)
            absences = m.absences_known(today)
            goal = m.targets.get(month)
            inputs.append(ManagerInput(m.index, facts, absences, goal))
            parts.append(
                forecast_month(
                    facts, m.visible_plans(today), MONEY, today, goal, team.is_workday, absences
                )
            )
        model = forecast_team(inputs, today, target, team.is_workday)
        old = team_forecast(parts, target)
        for m, part, inp in zip(members, parts, inputs, strict=True):
            mtd = float(sum((v[MONEY] for d, v in inp.facts.items() if d >= month), Decimal(0)))
            truths.append(
                (
                    float(m.month_total(month)),
                    {
                        "calendar run-rate": mtd / elapsed_cal * last.day,
                        "workday run-rate": mtd / elapsed_work * len(workdays),
                        "today's forecast": float(part.point),
                        "model": float(model.managers[m.index].point),
                        "oracle": _oracle(m, month, today),
                    },
                )
            )
        mtd = float(model.team.month_to_date)
        team_preds = {
            "calendar run-rate": Prediction(mtd / elapsed_cal * last.day),
            "workday run-rate": Prediction(mtd / elapsed_work * len(workdays)),
            "today's forecast": Prediction(
                float(old.point), float(old.low), float(old.high), old.likelihood
            ),
            "model": Prediction(
                float(model.team.point),
                float(model.team.low),
                float(model.team.high),
                model.team.likelihood,
            ),
        }
        if any(m.expected for m in members):
            team_preds["oracle"] = _oracle_team(members, month, today, target)
        cases.append(Case(source, cut, truth, _f(target), team_preds, truths))


def _gamma_quantile(mean: float, var: float, p: float) -> float:
    """Wilson-Hilferty: the p-quantile of a gamma distribution with this mean and variance."""
    if mean <= 0 or var <= 0:
        return max(mean, 0.0)
    c = var / (9 * mean * mean)
    return mean * max(0.0, 1 - c + NormalDist().inv_cdf(p) * math.sqrt(c)) ** 3


def _gamma_exceeds(mean: float, var: float, gap: float) -> float:
    if gap <= 0:
        return 1.0
    if mean <= 0 or var <= 0:
        return float(mean >= gap)
    c = var / (9 * mean * mean)
    return 1 - NormalDist().cdf(((gap / mean) ** (1 / 3) - (1 - c)) / math.sqrt(c))


def _oracle_team(
    members: Sequence[ManagerSim], month: date, today: date, target: Decimal | None
) -> Prediction:
    """The money so far + the true expected money ahead, with the luck of the deals ahead
    as its only uncertainty (a gamma distribution of that mean and variance)."""
    last = month_last(month)
    so_far = sum(
        float(v[MONEY]) for m in members for d, v in m.facts.items() if month <= d <= today
    )
    mean = sum(e for m in members for d, e in m.expected.items() if today < d <= last)
    var = sum(e for m in members for d, e in m.expected_var.items() if today < d <= last)
    chance = None if target is None else _gamma_exceeds(mean, var, float(target) - so_far)
    return Prediction(
        so_far + mean,
        so_far + _gamma_quantile(mean, var, 0.1),
        so_far + _gamma_quantile(mean, var, 0.9),
        chance,
    )


def _oracle(m: ManagerSim, month: date, today: date) -> float:
    last = month_last(month)
    so_far = sum(float(v[MONEY]) for d, v in m.facts.items() if month <= d <= today)
    ahead = sum(e for d, e in m.expected.items() if today < d <= last)
    return so_far + ahead


# --- slumps ------------------------------------------------------------------------------------


def _metrics(team: TeamSim) -> list[MetricInfo]:
    return [MetricInfo("calls", MetricKind.COUNT, team.calls_norm, Decimal(1000), is_key=True)]


def _at_work(m: ManagerSim, day: date, team: TeamSim) -> bool:
    if not team.is_workday(day) or day < m.joined:
        return False
    return not any(a <= day <= b for a, b, _ in m.leave)


def _today_flag(team: TeamSim, m: ManagerSim, day: date) -> tuple[bool, bool | None]:
    """(activity drop flagged, below the norm: None without a report)."""
    facts = m.visible_facts(day)
    flags = day_flags(
        _metrics(team), day, m.visible_plans(day), facts, team.is_workday, m.absences_known(day)
    )
    below = bool(flags.below_norm) if day in facts else None
    return Flag.ACTIVITY_DROP in flags.flags, below


def _new_flag(team: TeamSim, m: ManagerSim, day: date) -> bool:
    status = detect_slump(m.visible_facts(day), day, team.is_workday, m.absences_known(day))
    return status.flagged


def score_slumps(
    team: TeamSim,
    months: Sequence[date],
    source: str,
    results: list[SlumpResult],
    ordinary: OrdinaryDays,
    rng: random.Random,
) -> None:
    first, last = months[0], month_last(months[-1])
    by_manager: dict[int, list[Slump]] = defaultdict(list)
    for s in team.slumps:
        by_manager[s.manager].append(s)
    for s in team.slumps:
        if not first <= s.start <= last:
            continue
        m = team.managers[s.manager]
        days: list[date] = []
        day = s.start
        while day <= min(s.end, last) and len(days) < FOLLOW:
            if _at_work(m, day, team):
                days.append(day)
            day += timedelta(days=1)
        complete = len(days) == FOLLOW or s.end <= last
        if not days or not complete:
            continue
        found: dict[str, int | None] = {}
        today_first = next((k for k, d in enumerate(days, 1) if _today_flag(team, m, d)[0]), None)
        found[DETECTORS[0]] = today_first
        found[DETECTORS[1]] = next(
            (k for k, d in enumerate(days, 1) if _new_flag(team, m, d)), None
        )
        results.append(SlumpResult(source, s.drop, found))
    index = {d: k for k, d in enumerate(sorted(team.workdays))}
    for month in months:
        for m in team.managers:
            candidates = [
                d
                for d in team.workdays_of(month)
                if _at_work(m, d, team) and _quiet(by_manager[m.index], d, index)
            ]
            for day in rng.sample(candidates, min(SAMPLE, len(candidates))):
                dropped, below = _today_flag(team, m, day)
                ordinary.days[source] += 1
                ordinary.flagged[source, DETECTORS[0]] += dropped
                ordinary.flagged[source, DETECTORS[1]] += _new_flag(team, m, day)
                if below is not None:
                    ordinary.reported[source] += 1
                    ordinary.below_norm[source] += below


def _quiet(slumps: Sequence[Slump], day: date, index: dict[date, int]) -> bool:
    """No slump on `day` or within the QUIET workdays before it."""
    return not any(s.start <= day and index[day] - index[s.end] <= QUIET for s in slumps)


# --- the demo team -------------------------------------------------------------------------------


class _Collect:
    """A stand-in for the database session: keeps what the demo's generator adds."""

    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, item: Any) -> None:
        self.added.append(item)


def demo_team(month: date, seed: int) -> TeamSim:
    """The demo's six personas over `month` and the month before, from the demo's own day
    generator (`bot.demo_history._one_day`) with a stand-in session: the history the demo
    would seed if "today" were the month's last day."""
    from zoneinfo import ZoneInfo

    from bot import demo_history

    today = month_last(month)
    first = add_months(month, -1)
    rng = random.Random(seed)
    keys = ("calls", "meetings", "proposals", "leads", "deals", "revenue")
    metrics = {k: SimpleNamespace(id=i, key=k) for i, k in enumerate(keys)}
    team = SimpleNamespace(id=1, workdays="12345", holiday_country="RU")
    zone = ZoneInfo("Europe/Moscow")
    managers: list[ManagerSim] = []
    slumps: list[Slump] = []
    workdays = frozenset(
        first + timedelta(days=i)
        for i in range((today - first).days + 1)
        if ru_workday(first + timedelta(days=i))
    )
    for index, persona in enumerate(demo_history.PERSONAS):
        joined = first - timedelta(days=30)
        sim = ManagerSim(index, joined)
        session = _Collect()
        member = SimpleNamespace(id=index)
        away: tuple[date, date] | None = None
        if persona.vacation:
            away = (
                today - timedelta(days=persona.vacation[0]),
                today - timedelta(days=persona.vacation[1]),
            )
            sim.leave.append((away[0], away[1], first))
        day = first
        while day <= today:
            if day in workdays and not (away and away[0] <= day <= away[1]):
                demo_history._one_day(
                    cast(Any, session), rng, cast(Any, team), cast(Any, member), persona,
                    cast(Any, metrics), day, today, zone,
                )  # fmt: skip
            day += timedelta(days=1)
        for entry in session.added:
            values = {keys[v.metric_id]: v.value for v in entry.values}
            if entry.kind == "fact":
                sim.facts[entry.day] = values
                sim.reported_on[entry.day] = entry.day
            else:
                sim.plans[entry.day] = values
        daily = persona.deal_size * persona.calls / 14 * persona.conversion
        sim.targets[month] = Decimal(round(daily * 21 * 1.05, -4))
        if persona.slump_from is not None:
            start = today - timedelta(days=persona.slump_from)
            while start not in workdays:
                start += timedelta(days=1)
            slumps.append(Slump(index, start, max(d for d in workdays if d <= today), 0.45))
        managers.append(sim)
    return TeamSim(
        seed=seed,
        months=[first, month],
        managers=managers,
        calls_norm=Decimal(30),
        team_targets={month: sum((m.targets[month] for m in managers), Decimal(0))},
        slumps=slumps,
        workdays=workdays,
        first=first,
        last=today,
        scored=1,
    )


# --- tables --------------------------------------------------------------------------------------


def _mape(pairs: Sequence[tuple[float, float]]) -> float:
    return statistics.fmean(abs(p - t) / t for t, p in pairs if t > 0)


def _wape(pairs: Sequence[tuple[float, float]]) -> float:
    total = sum(t for t, _ in pairs)
    return sum(abs(p - t) for t, p in pairs) / total if total else float("nan")


def _probabilities(cases: Sequence[Case], name: str) -> list[tuple[float, bool]]:
    return [
        (p.likelihood, c.truth >= c.target)
        for c in cases
        if c.target is not None and (p := c.team[name]).likelihood is not None
    ]


def _brier(pairs: Sequence[tuple[float, bool]]) -> tuple[float, float]:
    """(Brier score, the no-skill one: always the months' base rate)."""
    if not pairs:
        return float("nan"), float("nan")
    base = statistics.fmean(hit for _, hit in pairs)
    brier = statistics.fmean((p - hit) ** 2 for p, hit in pairs)
    return brier, statistics.fmean((base - hit) ** 2 for _, hit in pairs)


def _covers(case: Case, name: str) -> bool:
    p = case.team[name]
    if p.low is None or p.high is None:
        return False
    return p.low - 0.005 <= case.truth <= p.high + 0.005


@dataclass(frozen=True, slots=True)
class Score:
    mape: float
    wape: float  # per manager: sum of |error| / sum of the month totals
    coverage: float | None
    brier: float | None
    no_skill: float | None


def score(cases: Sequence[Case], name: str) -> Score | None:
    pairs = [(c.truth, c.team[name].point) for c in cases if name in c.team]
    if not pairs:
        return None
    managers = [(t, p[name]) for c in cases for t, p in c.managers]
    ranged = [c for c in cases if c.team[name].low is not None]
    coverage = statistics.fmean(_covers(c, name) for c in ranged) if ranged else None
    probabilities = _probabilities(cases, name)
    brier, base = _brier(probabilities) if probabilities else (None, None)
    return Score(_mape(pairs), _wape(managers), coverage, brier, base)


def forecast_tables(cases: Sequence[Case], source: str) -> list[str]:
    chosen = [c for c in cases if c.source == source]
    if not chosen:
        return []
    out = [
        "| cut | forecaster | team MAPE | / calendar RR | / workday RR | manager WAPE"
        " | 80% range covers | Brier | no-skill Brier | Brier / no-skill |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cut in CUTS:
        at_cut = [c for c in chosen if c.cut == cut]
        scores = {name: score(at_cut, name) for name in FORECASTERS}
        calendar, workday = scores[FORECASTERS[0]], scores[FORECASTERS[1]]
        if calendar is None or workday is None:
            continue
        for name, sc in scores.items():
            if sc is None:
                continue
            cover = "—" if sc.coverage is None else f"{sc.coverage:.1%}"
            if sc.brier is None or sc.no_skill is None:
                briers = "— | — | —"
            else:
                ratio = f"**{sc.brier / sc.no_skill:.2f}**" if sc.no_skill > 0 else "—"
                briers = f"{sc.brier:.3f} | {sc.no_skill:.3f} | {ratio}"
            out.append(
                f"| {cut} | {name} | {sc.mape:.1%} | {sc.mape / calendar.mape:.2f}"
                f" | {sc.mape / workday.mape:.2f} | {sc.wape:.1%} | {cover} | {briers} |"
            )
    return out


def reliability(cases: Sequence[Case], source: str, name: str, cut: int) -> list[str]:
    rows = _probabilities([c for c in cases if c.source == source and c.cut == cut], name)
    out = [
        "| predicted likelihood | months | mean predicted | observed hit rate |",
        "| --- | ---: | ---: | ---: |",
    ]
    for low in range(0, 100, 10):
        inside = [
            (p, hit) for p, hit in rows if low <= p * 100 < low + 10 or (low == 90 and p == 1)
        ]
        if inside:
            out.append(
                f"| {low}-{low + 10}% | {len(inside)}"
                f" | {statistics.fmean(p for p, _ in inside):.0%}"
                f" | {statistics.fmean(hit for _, hit in inside):.0%} |"
            )
    return out


def _share(values: Sequence[int | None], by: int) -> float:
    return sum(1 for f in values if f is not None and f <= by) / len(values)


def slump_tables(results: Sequence[SlumpResult], ordinary: OrdinaryDays, source: str) -> list[str]:
    chosen = [r for r in results if r.source == source]
    out = [
        "| detector | slumps | flagged by workday 1 | by 2 | by 3 | by 5 | within 10 |"
        " median workday | false alarms on ordinary days |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in DETECTORS:
        firsts = [r.first[name] for r in chosen]
        alarms = f"{ordinary.alarm_rate(source, name):.1%} of {ordinary.days[source]}"
        if not firsts:
            out.append(f"| {name} | 0 | — | — | — | — | — | — | {alarms} |")
            continue
        found = sorted(f if f is not None else FOLLOW + 1 for f in firsts)
        median = found[len(found) // 2]
        shares = " | ".join(f"{_share(firsts, k):.0%}" for k in (1, 2, 3, 5, FOLLOW))
        median_text = f">{FOLLOW}" if median > FOLLOW else str(median)
        out.append(f"| {name} | {len(firsts)} | {shares} | {median_text} | {alarms} |")
    if chosen:
        out += [
            "",
            "Flagged by the slump's 2nd workday, by the size of the drop:",
            "",
            "| drop | slumps | today's trend flag | new detector |",
            "| --- | ---: | ---: | ---: |",
        ]
        for low, high in ((0.3, 0.4), (0.4, 0.5), (0.5, 0.61)):
            group = [r for r in chosen if low <= r.drop < high]
            if group:
                old = _share([r.first[DETECTORS[0]] for r in group], 2)
                new = _share([r.first[DETECTORS[1]] for r in group], 2)
                out.append(
                    f"| {low:.0%}-{min(high, 0.6):.0%} | {len(group)} | {old:.0%} | {new:.0%} |"
                )
    reported = ordinary.reported[source]
    if reported:
        below = ordinary.below_norm[source] / reported
        out += ["", f'Ordinary reported days under the calls norm ("below the norm"): {below:.0%}.']
    return out


def targets(
    cases: Sequence[Case], results: Sequence[SlumpResult], ordinary: OrdinaryDays
) -> list[str]:
    """The targets after workday 10 (simulated months), met or not."""
    at_ten = [c for c in cases if c.source == "simulated" and c.cut == 10]
    model, calendar, workday = (score(at_ten, n) for n in ("model", *FORECASTERS[:2]))
    if model is None or calendar is None or workday is None:
        return []
    chosen = [r.first[DETECTORS[1]] for r in results if r.source == "simulated"]
    alarms = ordinary.alarm_rate("simulated", DETECTORS[1])

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = [
        "| target (after workday 10) | result | |",
        "| --- | ---: | --- |",
        f"| MAPE <= 0.7 x calendar run-rate's | {model.mape / calendar.mape:.2f}"
        f" | {mark(model.mape <= 0.7 * calendar.mape)} |",
        f"| MAPE <= 0.8 x workday run-rate's | {model.mape / workday.mape:.2f}"
        f" | {mark(model.mape <= 0.8 * workday.mape)} |",
    ]
    if model.coverage is not None:
        lines.append(
            f"| 80% range covers 78-85% | {model.coverage:.1%}"
            f" | {mark(0.78 <= model.coverage <= 0.85)} |"
        )
    if model.brier is not None and model.no_skill:
        ratio = model.brier / model.no_skill
        lines.append(f"| Brier <= 0.5 x no-skill | {ratio:.2f} | {mark(ratio <= 0.5)} |")
    if chosen:
        by_two = _share(chosen, 2)
        lines.append(
            f"| slumps flagged by workday 2 >= 60% | {by_two:.0%} | {mark(by_two >= 0.6)} |"
        )
    lines.append(f"| false alarms <= 2% | {alarms:.1%} | {mark(alarms <= 0.02)} |")
    return lines


# --- main ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Backtest:
    cases: list[Case] = field(default_factory=list)
    slumps: list[SlumpResult] = field(default_factory=list)
    ordinary: OrdinaryDays = field(default_factory=OrdinaryDays)
    teams: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def run(months: int, seed: int, demo_months: int = 12) -> Backtest:
    """Score `months` simulated team-months (their teams' seeds follow from `seed`) and
    `demo_months` of the demo team's."""
    result = Backtest()
    rng = random.Random(seed)
    teams = -(-months // EVAL_MONTHS)
    started = time.process_time()
    sims = [simulate_team(seed * 1_000_003 + k) for k in range(teams)]
    result.timings["simulate"] = time.process_time() - started
    result.teams = teams
    started = time.process_time()
    scored = 0
    for team in sims:
        for month in team.eval_months[: months - scored]:
            score_month(team, month, "simulated", result.cases)
            scored += 1
    result.timings["forecasts"] = time.process_time() - started
    started = time.process_time()
    for team in sims:
        score_slumps(team, team.eval_months, "simulated", result.slumps, result.ordinary, rng)
    result.timings["slumps"] = time.process_time() - started
    started = time.process_time()
    first = date(2025, 1, 1)
    for k in range(demo_months):
        team = demo_team(add_months(first, k), 7 + k)
        score_month(team, team.months[-1], "demo", result.cases)
        score_slumps(team, team.months[-1:], "demo", result.slumps, result.ordinary, rng)
    result.timings["demo"] = time.process_time() - started
    return result


def report(result: Backtest, months: int, seed: int) -> str:
    simulated = [c for c in result.cases if c.source == "simulated"]
    lines = [f"### Simulated: {months} team-months ({result.teams} teams), seed {seed}", ""]
    lines += targets(result.cases, result.slumps, result.ordinary)
    lines += ["", *forecast_tables(result.cases, "simulated")]
    lines += ["", "Reliability of the model's likelihood of reaching the target, after workday 10:"]
    lines += ["", *reliability(result.cases, "simulated", "model", 10)]
    hits = [c.truth >= c.target for c in simulated if c.cut == 5 and c.target is not None]
    if hits:
        lines += ["", f"Months that reached the team's target: {statistics.fmean(hits):.0%}."]
    lines += ["", "Slumps:", "", *slump_tables(result.slumps, result.ordinary, "simulated")]
    demo = [c for c in result.cases if c.source == "demo"]
    if demo:
        lines += [
            "",
            f"### The demo team (bot/demo_history.py): {len(demo) // len(CUTS)} months",
            "",
        ]
        lines += forecast_tables(result.cases, "demo")
        lines += ["", "Slumps:", "", *slump_tables(result.slumps, result.ordinary, "demo")]
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
    lines += ["", f"CPU time: {timings}."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--months", type=int, default=300, help="simulated team-months scored")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--demo-months", type=int, default=12, help="demo team-months scored")
    args = parser.parse_args(argv)
    result = run(args.months, args.seed, args.demo_months)
    print(report(result, args.months, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
