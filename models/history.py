"""A team's recent history in a fixed number of queries, however large the team: what the
digest, the alerts and the forecast are computed from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from domain.analytics import combine_histories
from models.tables import Absence, DayEntry, EntryValue, Member, Metric, MonthlyTarget, Team

Days = dict[date, dict[str, Decimal]]


@dataclass
class Note:
    """What a manager said about a day: the comment and the reason for a shortfall."""

    comment: str | None
    reason: str | None
    reason_text: str | None


@dataclass
class TeamHistory:
    team: Team
    metrics: list[Metric]
    managers: list[Member]
    # People with numbers in the period who are no longer managers here (removed, paused or
    # forgotten): their numbers still count in the team's totals.
    former: list[Member] = field(default_factory=list)
    plans: dict[int, Days] = field(default_factory=dict)
    facts: dict[int, Days] = field(default_factory=dict)
    submitted: dict[int, dict[date, datetime]] = field(default_factory=dict)
    notes: dict[int, dict[date, Note]] = field(default_factory=dict)
    absences: dict[int, list[tuple[date, date]]] = field(default_factory=dict)
    targets: dict[int | None, Decimal] = field(default_factory=dict)

    def team_facts(self) -> Days:
        """The team's facts by day: everyone's, former members' included."""
        return combine_histories(self.facts.values())

    def money_metric(self) -> Metric | None:
        return next((m for m in self.metrics if m.kind == "money"), None)


async def load_history(
    session: AsyncSession, team: Team, first: date, last: date, only: int | None = None
) -> TeamHistory:
    """Plans, facts, notes and leave of the team's active managers over [first, last], and the
    targets of `last`'s month: five queries (six when former members have numbers there).
    With `only` (a member's id), the numbers and leave are that member's alone (an alert about one
    person reads their history, not the whole team's)."""
    metrics = list(
        (
            await session.execute(
                select(Metric)
                .where(Metric.team_id == team.id, Metric.active.is_(True))
                .order_by(Metric.position)
            )
        ).scalars()
    )
    managers = list(
        (
            await session.execute(
                select(Member)
                .where(
                    Member.team_id == team.id, Member.is_manager.is_(True), Member.active.is_(True)
                )
                .order_by(Member.full_name, Member.id)
            )
        ).scalars()
    )
    history = TeamHistory(team=team, metrics=metrics, managers=managers)
    keys = {m.id: m.key for m in metrics}
    plans: dict[int, Days] = defaultdict(lambda: defaultdict(dict))
    facts: dict[int, Days] = defaultdict(lambda: defaultdict(dict))
    submitted: dict[int, dict[date, datetime]] = defaultdict(dict)
    notes: dict[int, dict[date, Note]] = defaultdict(dict)
    rows = await session.execute(
        select(
            DayEntry.member_id, DayEntry.day, DayEntry.kind, DayEntry.submitted_at,
            DayEntry.comment, DayEntry.reason, DayEntry.reason_text,
            EntryValue.metric_id, EntryValue.value,
        )
        .join(EntryValue, EntryValue.entry_id == DayEntry.id, isouter=True)
        .where(DayEntry.team_id == team.id, DayEntry.day >= first, DayEntry.day <= last)
        .where(DayEntry.member_id == only if only is not None else true())
    )  # fmt: skip
    for member_id, day, kind, at, comment, reason, reason_text, metric_id, value in rows:
        target = plans if kind == "plan" else facts
        values = target[member_id][day]
        if metric_id in keys and value is not None:
            values[keys[metric_id]] = value
        if kind == "fact":
            submitted[member_id][day] = at
            notes[member_id][day] = Note(comment, reason, reason_text)
    current = {m.id for m in managers}
    gone = (set(plans) | set(facts)) - current
    if gone:
        history.former = list(
            await session.scalars(
                select(Member).where(Member.id.in_(gone)).order_by(Member.full_name, Member.id)
            )
        )
    history.plans = {m: dict(days) for m, days in plans.items()}
    history.facts = {m: dict(days) for m, days in facts.items()}
    history.submitted = dict(submitted)
    history.notes = dict(notes)
    leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for member_id, start, end in await session.execute(
        select(Absence.member_id, Absence.first_day, Absence.last_day).where(
            Absence.team_id == team.id,
            Absence.cancelled_at.is_(None),
            Absence.last_day >= first,
            Absence.member_id == only if only is not None else true(),
        )
    ):
        leave[member_id].append((start, end))
    history.absences = dict(leave)
    for target_of, amount in await session.execute(
        select(MonthlyTarget.member_id, MonthlyTarget.amount).where(
            MonthlyTarget.team_id == team.id, MonthlyTarget.month == last.replace(day=1)
        )
    ):
        history.targets[target_of] = amount
    return history
