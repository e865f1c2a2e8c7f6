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
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import day_views
from bot import settings_views as views
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
from models.audit import recent_changes, record_change


class SettingsForm(StatesGroup):
    """Waiting for a typed value: data holds `field`, and `metric_id` or `name` for metrics."""

    value = State()
    new_kind = State()


async def history_screen(
    session: AsyncSession, t: Texts, team: Team, metrics: Sequence[Metric]
) -> tuple[str, views.Markup]:
    changes = await recent_changes(session, team.id, limit=views.HISTORY_LINES)
    names = {m.key: day_views.label(t, m) for m in metrics}
    zone = ZoneInfo(team.timezone)
    lines = [t("settings-history-title", zone=t.zone(team.timezone)), ""]
    lines += [views.audit_line(t, line, zone, names) for line in changes] or [
        t("settings-history-empty")
    ]
    return Safe("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=[[views.back_button(t)]])


async def _section(
    session: AsyncSession, t: Texts, team: Team, section: str
) -> tuple[str, views.Markup]:
    if section == views.SCHEDULE:
        return views.schedule(t, team)
    if section == views.FORECAST_DAY:
        return views.forecast_days(t, team)
    if section == views.TIMEZONE:
        return views.timezone_screen(t, team)
    if section == views.WORKDAYS:
        return views.workdays_screen(t, team)
    if section == views.HOLIDAYS:
        return views.holidays_screen(t, team)
    if section == views.ALERTS:
        return views.alerts_screen(t, team)
    if section == views.LANGUAGE:
        return views.language_screen(t, team)
    metrics = await queries.team_metrics(session, team.id)
    if section == views.METRICS:
        return views.metrics_screen(t, metrics)
    if section == views.HISTORY:
        return await history_screen(session, t, team, metrics)
    return views.home(t, team, metrics)


# --- handlers --------------------------------------------------------------------------------


async def settings_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, state: FSMContext
) -> None:
    await state.clear()
    metrics = await queries.team_metrics(session, member.team_id)
    text, markup = views.home(t, member.team, metrics)
    await message.answer(text, reply_markup=markup)


async def cancel_command(
    message: Message, session: AsyncSession, member: Member, t: Texts, state: FSMContext
) -> None:
    await state.clear()
    metrics = await queries.team_metrics(session, member.team_id)
    text, markup = views.home(t, member.team, metrics)
    await message.answer(t("settings-cancelled") + "\n\n" + text, reply_markup=markup)


async def _show(callback: CallbackQuery, text: str, markup: views.Markup | None) -> None:
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
    if section and section not in (*views.SECTIONS, views.FORECAST_DAY):
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
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[views.back_button(t, views.SECTION_OF.get(field, views.METRICS))]]
    )
    if field in views.TIMES:
        text = t("settings-ask-time", field=field, current=views.hhmm(getattr(team, field)))
    elif field == views.DELAY:
        presets = [
            views.settings_button(
                views.minutes_text(t, minutes),
                SettingsAction.PICK,
                what=views.DELAY,
                value=str(minutes),
            )
            for minutes in rules.REMINDER_DELAYS
        ]
        markup = InlineKeyboardMarkup(
            inline_keyboard=[presets, [views.back_button(t, views.SCHEDULE)]]
        )
        text = t(
            "settings-ask-delay",
            current=views.minutes_text(t, team.reminder_delay_minutes),
            max=rules.REMINDER_MAX,
        )
    elif field in rules.THRESHOLDS:
        low, high = rules.THRESHOLDS[field]
        text = t("settings-ask-threshold", field=field, current=getattr(team, field),
                 low=low, high=high)  # fmt: skip
    elif field == views.METRIC_NEW:
        text = t("settings-ask-new-metric", max=rules.METRIC_NAME_MAX)
    elif field in (views.METRIC_NAME, views.METRIC_NORM, views.METRIC_MAX):
        metric = await _own_metric(session, member, callback_data.metric_id)
        if metric is None:
            await _stale(callback, t)
            return
        data["metric_id"] = metric.id
        name = day_views.label(t, metric)
        back = views.settings_button(
            t("btn-settings-back"), SettingsAction.METRIC, metric_id=metric.id
        )
        rows = [[back]]
        if field == views.METRIC_NAME:
            text = t("settings-ask-metric-name", name=name, max=rules.METRIC_NAME_MAX)
        elif field == views.METRIC_NORM:
            text = t("settings-ask-norm", name=name, kind=metric.kind,
                     current=views.number_text(t, metric.daily_norm),
                     max=day_views.number(t, metric.max_value))  # fmt: skip
            if metric.daily_norm is not None:
                clear = views.settings_button(t("btn-settings-no-norm"), SettingsAction.METRIC_DO,
                                what=views.CLEAR_NORM, metric_id=metric.id)  # fmt: skip
                rows.insert(0, [clear])
        else:
            text = t("settings-ask-max", name=name, kind=metric.kind,
                     current=day_views.number(t, metric.max_value),
                     norm=views.number_text(t, metric.daily_norm))  # fmt: skip
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
    text, markup = views.metric_card(t, metric, metrics)
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
    field = views.ZONE if callback_data.what == views.TIMEZONE else views.COUNTRY
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


def _set_number(
    session: AsyncSession,
    member: Member,
    clock: Clock,
    subject: str,
    metric: Metric,
    column: str,
    value: Decimal | None,
) -> None:
    """A metric's norm or maximum, audited when it changes."""
    before = getattr(metric, column)
    if value != before:
        _audit(
            session, member, clock, subject, views.plain_number(before), views.plain_number(value)
        )
        setattr(metric, column, value)


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
        return views.hhmm(v) if isinstance(v, time) else v

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
        if field == views.DELAY:
            value = rules.parse_whole(raw, 0, rules.REMINDER_MAX)
        elif field == views.FORECAST_DAY:
            value = rules.parse_whole(raw, 1, 7)
        elif field == views.ZONE:
            index = rules.parse_whole(raw, 0, len(COMMON_TIMEZONES) - 1)
            value = COMMON_TIMEZONES[index]
        elif field == views.DAYS:
            value = rules.toggle_workday(team.workdays, rules.parse_whole(raw, 1, 7))
        elif field == views.COUNTRY:
            value = None if raw == "-" else rules.parse_country(raw)
        elif field == views.LOCALE and raw in LANGUAGES:
            value = raw
        else:
            await _stale(callback, t)
            return
    except SettingError as error:
        if error.problem is Problem.LAST_WORKDAY:
            await callback.answer(views.problem_text(t, error), show_alert=True)
        else:
            await _stale(callback, t)
        return
    _before, changed = _set_team(session, member, clock, field, value)
    await session.commit()
    if field == views.LOCALE and user.language is None:
        t = texts(team.locale)  # the head reads the team's language: it just changed
    if field != views.DAYS:
        await state.clear()
    await callback.answer(t("settings-saved-short") if changed else None)
    # Workdays are toggled one by one; a delay or forecast day returns to the schedule; a
    # city, country or language is one choice, and the summary shows it in place.
    section = {
        views.DAYS: views.WORKDAYS,
        views.DELAY: views.SCHEDULE,
        views.FORECAST_DAY: views.SCHEDULE,
    }.get(field, "")
    text, markup = await _section(session, t, team, section)
    await _show(callback, text, markup)
    if field == views.LOCALE and changed:
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
    if metric is None or op not in views.METRIC_OPS:
        await _stale(callback, t)
        return
    metrics = await queries.team_metrics(session, member.team_id)
    subject = f":{metric.key}"
    try:
        if op in (views.UP, views.DOWN):
            order = rules.moved([m.id for m in metrics], metric.id, -1 if op == views.UP else 1)
            if order is None:
                await _stale(callback, t)
                return
            by_id = {m.id: m for m in metrics}
            before = metrics.index(metric) + 1
            for position, metric_id in enumerate(order):
                by_id[metric_id].position = position
            _audit(session, member, clock, "metric-moved" + subject, before,
                   order.index(metric.id) + 1)  # fmt: skip
        elif op == views.TOGGLE:
            if metric.active:
                rules.check_disable(
                    metric.id, [m.id for m in metrics if m.active],
                    [m.id for m in metrics if m.is_key],
                )  # fmt: skip
            metric.active = not metric.active
            switched = "metric-on" if metric.active else "metric-off"
            _audit(session, member, clock, switched + subject, None, None)
        elif op == views.KIND:
            kind, limit = rules.switch_kind(MetricKind(metric.kind), metric.daily_norm)
            _audit(session, member, clock, "metric-kind" + subject, metric.kind, kind.value)
            if limit != metric.max_value:
                _audit(session, member, clock, "metric-max" + subject,
                       views.plain_number(metric.max_value), views.plain_number(limit))  # fmt: skip
            metric.kind, metric.max_value = kind.value, limit
        elif op == views.MAKE_KEY:
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
                   views.plain_number(metric.daily_norm), None)  # fmt: skip
            metric.daily_norm = None
    except SettingError as error:
        await callback.answer(views.problem_text(t, error), show_alert=True)
        return
    await session.commit()
    await callback.answer(t("settings-saved-short"))
    metrics = await queries.team_metrics(session, member.team_id)
    text, markup = views.metric_card(t, metric, metrics)
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
        await callback.answer(views.problem_text(t, error), show_alert=True)
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
    text, markup = views.metric_card(t, metric, metrics)
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
    if field not in (*views.TYPED, views.METRIC_NEW):
        await state.clear()
        await message.answer(t("settings-stale"))
        return
    metric: Metric | None = None
    if field in (views.METRIC_NAME, views.METRIC_NORM, views.METRIC_MAX):
        metric = await _own_metric(session, member, int(data.get("metric_id") or 0))
        if metric is None:
            await state.clear()
            await message.answer(t("settings-stale"))
            return
    try:
        if field == views.METRIC_NEW:
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
        if field in views.TIMES:
            value = rules.parse_time(text)
            if field != "forecast_at":
                times = {"morning_at": team.morning_at, "evening_at": team.evening_at,
                         "digest_at": team.digest_at, field: value}  # fmt: skip
                rules.check_day_times(
                    DayTimes(times["morning_at"], times["evening_at"], times["digest_at"])
                )
        elif field == views.DELAY:
            value = rules.parse_whole(text, 0, rules.REMINDER_MAX)
        elif field in rules.THRESHOLDS:
            value = rules.parse_whole(text, *rules.THRESHOLDS[field])
        elif field == views.ZONE:
            value = rules.parse_zone(text)
        else:
            value = rules.parse_country(text)
    except SettingError as error:
        await message.answer(views.problem_text(t, error, team, typed=text))
        return
    before, _changed = _set_team(session, member, clock, field, value)
    await session.commit()
    await state.clear()
    saved = t("settings-saved", field=field, before=views.field_value(t, field, before),
              after=views.team_value(t, team, field))  # fmt: skip
    # A timezone or a country is one choice: back to the summary, which shows it in place.
    section = "" if field in (views.ZONE, views.COUNTRY) else views.SECTION_OF[field]
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
    if field == views.METRIC_NAME:
        metrics = await queries.team_metrics(session, member.team_id)
        new_name = rules.clean_metric_name(text, _taken(metrics, but=metric))
        if new_name != metric.label:
            _audit(session, member, clock, subject, name, new_name)
            metric.label = new_name
        saved = t("settings-metric-renamed", before=name, after=new_name)
    elif field == views.METRIC_NORM:
        norm = rules.parse_norm(text, kind, metric.max_value)
        _set_number(session, member, clock, subject, metric, "daily_norm", norm)
        saved = t("settings-metric-norm-saved", name=name, norm=day_views.number(t, norm))
    else:
        limit = rules.parse_max(text, kind, metric.daily_norm)
        _set_number(session, member, clock, subject, metric, "max_value", limit)
        saved = t("settings-metric-max-saved", name=name, max=day_views.number(t, limit))
    await session.commit()
    metrics = await queries.team_metrics(session, member.team_id)
    screen, markup = views.metric_card(t, metric, metrics)
    await message.answer(saved + "\n\n" + screen, reply_markup=markup)


async def kind_typed(message: Message, t: Texts, state: FSMContext) -> None:
    """Text where a kind button is expected: the question again."""
    name = (await state.get_data()).get("name")
    if not isinstance(name, str):
        await state.clear()
        await message.answer(t("settings-stale"))
        return
    await message.answer(t("settings-ask-new-kind", name=name), reply_markup=_kinds(t))


def _kinds(t: Texts) -> views.Markup:
    kinds = [
        views.settings_button(
            t("btn-settings-kind", kind=kind.value), SettingsAction.NEW_KIND, value=kind.value
        )
        for kind in MetricKind
    ]
    return InlineKeyboardMarkup(inline_keyboard=[kinds, [views.back_button(t, views.METRICS)]])


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
            (F.action == SettingsAction.SECTION) & F.what.in_({views.TIMEZONE, views.HOLIDAYS})
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
