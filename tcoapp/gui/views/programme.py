"""The programme window: several workloads on one calendar (methodology section 6).

Left, the workload list (add, duplicate, remove, move up/down, import a ``.tco``
scenario); centre, the scenario editor of :mod:`tcoapp.gui.views.editor` showing the
selected workload as the scenario it is evaluated as (shared sections plus its
own): its edits go to the :class:`~tcoapp.gui.documents.programme.ProgrammeDocument`,
shared paths (finance, facility, chips, calendar, currency) to the shared sections;
right, the programme's KPI cards and tabs with the charts stacked by workload, the
budget by year and workload, the idle owned capacity and the inference share per
year beside the industry figures with their sources.

Every change re-evaluates the programme (one engine batch of W rows, about 20 ms
for the sample) after a 20 ms debounce, as the scenario window does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QListWidget, QMainWindow, QPushButton, QSplitter,
    QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from tcoapp.reports.programme_figures import (
    BUDGET_COLUMNS, draw_cost_by_workload, draw_cumulative_split, draw_idle_capacity, draw_inference_share,
    industry_inference_share, yearly_inference_share,
)
from tcoapp.reports.programme_report import budget_rows, build_programme_report
from tcoapp.reports.report import format_value
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.outputs import SUMMARY_LABELS
from tcoapp.scenario.programme import evaluate_programme

from ..dialogs.questions import Question, ask
from ..documents.document import ScenarioDocument
from ..documents.programme import ProgrammeDocument
from .editor import ScenarioEditor

PROGRAMME_FILTER = "tcoapp programmes and scenarios (*.tco);;All files (*)"
#: The KPI cards of a programme, in order.
KPI_KEYS = ("total_cost", "training_cost", "inference_cost", "inference_share", "npv_total", "peak_chips",
            "energy_mwh", "cost_per_million_tokens", "revenue_total", "profit", "payback_month", "irr")
AUTOSAVE_SECONDS = 30


class WorkloadView(ScenarioDocument):
    """The selected workload as a scenario document for the editor; its edits go to the programme document."""

    def __init__(self, programme_document: ProgrammeDocument, index: int, parent=None):
        super().__init__(programme_document.workload_scenario(index), parent=parent, untitled_name="workload")
        self.programme_document = programme_document
        self.index = index

    def set_values(self, values, label=None, mergeable=False) -> bool:  # noqa: D102 - see ScenarioDocument
        return self.programme_document.set_scenario_values(self.index, values, label, mergeable)

    def replace_scenario(self, scenario, label: str) -> bool:
        raise ScenarioError("whole-scenario replacement is not available in a programme workload")

    def follow(self, index: int) -> None:
        """Show workload ``index`` of the programme as it is now."""
        self.index = index
        self._replace(self.programme_document.workload_scenario(index), ())


class _Chart(QWidget):
    """A matplotlib canvas drawing ``draw(fig, report)`` from tcoapp.reports.programme_figures."""

    def __init__(self, name: str, draw, parent: QWidget | None = None):
        super().__init__(parent)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
        from matplotlib.figure import Figure

        self.setObjectName(f"programme.chart.{name}")
        self.draw_function = draw
        self.figure = Figure(figsize=(5, 3))
        self.figure.subplots_adjust(left=0.13, right=0.98, top=0.9, bottom=0.1, wspace=0.5)
        self.canvas = FigureCanvasQTAgg(self.figure)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)

        self.report: dict | None = None
        self.stale = True

    def show_report(self, report: dict | None) -> None:
        """Draw ``report`` now if visible, else when next shown."""
        self.report = report
        self.stale = True
        if self.isVisible():
            self.redraw()

    def redraw(self) -> None:
        if self.report is None:
            self.figure.clear()
        else:
            self.draw_function(self.figure, self.report)
        self.stale = False
        self.canvas.draw_idle()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.stale:
            self.redraw()


class ProgrammeWindow(QMainWindow):
    """Edit and evaluate one programme.

    Signals
    -------
    evaluated()
        The KPI cards and the budget table show the current programme (or its problem); the charts follow
        at the next idle moment (visible ones drawn, hidden ones when shown).
    charts_drawn()
        The charts were given the current report.
    """

    evaluated = Signal()
    charts_drawn = Signal()

    def __init__(self, document: ProgrammeDocument, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("programme.window")
        self.document = document
        document.setParent(self)  # lives and dies with its window
        self.report: dict | None = None
        self.problem: ScenarioError | None = None
        self._building = False
        self.view = WorkloadView(document, 0, self)

        # workload list
        self.workloads = QListWidget()
        self.workloads.setObjectName("programme.workloads")
        self.workloads.currentRowChanged.connect(self._on_row_changed)
        buttons = QGridLayout()
        self.buttons = {}
        for i, (key, text, slot) in enumerate((
                ("add", "Add", self.add_workload), ("duplicate", "Duplicate", self.duplicate_workload),
                ("remove", "Remove", self.remove_workload), ("import", "Import .tco...", self.import_scenario),
                ("up", "Move up", lambda: self.move_workload(-1)), ("down", "Move down", lambda: self.move_workload(1)))):
            button = QPushButton(text)
            button.setObjectName(f"programme.{key}")
            button.clicked.connect(slot)
            buttons.addWidget(button, i // 2, i % 2)
            self.buttons[key] = button
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        heading = QLabel("Workloads")
        heading.setProperty("role", "heading")
        left_layout.addWidget(heading)
        left_layout.addWidget(self.workloads, 1)
        left_layout.addLayout(buttons)
        self.shared_note = QLabel("Finance, facility, chips, calendar and currency are shared by every workload: "
                                  "editing them here changes the whole programme.")
        self.shared_note.setWordWrap(True)
        left_layout.addWidget(self.shared_note)

        # editor of the selected workload
        self.editor = ScenarioEditor(self.view)

        # results
        self.kpis: dict[str, QLabel] = {}
        cards = QWidget()
        cards.setObjectName("programme.kpis")
        grid = QGridLayout(cards)
        grid.setContentsMargins(4, 4, 4, 4)
        for i, key in enumerate(KPI_KEYS):
            card = QFrame()
            card.setFrameShape(QFrame.Shape.StyledPanel)
            box = QVBoxLayout(card)
            box.setContentsMargins(6, 4, 6, 4)
            title = QLabel(SUMMARY_LABELS[key][0])
            value = QLabel("—")
            value.setObjectName(f"programme.kpi.{key}")
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            font.setBold(True)
            value.setFont(font)
            box.addWidget(title)
            box.addWidget(value)
            self.kpis[key] = value
            grid.addWidget(card, i // 4, i % 4)
        self.problem_label = QLabel("")
        self.problem_label.setObjectName("programme.problem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b00020")

        self.charts = {
            "cost": _Chart("cost", draw_cost_by_workload),
            "cumulative": _Chart("cumulative", draw_cumulative_split),
            "idle": _Chart("idle", draw_idle_capacity),
            "share": _Chart("share", draw_inference_share),
        }
        self.budget = QTableWidget()
        self.budget.setObjectName("programme.budget")
        self.budget.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.budget.verticalHeader().setVisible(False)
        self.budget.verticalHeader().setDefaultSectionSize(22)
        self.industry = QTableWidget()
        self.industry.setObjectName("programme.industry")
        self.industry.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.industry.verticalHeader().setVisible(False)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("programme.tabs")
        charts_page = QWidget()
        charts_layout = QVBoxLayout(charts_page)
        charts_layout.addWidget(self.charts["cost"], 1)
        charts_layout.addWidget(self.charts["cumulative"], 1)
        self.tabs.addTab(charts_page, "Cost by workload")
        self.tabs.addTab(self.budget, "Budget by year")
        self.tabs.addTab(self.charts["idle"], "Idle capacity")
        share_page = QWidget()
        share_layout = QVBoxLayout(share_page)
        share_layout.addWidget(self.charts["share"], 2)
        share_layout.addWidget(self.industry, 1)
        self.tabs.addTab(share_page, "Inference share")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(cards)
        right_layout.addWidget(self.problem_label)
        right_layout.addWidget(self.tabs, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.editor)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 2)
        splitter.setStretchFactor(2, 4)
        splitter.setSizes([200, 380, 700])
        self.setCentralWidget(splitter)
        self._make_menus()

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(20)
        self._debounce.timeout.connect(self.evaluate_now)
        self._charts_timer = QTimer(self)
        self._charts_timer.setSingleShot(True)
        self._charts_timer.setInterval(0)
        self._charts_timer.timeout.connect(self._draw_charts)
        self._autosave = QTimer(self)
        self._autosave.setInterval(AUTOSAVE_SECONDS * 1000)
        self._autosave.timeout.connect(self.autosave_now)
        self._autosave.start()
        document.changed.connect(self._on_document_changed)
        # bound methods, not lambdas: Qt drops them when this window is destroyed (before its document's
        # undo stack sends its last cleanChanged)
        document.dirty_changed.connect(self._on_dirty_changed)
        self._fill_list(0)
        self._fill_industry()
        self._update_title()
        self.evaluate_now()

    # -- menus -----------------------------------------------------------------------------------
    def _make_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (("&Open...", QKeySequence.StandardKey.Open, self.open_file),
                                     ("&Save", QKeySequence.StandardKey.Save, self.save),
                                     ("Save &As...", QKeySequence.StandardKey.SaveAs, self.save_as),
                                     ("&Import scenario as workload...", None, self.import_scenario),
                                     ("&Close", QKeySequence.StandardKey.Close, self.close)):
            action = QAction(text, self)
            if shortcut is not None:
                action.setShortcut(shortcut)
            action.triggered.connect(slot)
            file_menu.addAction(action)
        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.document.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.document.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

    def _on_dirty_changed(self, _dirty: bool) -> None:
        self._update_title()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name()}{' *' if self.document.dirty else ''} — "
                            f"programme — tcoapp")

    # -- the workload list -----------------------------------------------------------------------
    @property
    def current_index(self) -> int:
        return self.view.index

    def _fill_list(self, select: int) -> None:
        self._building = True
        try:
            self.workloads.clear()
            for workload in self.document.programme.workloads:
                self.workloads.addItem(workload.name)
            select = max(0, min(select, self.workloads.count() - 1))
            self.workloads.setCurrentRow(select)
        finally:
            self._building = False
        self.view.follow(select)
        self._update_buttons()

    def _update_buttons(self) -> None:
        count = len(self.document.programme.workloads)
        self.buttons["remove"].setEnabled(count > 1)
        self.buttons["up"].setEnabled(self.current_index > 0)
        self.buttons["down"].setEnabled(self.current_index < count - 1)

    def _on_row_changed(self, row: int) -> None:
        if self._building or row < 0:
            return
        self.view.follow(row)
        self._update_buttons()

    def select_workload(self, index: int) -> None:
        self.workloads.setCurrentRow(index)

    def _on_document_changed(self, select: int) -> None:
        self._fill_list(self.current_index if select < 0 else select)
        self._update_title()
        self._debounce.start()

    def _guard(self, title: str, action):
        try:
            return action()
        except ScenarioError as error:
            ask(self, Question("error", title, str(error)))
            return None

    def add_workload(self) -> None:
        self._guard("Cannot add a workload", self.document.add_workload)

    def duplicate_workload(self) -> None:
        self._guard("Cannot duplicate the workload", lambda: self.document.duplicate_workload(self.current_index))

    def remove_workload(self) -> None:
        self._guard("Cannot remove the workload", lambda: self.document.remove_workload(self.current_index))

    def move_workload(self, step: int) -> None:
        self._guard("Cannot move the workload",
                    lambda: self.document.move_workload(self.current_index, self.current_index + step))

    def import_scenario(self, path: str | None = None) -> None:
        """Add a ``.tco`` scenario as a workload and say which shared values it left behind."""
        if not path:
            path = ask(self, Question("open_file", "Import a scenario as a workload",
                                      options={"filter": PROGRAMME_FILTER}))
        if not path:
            return
        try:
            scenario = load_scenario(path)
            index, left = self.document.import_workload(scenario)
        except ScenarioError as error:
            ask(self, Question("error", "Cannot import the scenario", str(error)))
            return
        name = self.document.programme.workloads[index].name
        if left:
            ask(self, Question("info", "Scenario imported",
                               f"{Path(path).name} is now the workload {name!r}. These of its values are shared by "
                               f"the programme and were left behind (the programme's are used):",
                               detail="\n".join(left), options={"left_behind": left}))

    # -- evaluation ------------------------------------------------------------------------------
    def evaluate_now(self) -> None:
        """Evaluate the programme and show KPIs, charts and tables (synchronously)."""
        self._debounce.stop()
        programme = self.document.programme
        try:
            result = evaluate_programme(programme)
            self.report = build_programme_report(programme, result)
            self.problem = None
        except ScenarioError as error:
            self.report, self.problem = None, error
        self._show()
        self.evaluated.emit()

    def _show(self) -> None:
        programme = self.document.programme
        report = self.report
        self.problem_label.setText("" if self.problem is None else f"Cannot compute: {self.problem}")
        for key, label in self.kpis.items():
            label.setText("—" if report is None else
                          format_value(key, report["summary"][key], programme.currency, programme.start_month))
        self._fill_budget()
        self._charts_timer.start()  # after the KPI cards are painted
        problem = self.problem
        if problem is not None and problem.path.startswith(f"workloads[{self.current_index}]."):
            problem = ScenarioError(problem.rule, path=problem.path.split(".", 1)[1], value=problem.value)
        self.editor.show_evaluation(None, problem)

    def _draw_charts(self) -> None:
        for chart in self.charts.values():
            chart.show_report(self.report)
        self.charts_drawn.emit()

    def _fill_budget(self) -> None:
        table = self.budget
        rows = [] if self.report is None else budget_rows(self.report)
        currency = self.document.programme.currency
        table.clear()
        table.setColumnCount(2 + len(BUDGET_COLUMNS))
        table.setHorizontalHeaderLabels(["Year", "Workload"] + [f"{t} ({currency})" for _, t in BUDGET_COLUMNS])
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(str(row["year"])))
            table.setItem(r, 1, QTableWidgetItem(row["workload"]))
            for c, (key, _) in enumerate(BUDGET_COLUMNS):
                value = row[key]
                item = QTableWidgetItem("—" if value is None else f"{round(value):,}")
                item.setData(Qt.ItemDataRole.UserRole, value)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(r, 2 + c, item)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def _fill_industry(self) -> None:
        table = self.industry
        figures = industry_inference_share()
        table.setColumnCount(4)
        table.setHorizontalHeaderLabels(["Year", "Industry inference share", "Figure", "Source"])
        table.setRowCount(len(figures))
        for r, fig in enumerate(figures):
            for c, text in enumerate((str(fig["year"]), f"{100 * fig['share']:.0f} %", fig.get("label", ""),
                                      f"{fig.get('source', '')} ({fig.get('as_of', '')}) {fig.get('url', '')}")):
                table.setItem(r, c, QTableWidgetItem(text))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)

    def inference_share_rows(self) -> list[dict]:
        return [] if self.report is None else yearly_inference_share(self.report)

    # -- files -----------------------------------------------------------------------------------
    def autosave_now(self) -> Path | None:
        if not self.document.dirty:
            return None
        try:
            return self.document.autosave()
        except (OSError, ScenarioError):
            return None

    def open_file(self, path: str | None = None) -> None:
        if not path:
            path = ask(self, Question("open_file", "Open a programme or scenario", options={"filter": PROGRAMME_FILTER}))
        if path and not open_programme_path(path):  # the views layer does not reach up to the scenario window
            ask(self, Question("info", "Not a programme", f"{Path(path).name} is a scenario, not a programme: open "
                               "it from a scenario window (File > Open), or import it here as a workload."))

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        self.editor.flush()
        try:
            self.document.save()
        except ScenarioError as error:
            ask(self, Question("error", "Cannot save the programme", str(error)))
            return False
        return True

    def save_as(self) -> bool:
        path = ask(self, Question("save_file", "Save the programme as", options={"filter": PROGRAMME_FILTER}))
        if not path:
            return False
        self.editor.flush()
        try:
            self.document.save(path)
        except ScenarioError as error:
            ask(self, Question("error", "Cannot save the programme", str(error)))
            return False
        return True

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.document.dirty:
            answer = ask(self, Question("save_changes", "Save the programme?",
                                        f"{self.document.display_name()} has unsaved changes."))
            if answer == "cancel" or (answer == "save" and not self.save()):
                event.ignore()
                return
        self._autosave.stop()
        self.document.remove_autosave()
        _open_windows.discard(self)
        event.accept()


_open_windows: set = set()


def open_programme_window(path: str | Path, untitled: bool = False) -> ProgrammeWindow | None:
    """Open a programme file in a new programme window (kept alive until closed); None after an error.

    ``untitled``: open a copy (a bundled sample), so Save asks where to write."""
    try:
        document = ProgrammeDocument.open(path)
    except ScenarioError as error:
        ask(None, Question("error", "Cannot open the programme", str(error)))
        return None
    if untitled:
        document._path = None
    window = ProgrammeWindow(document)
    _open_windows.add(window)
    return window


def open_programme_path(path: str | Path, untitled: bool = False) -> bool:
    """If ``path`` is a programme file, open (and show) it in a programme window and return True (also after
    an error, which was reported); False for anything else (a scenario)."""
    from tcoapp.scenario.programme import is_programme_file

    if not is_programme_file(path):
        return False
    window = open_programme_window(path, untitled)
    if window is not None:
        window.show()
    return True


def open_programme_windows() -> list[ProgrammeWindow]:
    return [w for w in _open_windows if isinstance(w, ProgrammeWindow)]


def show_main_window(main_window) -> bool:
    """Whether the scenario window should show at start: not when only programmes were opened."""
    return bool(getattr(main_window, "documents", True)) or not open_programme_windows()


#: ``--view`` of a programme window screenshot: the tab it shows.
SCREENSHOT_TABS = {"overview": 0, "budget": 1, "idle": 2, "share": 3}


def programme_screenshot(app, out: str, view: str, size: str = "1280x800") -> int | None:
    """Render the (first) open programme window to ``out``: 0 written, 1 failed, None no programme is open."""
    windows = open_programme_windows()
    if not windows:
        return None
    window = windows[0]
    width, _, height = size.partition("x")
    window.resize(int(width), int(height))
    window.tabs.setCurrentIndex(SCREENSHOT_TABS.get(view, 0))
    window.show()
    for _ in range(5):
        app.processEvents()
    window.evaluate_now()
    window._draw_charts()
    for chart in window.charts.values():
        if chart.isVisible():
            chart.canvas.draw()
    for _ in range(5):
        app.processEvents()
    if not window.grab().save(out, "PNG"):
        print(f"tcoapp: cannot write {out}")
        return 1
    print(out)
    return 0
