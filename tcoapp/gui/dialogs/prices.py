"""The price book picker: choose a dated, sourced offer to fill a scenario's price fields, import or export CSV.

Offers are listed for the field they fill: API offers (by tier) for the API prices, cloud rates for the
inference or training chip's hourly rate, and chip or server prices for the chip price. Each row shows
its price, date, confidence and source. Applying is one undoable edit. A company's own (negotiated)
price book is a CSV in the same columns as ``tcoapp-cli prices --csv``; imported, it replaces the
bundled book for this session.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
    QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from tcoapp.scenario.errors import ScenarioError
from tcoapp.scenario.pricebook import api_fields, load_book, read_csv, write_csv
from tcoapp.scenario.schema import with_values

#: What can be filled: (key, label, kind of offers, fields it sets).
TARGETS = (
    ("api", "API prices (inference.api_price_*)", "api"),
    ("inference.cloud_rate", "Inference cloud rate (inference.cloud_rate)", "cloud"),
    ("training.cloud_rate", "Training cloud rate (training.cloud_rate)", "cloud"),
    ("inference.chip_price", "Inference chip price (inference.chip_price)", "chip"),
    ("training.chip_price", "Training chip price (training.chip_price)", "chip"),
)

COLUMNS = ("Offer", "Price (USD)", "As of", "Confidence", "Source")

#: The book in use this session (a company's imported CSV replaces the bundled one).
_session_book = None


def current_book():
    """The price book in use: an imported one, else the bundled one."""
    return _session_book if _session_book is not None else load_book()


def offer_values(target: str, offer, usd_to_currency: float) -> dict[str, float]:
    """The scenario fields an offer fills for a target, in the scenario's currency.

    A server price becomes a per-chip price: the server's price divided by its chips (the
    server overhead of the facility section is then added by the model, as for catalog prices).
    """
    if target == "api":
        return {f"inference.{k}": v for k, v in api_fields(offer, usd_to_currency).items()}
    if target.endswith("cloud_rate"):
        return {target: offer.usd_per_chip_hour * usd_to_currency}
    if offer.kind == "server":
        return {target: offer.usd_per_server / offer.chips_per_server * usd_to_currency}
    return {target: offer.usd_per_chip * usd_to_currency}


def offers_for(book, target: str, scenario) -> list:
    """The rows of the book that can fill ``target`` for this scenario (its chip's, for chip targets)."""
    if target == "api":
        return book.api_offers()
    role = target.split(".")[0]
    chip = getattr(scenario, role).chip
    if target.endswith("cloud_rate"):
        return book.cloud_offers(chip)
    return book.chip_offers(chip) + book.server_offers(chip)


class PriceBookDialog(QDialog):
    """Pick an offer for one target; ``values`` holds the fields to set when accepted."""

    def __init__(self, scenario, target: str = "api", parent=None):
        super().__init__(parent)
        self.setObjectName("dialog.prices")
        self.setWindowTitle("Price book")
        self.scenario = scenario
        self.values: dict[str, float] = {}
        self.chosen = None
        self.target_box = QComboBox()
        self.target_box.setObjectName("prices.target")
        for key, label, _ in TARGETS:
            self.target_box.addItem(label, key)
        self.target_box.setCurrentIndex(max(0, self.target_box.findData(target)))
        self.target_box.currentIndexChanged.connect(self._fill)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("prices.table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QLabel("")
        self.detail.setObjectName("prices.detail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.book_label = QLabel("")
        self.book_label.setObjectName("prices.book")
        import_button = QPushButton("Import CSV…")
        import_button.setObjectName("prices.import")
        import_button.clicked.connect(self._import)
        export_button = QPushButton("Export CSV…")
        export_button.setObjectName("prices.export")
        export_button.clicked.connect(self._export)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setObjectName("prices.apply")
        self.apply_button.clicked.connect(self._apply)
        self.buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("Fill:"))
        top.addWidget(self.target_box, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.book_label, 1)
        bottom.addWidget(import_button)
        bottom.addWidget(export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(bottom)
        layout.addWidget(self.buttons)
        self.resize(980, 520)
        self._fill()

    @property
    def target(self) -> str:
        return self.target_box.currentData()

    def _fill(self) -> None:
        book = current_book()
        self.book_label.setText("Company price book (imported CSV)" if _session_book is not None
                                else f"Bundled price book: {len(book)} dated, sourced rows")
        self.rows = offers_for(book, self.target, self.scenario)
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            label = row.model if row.kind == "api" else (row.provider or row.system or row.chip or row.id)
            if row.kind == "api":
                label = f"{row.provider} {row.model} ({row.tier})"
            elif row.kind == "cloud":
                label = f"{row.provider} · {row.term}"
            cells = (label, row.summary(), row.as_of, row.confidence, row.source)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                item.setToolTip(f"{row.source}\n{row.notes}".strip())
                self.table.setItem(r, c, item)
        self.apply_button.setEnabled(False)
        self.detail.setText("No offer in the book for this field and chip." if not self.rows else
                            "Choose an offer: its source and date go into the status bar and the scenario's "
                            "notes when applied.")

    def _selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if not rows:
            self.apply_button.setEnabled(False)
            return
        self.chosen = self.rows[rows.pop()]
        self.values = offer_values(self.target, self.chosen, self.scenario.finance.usd_to_currency)
        cur = self.scenario.currency
        refused = self._refused()
        if refused:
            self.values = {}
            self.detail.setText(refused)
            self.apply_button.setEnabled(False)
            return
        filled = ", ".join(f"{k} = {cur} {v:,.4g}" for k, v in self.values.items())
        low = " Low confidence: check it before relying on it." if self.chosen.low_confidence else ""
        self.detail.setText(f"Sets {filled}. Source: {self.chosen.source}, as of {self.chosen.as_of}.{low}")
        self.apply_button.setEnabled(True)

    def _refused(self) -> str:
        """Why the chosen offer cannot be applied ('' when it can): the book's caps are in USD, so an
        offer within them can still exceed a field's bound once converted into the scenario's currency."""
        try:
            with_values(self.scenario, self.values)
        except ScenarioError as error:
            fx = self.scenario.finance.usd_to_currency
            return (f"Cannot apply this offer: converted at {fx:g} {self.scenario.currency} per USD, "
                    f"{error}")
        return ""

    def select_row(self, index: int) -> None:
        """Select an offer (tests and keyboard users)."""
        self.table.selectRow(index)

    def _apply(self) -> None:
        if self.values:
            self.accept()

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a price book", "", "CSV files (*.csv)")
        if path:
            self.import_csv(path)

    def import_csv(self, path: str) -> bool:
        """Use a company's CSV price book for this session; a bad row is named and nothing changes."""
        global _session_book
        try:
            _session_book = read_csv(path)
        except (ScenarioError, OSError) as error:
            self.detail.setText(f"Not imported: {error}")
            return False
        self._fill()
        return True

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the price book", "prices.csv", "CSV files (*.csv)")
        if path:
            self.export_csv(path)

    def export_csv(self, path: str) -> None:
        try:
            write_csv(current_book(), path)
            self.detail.setText(f"Wrote {path}")
        except (ScenarioError, OSError) as error:
            self.detail.setText(f"Not written: {error}")


def reset_session_book() -> None:
    """Go back to the bundled book (tests)."""
    global _session_book
    _session_book = None
