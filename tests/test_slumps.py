"""Activity slumps against a manager's own usual level, and the digest's attention order
(domain/slumps.py): hand-made months and properties under hypothesis.

The calendar is Monday to Friday; history runs from March 2026 into June.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.analytics import FlagRules, day_flags
from domain.daily import MetricInfo
from domain.metrics import MetricKind
from domain.slumps import (
    Condition,
    Signal,
    SlumpRules,
    attention_signals,
    detect_slump,
    rank_attention,
)

D = Decimal
FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None)
START = date(2026, 3, 2)  # a Monday


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


def day_of(calls: float, meetings: float, proposals: float, leads: float) -> dict[str, Decimal]:
    return {
        "calls": D(max(0, round(calls))),
        "meetings": D(max(0, round(meetings))),
        "proposals": D(max(0, round(proposals))),
        "leads": D(max(0, round(leads))),
    }


def history(
    rng: random.Random,
    last: date,
    *,
    drop: float = 0.0,
    drop_from: date | None = None,
    noise: float = 0.15,
):
    """About 40 calls, 3 meetings, 4 proposals and 6 leads a workday (a day's energy shared
    by all four), `drop` less from `drop_from` on."""
    facts = {}
    for d in workdays(START, last):
        energy = max(0.2, rng.gauss(1, noise))
        if drop_from is not None and d >= drop_from:
            energy *= 1 - drop
        facts[d] = day_of(40 * energy, 3 * energy, 4 * energy, 6 * energy)
    return facts


# --- hand-made ------------------------------------------------------------------------------------


def test_a_steady_manager_is_never_flagged():
    facts = {d: day_of(40, 3, 4, 6) for d in workdays(START, june(30))}
    for today in workdays(june(1), june(30)):
        status = detect_slump(facts, today, weekdays)
        assert status.known and not status.flagged
        assert status.flagged_keys == ()


def test_a_slump_is_flagged_on_its_first_days_with_its_size():
    rng = random.Random(1)
    # From Tuesday June 9 the manager does 60 % less of everything.
    facts = history(rng, june(19), drop=0.6, drop_from=june(9))
    before = detect_slump(facts, june(8), weekdays)
    assert before.known and not before.flagged
    first_flag = next(
        d for d in workdays(june(9), june(19)) if detect_slump(facts, d, weekdays).flagged
    )
    assert first_flag <= june(10)  # by the slump's 2nd workday
    status = detect_slump(facts, june(12), weekdays)
    assert status.flagged and status.since == june(9)
    assert status.workdays == 4  # June 9-12
    assert status.drop_percent is not None and 50 <= status.drop_percent <= 70
    calls = next(m for m in status.metrics if m.key == "calls")
    assert calls.flagged and calls.since == june(9)
    assert calls.drop_percent is not None and 50 <= calls.drop_percent <= 70
    assert calls.actual < calls.usual


def test_missing_reports_are_not_zeros_and_leave_is_skipped():
    facts = {d: day_of(40, 3, 4, 6) for d in workdays(START, june(19))}
    # No report on June 10-12, a vacation June 15-19 (nothing reported, entered as leave).
    for d in (june(10), june(11), june(12), *workdays(june(15), june(19))):
        del facts[d]
    leave = [(june(15), june(19))]
    for today in workdays(june(8), june(19)):
        assert not detect_slump(facts, today, weekdays, leave).flagged
    # Back at work at the usual level: no slump either.
    facts[june(22)] = day_of(40, 3, 4, 6)
    assert not detect_slump(facts, june(22), weekdays, leave).flagged


def test_the_managers_own_weekday_pattern_is_usual():
    # Fridays are for paperwork: 10 calls, 1 meeting; other days 40 calls, 3 meetings.
    facts = {
        d: day_of(10, 1, 4, 6) if d.isoweekday() == 5 else day_of(40, 3, 4, 6)
        for d in workdays(START, june(30))
    }
    for friday in (june(5), june(12), june(19), june(26)):
        assert not detect_slump(facts, friday, weekdays).flagged


def test_a_new_manager_has_no_verdict():
    facts = {d: day_of(40, 3, 4, 6) for d in workdays(june(1), june(12))}
    facts[june(15)] = day_of(5, 0, 0, 1)
    status = detect_slump(facts, june(15), weekdays)
    assert not status.known and not status.flagged


def test_todays_trend_flag_is_slower():
    # The same 60 % drop: the new detector flags it by the 2nd workday; the digest's trend
    # (last 5 reported workdays against the same weekdays before) needs more days.
    rng = random.Random(7)
    facts = history(rng, june(19), drop=0.6, drop_from=june(9), noise=0.1)
    metrics = [MetricInfo("calls", MetricKind.COUNT, D(30), D(1000), is_key=True)]
    rules = FlagRules()
    old = next(
        k
        for k, d in enumerate(workdays(june(9), june(19)), 1)
        if (t := day_flags(metrics, d, {}, facts, weekdays, rules=rules).trend) and t.dropped
    )
    new = next(
        k
        for k, d in enumerate(workdays(june(9), june(19)), 1)
        if detect_slump(facts, d, weekdays).flagged
    )
    assert new <= 2 < old


# --- properties -----------------------------------------------------------------------------------


@FAST
@given(
    st.integers(0, 2**32),
    st.floats(0.3, 0.7),
    st.floats(0.0, 0.3),
    st.sampled_from([0.1, 0.2, 0.3]),
    st.integers(0, 9),
)
def test_a_bigger_drop_is_flagged_no_later(seed, smaller, extra, noise, start):
    days = workdays(june(1), june(26))
    drop_from = days[start]
    first_flags = []
    for drop in (smaller, min(0.95, smaller + extra)):
        facts = history(random.Random(seed), june(26), drop=drop, drop_from=drop_from, noise=noise)
        first_flags.append(
            next(
                (
                    k
                    for k, d in enumerate(days[start:], 1)
                    if detect_slump(facts, d, weekdays).flagged
                ),
                99,
            )
        )
    assert first_flags[1] <= first_flags[0]


@FAST
@given(
    st.integers(0, 200),
    st.integers(0, 20),
    st.integers(0, 20),
    st.integers(0, 50),
    st.sampled_from(workdays(june(1), june(30))),
)
def test_no_flag_on_a_constant_history(calls, meetings, proposals, leads, today):
    facts = {d: day_of(calls, meetings, proposals, leads) for d in workdays(START, june(30))}
    status = detect_slump(facts, today, weekdays)
    assert not status.flagged
    assert all(not m.flagged for m in status.metrics)


@FAST
@given(st.integers(0, 2**32), st.integers(2, 5), st.sampled_from(workdays(june(1), june(19))))
def test_scaling_every_count_changes_nothing(seed, factor, today):
    facts = history(random.Random(seed), june(19), drop=0.5, drop_from=june(8))
    scaled = {d: {k: v * factor for k, v in values.items()} for d, values in facts.items()}
    one, other = detect_slump(facts, today, weekdays), detect_slump(scaled, today, weekdays)
    assert (one.flagged, one.since, one.drop_percent) == (
        other.flagged,
        other.since,
        other.drop_percent,
    )


@FAST
@given(st.integers(0, 2**32), st.sampled_from(workdays(june(1), june(19))), st.data())
def test_a_day_off_without_a_report_changes_nothing(seed, today, data):
    facts = history(random.Random(seed), june(19))
    day = data.draw(st.sampled_from(workdays(june(1), today)))
    without = {d: v for d, v in facts.items() if d != day}
    # Missing and on leave that day, or just missing: the verdict is the same either way.
    left = detect_slump(without, today, weekdays, [(day, day)])
    missed = detect_slump(without, today, weekdays)
    if day != today:
        assert left.flagged == missed.flagged


# --- attention ranking ----------------------------------------------------------------------------


def test_new_problems_first_and_chronic_gaps_last():
    items = [
        ("olga", [Signal(Condition.BELOW_NORM, 14)]),  # below the norm for three weeks
        ("petr", [Signal(Condition.SLUMP, 1, 45.0)]),  # a slump since today
        ("anna", []),
        ("ivan", [Signal(Condition.NO_REPORT, 2)]),  # two workdays without a report
        ("maria", [Signal(Condition.BELOW_NORM, 4), Signal(Condition.FAR_BELOW_PLAN, 1)]),
        ("dmitry", [Signal(Condition.BELOW_NORM, 5)]),  # a week under the norm: not new
    ]
    ranked = rank_attention(items)
    assert [item.key for item in ranked] == ["petr", "ivan", "maria", "dmitry", "olga", "anna"]
    by_key = {item.key: item for item in ranked}
    assert by_key["olga"].chronic and not by_key["olga"].new
    assert by_key["petr"].new and by_key["petr"].headline is Condition.SLUMP
    assert by_key["maria"].headline is Condition.FAR_BELOW_PLAN  # the new one leads
    assert by_key["anna"].headline is None and not by_key["anna"].chronic


@FAST
@given(
    st.lists(
        st.lists(
            st.builds(
                Signal,
                st.sampled_from(list(Condition)),
                st.integers(1, 30),
                st.floats(0, 100),
            ),
            max_size=3,
        ),
        max_size=12,
    )
)
def test_ranking_keeps_everyone_and_puts_new_before_old(signal_lists):
    ranked = rank_attention([(k, signals) for k, signals in enumerate(signal_lists)])
    assert len(ranked) == len(signal_lists)
    assert {item.key for item in ranked} == set(range(len(signal_lists)))
    groups = [
        0 if item.new else 3 if not item.signals else 2 if item.chronic else 1 for item in ranked
    ]
    assert groups == sorted(groups)
    for item in ranked:
        assert item.chronic == (bool(item.signals) and all(s.workdays >= 10 for s in item.signals))


def test_signals_from_the_digests_flags():
    rng = random.Random(1)
    facts = history(rng, june(12), drop=0.6, drop_from=june(9))
    metrics = [MetricInfo("calls", MetricKind.COUNT, D(30), D(1000), is_key=True)]
    flags = day_flags(metrics, june(12), {}, facts, weekdays)
    slump = detect_slump(facts, june(12), weekdays)
    signals = attention_signals(flags, slump)
    conditions = {s.condition: s for s in signals}
    assert conditions[Condition.SLUMP].workdays == 4
    # Under the norm of 30 calls since June 9: four workdays, a streak from the third.
    assert conditions[Condition.BAD_STREAK].workdays == 4
    assert SlumpRules().threshold > 0
