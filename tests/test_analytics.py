"""Digest, alert and forecast math on hand-made months whose answers are worked out in comments,
plus the forecast's properties under hypothesis.

Unless said otherwise the months are June 2026 on a Monday-to-Friday calendar: June 1 is a
Monday, so the workdays are 1-5, 8-12, 15-19, 22-26, 29-30 (22 in all).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.analytics import (
    Flag,
    FlagRules,
    Forecast,
    ForecastRules,
    MethodCode,
    activity_trend,
    combine_histories,
    day_flags,
    days_left,
    forecast_month,
    month_end,
    month_to_date,
    plan_under_norm,
    team_forecast,
    week_stats,
)
from domain.calendar import is_workday
from domain.daily import MetricInfo
from domain.metrics import MetricKind

D = Decimal
FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)

METRICS = [
    MetricInfo("calls", MetricKind.COUNT, D(30), D(1000), is_key=True),
    MetricInfo("meetings", MetricKind.COUNT, D(2), D(100), is_key=False),
    MetricInfo("revenue", MetricKind.MONEY, None, D(10**9), is_key=False),
]


def weekdays(day: date) -> bool:
    return day.isoweekday() <= 5


def russia(day: date) -> bool:
    return is_workday(day, "12345", "RU")


def june(day: int) -> date:
    return date(2026, 6, day)


def days(first: date, last: date, calendar=weekdays, absences=()) -> list[date]:
    """Workdays in [first, last] outside the absences."""
    out, day = [], first
    while day <= last:
        if calendar(day) and not any(a <= day <= b for a, b in absences):
            out.append(day)
        day += timedelta(days=1)
    return out


def entries(on: list[date], **values: int) -> dict[date, dict[str, Decimal]]:
    return {day: {key: D(v) for key, v in values.items()} for day in on}


def steady(first: date, last: date, calendar=weekdays, absences=()):
    """Calls 30, meetings 2, revenue 10 000 every workday at work."""
    return entries(days(first, last, calendar, absences), calls=30, meetings=2, revenue=10_000)


# --- a steady manager ---------------------------------------------------------------------------


def test_steady_manager_month_to_date_and_forecast():
    facts = steady(june(1), june(15))
    # Workdays June 1-5, 8-12, 15: 11 days x 10 000 = 110 000 so far. Today's report is in, so
    # the days left start tomorrow: 16-19, 22-26, 29-30 = 11. Target 220 000: 110 000 to go,
    # 10 000 a day.
    mtd = month_to_date(facts, "revenue", june(15), D(220_000), weekdays)
    assert (mtd.fact, mtd.days_left, mtd.remaining) == (D(110_000), 11, D(110_000))
    assert mtd.needed_per_day == D(10_000)
    assert mtd.share == 50 and not mtd.reached
    # Before today's report the days left start today: 12 of them, 120 000 still to go
    # (today's 10 000 is not in yet): 10 000 a day.
    before = month_to_date(
        steady(june(1), june(12)), "revenue", june(15), D(220_000), weekdays, today_done=False
    )
    assert (before.fact, before.days_left, before.needed_per_day) == (D(100_000), 12, D(10_000))

    # Run-rate: the last 10 workdays all 10 000 (no spread) -> 110 000 + 10 000 x 11 = 220 000.
    # Funnel: 110 000 over 330 calls and 22 meetings; 30 calls and 2 meetings a day are usual,
    # so 330 calls / 22 meetings ahead bring 110 000 either way -> 220 000.
    forecast = forecast_month(facts, {}, "revenue", june(15), D(220_000), weekdays)
    assert forecast.method.code is MethodCode.COMBINED
    assert forecast.run_rate == forecast.funnel == D(220_000)
    assert forecast.low == forecast.point == forecast.high == D(220_000)
    # No spread and the point on the target: certain.
    assert forecast.likelihood == 1.0
    assert forecast.method.describe() == (
        "50% run-rate (month-to-date + mean daily fact of the last 10 workdays x 11 workdays"
        " left) + 50% funnel (money per calls/meetings over the last 11 workdays x planned or"
        " usual activity); 80% range from the spread of daily facts"
    )
    assert forecast.method.args["days_left"] == 11
    # Without activities to convert, the run-rate alone.
    alone = forecast_month(
        facts, {}, "revenue", june(15), D(220_000), weekdays, rules=ForecastRules(funnel_keys=())
    )
    assert alone.method.code is MethodCode.RUN_RATE and alone.funnel is None
    assert alone.point == D(220_000)
    assert alone.method.describe() == (
        "run-rate: month-to-date + mean daily fact of the last 10 workdays x 11 workdays left;"
        " 80% range from the spread of daily facts"
    )


def test_steady_manager_has_no_flags_and_a_flat_trend():
    facts = steady(june(1), june(26))
    plans = entries(days(june(1), june(26)), calls=30, meetings=2)
    flags = day_flags(METRICS, june(26), plans, facts, weekdays)
    assert flags.flags == ()
    # Window June 22-26 (150 calls); each day's same weekday on June 15, 8 and 1: median 30.
    assert flags.trend is not None
    assert (flags.trend.recent, flags.trend.baseline, flags.trend.change) == (D(150), D(150), 0)
    assert not flags.trend.dropped


def test_plan_accuracy_and_forecast_use_future_plans():
    facts = steady(june(1), june(15))
    # The manager already planned 60 calls and 4 meetings for each of the 11 days left (double
    # the usual): the funnel expects 220 000 more, the run-rate 110 000;
    # point = 110 000 + (110 000 + 220 000) / 2 = 275 000.
    plans = entries(days(june(16), june(30)), calls=60, meetings=4)
    forecast = forecast_month(facts, plans, "revenue", june(15), D(220_000), weekdays)
    assert forecast.funnel == D(330_000)
    assert forecast.point == D(275_000)


# --- a slump after mid-month -----------------------------------------------------------------


def slump() -> tuple[dict[date, dict[str, Decimal]], dict[date, dict[str, Decimal]]]:
    # June 1-12: 40 calls, 3 meetings, 20 000 a day; from June 15: 10 calls, no meetings, 0.
    facts = entries(days(june(1), june(12)), calls=40, meetings=3, revenue=20_000)
    facts |= entries(days(june(15), june(19)), calls=10, meetings=0, revenue=0)
    plans = entries(days(june(1), june(19)), calls=30, meetings=2)
    return facts, plans


def test_slump_flags():
    facts, plans = slump()
    flags = day_flags(METRICS, june(19), plans, facts, weekdays)
    # 10 calls: under the norm of 30, and at 33 % of the plan of 30 (under 70 %).
    assert flags.below_norm == ("calls",) and flags.far_below_plan == ("calls",)
    # June 15-19 all under the norm; June 12 was not: five days running (alert at 3).
    assert flags.under_norm_streak == 5
    # Trend: June 15-19 made 50 calls; the same weekdays in the 4 weeks before (June 8-12 and
    # June 1-5, May unreported) give medians of 40 -> baseline 200. 50 is 25 % of it: -75 %,
    # well past the 30 % drop.
    assert flags.trend is not None
    assert (flags.trend.recent, flags.trend.baseline, flags.trend.change) == (D(50), D(200), -75)
    assert flags.flags == (
        Flag.BELOW_NORM, Flag.FAR_BELOW_PLAN, Flag.ACTIVITY_DROP, Flag.BAD_STREAK,
    )  # fmt: skip
    # A stricter team: a drop only at 80 % under; and the streak alert only at 6 days.
    strict = FlagRules(drop_percent=80, streak_alert=6)
    assert day_flags(METRICS, june(19), plans, facts, weekdays, rules=strict).flags == (
        Flag.BELOW_NORM, Flag.FAR_BELOW_PLAN,
    )  # fmt: skip
    # The Saturday after: not a workday, so nothing is flagged.
    assert day_flags(METRICS, june(20), plans, facts, weekdays).flags == ()
    # Mid-slump, June 16: the window June 10-16 starts on a Wednesday, so its baseline looks
    # at the weeks before June 10; for June 10 only June 3 is there (May is empty): no trend.
    assert activity_trend(facts, june(16), weekdays) is None


@pytest.mark.parametrize(("calls", "change", "dropped"), [(28, -30, True), (29, -27, False)])
def test_drop_threshold(calls: int, change: int, dropped: bool) -> None:
    # Two weeks at 40 calls, then a week at 28 (29): 140 (145) against a baseline of 5 x 40.
    # 140 is 70 %: exactly 30 % under counts as a drop; 145 is 72.5 % (rounded 73): no drop.
    facts = entries(days(june(1), june(12)), calls=40)
    facts |= entries(days(june(15), june(19)), calls=calls)
    trend = activity_trend(facts, june(19), weekdays)
    assert trend is not None and trend.baseline == D(200)
    assert (trend.change, trend.dropped) == (change, dropped)


def test_slump_forecast():
    facts, plans = slump()
    # Month to date: 10 workdays x 20 000 = 200 000. Days left after June 19: 22-26, 29-30 = 7.
    # Run-rate: the last 10 workdays (June 8-19) are 5 x 20 000 and 5 x 0: mean 10 000
    #   -> 200 000 + 70 000 = 270 000.
    # Funnel (all 15 workdays): 200 000 over 450 calls and 30 meetings. Usual activity from the
    #   last 10 days: 250 calls / 10 = 25 a day, 15 meetings / 10 = 1.5 a day. Over 7 days:
    #   175 calls x 200 000/450 = 77 777.78; 10.5 meetings x 200 000/30 = 70 000;
    #   mean 73 888.89 -> 273 888.89.
    # Point: 200 000 + (70 000 + 73 888.89) / 2 = 271 944.44.
    # Spread: daily facts deviate +-10 000 from the mean, s^2 = 10 x 10^8 / 9 = 111 111 111.1;
    #   sd = sqrt(111 111 111.1 x (7 + 49/10)) = sqrt(1 322 222 222) = 36 362.37;
    #   half range 1.2816 x 36 362.37 = 46 602.02 (rounded up to cents).
    # Likelihood of 300 000: z = (300 000 - 271 944.44) / 36 362.37 = 0.7716 -> 22 %.
    forecast = forecast_month(facts, plans, "revenue", june(19), D(300_000), weekdays)
    assert forecast.month_to_date == D(200_000)
    assert forecast.run_rate == D(270_000)
    assert forecast.funnel == D("273888.89")
    assert forecast.point == D("271944.44")
    assert forecast.spread.quantize(D("0.01")) == D("36362.37")
    assert (forecast.low, forecast.high) == (D("271944.44") - D("46602.02"), D("318546.46"))
    assert forecast.likelihood == 0.22
    assert forecast.share_of_target == 91


# --- a manager on vacation for a week ----------------------------------------------------------


VACATION = [(june(8), june(12))]


def vacationer() -> dict[date, dict[str, Decimal]]:
    # June 1-3: 30 calls; June 4-5 and 15-19: 25 calls; revenue 10 000 on every day at work.
    facts = entries(days(june(1), june(3)), calls=30, meetings=2, revenue=10_000)
    facts |= entries(days(june(4), june(5)), calls=25, meetings=2, revenue=10_000)
    facts |= entries(days(june(15), june(19)), calls=25, meetings=2, revenue=10_000)
    return facts


def test_vacation_week_is_skipped():
    facts = vacationer()
    on_leave = day_flags(METRICS, june(10), {}, facts, weekdays, VACATION)
    assert on_leave.flags == (Flag.ON_LEAVE,) and not on_leave.no_report
    assert on_leave.under_norm_streak == on_leave.missed_streak == 0
    flags = day_flags(METRICS, june(19), {}, facts, weekdays, VACATION)
    # Under the norm on June 15-19 and, across the vacation and the weekends, June 4-5: 7 days.
    assert flags.under_norm_streak == 7
    # The trend needs 2 same-weekday values per day: June 8-12 was leave and May is empty,
    # so only June 1-5 is there -> no trend, no drop flag.
    assert flags.trend is None
    assert Flag.ACTIVITY_DROP not in flags.flags

    # 10 days at work x 10 000 = 100 000. Days left: 22-26, 29-30 = 7; 100 000 to go for a
    # target of 200 000: 14 285.714... a day, rounded up to 14 285.72.
    mtd = month_to_date(facts, "revenue", june(19), D(200_000), weekdays, VACATION)
    assert (mtd.fact, mtd.days_left, mtd.needed_per_day) == (D(100_000), 7, D("14285.72"))
    # The last 10 reported workdays skip the vacation: June 1-5 and 15-19, all 10 000.
    # 100 000 + 7 x 10 000 = 170 000, no spread: the target is out of reach.
    forecast = forecast_month(facts, {}, "revenue", june(19), D(200_000), weekdays, VACATION)
    assert forecast.method.args["window"] == 10
    assert forecast.low == forecast.point == forecast.high == D(170_000)
    assert forecast.likelihood == 0.0


def test_vacation_ahead_shortens_the_month():
    facts = steady(june(1), june(19))
    # A vacation June 22-26 leaves only June 29-30: 150 000 + 2 x 10 000 = 170 000.
    ahead = [(june(22), june(26))]
    assert days_left(june(19), weekdays, ahead, today_done=True) == 2
    forecast = forecast_month(facts, {}, "revenue", june(19), None, weekdays, ahead)
    assert forecast.point == D(170_000) and forecast.likelihood is None


# --- a star already over target ---------------------------------------------------------------


def test_star_over_target():
    facts = entries(days(june(1), june(10)), calls=60, meetings=5, revenue=50_000)
    # June 1-5, 8-10: 8 days x 50 000 = 400 000 against 300 000: 133 %, nothing more needed.
    mtd = month_to_date(facts, "revenue", june(10), D(300_000), weekdays)
    assert (mtd.fact, mtd.share, mtd.remaining, mtd.needed_per_day) == (
        D(400_000), 133, D(0), D(0),
    )  # fmt: skip
    assert mtd.reached
    # 14 days left (11-12, 15-19, 22-26, 29-30) at 50 000: 400 000 + 700 000 = 1 100 000.
    forecast = forecast_month(facts, {}, "revenue", june(10), D(300_000), weekdays)
    assert forecast.days_left == 14
    assert forecast.point == D(1_100_000)
    assert forecast.likelihood == 1.0


# --- a new manager with 3 days of history -------------------------------------------------------


def test_new_manager_with_three_days():
    facts = {
        june(15): {"calls": D(30), "meetings": D(0), "revenue": D(0)},
        june(16): {"calls": D(30), "meetings": D(0), "revenue": D(30_000)},
        june(17): {"calls": D(30), "meetings": D(0), "revenue": D(0)},
    }
    # Two days are not enough (3 needed): the forecast is the month to date, said so.
    early = {d: v for d, v in facts.items() if d < june(17)}
    forecast = forecast_month(early, {}, "revenue", june(16), D(150_000), weekdays)
    assert forecast.method.code is MethodCode.NOT_ENOUGH_DATA
    assert forecast.method.args == {"days": 2, "needed": 3}
    assert forecast.low == forecast.point == forecast.high == D(30_000)
    assert forecast.likelihood is None and not forecast.has_data
    assert "not enough data" in forecast.method.describe()

    # Three days: 0, 30 000, 0. Mean 10 000; s^2 = (1 + 4 + 1) x 10^8 / 2 = 3 x 10^8.
    # Days left: 18-19, 22-26, 29-30 = 9; sd = s x sqrt(9 + 81/3) = 6s = 103 923.05;
    # half range 1.2816 x 103 923.05 = 133 187.78.
    # Run-rate: 30 000 + 9 x 10 000 = 120 000. Funnel: no meetings, so calls only:
    # 30 000 / 90 calls x (30 x 9) calls = 90 000 -> 120 000. Point 120 000.
    # Low: 120 000 - 133 187.78 is under the month to date, so 30 000; high 253 187.78.
    # Likelihood of 150 000: z = 30 000 / 103 923.05 = 0.2887 -> 1 - 0.6136 = 39 %.
    forecast = forecast_month(facts, {}, "revenue", june(17), D(150_000), weekdays)
    assert forecast.method.args["activities"] == "calls"
    assert forecast.run_rate == forecast.funnel == forecast.point == D(120_000)
    assert (forecast.low, forecast.high) == (D(30_000), D("253187.78"))
    assert forecast.likelihood == 0.39


# --- a month with a public holiday --------------------------------------------------------------


def test_month_with_a_public_holiday():
    # November 2026 in Russia: the 4th (a Wednesday) is Unity Day. October has no holidays.
    facts = steady(date(2026, 10, 1), date(2026, 11, 3), russia)
    today = date(2026, 11, 3)
    # Month to date: November 2 and 3 = 20 000. Days left: 5-6, 9-13, 16-20, 23-27, 30 = 18
    # (19 on a plain Monday-to-Friday calendar). Target 200 000: 180 000 / 18 = 10 000 a day.
    mtd = month_to_date(facts, "revenue", today, D(200_000), russia)
    assert (mtd.fact, mtd.days_left, mtd.needed_per_day) == (D(20_000), 18, D(10_000))
    assert month_to_date(facts, "revenue", today, D(200_000), weekdays).days_left == 19
    # The last 10 workdays reach back into October, all 10 000: 20 000 + 18 x 10 000.
    forecast = forecast_month(facts, {}, "revenue", today, D(200_000), russia)
    assert forecast.point == D(200_000) and forecast.likelihood == 1.0
    # No prompt and so no missing report on the holiday.
    assert day_flags(METRICS, date(2026, 11, 4), {}, facts, russia).flags == ()
    # On the 5th without a report: that is one workday missed (the holiday is skipped).
    flags = day_flags(METRICS, date(2026, 11, 5), {}, facts, russia)
    assert flags.flags == (Flag.NO_REPORT,) and flags.missed_streak == 1


def test_month_end_and_closed_month():
    assert month_end(date(2026, 2, 10)) == date(2026, 2, 28)
    assert month_end(date(2028, 2, 10)) == date(2028, 2, 29)
    assert month_end(date(2026, 12, 31)) == date(2026, 12, 31)
    facts = steady(june(1), june(30))
    forecast = forecast_month(facts, {}, "revenue", june(30), D(250_000), weekdays)
    # The last day's report is in: 22 x 10 000 is the month's result; 220 000 < 250 000.
    assert forecast.method.code is MethodCode.MONTH_CLOSED
    assert forecast.point == D(220_000) and forecast.likelihood == 0.0
    mtd = month_to_date(facts, "revenue", june(30), D(250_000), weekdays)
    assert mtd.remaining == D(30_000) and mtd.needed_per_day is None


# --- the team ---------------------------------------------------------------------------------


def test_team_forecast_is_the_sum_of_managers():
    facts, plans = slump()
    steady_one = forecast_month(steady(june(1), june(19)), {}, "revenue", june(19), None, weekdays)
    slumping = forecast_month(facts, plans, "revenue", june(19), None, weekdays)
    newbie = forecast_month(
        {june(19): {"revenue": D(5_000)}}, {}, "revenue", june(19), None, weekdays
    )
    team = team_forecast([steady_one, slumping, newbie], D(700_000))
    # 220 000 (steady, no spread) + 271 944.44 + 5 000 (month to date only) = 496 944.44.
    assert team.point == D("496944.44")
    assert team.month_to_date == D(150_000 + 200_000 + 5_000)
    # Only the slumping manager has a spread: the team's range is theirs.
    assert team.high - team.point == slumping.high - slumping.point
    assert team.method.args == {"managers": 3, "without_data": 1, "interval": 80}
    assert team.likelihood == 0.0
    # The team's month to date from the combined history.
    combined = combine_histories([steady(june(1), june(19)), facts])
    assert month_to_date(combined, "revenue", june(19), D(700_000), weekdays).fact == D(350_000)


def test_money_of_people_who_left_counts_in_the_team_forecast_with_nothing_more_to_come():
    facts, plans = slump()
    slumping = forecast_month(facts, plans, "revenue", june(19), None, weekdays)
    alone = team_forecast([slumping], D(700_000))
    with_former = team_forecast([slumping], D(700_000), settled=D(120_000))
    assert with_former.month_to_date == alone.month_to_date + D(120_000)
    assert with_former.point == alone.point + D(120_000)
    assert (with_former.low, with_former.high) == (alone.low + 120_000, alone.high + 120_000)
    assert with_former.method.args["managers"] == 1, "a former member is not a manager now"
    assert with_former.likelihood is not None and alone.likelihood is not None
    assert with_former.likelihood >= alone.likelihood


# --- weekly stats and plan alerts -------------------------------------------------------------


def test_week_stats():
    # Week June 15-21 with a day off on Friday the 19th: 4 workdays at work.
    absences = [(june(19), june(19))]
    plans = entries(days(june(15), june(19)), calls=30)
    facts = {
        june(15): {"calls": D(30), "meetings": D(2)},
        june(16): {"calls": D(24), "meetings": D(1)},
        june(17): {"calls": D(36), "meetings": D(3)},
        june(18): {"calls": D(15), "meetings": D(2)},
        june(20): {"calls": D(10), "meetings": D(0)},  # a Saturday: still counts as activity
    }
    on_time = {june(15): True, june(16): True, june(17): False, june(18): True, june(19): False}
    stats = week_stats(METRICS, june(15), june(21), plans, facts, on_time, weekdays, absences)
    assert stats.workdays == 4
    calls, meetings, revenue = stats.activity
    # Calls 30 + 24 + 36 + 15 + 10 = 115 against 4 x 30 = 120: 96 %.
    assert (calls.fact, calls.norm_total, calls.share_of_norm) == (D(115), D(120), 96)
    assert (meetings.fact, meetings.norm_total) == (D(8), D(8))
    assert revenue.norm_total is None
    # On time on 3 of the 4 workdays at work (the 19th was a day off): 75 %.
    assert (stats.reports_on_time, stats.discipline) == (3, 75)
    # Calls against a plan of 30: off by 0, 20, 20 and 50 % -> mean 22.5 % -> accuracy 78 %.
    assert (stats.accuracy_key, stats.plan_accuracy, stats.accuracy_days) == ("calls", 78, 4)
    # Nothing planned: no accuracy; no workday: no discipline.
    empty = week_stats(METRICS, june(20), june(21), {}, {}, {}, weekdays)
    assert (empty.discipline, empty.plan_accuracy) == (None, None)


def test_plan_under_norm_names_key_metrics_only():
    assert plan_under_norm(METRICS, {"calls": D(25), "meetings": D(1)}) == ["calls"]
    assert plan_under_norm(METRICS, {"calls": D(30), "meetings": D(0)}) == []


# --- properties -------------------------------------------------------------------------------


MONTH_DAYS = [june(d) for d in range(1, 31)]
HISTORY_DAYS = [june(1) - timedelta(days=i) for i in range(31, 0, -1)] + MONTH_DAYS


Month = tuple[
    date, bool, dict[date, dict[str, Decimal]], dict[date, dict[str, Decimal]], list[date]
]


@st.composite
def months(draw: st.DrawFn) -> Month:
    """A manager's history from May into June up to a drawn today, plus plans ahead.

    The shape is drawn (how often a report is missing, how often a day brings no money, how
    big the money is), the days themselves come from a seeded generator: fast and still
    reaching the edges (no reports at all, all zeros).
    """
    today = draw(st.sampled_from(MONTH_DAYS))
    done = draw(st.booleans())
    reporting = draw(st.sampled_from([0.0, 0.3, 0.8, 1.0]))
    empty = draw(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
    scale = draw(st.sampled_from([1, 1_000, 200_000]))
    rng = random.Random(draw(st.integers(0, 2**32)))
    last = today if done else today - timedelta(days=1)
    facts = {}
    for day in HISTORY_DAYS:
        if day <= last and weekdays(day) and rng.random() < reporting:
            money = 0 if rng.random() < empty else rng.randint(0, scale)
            facts[day] = {
                "revenue": D(money),
                "calls": D(rng.randint(0, 60)),
                "meetings": D(rng.randint(0, 5)),
            }
    ahead = [d for d in MONTH_DAYS if d > today]
    plans = {d: {"calls": D(rng.randint(0, 60))} for d in ahead if rng.random() < 0.3}
    return today, done, facts, plans, ahead


# Targets on the scale of each drawn money scale, so likelihoods between 0 and 1 come up.
targets = st.one_of(st.integers(0, 50), st.integers(0, 30_000), st.integers(0, 4_000_000)).map(D)


def run(month: Month, target: Decimal | None, holidays: frozenset[date] = frozenset()) -> Forecast:
    today, done, facts, plans, _ = month

    def calendar(day: date) -> bool:
        return weekdays(day) and day not in holidays

    return forecast_month(facts, plans, "revenue", today, target, calendar, today_done=done)


@FAST
@given(months(), targets)
def test_forecast_bounds(month, target):
    forecast = run(month, target)
    assert forecast.month_to_date <= forecast.low <= forecast.point <= forecast.high
    if forecast.likelihood is not None:
        assert 0.0 <= forecast.likelihood <= 1.0
    if forecast.month_to_date >= target:
        assert forecast.likelihood == 1.0


@FAST
@given(months(), st.integers(0, 100))
def test_over_target_is_certain(month, percent_of_mtd):
    mtd = run(month, None).month_to_date
    forecast = run(month, mtd * percent_of_mtd / 100)
    assert forecast.point >= forecast.month_to_date
    assert forecast.likelihood == 1.0


@FAST
@given(months(), targets, st.data())
def test_more_days_left_never_narrows_the_range(month, target, data):
    ahead = month[4]
    holidays = frozenset(data.draw(st.lists(st.sampled_from(ahead)))) if ahead else frozenset()
    fewer = run(month, target, holidays)
    more = run(month, target)
    assert more.days_left >= fewer.days_left
    assert more.high - more.low >= fewer.high - fewer.low
    assert more.point >= fewer.point


@FAST
@given(months(), targets, targets)
def test_likelihood_never_rises_with_the_target(month, first, second):
    lower, higher = sorted((first, second))
    easier, harder = run(month, lower), run(month, higher)
    if easier.likelihood is not None and harder.likelihood is not None:
        assert easier.likelihood >= harder.likelihood
    if easier.likelihood is None:
        # Unknown only for lack of data, and then for every target above month to date.
        assert harder.likelihood is None


@FAST
@given(st.sampled_from(MONTH_DAYS), st.booleans(), st.one_of(st.none(), targets))
def test_zero_history(today, done, target):
    forecast = forecast_month({}, {}, "revenue", today, target, weekdays, today_done=done)
    assert forecast.low == forecast.point == forecast.high == forecast.month_to_date == 0
    if forecast.days_left:
        assert forecast.method.code is MethodCode.NOT_ENOUGH_DATA
        assert forecast.method.describe().startswith("not enough data")
    else:
        assert forecast.method.code is MethodCode.MONTH_CLOSED


@FAST
@given(st.lists(months(), min_size=1, max_size=4), targets)
def test_team_is_the_sum_of_its_managers(team, target):
    today = team[0][0]
    parts = [run((today, *month[1:]), None) for month in team]
    total = team_forecast(parts, target)
    assert total.point == sum(p.point for p in parts)
    assert total.month_to_date == sum(p.month_to_date for p in parts)
    assert total.month_to_date <= total.low <= total.point <= total.high
    # Independent managers: the team's range is never wider than the sum of theirs.
    assert total.high - total.point <= sum(p.high - p.point for p in parts) + D("0.01") * len(parts)
