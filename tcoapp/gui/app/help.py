"""Help: the methodology (the user's copy of the model) and the catalog date for About."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

import tcoapp
from tcoapp.paths import resource_file

FALLBACK_METHODOLOGY = """# Methodology

The methodology document was not found in this installation. In short:

* **Time grid.** Months `m = 0 .. 12 × horizon − 1`; 730 hours and 365/12 days a month;
  a yearly rate `r` applies as `(1 + r)^(m/12)`.
* **Training.** Compute `C = 6 × active parameters × tokens` unless given, times
  `1 + experiment overhead`; chip-hours `C / (peak FLOP/s × MFU × 3600)`, spread over the run's
  months and priced at the cloud rate or an amortised owned rate. Refresh runs repeat after launch.
* **Inference.** Requests per day grow from launch, capped by the ceiling; tokens are
  requests × samples × (input + reasoning + output). API: tokens × prices. Cloud and owned:
  replicas sized for the peak from a roofline throughput estimate, rented by the hour or bought in
  whole servers that live `life_years`, with energy, colocation and maintenance.
* **Outputs.** Lifetime cost, NPV of cash flows, inference share, the month inference overtakes
  training (cumulative), cost per million tokens and per request, peak chips, payback and IRR.
"""


def methodology_path() -> Path | None:
    """The methodology document: bundled with the resources, else the source tree's docs folder."""
    candidates = [resource_file("methodology.md"),
                  Path(tcoapp.__file__).resolve().parents[1] / "docs" / "methodology.md"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def methodology_markdown() -> str:
    path = methodology_path()
    if path is None:
        return FALLBACK_METHODOLOGY
    return path.read_text(encoding="utf-8")


def catalog_date() -> str:
    """The chip catalog's as-of date."""
    import json

    try:
        return str(json.loads(resource_file("chips.json").read_text(encoding="utf-8")).get("as_of", "unknown"))
    except (OSError, ValueError):
        return "unknown"


class MethodologyDialog(QDialog):
    """The methodology, rendered from Markdown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dialog.methodology")
        self.setWindowTitle("Methodology — tcoapp")
        self.resize(820, 640)
        self.browser = QTextBrowser()
        self.browser.setObjectName("methodology.text")
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(methodology_markdown())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
