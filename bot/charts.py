"""Charts for the digest and the forecast, drawn headless into PNG bytes from plain data."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# matplotlib is imported when the first chart is drawn, not when the bot starts: it is a third
# of the bot's own memory, and a process that only takes answers and sends prompts never needs
# it. Figures are made with `Figure`, not pyplot: pyplot keeps global state, and the reports
# are drawn in worker threads so that the event loop keeps serving while a chart renders.


def _new_figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")  # no screen: never open a window, whatever the environment says
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


WIDTH, HEIGHT, DPI = 10.0, 7.0, 100  # 1000 x 700 px
PLAN_COLOR, FACT_COLOR, TARGET_COLOR, RANGE_COLOR = "#b0bec5", "#1e88e5", "#e53935", "#90caf9"


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    plan: Decimal
    fact: Decimal


@dataclass(frozen=True, slots=True)
class Cumulative:
    """Cumulative money fact by day, the month's target, and optionally a forecast range."""

    days: Sequence[date]
    fact: Sequence[Decimal]
    target: Decimal | None
    month_end: date
    forecast_low: Decimal | None = None
    forecast_high: Decimal | None = None
    forecast_point: Decimal | None = None


def _money(value: float, _position: object) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:.0f}k"
    return f"{value:.0f}"


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _x(day: date) -> float:
    from matplotlib.dates import date2num

    return float(date2num(day))  # type: ignore[no-untyped-call]


def _cumulative(axes: Axes, data: Cumulative, labels: dict[str, str]) -> None:
    days = [_x(day) for day in data.days]
    axes.plot(days, [float(v) for v in data.fact], color=FACT_COLOR, marker="o",
              markersize=3, label=labels["fact"])  # fmt: skip
    month_start = _x(data.month_end.replace(day=1))
    if data.target is not None:
        axes.plot([month_start, _x(data.month_end)], [0.0, float(data.target)],
                  color=TARGET_COLOR, linestyle="--", label=labels["target"])  # fmt: skip
    if data.forecast_low is not None and data.forecast_high is not None and days:
        last_day, last_fact, end = days[-1], float(data.fact[-1]), _x(data.month_end)
        axes.fill_between(
            [last_day, end], [last_fact, float(data.forecast_low)],
            [last_fact, float(data.forecast_high)], color=RANGE_COLOR, alpha=0.5,
            label=labels["range"],
        )  # fmt: skip
        if data.forecast_point is not None:
            axes.plot([last_day, end], [last_fact, float(data.forecast_point)],
                      color=FACT_COLOR, linestyle=":")  # fmt: skip
    from matplotlib.dates import DateFormatter
    from matplotlib.ticker import FuncFormatter

    axes.xaxis.set_major_formatter(DateFormatter("%d.%m"))  # type: ignore[no-untyped-call]
    axes.yaxis.set_major_formatter(FuncFormatter(_money))
    axes.set_title(labels["cumulative_title"])
    axes.legend(loc="upper left", fontsize=8)
    axes.grid(alpha=0.3)
    axes.tick_params(axis="x", labelrotation=30, labelsize=8)


MAX_BARS = 25


def digest_chart(bars: Sequence[Bar], month: Cumulative, labels: dict[str, str]) -> bytes:
    """Per-manager plan vs fact on the key metric, and the month's cumulative money vs target.

    A large team shows the MAX_BARS managers furthest under their plan: two hundred labelled
    bars cannot be read, and drawing them is what makes the chart slow."""
    if len(bars) > MAX_BARS:
        bars = sorted(bars, key=lambda bar: bar.fact - bar.plan)[:MAX_BARS]
    figure = _new_figure(WIDTH, HEIGHT)
    top, bottom = figure.subplots(2, 1)
    names = [bar.name[:18] for bar in bars]
    positions = range(len(bars))
    top.bar([p - 0.2 for p in positions], [float(b.plan) for b in bars], width=0.4,
            color=PLAN_COLOR, label=labels["plan"])  # fmt: skip
    top.bar([p + 0.2 for p in positions], [float(b.fact) for b in bars], width=0.4,
            color=FACT_COLOR, label=labels["fact"])  # fmt: skip
    top.set_xticks(list(positions), names, rotation=30 if len(bars) > 6 else 0, fontsize=8)
    top.set_title(labels["bars_title"])
    top.legend(fontsize=8)
    top.grid(axis="y", alpha=0.3)
    _cumulative(bottom, month, labels)
    figure.tight_layout()
    return _png(figure)


def forecast_chart(month: Cumulative, labels: dict[str, str]) -> bytes:
    """Cumulative fact against the target line, with the forecast range to month end."""
    figure = _new_figure(WIDTH, HEIGHT * 0.7)
    axes = figure.subplots()
    _cumulative(axes, month, labels)
    figure.tight_layout()
    return _png(figure)
