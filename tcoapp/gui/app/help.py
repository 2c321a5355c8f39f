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


GETTING_STARTED = """# Getting started

tcoapp works out what an AI model costs over its life: training it once, then serving it for years,
on chips you rent, chips you buy, or an API you pay per token. Six steps are enough to find your way.

## 1. Open a sample

**File > New from template** lists worked examples (a chat assistant on owned chips, a model served in
the cloud, one bought as an API, a long-thinking reasoning model, …). A sample opens as an *untitled
copy*: change it freely, and save it under your own name with **File > Save As…**. The app's own
samples are never overwritten.

## 2. Change an input

The editor on the left holds every input in sections you can fold, with a filter box to find one. Type a new value (for example the requests per day, or the demand growth a year) and press
Enter. Everything recomputes at once. A value the model cannot take is refused with a message that
names the field and its rule. **Edit > Undo** (Ctrl+Z) takes any change back.

## 3. Read the KPIs

The **Overview** shows the key figures as cards: lifetime cost, the NPV of the costs, the share spent
on inference, the month inference overtakes training, the peak number of chips, the cost per million
tokens and per request, how long an answer takes, and (with revenue) the payback month and IRR. The
charts below them show how the cost builds up month by month.

## 4. Click a KPI to see why

Click any KPI card to open **why this number**: its formula in words, the inputs it depends on with
their current values, and a button to see which of them move it most (the tornado).

## 5. Compare deployments

**Tools > Compare deployments** shows the same scenario as API, cloud and owned, best first. Open
several scenarios and the **Compare** view puts them side by side, with differences against the base
you choose. **Tools > Break-even against another deployment…** answers questions such as "at what
cloud rate would renting cost what owning does?"; **Tools > Sweep** draws a metric over a range of
one input.

## 6. Export the workbook for finance

**File > Export > Excel workbook…** writes the whole model as a workbook with live formulas, so
finance can check every figure and try their own inputs. In the **Compare** view, **Export
workbook…** writes the comparison with its differences as formulas.

**Help > Methodology** explains every formula in full.
"""

#: Settings key set once the getting-started page has been offered on a first start.
OFFERED_KEY = "help/getting_started_offered"


class GettingStartedDialog(QDialog):
    """The getting-started page, rendered from Markdown."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("dialog.getting_started")
        self.setWindowTitle("Getting started — tcoapp")
        self.resize(720, 640)
        self.browser = QTextBrowser()
        self.browser.setObjectName("getting_started.text")
        self.browser.setOpenExternalLinks(True)
        self.browser.setMarkdown(GETTING_STARTED)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)


def show_getting_started(parent: QWidget | None) -> str:
    """Show the page (through :func:`~tcoapp.gui.dialogs.questions.ask`, so tests answer it); the answer."""
    from tcoapp.gui.dialogs.questions import Question, ask

    dialog = GettingStartedDialog(parent)
    try:
        return ask(parent, Question("dialog", "Getting started", options={"dialog": dialog}))
    finally:
        dialog.deleteLater()


def offer_getting_started(parent: QWidget | None, store=None) -> bool:
    """On the first start, ask whether to show the page; remembered, so it is offered only once.

    A start with a remembered window (someone who used tcoapp before this page existed)
    is not a first start: the page is not offered, and it stays in Help > Getting started.

    ``store`` is a QSettings (default: the window settings in the app's data folder).
    Returns True when the page was shown.
    """
    from tcoapp.gui.dialogs.questions import Question, ask

    if store is None:
        from tcoapp.gui.app.window_state import settings

        store = settings()
    if str(store.value(OFFERED_KEY, "false")).lower() in ("true", "1"):
        return False
    returning = store.contains("window/rect")  # a window was closed here before: not a first start
    store.setValue(OFFERED_KEY, True)
    store.sync()
    if returning:
        return False
    answer = ask(parent, Question("yes_no", "Welcome to tcoapp",
                                  "Would you like a one-page guide to getting started?",
                                  "You can open it at any time from Help > Getting started."))
    if answer != "yes":
        return False
    show_getting_started(parent)
    return True
