"""Reasons for a shortfall over time: counts per window, and which ones grow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.reasons import Direction, direction, reason_trends

TODAY = date(2026, 11, 30)
REASONS = ["no_answer", "postponed", "sick", "internal", "other"]


def test_a_reason_coming_up_more_often_lately_is_growing():
    records = [("ivan", TODAY - timedelta(days=30), "no_answer")]
    records += [("ivan", TODAY - timedelta(days=d), "no_answer") for d in (1, 3, 5, 8)]
    records += [("maria", TODAY - timedelta(days=d), "postponed") for d in (20, 25, 30, 33)]
    records += [("maria", TODAY - timedelta(days=2), "postponed")]
    report = reason_trends(records, TODAY)
    team = {r.reason: r for r in report.team}
    assert (team["no_answer"].recent, team["no_answer"].earlier) == (4, 1)
    assert team["no_answer"].direction is Direction.GROWING
    assert team["postponed"].direction is Direction.FALLING
    assert [r.reason for r in report.growing] == ["no_answer"]
    assert report.people["ivan"][0].direction is Direction.GROWING
    assert report.team[0].reason == "no_answer", "the most given lately comes first"


def test_old_and_future_records_are_ignored_and_one_mention_is_not_a_trend():
    records = [
        ("ivan", TODAY - timedelta(days=60), "sick"),
        ("ivan", TODAY + timedelta(days=1), "sick"),
        ("ivan", TODAY, "internal"),
    ]
    report = reason_trends(records, TODAY)
    assert [(r.reason, r.recent, r.direction) for r in report.team] == [
        ("internal", 1, Direction.STEADY)
    ]


def test_windows_must_make_sense():
    with pytest.raises(ValueError):
        reason_trends([], TODAY, weeks=2, recent_weeks=2)


records_strategy = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.integers(min_value=-10, max_value=60).map(lambda d: TODAY - timedelta(days=d)),
        st.sampled_from(REASONS),
    ),
    max_size=80,
)


@settings(derandomize=True, max_examples=200)
@given(records_strategy)
def test_counts_add_up_to_the_records_in_the_window(records):
    report = reason_trends(records, TODAY)
    inside = [r for r in records if report.first <= r[1] <= report.last]
    assert sum(r.recent + r.earlier for r in report.team) == len(inside)
    for person in {p for p, _, _ in inside}:
        mine = [r for r in inside if r[0] == person]
        assert sum(r.recent + r.earlier for r in report.people[person]) == len(mine)
    assert all(r.recent > 0 or r.earlier > 0 for r in report.team)


@settings(derandomize=True, max_examples=200)
@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))
def test_more_mentions_lately_never_turns_growing_into_falling(recent, earlier, extra):
    before = direction(recent, earlier, 14, 28)
    after = direction(recent + extra, earlier, 14, 28)
    order = [Direction.FALLING, Direction.STEADY, Direction.GROWING]
    if before in order and after in order:
        assert order.index(after) >= order.index(before)
    if before is Direction.GROWING:
        assert after is Direction.GROWING
