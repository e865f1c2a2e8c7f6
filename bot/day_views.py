"""What a manager sees while filling in a plan or a report: rendered from plain data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import DayButton, FormAction
from bot.i18n import Safe, Texts
from domain.daily import EntryKind, Form, Reason, Values, below_norm, percent
from domain.metrics import DEFAULT_ALIASES, MetricKind
from domain.numbers import EntryError
from domain.pace import Pace, plan_gap
from models import Metric
from models.entries import metric_info

Markup = InlineKeyboardMarkup


def label(t: Texts, metric: Metric) -> str:
    """A metric's name for people: the team's own label, or the catalog's for a default."""
    return metric.label if metric.label else t("metric-label", key=metric.key)


def number(t: Texts, value: Decimal) -> str:
    return t("num", value=value)


def money(t: Texts, value: Decimal) -> str:
    """A forecast or an estimate: whole units, since kopecks there are only noise."""
    return t("num", value=value.quantize(Decimal(1)))


def day_title(t: Texts, day: date) -> str:
    return t("weekday-date", day=day)


def _button(
    text: str, kind: EntryKind, day: date, action: FormAction, choice: str = ""
) -> InlineKeyboardButton:
    data = DayButton(kind=kind, day=int(day.strftime("%Y%m%d")), action=action, choice=choice)
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def example(metrics: Sequence[Metric], plan: Values | None = None) -> str:
    """A one-message answer made of the norms (or plan), so the example is also a hint."""
    parts = []
    for metric in metrics:
        value = (plan or {}).get(metric.key, metric.daily_norm)
        parts.append(
            str(int(value)) if value is not None else ("150000" if metric.kind == "money" else "1")
        )
    return " ".join(parts)


def labelled_example(t: Texts, metrics: Sequence[Metric]) -> str:
    """`звонки 30, встречи 2`: the first two metrics by a word the reader's language uses."""
    words = []
    for metric in metrics[:2]:
        aliases = DEFAULT_ALIASES.get(metric.key, (metric.key,))
        in_language = [a for a in aliases if a.isascii() == (t.language == "en")] or list(aliases)
        word = metric.label or in_language[0]
        value = metric.daily_norm if metric.daily_norm is not None else Decimal(1)
        words.append(f"{word.lower()} {int(value)}")
    return ", ".join(words)


def prompt(
    t: Texts, kind: EntryKind, day: date, metrics: Sequence[Metric], plan: Values
) -> tuple[str, Markup]:
    """The opening question of a form: the morning plan prompt or the evening report prompt."""
    lines: list[str] = []
    if kind is EntryKind.PLAN:
        lines.append(t("form-plan-title", day=day_title(t, day)))
        norms = [
            f"{label(t, m)} {number(t, m.daily_norm)}" for m in metrics if m.daily_norm is not None
        ]
        if norms:
            lines.append(t("form-norms", norms=" · ".join(norms)))
    else:
        lines.append(t("form-fact-title", day=day_title(t, day)))
        if plan:
            lines.extend(
                t("form-plan-line", label=label(t, m), plan=number(t, plan[m.key]))
                for m in metrics
                if m.key in plan
            )
        else:
            lines.append(t("form-no-plan"))
    order = ", ".join(label(t, m) for m in metrics)
    lines.append("")
    lines.append(
        t(
            "form-how",
            order=order,
            example=example(metrics, plan if kind is EntryKind.FACT else None),
            labelled=labelled_example(t, metrics),
        )
    )
    buttons = []
    if kind is EntryKind.PLAN:
        buttons.append(_button(t("btn-as-yesterday"), kind, day, FormAction.AS_YESTERDAY))
        buttons.append(_button(t("btn-norms"), kind, day, FormAction.NORMS))
    buttons.append(_button(t("btn-steps"), kind, day, FormAction.STEPS))
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[buttons])


def step(
    t: Texts, form: Form, metrics: Sequence[Metric], key: str, plan: Values
) -> tuple[str, Markup | None]:
    index = next(i for i, m in enumerate(metrics) if m.key == key)
    metric = metrics[index]
    suggested: Decimal | None
    if form.kind is EntryKind.PLAN:
        suggested, what = metric.daily_norm, "norm"
        hint = t("form-step-norm-hint", value=number(t, suggested)) if suggested is not None else ""
    else:
        suggested, what = plan.get(key), "plan"
        hint = t("form-step-plan-hint", value=number(t, suggested)) if suggested is not None else ""
    text = t("form-step", label=label(t, metric), index=index + 1, total=len(metrics), hint=hint)
    if suggested is None:
        return text, None
    button = _button(
        t("btn-suggested", value=number(t, suggested), what=what),
        form.kind, form.day, FormAction.SUGGESTED, key,
    )  # fmt: skip
    return text, InlineKeyboardMarkup(inline_keyboard=[[button]])


def reason_question(
    t: Texts, form: Form, metrics: Sequence[Metric], plan: Values, shortfall: str
) -> tuple[str, Markup]:
    metric = next(m for m in metrics if m.key == shortfall)
    text = t(
        "form-reason-key",
        label=label(t, metric),
        fact=number(t, form.values[shortfall]),
        plan=number(t, plan[shortfall]),
    )
    buttons = [
        [
            _button(
                t("reason", reason=reason.value),
                form.kind,
                form.day,
                FormAction.REASON,
                reason.value,
            )
        ]
        for reason in Reason
    ]
    return text, InlineKeyboardMarkup(inline_keyboard=buttons)


def comment_question(t: Texts, form: Form) -> tuple[str, Markup]:
    button = _button(t("btn-no-comment"), form.kind, form.day, FormAction.NO_COMMENT)
    return t("form-comment"), InlineKeyboardMarkup(inline_keyboard=[[button]])


def card(
    t: Texts, form: Form, metrics: Sequence[Metric], plan: Values, pace: Pace | None = None
) -> tuple[str, Markup]:
    """The entry to confirm; a plan below what the month's target takes a day (`pace`, the
    manager's working-backwards pace) says so under its numbers."""
    infos = [metric_info(m) for m in metrics]
    under = set(below_norm(infos, form.values)) if form.kind is EntryKind.PLAN else set()
    title = "card-plan-title" if form.kind is EntryKind.PLAN else "card-fact-title"
    lines: list[str] = [t(title, day=day_title(t, form.day))]
    for metric in metrics:
        value = form.values.get(metric.key)
        if value is None:
            continue
        line: str
        if form.kind is EntryKind.PLAN:
            line = t("card-plan-line", label=label(t, metric), value=number(t, value))
            if metric.key in under and metric.daily_norm is not None:
                line += t("card-under-norm", norm=number(t, metric.daily_norm))
        else:
            planned = plan.get(metric.key)
            line = t(
                "card-fact-line",
                label=label(t, metric),
                fact=number(t, value),
                plan=number(t, planned) if planned is not None else "none",
            )
            share = percent(value, planned) if planned is not None else None
            if share is not None:
                line += t("card-percent", percent=share)
        lines.append(line)
    if form.kind is EntryKind.PLAN and pace is not None:
        lines += _pace_hint(t, form.values, metrics, pace)
    if form.reason is not None:
        reason = (
            form.reason_text
            if form.reason is Reason.OTHER and form.reason_text
            else t("reason", reason=form.reason.value)
        )
        lines.append(t("card-reason", reason=reason))
    if form.comment:
        lines.append(t("card-comment", comment=form.comment))
    buttons = [
        _button(t("btn-confirm"), form.kind, form.day, FormAction.CONFIRM),
        _button(t("btn-edit"), form.kind, form.day, FormAction.EDIT),
    ]
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=[buttons])


def _pace_hint(t: Texts, values: Values, metrics: Sequence[Metric], pace: Pace) -> list[str]:
    money_metric = next((m for m in metrics if m.kind == MetricKind.MONEY.value), None)
    gap = plan_gap(pace, values, money_metric.key if money_metric is not None else "")
    if gap is None or pace.money_per_day is None:
        return []
    labels = {m.key: label(t, m) for m in metrics if m.key in gap.activities}
    items = pace_items(t, labels, pace)
    return [
        "",
        t("card-pace", amount=money(t, pace.money_per_day), days=pace.days_left,
          items=Safe(items) if items else "none"),
    ]  # fmt: skip


# Problems listed in one answer at most: a message of a hundred bad numbers gets the first
# few (and "…"), not an answer longer than Telegram takes.
ERRORS_SHOWN = 10


def errors(t: Texts, problems: Sequence[EntryError], metrics: Sequence[Metric], sample: str) -> str:
    by_key = {m.key: m for m in metrics}
    lines = []
    for problem in problems[:ERRORS_SHOWN]:
        reason = problem.reason.value
        wording = t(
            "numbers-error",
            reason=reason,
            max=number(t, problem.limit) if problem.limit is not None else "",
            expected=problem.expected or 0,
            got=problem.got or 0,
        )
        metric = by_key.get(problem.key) if problem.key else None
        if metric is not None:
            fragment = problem.fragment[:60]
            lines.append(
                t("form-error-line", what=label(t, metric), fragment=fragment, problem=wording)
            )
        elif problem.fragment and problem.expected is None:
            lines.append(
                t("form-error-line-fragment", fragment=problem.fragment[:60], problem=wording)
            )
        else:
            lines.append(t("form-error-line-general", problem=wording))
    if len(problems) > ERRORS_SHOWN:
        lines.append("…")
    return t("form-errors", errors=Safe("\n".join(lines)), example=sample)


def pace_items(t: Texts, labels: dict[str, str], pace: Pace, *, limit: int = 3) -> str:
    """What the money still needed means in activity a day through the recent funnel ("Calls
    41 a day (usual 33), Meetings 3 a day (usual 2)"); empty without a funnel."""
    items = [
        t(
            "pace-item",
            label=labels.get(a.key, a.key),
            needed=number(t, a.needed_per_day.to_integral_value(ROUND_CEILING)),
            usual=number(t, a.usual_per_day.to_integral_value(ROUND_HALF_UP)),
        )
        for a in pace.activities
        if a.needed_per_day is not None and a.needed_per_day > 0 and a.key in labels
    ]
    return ", ".join(items[:limit])
