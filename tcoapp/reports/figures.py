"""The figures of a report, drawn onto a given :class:`matplotlib.figure.Figure`.

One figure builder for every place a chart appears: the GUI hosts these
functions in a ``FigureCanvasQTAgg`` (and redraws with ``draw_idle()``), the
exports render the same functions through Agg with :func:`render`. Nothing here
touches pyplot, so no global figure state leaks.

Each ``draw_*`` function clears the figure and draws into it; ``report`` is the
``tcoapp-report`` document of :func:`tcoapp.reports.report.build_report`. The four
report charts are :class:`ReportChart` classes underneath: ``build`` is the draw,
``update`` moves the artists of a built chart to a new report of the same shape, so
a live view follows edits without rebuilding the figure, and draws the same pixels.

>>> from matplotlib.figure import Figure
>>> fig = Figure()
>>> report = {"currency": "USD", "months": ["2026-01", "2026-02"], "summary": {"crossover_month": None},
...           "series": {k: [1.0, 2.0] for k in ("training", "inference", "chips", "training_compute",
...           "training_fixed", "inference_compute", "inference_energy", "inference_facility", "inference_ops")},
...           "yearly": {}}
>>> draw_cumulative(fig, report).get_title()
'Cumulative training and inference cost'
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Callable

from .tables import COST_CATEGORIES, SERIES_LABELS

#: Colours: training in blues, inference in warm colours (colour-blind safe order).
COLORS = {
    "training_compute": "#1f4e79",
    "training_fixed": "#6fa8dc",
    "inference_compute": "#e69f00",
    "inference_energy": "#d55e00",
    "inference_facility": "#cc79a7",
    "inference_ops": "#999999",
    "training": "#1f4e79",
    "inference": "#e69f00",
    "chips": "#009e73",
    "low": "#0072b2",
    "high": "#d55e00",
    "crossover": "#c00000",
    "band": "#595959",
}

_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def money_text(value: float, currency: str) -> str:
    """A short money label for axes: ``USD 12M``, ``EUR 1.5B``, ``USD 350k``.

    >>> money_text(12_000_000, "USD"), money_text(1.5e9, "EUR"), money_text(-350_000, "USD"), money_text(0, "USD")
    ('USD 12M', 'EUR 1.5B', 'USD -350k', 'USD 0')
    >>> money_text(1.5e-05, "USD"), money_text(-1e-13, "USD"), money_text(2.5e15, "USD")
    ('USD 0.000015', 'USD 0', 'USD 2,500T')
    """
    magnitude = abs(value)
    for factor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= factor:
            return f"{currency} {plain_number(value / factor, 3)}{suffix}"
    return f"{currency} {plain_number(value, 3)}"


def number_text(value: float) -> str:
    """A short label for an input value: ``5M``, ``20k``, ``0.35``, ``1,200``.

    >>> number_text(5e6), number_text(20000), number_text(0.35), number_text(1200), number_text(2e-05)
    ('5M', '20k', '0.35', '1,200', '0.00002')
    """
    value = float(value)
    magnitude = abs(value)
    for factor, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e4, "k")):
        if magnitude >= factor:
            return f"{plain_number(value / factor, 3)}{suffix}" if suffix != "k" else \
                f"{plain_number(value / 1e3, 4)}k"
    return plain_number(value, 4)


def plain_number(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant digits in plain decimals: never ``1.5e-05`` nor ``-0``.

    >>> plain_number(12.0), plain_number(0.000654), plain_number(1234.5), plain_number(-0.0004, 1), plain_number(-1e-13)
    ('12', '0.000654', '1,234', '-0.0004', '0')
    """
    value = float(value)
    size = abs(value)
    if size == 0 or not math.isfinite(value):
        return "0" if size == 0 else str(value)
    if size >= 10 ** digits:
        text = f"{value:,.0f}"
    else:
        decimals = min(15, max(0, digits - 1 - math.floor(math.log10(size))))
        text = f"{value:,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if size < 1e-12:  # a rounding residue, not an amount
            text = "0"
    return "0" if not text.strip("-0.,") else text


def input_text(path: str, value: float, currency: str | None = None) -> str:
    """An input's value in its field's unit, for a tornado label: a share or a yearly rate as a
    percentage, an amount of money with the scenario's currency, a FLOP count in powers of ten
    (as the number box shows it), anything else as :func:`number_text`.

    ``path`` is a scenario field (a programme's ``workload/field`` too).

    >>> input_text("inference.target_utilization", 0.48), input_text("inference.annual_growth", -0.2)
    ('48 %', '-20 %')
    >>> input_text("inference.ops_cost_per_month", 25_000, "USD"), input_text("Bot/facility.pue", 1.3)
    ('USD 25k', '1.3')
    >>> input_text("training.compute_flops", 3.15e24)
    '3.15e24 FLOP'
    """
    from tcoapp.scenario.schema import numeric_field_paths

    field = numeric_field_paths().get(path.rpartition("/")[2])
    value = float(value)
    if field is not None and field.percent:
        return f"{plain_number(100 * value, 4)} %"
    if field is not None and field.money and currency:
        return money_text(value, currency)
    if field is not None and field.unit == "FLOP" and abs(value) >= 1e15:
        mantissa, _, exponent = f"{value:.3g}".partition("e")
        return f"{mantissa}e{int(exponent)} FLOP"
    return number_text(value)


def month_text(label: str) -> str:
    """``"2027-03"`` as ``"Mar 2027"``.

    >>> month_text("2027-03")
    'Mar 2027'
    """
    year, month = label.split("-")
    return f"{_MONTH_NAMES[int(month) - 1]} {year}"


def _money_axis(axis, currency: str) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda value, _pos: money_text(value, currency)))


def _value_ticks(axis, integer: bool = False) -> None:
    """At most five steps up a chart's value axis: readable on a small panel, and few labels
    to draw again when an edit rescales it."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integer))


def _month_axis(ax, months: list[str]) -> None:
    """Calendar labels on a month-index x axis: every January (every 2nd or 4th year on long horizons)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    count = len(months)
    years = max(1, count // 12)
    step = 12 if years <= 8 else 24 if years <= 16 else 48
    first_january = next((i for i, label in enumerate(months) if label.endswith("-01")), 0)
    ticks = list(range(first_january, count, step)) or [0]
    if count > 1 and (years <= 2):
        ticks = list(range(0, count, 3))
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: month_text(months[int(round(value))]) if 0 <= round(value) < count else ""))
    ax.set_xlim(-0.5, count - 0.5)
    ax.set_xlabel("Month")


def _legend(ax, ncols: int | None = None):
    """The legend of a report chart, in a row (or two) under the plot.

    Outside the plot it never hides data nor hides behind it, wherever the data goes; and it
    stays put while the data changes, so a view can keep it rendered (see ReportChart).
    """
    from matplotlib import rcParams

    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    if ncols is None:
        ncols = len(handles) if len(handles) <= 3 else (len(handles) + 1) // 2
    return ax.figure.legend(handles, labels, loc="outside lower center", ncols=ncols, fontsize="small",
                            frameon=False, columnspacing=1.2, handlelength=1.5,
                            labelcolor=rcParams["axes.labelcolor"])


def _fit_to_width(ax) -> None:
    """On a narrow figure (a small chart panel) keep the texts around the plot on the figure and
    apart: the title and the x label on two lines, fewer x tick labels when they would touch, the
    legend in fewer columns (two at least, or it would squeeze the plot)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    fig = ax.figure
    try:
        renderer = fig.canvas.get_renderer()
    except (AttributeError, TypeError):  # a canvas that cannot measure: leave the texts be
        return
    width = fig.bbox.width - 2 * renderer.points_to_pixels(4.0)
    for label, brk in ((ax.xaxis.label, " ("), (ax.title, None)):
        text = label.get_text()
        first, _, rest = text.partition("\n")
        if not first or label.get_window_extent(renderer).width <= width:
            continue
        if brk is None:  # break the first line at its middle space
            spaces = [i for i, c in enumerate(first) if c == " "]
            if not spaces:
                continue
            cut = min(spaces, key=lambda i: abs(i - len(first) / 2))
            first = first[:cut] + "\n" + first[cut + 1:]
        elif brk in first:
            first = first.replace(brk, "\n(", 1)
        label.set_text(first + ("\n" + rest if rest else ""))
    locator = ax.xaxis.get_major_locator()
    # the month axes (calendar labels from the tick's value; a fixed list of labels would shift)
    if isinstance(locator, FixedLocator) and isinstance(ax.xaxis.get_major_formatter(), FuncFormatter) \
            and len(locator.locs) > 2:
        ticks = list(locator.locs)
        texts = ax.xaxis.get_major_formatter().format_ticks(ticks)
        prop = ax.xaxis.get_major_ticks()[0].label1.get_fontproperties()
        widest = max(renderer.get_text_width_height_descent(line, prop, ismath=False)[0]
                     for t in texts for line in t.split("\n"))
        room = 0.8 * width  # about what the plot gets of the figure's width
        while len(ticks) > 2 and len(ticks) * widest * 1.25 > room:
            ticks = ticks[::2]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
    for legend in list(fig.legends):
        columns = legend._ncols
        fewest = 2 if len(legend.get_texts()) > 3 else 1
        while columns > fewest and legend.get_window_extent(renderer).width > width:
            columns -= 1
            legend.remove()
            legend = _legend(ax, ncols=columns)


def _values(series) -> list[float]:
    return [math.nan if v is None else float(v) for v in series]


def _fresh_axes(fig):
    fig.clear()
    fig.set_layout_engine("constrained")
    ax = fig.add_subplot()
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    return ax


_NICE_STEPS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_top(peak: float) -> float:
    """The top of a value axis starting at zero, for data peaking at ``peak``.

    The next of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) at or above
    ``peak`` plus 2 %, so the data fills 78 to 98 % of the height. A small edit rarely moves
    it, which keeps the axis, its ticks and labels still while the data moves.

    >>> nice_top(0), nice_top(9.9), nice_top(38e6), nice_top(1), nice_top(360)
    (1.0, 12.0, 40000000.0, 1.2, 400.0)
    """
    peak = float(peak) * 1.02
    if not math.isfinite(peak) or peak <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(peak))
    return next(float(f"{step * power:.6g}") for step in _NICE_STEPS if step * power >= peak * (1 - 1e-12))


class ReportChart:
    """One report chart that can follow new data without being rebuilt.

    :meth:`build` draws the chart from scratch onto a figure (exports, and the
    GUI's first draw); :meth:`update` moves the existing artists to another
    report of the same shape (same months, currency and series present) and
    returns False when the shape differs, so the caller builds instead. After
    an update the figure draws exactly as a fresh build of that report does:
    both go through :meth:`_apply`.
    """

    def __init__(self) -> None:
        self.figure = None
        self.ax = None
        self._shape: tuple | None = None

    def shape(self, report: dict) -> tuple:
        """What fixes the chart's artists, labels and legend (a different shape needs a build)."""
        return (report["currency"], tuple(report["months"]), report.get("basis_view"))

    def build(self, fig, report: dict):
        """Clear ``fig`` and draw the chart of ``report`` on it. Returns the axes."""
        self.figure = fig
        self.ax = _fresh_axes(fig)
        self._shape = self.shape(report)
        self._report = report
        self._create(self.ax, report)
        _fit_to_width(self.ax)
        self._apply(report)
        return self.ax

    def update(self, report: dict) -> bool:
        """Show ``report`` with the artists already drawn; False if it needs a :meth:`build`."""
        if self.ax is None or self.ax not in self.figure.axes or self.shape(report) != self._shape:
            return False
        self._report = report
        self._apply(report)
        self.ax.stale = True
        return True

    def moving_artists(self) -> list:
        """The artists :meth:`update` changes (besides the y limits)."""
        raise NotImplementedError

    def widest_value_label(self) -> str:
        """A y tick label at least as wide as any the y axis can show with the current limits.

        A view can lay the figure out for this width once, instead of again whenever an
        edit changes the y labels (money labels have at most three digits and a point).
        """
        return f"{self._shape[0]} 88.8M"

    def foreground_artists(self) -> list:
        """The moving artists and every artist drawn over them inside the axes, in drawing order.

        Everything else (axes background, grid, ticks, labels, titles) stays the same
        on an update while the y limits stay the same, so a GUI can keep it as a
        rendered background and redraw only these, in this order, on top of it.
        """
        from matplotlib.text import Text

        ax = self.ax
        moving = self.moving_artists()
        if not moving:
            return []
        lowest = min(artist.get_zorder() for artist in moving)
        children = ax.get_children()
        texts = set(ax.texts)
        # the titles sit above the axes, the axes patch and axes below everything
        outside = {ax.patch, ax.xaxis, ax.yaxis} | {a for a in children if isinstance(a, Text) and a not in texts}
        # the same stable zorder sort as Axes.draw, so the drawing order is the same
        return [artist for artist in sorted(children, key=lambda a: a.get_zorder())
                if artist.get_zorder() >= lowest and artist not in outside]

    def _create(self, ax, report: dict) -> None:
        raise NotImplementedError

    def _apply(self, report: dict) -> None:
        raise NotImplementedError

    def hover(self, x: float) -> dict | None:
        """What the chart shows at ``x`` (data coordinates) for a hover read-out, or None off the data.

        ``{"title": "Mar 2027", "x": 14, "rows": [(label, value, kind, colour), ...]}`` where kind
        is ``"money"`` (in ``report["currency"]``) or ``"count"``; the values are the plotted ones.
        """
        report = getattr(self, "_report", None)
        if report is None or x is None or not math.isfinite(x):
            return None
        index = int(round(x))
        if not 0 <= index < self._hover_count(report):
            return None
        return {"title": self._hover_title(report, index), "x": index, "currency": report["currency"],
                "rows": self._hover_rows(report, index)}

    def _hover_count(self, report: dict) -> int:
        return len(report["months"])

    def _hover_title(self, report: dict, index: int) -> str:
        return month_text(report["months"][index])

    def _hover_rows(self, report: dict, index: int) -> list[tuple[str, float, str, str]]:
        return []


def _title(ax, title: str, report: dict) -> None:
    """The chart's title; under it the basis the costs are on, when the report names it
    (``report["basis_view"]``: the GUI's cash / accrual display toggle)."""
    basis = report.get("basis_view")
    ax.set_title(f"{title}\n{basis}" if basis else title)
    if basis and ax.get_xlabel() == "Month":
        # a live view's second title line takes the room of the x label, which the calendar
        # tick labels ("Jan 2027") make redundant there
        ax.set_xlabel("")


class MonthlyCostChart(ReportChart):
    """Monthly cost stacked by category: one filled staircase per category present."""

    def _categories(self, report: dict) -> list[tuple[str, list[float]]]:
        out = []
        for key in COST_CATEGORIES:
            values = [0.0 if math.isnan(v) else v for v in _values(report["series"][key])]
            if any(values):
                out.append((key, values))
        return out

    def shape(self, report: dict) -> tuple:
        return super().shape(report) + (tuple(key for key, _ in self._categories(report)),)

    def _create(self, ax, report: dict) -> None:
        cur = report["currency"]
        months = report["months"]
        self._edges = [i - 0.5 for i in range(len(months) + 1)]
        zeros = [0.0] * len(months)
        # one filled staircase per category draws like stacked monthly bars, far faster than 12*years bars
        self._stairs = [ax.stairs(zeros, self._edges, baseline=zeros, fill=True, color=COLORS[key],
                                  label=SERIES_LABELS[key][0], linewidth=0)
                        for key, _ in self._categories(report)]
        _month_axis(ax, months)
        _money_axis(ax.yaxis, cur)
        _value_ticks(ax.yaxis)
        ax.set_ylabel(f"Cost per month ({cur})")
        _title(ax, "Monthly cost by category", report)
        _legend(ax)

    def _apply(self, report: dict) -> None:
        bottom = [0.0] * len(report["months"])
        for stairs, (_key, values) in zip(self._stairs, self._categories(report)):
            top = [b + v for b, v in zip(bottom, values)]
            stairs.set_data(top, self._edges, baseline=bottom)
            bottom = top
        self.ax.set_ylim(0, nice_top(max(bottom, default=0.0)))

    def moving_artists(self) -> list:
        return list(self._stairs)

    def _hover_rows(self, report: dict, index: int) -> list:
        categories = self._categories(report)
        rows = [(SERIES_LABELS[key][0], values[index], "money", COLORS[key]) for key, values in categories
                if values[index]]  # the categories of this month (top of the stack first), then the total
        return list(reversed(rows)) + [("Total", sum(values[index] for _key, values in categories), "money", "")]


def _cumulative(values: list[float]) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += 0.0 if math.isnan(v) else v
        out.append(total)
    return out


def _crossover(report: dict) -> int | None:
    crossover = report["summary"].get("crossover_month")
    if crossover is None or not math.isfinite(float(crossover)):
        return None
    return int(crossover) if 0 <= int(crossover) < len(report["months"]) else None


class CrossoverLabel:
    """Places the crossover's label when it is drawn: beside the point, clear of the curves,
    and never outside the axes.

    (Issue 5: with a fixed offset below the point, an early crossover put the label on the
    x-axis month labels.) Before the crossover both cumulative curves lie below the point and
    after it above, so below-right and above-left of the point are the natural free corners;
    then the other corners, then places beside the dashed line, nearest the point first; then
    the same on two lines. If nothing is free the label goes below-right, shifted into the
    axes. The place depends on the drawn size of the axes, so it is worked out on every draw,
    the same way for a fresh figure and an updated one.
    """

    def __init__(self, annotation, avoid: list) -> None:
        self.annotation = annotation
        self.avoid = avoid
        self.texts: tuple[str, ...] = ("",)

    def set_month(self, month: str) -> None:
        self.texts = (f"Inference overtakes training: {month}", f"Inference overtakes\ntraining: {month}")
        self.annotation.set_text(self.texts[0])

    def place(self, renderer) -> None:
        from matplotlib.transforms import Bbox

        label = self.annotation
        ax = label.axes
        px, py = ax.transData.transform(label.xy)
        frame = ax.bbox
        pad = renderer.points_to_pixels(5.0)
        margin = pad / 2
        paths = [line.get_transform().transform_path(line.get_path()) for line in self.avoid
                 if line.get_visible()]

        def free(x0: float, y0: float, width: float, height: float) -> bool:
            if x0 < frame.x0 + margin or y0 < frame.y0 + margin or x0 + width > frame.x1 - margin \
                    or y0 + height > frame.y1 - margin:
                return False
            box = Bbox.from_bounds(x0, y0, width, height)
            return not any(path.intersects_bbox(box, filled=False) for path in paths)

        chosen = None
        for text in self.texts:
            label.set_text(text)
            label.set_position((0, 0))
            extent = label.get_window_extent(renderer)
            width, height = extent.width, extent.height
            right, left = px + pad, px - pad - width
            candidates = [(right, py - pad - height), (left, py + pad), (right, py + pad), (left, py - pad - height)]
            step = max(height / 3, 1.0)
            rows = [frame.y0 + margin + i * step for i in range(int((frame.height - height) / step) + 1)]
            for y0 in sorted(rows, key=lambda y: abs(y + height / 2 - py)):
                candidates += [(right, y0), (left, y0)]
            chosen = next((c for c in candidates if free(*c, width, height)), None)
            if chosen is not None:
                break
        if chosen is None:
            label.set_text(self.texts[0])
            extent = label.get_window_extent(renderer)
            if extent.width > frame.width - 2 * margin:  # too wide for the plot on one line: two
                label.set_text(self.texts[-1])
                extent = label.get_window_extent(renderer)
            width, height = extent.width, extent.height
            chosen = (px + pad, py - pad - height)
        x0, y0 = chosen
        # clamped: the label never leaves the axes, even when nothing is free
        x0 = max(min(x0, frame.x1 - margin - width), frame.x0 + margin)
        y0 = max(min(y0, frame.y1 - margin - height), frame.y0 + margin)
        points = renderer.points_to_pixels(1.0)
        label.set_position(((x0 - px) / points, (y0 - py) / points))


@functools.cache
def _annotation_class():
    from matplotlib.text import Annotation

    class PlacedAnnotation(Annotation):
        """An annotation whose ``placer`` positions it at draw time."""

        placer: CrossoverLabel | None = None

        def draw(self, renderer):
            if self.placer is not None and self.get_visible():
                self.placer.place(renderer)
            super().draw(renderer)

    return PlacedAnnotation


def _band(report: dict) -> dict | None:
    """The optional uncertainty fan of cumulative total cost: ``{"p10", "p50", "p90"}``, one value a month."""
    band = report.get("band")
    if not band or not all(band.get(k) is not None and len(band[k]) == len(report["months"])
                           for k in ("p10", "p50", "p90")):
        return None
    return band


class CumulativeChart(ReportChart):
    """Cumulative training against cumulative inference cost, the crossover marked and labelled.

    When the report carries ``report["band"]`` (percentiles of cumulative total cost from a
    Monte Carlo, as the overview adds it) a fan is drawn too: P10-P90 shaded, P50 dashed.
    Reports without it (every export) draw exactly as before.
    """

    def shape(self, report: dict) -> tuple:
        return super().shape(report) + (_crossover(report) is None, _band(report) is None)

    def _create(self, ax, report: dict) -> None:
        cur = report["currency"]
        months = report["months"]
        self._x = list(range(len(months)))
        (self._training,) = ax.plot([], [], color=COLORS["training"], linewidth=2, label="Training, cumulative")
        (self._inference,) = ax.plot([], [], color=COLORS["inference"], linewidth=2,
                                     label="Inference, cumulative")
        self._crossover_artists: list = []
        self._band_artists: list = []
        if _band(report) is not None:
            (self._band_fill,) = ax.fill([0], [0], color=COLORS["band"], alpha=0.18, linewidth=0,
                                         label="Total, P10-P90")
            (self._band_mid,) = ax.plot([], [], color=COLORS["band"], linewidth=1.2, linestyle="--",
                                        label="Total, P50")
            self._band_artists = [self._band_fill, self._band_mid]
        if _crossover(report) is not None:
            self._crossover_line = ax.axvline(0, color=COLORS["crossover"], linestyle="--", linewidth=1)
            (self._crossover_point,) = ax.plot([0], [0], "o", color=COLORS["crossover"])
            label = _annotation_class()("", xy=(0, 0), xytext=(0, 0), textcoords="offset points",
                                        color=COLORS["crossover"], fontsize="small", ha="left", va="bottom")
            label.placer = CrossoverLabel(label, [self._training, self._inference, *self._band_artists[1:]])
            label.set_in_layout(False)  # placed inside the axes when drawn
            ax.add_artist(label)
            self._crossover_label = label
            self._crossover_artists = [self._crossover_line, self._crossover_point, label]
        else:
            ax.text(0.98, 0.04, "Inference does not overtake training within the horizon", transform=ax.transAxes,
                    ha="right", fontsize="small", color="#595959")
        _month_axis(ax, months)
        _money_axis(ax.yaxis, cur)
        _value_ticks(ax.yaxis)
        ax.set_ylabel(f"Cumulative cost ({cur})")
        _title(ax, "Cumulative training and inference cost", report)
        _legend(ax)

    def _apply(self, report: dict) -> None:
        training = _cumulative(_values(report["series"]["training"]))
        inference = _cumulative(_values(report["series"]["inference"]))
        self._training.set_data(self._x, training)
        self._inference.set_data(self._x, inference)
        m = _crossover(report)
        if m is not None:
            self._crossover_line.set_xdata([m, m])
            self._crossover_point.set_data([m], [inference[m]])
            self._crossover_label.xy = (m, inference[m])
            self._crossover_label.placer.set_month(month_text(report["months"][m]))
        peak = max(training + inference, default=0.0)
        band = _band(report)
        if band is not None:
            low, mid, high = (_values(band[k]) for k in ("p10", "p50", "p90"))
            self._band_fill.set_xy(list(zip(self._x + self._x[::-1], low + high[::-1])))
            self._band_mid.set_data(self._x, mid)
            peak = max([peak, *(v for v in high if not math.isnan(v))])
        self.ax.set_ylim(0, nice_top(peak))

    def moving_artists(self) -> list:
        return [*self._band_artists, self._training, self._inference, *self._crossover_artists]

    def _hover_rows(self, report: dict, index: int) -> list:
        rows = [("Training, cumulative", _cumulative(_values(report["series"]["training"]))[index], "money",
                 COLORS["training"]),
                ("Inference, cumulative", _cumulative(_values(report["series"]["inference"]))[index], "money",
                 COLORS["inference"])]
        band = _band(report)
        if band is not None:
            rows += [(f"Total, {key.upper()}", _values(band[key])[index], "money", COLORS["band"])
                     for key in ("p90", "p50", "p10")]
        return rows


class YearlyChart(ReportChart):
    """Training and inference cost per year, side by side."""

    @staticmethod
    def _series(report: dict, key: str) -> list[float]:
        return [0.0 if math.isnan(v) else v for v in _values(report["yearly"][key])]

    def shape(self, report: dict) -> tuple:
        return super().shape(report) + (len(report["yearly"]["training"]),)

    def _create(self, ax, report: dict) -> None:
        cur = report["currency"]
        months = report["months"]
        years = len(report["yearly"]["training"])
        x = list(range(years))
        width = 0.4
        zeros = [0.0] * years
        self._bars = (ax.bar([i - width / 2 for i in x], zeros, width, color=COLORS["training"], label="Training"),
                      ax.bar([i + width / 2 for i in x], zeros, width, color=COLORS["inference"],
                             label="Inference"))
        labels = [f"Year {i + 1}\n{months[12 * i][:4]}" if years <= 10 else f"{months[12 * i][:4]}" for i in x]
        ax.set_xticks(x, labels, fontsize="small" if years <= 10 else "x-small",
                      rotation=0 if years <= 10 else 90)
        ax.set_xlim(-0.5, years - 0.5)
        _money_axis(ax.yaxis, cur)
        _value_ticks(ax.yaxis)
        ax.set_xlabel("Year of the programme (calendar year it starts in)")
        ax.set_ylabel(f"Cost per year ({cur})")
        _title(ax, "Yearly cost", report)
        _legend(ax)

    def _apply(self, report: dict) -> None:
        peak = 0.0
        for bars, key in zip(self._bars, ("training", "inference")):
            values = self._series(report, key)
            for rectangle, value in zip(bars, values):
                rectangle.set_height(value)
            peak = max([peak, *values])
        self.ax.set_ylim(0, nice_top(peak))

    def moving_artists(self) -> list:
        return [rectangle for bars in self._bars for rectangle in bars]

    def _hover_count(self, report: dict) -> int:
        return len(report["yearly"]["training"])

    def _hover_title(self, report: dict, index: int) -> str:
        months = report["months"]
        first, last = 12 * index, min(12 * index + 11, len(months) - 1)
        return f"Year {index + 1}: {month_text(months[first])} to {month_text(months[last])}"

    def _hover_rows(self, report: dict, index: int) -> list:
        return [(label, self._series(report, key)[index], "money", COLORS[key])
                for label, key in (("Training", "training"), ("Inference", "inference"))]


class FleetChart(ReportChart):
    """Inference chips in service each month (owned fleet or rented chips)."""

    @staticmethod
    def _chips(report: dict) -> list[float]:
        return [0.0 if math.isnan(v) else v for v in _values(report["series"]["chips"])]

    def shape(self, report: dict) -> tuple:
        return (tuple(report["months"]), any(self._chips(report)))

    def _create(self, ax, report: dict) -> None:
        from matplotlib.ticker import FuncFormatter

        months = report["months"]
        self._x = list(range(len(months)))
        (self._line,) = ax.step([], [], where="mid", color=COLORS["chips"], linewidth=2, label="Chips in service")
        if not any(self._chips(report)):
            ax.text(0.5, 0.5, "No inference chips: served through an API", transform=ax.transAxes, ha="center",
                    color="#595959")
        _month_axis(ax, months)
        _value_ticks(ax.yaxis, integer=True)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}"))
        ax.set_ylabel("Inference chips (chips)")
        ax.set_title("Inference chips in service")

    def _apply(self, report: dict) -> None:
        chips = self._chips(report)
        self._line.set_data(self._x, chips)
        self.ax.set_ylim(0, nice_top(max(chips, default=0.0)))

    def moving_artists(self) -> list:
        return [self._line]

    def _hover_rows(self, report: dict, index: int) -> list:
        return [("Chips in service", self._chips(report)[index], "count", COLORS["chips"])]

    def widest_value_label(self) -> str:
        # the same width up to 9,999 chips: a fleet growing past a round number keeps its layout
        return "".join("8" if c.isdigit() else c for c in f"{max(self.ax.get_ylim()[1], 1000):,.0f}")


def draw_monthly_cost(fig, report: dict):
    """Monthly cost stacked by category (training compute and fixed, inference compute, energy,
    facility, operations). Returns the axes."""
    return MonthlyCostChart().build(fig, report)


def draw_cumulative(fig, report: dict):
    """Cumulative training against cumulative inference cost, the crossover marked and
    labelled with its calendar month. Returns the axes."""
    return CumulativeChart().build(fig, report)


def draw_yearly(fig, report: dict):
    """Training and inference cost per year, side by side. Returns the axes."""
    return YearlyChart().build(fig, report)


def draw_fleet(fig, report: dict):
    """Inference chips in service each month (owned fleet or rented chips). Returns the axes."""
    return FleetChart().build(fig, report)


def draw_tornado(fig, tornado: dict):
    """Tornado: how far the metric moves when each input goes from its low to its high value.

    ``tornado`` is ``{"metric", "metric_label", "unit", "base", "rows": [{"path", "title",
    "low_input", "high_input", "low_metric", "high_metric"}, ...]}`` with the rows sorted by
    swing, largest first. Returns the axes.
    """
    ax = _fresh_axes(fig)
    ax.grid(axis="x", alpha=0.3)
    ax.grid(axis="y", visible=False)
    rows = list(tornado.get("rows", []))
    base = float(tornado["base"])
    unit = str(tornado.get("unit", ""))
    label = str(tornado.get("metric_label", tornado.get("metric", "")))
    y = list(range(len(rows)))
    low = [float(r["low_metric"]) - base for r in rows]
    high = [float(r["high_metric"]) - base for r in rows]
    ax.barh(y, low, left=base, color=COLORS["low"], label="Input at its low value")
    ax.barh(y, high, left=base, color=COLORS["high"], label="Input at its high value")
    ax.axvline(base, color="black", linewidth=1)
    money = len(unit) == 3 and unit.isalpha() and unit.isupper()
    currency = tornado.get("currency") or (unit if money else None)
    ax.set_yticks(y, [tornado_label(r, currency) for r in rows], fontsize="small")
    ax.invert_yaxis()  # largest swing on top
    if money:
        _money_axis(ax.xaxis, unit)
    ax.set_xlabel(f"{label} ({unit})" if unit else label)
    ax.set_title(f"Sensitivity of {label}" + (f" (base {money_text(base, unit)})" if money else ""))
    if rows:
        ax.legend(loc="lower right", fontsize="small", frameon=False)
    return ax


def tornado_label(row: dict, currency: str | None) -> str:
    """A tornado bar's label: the input's title and its low and high values in the field's unit.

    >>> tornado_label({"path": "inference.target_utilization", "title": "Target utilisation",
    ...                "low_input": 0.48, "high_input": 0.72}, "USD")
    'Target utilisation\\n48 % to 72 %'
    """
    path = row["path"]
    return (f"{row.get('title', path)}\n{input_text(path, row['low_input'], currency)} to "
            f"{input_text(path, row['high_input'], currency)}")


#: The report figures by file stem, in the order exports write them.
REPORT_FIGURES: dict[str, Callable] = {
    "monthly-cost": draw_monthly_cost,
    "cumulative": draw_cumulative,
    "yearly": draw_yearly,
    "fleet": draw_fleet,
}

#: The same figures as :class:`ReportChart` classes, for views that update them in place.
REPORT_CHARTS: dict[str, type[ReportChart]] = {
    "monthly-cost": MonthlyCostChart,
    "cumulative": CumulativeChart,
    "yearly": YearlyChart,
    "fleet": FleetChart,
}


def render(fig_fn: Callable, data, path, size=(8, 5), dpi: int = 100, format: str | None = None) -> Path:
    """Draw ``fig_fn(fig, data)`` on a new Agg figure and save it to ``path``.

    The format is ``format`` or the file's suffix (``.png``, ``.svg``, ``.pdf``).
    At the default size and dpi a PNG is 800 x 500 pixels.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    fig_fn(fig, data)
    path = Path(path)
    fig.savefig(path, format=format or path.suffix.lstrip(".").lower() or "png", dpi=dpi)
    return path


__all__ = ["draw_monthly_cost", "draw_cumulative", "draw_yearly", "draw_fleet", "draw_tornado", "render",
           "money_text", "number_text", "plain_number", "input_text", "tornado_label", "month_text", "nice_top", "REPORT_FIGURES", "REPORT_CHARTS", "COLORS",
           "ReportChart", "MonthlyCostChart", "CumulativeChart", "YearlyChart", "FleetChart"]
