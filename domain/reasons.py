"""Reasons for a shortfall over time: which reasons managers give more often lately.

A manager who falls short of plan picks a reason (`domain.daily.Reason`). One such day says
little; the same reason coming up more and more often, for one person or the whole team, is
what a head of sales acts on. Pure: plain (person, day, reason) records in, counts out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Direction(StrEnum):
    GROWING = "growing"
    STEADY = "steady"
    FALLING = "falling"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class ReasonTrend:
    reason: str
    recent: int  # times given in the recent window
    earlier: int  # times given in the window before it
    direction: Direction


@dataclass(frozen=True, slots=True)
class ReasonsReport:
    first: date  # the earlier window's first day
    split: date  # the recent window's first day
    last: date
    team: list[ReasonTrend]
    people: dict[Hashable, list[ReasonTrend]]

    @property
    def growing(self) -> list[ReasonTrend]:
        return [r for r in self.team if r.direction in (Direction.GROWING, Direction.NEW)]


# A reason "grows" when its weekly rate rose by half or more and it came up at least this often
# recently: one extra mention is noise.
MIN_RECENT = 2
GROWTH = 1.5


def direction(recent: int, earlier: int, recent_days: int, earlier_days: int) -> Direction:
    """Compare weekly rates of the two windows (they may differ in length)."""
    if earlier == 0:
        return Direction.NEW if recent >= MIN_RECENT else Direction.STEADY
    recent_rate = recent / recent_days
    earlier_rate = earlier / earlier_days
    if recent >= MIN_RECENT and recent_rate >= GROWTH * earlier_rate:
        return Direction.GROWING
    if recent_rate * GROWTH <= earlier_rate:
        return Direction.FALLING
    return Direction.STEADY


def _trends(
    recent: Counter[str], earlier: Counter[str], days: tuple[int, int]
) -> list[ReasonTrend]:
    rows = [
        ReasonTrend(reason, recent[reason], earlier[reason],
                    direction(recent[reason], earlier[reason], *days))
        for reason in set(recent) | set(earlier)
    ]  # fmt: skip
    # Most given lately first, then the growing ones, then by name for a stable order.
    return sorted(rows, key=lambda r: (-r.recent, r.direction is not Direction.GROWING, r.reason))


def reason_trends(
    records: Iterable[tuple[Hashable, date, str]],
    today: date,
    *,
    weeks: int = 6,
    recent_weeks: int = 2,
) -> ReasonsReport:
    """Reasons given over the last `weeks` weeks up to `today`, the last `recent_weeks` of them
    against the weeks before, for the team and for each person who gave any."""
    if not 0 < recent_weeks < weeks:
        raise ValueError("recent_weeks must be between 1 and weeks - 1")
    last = today
    split = today - timedelta(days=7 * recent_weeks - 1)
    first = today - timedelta(days=7 * weeks - 1)
    days = (7 * recent_weeks, 7 * (weeks - recent_weeks))
    team_recent: Counter[str] = Counter()
    team_earlier: Counter[str] = Counter()
    by_person: dict[Hashable, tuple[Counter[str], Counter[str]]] = {}
    for person, day, reason in records:
        if not first <= day <= last:
            continue
        recent, earlier = by_person.setdefault(person, (Counter(), Counter()))
        if day >= split:
            team_recent[reason] += 1
            recent[reason] += 1
        else:
            team_earlier[reason] += 1
            earlier[reason] += 1
    return ReasonsReport(
        first=first,
        split=split,
        last=last,
        team=_trends(team_recent, team_earlier, days),
        people={p: _trends(r, e, days) for p, (r, e) in by_person.items()},
    )
