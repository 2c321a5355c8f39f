"""Monthly and yearly tables: a Qt model over the reports package's DataFrames, copied as TSV.

The DataFrames (and their column titles with units) come from
:mod:`tcoapp.reports.tables`; this model only formats cells for display
(Spyder's ``DataFrameModel`` pattern). Copy puts tab-separated values with full
precision on the clipboard, ready to paste into a spreadsheet.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QTabWidget, QVBoxLayout,
    QWidget,
)


class DataFrameModel(QAbstractTableModel):
    """A read-only table model over a pandas DataFrame."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame = None

    def set_frame(self, frame) -> None:
        self.beginResetModel()
        self.frame = frame
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if self.frame is None or parent.isValid() else len(self.frame)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if self.frame is None or parent.isValid() else len(self.frame.columns)

    def raw(self, row: int, column: int) -> Any:
        return self.frame.iat[row, column]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.frame is None:
            return None
        value = self.raw(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if isinstance(value, str):
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and not isinstance(value, str):
            return raw_text(value)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self.frame is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return header_text(str(self.frame.columns[section]))
        return None

    def to_tsv(self, rows: list[int] | None = None, columns: list[int] | None = None) -> str:
        """Tab-separated values with a header line (all cells, or the given rows and columns)."""
        if self.frame is None:
            return ""
        rows = list(range(len(self.frame))) if rows is None else rows
        columns = list(range(len(self.frame.columns))) if columns is None else columns
        lines = ["\t".join(str(self.frame.columns[c]) for c in columns)]
        for r in rows:
            lines.append("\t".join(raw_text(self.raw(r, c)) for c in columns))
        return "\n".join(lines) + "\n"


def display_text(value: Any) -> str:
    """A cell as shown: thousands separators, cents only for small amounts."""
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "—"
    if float(number).is_integer() or abs(number) >= 100:
        return f"{number:,.0f}"
    return f"{number:,.2f}" if abs(number) >= 1 else f"{number:.4g}"


def raw_text(value: Any) -> str:
    """A cell as copied: full precision, no separators (what a spreadsheet parses)."""
    if isinstance(value, str):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return ""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def header_text(title: str) -> str:
    """A column title broken before its unit, so narrow columns stay readable."""
    name, _, unit = title.rpartition(" (")
    return f"{name}\n({unit}" if name else title


class CopyableTable(QTableView):
    """A table view whose Copy (Ctrl+C) copies the selection, or everything, as TSV."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"table.{name}")
        self.setAccessibleName(f"table.{name}")
        self.table_model = DataFrameModel(self)
        self.setModel(self.table_model)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        copy = QAction("Copy", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_to_clipboard)
        self.addAction(copy)

    def set_frame(self, frame) -> None:
        self.table_model.set_frame(frame)
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for column in range(self.table_model.columnCount()):
            header.resizeSection(column, max(header.sectionSize(column), 90))

    def selection_tsv(self) -> str:
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        if len(indexes) <= 1:
            return self.table_model.to_tsv()
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        return self.table_model.to_tsv(rows, columns)

    def copy_to_clipboard(self) -> str:
        text = self.selection_tsv()
        QGuiApplication.clipboard().setText(text)
        return text


class TablesView(QWidget):
    """Monthly and yearly tables of the active scenario, each with a Copy button."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("view.tables")
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tables.tabs")
        self.monthly = CopyableTable("monthly")
        self.yearly = CopyableTable("yearly")
        self.tabs.addTab(self.yearly, "Yearly")
        self.tabs.addTab(self.monthly, "Monthly")
        self.note = QLabel("")
        self.note.setObjectName("tables.note")
        self.copy_button = QPushButton("Copy table")
        self.copy_button.setObjectName("tables.copy")
        self.copy_button.setToolTip("Copy the selected cells, or the whole table, as tab-separated values")
        self.copy_button.clicked.connect(self.copy_current)
        bar = QHBoxLayout()
        bar.addWidget(self.note, 1)
        bar.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)
        self._report: dict | None = None
        self._stale = False

    def show_evaluation(self, evaluation) -> None:
        self._report = evaluation.report
        if self.isVisible():
            self._fill()
        else:
            self._stale = True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self._fill()

    def _fill(self) -> None:
        from tcoapp.reports.tables import monthly_table, yearly_table

        self._stale = False
        if self._report is None:
            self.monthly.set_frame(None)
            self.yearly.set_frame(None)
            self.note.setText("No results: the scenario cannot be computed.")
            return
        self.monthly.set_frame(monthly_table(self._report))
        self.yearly.set_frame(yearly_table(self._report))
        self.note.setText(f"Amounts in {self._report['currency']}; the yearly chips column is the year's peak. "
                          "Ctrl+C or Copy table copies as tab-separated values.")

    def current_table(self) -> CopyableTable:
        return self.tabs.currentWidget()

    def copy_current(self) -> str:
        if self._stale:
            self._fill()
        return self.current_table().copy_to_clipboard()
