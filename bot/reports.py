"""The evening digest and the weekly forecast: computed by domain.analytics from a team's
history, rendered with the reader's catalog, with their charts."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot import charts, day_views
from bot.i18n import Safe, Texts
from domain.analytics import (
    DayFlags,
    FlagRules,
    Forecast,
    MethodCode,
    day_flags,
    month_end,
    month_to_date,
    week_stats,
)
from domain.calendar import is_workday
from domain.daily import MetricInfo, percent
from domain.forecasting import ManagerInput, ModelRules, forecast_team
from domain.pace import Pace, PaceRules, needed_pace, team_pace
from domain.reasons import Direction, ReasonTrend, reason_trends
from domain.slumps import (
    AttentionItem,
    SlumpStatus,
    attention_signals,
    detect_slump,
    rank_attention,
)
from models.entries import metric_info
from models.history import TeamHistory
from models.tables import Member, Metric, RoutineEntry

TELEGRAM_LIMIT = 4096
# History each report reads: the forecast learns from about four months before this one; the
# digest's slump detector needs a usual level from before the days it tests.
FORECAST_HISTORY = timedelta(days=125)
DIGEST_HISTORY = timedelta(days=90)
COMMENT_MAX = 200


@dataclass(frozen=True, slots=True)
class Report:
    parts: list[str]
    chart: bytes | None


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut between lines only, so no tag is broken
    (every line of a report closes the tags it opens)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single over-long line: cut it where no tag is open
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        parts.append(current)
    return parts


def _workday(history: TeamHistory) -> Callable[[date], bool]:
    team = history.team
    workdays, country = team.workdays, team.holiday_country

    def workday(day: date) -> bool:
        return is_workday(day, workdays, country)

    return workday


def _rules(history: TeamHistory) -> FlagRules:
    team = history.team
    return FlagRules(
        far_below_percent=team.far_below_plan_percent,
        drop_percent=team.activity_drop_percent,
        streak_alert=team.alert_streak_days,
    )


def absences_of(history: TeamHistory, member: Member) -> list[tuple[date, date]]:
    """The member's leave, and the time before they joined counted as away: no streak, norm
    or run-rate reaches back before their first day."""
    joined = member.joined_at.astimezone(ZoneInfo(history.team.timezone)).date()
    return [*history.absences.get(member.id, []), (date.min, joined - timedelta(days=1))]


def flags_of(history: TeamHistory, member: Member, day: date) -> DayFlags:
    infos = [metric_info(m) for m in history.metrics]
    return day_flags(
        infos,
        day,
        history.plans.get(member.id, {}),
        history.facts.get(member.id, {}),
        _workday(history),
        absences_of(history, member),
        rules=_rules(history),
    )


def _labels(t: Texts, key_label: str = "") -> dict[str, str]:
    labels = {
        key: t(f"chart-{key}") for key in ("plan", "fact", "target", "range", "cumulative_title")
    }
    return labels | {"bars_title": t("chart-bars_title", label=key_label)}


def _cumulative(
    history: TeamHistory, day: date, money: Metric, forecast: Forecast | None = None
) -> charts.Cumulative:
    team_facts = history.team_facts()
    days, totals, running = [], [], Decimal(0)
    current = day.replace(day=1)
    while current <= day:
        running += team_facts.get(current, {}).get(money.key, Decimal(0))
        days.append(current)
        totals.append(running)
        current += timedelta(days=1)
    return charts.Cumulative(
        days=days,
        fact=totals,
        target=team_target(history),
        month_end=month_end(day),
        forecast_low=forecast.low if forecast else None,
        forecast_high=forecast.high if forecast else None,
        forecast_point=forecast.point if forecast else None,
    )


def team_target(history: TeamHistory) -> Decimal | None:
    """The team's own target, or the sum of the managers' where it has none."""
    if None in history.targets:
        return history.targets[None]
    parts = [history.targets[m.id] for m in history.managers if m.id in history.targets]
    return sum(parts, Decimal(0)) if parts else None


def _flag_words(
    t: Texts, flags: DayFlags, history: TeamHistory, slump: SlumpStatus | None = None
) -> list[str]:
    labels = {m.key: day_views.label(t, m) for m in history.metrics}
    words = []
    if slump is not None and slump.flagged:
        keys = slump.flagged_keys
        words.append(
            t(
                "flag-slump",
                change=-(slump.drop_percent or 0),
                days=max(1, slump.workdays),
                metrics=", ".join(labels[k] for k in keys if k in labels) or "none",
            )
        )
    if flags.below_norm:
        words.append(t("flag-below-norm", metrics=", ".join(labels[k] for k in flags.below_norm)))
    if flags.far_below_plan:
        words.append(t("flag-far-below-plan"))
    # The slump detector, where it has a usual level to compare with, replaces the cruder
    # trend flag (which fires days later and more often on ordinary days).
    known = slump is not None and slump.known
    if not known and flags.trend is not None and flags.trend.dropped and flags.trend.change:
        words.append(t("flag-activity-drop", change=flags.trend.change))
    if flags.under_norm_streak >= flags.streak_alert:
        words.append(t("flag-streak", days=flags.under_norm_streak))
    return words


def build_digest(
    t: Texts, history: TeamHistory, day: date, *, late_at: str | None = None
) -> Report:
    team, metrics = history.team, history.metrics
    infos: list[MetricInfo] = [metric_info(m) for m in metrics]
    lines = [t("digest-title", day=day_views.day_title(t, day), team=team.name)]
    if late_at:
        lines.append(t("digest-late", time=late_at))
    flags = {m.id: flags_of(history, m, day) for m in history.managers}
    at_work = [m for m in history.managers if not flags[m.id].on_leave]
    reported = [m for m in at_work if day in history.facts.get(m.id, {})]
    if not history.managers:
        lines += ["", t("digest-no-managers")]
        return Report(split_message(Safe("\n".join(lines))), None)
    if not reported:
        lines += ["", t("digest-nobody")]
    else:
        lines += ["", t("digest-totals")]
        for metric, info in zip(metrics, infos, strict=True):
            plan = sum(
                (
                    history.plans.get(m.id, {}).get(day, {}).get(info.key, Decimal(0))
                    for m in at_work
                ),
                Decimal(0),
            )
            fact = sum(
                (
                    history.facts.get(m.id, {}).get(day, {}).get(info.key, Decimal(0))
                    for m in at_work
                ),
                Decimal(0),
            )
            share = percent(fact, plan)
            norm = info.daily_norm * len(at_work) if info.daily_norm is not None else None
            norm_share = percent(fact, norm) if norm is not None else None
            lines.append(
                t(
                    "digest-total",
                    label=day_views.label(t, metric),
                    fact=day_views.number(t, fact),
                    plan=day_views.number(t, plan),
                    percent=share if share is not None else "none",
                    norm=norm_share if norm_share is not None else "none",
                )
            )
    money = history.money_metric()
    if money is not None:
        team_facts = history.team_facts()
        mtd = month_to_date(
            team_facts, money.key, day, team_target(history), _workday(history), today_done=True
        )
        if mtd.target is not None:
            lines += [
                "",
                t(
                    "digest-month",
                    fact=day_views.number(t, mtd.fact),
                    target=day_views.number(t, mtd.target),
                    percent=mtd.share or 0,
                ),
            ]
            if mtd.reached:
                lines.append(t("digest-month-reached"))
            elif mtd.needed_per_day is not None:
                lines.append(
                    t(
                        "digest-month-needed",
                        amount=day_views.money(t, mtd.needed_per_day),
                        days=mtd.days_left,
                    )
                )
                pace = team_pace(
                    [history.facts.get(m.id, {}) for m in history.managers],
                    day, mtd.target, _workday(history), today_done=True,
                    rules=PaceRules(money_key=money.key),
                )  # fmt: skip
                items = _activity_items(t, history, pace)
                if items:
                    lines.append(t("digest-month-pace", items=Safe(items)))
        else:
            lines += ["", t("digest-month-no-target", fact=day_views.number(t, mtd.fact))]
    key_metrics = [m for m in metrics if m.is_key] or metrics[:1]
    workday = _workday(history)
    slumps = {
        m.id: detect_slump(history.facts.get(m.id, {}), day, workday, absences_of(history, m))
        for m in at_work
    }
    paces = {
        m.id: needed_pace(
            history.facts.get(m.id, {}), day, history.targets.get(m.id), workday,
            absences_of(history, m), rules=PaceRules(money_key=money.key),
        )
        for m in at_work
        if money is not None and history.targets.get(m.id) is not None
    }  # fmt: skip
    ranked = rank_attention(
        [(m.id, attention_signals(flags[m.id], slumps.get(m.id))) for m in history.managers]
    )
    by_id = {m.id: m for m in history.managers}
    lines += ["", t("digest-managers")]
    for item in ranked:
        member = by_id[item.key]  # type: ignore[index]
        if item.chronic:
            lines.append(_chronic_line(t, member, item))
            continue
        line = _manager_line(
            t, history, member, day, flags[member.id], key_metrics, money, slumps.get(member.id)
        )
        own_pace = paces.get(member.id)
        lines.append(line + _pace_words(t, history, own_pace) if own_pace else line)
    missing = [m.full_name for m in at_work if m not in reported]
    if missing and reported:
        lines += ["", t("digest-missing", names=", ".join(missing))]
    quotes = []
    for member in at_work:
        note = history.notes.get(member.id, {}).get(day)
        if note is None or not (note.comment or note.reason):
            continue
        reason = (
            note.reason_text
            if note.reason == "other" and note.reason_text
            else t("reason", reason=note.reason)
            if note.reason
            else None
        )
        comment = (note.comment or "")[:COMMENT_MAX]
        quotes.append(
            t(
                "digest-quote",
                name=member.full_name,
                comment=comment or "—",
                reason=reason or "none",
            )
        )
    if quotes:
        lines += ["", t("digest-blockers"), *quotes]
    chart = None
    if key_metrics and money is not None:
        key = key_metrics[0]
        bars = [
            charts.Bar(
                m.full_name,
                history.plans.get(m.id, {}).get(day, {}).get(key.key, Decimal(0)),
                history.facts.get(m.id, {}).get(day, {}).get(key.key, Decimal(0)),
            )
            for m in history.managers
        ]
        labels = _labels(t, day_views.label(t, key))
        chart = charts.digest_chart(bars, _cumulative(history, day, money), labels)
    return Report(split_message(Safe("\n".join(lines))), chart)


def _activity_items(t: Texts, history: TeamHistory, pace: Pace, *, limit: int = 3) -> str:
    labels = {m.key: day_views.label(t, m) for m in history.metrics}
    return day_views.pace_items(t, labels, pace, limit=limit)


def _pace_words(t: Texts, history: TeamHistory, pace: Pace) -> str:
    """A manager's way to the target, shown only while they are behind their usual pace."""
    if pace.money_per_day is None or pace.money_per_day <= 0:
        return ""
    usual = pace.usual_money_per_day
    if usual is not None and pace.money_per_day <= usual:
        return ""
    items = _activity_items(t, history, pace, limit=1)
    return " · " + t(
        "digest-pace",
        amount=day_views.money(t, pace.money_per_day),
        items=Safe(items) if items else "none",
    )


def _chronic_line(t: Texts, member: Member, item: AttentionItem) -> str:
    days = max((s.workdays for s in item.signals), default=0)
    return t("digest-line-chronic", name=member.full_name, days=days)


def _manager_line(
    t: Texts,
    history: TeamHistory,
    member: Member,
    day: date,
    flags: DayFlags,
    key_metrics: list[Metric],
    money: Metric | None,
    slump: SlumpStatus | None = None,
) -> str:
    if flags.on_leave:
        return t("digest-line-leave", name=member.full_name)
    if flags.no_report:
        return t("digest-line-missing", name=member.full_name, days=max(flags.missed_streak, 1))
    fact = history.facts.get(member.id, {}).get(day, {})
    plan = history.plans.get(member.id, {}).get(day, {})
    shown = [*key_metrics, *([money] if money is not None and money not in key_metrics else [])]
    parts = []
    for metric in shown:
        value = day_views.number(t, fact.get(metric.key, Decimal(0)))
        if metric.key in plan:
            parts.append(
                t(
                    "digest-metric-plan",
                    label=day_views.label(t, metric).lower(),
                    fact=value,
                    plan=day_views.number(t, plan[metric.key]),
                )
            )
        else:
            parts.append(t("digest-metric", label=day_views.label(t, metric).lower(), fact=value))
    words = _flag_words(t, flags, history, slump)
    mark = "🔴" if words else "🟢"
    line = t("digest-line", mark=mark, name=member.full_name, metrics=Safe(", ".join(parts)))
    return line + (" — " + "; ".join(words) if words else "")


def settled_by_former(
    history: TeamHistory, money_key: str, today: date, *, today_done: bool
) -> Decimal:
    """What people no longer on the team paid this month before `today` (up to it when the day
    is done): it counts in the team's total, but no one's forecast carries it further."""
    first = today.replace(day=1)
    return sum(
        (
            value.get(money_key, Decimal(0))
            for member in history.former
            for day, value in history.facts.get(member.id, {}).items()
            if first <= day < today or (today_done and day == today)
        ),
        Decimal(0),
    )


def forecast_of(
    history: TeamHistory,
    today: date,
    workday: Callable[[date], bool],
    money_key: str,
    settled: Decimal,
    *,
    today_done: bool = False,
) -> tuple[Forecast, dict[int, Forecast]]:
    """The team's month-end forecast and each manager's (`domain.forecasting`), from the
    facts before `today` (the Monday forecast is made in the morning), or up to `today` when
    the day is done (the evening's forecast alert)."""
    last = today if today_done else today - timedelta(days=1)
    inputs = [
        ManagerInput(
            key=member.id,
            facts={d: v for d, v in history.facts.get(member.id, {}).items() if d <= last},
            absences=absences_of(history, member),
            target=history.targets.get(member.id),
        )
        for member in history.managers
    ]
    result = forecast_team(
        inputs,
        today,
        team_target(history),
        workday,
        settled=settled,
        today_done=today_done,
        rules=ModelRules(money_key=money_key),
    )
    return result.team, {member.id: result.managers[member.id] for member in history.managers}


def build_forecast(
    t: Texts, history: TeamHistory, today: date, routine: list[RoutineEntry], now: datetime
) -> Report:
    team, money = history.team, history.money_metric()
    lines = [
        t(
            "forecast-title",
            month=t("month-name", m=today.month, year=str(today.year)),
            team=team.name,
        )
    ]
    if money is None:
        lines += ["", t("forecast-no-money")]
        return Report(split_message(Safe("\n".join(lines))), None)
    workday = _workday(history)
    settled = settled_by_former(history, money.key, today, today_done=False)
    team_fc, parts = forecast_of(history, today, workday, money.key, settled)
    labels = {m.key: day_views.label(t, m) for m in history.metrics}
    lines += ["", _forecast_lines(t, team_fc, labels)]
    if team_fc.run_rate is not None and team_fc.method.code is MethodCode.POOLED_TEAM:
        lines.append(t("forecast-cross-check", amount=day_views.money(t, team_fc.run_rate)))
    lines += ["", t("forecast-managers")]
    for member in history.managers:
        fc = parts[member.id]
        share = fc.share_of_target
        lines.append(
            t(
                "forecast-manager",
                name=member.full_name,
                mtd=day_views.money(t, fc.month_to_date),
                point=day_views.money(t, fc.point),
                target=day_views.money(t, fc.target) if fc.target is not None else "none",
                percent=share if share is not None else "none",
            )
        )
    lines += ["", *_last_week(t, history, today, routine)]
    lines += _reasons_lines(t, history, today - timedelta(days=1))
    labels = _labels(t) | {"cumulative_title": t("chart-forecast-title")}
    chart = charts.forecast_chart(
        _cumulative(history, today - timedelta(days=1), money, team_fc), labels
    )
    del now
    return Report(split_message(Safe("\n".join(lines))), chart)


def _reasons_lines(t: Texts, history: TeamHistory, last: date) -> list[str]:
    """The shortfall reasons that grew over the last two weeks, for the team and by person."""
    records = [
        (member_id, day, note.reason)
        for member_id, days in history.notes.items()
        for day, note in days.items()
        if note.reason
    ]
    report = reason_trends(records, last)
    growing = report.growing
    if not growing:
        return []
    names = {m.id: m.full_name for m in history.managers}
    lines = ["", t("forecast-reasons", weeks=2)]
    for row in growing[:3]:
        people = [
            names[person]
            for person, rows in report.people.items()
            if person in names
            and any(r.reason == row.reason and r.direction is not Direction.FALLING
                    and r.recent for r in rows)
        ]  # fmt: skip
        lines.append(
            t(
                "forecast-reason",
                reason=t("reason", reason=row.reason),
                recent=row.recent,
                earlier=row.earlier,
                people=", ".join(people[:5]) or "none",
            )
        )
    return lines


def _forecast_lines(t: Texts, fc: Forecast, labels: dict[str, str] | None = None) -> str:
    lines = [
        t(
            "forecast-mtd",
            mtd=fc.month_to_date and day_views.money(t, fc.month_to_date),
            target=day_views.money(t, fc.target) if fc.target is not None else "none",
        ),
        t(
            "forecast-point",
            point=day_views.money(t, fc.point),
            low=day_views.money(t, fc.low),
            high=day_views.money(t, fc.high),
            percent=fc.share_of_target if fc.share_of_target is not None else "none",
        ),
    ]
    if fc.likelihood is not None:
        lines.append(t("forecast-likelihood", percent=round(fc.likelihood * 100)))
    args = fc.method.args
    if labels and isinstance(args.get("activities"), str):
        keys = str(args["activities"]).split("/")
        args["activities"] = ", ".join(labels.get(k, k).lower() for k in keys)
    lines.append(t(f"method-{fc.method.code.value.replace('_', '-')}", **args))
    return "\n".join(lines)


def _last_week(
    t: Texts, history: TeamHistory, today: date, routine: list[RoutineEntry]
) -> list[str]:
    monday = today - timedelta(days=today.weekday() + 7)
    sunday = monday + timedelta(days=6)
    infos = [metric_info(m) for m in history.metrics]
    zone = ZoneInfo(history.team.timezone)
    digest_at = history.team.digest_at
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    on_time = workdays = 0
    accuracies: list[int] = []
    for member in history.managers:
        submitted = history.submitted.get(member.id, {})
        in_time = {
            d: at.astimezone(zone).replace(tzinfo=None) <= datetime.combine(d, digest_at)
            for d, at in submitted.items()
        }
        stats = week_stats(
            infos,
            monday,
            sunday,
            history.plans.get(member.id, {}),
            history.facts.get(member.id, {}),
            in_time,
            _workday(history),
            absences_of(history, member),
        )
        on_time += stats.reports_on_time
        workdays += stats.workdays
        if stats.plan_accuracy is not None:
            accuracies.append(stats.plan_accuracy)
        for row in stats.activity:
            fact, norm = totals.get(row.key, (Decimal(0), Decimal(0)))
            totals[row.key] = (fact + row.fact, norm + (row.norm_total or Decimal(0)))
    lines = [
        t(
            "forecast-week",
            first=day_views.day_title(t, monday),
            last=day_views.day_title(t, sunday),
        )
    ]
    activity = []
    for metric in history.metrics:
        fact, norm = totals.get(metric.key, (Decimal(0), Decimal(0)))
        share = percent(fact, norm)
        if share is not None:
            activity.append(
                t("forecast-activity-item", label=day_views.label(t, metric), percent=share)
            )
    if activity:
        lines.append(t("forecast-activity", items=Safe(", ".join(activity))))
    discipline = percent(Decimal(on_time), Decimal(workdays))
    lines.append(t("forecast-discipline", percent=discipline if discipline is not None else "none"))
    accuracy = round(sum(accuracies) / len(accuracies)) if accuracies else None
    lines.append(t("forecast-accuracy", percent=accuracy if accuracy is not None else "none"))
    week_routine = [e for e in routine if monday <= e.day <= sunday]
    names = {m.id: m.full_name for m in history.managers}
    if week_routine:
        items = []
        for entry in week_routine:
            what = t("routine-kind", kind=entry.kind)
            if entry.with_member_id in names:
                what = t("routine-with", what=what, name=names[entry.with_member_id])
            items.append(t("routine-line", day=day_views.day_title(t, entry.day), what=what))
        lines += [t("forecast-routine"), *items]
    else:
        lines.append(t("forecast-routine-none"))
    return lines


# /reasons: six weeks of shortfall reasons, the last two against the four before.
REASONS_WEEKS = 6
REASONS_RECENT_WEEKS = 2
REASONS_HISTORY = timedelta(days=7 * REASONS_WEEKS)
REASONS_OWN_WORDS = 5  # the latest "other" reasons quoted in the managers' own words
ARROWS = {Direction.GROWING: " ↑", Direction.NEW: " ↑", Direction.FALLING: " ↓"}


def build_reasons(t: Texts, history: TeamHistory, today: date) -> list[str]:
    """The reasons the team's managers gave for falling short, for the team and by person,
    growing ones marked and first; the latest reasons in their own words. Message parts."""
    records = [
        (member_id, day, note.reason)
        for member_id, days in history.notes.items()
        for day, note in days.items()
        if note.reason
    ]
    report = reason_trends(records, today, weeks=REASONS_WEEKS, recent_weeks=REASONS_RECENT_WEEKS)
    lines = [
        t("reasons-title", team=history.team.name,
          period=t("period-range", first=report.first, last=report.last)),
    ]  # fmt: skip
    if not report.team:
        lines.append(t("reasons-none", weeks=REASONS_WEEKS))
        return split_message(Safe("\n".join(lines)))
    lines += [
        t("reasons-legend", recent=REASONS_RECENT_WEEKS,
          earlier=REASONS_WEEKS - REASONS_RECENT_WEEKS),
        "",
        t("reasons-team"),
    ]  # fmt: skip
    lines += [_reason_row(t, row) for row in report.team]
    names: dict[Hashable, str] = {m.id: m.full_name for m in [*history.managers, *history.former]}

    def rank(person: Hashable) -> tuple[bool, int, str]:
        rows = report.people[person]
        growing = any(r.direction in (Direction.GROWING, Direction.NEW) for r in rows)
        return (not growing, -sum(r.recent for r in rows), names.get(person, ""))

    people = sorted((p for p in report.people if p in names), key=rank)
    if people:
        lines += ["", t("reasons-people")]
        for person in people:
            rows = [r for r in report.people[person] if r.recent or r.earlier]
            items = ", ".join(
                t("reasons-person-item", reason=t("reason", reason=r.reason), recent=r.recent,
                  earlier=r.earlier) + ARROWS.get(r.direction, "")
                for r in rows
            )  # fmt: skip
            lines.append(t("reasons-person", name=names[person], items=Safe(items)))
    own_words = sorted(
        (
            (day, member_id, note.reason_text)
            for member_id, days in history.notes.items()
            for day, note in days.items()
            if note.reason == "other" and note.reason_text and day >= report.first
            and member_id in names
        ),
        reverse=True,
    )[:REASONS_OWN_WORDS]  # fmt: skip
    if own_words:
        lines += ["", t("reasons-own-words")]
        lines += [
            t("reasons-own-word", name=names[member_id], day=day,
              text=text[:COMMENT_MAX])
            for day, member_id, text in own_words
        ]  # fmt: skip
    return split_message(Safe("\n".join(lines)))


def _reason_row(t: Texts, row: ReasonTrend) -> str:
    return t(
        "reasons-team-row", reason=t("reason", reason=row.reason), recent=row.recent,
        earlier=row.earlier,
    ) + ARROWS.get(row.direction, "")  # fmt: skip
