"""A period's plans and facts as a spreadsheet (XLSX) and as CSV, from a team's history."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

from bot import day_views
from bot.i18n import Texts
from bot.reports import team_target
from domain.daily import percent
from models import Member, Metric
from models.history import TeamHistory


def _people(t: Texts, history: TeamHistory) -> list[tuple[Member, str]]:
    """Everyone with a row: the managers, then those no longer managing here whose numbers
    are in the period (marked, as they still count in the team's totals). Names go into cells
    as plain text, never escaped."""
    return [(m, m.full_name) for m in history.managers] + [
        (m, f"{m.full_name} ({t('export-inactive')})") for m in history.former
    ]


def _rows(t: Texts, history: TeamHistory, first: date, last: date) -> Iterator[list[object]]:
    """One row per manager, day and metric that has a plan or a fact."""
    for member, name in _people(t, history):
        plans, facts = history.plans.get(member.id, {}), history.facts.get(member.id, {})
        day = first
        while day <= last:
            plan, fact = plans.get(day), facts.get(day)
            if plan is not None or fact is not None:
                for metric in history.metrics:
                    planned = (plan or {}).get(metric.key)
                    done = (fact or {}).get(metric.key)
                    if planned is None and done is None:
                        continue
                    yield [day, name, day_views.label(t, metric), planned, done]
            day += timedelta(days=1)


def _header(t: Texts) -> list[str]:
    return [t("export-col-day"), t("export-col-manager"), t("export-col-metric"),
            t("export-col-plan"), t("export-col-fact")]  # fmt: skip


def _number(value: object) -> object:
    """Whole numbers as int, others as float: what a spreadsheet shows without decimals."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def build_xlsx(t: Texts, history: TeamHistory, first: date, last: date) -> bytes:
    # Imported here: the spreadsheet library is needed only when someone exports.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    days = book.active
    assert days is not None
    days.title = t("export-sheet-days")[:31]
    days.append(_header(t))
    for entry in _rows(t, history, first, last):
        days.append([_number(value) for value in entry])
    for cell in days[1]:
        cell.font = Font(bold=True)
    for row in days.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "DD.MM.YYYY"
    days.freeze_panes = "A2"
    days.column_dimensions["A"].width = 12
    days.column_dimensions["B"].width = 28
    days.column_dimensions["C"].width = 18

    summary = book.create_sheet(t("export-sheet-summary")[:31])
    money = history.money_metric()
    header = [t("export-col-manager")]
    for metric in history.metrics:
        header += [f"{day_views.label(t, metric)}: {t('export-col-plan')}",
                   f"{day_views.label(t, metric)}: {t('export-col-fact')}"]  # fmt: skip
    header += [t("export-col-target"), t("export-col-completion")]
    summary.append(header)
    team: dict[str, list[Decimal]] = {m.key: [Decimal(0), Decimal(0)] for m in history.metrics}
    for member, name in _people(t, history):
        line: list[object] = [name]
        for metric in history.metrics:
            plan = _total(history.plans.get(member.id, {}), metric.key, first, last)
            fact = _total(history.facts.get(member.id, {}), metric.key, first, last)
            team[metric.key][0] += plan
            team[metric.key][1] += fact
            line += [_number(plan), _number(fact)]
        target = history.targets.get(member.id)
        line += _completion(_fact_of(history, member.id, money, first, last), target)
        summary.append(line)
    total_line: list[object] = [t("export-team-total")]
    for metric in history.metrics:
        total_line += [_number(team[metric.key][0]), _number(team[metric.key][1])]
    target = team_target(history)
    team_fact = team[money.key][1] if money is not None else None
    total_line += _completion(team_fact, target)
    summary.append(total_line)
    for cell in summary[summary.max_row]:
        cell.font = Font(bold=True)
    for cell in summary[1]:
        cell.font = Font(bold=True)
    summary.freeze_panes = "B2"
    summary.column_dimensions["A"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fact_of(
    history: TeamHistory, member_id: int, money: Metric | None, first: date, last: date
) -> Decimal | None:
    if money is None:
        return None
    return _total(history.facts.get(member_id, {}), money.key, first, last)


def _completion(fact: Decimal | None, target: Decimal | None) -> list[object]:
    """The target and the share of it done, for the summary's last two columns."""
    share = percent(fact, target) if fact is not None and target else None
    return [_number(target) if target is not None else None, share]


def _total(days: dict[date, dict[str, Decimal]], key: str, first: date, last: date) -> Decimal:
    return sum((v.get(key, Decimal(0)) for d, v in days.items() if first <= d <= last), Decimal(0))


def build_csv(t: Texts, history: TeamHistory, first: date, last: date) -> bytes:
    """The day sheet as CSV: UTF-8 with a BOM and semicolons, as Excel in Russia opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_header(t))
    for row in _rows(t, history, first, last):
        writer.writerow(["" if value is None else value for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
