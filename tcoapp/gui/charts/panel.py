"""Chart hosting: a matplotlib Figure in a Qt canvas per panel, built once and updated in place on each edit."""

from __future__ import annotations

import functools
import importlib
import traceback
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import QFileDialog, QMenu, QSizePolicy, QVBoxLayout, QWidget

#: Copies the chart with the keyboard focus (the canvas takes focus on a click or Tab).
COPY_SHORTCUT = "Ctrl+Shift+C"


def palette_rc() -> dict[str, Any]:
    """Matplotlib rc settings matching the application palette (light or dark).

    The text around the plot follows the palette. In a dark palette the plot
    area itself stays a light "paper": the report figures' colours (navy
    training, dark red crossover) are chosen for a light background.
    """
    palette = QGuiApplication.palette()
    text = palette.color(QPalette.ColorRole.WindowText).name()
    base = palette.color(QPalette.ColorRole.Base).name()
    window = palette.color(QPalette.ColorRole.Window)
    mid = palette.color(QPalette.ColorRole.Mid).name()
    dark = window.lightness() < 128
    paper = "#f4f4f4" if dark else base
    return {
        "figure.facecolor": window.name(), "axes.facecolor": paper, "savefig.facecolor": window.name(),
        "text.color": text, "axes.labelcolor": text, "axes.edgecolor": mid, "axes.titlecolor": text,
        "xtick.color": text, "ytick.color": text, "legend.facecolor": paper,
        "legend.edgecolor": mid, "legend.labelcolor": "#222222" if dark else text,
        "grid.color": "#b0b0b0" if dark else mid, "font.size": 8.5, "axes.titlesize": 9.5,
        "axes.labelsize": 8.5, "legend.fontsize": 7.5, "xtick.labelsize": 7.5, "ytick.labelsize": 7.5,
    }


def figure_function(name: str) -> Callable | None:
    """A drawing function of the reports package (``module:function``), or None if not there (yet)."""
    module_name, _, function = name.rpartition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, function, None)


class ChartPanel(QWidget):
    """One matplotlib canvas drawing ``draw(fig, data)`` from the reports package.

    ``draw`` names a drawing function, or a :class:`tcoapp.reports.figures.ReportChart`
    class. A ReportChart is built once per shape (months, currency, series present,
    palette); later data only moves its artists and its y limits (``update``), and
    the canvas keeps what did not move as rendered pixels:

    - the *static* layer: everything but the y axes and the moving artists (titles,
      x axis, legend), valid while the canvas size and layout stay the same;
    - the *background*: the static layer plus the y axes (grid, ticks, labels),
      valid while the y limits stay the same as well.

    The layout is made once per canvas size and shape, for the widest y tick label
    the chart can show (see "layout" below). An edit that keeps the y limits
    redraws only the moving artists over the background (a few milliseconds); one
    that moves them redraws the y axes over the static layer; anything else (a new
    shape, size or palette) renders the whole figure. Each way gives the same
    pixels as a fresh build of the chart on this canvas (tests/gui/test_charts.py);
    exports build the same chart on their own figure (tests/reports/test_figure_updates.py).

    It draws when visible and marks itself stale otherwise. A right click offers
    Save as PNG and Copy image (also Ctrl+Shift+C while the chart has the focus).

    Hovering a ReportChart shows the month under the cursor and the plotted values
    (``ReportChart.hover``) in a read-out drawn over the rendered frame, kept as pixels:
    moving the mouse restores the frame and draws the read-out again, never a render.

    Signals
    -------
    drawn()
        The chart shows the current data: rendered and painted, or (when not
        drawing ``now``) the render queued for the next idle moment.
    """

    drawn = Signal()

    def __init__(self, name: str, title: str, draw: str, parent: QWidget | None = None):
        super().__init__(parent)
        from matplotlib.figure import Figure

        self.setObjectName(f"chart.{name}")
        self.name = name
        self.title = title
        self.draw_name = draw
        self.figure = Figure(figsize=(4.2, 2.8), dpi=100)
        self.canvas = _canvas_class()(self.figure)
        self.canvas.before_render = self._prepare_layout
        self.canvas.setObjectName(f"chart.{name}.canvas")
        self.canvas.setAccessibleName(title)
        self.canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.canvas.setMinimumSize(200, 150)
        self.canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.canvas.customContextMenuRequested.connect(self._context_menu)
        self.canvas.mpl_connect("draw_event", self._on_full_render)
        self.canvas.mpl_connect("motion_notify_event", self._on_motion)
        self.canvas.mpl_connect("figure_leave_event", lambda _event: self.hide_hover())
        self.canvas.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.copy_action = QAction("Copy image", self.canvas)
        self.copy_action.setObjectName(f"chart.{name}.copy")
        self.copy_action.setShortcut(QKeySequence(COPY_SHORTCUT))
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_action.triggered.connect(lambda _checked=False: self.copy_image())
        self.canvas.addAction(self.copy_action)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.data: Any = None
        self.stale = False
        self.draw_count = 0
        #: How the last redraw went: "build" (new artists, full render), "update" (moved
        #: artists, full render), "axes" (y axes and moving artists redrawn over the static
        #: layer) or "blit" (moving artists redrawn over the background).
        self.last_redraw = ""
        self.save_dialog: Callable[[QWidget, str], str | None] | None = None
        self.chart: Any = None  # the ReportChart on the figure, when ``draw`` names one
        self._chart_rc: dict | None = None
        self._foreground: list = []  # the chart's moving artists and those drawn over them
        self._value_axes: list = []  # the y axes of the chart, drawn over the static layer
        self._static: Any = None
        self._static_key: tuple | None = None
        self._background: Any = None
        self._background_key: tuple | None = None
        self._layout: tuple | None = None
        self._pending_key: tuple | None = None
        self._laid_out = False  # the chart's axes carry a layout already
        self.layout_reused = False
        self._text_widths: dict = {}
        #: The hover read-out: the x (data) it is for, its text (None when hidden).
        self.hover_x: float | None = None
        self.hover_text = ""
        self._hover_at: tuple[float, float] | None = None  # the cursor, in canvas pixels
        self._hover_artists: tuple | None = None  # (read-out Text, cursor Line2D), drawn by hand
        self._frame: Any = None  # the rendered chart without the read-out

    def set_data(self, data: Any) -> None:
        self.data = data
        if self.isVisible():
            self.redraw()
        else:
            self.stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.stale:
            self.redraw()

    def redraw(self, now: bool = False) -> None:
        """Show the current data: update (or rebuild) the figure and render what changed, at once
        when it is cheap, else at the next idle moment or ``now``."""
        import matplotlib

        self.stale = False
        target = figure_function(self.draw_name)
        rc = palette_rc()
        updated = self._update_chart(target, rc)  # moves artists only: no rc needed
        if not updated:
            with matplotlib.rc_context(rc):
                self._build(target, rc)
        if not (updated and self._redraw_in_place()):
            self.last_redraw = "update" if updated else "build"
            if now:  # the canvas lays the figure out first (_prepare_layout)
                self.canvas.draw()
                self.canvas.update()
            else:
                self.canvas.draw_idle()
        self.draw_count += 1
        self.drawn.emit()

    def _update_chart(self, target, rc: dict) -> bool:
        """Move the existing chart's artists to the current data; False if it needs a build."""
        if self.chart is None or self.data is None or type(self.chart) is not target or rc != self._chart_rc:
            return False
        try:
            return bool(self.chart.update(self.data))
        except Exception:  # the build shows the problem
            return False

    def _build(self, target, rc: dict) -> None:
        self.chart = None
        self._chart_rc = None
        self._foreground = []
        self._value_axes = []
        self._static = self._background = None
        self._laid_out = False
        self.figure.clear()
        self.figure.set_facecolor(rc["figure.facecolor"])
        if self.data is None:
            self.figure.text(0.5, 0.5, "No results", ha="center", va="center")
        elif target is None:
            self.figure.text(0.5, 0.5, f"{self.title}\n(chart module not available)", ha="center", va="center")
        else:
            try:
                if isinstance(target, type):
                    chart = target()
                    chart.build(self.figure, self.data)
                    self._foreground = chart.foreground_artists()
                    self._value_axes = [ax.yaxis for ax in self.figure.axes]
                    for artist in self._foreground + self._value_axes:
                        artist.set_animated(True)  # a full render leaves them to _on_full_render
                    self.chart, self._chart_rc = chart, rc
                else:
                    target(self.figure, self.data)
            except Exception as error:  # a drawing bug must not take the window down
                self.chart = None
                self._foreground = []
                self._value_axes = []
                self.figure.clear()
                self.figure.text(0.5, 0.5, f"Cannot draw {self.title}:\n{error}", ha="center", va="center",
                                 wrap=True)

    # -- partial redraws ---------------------------------------------------------------------------
    def _static_view_key(self) -> tuple:
        figure = self.figure
        return (tuple(figure.bbox.bounds), figure.dpi,
                tuple((tuple(ax.get_position().bounds), tuple(ax.get_xlim())) for ax in figure.axes))

    def _view_key(self) -> tuple:
        return self._static_view_key() + (tuple(tuple(ax.get_ylim()) for ax in self.figure.axes),)

    def _on_full_render(self, event) -> None:
        """After every full render (edits, resizes): keep the static layer and the background,
        draw the y axes and moving artists over them, remember the layout."""
        if self.canvas.is_saving():  # savefig renders elsewhere, animated artists included
            return
        if self.chart is not None:
            renderer = event.renderer
            for axis in self._value_axes:
                axis.label.draw(renderer)  # pinned by the layout: part of the static layer
            self._static = self.canvas.copy_from_bbox(self.figure.bbox)
            self._static_key = self._static_view_key()
            self._draw_value_axes(renderer)
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = self._view_key()
            for artist in self._foreground:
                artist.draw(renderer)
            self._frame = None
            if self.hover_x is not None:
                self._paint_hover(renderer, paint=False)  # the canvas paints after this render
        elif self._pending_key is not None:
            self._layout = (self._pending_key, [ax.get_position().frozen() for ax in self.figure.axes])
            self._pending_key = None

    def _draw_value_axes(self, renderer) -> None:
        """The y axes' grid, ticks and tick labels (their label is in the static layer)."""
        for axis in self._value_axes:
            axis.label.set_visible(False)
            try:
                axis.draw(renderer)
            finally:
                axis.label.set_visible(True)

    def _redraw_in_place(self) -> bool:
        """Redraw what moved over the kept pixels (a blit); False when a full render is needed."""
        if self._static is None or getattr(self.canvas, "_draw_pending", False) \
                or self._static_view_key() != self._static_key:
            return False
        if self._view_key() == self._background_key:
            self.canvas.restore_region(self._background)
            self.last_redraw = "blit"
        elif self._layout is not None and self._layout[0] == self._safe_layout_key():
            # the y limits moved; all else stays where it is
            renderer = self.canvas.get_renderer()
            self.canvas.restore_region(self._static)
            self._draw_value_axes(renderer)
            self._background = self.canvas.copy_from_bbox(self.figure.bbox)
            self._background_key = self._view_key()
            self.last_redraw = "axes"
        else:
            return False
        renderer = self.canvas.get_renderer()
        for artist in self._foreground:
            artist.draw(renderer)
        self._frame = None
        if self.hover_x is not None:
            self._paint_hover(renderer, paint=False)
        self.canvas.update()  # painted with the other charts' and cards' changes, in one go
        return True

    # -- layout ------------------------------------------------------------------------------------
    # The figures use matplotlib's constrained layout, which measures every label on each draw
    # (about a third of the cost of a full render). Its result depends only on the sizes of the
    # texts around the axes: the titles, the x tick labels, the y tick labels' widest width, the
    # legend. While those are the same the axes go exactly where the last layout put them.
    #
    # A ReportChart is laid out once per canvas size and shape, for its widest possible y tick
    # label (ReportChart.widest_value_label), with the y axis label pinned where that puts it:
    # an edit that rescales the y axis then leaves the layout, and so the static layer, as it is.
    # Other charts are laid out again whenever their y labels measure differently.

    def _text_width(self, renderer, text: str, prop) -> float:
        key = (text, prop, renderer.dpi)
        width = self._text_widths.get(key)
        if width is None:
            width = max(renderer.get_text_width_height_descent(line, prop, ismath=False)[0]
                        for line in text.split("\n"))
            if len(self._text_widths) > 2000:
                self._text_widths.clear()
            self._text_widths[key] = width
        return width

    def _layout_key(self) -> tuple | None:
        figure = self.figure
        renderer = self.canvas.get_renderer()
        parts: list = [tuple(int(v) for v in figure.bbox.size),
                       tuple(tuple(t.get_text() for t in legend.get_texts()) for legend in figure.legends)]
        reserve = self.chart.widest_value_label() if self.chart is not None else None
        for ax in figure.axes:
            legend = ax.get_legend()
            if reserve is not None:
                y_labels: Any = reserve
            else:
                # the y tick labels sit right-aligned: only the widest one moves the layout
                ticks = ax.yaxis.get_major_ticks()
                prop = ticks[0].label1.get_fontproperties() if ticks else None
                y_labels = _tick_texts(ax.yaxis) if prop is None else max(
                    (self._text_width(renderer, label, prop) for label in _tick_texts(ax.yaxis)), default=0.0)
            parts.append((
                ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), _tick_texts(ax.xaxis), y_labels,
                tuple(t.get_text() for t in legend.get_texts()) if legend is not None else None,
            ))
        return tuple(parts)

    def _safe_layout_key(self) -> tuple | None:
        try:
            return self._layout_key()
        except Exception:  # an unusual axis: just let the layout run
            return None

    def _prepare_layout(self) -> None:
        """Before every full render (the canvas calls it, on edits and resizes alike): place the
        axes, from the cache when the texts around them measure the same."""
        if self.chart is not None:
            self._lay_out_chart()
            return
        engine = self.figure.get_layout_engine()
        name = type(engine).__name__
        if engine is None or name not in ("ConstrainedLayoutEngine", "PlaceHolderLayoutEngine"):
            self._layout = None
            self._pending_key = None
            return
        if name == "PlaceHolderLayoutEngine" and self._layout is None:
            return  # a chart that switched its layout off itself
        key = self._safe_layout_key()
        cached = self._layout
        if key is not None and cached is not None and cached[0] == key and len(cached[1]) == len(self.figure.axes):
            self._place_axes(cached[1])
            self._pending_key = None
            self.layout_reused = True
            return
        self.layout_reused = False
        if name != "ConstrainedLayoutEngine":
            self.figure.set_layout_engine("constrained")
        self._pending_key = key

    def _place_axes(self, positions, label_coords=None) -> None:
        self.figure.set_layout_engine("none")
        for index, (ax, position) in enumerate(zip(self.figure.axes, positions)):
            ax.set_position(position)
            ax.set_in_layout(True)  # set_position takes it out; a later layout must see it
            if label_coords is not None:
                ax.yaxis.set_label_coords(*label_coords[index])

    def _lay_out_chart(self) -> None:
        import matplotlib

        key = self._safe_layout_key()
        cached = self._layout
        if key is not None and cached is not None and cached[0] == key and len(cached[1]) == len(self.figure.axes):
            self._place_axes(cached[1], cached[2])
            self.layout_reused = True
            return
        self.layout_reused = False
        if self._laid_out:  # these axes carry another layout: start again from fresh ones
            with matplotlib.rc_context(self._chart_rc):
                self._build(type(self.chart), self._chart_rc)
            if self.chart is None:
                return
            # a fresh build fits its texts to this size (ReportChart.build): the key is of those
            key = self._safe_layout_key()
        positions, label_coords = self._widest_label_layout()
        self._layout = (key, positions, label_coords)
        self._place_axes(positions, label_coords)
        self._laid_out = True

    def _widest_label_layout(self) -> tuple[list, list]:
        """The constrained layout as if every y tick label were the chart's widest one, and where
        the y axis labels go in it (in axes coordinates)."""
        from matplotlib.ticker import FuncFormatter

        reserve = self.chart.widest_value_label()
        figure = self.figure
        formatters = [(ax.yaxis, ax.yaxis.get_major_formatter()) for ax in figure.axes]
        figure.set_layout_engine("constrained")
        renderer = self.canvas.get_renderer()
        try:
            for axis, _formatter in formatters:
                axis.set_major_formatter(FuncFormatter(lambda _value, _pos: reserve))
            figure.get_layout_engine().execute(figure)
            positions = [ax.get_position().frozen() for ax in figure.axes]
            label_coords = []
            for ax in figure.axes:
                ax.yaxis.get_tightbbox(renderer)  # places the axis label beside the widest tick labels
                x, y = ax.yaxis.label.get_position()  # x in pixels, y in axes coordinates
                label_coords.append(((x - ax.bbox.x0) / ax.bbox.width, y))
        finally:
            for axis, formatter in formatters:
                axis.set_major_formatter(formatter)
        return positions, label_coords

    def save_png(self, path: str, dpi: int = 150) -> None:
        """Write the chart as a PNG (same drawing, through Agg)."""
        self.hide_hover()
        self.figure.savefig(path, dpi=dpi)
        self._static = self._background = None  # saving re-rendered the canvas at another resolution
        self._frame = None

    def copy_image(self):
        """Put the chart, as shown (without the hover read-out), on the clipboard; returns the image."""
        self.hide_hover()
        if self.stale or getattr(self.canvas, "_draw_pending", False):
            self.redraw(now=True)
        image = self.canvas.grab().toImage()
        QGuiApplication.clipboard().setImage(image)
        return image

    def _context_menu(self, position) -> None:
        self.hide_hover()
        menu = QMenu(self)
        save = menu.addAction("Save as PNG…")
        menu.addAction(self.copy_action)
        chosen = menu.exec(self.canvas.mapToGlobal(position))
        if chosen is save:
            path, _ = QFileDialog.getSaveFileName(self, "Save chart", f"{self.name}.png", "PNG image (*.png)")
            if path:
                self.save_png(path)

    # -- hover read-out ----------------------------------------------------------------------------
    def _on_motion(self, event) -> None:
        chart = self.chart
        if chart is None or event.inaxes is None or event.inaxes is not getattr(chart, "ax", None) \
                or not hasattr(chart, "hover"):
            self.hide_hover()
            return
        self._hover_at = (event.x, event.y)
        self.hover_x = event.xdata
        self._paint_hover()

    def hide_hover(self) -> None:
        """Take the read-out off the chart (restoring the frame under it)."""
        shown = self.hover_x is not None
        self.hover_x = None
        self.hover_text = ""
        if shown and self._frame is not None and not getattr(self.canvas, "_draw_pending", False):
            self.canvas.restore_region(self._frame)
            self.canvas.update()

    def _paint_hover(self, renderer=None, paint: bool = True) -> None:
        """Draw the read-out over the frame: restore the frame (kept at the first hover after each
        redraw), draw the cursor line and the text, paint. Nothing is rendered again."""
        if self.chart is None or self._static is None or getattr(self.canvas, "_draw_pending", False):
            return
        info = self.chart.hover(self.hover_x)
        if info is None:
            self.hide_hover()
            return
        renderer = renderer or self.canvas.get_renderer()
        if self._frame is None:
            self._frame = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self._frame)
        text, line = self._hover_parts()
        self.hover_text = hover_text(info)
        text.set_text(self.hover_text)
        line.set_xdata([info["x"], info["x"]])
        line.set_transform(self.chart.ax.get_xaxis_transform())
        line.set_clip_box(self.chart.ax.bbox)
        line.draw(renderer)
        self._place_hover(text, renderer)
        text.draw(renderer)
        if paint:
            self.canvas.update()

    def _hover_parts(self) -> tuple:
        if self._hover_artists is None or self._hover_artists[0].figure is not self.figure:
            from matplotlib.lines import Line2D
            from matplotlib.text import Text
            from matplotlib.transforms import IdentityTransform

            rc = self._chart_rc or {}
            text = Text(0, 0, "", transform=IdentityTransform(), ha="left", va="bottom", fontsize=7.5,
                        color="#222222", linespacing=1.3,
                        bbox={"boxstyle": "round,pad=0.4", "facecolor": "#ffffffee",
                              "edgecolor": rc.get("axes.edgecolor", "#888888"), "linewidth": 0.8})
            text.set_figure(self.figure)
            line = Line2D([0, 0], [0, 1], color="#444444", linewidth=0.8, linestyle=":")
            line.set_figure(self.figure)
            self._hover_artists = (text, line)
        return self._hover_artists

    def _place_hover(self, text, renderer) -> None:
        """Beside the cursor, on the side with room: inside the plot when it fits there (clear of
        the titles and labels around it), never outside the figure."""
        x, y = self._hover_at or (0.0, 0.0)
        gap = renderer.points_to_pixels(8.0)
        text.set_position((0, 0))
        box = text.get_window_extent(renderer)
        frame = self.chart.ax.bbox
        if box.width > frame.width or box.height > frame.height:
            frame = self.figure.bbox
        left = x + gap if x + gap + box.width <= frame.x1 else x - gap - box.width
        bottom = y + gap if y + gap + box.height <= frame.y1 else y - gap - box.height
        left = max(frame.x0, min(left, frame.x1 - box.width))
        bottom = max(frame.y0, min(bottom, frame.y1 - box.height))
        # the box's padding lies outside the text's own extent: keep it inside as well
        pad = renderer.points_to_pixels(0.4 * text.get_fontsize())
        text.set_position((max(left, frame.x0 + pad), max(bottom, frame.y0 + pad)))


def hover_text(info: dict) -> str:
    """The read-out of :meth:`ReportChart.hover`: the month, then one line per series.

    >>> print(hover_text({"title": "Mar 2027", "currency": "EUR", "x": 14,
    ...                   "rows": [("Training", 1234567.0, "money", ""), ("Chips", 1280.0, "count", "")]}))
    Mar 2027
    Training: EUR 1.23 M
    Chips: 1,280
    """
    from tcoapp.gui.widgets.formatting import compact_money, count_text

    lines = [info["title"]]
    for label, value, kind, _colour in info["rows"]:
        shown = compact_money(value, info["currency"]) if kind == "money" else count_text(value)
        lines.append(f"{label}: {shown}")
    return "\n".join(lines)


def render_png(panel: "ChartPanel", size: tuple[float, float] = (8, 5), dpi: int = 150) -> bytes | None:
    """The panel's chart drawn afresh on an Agg figure, as PNG bytes (None if it has no data).

    The same drawing as the panel's (its ``draw`` target and data), at an export's size and in
    the exports' light colours, whatever the window's size and theme.
    """
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    target = figure_function(panel.draw_name)
    if panel.data is None or target is None:
        return None
    figure = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(figure)
    if isinstance(target, type):
        target().build(figure, panel.data)
    else:
        target(figure, panel.data)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def write_chart_pngs(folder, charts: list[tuple[str, "ChartPanel"]]) -> list:
    """Write ``charts`` (file stem, panel) as ``<folder>/<stem>.png``, each atomically.

    Every chart is drawn before the first file is written, so a chart that cannot be drawn
    leaves the folder as it was. Panels without data are skipped. Returns the paths written;
    raises :class:`tcoapp.reports.export.ExportError` when the folder or a file cannot be written.
    """
    from tcoapp.reports.export import check_folder_target, write_atomically

    folder = check_folder_target(folder)
    images = [(stem, render_png(panel)) for stem, panel in charts]
    written = []
    for stem, data in images:
        if data is None:
            continue
        written.append(write_atomically(folder / f"{stem}.png", lambda tmp, data=data: tmp.write_bytes(data)))
    return written


@functools.cache
def _canvas_class():
    """``FigureCanvasQTAgg`` that lets its panel lay the figure out before every full render
    (matplotlib is imported when the first chart is made, not at start-up)."""
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    class ChartCanvas(FigureCanvasQTAgg):
        before_render: Callable[[], None] | None = None

        def draw(self):
            if self.before_render is not None and not getattr(self, "_is_drawing", False):
                try:
                    self.before_render()
                except Exception:  # a layout problem must not stop the render (nor the app)
                    traceback.print_exc()
            super().draw()

    return ChartCanvas


def _tick_texts(axis) -> tuple[str, ...]:
    """The tick labels an axis will show, without drawing it (as ``Axis._update_ticks`` picks them)."""
    locations = list(axis.get_major_locator()())
    labels = axis.get_major_formatter().format_ticks(locations)  # formatted together, as when drawn
    low, high = sorted(axis.get_view_interval())
    slack = 1e-10 * (high - low)
    return tuple(label for loc, label in zip(locations, labels) if low - slack <= loc <= high + slack)
