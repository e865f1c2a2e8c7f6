"""Charts for the digest and the forecast, drawn headless into PNG bytes from plain data."""

from __future__ import annotations

import multiprocessing
import struct
import threading
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Polygon, Rectangle

# matplotlib is imported when the first chart is drawn, not when the bot starts: it is a third
# of the bot's own memory, and a process that only takes answers and sends prompts never needs
# it. Figures are made with `Figure`, not pyplot: pyplot keeps global state, and the reports
# are drawn in worker threads (or processes) so that the event loop keeps serving.
#
# A chart is mostly Python work in matplotlib (axes, ticks and text laid out afresh), not
# pixels. So each thread keeps its figures and draws the next chart of the same shape and
# language on them: only the data, the limits and the tick labels change. Margins are fixed
# (no tight_layout, which lays out every text twice) and the PNG is compressed lightly.

WIDTH, HEIGHT, DPI = 10.0, 7.0, 100  # 1000 x 700 px
PLAN_COLOR, FACT_COLOR, TARGET_COLOR, RANGE_COLOR = "#b0bec5", "#1e88e5", "#e53935", "#90caf9"
PNG_COMPRESSION = 1  # zlib level: 6 (the default) costs more than drawing the forecast
MAX_BARS = 25
FIGURES_PER_THREAD = 16  # a shape x a language x which lines there are


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

    @property
    def has_range(self) -> bool:
        return self.forecast_low is not None and self.forecast_high is not None


def _money(value: float, _position: object) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:.0f}k"
    return f"{value:.0f}"


def _x(day: date) -> float:
    # matplotlib's date numbers (days since 1970-01-01), without importing it for a subtraction
    return float(day.toordinal() - _EPOCH)


_EPOCH = date(1970, 1, 1).toordinal()


def _png(rgba: Any) -> bytes:
    """An RGBA buffer (height x width x 4) as a PNG: rows unfiltered (a chart is flat colour,
    which zlib packs well as it is) and lightly compressed. Pillow's encoder, as savefig uses
    it, tries five filters on every row and takes three times as long."""
    import numpy

    pixels = numpy.asarray(rgba)
    height, width = pixels.shape[:2]
    rows = numpy.empty((height, 1 + 4 * width), dtype=numpy.uint8)
    rows[:, 0] = 0  # each row's filter: none
    rows[:, 1:] = pixels.reshape(height, 4 * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        chunk(b"IHDR", header),
        chunk(b"IDAT", zlib.compress(rows.tobytes(), PNG_COMPRESSION)),
        chunk(b"IEND", b""),
    ))  # fmt: skip


class _Canvas:
    """A figure kept for the next chart of its kind, and its PNG encoder."""

    def __init__(self, width: float, height: float) -> None:
        import matplotlib

        matplotlib.use("Agg")  # no screen: never open a window, whatever the environment says
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure: Figure = Figure(figsize=(width, height), dpi=DPI)
        self.canvas: Any = FigureCanvasAgg(self.figure)  # its methods are not annotated

    def png(self) -> bytes:
        self.canvas.draw()
        return _png(self.canvas.buffer_rgba())


def _fixed_texts(axes: Axes, title: str) -> None:
    """The title where it always is (above the axes: nothing is drawn on top), and no room
    looked for axis labels that there are none of: matplotlib otherwise measures every tick
    label again on each draw to place them."""
    axes.set_title(title, y=1.0)
    axes.xaxis.set_label_coords(0.5, -0.1)
    axes.yaxis.set_label_coords(-0.1, 0.5)


class _CumulativeAxes:
    """Cumulative fact, the target line, the forecast range and its point, on one axes."""

    def __init__(self, axes: Axes, labels: dict[str, str], target: bool, range_: bool) -> None:
        from matplotlib.dates import DateFormatter
        from matplotlib.patches import Polygon
        from matplotlib.ticker import FuncFormatter

        self.axes = axes
        (self.fact,) = axes.plot([], [], color=FACT_COLOR, marker="o", markersize=3,
                                 label=labels["fact"])  # fmt: skip
        self.target: Line2D | None = None
        self.range: Polygon | None = None
        self.point: Line2D | None = None
        if target:
            (self.target,) = axes.plot([], [], color=TARGET_COLOR, linestyle="--",
                                       label=labels["target"])  # fmt: skip
        if range_:
            self.range = Polygon([[0, 0]], closed=True, color=RANGE_COLOR, alpha=0.5,
                                 label=labels["range"])  # fmt: skip
            axes.add_patch(self.range)
            (self.point,) = axes.plot([], [], color=FACT_COLOR, linestyle=":")
        axes.xaxis.set_major_formatter(DateFormatter("%d.%m"))  # type: ignore[no-untyped-call]
        axes.yaxis.set_major_formatter(FuncFormatter(_money))
        _fixed_texts(axes, labels["cumulative_title"])
        axes.legend(loc="upper left", fontsize=8)
        axes.grid(alpha=0.3)
        axes.tick_params(axis="x", labelrotation=30, labelsize=8)

    def show(self, data: Cumulative) -> None:
        days = [_x(day) for day in data.days]
        self.fact.set_data(days, [float(v) for v in data.fact])
        end = _x(data.month_end)
        if self.target is not None and data.target is not None:
            self.target.set_data([_x(data.month_end.replace(day=1)), end],
                                 [0.0, float(data.target)])  # fmt: skip
        shown = bool(days) and data.forecast_low is not None and data.forecast_high is not None
        if self.range is not None and self.point is not None:
            self.range.set_visible(shown)
            self.point.set_visible(shown and data.forecast_point is not None)
            if shown:
                last_day, last = days[-1], float(data.fact[-1])
                low, high = float(data.forecast_low or 0), float(data.forecast_high or 0)
                self.range.set_xy([[last_day, last], [end, low], [end, high], [last_day, last]])
                self.point.set_data([last_day, end], [last, float(data.forecast_point or 0)])
        self.axes.relim(visible_only=True)
        self.axes.autoscale_view()


class _ForecastChart(_Canvas):
    """Drawn in two layers. What every team's forecast of a month shares (the title, the
    frame, the dates along the bottom and their grid) is drawn once and kept as pixels; each
    chart restores them and draws only its own: the range, the money axis with its grid and
    the lines. The legend is in the shared layer too, under the lines: in its corner (upper
    left) a month's cumulative lines are still near zero. The shared layer is drawn again
    whenever the dates change (another month, or a chart without a target or range, scaled to
    its data)."""

    def __init__(self, labels: dict[str, str], target: bool, range_: bool) -> None:
        super().__init__(WIDTH, HEIGHT * 0.7)
        self.figure.subplots_adjust(left=0.07, right=0.985, top=0.93, bottom=0.1)
        self.month = _CumulativeAxes(self.figure.subplots(), labels, target, range_)
        own = [self.month.range, self.month.axes.yaxis, self.month.fact, self.month.target,
               self.month.point]  # fmt: skip
        self.own: list[Any] = [artist for artist in own if artist is not None]
        for artist in self.own:
            artist.set_animated(True)  # left out of canvas.draw(): drawn below, per chart
        self.shared: Any = None
        self.dates: tuple[float, float] | None = None

    def draw(self, month: Cumulative) -> bytes:
        self.month.show(month)
        axes = self.month.axes
        dates = axes.get_xlim()
        if self.shared is None or dates != self.dates:
            self.canvas.draw()
            self.shared, self.dates = self.canvas.copy_from_bbox(self.figure.bbox), dates
        else:
            self.canvas.restore_region(self.shared)
        for artist in self.own:
            axes.draw_artist(artist)
        return _png(self.canvas.buffer_rgba())


class _DigestChart(_Canvas):
    def __init__(self, labels: dict[str, str], target: bool, range_: bool) -> None:
        super().__init__(WIDTH, HEIGHT)
        self.figure.subplots_adjust(left=0.07, right=0.985, top=0.955, bottom=0.07, hspace=0.42)
        top, bottom = self.figure.subplots(2, 1)
        self.top = top
        self.plans: list[Rectangle] = list(
            top.bar(
                [p - 0.2 for p in range(MAX_BARS)],
                [0.0] * MAX_BARS,
                width=0.4,
                color=PLAN_COLOR,
                label=labels["plan"],
            )
        )
        self.facts: list[Rectangle] = list(
            top.bar(
                [p + 0.2 for p in range(MAX_BARS)],
                [0.0] * MAX_BARS,
                width=0.4,
                color=FACT_COLOR,
                label=labels["fact"],
            )
        )
        _fixed_texts(top, labels["bars_title"])
        top.legend(fontsize=8)
        top.grid(axis="y", alpha=0.3)
        self.month = _CumulativeAxes(bottom, labels, target, range_)

    def draw(self, bars: Sequence[Bar], month: Cumulative) -> bytes:
        for number, (plan, fact) in enumerate(zip(self.plans, self.facts, strict=True)):
            shown = number < len(bars)
            plan.set_visible(shown)
            fact.set_visible(shown)
            if shown:
                plan.set_height(float(bars[number].plan))
                fact.set_height(float(bars[number].fact))
        self.top.relim(visible_only=True)
        self.top.autoscale_view()
        self.top.set_xticks(range(len(bars)), [bar.name[:18] for bar in bars],
                            rotation=30 if len(bars) > 6 else 0, fontsize=8)  # fmt: skip
        self.month.show(month)
        return self.png()


_figures = threading.local()


def _chart(kind: type[Any], labels: dict[str, str], month: Cumulative) -> Any:
    """This thread's figure for a chart of this kind, language and set of lines."""
    cache: dict[tuple[Any, ...], Any] = _figures.__dict__.setdefault("cache", {})
    key = (kind, tuple(sorted(labels.items())), month.target is not None, month.has_range)
    chart = cache.get(key)
    if chart is None:
        if len(cache) >= FIGURES_PER_THREAD:
            cache.clear()
        chart = cache[key] = kind(labels, month.target is not None, month.has_range)
    return chart


def _draw_digest(bars: Sequence[Bar], month: Cumulative, labels: dict[str, str]) -> bytes:
    chart: _DigestChart = _chart(_DigestChart, labels, month)
    return chart.draw(bars, month)


def _draw_forecast(month: Cumulative, labels: dict[str, str]) -> bytes:
    chart: _ForecastChart = _chart(_ForecastChart, labels, month)
    return chart.draw(month)


# Chart processes: drawing is pure Python in matplotlib and holds the GIL, so threads draw one
# chart at a time, whatever the cores. A tick with many reports to build (the Monday
# forecasts of hundreds of teams) starts a few processes that draw while the bot's own process
# computes the texts and sends; they then stay for later ticks. They import matplotlib only.
_processes: ProcessPoolExecutor | None = None
_processes_lock = threading.Lock()


def _warm_up() -> None:
    _Canvas(1.0, 1.0)  # import matplotlib before the first chart is asked for


def start_processes(count: int) -> None:
    """From now on draw the charts in `count` processes (started once; 0: in the caller's
    thread, as before). The caller waits for its chart as it would for drawing it."""
    global _processes
    with _processes_lock:
        if _processes is None and count > 0:
            context = multiprocessing.get_context("spawn")  # no fork of a threaded process
            _processes = ProcessPoolExecutor(count, mp_context=context, initializer=_warm_up)


def stop_processes() -> None:
    global _processes
    with _processes_lock:
        pool, _processes = _processes, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _drawn(draw: Callable[..., bytes], *args: Any) -> bytes:
    pool = _processes
    if pool is None:
        return draw(*args)
    return pool.submit(draw, *args).result()


def digest_chart(bars: Sequence[Bar], month: Cumulative, labels: dict[str, str]) -> bytes:
    """Per-manager plan vs fact on the key metric, and the month's cumulative money vs target.

    A large team shows the MAX_BARS managers furthest under their plan: two hundred labelled
    bars cannot be read, and drawing them is what makes the chart slow."""
    if len(bars) > MAX_BARS:
        bars = sorted(bars, key=lambda bar: bar.fact - bar.plan)[:MAX_BARS]
    return _drawn(_draw_digest, list(bars), month, labels)


def forecast_chart(month: Cumulative, labels: dict[str, str]) -> bytes:
    """Cumulative fact against the target line, with the forecast range to month end."""
    return _drawn(_draw_forecast, month, labels)
