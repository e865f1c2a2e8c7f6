"""Working backwards from the target (domain/pace.py): the money a workday still needs and the
calls, meetings and proposals it takes through the manager's recent funnel.

June 2026 on a Monday-to-Friday calendar: 22 workdays (1-5, 8-12, 15-19, 22-26, 29-30).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.pace import PaceRules, needed_pace, plan_gap, team_pace

D = Decimal
FAST = settings(max_examples=100, deadline=None, derandomize=True, database=None)


def weekdays(day: date) -> bool:
    return day.isoweekday() <= 5


def june(day: int) -> date:
    return date(2026, 6, day)


def workdays(first: date, last: date) -> list[date]:
    out, day = [], first
    while day <= last:
        if weekdays(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def steady(first: date, last: date, money=20_000, calls=40, meetings=2, proposals=4):
    return {
        d: {
            "calls": D(calls),
            "meetings": D(meetings),
            "proposals": D(proposals),
            "revenue": D(money),
        }
        for d in workdays(first, last)
    }


def test_a_manager_behind_the_target():
    # May 18 to June 12: 20 workdays of 20 000, 40 calls, 2 meetings, 4 proposals.
    # June so far: 10 x 20 000 = 200 000. Target 500 000: 300 000 over 12 workdays left =
    # 25 000 a workday. The funnel: 20 000 a day from 40 calls = 500 a call, 10 000 a meeting,
    # 5 000 a proposal: 50 calls, 2.5 meetings, 5 proposals a day, a quarter more than usual.
    facts = steady(date(2026, 5, 18), june(12))
    pace = needed_pace(facts, june(12), D(500_000), weekdays)
    assert (pace.month_to_date, pace.remaining, pace.days_left) == (D(200_000), D(300_000), 12)
    assert pace.money_per_day == D(25_000)
    assert pace.usual_money_per_day == D(20_000)
    calls = pace.activity("calls")
    assert calls is not None
    assert (calls.money_per_unit, calls.usual_per_day, calls.needed_per_day) == (
        D(500), D(40), D(50),
    )  # fmt: skip
    assert calls.change_percent == 25
    meetings, proposals = pace.activity("meetings"), pace.activity("proposals")
    assert meetings is not None and meetings.needed_per_day == D("2.5")
    assert proposals is not None and proposals.needed_per_day == D(5)


def test_rounding_up_vacation_and_a_reached_target():
    facts = steady(date(2026, 5, 18), june(12))
    # A vacation June 22-26 leaves 7 workdays: 300 000 / 7 = 42 857.15 (cents rounded up);
    # 42 857.15 / 500 = 85.71 calls, rounded up to 85.8.
    pace = needed_pace(facts, june(12), D(500_000), weekdays, [(june(22), june(26))])
    assert pace.days_left == 7 and pace.money_per_day == D("42857.15")
    calls = pace.activity("calls")
    assert calls is not None and calls.needed_per_day == D("85.8")
    # Reached: nothing more needed.
    done = needed_pace(facts, june(12), D(150_000), weekdays)
    assert done.remaining == 0 and done.money_per_day == 0
    assert all(a.needed_per_day == 0 for a in done.activities)


def test_no_target_or_no_funnel_gives_none():
    facts = steady(date(2026, 5, 18), june(12))
    free = needed_pace(facts, june(12), None, weekdays)
    assert free.money_per_day is None and free.remaining is None
    assert all(a.needed_per_day is None and a.money_per_unit is not None for a in free.activities)
    # No money yet: activity, but no funnel to convert it.
    dry = steady(date(2026, 5, 18), june(12), money=0)
    pace = needed_pace(dry, june(12), D(100_000), weekdays)
    assert pace.money_per_day == D("8333.34")
    assert all(a.money_per_unit is None and a.needed_per_day is None for a in pace.activities)
    # A metric nobody reports: no funnel for it.
    leads = needed_pace(
        facts, june(12), D(500_000), weekdays, rules=PaceRules(activity_keys=("leads",))
    )
    assert leads.activities[0].usual_per_day == 0 and leads.activities[0].money_per_unit is None
    # No workday left and short of the target: no rate can make it.
    late = needed_pace(steady(june(1), june(30)), june(30), D(10**7), weekdays)
    assert late.days_left == 0 and late.money_per_day is None


def test_the_team_pace_is_per_team_workday():
    one = steady(date(2026, 5, 18), june(12))
    two = steady(date(2026, 5, 18), june(12), money=10_000, calls=20)
    pace = team_pace([one, two], june(12), D(900_000), weekdays, today_done=True)
    # June so far 300 000; 600 000 over 12 workdays = 50 000 a team workday; the team makes
    # 30 000 from 60 calls a day (500 a call): 100 calls a day.
    assert pace.money_per_day == D(50_000)
    calls = pace.activity("calls")
    assert calls is not None and calls.needed_per_day == D(100)


@st.composite
def histories(draw: st.DrawFn):
    rng = random.Random(draw(st.integers(0, 2**32)))
    today = draw(st.sampled_from(workdays(june(1), june(30))))
    facts = {}
    for d in workdays(date(2026, 5, 1), today):
        if rng.random() < 0.9:
            facts[d] = {
                "calls": D(rng.randint(0, 60)),
                "meetings": D(rng.randint(0, 4)),
                "revenue": D(rng.choice([0, 0, rng.randint(1, 100_000)])),
            }
    return today, facts


@FAST
@given(histories(), st.integers(0, 3_000_000), st.integers(0, 3_000_000))
def test_pace_is_monotone_in_the_gap_to_the_target(case, first, second):
    today, facts = case
    lower, higher = sorted((D(first), D(second)))
    easy = needed_pace(facts, today, lower, weekdays)
    hard = needed_pace(facts, today, higher, weekdays)
    if easy.money_per_day is not None and hard.money_per_day is not None:
        assert hard.money_per_day >= easy.money_per_day >= 0
        for a, b in zip(easy.activities, hard.activities, strict=True):
            assert (a.needed_per_day is None) == (b.needed_per_day is None)
            if a.needed_per_day is not None and b.needed_per_day is not None:
                assert b.needed_per_day >= a.needed_per_day >= 0
    if easy.money_per_day is None:
        assert easy.days_left == 0 or easy.target is None


@FAST
@given(histories(), st.integers(0, 3_000_000))
def test_needed_activity_brings_the_money(case, target):
    today, facts = case
    pace = needed_pace(facts, today, D(target), weekdays)
    for a in pace.activities:
        if a.needed_per_day is not None and a.money_per_unit is not None:
            assert pace.money_per_day is not None
            # Rounded up, so never short of the money a day needs (the cent of rounding aside).
            assert a.needed_per_day * a.money_per_unit >= pace.money_per_day - a.money_per_unit / 10


def test_a_plan_below_the_pace_names_what_falls_short():
    # As in test_a_manager_behind_the_target: 25 000 a day; 50 calls, 2.5 (3) meetings, 5 KP.
    pace = needed_pace(steady(date(2026, 5, 18), june(12)), june(12), D(500_000), weekdays)
    usual = {"calls": D(40), "meetings": D(2), "proposals": D(4), "revenue": D(20_000)}
    gap = plan_gap(pace, usual, "revenue")
    assert gap is not None and gap.money and gap.activities == ("calls", "meetings", "proposals")
    enough = {"calls": D(50), "meetings": D(3), "proposals": D(5), "revenue": D(25_000)}
    assert plan_gap(pace, enough, "revenue") is None
    # Rounded up as shown: 2.5 meetings a day is "3", so a plan of 2 meetings is short.
    gap = plan_gap(pace, {**enough, "meetings": D(2)}, "revenue")
    assert gap is not None and not gap.money and gap.activities == ("meetings",)
    # Nothing needed: the target reached, or no target.
    assert plan_gap(needed_pace({}, june(12), D(0), weekdays), usual, "revenue") is None
    assert plan_gap(needed_pace({}, june(12), None, weekdays), usual, "revenue") is None


@FAST
@given(histories(), st.integers(0, 3_000_000), st.integers(0, 200_000), st.integers(0, 100))
def test_a_plan_gap_is_exactly_the_parts_planned_below_the_pace(case, target, money, calls):
    today, facts = case
    pace = needed_pace(facts, today, D(target), weekdays)
    plan = {"revenue": D(money), "calls": D(calls)}
    gap = plan_gap(pace, plan, "revenue")
    if pace.money_per_day is None or pace.money_per_day <= 0:
        assert gap is None
        return
    money_short = D(money) < pace.money_per_day
    needed_calls = pace.activity("calls")
    calls_short = (
        needed_calls is not None
        and needed_calls.needed_per_day is not None
        and D(calls) < needed_calls.needed_per_day.to_integral_value(ROUND_CEILING)
    )
    if not money_short and not calls_short:
        assert gap is None
    else:
        assert gap is not None
        assert gap.money == money_short and gap.activities == (("calls",) if calls_short else ())
    # Planning more never makes the gap wider.
    more = plan_gap(pace, {"revenue": D(money) * 2 + 1, "calls": D(calls) * 2 + 1}, "revenue")
    if gap is None:
        assert more is None
    elif more is not None:
        assert (not more.money or gap.money) and set(more.activities) <= set(gap.activities)
