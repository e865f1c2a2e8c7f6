"""/export: the XLSX opens in a spreadsheet and its numbers are the database's."""

from __future__ import annotations

import csv
import io
from datetime import date

from aiogram.methods import SendDocument
from aiogram.types import BufferedInputFile
from openpyxl import load_workbook

from domain.daily import DateRangeError, parse_period
from tests.bot_client import Harness
from tests.scenarios import team_with_managers


def documents(harness: Harness, chat_id: int) -> list[tuple[str, bytes, str]]:
    """(filename, bytes, caption) of each file the bot sent to the chat."""
    sent = []
    for request in harness.bot.requests:
        if isinstance(request, SendDocument) and request.chat_id == chat_id:
            file = request.document
            assert isinstance(file, BufferedInputFile)
            sent.append((file.filename or "", file.data, request.caption or ""))
    return sent


def test_periods_in_the_past():
    today = date(2026, 11, 23)
    assert parse_period("01.10-31.10", today) == (date(2026, 10, 1), date(2026, 10, 31))
    assert parse_period("1.12 - 5.01", today) == (date(2025, 12, 1), date(2026, 1, 5))
    for bad in ("", "01.10", "01.12.2026-05.12.2026", "01.01.2025-31.12.2026", "31.10-01.10"):
        try:
            parse_period(bad, today)
        except DateRangeError:
            continue
        raise AssertionError(bad)


async def test_export_this_month_matches_what_was_entered(harness: Harness):
    head, [ivan, maria] = await team_with_managers(harness, "Иван", "Мария <b>")
    for person, numbers in ((ivan, "30 2 3 5 1 150000"), (maria, "20 1 2 4 0 75000,50")):
        await person.send("/plan")
        await person.send(numbers)
        await person.press("Подтвердить")
        await person.send("/report")
        await person.send(numbers)
        await person.press("Без комментария")
        await person.press("Подтвердить")
    await head.send("/export")
    await head.press("Этот месяц")
    (xlsx_name, xlsx, caption), (csv_name, csv_data, _) = documents(harness, head.user_id)
    assert xlsx_name.endswith(".xlsx") and csv_name.endswith(".csv")
    assert "менеджеров: 2" in caption

    book = load_workbook(io.BytesIO(xlsx))
    days, summary = book["По дням"], book["Итоги периода"]
    rows = list(days.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 12, "2 managers x 6 metrics"
    revenue = {(r[1], r[2]): (r[3], r[4]) for r in rows if r[2] == "Оплаты (₽)"}
    assert revenue[("Иван", "Оплаты (₽)")] == (150000, 150000)
    assert revenue[("Мария <b>", "Оплаты (₽)")] == (75000.5, 75000.5)
    header = [c.value for c in summary[1]]
    ivan_row = next(r for r in summary.iter_rows(min_row=2, values_only=True) if r[0] == "Иван")
    assert ivan_row[header.index("Звонки: Факт")] == 30

    text = csv_data.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert parsed[0] == ["Дата", "Менеджер", "Показатель", "План", "Факт"]
    assert ["2026-11-23", "Мария <b>", "Оплаты (₽)", "75000.50", "75000.50"] in parsed


async def test_managers_cannot_export(harness: Harness):
    _head, [ivan] = await team_with_managers(harness, "Иван")
    await ivan.send("/export")
    assert "доступна другой роли" in ivan.last.text
