"""A team's recent history in a fixed number of queries, however large the team: what the
digest, the alerts and the forecast are computed from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, String, and_, cast, func, or_, select, true, type_coerce
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
    return (await load_histories(session, [team], first, last, only=only))[team.id]


async def load_histories(
    session: AsyncSession,
    teams: Sequence[Team],
    first: date,
    last: date,
    *,
    only: int | None = None,
    plans_from: date | None = None,
) -> dict[int, TeamHistory]:
    """`load_history` of several teams at once, in the same five or six queries whatever the
    number of teams (the Monday forecasts of a thousand teams read them a batch at a time).

    With `plans_from`, plans are read from that day only (facts, notes and leave still from
    `first`): the forecast looks at last week's plans and at months of facts."""
    by_id = {team.id: team for team in teams}
    if not by_id:
        return {}
    ids = list(by_id)
    metrics: dict[int, list[Metric]] = defaultdict(list)
    for metric in await session.scalars(
        select(Metric)
        .where(Metric.team_id.in_(ids), Metric.active.is_(True))
        .order_by(Metric.team_id, Metric.position)
    ):
        metrics[metric.team_id].append(metric)
    managers: dict[int, list[Member]] = defaultdict(list)
    for member in await session.scalars(
        select(Member)
        .where(Member.team_id.in_(ids), Member.is_manager.is_(True), Member.active.is_(True))
        .order_by(Member.full_name, Member.id)
    ):
        managers[member.team_id].append(member)
    histories = {
        team_id: TeamHistory(team=team, metrics=metrics[team_id], managers=managers[team_id])
        for team_id, team in by_id.items()
    }
    keys = {metric.id: metric.key for team_metrics in metrics.values() for metric in team_metrics}
    connection = await session.connection()
    window = and_(
        DayEntry.team_id.in_(ids),
        DayEntry.day >= first,
        DayEntry.day <= last,
        DayEntry.member_id == only if only is not None else true(),
        or_(DayEntry.kind != "plan", DayEntry.day >= plans_from)
        if plans_from is not None and plans_from > first
        else true(),
    )
    # One row per entry on the Core connection, its values packed by the database as
    # "metric:hundredths,..." (as stored, not through Hundredths): a few months of a team are
    # thousands of values, and a row for each through the driver and the ORM cost more than
    # everything the reports then do with them (2.5x the time of this, per team).
    packed = (
        select(
            func.aggregate_strings(
                cast(EntryValue.metric_id, String)
                + ":"
                + cast(type_coerce(EntryValue.value, BigInteger), String),
                ",",
            )
        )
        .where(EntryValue.entry_id == DayEntry.id)
        .scalar_subquery()
    )
    parsed: dict[str, tuple[str | None, Decimal]] = {}  # "metric:hundredths" -> key, amount
    for team_id, member_id, day, kind, at, comment, reason, reason_text, values in (
        await connection.execute(
            select(
                DayEntry.team_id, DayEntry.member_id, DayEntry.day, DayEntry.kind,
                DayEntry.submitted_at, DayEntry.comment, DayEntry.reason, DayEntry.reason_text,
                packed,
            )
            .where(window)
        )
    ):  # fmt: skip
        history = histories[team_id]
        fact = kind != "plan"
        numbers: dict[str, Decimal] = {}
        (history.facts if fact else history.plans).setdefault(member_id, {})[day] = numbers
        if fact:
            history.submitted.setdefault(member_id, {})[day] = at
            history.notes.setdefault(member_id, {})[day] = Note(comment, reason, reason_text)
        if not values:
            continue
        for pair in values.split(","):
            known = parsed.get(pair)
            if known is None:
                metric_id, raw = pair.split(":")
                # as Hundredths reads it: two places, exactly
                known = parsed[pair] = (keys.get(int(metric_id)), Decimal(int(raw)).scaleb(-2))
            if known[0] is not None:
                numbers[known[0]] = known[1]
    gone: dict[int, set[int]] = {}
    for team_id, history in histories.items():
        current = {m.id for m in history.managers}
        members = (set(history.plans) | set(history.facts)) - current
        if members:
            gone[team_id] = members
    if gone:
        for member in await session.scalars(
            select(Member)
            .where(Member.id.in_(set().union(*gone.values())))
            .order_by(Member.full_name, Member.id)
        ):
            histories[member.team_id].former.append(member)
    for member_id, team_id, start, end in await connection.execute(
        select(Absence.member_id, Absence.team_id, Absence.first_day, Absence.last_day)
        .where(
            Absence.team_id.in_(ids),
            Absence.cancelled_at.is_(None),
            Absence.last_day >= first,
            Absence.member_id == only if only is not None else true(),
        )
        .order_by(Absence.id)
    ):
        histories[team_id].absences.setdefault(member_id, []).append((start, end))
    for team_id, target_of, amount in await session.execute(
        select(MonthlyTarget.team_id, MonthlyTarget.member_id, MonthlyTarget.amount).where(
            MonthlyTarget.team_id.in_(ids), MonthlyTarget.month == last.replace(day=1)
        )
    ):
        histories[team_id].targets[target_of] = amount
    return histories
