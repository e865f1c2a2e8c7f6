"""What /settings shows: the menu's screens and the change history's lines, rendered from
the team's rows (handlers/settings.py asks, validates and saves)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import day_views
from bot.callbacks import SettingsAction, SettingsButton
from bot.i18n import LANGUAGES, Safe, Texts
from domain import settings as rules
from domain.metrics import MetricKind
from domain.settings import DayTimes, SettingError
from domain.teams import COMMON_TIMEZONES
from models import Metric, Team
from models.audit import AuditLine

Markup = InlineKeyboardMarkup

# Sections of the menu (SettingsButton.what for SECTION).
SCHEDULE, TIMEZONE, WORKDAYS, HOLIDAYS = "schedule", "timezone", "workdays", "holidays"
METRICS, ALERTS, LANGUAGE, HISTORY = "metrics", "alerts", "language", "history"
SECTIONS = (SCHEDULE, TIMEZONE, WORKDAYS, HOLIDAYS, METRICS, ALERTS, LANGUAGE, HISTORY)

# Team fields, named as the columns they set (and as their audit subjects).
TIMES = ("morning_at", "evening_at", "digest_at", "forecast_at")
DELAY = "reminder_delay_minutes"
FORECAST_DAY = "forecast_weekday"
ZONE, DAYS, COUNTRY, LOCALE = "timezone", "workdays", "holiday_country", "locale"
# Typed metric values (SettingsButton.what for ASK, with a metric id).
METRIC_NAME, METRIC_NORM, METRIC_MAX, METRIC_NEW = "metric-name", "metric-norm", "metric-max", "new"
TYPED = (*TIMES, DELAY, *rules.THRESHOLDS, ZONE, COUNTRY, METRIC_NAME, METRIC_NORM, METRIC_MAX)
SECTION_OF = {
    **dict.fromkeys((*TIMES, DELAY, FORECAST_DAY), SCHEDULE),
    **dict.fromkeys(rules.THRESHOLDS, ALERTS),
    ZONE: TIMEZONE,
    DAYS: WORKDAYS,
    COUNTRY: HOLIDAYS,
    LOCALE: LANGUAGE,
}
# Operations on a metric's card (SettingsButton.what for METRIC_DO).
UP, DOWN, TOGGLE, KIND, MAKE_KEY, CLEAR_NORM = "up", "down", "toggle", "kind", "key", "no-norm"
METRIC_OPS = (UP, DOWN, TOGGLE, KIND, MAKE_KEY, CLEAR_NORM)
HISTORY_LINES = 20


# --- small renderers ------------------------------------------------------------------------


def settings_button(text: str, action: SettingsAction, **data: Any) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=SettingsButton(action=action, **data).pack()
    )


def back_button(t: Texts, section: str | None = None) -> InlineKeyboardButton:
    if section is None:
        return settings_button(t("btn-settings-back"), SettingsAction.HOME)
    return settings_button(t("btn-settings-back"), SettingsAction.SECTION, what=section)


def hhmm(value: time) -> str:
    return rules.format_time(value)


def minutes_text(t: Texts, minutes: int) -> str:
    return t("settings-minutes", minutes=minutes)


def _weekday(t: Texts, day: int) -> str:
    return t("settings-weekday", day=day)


def _workdays(t: Texts, workdays: str) -> str:
    parts = [
        _weekday(t, first)
        if first == last
        else t("settings-weekday-range", first=_weekday(t, first), last=_weekday(t, last))
        for first, last in rules.weekday_runs(workdays)
    ]
    return Safe(", ".join(parts))


def _country(t: Texts, code: str | None) -> str:
    if code is None:
        return t("settings-no-holidays")
    return t("settings-country", code=code)


def _language(t: Texts, locale: str) -> str:
    return t("language-name", language=locale)


def plain_number(value: Decimal | None) -> str | None:
    """A number as the audit log keeps it: `30`, `1500.5`."""
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def number_text(t: Texts, value: Decimal | None) -> str:
    return day_views.number(t, value) if value is not None else t("settings-none")


def field_value(t: Texts, field: str, value: Any) -> str:
    """A team setting's value as people read it."""
    if isinstance(value, time):
        return hhmm(value)
    if field == DELAY:
        return minutes_text(t, int(value))
    if field == FORECAST_DAY:
        return _weekday(t, int(value))
    if field == ZONE:
        return t.zone(str(value))
    if field == DAYS:
        return _workdays(t, str(value))
    if field == COUNTRY:
        return _country(t, value)
    if field == LOCALE:
        return _language(t, str(value))
    return t("settings-threshold-value", field=field, value=value)


def team_value(t: Texts, team: Team, field: str) -> str:
    return field_value(t, field, getattr(team, field))


def problem_text(t: Texts, error: SettingError, team: Team | None = None, typed: str = "") -> str:
    return t(
        "settings-problem",
        problem=error.problem.value,
        typed=" ".join(typed.split())[:64],
        low=error.low if error.low is not None else 0,
        high=error.high if error.high is not None else 0,
        limit=day_views.number(t, error.limit) if error.limit is not None else "",
        morning=hhmm(team.morning_at) if team else "",
        evening=hhmm(team.evening_at) if team else "",
        digest=hhmm(team.digest_at) if team else "",
    )


# --- screens ---------------------------------------------------------------------------------


def home(t: Texts, team: Team, metrics: Sequence[Metric]) -> tuple[str, Markup]:
    active = [m for m in metrics if m.active]
    lines = [
        t("settings-title", team=team.name),
        "",
        t(
            "settings-home-schedule",
            morning=hhmm(team.morning_at),
            evening=hhmm(team.evening_at),
            digest=hhmm(team.digest_at),
        ),
        t("settings-home-reminder", minutes=team.reminder_delay_minutes),
        t(
            "settings-home-forecast",
            weekday=_weekday(t, team.forecast_weekday),
            time=hhmm(team.forecast_at),
        ),
        t("settings-home-timezone", zone=t.zone(team.timezone)),
        t(
            "settings-home-days",
            days=_workdays(t, team.workdays),
            country=_country(t, team.holiday_country),
        ),
        t(
            "settings-home-metrics",
            metrics=", ".join(day_views.label(t, m) for m in active),
            off=len(metrics) - len(active),
        ),
        t(
            "settings-home-alerts",
            streak=team.alert_streak_days,
            forecast=team.alert_forecast_percent,
        ),
        t("settings-home-language", language=_language(t, team.locale)),
        "",
        t("settings-home-ask"),
    ]

    def section(name: str) -> InlineKeyboardButton:
        return settings_button(
            t("btn-settings-section", section=name), SettingsAction.SECTION, what=name
        )

    rows = [
        [section(SCHEDULE), section(TIMEZONE)],
        [section(WORKDAYS), section(HOLIDAYS)],
        [section(METRICS)],
        [section(ALERTS), section(LANGUAGE)],
        [section(HISTORY)],
        [settings_button(t("btn-settings-done"), SettingsAction.CLOSE)],
    ]
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def schedule(t: Texts, team: Team) -> tuple[str, Markup]:
    fields = ("morning_at", DELAY, "evening_at", "digest_at", FORECAST_DAY, "forecast_at")
    lines = [t("settings-schedule-title", zone=t.zone(team.timezone)), ""]
    lines += [
        t("settings-value-line", field=field, value=team_value(t, team, field)) for field in fields
    ]
    times = DayTimes(team.morning_at, team.evening_at, team.digest_at)
    morning_ok, evening_ok = rules.reminders_fit(times, team.reminder_delay_minutes)
    if team.reminder_delay_minutes > 0 and not morning_ok:
        lines.append(t("settings-reminder-lost", which="morning"))
    if team.reminder_delay_minutes > 0 and not evening_ok:
        lines.append(t("settings-reminder-lost", which="evening"))
    lines += ["", t("settings-schedule-hint")]

    def ask(field: str) -> InlineKeyboardButton:
        text = t("btn-settings-field", field=field, value=team_value(t, team, field))
        action = SettingsAction.SECTION if field == FORECAST_DAY else SettingsAction.ASK
        return settings_button(text, action, what=field)

    rows = [[ask(field)] for field in fields]
    rows.append([back_button(t)])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def forecast_days(t: Texts, team: Team) -> tuple[str, Markup]:
    buttons = [
        settings_button(
            ("✓ " if day == team.forecast_weekday else "") + _weekday(t, day),
            SettingsAction.PICK,
            what=FORECAST_DAY,
            value=str(day),
        )
        for day in rules.WEEKDAYS
    ]
    rows = [buttons[:4], buttons[4:], [back_button(t, SCHEDULE)]]
    text = t("settings-ask-forecast-day", current=_weekday(t, team.forecast_weekday))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def timezone_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    buttons = [
        settings_button(
            ("✓ " if zone == team.timezone else "") + t.zone(zone),
            SettingsAction.PICK,
            what=ZONE,
            value=str(index),
        )
        for index, zone in enumerate(COMMON_TIMEZONES)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([back_button(t)])
    text = t("settings-timezone-title", zone=t.zone(team.timezone))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def workdays_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    buttons = [
        settings_button(
            ("✅ " if str(day) in team.workdays else "▫️ ") + _weekday(t, day),
            SettingsAction.PICK,
            what=DAYS,
            value=str(day),
        )
        for day in rules.WEEKDAYS
    ]
    rows = [buttons[:4], buttons[4:], [back_button(t)]]
    text = t("settings-workdays-title", days=_workdays(t, team.workdays))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def holidays_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    choices: list[str | None] = [*rules.HOLIDAY_CHOICES, None]
    buttons = [
        settings_button(
            ("✓ " if code == team.holiday_country else "") + _country(t, code),
            SettingsAction.PICK,
            what=COUNTRY,
            value=code or "-",
        )
        for code in choices
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([back_button(t)])
    text = t("settings-holidays-title", country=_country(t, team.holiday_country))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def metrics_screen(t: Texts, metrics: Sequence[Metric]) -> tuple[str, Markup]:
    lines = [t("settings-metrics-title"), ""]
    for index, metric in enumerate(metrics, start=1):
        lines.append(
            t(
                "settings-metric-line",
                index=index,
                name=day_views.label(t, metric),
                kind=metric.kind,
                norm=number_text(t, metric.daily_norm),
                key="yes" if metric.is_key else "no",
                active="yes" if metric.active else "no",
            )
        )
    lines += ["", t("settings-metrics-hint")]
    rows = [
        [
            # Button texts are not markup: the name goes as typed.
            settings_button(
                ("⭐ " if m.is_key else "") + ("" if m.active else "🚫 ") + day_views.label(t, m),
                SettingsAction.METRIC,
                metric_id=m.id,
            )
        ]
        for m in metrics
    ]
    rows.append(
        [settings_button(t("btn-settings-add-metric"), SettingsAction.ASK, what=METRIC_NEW)]
    )
    rows.append([back_button(t)])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def metric_card(t: Texts, metric: Metric, metrics: Sequence[Metric]) -> tuple[str, Markup]:
    kind = MetricKind(metric.kind)
    lines = [
        t("settings-metric-title", name=day_views.label(t, metric)),
        "",
        t("settings-metric-kind", kind=kind.value),
        t("settings-metric-norm", norm=number_text(t, metric.daily_norm)),
        t("settings-metric-max", max=day_views.number(t, metric.max_value)),
    ]
    if metric.is_key:
        lines.append(t("settings-metric-is-key"))
    # Targets, month to date and the forecast follow the first money metric that is on.
    if metric is next((m for m in metrics if m.active and m.kind == MetricKind.MONEY), None):
        lines.append(t("settings-metric-is-payments"))
    if not metric.active:
        lines.append(t("settings-metric-is-off"))

    def op(name: str, what: str) -> InlineKeyboardButton:
        return settings_button(
            t("btn-settings-metric", op=name, kind=rules.other_kind(kind).value),
            SettingsAction.METRIC_DO if what in METRIC_OPS else SettingsAction.ASK,
            what=what,
            metric_id=metric.id,
        )

    order = [m.id for m in metrics]
    rows = [[op("rename", METRIC_NAME)]]
    moves = []
    if order.index(metric.id) > 0:
        moves.append(op("up", UP))
    if order.index(metric.id) < len(order) - 1:
        moves.append(op("down", DOWN))
    if moves:
        rows.append(moves)
    rows.append([op("norm", METRIC_NORM), op("max", METRIC_MAX)])
    rows.append([op("kind", KIND)])
    if metric.active and not metric.is_key:
        rows.append([op("key", MAKE_KEY)])
    rows.append([op("off" if metric.active else "on", TOGGLE)])
    rows.append([back_button(t, METRICS)])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def alerts_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    lines = [t("settings-alerts-title"), ""]
    lines += [
        t("settings-value-line", field=field, value=team_value(t, team, field))
        for field in rules.THRESHOLDS
    ]
    lines += ["", t("settings-alerts-hint")]
    rows = [
        [
            settings_button(
                t("btn-settings-field", field=field, value=team_value(t, team, field)),
                SettingsAction.ASK,
                what=field,
            )
        ]
        for field in rules.THRESHOLDS
    ]
    rows.append([back_button(t)])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def language_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    buttons = [
        settings_button(
            ("✓ " if lang == team.locale else "") + _language(t, lang),
            SettingsAction.PICK,
            what=LOCALE,
            value=lang,
        )
        for lang in LANGUAGES
    ]
    text = t("settings-language-title", language=_language(t, team.locale))
    return text, InlineKeyboardMarkup(inline_keyboard=[buttons, [back_button(t)]])


def _audit_value(t: Texts, subject: str, value: str | None, names: dict[str, str]) -> str:
    """A before/after value of the audit log as the reader knows it."""
    if value is None:
        return t("settings-none")
    try:
        if subject == DELAY:
            return minutes_text(t, int(value))
        if subject == FORECAST_DAY:
            return _weekday(t, int(value))
        if subject in ("metric-norm", "metric-max"):
            return day_views.number(t, Decimal(value))
    except (ValueError, ArithmeticError):
        return value
    if subject == ZONE:
        return t.zone(value)
    if subject == DAYS:
        return _workdays(t, value)
    if subject == COUNTRY:
        return _country(t, value)
    if subject == LOCALE:
        return _language(t, value)
    if subject == "metric-kind":
        return t("settings-kind", kind=value)
    if subject == "metric-key":
        return names.get(value, value)
    return value


def audit_line(t: Texts, line: AuditLine, zone: ZoneInfo, names: dict[str, str]) -> str:
    """One change as the owner reads it: when (team time), who, what, before → after.

    Metric subjects carry the metric's key after a colon ("metric-norm:calls"); its name is
    shown as it is now. Subjects without a text of their own get the generic line."""
    subject, _, metric_key = line.subject.partition(":")
    args: dict[str, Any] = {
        "actor": line.actor_name or t("settings-audit-someone"),
        "about": line.about_name or "",
        "before": _audit_value(t, subject, line.before, names),
        "after": _audit_value(t, subject, line.after, names),
        "metric": names.get(metric_key, metric_key),
    }
    key = f"audit-{subject}"
    text = t(key, **args) if t.has(key) else t("settings-audit-generic", subject=subject, **args)
    when = line.at.astimezone(zone).strftime("%d.%m %H:%M")
    return t("settings-history-line", at=when, text=text)
