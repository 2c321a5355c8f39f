"""The main window: open documents, the editor, the result views, menus, files and autosave.

Why one long file: the window wires menus, files, autosave and the views together; the
save and file flow it holds was being reworked (no lost work) while the GUI was reorganised, so
splitting it into an actions module and a files module is the next step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence, QUndoGroup
from PySide6.QtWidgets import (
    QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QProgressBar, QPushButton,
    QSplitter, QStackedWidget, QTabBar, QTabWidget, QToolBar, QVBoxLayout, QWidget,
)

from tcoapp.paths import programme_sample_files, sample_files
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.files import load_scenario

from tcoapp.gui.documents import autosave
from tcoapp.gui.dialogs.questions import Question, ask, show_error
from tcoapp.gui.documents.document import ScenarioDocument
from tcoapp.gui.views.editor import ScenarioEditor
from tcoapp.gui.views.results import Evaluation, LiveEvaluator, OverviewView
from tcoapp.gui.views.tables import TablesView
from tcoapp.gui.documents.worker import Worker
from tcoapp.gui.widgets.keys import set_keys

DEFAULT_TEMPLATE = "chat-assistant-owned-h100.tco"
VIEWS = ("overview", "tables", "compare", "sensitivity", "planner", "serving")
#: Background tasks whose answer depends on the active scenario: an edit cancels them.
STALE_ON_EDIT = {"Tornado", "Monte Carlo", "Goal seek", "Heat map", "Deployment comparison", "Chip comparison",
                 "Right-size", "Sweep", "Break-even"}
AUTOSAVE_INTERVAL_MS = 30_000
#: An edit is autosaved this long after typing stops (and at the latest every AUTOSAVE_INTERVAL_MS).
AUTOSAVE_DELAY_MS = 2_000


#: File > New from template and File > Open recent: the n-th entry is the prefix, then the n-th key
#: ("Ctrl+Shift+N, 1" opens a copy of the first template; "Ctrl+Shift+O, Del" clears the recent files).
TEMPLATE_KEY = "Ctrl+Shift+N"
RECENT_KEY = "Ctrl+Shift+O"
LIST_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")


def sample_title(sample: Path) -> str:
    """A sample as a menu names it: its own name ("Chat assistant on owned H100s"), else the file's; a
    programme sample as "Programme: ..." (it opens in the programme window)."""
    from tcoapp.scenario.programme import is_programme_file, load_programme

    try:
        if is_programme_file(sample):
            return f"Programme: {load_programme(sample).name.strip() or sample.stem.replace('-', ' ')}"
        return load_scenario(sample).name.strip() or sample.stem.replace("-", " ")
    except ScenarioError:
        return sample.stem.replace("-", " ")


def template_files() -> list[Path]:
    """File > New from template's entries: the scenario samples, then the programme samples."""
    return sample_files() + programme_sample_files()


def default_sample() -> Path | None:
    """The sample a first start opens (and File > New copies)."""
    samples = sample_files()
    for sample in samples:
        if sample.name == DEFAULT_TEMPLATE:
            return sample
    return samples[0] if samples else None


class EmptyState(QWidget):
    """Shown when no scenario is open: New from a template, Open, and the samples."""

    def __init__(self, window: "MainWindow"):
        super().__init__()
        self.setObjectName("empty")
        title = QLabel("<h2>No scenario open</h2>"
                       "<p>Start from a template, open a <code>.tco</code> file, or look at a sample.</p>")
        title.setWordWrap(True)
        new = QPushButton("New from template")
        new.setObjectName("empty.new")
        new.clicked.connect(lambda: window.new_document())
        open_button = QPushButton("Open…")
        open_button.setObjectName("empty.open")
        open_button.clicked.connect(window.open_dialog)
        self.samples = QListWidget()
        self.samples.setObjectName("empty.samples")
        for sample in template_files():
            item = QListWidgetItem(f"{sample_title(sample)}  ({sample.name})")
            item.setData(Qt.ItemDataRole.UserRole, str(sample))
            self.samples.addItem(item)
        self.samples.itemActivated.connect(
            lambda item: window.open_sample(Path(item.data(Qt.ItemDataRole.UserRole))))
        buttons = QHBoxLayout()
        buttons.addWidget(new)
        buttons.addWidget(open_button)
        buttons.addStretch(1)
        box = QWidget()
        box.setMaximumWidth(640)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addLayout(buttons)
        inner.addWidget(QLabel("Samples (double-click to open a copy):"))
        inner.addWidget(self.samples)
        layout = QHBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 3)
        layout.addStretch(1)


class LazyView(QWidget):
    """A tab page that builds its view the first time it is shown or asked for (faster start)."""

    def __init__(self, name: str, factory: Callable[[], QWidget]):
        super().__init__()
        self.setObjectName(f"tab.{name}")
        self._factory = factory
        self.view: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def get(self) -> QWidget:
        if self.view is None:
            self.view = self._factory()
            self.layout().addWidget(self.view)
            self.view.show()  # a child added to a shown page is otherwise shown only later
        return self.view

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.get()
        super().showEvent(event)


class MainWindow(QMainWindow):
    """Several scenarios open at once; the active one is edited and shown.

    Signals
    -------
    active_document_changed(object)
        Another document became active (or None when none is open).
    """

    active_document_changed = Signal(object)

    def __init__(self, autosave_interval_ms: int = AUTOSAVE_INTERVAL_MS, autosave_delay_ms: int = AUTOSAVE_DELAY_MS):
        super().__init__()
        self.setObjectName("mainwindow")
        self.setWindowTitle("tcoapp")
        self.setAcceptDrops(True)
        self.resize(1280, 800)
        self.documents: list[ScenarioDocument] = []
        self.active: ScenarioDocument | None = None
        self.undo_group = QUndoGroup(self)
        self.evaluator = LiveEvaluator(self)
        self.worker = Worker(self)
        self.autosave_session = autosave.AutosaveSession()
        self.editor: ScenarioEditor | None = None
        self._closing = False
        self.failed_autosaves = 0

        self._build_central()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()

        self.evaluator.evaluated.connect(self._on_evaluated)
        self.evaluator.input_changed.connect(self._on_input_changed)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(autosave_interval_ms)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self.autosave_timer.start()
        self.autosave_soon = QTimer(self)  # restarted by every edit: a burst of typing is one autosave
        self.autosave_soon.setSingleShot(True)
        self.autosave_soon.setInterval(autosave_delay_ms)
        self.autosave_soon.timeout.connect(self.autosave_now)
        self._update_actions()
        from tcoapp.gui.widgets.keys import UndoKeys

        self.undo_keys = UndoKeys(self)
        from tcoapp.gui.views import why

        why.install(self)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # the system switched between light and dark
            hints.colorSchemeChanged.connect(self.redraw_charts)

    # -- layout ------------------------------------------------------------------------------------
    def _build_central(self) -> None:
        self.stack = QStackedWidget()
        self.empty = EmptyState(self)
        self.workspace = QWidget()
        self.workspace.setObjectName("workspace")
        self.doc_tabs = QTabBar()
        self.doc_tabs.setObjectName("documents")
        self.doc_tabs.setTabsClosable(True)
        self.doc_tabs.setMovable(False)
        self.doc_tabs.setExpanding(False)
        self.doc_tabs.setDocumentMode(True)
        self.doc_tabs.currentChanged.connect(self._on_tab_changed)
        self.doc_tabs.tabCloseRequested.connect(lambda index: self.close_document(self.documents[index]))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("splitter")
        self.editor_holder = QWidget()
        self.editor_holder.setMinimumWidth(400)
        QVBoxLayout(self.editor_holder).setContentsMargins(0, 0, 0, 0)
        self.views = QTabWidget()
        self.views.setObjectName("views")
        self.overview = OverviewView()
        self.tables = TablesView()
        self.views.addTab(self.overview, "Overview")
        self.views.addTab(self.tables, "Tables")
        self.compare_tab = LazyView("compare", lambda: self._make_view("compare"))
        self.sensitivity_tab = LazyView("sensitivity", lambda: self._make_view("sensitivity"))
        self.views.addTab(self.compare_tab, "Compare")
        self.views.addTab(self.sensitivity_tab, "Sensitivity")
        self.planner_tab = LazyView("planner", lambda: self._make_view("planner"))
        self.views.addTab(self.planner_tab, "Right-size")
        self.serving_tab = LazyView("serving", lambda: self._make_view("serving"))
        self.views.addTab(self.serving_tab, "Serving")
        self.splitter.addWidget(self.editor_holder)
        self.splitter.addWidget(self.views)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([440, 840])
        self.splitter.setCollapsible(1, False)
        layout = QVBoxLayout(self.workspace)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addWidget(self.doc_tabs)
        layout.addWidget(self.splitter, 1)
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.workspace)
        self.setCentralWidget(self.stack)

    @property
    def compare(self):
        """The compare view (built on first use)."""
        return self.compare_tab.get()

    @property
    def sensitivity(self):
        """The sensitivity view (built on first use)."""
        return self.sensitivity_tab.get()

    @property
    def planner(self):
        """The "Right-size the model" view (built on first use)."""
        return self.planner_tab.get()

    @property
    def serving(self):
        """The serving trade-offs view (built on first use)."""
        return self.serving_tab.get()

    def show_view(self, name: str) -> QWidget:
        """Bring a view to the front: overview, tables, compare, sensitivity, planner or serving; returns it."""
        page = {"overview": self.overview, "tables": self.tables, "compare": self.compare_tab,
                "sensitivity": self.sensitivity_tab, "planner": self.planner_tab, "serving": self.serving_tab}[name]
        self.views.setCurrentWidget(page)
        return page.get() if isinstance(page, LazyView) else page

    def _make_view(self, name: str) -> QWidget:
        if name == "compare":
            from tcoapp.gui.views.compare import CompareView

            return CompareView(self)
        if name == "planner":
            from tcoapp.gui.views.planner import PlannerView

            return PlannerView(self)
        if name == "serving":
            from tcoapp.gui.views.serving import ServingView

            return ServingView(lambda: self.active.scenario if self.active is not None else None)
        from tcoapp.gui.views.sensitivity import SensitivityView

        return SensitivityView(self)

    def _action(self, text: str, slot: Callable, shortcut=None, name: str | None = None, tip: str = "") -> QAction:
        """``shortcut``: the text of the sequence the menu shows (``"Ctrl+Shift+X"``), a standard key, or both as
        ``(text, standard key)``; see :func:`tcoapp.gui.widgets.keys.key_sequences`."""
        action = QAction(text, self)
        if shortcut is not None:
            explicit, standard = shortcut if isinstance(shortcut, tuple) else (
                (shortcut, None) if isinstance(shortcut, str) else (None, shortcut))
            set_keys(action, explicit, standard)
        if name:
            action.setObjectName(f"action.{name}")
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        S = QKeySequence.StandardKey
        self.act_new = self._action("&New", lambda: self.new_document(), S.New, "new",
                                    "New scenario from the default template")
        self.act_open = self._action("&Open…", self.open_dialog, S.Open, "open", "Open a .tco scenario file")
        self.act_save = self._action("&Save", self.save, S.Save, "save", "Save the scenario")
        self.act_save_as = self._action("Save &As…", self.save_as, ("Ctrl+Shift+S", S.SaveAs), "save_as",
                                        "Save the scenario to another file")
        self.act_close = self._action("&Close", lambda: self.close_document(self.active), ("Ctrl+W", S.Close),
                                      "close_document",
                                      "Close this scenario")
        self.act_quit = self._action("&Quit", self.close, ("Ctrl+Q", S.Quit), "quit", "Quit tcoapp")
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.act_export_excel = self._action("&Excel workbook…", self.export_excel, "Ctrl+Shift+X", "export_excel",
                                             "Write the report as an Excel workbook")
        self.act_export_csv = self._action("&CSV (monthly table)…", self.export_csv, "Ctrl+Shift+E", "export_csv",
                                           "Write the monthly table as CSV")
        self.act_export_yearly_csv = self._action("CSV (&yearly table)…", lambda: self.export_csv(yearly=True),
                                                  "Ctrl+Shift+Y", "export_yearly_csv", "Write the yearly table as CSV")
        self.act_export_png = self._action("&PNG (charts)…", self.export_png, "Ctrl+Shift+P", "export_png",
                                           "Write the four overview charts as PNG images")
        self.act_export_all_charts = self._action("&All charts as PNG…", self.export_all_charts, "Ctrl+Shift+L",
                                                  "export_all_charts", "Write every chart (overview, serving, "
                                                  "right-size, and sensitivity when computed) as PNG images "
                                                  "into a folder")
        self.act_undo = self.undo_group.createUndoAction(self, "Undo")
        set_keys(self.act_undo, None, S.Undo)
        self.act_undo.setObjectName("action.undo")
        self.act_redo = self.undo_group.createRedoAction(self, "Redo")
        set_keys(self.act_redo, "Ctrl+Shift+Z", S.Redo)  # Ctrl+Y too where it is the platform's Redo
        self.act_redo.setObjectName("action.redo")
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_chips = self._action("&Chips…", lambda: self.open_chip_dialog("inference.chip"), "Ctrl+Shift+I", "chips",
                                      "The chip catalog with specs, prices and dates; custom chips")
        self.act_prices = self._action("&Price book…", lambda: self.open_price_book(), "Ctrl+Shift+B", "prices",
                                       "Fill prices from dated, sourced offers; import or export a price book as CSV")
        self.act_copy_table = self._action("Copy &table", self.copy_table, "Ctrl+Shift+T", "copy_table",
                                           "Copy the current table as tab-separated values")
        self.act_methodology = self._action("&Methodology", self.show_methodology, ("F1", S.HelpContents), "methodology",
                                            "How every figure is computed")
        self.act_getting_started = self._action("&Getting started", self.show_getting_started, "Shift+F1",
                                                "getting_started", "A short tour: samples, inputs, KPIs, "
                                                "comparisons and the workbook")
        self.act_about = self._action("&About tcoapp", self.show_about, "Ctrl+F1", "about")
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.view_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for index, name in enumerate(VIEWS):
            action = self._action(self.views.tabText(index), lambda i=index: self.views.setCurrentIndex(i),
                                  f"Ctrl+{index + 1}", f"view_{name}")
            action.setCheckable(True)
            group.addAction(action)
            self.view_actions[name] = action
        self.views.currentChanged.connect(lambda i: self.view_actions[VIEWS[i]].setChecked(True))
        self.views.currentChanged.connect(lambda i: self._update_actions())
        self.view_actions["overview"].setChecked(True)
        self.act_tornado = self._action("&Tornado", lambda: self.run_tool("tornado"), "Ctrl+T", "tornado",
                                        "Which inputs move the lifetime cost most")
        self.act_monte_carlo = self._action("&Monte Carlo", lambda: self.run_tool("monte_carlo"), "Ctrl+Shift+M",
                                            "monte_carlo", "How sure are we: sample the uncertain inputs")
        self.act_heatmap = self._action("&Heat map", lambda: self.run_tool("heatmap"), "Ctrl+Shift+H", "heatmap",
                                        "A metric over a grid of two inputs")
        self.act_goal_seek = self._action("&Goal seek…", lambda: self.sensitivity.goal_seek(), "Ctrl+G", "goal_seek",
                                          "Find the input value that hits a target")
        self.act_compare_deployments = self._action("Compare &deployments", lambda: self.run_tool("deployments"),
                                                    "Ctrl+J", "compare_deployments", "API, cloud or owned")
        self.act_compare_chips = self._action("Compare c&hips", lambda: self.run_tool("chips"), "Ctrl+Shift+D",
                                              "compare_chips", "The scenario on every chip")
        self.act_uncertainty = self._action("&Uncertainty…", lambda: self.sensitivity.edit_uncertainty(), "Ctrl+Shift+R",
                                            "uncertainty", "Distributions of the uncertain inputs")
        self.act_right_size = self._action("&Right-size the model…", lambda: self.show_view("planner"), "Ctrl+R",
                                           "right_size", "The model size and training tokens with the lowest "
                                           "lifetime cost or FLOPs for a target quality")
        self.act_sweep = self._action("&Sweep", lambda: self.run_tool("sweep"), "Ctrl+L", "sweep",
                                      "A metric over a range of one input, as a line chart and a table")
        self.act_break_even = self._action("&Break-even against another deployment…",
                                           lambda: self.sensitivity.break_even(), "Ctrl+B", "break_even",
                                           "The input value at which this scenario costs what it would as API, "
                                           "cloud or owned")
        self.tool_actions = [self.act_tornado, self.act_monte_carlo, self.act_sweep, self.act_heatmap,
                             self.act_goal_seek, self.act_break_even, None,
                             self.act_compare_deployments, self.act_compare_chips, None, self.act_right_size]
        self.act_next_doc = self._action("Next scenario", lambda: self._cycle(1), ("Ctrl+Tab", S.NextChild),
                                         "next_document")
        # Ctrl+Shift+Tab arrives as Ctrl+Shift+Backtab (Shift turns Tab into Backtab); the menu shows the keys
        # as pressed, not Qt's name for them ("Ctrl+Shift+Backtab")
        self.act_prev_doc = self._action("Previous scenario", lambda: self._cycle(-1), None, "previous_document")
        set_keys(self.act_prev_doc, "Ctrl+Shift+Tab", S.PreviousChild, also=("Ctrl+Shift+Backtab",))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.setObjectName("menu.file")
        file_menu.addAction(self.act_new)
        self.template_menu = file_menu.addMenu("New from &template")
        self.template_menu.setObjectName("menu.templates")
        for number, sample in enumerate(template_files()[:len(LIST_KEYS)]):
            if number == len(sample_files()):
                self.template_menu.addSeparator()  # the programmes, which open in their own window
            action = self.template_menu.addAction(sample_title(sample))
            action.setObjectName(f"action.template.{sample.stem}")
            action.setStatusTip(f"A new untitled copy of the sample {sample.name}")
            action.setShortcut(QKeySequence(f"{TEMPLATE_KEY}, {LIST_KEYS[number]}"))
            action.triggered.connect(lambda checked=False, s=sample: self.open_sample(s))
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu("Open &recent")
        self.recent_menu.setObjectName("menu.recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(self.act_save)
        file_menu.addAction(self.act_save_as)
        export = file_menu.addMenu("&Export")
        export.setObjectName("menu.export")
        export.addAction(self.act_export_excel)
        export.addAction(self.act_export_csv)
        export.addAction(self.act_export_yearly_csv)
        export.addAction(self.act_export_png)
        export.addAction(self.act_export_all_charts)
        file_menu.addSeparator()
        file_menu.addAction(self.act_close)
        file_menu.addAction(self.act_quit)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.act_undo)
        edit.addAction(self.act_redo)
        edit.addSeparator()
        edit.addAction(self.act_copy_table)
        edit.addAction(self.act_chips)
        edit.addAction(self.act_prices)
        self.edit_menu = edit
        view = bar.addMenu("&View")
        for action in self.view_actions.values():
            view.addAction(action)
        view.addSeparator()
        view.addAction(self.act_next_doc)
        view.addAction(self.act_prev_doc)
        self.tools_menu = bar.addMenu("&Tools")
        self.tools_menu.setObjectName("menu.tools")
        for action in self.tool_actions:
            if action is None:
                self.tools_menu.addSeparator()
            else:
                self.tools_menu.addAction(action)
        edit.addAction(self.act_uncertainty)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_getting_started)
        help_menu.addAction(self.act_methodology)
        help_menu.addAction(self.act_about)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setIconSize(QSize(16, 16))
        for action, word in ((self.act_undo, "Undo"), (self.act_redo, "Redo")):
            # one width whatever the last change: the button reads "Undo", the menu and tooltip name the change
            action.setIconText(word)
        for action in (self.act_new, self.act_open, self.act_save, None, self.act_undo, self.act_redo, None,
                       self.act_export_excel):
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.status_label = QLabel("")
        self.status_label.setObjectName("status.message")
        self.progress = QProgressBar()
        self.progress.setObjectName("status.progress")
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("status.cancel")
        self.cancel_button.clicked.connect(self.worker.cancel)
        self.cancel_button.hide()
        status.addWidget(self.status_label, 1)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        self.worker.started.connect(self._on_task_started)
        self.worker.progress.connect(self._on_task_progress)
        self.worker.busy_changed.connect(self._on_busy_changed)
        self.worker.failed.connect(self._on_task_failed)

    # -- documents ---------------------------------------------------------------------------------
    def add_document(self, document: ScenarioDocument) -> ScenarioDocument:
        """Open a document in a new tab and make it active."""
        document.setParent(self)
        self.documents.append(document)
        self.undo_group.addStack(document.undo_stack)
        document.dirty_changed.connect(self._update_titles)
        document.path_changed.connect(self._update_titles)
        document.changed.connect(self._on_any_document_changed)
        document.changed.connect(self._schedule_autosave)
        if self.editor is None:
            self.editor = ScenarioEditor(document)
            self.editor.chip_dialog_requested.connect(self.open_chip_dialog)
            self.editor_holder.layout().addWidget(self.editor)
        self.doc_tabs.blockSignals(True)
        self.doc_tabs.addTab(document.display_name())
        self.doc_tabs.blockSignals(False)
        self.stack.setCurrentWidget(self.workspace)
        self.activate(document)
        return document

    def activate(self, document: ScenarioDocument) -> None:
        if document is self.active:
            return
        self.active = document
        index = self.documents.index(document)
        if self.doc_tabs.currentIndex() != index:
            self.doc_tabs.blockSignals(True)
            self.doc_tabs.setCurrentIndex(index)
            self.doc_tabs.blockSignals(False)
        self.undo_group.setActiveStack(document.undo_stack)
        self.editor.set_document(document)
        self.evaluator.set_document(document)
        self._update_titles()
        self._update_actions()
        self.active_document_changed.emit(document)

    def _on_tab_changed(self, index: int) -> None:
        if 0 <= index < len(self.documents):
            self.activate(self.documents[index])

    def _cycle(self, step: int) -> None:
        if len(self.documents) > 1 and self.active is not None:
            index = (self.documents.index(self.active) + step) % len(self.documents)
            self.activate(self.documents[index])

    def new_document(self, template: Path | None = None, name: str | None = None) -> ScenarioDocument | None:
        """A new untitled scenario, a copy of a template (the default sample)."""
        template = template or default_sample()
        if template is None:
            return None
        try:
            scenario = load_scenario(template)
        except ScenarioError as error:
            show_error(self, "Cannot read the template", str(error))
            return None
        return self.add_document(ScenarioDocument(scenario, untitled_name=name))

    def open_sample(self, sample: Path) -> ScenarioDocument | None:
        """A sample opens as an untitled copy, so saving never writes into the app's own files (a programme
        sample in a programme window, also untitled; None then)."""
        from tcoapp.gui.views.programme import open_programme_path

        if open_programme_path(sample, untitled=True):
            return None
        return self.new_document(sample, name=f"{sample.stem} (sample)")

    def open_dialog(self) -> None:
        folder = str(self.active.path.parent) if self.active is not None and self.active.path else str(Path.home())
        path = ask(self, Question("open_file", "Open scenario", options={"directory": folder}))
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> ScenarioDocument | None:
        """Open a ``.tco`` file; a bad or newer file shows the loader's message and changes nothing."""
        from tcoapp.gui.views.programme import open_programme_path

        if open_programme_path(path):  # a programme file opens in the programme window
            return None
        path = Path(path)
        for document in self.documents:
            if document.path is not None and _same_file(document.path, path):
                self.activate(document)
                return document
        try:
            document = ScenarioDocument.open(path)
        except ScenarioError as error:
            show_error(self, "Cannot open the scenario", str(error),
                       "The file was not changed. Fix the named field, or open another file.")
            return None
        pristine = self._pristine_start_document()
        self.add_document(document)
        if pristine is not None:
            self._discard_document(pristine)
        autosave.add_recent_file(path)
        self._fill_recent_menu()
        self._tell_about_upgrade(path)
        return document

    def _tell_about_upgrade(self, path: Path) -> None:
        """Say once, when a file of an older model version opens, what changed in its numbers."""
        from tcoapp.scenario.files import migration_notices, read_json_object

        try:
            notices = migration_notices(read_json_object(path))
        except ScenarioError:
            return
        if notices:
            ask(self, Question("info", "An older scenario file", "\n\n".join(notices) +
                               "\n\nSaving writes it as a version-2 file."))

    def _pristine_start_document(self) -> ScenarioDocument | None:
        """The untouched sample shown at start, replaced by the first file the user opens."""
        if len(self.documents) == 1:
            only = self.documents[0]
            if getattr(only, "start_sample", False) and only.path is None and not only.dirty \
                    and only.undo_stack.count() == 0:
                return only
        return None

    def save(self, document: ScenarioDocument | None = None) -> bool:
        document = document or self.active
        if document is None:
            return False
        if document.path is None:
            return self.save_as(document)
        return self._write(document, document.path)

    def save_as(self, document: ScenarioDocument | None = None) -> bool:
        document = document or self.active
        if document is None:
            return False
        if document.path is not None:
            suggestion = str(document.path)
        else:
            stem = (document.scenario.name or document.display_name()).strip() or "scenario"
            safe = "".join(ch if ch.isalnum() or ch in "-_ " else "-" for ch in stem).strip()
            suggestion = str(Path.home() / f"{safe}.tco")
        path = ask(self, Question("save_file", "Save scenario as", options={"directory": suggestion}))
        if not path:
            return False
        path = Path(path)
        if path.suffix.lower() != ".tco":
            path = path.with_name(path.name + ".tco")
        return self._write(document, path)

    def _write(self, document: ScenarioDocument, path: Path) -> bool:
        if self.editor is not None and document is self.active:
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
                    show_error(self, "Cannot reload the scenario", str(error), "Your version is unchanged.")
                    return False
                self.autosave_session.remove(document.autosave_id)
                self.status_label.setText(f"Reloaded {document.path}: Undo brings your version back")
                return False
            if answer == "save_as":
                return self.save_as(document)
            if answer != "overwrite":
                return False
        try:
            document.save(path)
        except ScenarioError as error:
            show_error(self, "Cannot save the scenario", str(error), "Nothing was overwritten.")
            return False
        self.autosave_session.remove(document.autosave_id)
        autosave.add_recent_file(path)
        self._fill_recent_menu()
        self.status_label.setText(f"Saved {path}")
        return True

    def maybe_save(self, document: ScenarioDocument) -> bool:
        """Ask to save unsaved changes; False when the user cancels."""
        if not document.dirty:
            return True
        answer = ask(self, Question("save_changes", "Save changes?",
                                    f"Save the changes to “{document.display_name()}” before closing?",
                                    "Your changes are lost if you don't save them."))
        if answer == "save":
            return self.save(document)
        return answer == "discard"

    def close_document(self, document: ScenarioDocument | None) -> bool:
        if document is None or document not in self.documents:
            return False
        if not self.maybe_save(document):
            return False
        self._discard_document(document)
        return True

    def _discard_document(self, document: ScenarioDocument) -> None:
        index = self.documents.index(document)
        was_active = document is self.active
        self.documents.remove(document)
        self.autosave_session.remove(document.autosave_id)
        try:
            document.dirty_changed.disconnect(self._update_titles)
            document.path_changed.disconnect(self._update_titles)
            document.changed.disconnect(self._on_any_document_changed)
            document.changed.disconnect(self._schedule_autosave)
        except (RuntimeError, TypeError):
            pass
        self.doc_tabs.blockSignals(True)
        self.doc_tabs.removeTab(index)
        self.doc_tabs.blockSignals(False)
        self.undo_group.removeStack(document.undo_stack)
        if was_active:
            self.active = None
            if self.documents:
                self.activate(self.documents[min(index, len(self.documents) - 1)])
            else:
                self.stack.setCurrentWidget(self.empty)
                self.active_document_changed.emit(None)
                self._update_titles()
                self._update_actions()
        else:
            self._update_titles()
        document.deleteLater()

    # -- titles and actions ------------------------------------------------------------------------
    def _update_titles(self, *_args) -> None:
        for index, document in enumerate(self.documents):
            text = ("*" if document.dirty else "") + document.display_name()
            self.doc_tabs.setTabText(index, text)
            self.doc_tabs.setTabToolTip(index, str(document.path) if document.path else "Not saved yet")
        if self.active is None:
            self.setWindowTitle("tcoapp")
            self.setWindowModified(False)
            return
        name = self.active.scenario.name
        label = self.active.display_name() + (f" — {name}" if name else "")
        self.setWindowTitle(f"{label}[*] — tcoapp")
        self.setWindowModified(self.active.dirty)

    def _update_actions(self) -> None:
        has_doc = self.active is not None
        for action in (self.act_save, self.act_save_as, self.act_close, self.act_export_excel, self.act_export_csv,
                       self.act_export_yearly_csv, self.act_export_png, self.act_export_all_charts, self.act_chips,
                       self.act_copy_table):
            action.setEnabled(has_doc)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = autosave.recent_files()
        for number, path in enumerate(files[:len(LIST_KEYS)]):
            action = self.recent_menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setShortcut(QKeySequence(f"{RECENT_KEY}, {LIST_KEYS[number]}"))
            action.triggered.connect(lambda checked=False, p=path: self.open_file(p))
        if files:
            self.recent_menu.addSeparator()
            clear = self.recent_menu.addAction("Clear list")
            clear.setShortcut(QKeySequence(f"{RECENT_KEY}, Del"))
            clear.triggered.connect(lambda: (autosave.clear_recent_files(), self._fill_recent_menu()))
        # no files: an empty, greyed-out submenu (not an item "(none)" that does nothing)
        self.recent_menu.setEnabled(bool(files))

    # -- evaluation --------------------------------------------------------------------------------
    def redraw_charts(self, *_args) -> None:
        """Redraw every chart in the current palette (after a light/dark switch)."""
        from tcoapp.gui.charts.panel import ChartPanel

        for panel in self.findChildren(ChartPanel):
            if panel.data is not None:
                panel.stale = True
                if panel.isVisible():
                    panel.redraw()

    def run_tool(self, name: str) -> None:
        """Show a sensitivity or comparison tool and run it on the active scenario."""
        if self.active is None:
            return
        if name in ("deployments", "chips"):
            view = self.show_view("compare")
            panel = view.deployments if name == "deployments" else view.chips
            view.solver_tabs.setCurrentWidget(panel)
        else:
            view = self.show_view("sensitivity")
            panel = getattr(view, name)
            view.tabs.setCurrentWidget(panel)
        panel.run()

    def _on_evaluated(self, evaluation: Evaluation) -> None:
        self.overview.show_evaluation(evaluation)
        self.tables.show_evaluation(evaluation)
        if self.editor is not None:
            self.editor.show_evaluation(evaluation.summary, evaluation.problem)
        if self.sensitivity_tab.view is not None:
            self.sensitivity.show_evaluation(evaluation)
        if evaluation.problem is None:
            self.status_label.setText(f"Computed in {evaluation.seconds * 1000:.0f} ms")
        else:
            self.status_label.setText(f"Cannot compute: {evaluation.problem.rule}")
        self._update_titles()

    def _on_input_changed(self) -> None:
        """The active scenario changed: a running analysis of the old inputs is stale."""
        task = self.worker.current
        if task is not None and task.name in STALE_ON_EDIT:
            self.worker.cancel()
            self.status_label.setText(f"{task.name} cancelled: the inputs changed")
        if self.sensitivity_tab.view is not None:
            self.sensitivity.input_changed()
        if self.compare_tab.view is not None:
            self.compare.input_changed()
        if self.planner_tab.view is not None:
            self.planner.input_changed()
        if self.serving_tab.view is not None:
            self.serving.input_changed()

    def _on_any_document_changed(self, _paths) -> None:
        if self.compare_tab.view is not None:
            self.compare.documents_changed()

    # -- background tasks --------------------------------------------------------------------------
    def _on_task_started(self, name: str) -> None:
        self.progress.setValue(0)
        self.progress.setFormat(f"{name} %p%")
        self.status_label.setText(f"{name}…")

    def _on_task_progress(self, name: str, fraction: float) -> None:
        self.progress.setValue(int(1000 * max(0.0, min(1.0, fraction))))

    def _on_busy_changed(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        if not busy and self.status_label.text().endswith("…"):
            self.status_label.setText("")

    def _on_task_failed(self, name: str, error: BaseException) -> None:
        self.status_label.setText(f"{name} failed: {error}")

    # -- exports -----------------------------------------------------------------------------------
    def _export_target(self, title: str, suffix: str, file_filter: str) -> Path | None:
        if self.active is None:
            return None
        base = self.active.path.with_suffix(suffix) if self.active.path else \
            Path.home() / f"{(self.active.scenario.name or 'scenario').replace('/', '-')}{suffix}"
        path = ask(self, Question("save_file", title, options={"directory": str(base), "filter": file_filter}))
        if not path:
            return None
        path = Path(path)
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        return path

    def _current_report(self) -> dict | None:
        evaluation = self.evaluator.evaluate_now() if self.evaluator.pending else self.evaluator.latest
        if evaluation is None or evaluation.report is None:
            problem = evaluation.problem if evaluation is not None else "no scenario"
            show_error(self, "Nothing to export", f"The scenario cannot be computed: {problem}")
            return None
        return evaluation.report

    def sensitivity_results(self) -> dict:
        """The tornado and Monte Carlo results of the active scenario, if current, for the workbook."""
        out: dict = {}
        view = self.sensitivity_tab.view
        scenario = self.active.scenario if self.active is not None else None
        tornado = getattr(view, "tornado", None)
        if tornado is not None and tornado.result is not None and tornado.result_scenario == scenario:
            out["tornado"] = tornado.result
        monte_carlo = getattr(view, "monte_carlo", None)
        if monte_carlo is not None and monte_carlo.result is not None and monte_carlo.result_scenario == scenario:
            out["monte_carlo"] = workbook_monte_carlo(monte_carlo.result, scenario.currency)
        return out

    def export_excel(self) -> Path | None:
        """Write the workbook on the worker (it takes a moment); the status bar says when it is done."""
        report = self._current_report()
        if report is None:
            return None
        path = self._export_target("Export to Excel", ".xlsx", "Excel workbook (*.xlsx)")
        if path is None:
            return None
        from tcoapp.reports.export import ExportError, check_file_target, write_excel

        try:
            check_file_target(path)
        except ExportError as error:
            show_error(self, "Cannot write the workbook", str(error))
            return None
        scenario = self.active.scenario
        extras = self.sensitivity_results()

        def job(progress=None, cancelled=None):
            return write_excel(path, scenario, **extras)

        def failed(error):
            show_error(self, "Cannot write the workbook", str(error))

        self.worker.submit("Excel export", job, on_result=lambda p: self.status_label.setText(f"Exported {p}"),
                           on_error=failed)
        return path

    def export_csv(self, yearly: bool = False) -> Path | None:
        report = self._current_report()
        if report is None:
            return None
        path = self._export_target("Export yearly table to CSV" if yearly else "Export monthly table to CSV",
                                   ".csv", "CSV (*.csv)")
        if path is None:
            return None
        from tcoapp.reports.export import ExportError, write_table_csv
        from tcoapp.reports.tables import monthly_table, yearly_table

        try:
            write_table_csv(path, yearly_table(report) if yearly else monthly_table(report))
        except ExportError as error:
            show_error(self, "Cannot write the CSV file", str(error))
            return None
        self.status_label.setText(f"Exported {path}")
        return path

    def export_png(self) -> list[Path]:
        """Write the overview charts (and a current tornado) as ``NAME-monthly-cost.png``, ``NAME-cumulative.png``, ..."""
        report = self._current_report()
        if report is None:
            return []
        path = self._export_target("Export charts as PNG (one file per chart)", ".png", "PNG image (*.png)")
        if path is None:
            return []
        from tcoapp.reports.export import ExportError, write_figures

        try:
            written = write_figures(path.parent, report, path.stem, ("png",),
                                    tornado=self.sensitivity_results().get("tornado"), dpi=150)
        except ExportError as error:
            show_error(self, "Cannot write the images", str(error))
            return []
        self.status_label.setText(f"Exported {len(written)} charts to {path.parent}")
        return written

    def chart_exports(self) -> list[tuple[str, object]]:
        """Every chart of the active scenario worth a file, as (file name part, ChartPanel).

        The overview's four (the cost charts on the basis they show); serving and right-size,
        computed now if their views have not (both take milliseconds); the tornado, Monte Carlo
        and heat map when they were computed for the current inputs; the open scenarios' curves
        when the compare view is open.
        """
        if self.active is None:
            return []
        scenario = self.active.scenario
        self.overview.draw_pending()
        charts: list[tuple[str, object]] = [(stem, self.overview.charts[name]) for stem, name in (
            ("monthly-cost", "monthly"), ("cumulative", "cumulative"), ("yearly", "yearly"), ("fleet", "fleet"))]
        serving = self.serving
        if serving.stale or serving.scenario is not scenario:
            serving.show_scenario(scenario)
            serving.stale = False
        charts += [("serving-tradeoff", serving.tradeoff), ("serving-thinking-budget", serving.thinking)]
        planner = self.planner
        if not planner.is_current():
            from tcoapp.scenario.planning import plan_scenario

            options = planner.options()
            try:
                planner.show_plan(plan_scenario(scenario, **options), scenario, options)
            except Exception as error:  # noqa: BLE001 - the planner's own message; the other charts still go
                self.status_label.setText(f"Right-size chart left out: {error}")
        if planner.is_current():
            charts.append(("right-size", planner.chart))
        view = self.sensitivity_tab.view
        if view is not None:
            if view.tornado.result is not None and view.tornado.result_scenario == scenario:
                charts.append(("tornado", view.tornado.chart))
            if view.monte_carlo.result is not None and view.monte_carlo.result_scenario == scenario:
                charts += [("monte-carlo-histogram", view.monte_carlo.histogram),
                           ("monte-carlo-fan", view.monte_carlo.fan)]
            if view.heatmap.result is not None and view.heatmap.result_scenario == scenario:
                charts.append(("heatmap", view.heatmap.chart))
        if self.compare_tab.view is not None:
            charts.append(("compare-open-scenarios", self.compare.curves))
        return [(stem, panel) for stem, panel in charts if panel.data is not None]

    def export_all_charts(self, folder: str | None = None) -> list[Path]:
        """Write every chart (:meth:`chart_exports`) as ``<folder>/<name>-<chart>.png``, each atomically."""
        if self.active is None or self._current_report() is None:
            return []
        if folder is None:
            start = self.active.path.parent if self.active.path else Path.home()
            folder = ask(self, Question("folder", "Export all charts as PNG (one file per chart)",
                                        options={"directory": str(start)}))
            if not folder:
                return []
        from tcoapp.gui.charts.panel import write_chart_pngs
        from tcoapp.reports.export import ExportError

        name = self.active.path.stem if self.active.path else (self.active.scenario.name or "scenario")
        name = "".join("-" if c in '/\\:*?"<>|' else c for c in name).strip() or "scenario"
        charts = [(f"{name}-{stem}", panel) for stem, panel in self.chart_exports()]
        try:
            written = write_chart_pngs(folder, charts)
        except ExportError as error:
            show_error(self, "Cannot write the images", str(error))
            return []
        self.status_label.setText(f"Exported {len(written)} charts to {folder}")
        return written

    def copy_table(self) -> None:
        self.show_view("tables")
        self.tables.copy_current()
        self.status_label.setText("Table copied as tab-separated values")

    # -- chips, help -------------------------------------------------------------------------------
    def open_chip_dialog(self, path: str = "inference.chip") -> None:
        if self.active is None:
            return
        from tcoapp.gui.dialogs.chips import ChipDialog

        dialog = ChipDialog(self.active.scenario, path, self)
        if ask(self, Question("dialog", "Chips", options={"dialog": dialog})) == "accepted":
            dialog.apply(self.active)
        dialog.deleteLater()

    def open_price_book(self, target: str = "api") -> None:
        """Pick a sourced offer for a price field; applied as one undoable edit that records its source in the notes."""
        if self.active is None:
            return
        from tcoapp.gui.dialogs.prices import PriceBookDialog

        dialog = PriceBookDialog(self.active.scenario, target, self)
        if ask(self, Question("dialog", "Price book", options={"dialog": dialog})) == "accepted" and dialog.values:
            offer = dialog.chosen
            line = (f"Price book: {', '.join(dialog.values)} from {offer.id} ({offer.summary()}; "
                    f"{offer.source}, as of {offer.as_of})")
            notes = self.active.scenario.notes
            values = dict(dialog.values)
            values["notes"] = f"{notes}\n{line}" if notes else line
            self.active.set_values(values, label=f"Prices from {offer.id}")
            self.status_label.setText(line)
        dialog.deleteLater()

    def show_methodology(self) -> None:
        from tcoapp.gui.app.help import show_methodology

        show_methodology(self)

    def show_getting_started(self) -> None:
        from tcoapp.gui.app.help import show_getting_started

        show_getting_started(self)

    def offer_getting_started(self) -> None:
        """On the first start, offer the getting-started page (once; remembered in the settings)."""
        from tcoapp.gui.app.help import offer_getting_started

        offer_getting_started(self)

    def about_text(self) -> str:
        from tcoapp.gui.app.help import about_text

        return about_text()

    def show_about(self) -> None:
        from tcoapp.gui.app.help import show_about

        show_about(self)

    # -- autosave and recovery ---------------------------------------------------------------------
    def _schedule_autosave(self, *_args) -> None:
        if not self._closing:
            self.autosave_soon.start()

    def autosave_now(self) -> int:
        """Autosave every unsaved document; returns how many were written."""
        self.autosave_soon.stop()
        self.failed_autosaves = 0
        written = 0
        for document in self.documents:
            if document.dirty:
                try:
                    self.autosave_session.write(document.autosave_id, document.scenario, document.path,
                                                document.display_name(), document.disk_stamp)
                    written += 1
                except ScenarioError as error:
                    self.failed_autosaves += 1
                    self.status_label.setText(f"Autosave failed: {error}")
            else:
                self.autosave_session.remove(document.autosave_id)
        return written

    def offer_recovery(self) -> int:
        """After a crash, offer the autosaved scenarios; returns how many were recovered.

        Nothing autosaved is lost on the way: recovered scenarios are autosaved
        into this window's session before the crashed sessions are deleted (a
        crash in between leaves both, and the work is offered again), and they
        stay autosaved until each is saved or explicitly discarded. Declining asks
        again before deleting; a second "No" keeps the work for the next start.
        """
        from tcoapp.gui.documents.programme import recoverable_programmes
        from tcoapp.gui.views.programme import recover_programmes

        found = autosave.find_recoverable()
        programmes = recoverable_programmes()  # offered, kept and deleted exactly as the scenarios are
        sessions = autosave.stale_sessions()
        if not found and not programmes:
            autosave.discard_sessions(sessions)
            return 0
        names = "\n".join(f"• {item.display_name}" + (f" ({item.original_path})" if item.original_path else "")
                          for item in [*found, *programmes])
        what = " and ".join(kind for kind, items in (("scenarios", found), ("programmes", programmes)) if items)
        answer = ask(self, Question("yes_no", "Recover unsaved work?",
                                    f"tcoapp did not close normally. Recover the {what} it autosaved?", names))
        if answer != "yes":
            confirm = ask(self, Question("yes_no", "Delete the unsaved work?",
                                         f"Delete the autosaved {what} for good? Answer No to keep them "
                                         "and be asked again the next time tcoapp starts.", names))
            if confirm == "yes":
                autosave.discard_sessions(sessions)
            else:
                self.status_label.setText("Autosaved work kept: it is offered again at the next start")
            return 0
        recovered = 0
        pristine = self._pristine_start_document()
        for item in found:
            same = [d for d in self.documents if item.original_path and d.path is not None
                    and _same_file(d.path, Path(item.original_path)) and not d.dirty]
            document = ScenarioDocument(item.scenario, item.original_path)
            document.disk_stamp = item.disk_stamp
            self.add_document(document)
            document.mark_dirty()
            for stale in same:  # the saved version opened at start makes way for the newer work
                self._discard_document(stale)
            recovered += 1
        if pristine is not None and found:  # recovered scenarios replace the start sample; programmes do not
            self._discard_document(pristine)
        self._update_titles()
        self.autosave_now()  # the recovered work is in this session before the old one goes
        programmes_recovered, programmes_failed = recover_programmes(programmes)
        if self.failed_autosaves == 0 and programmes_failed == 0:
            autosave.discard_sessions(sessions)
        return recovered + programmes_recovered

    # -- drag and drop -----------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if _dropped_scenarios(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        paths = _dropped_scenarios(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        for path in paths:
            self.open_file(path)

    # -- closing -----------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        for document in list(self.documents):
            if document.dirty:
                self.activate(document)
                if not self.maybe_save(document):
                    event.ignore()
                    return
        self._closing = True
        self.autosave_timer.stop()
        self.autosave_soon.stop()
        self.worker.shutdown()
        self.overview.band.shutdown()
        if self.compare_tab.view is not None:
            self.compare.shutdown()
        self.autosave_session.close()
        event.accept()

    def shutdown_for_tests(self) -> None:
        """Stop timers and threads without asking anything (test teardown)."""
        self.autosave_timer.stop()
        self.autosave_soon.stop()
        self.worker.shutdown()
        self.overview.band.shutdown()
        self.autosave_session.close()


def workbook_monte_carlo(result: dict, currency: str) -> list[dict]:
    """The solver's Monte Carlo result in the shape the workbook's Monte Carlo sheet takes."""
    from tcoapp.reports.report import SUMMARY_LABELS

    out = []
    for key, stats in result.get("metrics", {}).items():
        label, unit = SUMMARY_LABELS.get(key, (key, ""))
        out.append({"metric": key, "metric_label": label, "unit": unit.format(cur=currency),
                    "samples": result.get("samples"), "mean": stats.get("mean"),
                    "percentiles": {int(name[1:]): value for name, value in stats.items()
                                    if name.startswith("p") and name[1:].isdigit()}})
    return out


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _dropped_scenarios(mime) -> list[Path]:
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(".tco")]
