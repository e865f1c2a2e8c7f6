"""/settings: the head of sales (or the owner) tunes the team in inline menus: the schedule,
timezone, workdays, public holidays, metrics and norms, alert thresholds and the team's
language; and reads who changed what.

Every change is validated by domain.settings, written with its audit line in one transaction,
and takes effect from the scheduler's next tick (it reads the team's row every minute).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import day_views
from bot.callbacks import SettingsAction, SettingsButton
from bot.clock import Clock
from bot.filters import HasRole
from bot.i18n import LANGUAGES, Safe, Texts, texts
from bot.menus import refresh_menu
from domain import settings as rules
from domain.metrics import MetricKind
from domain.roles import LEADERS
from domain.settings import DayTimes, Problem, SettingError
from domain.teams import COMMON_TIMEZONES
from models import Member, Metric, Team, User, queries
from models.audit import AuditLine, recent_changes, record_change

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


class SettingsForm(StatesGroup):
    """Waiting for a typed value: data holds `field`, and `metric_id` or `name` for metrics."""

    value = State()
    new_kind = State()


# --- small renderers ------------------------------------------------------------------------


def _button(text: str, action: SettingsAction, **data: Any) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=SettingsButton(action=action, **data).pack()
    )


def _back(t: Texts, section: str | None = None) -> InlineKeyboardButton:
    if section is None:
        return _button(t("btn-settings-back"), SettingsAction.HOME)
    return _button(t("btn-settings-back"), SettingsAction.SECTION, what=section)


def _hhmm(value: time) -> str:
    return rules.format_time(value)


def _minutes(t: Texts, minutes: int) -> str:
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


def _plain(value: Decimal | None) -> str | None:
    """A number as the audit log keeps it: `30`, `1500.5`."""
    if value is None:
        return None
    return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)


def _number(t: Texts, value: Decimal | None) -> str:
    return day_views.number(t, value) if value is not None else t("settings-none")


def _value(t: Texts, field: str, value: Any) -> str:
    """A team setting's value as people read it."""
    if isinstance(value, time):
        return _hhmm(value)
    if field == DELAY:
        return _minutes(t, int(value))
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


def _team_value(t: Texts, team: Team, field: str) -> str:
    return _value(t, field, getattr(team, field))


def _problem(t: Texts, error: SettingError, team: Team | None = None, typed: str = "") -> str:
    return t(
        "settings-problem",
        problem=error.problem.value,
        typed=" ".join(typed.split())[:64],
        low=error.low if error.low is not None else 0,
        high=error.high if error.high is not None else 0,
        limit=day_views.number(t, error.limit) if error.limit is not None else "",
        morning=_hhmm(team.morning_at) if team else "",
        evening=_hhmm(team.evening_at) if team else "",
        digest=_hhmm(team.digest_at) if team else "",
    )


# --- screens ---------------------------------------------------------------------------------


def home(t: Texts, team: Team, metrics: Sequence[Metric]) -> tuple[str, Markup]:
    active = [m for m in metrics if m.active]
    lines = [
        t("settings-title", team=team.name),
        "",
        t(
            "settings-home-schedule",
            morning=_hhmm(team.morning_at),
            evening=_hhmm(team.evening_at),
            digest=_hhmm(team.digest_at),
        ),
        t("settings-home-reminder", minutes=team.reminder_delay_minutes),
        t(
            "settings-home-forecast",
            weekday=_weekday(t, team.forecast_weekday),
            time=_hhmm(team.forecast_at),
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
        return _button(t("btn-settings-section", section=name), SettingsAction.SECTION, what=name)

    rows = [
        [section(SCHEDULE), section(TIMEZONE)],
        [section(WORKDAYS), section(HOLIDAYS)],
        [section(METRICS)],
        [section(ALERTS), section(LANGUAGE)],
        [section(HISTORY)],
        [_button(t("btn-settings-done"), SettingsAction.CLOSE)],
    ]
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def schedule(t: Texts, team: Team) -> tuple[str, Markup]:
    fields = ("morning_at", DELAY, "evening_at", "digest_at", FORECAST_DAY, "forecast_at")
    lines = [t("settings-schedule-title", zone=t.zone(team.timezone)), ""]
    lines += [
        t("settings-value-line", field=field, value=_team_value(t, team, field)) for field in fields
    ]
    times = DayTimes(team.morning_at, team.evening_at, team.digest_at)
    morning_ok, evening_ok = rules.reminders_fit(times, team.reminder_delay_minutes)
    if team.reminder_delay_minutes > 0 and not morning_ok:
        lines.append(t("settings-reminder-lost", which="morning"))
    if team.reminder_delay_minutes > 0 and not evening_ok:
        lines.append(t("settings-reminder-lost", which="evening"))
    lines += ["", t("settings-schedule-hint")]

    def ask(field: str) -> InlineKeyboardButton:
        text = t("btn-settings-field", field=field, value=_team_value(t, team, field))
        action = SettingsAction.SECTION if field == FORECAST_DAY else SettingsAction.ASK
        return _button(text, action, what=field)

    rows = [[ask(field)] for field in fields]
    rows.append([_back(t)])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def forecast_days(t: Texts, team: Team) -> tuple[str, Markup]:
    buttons = [
        _button(
            ("✓ " if day == team.forecast_weekday else "") + _weekday(t, day),
            SettingsAction.PICK,
            what=FORECAST_DAY,
            value=str(day),
        )
        for day in rules.WEEKDAYS
    ]
    rows = [buttons[:4], buttons[4:], [_back(t, SCHEDULE)]]
    text = t("settings-ask-forecast-day", current=_weekday(t, team.forecast_weekday))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def timezone_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    buttons = [
        _button(
            ("✓ " if zone == team.timezone else "") + t.zone(zone),
            SettingsAction.PICK,
            what=ZONE,
            value=str(index),
        )
        for index, zone in enumerate(COMMON_TIMEZONES)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_back(t)])
    text = t("settings-timezone-title", zone=t.zone(team.timezone))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def workdays_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    buttons = [
        _button(
            ("✅ " if str(day) in team.workdays else "▫️ ") + _weekday(t, day),
            SettingsAction.PICK,
            what=DAYS,
            value=str(day),
        )
        for day in rules.WEEKDAYS
    ]
    rows = [buttons[:4], buttons[4:], [_back(t)]]
    text = t("settings-workdays-title", days=_workdays(t, team.workdays))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def holidays_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    choices: list[str | None] = [*rules.HOLIDAY_CHOICES, None]
    buttons = [
        _button(
            ("✓ " if code == team.holiday_country else "") + _country(t, code),
            SettingsAction.PICK,
            what=COUNTRY,
            value=code or "-",
        )
        for code in choices
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_back(t)])
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
                norm=_number(t, metric.daily_norm),
                key="yes" if metric.is_key else "no",
                active="yes" if metric.active else "no",
            )
        )
    lines += ["", t("settings-metrics-hint")]
    rows = [
        [
            # Button texts are not markup: the name goes as typed.
            _button(
                ("⭐ " if m.is_key else "") + ("" if m.active else "🚫 ") + day_views.label(t, m),
                SettingsAction.METRIC,
                metric_id=m.id,
            )
        ]
        for m in metrics
    ]
    rows.append([_button(t("btn-settings-add-metric"), SettingsAction.ASK, what=METRIC_NEW)])
    rows.append([_back(t)])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def metric_card(t: Texts, metric: Metric, metrics: Sequence[Metric]) -> tuple[str, Markup]:
    kind = MetricKind(metric.kind)
    lines = [
        t("settings-metric-title", name=day_views.label(t, metric)),
        "",
        t("settings-metric-kind", kind=kind.value),
        t("settings-metric-norm", norm=_number(t, metric.daily_norm)),
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
        return _button(
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
    rows.append([_back(t, METRICS)])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def alerts_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    lines = [t("settings-alerts-title"), ""]
    lines += [
        t("settings-value-line", field=field, value=_team_value(t, team, field))
        for field in rules.THRESHOLDS
    ]
    lines += ["", t("settings-alerts-hint")]
    rows = [
        [
            _button(
                t("btn-settings-field", field=field, value=_team_value(t, team, field)),
                SettingsAction.ASK,
                what=field,
            )
        ]
        for field in rules.THRESHOLDS
    ]
    rows.append([_back(t)])
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows)


def language_screen(t: Texts, team: Team) -> tuple[str, Markup]:
    buttons = [
        _button(
            ("✓ " if lang == team.locale else "") + _language(t, lang),
            SettingsAction.PICK,
            what=LOCALE,
            value=lang,
        )
        for lang in LANGUAGES
    ]
    text = t("settings-language-title", language=_language(t, team.locale))
    return text, InlineKeyboardMarkup(inline_keyboard=[buttons, [_back(t)]])


def _audit_value(t: Texts, subject: str, value: str | None, names: dict[str, str]) -> str:
    """A before/after value of the audit log as the reader knows it."""
    if value is None:
        return t("settings-none")
    try:
        if subject == DELAY:
            return _minutes(t, int(value))
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


async def history_screen(
    session: AsyncSession, t: Texts, team: Team, metrics: Sequence[Metric]
) -> tuple[str, Markup]:
    changes = await recent_changes(session, team.id, limit=HISTORY_LINES)
    names = {m.key: day_views.label(t, m) for m in metrics}
    zone = ZoneInfo(team.timezone)
    lines = [t("settings-history-title", zone=t.zone(team.timezone)), ""]
    lines += [audit_line(t, line, zone, names) for line in changes] or [t("settings-history-empty")]
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=[[_back(t)]])


async def _section(session: AsyncSession, t: Texts, team: Team, section: str) -> tuple[str, Markup]:
    if section == SCHEDULE:
        return schedule(t, team)
    if section == FORECAST_DAY:
        return forecast_days(t, team)
    if section == TIMEZONE:
        return timezone_screen(t, team)
    if section == WORKDAYS:
        return workdays_screen(t, team)
    if section == HOLIDAYS:
        return holidays_screen(t, team)
    if section == ALERTS:
        return alerts_screen(t, team)
    if section == LANGUAGE:
        return language_screen(t, team)
    metrics = await queries.team_metrics(session, team.id)
    if section == METRICS:
        return metrics_screen(t, metrics)
    if section == HISTORY:
        return await history_screen(session, t, team, metrics)
    return home(t, team, metrics)


# --- handlers --------------------------------------------------------------------------------


async def settings_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, state: FSMContext
) -> None:
    await state.clear()
    metrics = await queries.team_metrics(session, member.team_id)
    text, markup = home(t, member.team, metrics)
    await message.answer(text, reply_markup=markup)


async def cancel_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, state: FSMContext
) -> None:
    await state.clear()
    metrics = await queries.team_metrics(session, member.team_id)
    text, markup = home(t, member.team, metrics)
    await message.answer(t("settings-cancelled") + "\n\n" + text, reply_markup=markup)


async def _show(callback: CallbackQuery, text: str, markup: Markup | None) -> None:
    """Replace the menu message with the next screen."""
    if not isinstance(callback.message, Message):
        return
    with suppress(TelegramBadRequest):  # the same screen again ("message is not modified")
        await callback.message.edit_text(text, reply_markup=markup)


async def _stale(callback: CallbackQuery, t: Texts) -> None:
    await callback.answer(t("settings-stale"), show_alert=True)


async def navigate(
    callback: CallbackQuery,
    callback_data: SettingsButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    state: FSMContext,
) -> None:
    """Home, a section, or closing the menu; leaves any typed question unanswered."""
    await state.clear()
    if callback_data.action is SettingsAction.CLOSE:
        await callback.answer()
        await _show(callback, t("settings-closed"), None)
        return
    section = callback_data.what if callback_data.action is SettingsAction.SECTION else ""
    if section and section not in (*SECTIONS, FORECAST_DAY):
        await _stale(callback, t)
        return
    await callback.answer()
    text, markup = await _section(session, t, member.team, section)
    await _show(callback, text, markup)


async def _own_metric(session: AsyncSession, member: Member, metric_id: int) -> Metric | None:
    """The metric, only when it belongs to the member's team (a forged id finds nothing)."""
    metric = await session.get(Metric, metric_id) if metric_id > 0 else None
    return metric if metric is not None and metric.team_id == member.team_id else None


async def ask(
    callback: CallbackQuery,
    callback_data: SettingsButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    state: FSMContext,
) -> None:
    """Ask for a typed value; the answer arrives in `value_typed`."""
    field, team = callback_data.what, member.team
    data: dict[str, Any] = {"field": field}
    markup = InlineKeyboardMarkup(inline_keyboard=[[_back(t, SECTION_OF.get(field, METRICS))]])
    if field in TIMES:
        text = t("settings-ask-time", field=field, current=_hhmm(getattr(team, field)))
    elif field == DELAY:
        presets = [
            _button(_minutes(t, minutes), SettingsAction.PICK, what=DELAY, value=str(minutes))
            for minutes in rules.REMINDER_DELAYS
        ]
        markup = InlineKeyboardMarkup(inline_keyboard=[presets, [_back(t, SCHEDULE)]])
        text = t(
            "settings-ask-delay",
            current=_minutes(t, team.reminder_delay_minutes),
            max=rules.REMINDER_MAX,
        )
    elif field in rules.THRESHOLDS:
        low, high = rules.THRESHOLDS[field]
        text = t("settings-ask-threshold", field=field, current=getattr(team, field),
                 low=low, high=high)  # fmt: skip
    elif field == METRIC_NEW:
        text = t("settings-ask-new-metric", max=rules.METRIC_NAME_MAX)
    elif field in (METRIC_NAME, METRIC_NORM, METRIC_MAX):
        metric = await _own_metric(session, member, callback_data.metric_id)
        if metric is None:
            await _stale(callback, t)
            return
        data["metric_id"] = metric.id
        name = day_views.label(t, metric)
        back = _button(t("btn-settings-back"), SettingsAction.METRIC, metric_id=metric.id)
        rows = [[back]]
        if field == METRIC_NAME:
            text = t("settings-ask-metric-name", name=name, max=rules.METRIC_NAME_MAX)
        elif field == METRIC_NORM:
            text = t("settings-ask-norm", name=name, kind=metric.kind,
                     current=_number(t, metric.daily_norm),
                     max=day_views.number(t, metric.max_value))  # fmt: skip
            if metric.daily_norm is not None:
                clear = _button(t("btn-settings-no-norm"), SettingsAction.METRIC_DO,
                                what=CLEAR_NORM, metric_id=metric.id)  # fmt: skip
                rows.insert(0, [clear])
        else:
            text = t("settings-ask-max", name=name, kind=metric.kind,
                     current=day_views.number(t, metric.max_value),
                     norm=_number(t, metric.daily_norm))  # fmt: skip
        markup = InlineKeyboardMarkup(inline_keyboard=rows)
    else:
        await _stale(callback, t)
        return
    await state.set_state(SettingsForm.value)
    await state.set_data(data)
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)


async def open_metric(
    callback: CallbackQuery,
    callback_data: SettingsButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    state: FSMContext,
) -> None:
    await state.clear()
    metric = await _own_metric(session, member, callback_data.metric_id)
    if metric is None:
        await _stale(callback, t)
        return
    await callback.answer()
    metrics = await queries.team_metrics(session, member.team_id)
    text, markup = metric_card(t, metric, metrics)
    await _show(callback, text, markup)


async def section_with_typing(
    callback: CallbackQuery,
    callback_data: SettingsButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    state: FSMContext,
) -> None:
    """The timezone and holiday screens offer buttons and also take a typed answer."""
    field = ZONE if callback_data.what == TIMEZONE else COUNTRY
    await state.set_state(SettingsForm.value)
    await state.set_data({"field": field})
    await callback.answer()
    text, markup = await _section(session, t, member.team, callback_data.what)
    await _show(callback, text, markup)


def _audit(
    session: AsyncSession,
    member: Member,
    clock: Clock,
    subject: str,
    before: object,
    after: object,
) -> None:
    """One audit line in the change's own transaction: it commits (or not) with the change."""
    record_change(
        session,
        team_id=member.team_id,
        actor_id=member.id,
        at=clock.now(),
        subject=subject,
        before=before,
        after=after,
    )


def _set_team(
    session: AsyncSession, member: Member, clock: Clock, field: str, value: object
) -> tuple[object, bool]:
    """Set a team column with its audit line; (the value before, whether it changed)."""
    team = member.team
    before = getattr(team, field)
    if before == value:
        return before, False
    setattr(team, field, value)

    def audited(v: object) -> object:  # times are kept as HH:MM
        return _hhmm(v) if isinstance(v, time) else v

    _audit(session, member, clock, field, audited(before), audited(value))
    return before, True


async def pick(
    callback: CallbackQuery,
    callback_data: SettingsButton,
    session: AsyncSession,
    member: Member,
    user: User,
    t: Texts,
    clock: Clock,
    state: FSMContext,
    bot: Bot,
) -> None:
    """A one-tap value: reminder delay, forecast day, city, workday, country, language."""
    field, raw, team = callback_data.what, callback_data.value, member.team
    value: object
    try:
        if field == DELAY:
            value = rules.parse_whole(raw, 0, rules.REMINDER_MAX)
        elif field == FORECAST_DAY:
            value = rules.parse_whole(raw, 1, 7)
        elif field == ZONE:
            index = rules.parse_whole(raw, 0, len(COMMON_TIMEZONES) - 1)
            value = COMMON_TIMEZONES[index]
        elif field == DAYS:
            value = rules.toggle_workday(team.workdays, rules.parse_whole(raw, 1, 7))
        elif field == COUNTRY:
            value = None if raw == "-" else rules.parse_country(raw)
        elif field == LOCALE and raw in LANGUAGES:
            value = raw
        else:
            await _stale(callback, t)
            return
    except SettingError as error:
        if error.problem is Problem.LAST_WORKDAY:
            await callback.answer(_problem(t, error), show_alert=True)
        else:
            await _stale(callback, t)
        return
    _before, changed = _set_team(session, member, clock, field, value)
    await session.commit()
    if field == LOCALE and user.language is None:
        t = texts(team.locale)  # the head reads the team's language: it just changed
    if field != DAYS:
        await state.clear()
    await callback.answer(t("settings-saved-short") if changed else None)
    # Workdays are toggled one by one; a delay or forecast day returns to the schedule; a
    # city, country or language is one choice, and the summary shows it in place.
    section = {DAYS: WORKDAYS, DELAY: SCHEDULE, FORECAST_DAY: SCHEDULE}.get(field, "")
    text, markup = await _section(session, t, team, section)
    await _show(callback, text, markup)
    if field == LOCALE and changed:
        await _refresh_menus(session, bot, team)


async def _refresh_menus(session: AsyncSession, bot: Bot, team: Team) -> None:
    """Command menus in the team's new language, for everyone who follows it (no /lang)."""
    rows = await session.execute(
        select(Member)
        .outerjoin(User, User.telegram_id == Member.telegram_id)
        .where(
            Member.team_id == team.id,
            Member.active.is_(True),
            Member.telegram_id.is_not(None),
            User.language.is_(None),
        )
    )
    language = texts(team.locale)
    for person in rows.scalars():
        assert person.telegram_id is not None
        with suppress(TelegramAPIError):  # blocked the bot, say: the menu can wait
            await refresh_menu(bot, person.telegram_id, person.roles, language)


async def metric_do(
    callback: CallbackQuery,
    callback_data: SettingsButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    """Move, switch on/off, change kind, make key, clear the norm: one tap each."""
    await state.clear()
    metric = await _own_metric(session, member, callback_data.metric_id)
    op = callback_data.what
    if metric is None or op not in METRIC_OPS:
        await _stale(callback, t)
        return
    metrics = await queries.team_metrics(session, member.team_id)
    subject = f":{metric.key}"
    try:
        if op in (UP, DOWN):
            order = rules.moved([m.id for m in metrics], metric.id, -1 if op == UP else 1)
            if order is None:
                await _stale(callback, t)
                return
            by_id = {m.id: m for m in metrics}
            before = metrics.index(metric) + 1
            for position, metric_id in enumerate(order):
                by_id[metric_id].position = position
            _audit(session, member, clock, "metric-moved" + subject, before,
                   order.index(metric.id) + 1)  # fmt: skip
        elif op == TOGGLE:
            if metric.active:
                rules.check_disable(
                    metric.id, [m.id for m in metrics if m.active],
                    [m.id for m in metrics if m.is_key],
                )  # fmt: skip
            metric.active = not metric.active
            switched = "metric-on" if metric.active else "metric-off"
            _audit(session, member, clock, switched + subject, None, None)
        elif op == KIND:
            kind, limit = rules.switch_kind(MetricKind(metric.kind), metric.daily_norm)
            _audit(session, member, clock, "metric-kind" + subject, metric.kind, kind.value)
            if limit != metric.max_value:
                _audit(session, member, clock, "metric-max" + subject,
                       _plain(metric.max_value), _plain(limit))  # fmt: skip
            metric.kind, metric.max_value = kind.value, limit
        elif op == MAKE_KEY:
            if not metric.active:
                raise SettingError(Problem.INACTIVE_KEY)
            previous = next((m for m in metrics if m.is_key), None)
            if previous is not metric:
                for other in metrics:
                    other.is_key = other.id == metric.id
                _audit(session, member, clock, "metric-key" + subject,
                       previous.key if previous else None, metric.key)  # fmt: skip
        elif metric.daily_norm is not None:  # CLEAR_NORM
            _audit(session, member, clock, "metric-norm" + subject,
                   _plain(metric.daily_norm), None)  # fmt: skip
            metric.daily_norm = None
    except SettingError as error:
        await callback.answer(_problem(t, error), show_alert=True)
        return
    await session.commit()
    await callback.answer(t("settings-saved-short"))
    metrics = await queries.team_metrics(session, member.team_id)
    text, markup = metric_card(t, metric, metrics)
    await _show(callback, text, markup)


async def new_kind(
    callback: CallbackQuery,
    callback_data: SettingsButton,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    """The kind of the metric being added: the last step, which creates it."""
    data = await state.get_data()
    name = data.get("name")
    try:
        kind = MetricKind(callback_data.value)
    except ValueError:
        kind = None
    if not isinstance(name, str) or kind is None:
        await _stale(callback, t)
        return
    metrics = await queries.team_metrics(session, member.team_id)
    try:
        name = rules.clean_metric_name(name, _taken(metrics))
    except SettingError as error:
        await callback.answer(_problem(t, error), show_alert=True)
        return
    metric = Metric(
        team_id=member.team_id, key=rules.new_metric_key(m.key for m in metrics), label=name,
        kind=kind.value, daily_norm=None, max_value=rules.DEFAULT_MAX[kind],
        position=max((m.position for m in metrics), default=-1) + 1, is_key=False, active=True,
    )  # fmt: skip
    session.add(metric)
    _audit(session, member, clock, f"metric-added:{metric.key}", None, name)
    try:
        await session.commit()
    except IntegrityError:  # another leader added one with the same key this very moment
        await session.rollback()
        await callback.answer(t("settings-try-again"), show_alert=True)
        return
    await state.clear()
    await callback.answer(t("settings-saved-short"))
    metrics = await queries.team_metrics(session, member.team_id)
    text, markup = metric_card(t, metric, metrics)
    await _show(callback, t("settings-metric-added") + "\n\n" + text, markup)


def _taken(metrics: Sequence[Metric], but: Metric | None = None) -> set[str]:
    """Names other metrics answer to, in both languages (a default one has no label)."""
    names: set[str] = set()
    for metric in metrics:
        if metric is but:
            continue
        if metric.label:
            names.add(metric.label)
        else:
            names.update(str(texts(lang)("metric-label", key=metric.key)) for lang in LANGUAGES)
    return names


async def value_typed(
    message: Message,
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    state: FSMContext,
) -> None:
    """A typed answer to the question `ask` put; a bad one is explained and asked again."""
    data = await state.get_data()
    field = str(data.get("field", ""))
    text = message.text or ""
    team = member.team
    if field not in (*TYPED, METRIC_NEW):
        await state.clear()
        await message.answer(t("settings-stale"))
        return
    metric: Metric | None = None
    if field in (METRIC_NAME, METRIC_NORM, METRIC_MAX):
        metric = await _own_metric(session, member, int(data.get("metric_id") or 0))
        if metric is None:
            await state.clear()
            await message.answer(t("settings-stale"))
            return
    try:
        if field == METRIC_NEW:
            metrics = await queries.team_metrics(session, member.team_id)
            name = rules.clean_metric_name(text, _taken(metrics))
            await state.set_state(SettingsForm.new_kind)
            await state.set_data({"name": name})
            await message.answer(t("settings-ask-new-kind", name=name), reply_markup=_kinds(t))
            return
        if metric is not None:
            await _metric_typed(session, member, t, clock, metric, field, text, message)
            await state.clear()
            return
        value: object
        if field in TIMES:
            value = rules.parse_time(text)
            if field != "forecast_at":
                times = {"morning_at": team.morning_at, "evening_at": team.evening_at,
                         "digest_at": team.digest_at, field: value}  # fmt: skip
                rules.check_day_times(
                    DayTimes(times["morning_at"], times["evening_at"], times["digest_at"])
                )
        elif field == DELAY:
            value = rules.parse_whole(text, 0, rules.REMINDER_MAX)
        elif field in rules.THRESHOLDS:
            value = rules.parse_whole(text, *rules.THRESHOLDS[field])
        elif field == ZONE:
            value = rules.parse_zone(text)
        else:
            value = rules.parse_country(text)
    except SettingError as error:
        await message.answer(_problem(t, error, team, typed=text))
        return
    before, _changed = _set_team(session, member, clock, field, value)
    await session.commit()
    await state.clear()
    saved = t("settings-saved", field=field, before=_value(t, field, before),
              after=_team_value(t, team, field))  # fmt: skip
    # A timezone or a country is one choice: back to the summary, which shows it in place.
    section = "" if field in (ZONE, COUNTRY) else SECTION_OF[field]
    screen, markup = await _section(session, t, team, section)
    await message.answer(saved + "\n\n" + screen, reply_markup=markup)


async def _metric_typed(
    session: AsyncSession,
    member: Member,
    t: Texts,
    clock: Clock,
    metric: Metric,
    field: str,
    text: str,
    message: Message,
) -> None:
    """A metric's new name, norm or maximum; raises SettingError for a bad one."""
    kind = MetricKind(metric.kind)
    name = day_views.label(t, metric)
    subject = f"{field}:{metric.key}"
    saved: str
    if field == METRIC_NAME:
        metrics = await queries.team_metrics(session, member.team_id)
        new_name = rules.clean_metric_name(text, _taken(metrics, but=metric))
        if new_name != metric.label:
            _audit(session, member, clock, subject, name, new_name)
            metric.label = new_name
        saved = t("settings-metric-renamed", before=name, after=new_name)
    elif field == METRIC_NORM:
        norm = rules.parse_norm(text, kind, metric.max_value)
        if norm != metric.daily_norm:
            _audit(session, member, clock, subject, _plain(metric.daily_norm), _plain(norm))
            metric.daily_norm = norm
        saved = t("settings-metric-norm-saved", name=name, norm=day_views.number(t, norm))
    else:
        limit = rules.parse_max(text, kind, metric.daily_norm)
        if limit != metric.max_value:
            _audit(session, member, clock, subject, _plain(metric.max_value), _plain(limit))
            metric.max_value = limit
        saved = t("settings-metric-max-saved", name=name, max=day_views.number(t, limit))
    await session.commit()
    metrics = await queries.team_metrics(session, member.team_id)
    screen, markup = metric_card(t, metric, metrics)
    await message.answer(saved + "\n\n" + screen, reply_markup=markup)


async def kind_typed(message: Message, t: Texts, state: FSMContext) -> None:
    """Text where a kind button is expected: the question again."""
    name = (await state.get_data()).get("name")
    if not isinstance(name, str):
        await state.clear()
        await message.answer(t("settings-stale"))
        return
    await message.answer(t("settings-ask-new-kind", name=name), reply_markup=_kinds(t))


def _kinds(t: Texts) -> Markup:
    kinds = [
        _button(t("btn-settings-kind", kind=kind.value), SettingsAction.NEW_KIND, value=kind.value)
        for kind in MetricKind
    ]
    return InlineKeyboardMarkup(inline_keyboard=[kinds, [_back(t, METRICS)]])


async def not_text(message: Message, t: Texts) -> None:
    await message.answer(t("form-send-text"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(*LEADERS))
    router.callback_query.filter(HasRole(*LEADERS))
    router.message.register(settings_command, Command("settings"))
    router.message.register(cancel_command, StateFilter(SettingsForm), Command("cancel"))
    router.message.register(not_text, StateFilter(SettingsForm), ~F.text)
    router.message.register(value_typed, SettingsForm.value, ~F.text.startswith("/"))
    router.message.register(kind_typed, SettingsForm.new_kind, ~F.text.startswith("/"))
    router.callback_query.register(
        section_with_typing,
        SettingsButton.filter(
            (F.action == SettingsAction.SECTION) & F.what.in_({TIMEZONE, HOLIDAYS})
        ),
    )
    router.callback_query.register(
        navigate,
        SettingsButton.filter(F.action.in_({SettingsAction.HOME, SettingsAction.SECTION,
                                            SettingsAction.CLOSE})),
    )  # fmt: skip
    router.callback_query.register(ask, SettingsButton.filter(F.action == SettingsAction.ASK))
    router.callback_query.register(pick, SettingsButton.filter(F.action == SettingsAction.PICK))
    router.callback_query.register(
        open_metric, SettingsButton.filter(F.action == SettingsAction.METRIC)
    )
    router.callback_query.register(
        metric_do, SettingsButton.filter(F.action == SettingsAction.METRIC_DO)
    )
    router.callback_query.register(
        new_kind, SettingsButton.filter(F.action == SettingsAction.NEW_KIND)
    )
    return router
