"""The programme window: several workloads on one calendar (methodology section 6).

Left, the workload list (add, duplicate, remove, move up/down, import a ``.tco``
scenario); centre, the scenario editor of :mod:`tcoapp.gui.views.editor` showing the
selected workload as the scenario it is evaluated as (shared sections plus its
own): its edits go to the :class:`~tcoapp.gui.documents.programme.ProgrammeDocument`,
shared paths (finance, facility, chips, calendar, currency) to the shared sections;
right, the programme's KPI cards and tabs with the charts stacked by workload, the
budget by year and workload, the idle owned capacity and the inference share per
year beside the industry figures with their sources.

Every change re-evaluates the programme (one engine batch of W rows, about 10 ms
for the sample) after a 20 ms debounce, as the scenario window does. The charts are
:class:`~tcoapp.reports.programme_figures` ReportChart classes in
:class:`~tcoapp.gui.charts.panel.ChartPanel`: built once per shape, then updated in
place and blitted, the y axes redrawn only when an edit moves their limits
(``benchmarks/bench_programme_gui.py`` measures it).

Files as in the scenario window: Save first asks what to do if the file changed on
disk since it was read or written (reload, overwrite, save as); a read-only file is
refused; autosaved programmes are offered at start-up (:func:`recover_programmes`).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QListWidget, QMainWindow, QPushButton, QSplitter,
    QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from tcoapp.reports.programme_figures import BUDGET_COLUMNS, industry_inference_share, yearly_inference_share
from tcoapp.reports.programme_report import budget_rows, build_programme_report
from tcoapp.reports.report import MONEY_KEYS, format_value
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.files import load_scenario
from tcoapp.scenario.outputs import SUMMARY_LABELS
from tcoapp.scenario.programme import evaluate_programme

from ..charts.panel import ChartPanel
from ..dialogs.questions import Question, ask
from ..documents.document import ScenarioDocument
from ..documents.programme import ProgrammeDocument, RecoveredProgramme
from ..documents.worker import Worker
from ..widgets.keys import set_keys
from .editor import ScenarioEditor

PROGRAMME_FILTER = "tcoapp programmes and scenarios (*.tco);;All files (*)"
#: The KPI cards of a programme, in order.
KPI_KEYS = ("total_cost", "training_cost", "inference_cost", "inference_share", "npv_total", "peak_chips",
            "energy_mwh", "cost_per_million_tokens", "revenue_total", "profit", "payback_month", "irr")
#: Three cards a row: four did not fit beside an editor wide enough to read at 1280x800 ("USD 226,426,811").
KPI_COLUMNS = 3
AUTOSAVE_SECONDS = 30
#: An edit is autosaved this long after typing stops (as in the scenario window), and at the latest every 30 s.
AUTOSAVE_DELAY_MS = 2_000
_FIGURES = "tcoapp.reports.programme_figures"
#: The workload list, the editor and the results at 1280 pixels wide (the results take what a wider window adds).
SPLITTER_SIZES = (180, 500, 600)
EDITOR_MIN_WIDTH = 480
#: The chip pickers show this many characters at least (the scenario window's show 10 in a narrower pane).
CHIP_NAME_CHARS = 16
#: Where the splitter's sizes are remembered: the scenario window's settings file (tcoapp.gui.app.window_state).
SPLITTER_KEY = "programme/splitter"
#: The charts (key, title, ReportChart class of tcoapp.reports.programme_figures): built once, then updated
#: in place and blitted by ChartPanel as the scenario window's charts are.
PROGRAMME_CHARTS = (("cost", "Cost per month by workload", "WorkloadCostChart"),
                    ("cumulative", "Cumulative training and inference cost", "CumulativeSplitChart"),
                    ("idle", "Idle owned capacity", "IdleCapacityChart"),
                    ("share", "Inference share per year", "InferenceShareChart"))


class WorkloadView(ScenarioDocument):
    """The selected workload as a scenario document for the editor; its edits go to the programme document."""

    def __init__(self, programme_document: ProgrammeDocument, index: int, parent=None):
        super().__init__(programme_document.workload_scenario(index), parent=parent, untitled_name="workload")
        self.programme_document = programme_document
        self.index = index

    def set_values(self, values, label=None, mergeable=False) -> bool:  # noqa: D102 - see ScenarioDocument
        try:
            return self.programme_document.set_scenario_values(self.index, values, label, mergeable)
        except ScenarioError as error:  # the editor names this workload's fields by their scenario paths
            prefix = f"workloads[{self.index}]."
            if error.path.startswith(prefix):
                raise ScenarioError(error.rule, path=error.path[len(prefix):], value=error.value) from None
            raise

    def replace_scenario(self, scenario, label: str) -> bool:
        raise ScenarioError("whole-scenario replacement is not available in a programme workload")

    def follow(self, index: int) -> None:
        """Show workload ``index`` of the programme as it is now."""
        self.index = index
        self._replace(self.programme_document.workload_scenario(index), ())


class ProgrammeKpiCard(QFrame):
    """One of the programme's KPI cards; ``clicked(key)`` ("why this number") when it is clicked."""

    clicked = Signal(str)

    def __init__(self, key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"programme.card.{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click: why this number (the workloads' parts and the idle owned capacity)")

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.key)


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
        self.worker = Worker(self)  # the workbook export runs off the GUI thread

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
            card = ProgrammeKpiCard(key)
            card.clicked.connect(self.open_why)
            card.setFrameShape(QFrame.Shape.StyledPanel)
            box = QVBoxLayout(card)
            box.setContentsMargins(6, 4, 6, 4)
            title = QLabel(SUMMARY_LABELS[key][0])
            title.setWordWrap(True)
            value = QLabel("—")
            value.setObjectName(f"programme.kpi.{key}")
            font = value.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            font.setBold(True)
            value.setFont(font)
            box.addWidget(title)
            box.addWidget(value)
            self.kpis[key] = value
            grid.addWidget(card, i // KPI_COLUMNS, i % KPI_COLUMNS)
        self.problem_label = QLabel("")
        self.problem_label.setObjectName("programme.problem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)  # it quotes workload names: never markup
        self.problem_label.setStyleSheet("color: #b00020")

        self.charts = {name: ChartPanel(f"programme.{name}", title, f"{_FIGURES}:{chart}")
                       for name, title, chart in PROGRAMME_CHARTS}
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
        self.industry_note = QLabel("The industry figures are the inference share of all AI compute, the "
                                    "programme's the inference share of its own cost: a yardstick, not the same "
                                    "measure. Point at a row for its source's address.")
        self.industry_note.setWordWrap(True)
        share_layout.addWidget(self.industry_note)
        self.tabs.addTab(share_page, "Inference share")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(cards)
        right_layout.addWidget(self.problem_label)
        right_layout.addWidget(self.tabs, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("programme.splitter")
        splitter.addWidget(left)
        splitter.addWidget(self.editor)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 0)
        splitter.setStretchFactor(2, 1)
        splitter.setCollapsible(1, False)
        splitter.setCollapsible(2, False)
        # the editor as wide as in the scenario window: narrower, its ranges and the chip's name are cut
        self.editor.setMinimumWidth(EDITOR_MIN_WIDTH)
        for row in self.editor.rows.values():  # the chip's whole name ("NVIDIA H100 SXM"): the pane has the room
            if hasattr(row, "combo") and row.path.endswith(".chip"):
                row.combo.setMinimumContentsLength(CHIP_NAME_CHARS)
        splitter.setSizes(list(SPLITTER_SIZES))
        self.splitter = splitter
        self._splitter_scheduled = False  # showEvent has queued _apply_splitter
        self._splitter_applied = False  # _apply_splitter has run: the sizes are the remembered or default ones
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
        self.autosave_soon = QTimer(self)  # restarted by every edit: a burst of typing is one autosave
        self.autosave_soon.setSingleShot(True)
        self.autosave_soon.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave_soon.timeout.connect(self.autosave_now)
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
        """File, Edit, View and Help, every item with a shortcut (the scenario window's where they do the same;
        docs/gui.md lists them)."""
        S = QKeySequence.StandardKey
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("programme.menu.file")
        self.file_actions: dict[str, QAction] = {}
        for key, text, keys, slot in (("open", "&Open...", (None, S.Open), self.open_file),
                                      ("save", "&Save", (None, S.Save), self.save),
                                      ("save_as", "Save &As...", ("Ctrl+Shift+S", S.SaveAs), self.save_as),
                                      ("import", "&Import scenario as workload...", ("Ctrl+I", None),
                                       self.import_scenario),
                                      ("export_excel", "Export to &Excel...", ("Ctrl+Shift+X", None), self.export_excel),
                                      ("close", "&Close", ("Ctrl+W", S.Close), self.close)):
            action = self._menu_action(file_menu, key, text, keys, slot)
            self.file_actions[key] = action
        edit_menu = bar.addMenu("&Edit")
        edit_menu.setObjectName("programme.menu.edit")
        self.undo_action = self.document.undo_stack.createUndoAction(self, "&Undo")
        set_keys(self.undo_action, None, S.Undo)
        self.redo_action = self.document.undo_stack.createRedoAction(self, "&Redo")
        set_keys(self.redo_action, "Ctrl+Shift+Z", S.Redo)  # as in the scenario window; Ctrl+Y too on Windows
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        # the main window's names, for UndoKeys: Ctrl+Z in a field undoes the programme edit, not the field's text
        self.act_undo, self.act_redo = self.undo_action, self.redo_action
        from tcoapp.gui.widgets.keys import UndoKeys

        self.undo_keys = UndoKeys(self)
        workload_menu = bar.addMenu("&Workload")
        workload_menu.setObjectName("programme.menu.workload")
        self.workload_actions: dict[str, QAction] = {}
        for key, text, keys, slot in (
                ("add", "&Add workload", ("Ctrl+Shift+N", None), self.add_workload),
                ("duplicate", "&Duplicate workload", ("Ctrl+Shift+D", None), self.duplicate_workload),
                ("remove", "&Remove workload", ("Ctrl+Shift+Del", None), self.remove_workload),
                ("up", "Move &up", ("Ctrl+Shift+PgUp", None), lambda: self.move_workload(-1)),
                ("down", "Move do&wn", ("Ctrl+Shift+PgDown", None), lambda: self.move_workload(1)),
                ("previous", "&Previous workload", ("Ctrl+PgUp", None), lambda: self._select_next(-1)),
                ("next", "&Next workload", ("Ctrl+PgDown", None), lambda: self._select_next(1))):
            self.workload_actions[key] = self._menu_action(workload_menu, f"workload_{key}", text, keys,
                                                           lambda _checked=False, f=slot: f())
        view_menu = bar.addMenu("&View")
        view_menu.setObjectName("programme.menu.view")
        self.view_actions: list[QAction] = []
        for index in range(self.tabs.count()):
            action = self._menu_action(view_menu, f"view_{index}", self.tabs.tabText(index),
                                       (f"Ctrl+{index + 1}", None), lambda _checked=False, i=index: self.tabs.setCurrentIndex(i))
            self.view_actions.append(action)
        help_menu = bar.addMenu("&Help")
        help_menu.setObjectName("programme.menu.help")
        from ..dialogs import help as pages

        for key, text, keys, slot in (
                ("getting_started", "&Getting started", ("Shift+F1", None), lambda: pages.show_getting_started(self)),
                ("methodology", "&Methodology", ("F1", S.HelpContents), lambda: pages.show_methodology(self)),
                ("programmes", "&Programmes", ("Ctrl+Shift+F1", None), lambda: pages.show_programmes(self)),
                ("about", "&About tcoapp", ("Ctrl+F1", None), lambda: pages.show_about(self))):
            self._menu_action(help_menu, key, text, keys, lambda _checked=False, f=slot: f())

    def _menu_action(self, menu, key: str, text: str, keys: tuple, slot) -> QAction:
        action = QAction(text, self)
        action.setObjectName(f"programme.action.{key}")
        set_keys(action, *keys)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

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
        """The list's buttons and the Workload menu's items, enabled alike."""
        count = len(self.document.programme.workloads)
        enabled = {"remove": count > 1, "up": self.current_index > 0, "down": self.current_index < count - 1,
                   "previous": self.current_index > 0, "next": self.current_index < count - 1}
        for key, on in enabled.items():
            for widgets in (self.buttons, self.workload_actions):
                if key in widgets:
                    widgets[key].setEnabled(on)

    def _select_next(self, step: int) -> None:
        index = self.current_index + step
        if 0 <= index < len(self.document.programme.workloads):
            self.select_workload(index)

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
        self.autosave_soon.start()

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
        else:
            ask(self, Question("info", "Scenario imported",
                               f"{Path(path).name} is now the workload {name!r}. Nothing was left behind: its "
                               "shared values (finance, facility, chips, calendar, currency) are the programme's.",
                               options={"left_behind": []}))

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
        from tcoapp.gui.widgets.formatting import compact_money

        for key, label in self.kpis.items():
            if report is None:
                label.setText("—")
                label.setToolTip("")
                continue
            value = report["summary"][key]
            exact = format_value(key, value, programme.currency, programme.start_month)
            # money as finance writes it on a card (USD 77.1 M), as the scenario window does; exact in the tooltip
            label.setText(compact_money(value, programme.currency) if key in MONEY_KEYS else exact)
            label.setToolTip(exact)
        self._fill_budget()
        self._charts_timer.start()  # after the KPI cards are painted
        problem = self.problem
        if problem is not None and problem.path.startswith(f"workloads[{self.current_index}]."):
            problem = ScenarioError(problem.rule, path=problem.path.split(".", 1)[1], value=problem.value)
        self.editor.show_evaluation(None, problem)

    def _draw_charts(self) -> None:
        for chart in self.charts.values():
            chart.set_data(self.report)  # visible ones now (moved artists, blitted), hidden ones when shown
        self.charts_drawn.emit()

    def _fill_budget(self) -> None:
        """Show the budget rows; the header and the items are made once per shape (currency, rows) and
        their texts updated in place after that (clearing and refilling costs more than the evaluation)."""
        table = self.budget
        rows = [] if self.report is None else budget_rows(self.report)
        currency = self.document.programme.currency
        shape = (currency, tuple((row["year"], row["workload"]) for row in rows))
        if shape != getattr(self, "_budget_shape", None):
            self._budget_shape = shape
            table.clear()
            table.setColumnCount(2 + len(BUDGET_COLUMNS))
            table.setHorizontalHeaderLabels(["Year", "Workload"] + [f"{t} ({currency})" for _, t in BUDGET_COLUMNS])
            table.setRowCount(len(rows))
            for r, row in enumerate(rows):
                table.setItem(r, 0, QTableWidgetItem(str(row["year"])))
                table.setItem(r, 1, QTableWidgetItem(row["workload"]))
                for c in range(len(BUDGET_COLUMNS)):
                    item = QTableWidgetItem()
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    table.setItem(r, 2 + c, item)
            resize = True
        else:
            resize = False
        for r, row in enumerate(rows):
            for c, (key, _) in enumerate(BUDGET_COLUMNS):
                value = row[key]
                item = table.item(r, 2 + c)
                item.setText("—" if value is None else f"{round(value):,}")
                item.setData(Qt.ItemDataRole.UserRole, value)
        if resize:
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

    def _fill_industry(self) -> None:
        table = self.industry
        figures = industry_inference_share()
        table.setColumnCount(4)
        table.setHorizontalHeaderLabels(["Year", "Share", "Industry figure", "Source (as of)"])
        table.setRowCount(len(figures))
        table.setWordWrap(True)
        for r, fig in enumerate(figures):
            for c, text in enumerate((str(fig["year"]), f"{100 * fig['share']:.0f} %", fig.get("label", ""),
                                      f"{fig.get('source', '')} ({fig.get('as_of', '')})")):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{text}\n{fig.get('url', '')}".strip())
                table.setItem(r, c, item)
        header = table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Stretch)):
            header.setSectionResizeMode(column, mode)
        table.resizeRowsToContents()

    def open_why(self, key: str) -> None:
        """Clicking a KPI card: "why this number" for the programme (its formula and its parts)."""
        from .programme_why import ProgrammeWhyPanel
        from .why import open_why_panel

        open_why_panel(self, ProgrammeWhyPanel, key)

    def inference_share_rows(self) -> list[dict]:
        return [] if self.report is None else yearly_inference_share(self.report)

    # -- files -----------------------------------------------------------------------------------
    def autosave_now(self) -> Path | None:
        """Autosave the unsaved programme (or forget the autosave of a clean one); the file written or None."""
        self.autosave_soon.stop()
        if not self.document.dirty:
            self.document.remove_autosave()  # e.g. undone back to the saved version
            return None
        try:
            return self.document.autosave()
        except (OSError, ScenarioError) as error:
            self.statusBar().showMessage(f"Autosave failed: {error}")
            return None

    def open_file(self, path: str | None = None) -> None:
        if not path:
            path = ask(self, Question("open_file", "Open a programme or scenario", options={"filter": PROGRAMME_FILTER}))
        if path and not open_programme_path(path):  # the views layer does not reach up to the scenario window
            ask(self, Question("info", "Not a programme", f"{Path(path).name} is a scenario, not a programme: open "
                               "it from a scenario window (File > Open), or import it here as a workload."))

    def save(self) -> bool:
        """Save to the programme's file (Save As when it has none); False when nothing was written."""
        if self.document.path is None:
            return self.save_as()
        return self._write(self.document.path)

    def save_as(self) -> bool:
        document = self.document
        if document.path is not None:
            suggestion = str(document.path)
        else:
            stem = (document.programme.name or "programme").strip() or "programme"
            safe = "".join(ch if ch.isalnum() or ch in "-_ " else "-" for ch in stem).strip()
            suggestion = str(Path.home() / f"{safe}.tco")
        path = ask(self, Question("save_file", "Save the programme as",
                                  options={"filter": PROGRAMME_FILTER, "directory": suggestion}))
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != ".tco":
            path = path.with_name(path.name + ".tco")
        return self._write(path)

    def export_excel(self) -> Path | None:
        """Write the programme's workbook (live formulas, pooled fleets, budget, checks) on the worker."""
        from tcoapp.reports.export import ExportError, check_file_target, write_programme_excel

        document = self.document
        stem = document.path.stem if document.path is not None else (document.programme.name or "programme")
        safe = "".join(ch if ch.isalnum() or ch in "-_ " else "-" for ch in stem).strip() or "programme"
        folder = document.path.parent if document.path is not None else Path.home()
        path = ask(self, Question("save_file", "Export the programme to Excel",
                                  options={"filter": "Excel workbook (*.xlsx)", "directory": str(folder / f"{safe}.xlsx")}))
        if not path:
            return None
        path = Path(path)
        if path.suffix.lower() != ".xlsx":
            path = path.with_name(path.name + ".xlsx")
        try:
            check_file_target(path)
        except ExportError as error:
            ask(self, Question("error", "Cannot write the workbook", str(error)))
            return None
        programme = document.programme

        def failed(error):
            self.statusBar().showMessage("")
            ask(self, Question("error", "Cannot write the workbook", str(error)))

        self.statusBar().showMessage(f"Writing {path.name}…")
        self.worker.submit("Programme workbook", lambda progress=None, cancelled=None: write_programme_excel(path, programme),
                           on_result=lambda written: self.statusBar().showMessage(f"Exported {written}"),
                           on_error=failed)
        return path

    def _write(self, path: Path) -> bool:
        """Write the programme to ``path``, first asking what to do if its own file was changed on disk
        since it was read or written (reload, overwrite or save as), as the scenario window does."""
        document = self.document
        self.editor.flush()
        if document.path is not None and _same_file(document.path, path) and document.changed_on_disk():
            answer = ask(self, Question(
                "changed_on_disk", "File changed on disk",
                f"“{document.path.name}” was changed by another program or user since you opened or saved it.",
                "Reload it (your changes stay one Undo away), overwrite the other version, "
                "or save yours under another name."))
            if answer == "reload":
                try:
                    document.reload()
                except ScenarioError as error:
                    ask(self, Question("error", "Cannot reload the programme", str(error),
                                       "Your version is unchanged."))
                return False
            if answer == "save_as":
                return self.save_as()
            if answer != "overwrite":
                return False
        try:
            document.save(path)
        except ScenarioError as error:
            ask(self, Question("error", "Cannot save the programme", str(error), "Nothing was overwritten."))
            return False
        return True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._splitter_scheduled:  # the first layout pass shares the width out again: set it after that
            self._splitter_scheduled = True
            QTimer.singleShot(0, self._apply_splitter)

    def _apply_splitter(self) -> None:
        """The remembered splitter sizes (else the default ones); from then on, closing remembers the sizes."""
        remembered = _window_settings().value(SPLITTER_KEY)
        try:
            sizes = [int(v) for v in remembered] if isinstance(remembered, (list, tuple)) else []
        except (TypeError, ValueError):
            sizes = []
        if len(sizes) != 3 or min(sizes) < 0:
            rest = self.splitter.width() - sum(SPLITTER_SIZES[:2]) - 2 * self.splitter.handleWidth()
            sizes = [*SPLITTER_SIZES[:2], max(rest, SPLITTER_SIZES[2] // 2)]
        self.splitter.setSizes(sizes)
        self._splitter_applied = True

    def _remember_splitter(self) -> None:
        """Store the splitter sizes, once they were applied (before, they are the first layout pass's)."""
        if self._splitter_applied:
            store = _window_settings()
            store.setValue(SPLITTER_KEY, self.splitter.sizes())
            store.sync()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.document.dirty:
            answer = ask(self, Question("save_changes", "Save the programme?",
                                        f"{self.document.display_name()} has unsaved changes."))
            if answer == "cancel" or (answer == "save" and not self.save()):
                event.ignore()
                return
        self._remember_splitter()
        self._autosave.stop()
        self.autosave_soon.stop()
        self.undo_keys.remove()
        self.document.remove_autosave()
        self.worker.shutdown()
        _open_windows.pop(self, None)
        event.accept()


def _window_settings():
    """The window settings (``window.ini`` in the app's data folder), as the scenario window keeps them."""
    from PySide6.QtCore import QSettings

    from ..documents.autosave import data_dir

    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)


#: The open programme windows, oldest first (a dict: ordered, unlike a set).
_open_windows: dict = {}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


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
    _open_windows[window] = None
    return window


def recover_programmes(items: list[RecoveredProgramme]) -> tuple[int, int]:
    """Open each recovered programme in its own window, tied to the file it came from (an absolute path) and
    unsaved, and autosave it into this session at once, so it is kept until it is saved or discarded.

    An unedited window already showing that file makes way for the newer work. Returns how many were
    recovered and how many of their autosaves failed (the crashed session must then be kept)."""
    recovered = failed = 0
    for item in items:
        same = [w for w in open_programme_windows() if item.original_path and w.document.path is not None
                and _same_file(w.document.path, Path(item.original_path)) and not w.document.dirty]
        document = ProgrammeDocument(item.programme, item.original_path)
        document.disk_stamp = item.disk_stamp
        window = ProgrammeWindow(document)
        _open_windows[window] = None
        document.mark_dirty()
        window.show()
        for stale in same:
            stale.close()
        try:
            document.autosave()
        except (OSError, ScenarioError):
            failed += 1
        recovered += 1
    return recovered, failed


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
    """The open programme windows, oldest first."""
    return [w for w in _open_windows if isinstance(w, ProgrammeWindow)]


def show_main_window(main_window) -> bool:
    """Whether the scenario window should show at start: not when only programmes were opened."""
    return bool(getattr(main_window, "documents", True)) or not open_programme_windows()


#: ``--view`` of a programme window screenshot: the tab it shows.
SCREENSHOT_TABS = {"overview": 0, "budget": 1, "idle": 2, "share": 3}
#: The views only a programme window has (the others are the scenario window's too).
PROGRAMME_ONLY_VIEWS = ("budget", "idle", "share")


def programme_screenshot(app, out: str, view: str, size: str = "1280x800") -> int | None:
    """Render the (last opened) programme window to ``out``: 0 written, 1 failed, None no programme is open.

    A programme view (budget, idle, share) asked for with no programme open shows the bundled sample
    programme (as an untitled copy)."""
    windows = open_programme_windows()
    if not windows and view in PROGRAMME_ONLY_VIEWS:
        from tcoapp.paths import samples_dir

        open_programme_window(samples_dir() / "company-programme.tco", untitled=True)
        windows = open_programme_windows()
    if not windows:
        return None
    window = windows[-1]  # the one opened last: the file given on the command line
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
