"""Serving view: the throughput-latency trade-off on every chip and the thinking budget, for the active scenario."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget
from PySide6.QtCore import Qt

from tcoapp.scenario.errors import ScenarioError


class ServingView(QWidget):
    """Two charts from one engine batch each (a few milliseconds): recomputed when the scenario changes.

    ``show_scenario(scenario)`` is all it needs; it imports nothing from the window.
    """

    def __init__(self, source=None, parent: QWidget | None = None):
        super().__init__(parent)
        from tcoapp.gui.charts.panel import ChartPanel

        #: ``source()`` gives the scenario to show (the window's active one); None: show_scenario only.
        self.source = source
        self.stale = source is not None

        self.setObjectName("view.serving")
        self.note = QLabel()
        self.note.setObjectName("serving.note")
        self.note.setWordWrap(True)
        self.tradeoff = ChartPanel("serving.tradeoff", "Cost per million tokens against speed per user, by chip",
                                   "tcoapp.reports.serving_figures:draw_tradeoff")
        self.thinking = ChartPanel("serving.thinking", "Thinking budget: cost and answer time",
                                   "tcoapp.reports.serving_figures:draw_thinking")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tradeoff)
        split.addWidget(self.thinking)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        self.scenario = None

    def input_changed(self) -> None:
        """The active scenario changed: redraw now if visible, else when next shown."""
        self.stale = True
        if self.isVisible():
            self._refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.stale:
            self._refresh()

    def _refresh(self) -> None:
        scenario = self.source() if self.source is not None else None
        self.stale = False
        if scenario is not None:
            self.show_scenario(scenario)

    def show_scenario(self, scenario) -> None:
        from tcoapp.scenario.serving import latency_tradeoff, thinking_budget

        self.scenario = scenario
        notes = []
        try:
            data = latency_tradeoff(scenario)
            data["highlight"] = scenario.inference.chip
            self.tradeoff.set_data(data)
            self.tradeoff.setVisible(True)
        except ScenarioError as err:
            self.tradeoff.setVisible(False)
            notes.append(f"Trade-off: {err.path} {err.rule}")
        try:
            self.thinking.set_data(thinking_budget(scenario))
        except ScenarioError as err:
            notes.append(f"Thinking budget: {err.rule}")
        summary = ("Each curve is one chip; each point a batch size: to the left each user sees a faster stream and "
                   "every token costs more. The star is this scenario's own batch. Right: what longer thinking "
                   "costs per request and how long a full answer takes.")
        self.note.setText(summary + ("\n" + "\n".join(notes) if notes else ""))
