"""Charts render headless to PNG of the expected size, and leave no figure open."""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import matplotlib.pyplot as plt

from bot.charts import Bar, Cumulative, digest_chart, forecast_chart

LABELS = {
    "plan": "План", "fact": "Факт", "target": "Цель", "range": "Прогноз",
    "bars_title": "Звонки", "cumulative_title": "Оплаты",
}  # fmt: skip


def size_of(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def month(days: int, target: Decimal | None = Decimal(2_000_000)) -> Cumulative:
    first = date(2026, 11, 1)
    return Cumulative(
        days=[first + timedelta(days=i) for i in range(days)],
        fact=[Decimal(50_000 * i) for i in range(days)],
        target=target,
        month_end=date(2026, 11, 30),
        forecast_low=Decimal(1_300_000), forecast_high=Decimal(1_700_000),
        forecast_point=Decimal(1_500_000),
    )  # fmt: skip


def test_digest_chart_png_and_no_figure_left_open():
    bars = [Bar(f"Менеджер <{i}>", Decimal(30), Decimal(i)) for i in range(60)]
    png = digest_chart(bars, month(23), LABELS)
    assert size_of(png) == (1000, 700)
    assert plt.get_fignums() == []


def test_forecast_chart_without_target_or_history():
    assert size_of(forecast_chart(month(0, target=None), LABELS)) == (1000, 490)
    assert size_of(forecast_chart(month(23), LABELS)) == (1000, 490)
    assert plt.get_fignums() == []


def _in_new_thread(draw: Callable[[], bytes]) -> bytes:
    """What a thread that has drawn nothing yet draws: figures are kept per thread."""
    out: list[bytes] = []
    thread = threading.Thread(target=lambda: out.append(draw()))
    thread.start()
    thread.join()
    return out[0]


def test_a_reused_figure_draws_what_a_fresh_one_does():
    """Figures are kept and redrawn with the next chart's data (the forecast's on a kept
    layer of what the month's charts share): the pixels must not depend on what came before."""
    small, big = month(10, target=Decimal(900_000)), month(23)
    first = forecast_chart(big, LABELS)
    other = forecast_chart(small, LABELS)
    assert forecast_chart(big, LABELS) == first
    assert _in_new_thread(lambda: forecast_chart(small, LABELS)) == other
    assert _in_new_thread(lambda: forecast_chart(big, LABELS)) == first
    bars = [Bar(f"M {i}", Decimal(30), Decimal(i)) for i in range(8)]
    many = [Bar(f"N {i}", Decimal(10), Decimal(3 * i)) for i in range(40)]
    digest = digest_chart(bars, big, LABELS)
    crowded = digest_chart(many, small, LABELS)
    assert digest_chart(bars, big, LABELS) == digest
    assert _in_new_thread(lambda: digest_chart(many, small, LABELS)) == crowded
    assert forecast_chart(month(0, target=None), LABELS) == _in_new_thread(
        lambda: forecast_chart(month(0, target=None), LABELS)
    )


def test_charts_drawn_in_processes_are_the_same():
    """A Monday of many forecasts draws the charts in processes (scheduler/jobs.py)."""
    from bot import charts

    bars = [Bar(f"M {i}", Decimal(30), Decimal(i)) for i in range(8)]
    here = forecast_chart(month(23), LABELS), digest_chart(bars, month(23), LABELS)
    charts.start_processes(1)
    try:
        there = forecast_chart(month(23), LABELS), digest_chart(bars, month(23), LABELS)
    finally:
        charts.stop_processes()
    assert there == here
