"""The chip table: the catalog with specs, prices and their as-of dates, and the scenario's own chips.

Catalog rows are read-only; custom chips (saved in the scenario's ``chips``)
are edited in place, added, duplicated from a catalog chip, or removed. A
custom chip with a catalog id replaces that catalog chip. Accepting applies
the changes (and the chosen chip) as one undoable edit.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from tcoapp.scenario.catalog import load_catalog
from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.schema import Chip, Scenario, with_values

from tcoapp.gui.widgets.numberbox import format_number, parse_number

#: Columns: (field, header).
COLUMNS = (
    ("id", "Id"), ("name", "Name"), ("vendor", "Vendor"),
    ("bf16_tflops", "BF16\nTFLOP/s"), ("fp8_tflops", "FP8\nTFLOP/s"), ("fp4_tflops", "FP4\nTFLOP/s"),
    ("memory_gb", "Memory\nGB"), ("bandwidth_tbs", "Bandwidth\nTB/s"), ("tdp_w", "Power\nW"),
    ("price_usd", "Price\nUSD"), ("cloud_usd_per_hour", "Cloud\nUSD/hour"), ("as_of", "As of"),
    ("source", "Source"), ("notes", "Notes"),
)
NUMERIC = {"bf16_tflops", "fp8_tflops", "fp4_tflops", "memory_gb", "bandwidth_tbs", "tdp_w", "price_usd",
           "cloud_usd_per_hour"}


class ChipDialog(QDialog):
    """Browse the catalog, edit custom chips, and pick the chip for training or inference."""

    def __init__(self, scenario: Scenario, path: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dialog.chips")
        self.setWindowTitle("Chips — catalog and custom chips")
        self.resize(1180, 560)
        self.scenario = scenario
        self.path = path
        self.catalog = load_catalog()
        self.custom: list[dict[str, Any]] = [chip.model_dump() for chip in scenario.chips]
        self.chosen = {"training.chip": scenario.training.chip, "inference.chip": scenario.inference.chip}
        self.outcome: Scenario | None = None

        intro = QLabel("Catalog figures are dense peak compute (no sparsity), list prices and on-demand cloud rates "
                       "in US dollars, each with its source and date. Custom chips are saved in the scenario; "
                       "a custom chip with a catalog id replaces that chip.")
        intro.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setObjectName("chips.table")
        self.table.setColumnCount(len(COLUMNS))
        self.table.setHorizontalHeaderLabels([header for _, header in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.itemChanged.connect(self._on_item_changed)
        self.message = QLabel("")
        self.message.setObjectName("chips.message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828;")

        self.use_training = QPushButton("Use for training")
        self.use_training.setObjectName("chips.use_training")
        self.use_training.clicked.connect(lambda: self._use("training.chip"))
        self.use_inference = QPushButton("Use for inference")
        self.use_inference.setObjectName("chips.use_inference")
        self.use_inference.clicked.connect(lambda: self._use("inference.chip"))
        self.add_button = QPushButton("Add custom chip")
        self.add_button.setObjectName("chips.add")
        self.add_button.clicked.connect(self.add_custom)
        self.duplicate_button = QPushButton("Duplicate as custom")
        self.duplicate_button.setObjectName("chips.duplicate")
        self.duplicate_button.clicked.connect(self.duplicate_selected)
        self.remove_button = QPushButton("Remove custom chip")
        self.remove_button.setObjectName("chips.remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.chosen_label = QLabel("")
        self.chosen_label.setObjectName("chips.chosen")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        for button in (self.use_training, self.use_inference, self.add_button, self.duplicate_button,
                       self.remove_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.chosen_label)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._filling = False
        self._fill()
        self._select_id(self.chosen.get(path))

    # -- table -------------------------------------------------------------------------------------
    def _rows(self) -> list[tuple[dict[str, Any], bool]]:
        custom_ids = {chip["id"] for chip in self.custom}
        rows = [(chip.model_dump(), False) for chip in self.catalog.values() if chip.id not in custom_ids]
        rows += [(chip, True) for chip in self.custom]
        return rows

    def _fill(self) -> None:
        self._filling = True
        try:
            rows = self._rows()
            self.table.setRowCount(len(rows))
            muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
            for r, (chip, custom) in enumerate(rows):
                for c, (field, _) in enumerate(COLUMNS):
                    value = chip.get(field)
                    if field in NUMERIC:
                        text = "" if value is None else format_number(float(value))
                    else:
                        text = "" if value is None else str(value)
                    item = QTableWidgetItem(text)
                    item.setData(Qt.ItemDataRole.UserRole, (custom, chip["id"]))
                    if field in NUMERIC:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
                    if custom:
                        flags |= Qt.ItemFlag.ItemIsEditable
                    else:
                        item.setForeground(QBrush(muted)) if field in ("source", "notes") else None
                    item.setFlags(flags)
                    if field in ("source", "notes", "name") and text:
                        item.setToolTip(text)
                    self.table.setItem(r, c, item)
                if custom:
                    first = self.table.item(r, 0)
                    first.setText(f"{chip['id']}")
                    first.setToolTip("Custom chip (saved in the scenario); double-click a cell to edit")
            self.table.resizeColumnsToContents()
            for c, (field, _) in enumerate(COLUMNS):
                if field in ("source", "notes"):
                    self.table.setColumnWidth(c, 220)
                elif field == "name":
                    self.table.setColumnWidth(c, min(self.table.columnWidth(c), 200))
        finally:
            self._filling = False
        self._show_chosen()

    def _show_chosen(self) -> None:
        self.chosen_label.setText(f"Training chip: <b>{self.chosen['training.chip']}</b> · "
                                  f"Inference chip: <b>{self.chosen['inference.chip']}</b> · "
                                  f"Custom chips: {len(self.custom)}")

    def _select_id(self, chip_id: str | None) -> None:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)[1] == chip_id:
                self.table.selectRow(r)
                self.table.scrollToItem(self.table.item(r, 0))
                return

    def selected(self) -> tuple[bool, str] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    # -- editing -----------------------------------------------------------------------------------
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        custom, chip_id = item.data(Qt.ItemDataRole.UserRole)
        if not custom:
            return
        field = COLUMNS[item.column()][0]
        index = next(i for i, chip in enumerate(self.custom) if chip["id"] == chip_id)
        text = item.text().strip()
        try:
            value: Any = (None if text == "" else parse_number(text)) if field in NUMERIC else text
        except ValueError:
            self.message.setText(f"{field}: “{text}” is not a number")
            self._fill()
            return
        candidate = dict(self.custom[index], **{field: value})
        try:
            Chip.model_validate(candidate)
        except Exception as error:  # pydantic's message, rewritten by the scenario layer below
            self.message.setText(f"Not applied: {_chip_rule(error, field)}")
            self._fill()
            return
        self.custom[index] = candidate
        if field == "id":
            for key, chosen in self.chosen.items():
                if chosen == chip_id:
                    self.chosen[key] = value
        self.message.setText("")
        self._fill()
        self._select_id(candidate["id"])

    def add_custom(self) -> str:
        chip_id = self._free_id("custom-chip")
        self.custom.append(Chip(id=chip_id, name="Custom chip", vendor="", source="user", as_of="").model_dump())
        self._fill()
        self._select_id(chip_id)
        return chip_id

    def duplicate_selected(self) -> str | None:
        picked = self.selected()
        if picked is None:
            return None
        _, chip_id = picked
        source = next((c for c in self.custom if c["id"] == chip_id), None) or self.catalog[chip_id].model_dump()
        copy = dict(source, id=self._free_id(f"{chip_id}-custom"), name=f"{source.get('name') or chip_id} (custom)")
        self.custom.append(copy)
        self._fill()
        self._select_id(copy["id"])
        return copy["id"]

    def remove_selected(self) -> None:
        picked = self.selected()
        if picked is None or not picked[0]:
            self.message.setText("Only custom chips can be removed.")
            return
        chip_id = picked[1]
        self.custom = [c for c in self.custom if c["id"] != chip_id]
        self._fill()

    def _use(self, path: str) -> None:
        picked = self.selected()
        if picked is not None:
            self.chosen[path] = picked[1]
            self._show_chosen()

    def _free_id(self, stem: str) -> str:
        taken = set(self.catalog) | {c["id"] for c in self.custom}
        if stem not in taken:
            return stem
        n = 2
        while f"{stem}-{n}" in taken:
            n += 1
        return f"{stem}-{n}"

    # -- result ------------------------------------------------------------------------------------
    def accept(self) -> None:
        try:
            self.outcome = with_values(self.scenario, {"chips": self.custom, **self.chosen})
        except ScenarioError as error:
            self.message.setText(f"Not applied: {error}")
            return
        super().accept()

    def apply(self, document) -> bool:
        """Apply the accepted changes to a document as one undoable edit."""
        if self.outcome is None:
            return False
        from tcoapp.gui.documents.document import field_title

        changed = [p for p in ("chips", "training.chip", "inference.chip")
                   if _get(self.outcome, p) != _get(self.scenario, p)]
        label = "Change " + ", ".join(field_title(p) for p in changed) if changed else "Change Custom chips"
        return document.replace_scenario(self.outcome, label)


def _get(scenario: Scenario, path: str) -> Any:
    from tcoapp.scenario.schema import get_path

    return get_path(scenario, path)


def _chip_rule(error: Exception, field: str) -> str:
    from pydantic import ValidationError

    from tcoapp.scenario.errors import scenario_error_from_validation

    if isinstance(error, ValidationError):
        return str(scenario_error_from_validation(error, Chip))
    return f"{field}: {error}"
