"""/me: a manager's own progress today, this week and this month against the norms."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import day_views
from bot.clock import Clock
from bot.filters import HasRole
from bot.i18n import Safe, Texts
from bot.timekeeping import team_today
from domain.calendar import is_workday
from domain.daily import EntryKind, MetricInfo, percent, progress, working_days_between
from domain.roles import Role
from models import Member, Metric
from models import entries as store
from models.pace import member_pace


async def me_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, clock: Clock
) -> None:
    team = member.team
    today = team_today(clock, team)
    metrics = await store.active_metrics(session, team.id)
    infos = [store.metric_info(m) for m in metrics]
    month_start = today.replace(day=1)
    week_start = today - timedelta(days=today.weekday())
    since = min(month_start, week_start)
    entries = await store.entries_between(session, member.id, since, today)
    keys = {m.id: m.key for m in metrics}
    facts: dict[date, dict[str, Decimal]] = {}
    plans: dict[date, dict[str, Decimal]] = {}
    for entry in entries:
        target = facts if entry.kind == EntryKind.FACT.value else plans
        target[entry.day] = {
            keys[v.metric_id]: v.value for v in entry.values if v.metric_id in keys
        }
    absences = [
        (a.first_day, a.last_day) for a in await store.absences_of(session, member.id, since)
    ]

    def workday(day: date) -> bool:
        return is_workday(day, team.workdays, team.holiday_country)

    lines = [t("me-title", name=member.full_name), "", t("me-today")]
    today_fact, today_plan = facts.get(today), plans.get(today, {})
    if today_fact:
        for metric in metrics:
            if metric.key in today_fact:
                fact = day_views.number(t, today_fact[metric.key])
                if metric.key in today_plan:
                    plan = day_views.number(t, today_plan[metric.key])
                    lines.append(
                        t("me-today-line", label=day_views.label(t, metric), fact=fact, plan=plan)
                    )
                else:
                    lines.append(t("me-line", label=day_views.label(t, metric), fact=fact))
    else:
        lines.append(t("me-today-none"))
    for name, start in (("week", week_start), ("month", month_start)):
        # Norms count from the day the person joined, not from before they were here.
        joined = member.joined_at.astimezone(ZoneInfo(team.timezone)).date()
        days = working_days_between(max(start, joined), today, workday, absences)
        period_facts = [values for day, values in facts.items() if start <= day <= today]
        lines += ["", t("me-period", period=name, days=days)]
        lines += _rows(t, metrics, infos, period_facts, days)
    pace = await member_pace(session, member, today, metrics)
    if pace is not None and pace.target is not None:
        share = percent(pace.month_to_date, pace.target)
        lines += [
            "",
            t("me-target", target=day_views.number(t, pace.target),
              fact=day_views.number(t, pace.month_to_date),
              percent=share if share is not None else 0),
        ]  # fmt: skip
        if pace.money_per_day is not None and pace.money_per_day > 0:
            labels = {m.key: day_views.label(t, m) for m in metrics}
            items = day_views.pace_items(t, labels, pace)
            lines.append(
                t("me-pace", amount=day_views.money(t, pace.money_per_day), days=pace.days_left,
                  items=Safe(items) if items else "none")
            )  # fmt: skip
    await message.answer("\n".join(lines))


def _rows(
    t: Texts,
    metrics: list[Metric],
    infos: list[MetricInfo],
    facts: list[dict[str, Decimal]],
    days: int,
) -> list[str]:
    rows: list[str] = []
    for metric, row in zip(metrics, progress(infos, facts, days), strict=True):
        fact = day_views.number(t, row.fact)
        if row.norm_total is not None and row.share_of_norm is not None:
            rows.append(
                t("me-line-norm", label=day_views.label(t, metric), fact=fact,
                  norm=day_views.number(t, row.norm_total), percent=row.share_of_norm)
            )  # fmt: skip
        else:
            rows.append(t("me-line", label=day_views.label(t, metric), fact=fact))
    return rows


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.MANAGER))
    router.message.register(me_command, Command("me"))
    return router
