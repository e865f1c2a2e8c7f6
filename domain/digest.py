"""The evening digest's numbers, from plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.daily import MetricInfo, percent


@dataclass(frozen=True, slots=True)
class ManagerDay:
    member_id: int
    name: str
    plan: Mapping[str, Decimal]
    fact: Mapping[str, Decimal] | None  # None: no report
    absent: bool


@dataclass(frozen=True, slots=True)
class Total:
    key: str
    plan: Decimal
    fact: Decimal

    @property
    def share(self) -> int | None:
        return percent(self.fact, self.plan)


def team_totals(metrics: Sequence[MetricInfo], days: Sequence[ManagerDay]) -> list[Total]:
    """Plan and fact per metric over the managers who were at work."""
    totals = []
    for metric in metrics:
        at_work = [d for d in days if not d.absent]
        plan = sum((d.plan.get(metric.key, Decimal(0)) for d in at_work), Decimal(0))
        fact = sum(((d.fact or {}).get(metric.key, Decimal(0)) for d in at_work), Decimal(0))
        totals.append(Total(metric.key, plan, fact))
    return totals


def missing_reports(days: Sequence[ManagerDay]) -> list[ManagerDay]:
    return [d for d in days if d.fact is None and not d.absent]


def previous_workday(day: date, is_workday: object) -> date:
    """The workday before `day` (looks back up to three weeks, past long holidays)."""
    assert callable(is_workday)
    candidate = day - timedelta(days=1)
    for _ in range(21):
        if is_workday(candidate):
            return candidate
        candidate -= timedelta(days=1)
    return candidate
