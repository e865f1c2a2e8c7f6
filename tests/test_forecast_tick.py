"""The Monday tick of many teams: histories read a batch at a time (and the same as one team's
alone), each owner's forecast sent once with its chart, in statements that do not grow with the
number of teams."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from aiogram.methods import SendMessage, SendPhoto
from sqlalchemy import event, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.i18n import texts
from bot.reports import FORECAST_HISTORY, build_forecast
from domain.schedule import EventKind
from models import Absence, DayEntry, Delivery, EntryValue, Member, Metric, MonthlyTarget, Team
from models.db import SessionPool
from models.history import TeamHistory, load_histories, load_history
from models.targets import routine_between
from scheduler.jobs import Due, Jobs, run_events, run_job
from tests.bot_client import Harness
from tests.conftest import MOSCOW
from tests.scenarios import OWNER_IDS, build

MONDAY = date(2026, 11, 23)
FIRST = MONDAY - FORECAST_HISTORY
AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


async def fill(pool: SessionPool, seed: int = 7) -> list[Team]:
    """Every team's managers with plans and facts on the workdays of October and November
    (some values missing, some entries empty, notes), a manager since removed who still has
    numbers, leave, and targets; returns the teams."""
    rng = random.Random(seed)
    async with pool() as session:
        teams = list(await session.scalars(select(Team).order_by(Team.id)))
        metrics: dict[int, list[Metric]] = defaultdict(list)
        for metric in await session.scalars(select(Metric).order_by(Metric.position)):
            metrics[metric.team_id].append(metric)
        managers = list(
            await session.scalars(select(Member).where(Member.is_manager).order_by(Member.id))
        )
        removed: dict[int, int | None] = {team.id: None for team in teams}
        for manager in managers:
            if removed[manager.team_id] is None and rng.random() < 0.5:
                removed[manager.team_id] = manager.id
                manager.active = False
        day = date(2026, 10, 1)
        entries: list[dict[str, object]] = []
        while day <= MONDAY:
            if day.weekday() < 5:
                for manager in managers:
                    for kind in ("plan", "fact"):
                        if rng.random() < 0.1:
                            continue
                        at = datetime.combine(day, time(15 + rng.randrange(6)), UTC)
                        reason = rng.choice([None, None, "no_answer", "other"])
                        entries.append(
                            {"team_id": manager.team_id, "member_id": manager.id, "day": day,
                             "kind": kind, "submitted_at": at, "updated_at": at,
                             "comment": rng.choice([None, "звонил", "<b>&</b>"]),
                             "reason": reason if kind == "fact" else None,
                             "reason_text": "своё" if reason == "other" else None}
                        )  # fmt: skip
            day += timedelta(days=1)
        ids = list(await session.scalars(insert(DayEntry).returning(DayEntry.id), entries))
        values = []
        for entry_id, entry in zip(ids, entries, strict=True):
            for metric in metrics[int(str(entry["team_id"]))]:
                if rng.random() < 0.85:
                    amount = Decimal(rng.randrange(0, 300_000)) / 100 if metric.kind == "money" \
                        else Decimal(rng.randrange(0, 40))  # fmt: skip
                    values.append({"entry_id": entry_id, "metric_id": metric.id, "value": amount})
        await session.execute(insert(EntryValue), values)
        for manager in managers[::3]:
            session.add(
                Absence(team_id=manager.team_id, member_id=manager.id, kind="vacation",
                        first_day=date(2026, 11, 9), last_day=date(2026, 11, 13), created_at=AT)
            )  # fmt: skip
        session.add(
            Absence(team_id=managers[1].team_id, member_id=managers[1].id, kind="sick",
                    first_day=date(2026, 11, 16), last_day=date(2026, 11, 17), created_at=AT,
                    cancelled_at=AT)
        )  # fmt: skip
        for team in teams:
            session.add(
                MonthlyTarget(team_id=team.id, member_id=None, month=date(2026, 11, 1),
                              amount=Decimal(3_000_000 + team.id), set_at=AT)
            )  # fmt: skip
        for manager in managers[::2]:
            session.add(
                MonthlyTarget(team_id=manager.team_id, member_id=manager.id,
                              month=date(2026, 11, 1), amount=Decimal("700000.50"), set_at=AT)
            )  # fmt: skip
        await session.commit()
    return teams


def as_plain(history: TeamHistory) -> dict[str, object]:
    return {
        "team": history.team.id,
        "metrics": [m.id for m in history.metrics],
        "managers": [m.id for m in history.managers],
        "former": [m.id for m in history.former],
        "plans": history.plans,
        "facts": history.facts,
        "submitted": history.submitted,
        "notes": history.notes,
        "absences": {member: sorted(days) for member, days in history.absences.items()},
        "targets": history.targets,
    }


async def reference(session, team: Team, first: date, last: date) -> dict[str, object]:
    """What a team's history is, read the plainest way: every entry and value through the ORM."""
    from models.history import Note

    metrics = list(
        await session.scalars(
            select(Metric).where(Metric.team_id == team.id, Metric.active).order_by(Metric.position)
        )
    )
    keys = {m.id: m.key for m in metrics}
    managers = list(
        await session.scalars(
            select(Member)
            .where(Member.team_id == team.id, Member.is_manager, Member.active)
            .order_by(Member.full_name, Member.id)
        )
    )
    plans: dict[int, dict[date, dict[str, Decimal]]] = defaultdict(dict)
    facts: dict[int, dict[date, dict[str, Decimal]]] = defaultdict(dict)
    submitted: dict[int, dict[date, datetime]] = defaultdict(dict)
    notes: dict[int, dict[date, Note]] = defaultdict(dict)
    entries = await session.scalars(
        select(DayEntry).where(
            DayEntry.team_id == team.id, DayEntry.day >= first, DayEntry.day <= last
        )
    )
    for entry in entries:
        values = await session.scalars(select(EntryValue).where(EntryValue.entry_id == entry.id))
        numbers = {keys[v.metric_id]: v.value for v in values if v.metric_id in keys}
        (facts if entry.kind == "fact" else plans)[entry.member_id][entry.day] = numbers
        if entry.kind == "fact":
            submitted[entry.member_id][entry.day] = entry.submitted_at
            notes[entry.member_id][entry.day] = Note(entry.comment, entry.reason, entry.reason_text)
    gone = (set(plans) | set(facts)) - {m.id for m in managers}
    former = list(
        await session.scalars(
            select(Member.id).where(Member.id.in_(gone)).order_by(Member.full_name, Member.id)
        )
    )
    absences: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for absence in await session.scalars(
        select(Absence).where(
            Absence.team_id == team.id, Absence.cancelled_at.is_(None), Absence.last_day >= first
        )
    ):
        absences[absence.member_id].append((absence.first_day, absence.last_day))
    targets = {
        target.member_id: target.amount
        for target in await session.scalars(
            select(MonthlyTarget).where(
                MonthlyTarget.team_id == team.id, MonthlyTarget.month == last.replace(day=1)
            )
        )
    }
    return {
        "team": team.id, "metrics": [m.id for m in metrics], "managers": [m.id for m in managers],
        "former": former, "plans": dict(plans), "facts": dict(facts), "submitted": dict(submitted),
        "notes": dict(notes), "absences": {m: sorted(d) for m, d in absences.items()},
        "targets": targets,
    }  # fmt: skip


async def test_histories_read_together_are_each_team_read_alone(
    session_pool: SessionPool, clock: ManualClock
):
    await build(session_pool, teams=4, managers=14, now=AT - timedelta(days=90))
    teams = await fill(session_pool)
    async with session_pool() as session:
        together = await load_histories(session, teams, FIRST, MONDAY)
        assert sorted(together) == [team.id for team in teams]
        for team in teams:
            alone = await load_history(session, team, FIRST, MONDAY)
            expected = await reference(session, team, FIRST, MONDAY)
            assert as_plain(together[team.id]) == as_plain(alone) == expected
            assert together[team.id].former, "each team has a removed manager with numbers"
            # Amounts read as Hundredths reads them: two places, exactly.
            amounts = [
                v for days in alone.facts.values() for d in days.values() for v in d.values()
            ]
            assert amounts and all(v.as_tuple().exponent == -2 for v in amounts)
        # One person's history, as the alerts read it.
        member = together[teams[0].id].managers[0]
        only = await load_history(session, teams[0], FIRST, MONDAY, only=member.id)
        assert set(only.facts) <= {member.id} and set(only.absences) <= {member.id}
        assert only.facts[member.id] == together[teams[0].id].facts[member.id]
        # Plans from a later day only: the rest as before.
        monday = MONDAY - timedelta(days=7)
        recent = await load_histories(session, teams, FIRST, MONDAY, plans_from=monday)
        for team in teams:
            plain, full = as_plain(recent[team.id]), as_plain(together[team.id])
            assert plain["plans"] == {
                member: kept
                for member, days in full["plans"].items()  # type: ignore[attr-defined]
                if (kept := {day: v for day, v in days.items() if day >= monday})
            }
            assert {k: v for k, v in plain.items() if k != "plans"} == {
                k: v for k, v in full.items() if k != "plans"
            }


def statements_of(engine: AsyncEngine) -> tuple[list[str], Callable[..., None]]:
    seen: list[str] = []

    def listener(_connection, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    return seen, listener


async def test_a_monday_of_many_teams_sends_each_owner_their_forecast_once(
    harness: Harness, engine: AsyncEngine, session_pool: SessionPool, clock: ManualClock
):
    """The Monday tick groups the teams' forecasts: each owner gets their team's forecast,
    the same text as a forecast of that team alone, once, with its chart; the statements
    that read and claim do not grow with the number of teams."""
    await build(session_pool, teams=6, managers=16, now=AT - timedelta(days=90))
    teams = await fill(session_pool, seed=11)
    clock.set(datetime.combine(MONDAY, time(9, 0), MOSCOW))
    jobs = Jobs(bot=harness.bot, pool=session_pool, storage=harness.dp.storage, clock=clock)

    counts = []
    for group in (teams[:2], teams[2:]):  # two teams, then four
        seen, listener = statements_of(engine)
        try:
            report = await run_events(
                jobs, [Due(EventKind.FORECAST, team, MONDAY) for team in group]
            )
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", listener)
        assert report.sent == len(group), report.summary()
        status_writes = [s for s in seen if s.startswith("UPDATE deliveries")]
        assert len(status_writes) <= 2 * len(group)  # sending, sent: gathered, never more
        counts.append(len(seen) - len(status_writes))
    assert counts[0] == counts[1], counts

    harness.sync()
    expected = {}
    async with session_pool() as session:
        for team in teams:
            history = await load_history(session, team, MONDAY - FORECAST_HISTORY, MONDAY)
            routine = await routine_between(session, team.id, MONDAY - timedelta(days=14), MONDAY)
            built = build_forecast(texts("ru"), history, MONDAY, routine, clock.now())
            expected[OWNER_IDS + team.id - teams[0].id] = built
    for chat_id, built in expected.items():
        sent = [
            r.text
            for r in harness.bot.requests
            if isinstance(r, SendMessage) and r.chat_id == chat_id
        ]
        assert sent == built.parts
        photos = [
            r for r in harness.bot.requests if isinstance(r, SendPhoto) and r.chat_id == chat_id
        ]
        assert len(photos) == 1
        assert photos[0].photo.data == built.chart  # type: ignore[union-attr]
    async with session_pool() as session:
        statuses = (await session.scalars(select(Delivery.status))).all()
    assert statuses == ["sent"] * len(teams)

    again = await run_job(jobs, "forecast")
    assert again.sent == 0 and again.already == len(teams)
