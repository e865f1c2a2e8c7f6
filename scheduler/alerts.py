"""Shortfall alerts: pushed when the condition appears (a report or plan submitted, the
digest's numbers), once per condition, person and day (a delivery key each)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot import day_views
from bot.i18n import Texts, texts
from bot.reports import flags_of, forecast_of, settled_by_former, team_target
from domain.analytics import plan_under_norm
from domain.calendar import is_workday
from domain.daily import MetricInfo
from domain.digest import previous_workday
from domain.roles import Role
from models import Member, Team, queries
from models.entries import metric_info
from models.history import TeamHistory, load_history
from scheduler.context import Jobs
from scheduler.delivery import Slot, deliver_once

Render = Callable[[Texts], str]


async def _tell(
    jobs: Jobs, session: AsyncSession, team: Team, day: date, key: str,
    recipients: list[Member], render: Render,
) -> None:  # fmt: skip
    for recipient in recipients:
        if recipient.telegram_id is None or recipient.bot_blocked_at is not None:
            continue
        language = await queries.language_of(session, recipient.telegram_id)
        text = render(texts(language or team.locale))
        chat_id = recipient.telegram_id

        async def send() -> int:
            return (await jobs.bot.send_message(chat_id, text)).message_id  # noqa: B023

        slot = Slot(
            f"alert:{key}:{day.isoformat()}:to:{recipient.id}", team.id, recipient.id, "alert", day
        )
        await deliver_once(jobs.pool, jobs.clock, slot, send)


async def leaders_of(session: AsyncSession, team_id: int) -> list[Member]:
    heads = await queries.team_members_with_role(session, team_id, Role.HEAD)
    return heads or await queries.team_members_with_role(session, team_id, Role.OWNER)


async def at_digest(
    jobs: Jobs, session: AsyncSession, history: TeamHistory, day: date, leaders: list[Member]
) -> None:
    """No report two workdays running; under the norm N workdays running; the team's month-end
    forecast under X % of target (this one to the owners too)."""
    team = history.team
    zone = ZoneInfo(team.timezone)

    def workday(candidate: date) -> bool:
        return is_workday(candidate, team.workdays, team.holiday_country)

    for member in history.managers:
        flags = flags_of(history, member, day)
        joined = member.joined_at.astimezone(zone).date()
        name = member.full_name
        if flags.missed_streak >= 2 and joined <= previous_workday(day, workday):
            days = flags.missed_streak

            def render(t: Texts, name: str = name, days: int = days) -> str:
                return t("alert-no-report", name=name, days=days)

            await _tell(jobs, session, team, day, f"no_report:{member.id}", leaders, render)
        await _streak(jobs, session, history, member, day, leaders)
    money = history.money_metric()
    target = team_target(history)
    if money is None or target is None:
        return
    settled = settled_by_former(history, money.key, day, today_done=True)
    forecast, _ = forecast_of(history, day, workday, money.key, settled, today_done=True)
    share = forecast.share_of_target
    if share is None or share >= team.alert_forecast_percent or not forecast.has_data:
        return
    owners = await queries.team_members_with_role(session, team.id, Role.OWNER)
    recipients = list({m.id: m for m in [*leaders, *owners]}.values())
    await _tell(
        jobs, session, team, day, f"forecast:{team.id}", recipients,
        lambda t: t("alert-forecast", percent=share, point=day_views.money(t, forecast.point),
                    target=day_views.number(t, target)),
    )  # fmt: skip


async def _streak(
    jobs: Jobs, session: AsyncSession, history: TeamHistory, member: Member, day: date,
    leaders: list[Member],
) -> None:  # fmt: skip
    flags = flags_of(history, member, day)
    if flags.under_norm_streak < history.team.alert_streak_days:
        return
    labels_of = {m.key: m for m in history.metrics}
    keys, days, name = flags.below_norm, flags.under_norm_streak, member.full_name

    def render(t: Texts) -> str:
        metrics = ", ".join(day_views.label(t, labels_of[k]) for k in keys if k in labels_of)
        return t("alert-streak", name=name, days=days, metrics=metrics)

    await _tell(jobs, session, history.team, day, f"streak:{member.id}", leaders, render)


async def on_submitted(
    jobs: Jobs,
    member_id: int,
    day: date,
    kind: str,
    *,
    plan: Mapping[str, Decimal] | None = None,
    infos: Sequence[MetricInfo] | None = None,
) -> None:
    """Right after a manager confirms: a plan under the norm, or a report that makes the
    under-norm streak reach the threshold. With the confirmed `plan` and the team's metric
    `infos` at hand, a plan at or above the norms reads nothing."""
    known = kind == "plan" and plan is not None and infos is not None
    if known and not plan_under_norm(list(infos or ()), plan or {}):
        return
    async with jobs.pool() as session:
        member = await session.get(Member, member_id)
        if member is None:
            return
        team = await session.get_one(Team, member.team_id)
        leaders = [m for m in await leaders_of(session, team.id) if m.id != member.id]
        if not leaders:
            return
        history = await load_history(session, team, day - timedelta(days=62), day, only=member.id)
        if kind == "plan":
            infos = [metric_info(m) for m in history.metrics]
            plan = history.plans.get(member.id, {}).get(day, {})
            under = plan_under_norm(infos, plan)
            if not under:
                return
            labels_of = {m.key: m for m in history.metrics}
            name = member.full_name

            def render(t: Texts) -> str:
                metrics = ", ".join(day_views.label(t, labels_of[k]) for k in under)
                return t("alert-plan-under-norm", name=name, metrics=metrics)

            await _tell(jobs, session, team, day, f"plan_under_norm:{member.id}", leaders, render)
        else:
            await _streak(jobs, session, history, member, day, leaders)
